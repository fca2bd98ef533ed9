/** `npm run bench [-- [--quick] [name-filter ...]]`: runs bench/*.bench.ts and appends to bench/RESULTS.md. */
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatResult, metTarget, type Benchmark } from './harness.js';

const dir = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filters = args.filter((a) => !a.startsWith('--'));
const results = join(dir, 'RESULTS.md');
if (!existsSync(results)) writeFileSync(results, '# Benchmark results\n\nAppended by `npm run bench`; newest at the bottom.\n\n');

const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
let failures = 0;
let ran = 0;
for (const f of files) {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { benchmark: Benchmark };
  const b = mod.benchmark;
  if (filters.length && !filters.some((x) => b.name.includes(x) || f.includes(x))) continue;
  ran++;
  console.log(`▶ ${b.name}: ${b.description}`);
  const started = new Date();
  const r = await b.run({ log: (l) => console.log(`  ${l}`), quick });
  const command = `npm run bench -- ${[quick ? '--quick' : '', b.name].filter(Boolean).join(' ')}`;
  const text = formatResult(b, r, command, started);
  console.log(text);
  if (!quick) appendFileSync(results, text + '\n');
  failures += r.metrics.filter((m) => metTarget(m) === false).length;
}
if (ran === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}; available: ${files.join(', ')}`);
  process.exit(2);
}
console.log(quick ? 'quick run: results not recorded' : `results appended to ${results}`);
if (failures) {
  console.error(`${failures} metric(s) missed their target`);
  process.exit(1);
}
