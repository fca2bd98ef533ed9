/** Loads the vendored Shopify Admin introspection dumps (schema/shopify/, see SOURCE.md there) for tests. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema } from 'graphql';
import type { GraphQLSchema, IntrospectionQuery } from 'graphql';

export const SCHEMA_VERSIONS = ['2026-10', '2026-07'] as const;
export type SchemaVersion = (typeof SCHEMA_VERSIONS)[number];

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const cache = new Map<SchemaVersion, GraphQLSchema>();

export function adminSchema(version: SchemaVersion): GraphQLSchema {
  const hit = cache.get(version);
  if (hit) return hit;
  const raw = JSON.parse(gunzipSync(readFileSync(join(root, 'schema', 'shopify', `admin_${version}.json.gz`))).toString('utf8')) as
    | { data: IntrospectionQuery }
    | IntrospectionQuery;
  const schema = buildClientSchema('data' in raw ? raw.data : raw);
  cache.set(version, schema);
  return schema;
}
