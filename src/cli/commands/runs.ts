/** `koppel runs`: the latest flow runs as a table, or JSON for scripts. */
import { InvalidArgumentError } from 'commander';
import { KoppelError } from '../../core/errors.js';
import { RunRepository, type RunRecord, type RunStatus } from '../../engine/runs.js';
import { openStore, pendingMigrations, type Store } from '../../store/db.js';
import type { CliContext, Register } from '../context.js';
import { formatDuration, formatTable, formatTime, parseLimit, type Column } from '../format.js';
import { databaseUrl } from '../runtime.js';

const STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'partial', 'failed', 'cancelled', 'abandoned'];

/** Opens the configured store for reading; undefined when it has no engine tables yet. */
export async function openForReading(ctx: CliContext): Promise<Store | undefined> {
  const loaded = ctx.loadConfig();
  const store = await openStore({ url: databaseUrl(loaded.config, ctx.cwd), migrate: false });
  const pending = await pendingMigrations(store);
  if (pending.some((m) => m.includes('engine'))) {
    await store.close();
    return undefined;
  }
  return store;
}

const cliArg = (fn: (v: string) => unknown) => (v: string) => {
  try {
    return fn(v);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof KoppelError && e.hint ? `${e.message}; ${e.hint}` : (e as Error).message);
  }
};

export const RUN_COLUMNS: readonly Column<RunRecord>[] = [
  { header: 'STARTED', value: (r) => formatTime(r.startedAt) },
  { header: 'FLOW', value: (r) => r.flow + (r.dryRun ? ' (dry run)' : '') },
  { header: 'TRIGGER', value: (r) => r.trigger },
  { header: 'STATUS', value: (r) => r.status },
  { header: 'DURATION', value: (r) => formatDuration(r.durationMs), align: 'right' },
  { header: 'CREATED', value: (r) => r.counts.created, align: 'right' },
  { header: 'UPDATED', value: (r) => r.counts.updated, align: 'right' },
  { header: 'SKIPPED', value: (r) => r.counts.skipped, align: 'right' },
  { header: 'QUARANT.', value: (r) => r.counts.quarantined, align: 'right' },
  { header: 'FAILED', value: (r) => r.counts.failed, align: 'right' },
  { header: 'API CALLS', value: (r) => r.apiCalls, align: 'right' },
  { header: 'COST', value: (r) => r.apiCost, align: 'right' },
  { header: 'THROTTLED', value: (r) => (r.throttleWaits ? `${r.throttleWaits} (${formatDuration(r.throttleWaitMs)})` : '0'), align: 'right' },
  { header: 'ERROR', value: (r) => (r.error ? `${r.error.code ?? ''} ${r.error.message}`.trim() : ''), max: 60 },
];

export const register: Register = (program, ctx) => {
  program
    .command('runs')
    .description('show the latest flow runs: counts, duration, API cost, throttling and errors')
    .option('--flow <flow>', 'only runs of this flow')
    .option('--status <status>', `only runs with this status (${STATUSES.join(', ')})`, (v: string) => {
      if (!(STATUSES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${STATUSES.join(', ')}`);
      return v;
    })
    .option('--limit <n>', 'how many runs (default 20)', cliArg((v) => parseLimit(v, 500)))
    .option('--json', 'machine-readable output')
    .action(async (opts: { flow?: string; status?: RunStatus; limit?: number; json?: boolean }) => {
      const store = await openForReading(ctx);
      if (!store) {
        if (opts.json) ctx.out('[]');
        else ctx.out('no runs yet: the database has not been set up (koppel start does that)');
        return;
      }
      try {
        const { items } = await new RunRepository(store.db).list({ flow: opts.flow, status: opts.status, limit: opts.limit ?? 20 });
        if (opts.json) {
          ctx.out(JSON.stringify(items, null, 2));
          return;
        }
        if (items.length === 0) {
          ctx.out(opts.flow || opts.status ? 'no runs match' : 'no runs yet');
          return;
        }
        for (const line of formatTable(RUN_COLUMNS, items)) ctx.out(line);
      } finally {
        await store.close();
      }
    });
};
