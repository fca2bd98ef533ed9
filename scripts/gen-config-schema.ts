// Writes schema/koppel.schema.json from the zod config schema (src/config/schema.ts).
// A test fails when the committed file differs from what this script writes.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../src/config/schema.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'koppel.schema.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(configJsonSchema(), null, 2) + '\n');
console.log(`wrote ${out}`);
