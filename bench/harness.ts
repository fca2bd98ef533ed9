/**
 * Benchmark harness. A benchmark is a module `bench/<name>.bench.ts` exporting `benchmark`.
 * `npm run bench [-- <name-filter>...]` runs them and appends each result to bench/RESULTS.md with
 * the command, machine and date. Targets are checked here (a result says whether it met its target),
 * never in timed unit tests.
 */
import { cpus, totalmem, hostname } from 'node:os';

export interface Metric {
  name: string;
  value: number;
  unit: string;
  /** A target this metric must meet, e.g. { op: '>=', value: 0.9 }. */
  target?: { op: '<=' | '>='; value: number };
  note?: string;
}

export interface BenchResult {
  /** One-paragraph description of the setup (sizes, presets, rates) so the numbers can be read. */
  setup: string;
  metrics: Metric[];
  /** Extra lines (tables) printed under the metrics. */
  details?: string[];
}

export interface Benchmark {
  name: string;
  description: string;
  run(ctx: { log(line: string): void; quick: boolean }): Promise<BenchResult>;
}

export function metTarget(m: Metric): boolean | undefined {
  if (!m.target) return undefined;
  return m.target.op === '<=' ? m.value <= m.target.value : m.value >= m.target.value;
}

export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform} (${hostname()})`;
}

export function formatResult(b: Benchmark, r: BenchResult, command: string, date: Date): string {
  const lines = [
    `## ${b.name} — ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `- command: \`${command}\``,
    `- machine: ${machine()}`,
    `- what: ${b.description}`,
    `- setup: ${r.setup}`,
    '',
    '| metric | value | target | met |',
    '|---|---|---|---|',
    ...r.metrics.map((m) => {
      const met = metTarget(m);
      const v = Number.isInteger(m.value) ? String(m.value) : m.value.toFixed(3);
      return `| ${m.name}${m.note ? ` (${m.note})` : ''} | ${v} ${m.unit} | ${m.target ? `${m.target.op} ${m.target.value} ${m.unit}` : ''} | ${met === undefined ? '' : met ? 'yes' : '**no**'} |`;
    }),
    ...(r.details?.length ? ['', ...r.details] : []),
    '',
  ];
  return lines.join('\n');
}
