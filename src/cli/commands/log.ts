/** `koppel log`: the activity journal (what happened to which record), as a table or JSON. */
import { InvalidArgumentError } from 'commander';
import { KoppelError } from '../../core/errors.js';
import { ACTIONS, ActivityJournal, type ActivityAction, type ActivityRecord } from '../../engine/activity.js';
import type { Register } from '../context.js';
import { formatTable, formatTime, parseLimit, parseSince, type Column } from '../format.js';
import { openForReading } from './runs.js';

const cliArg = (fn: (v: string) => unknown) => (v: string) => {
  try {
    return fn(v);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof KoppelError && e.hint ? `${e.message}; ${e.hint}` : (e as Error).message);
  }
};

function parseOutcomes(v: string): ActivityAction[] {
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((o) => !(ACTIONS as readonly string[]).includes(o));
  if (bad.length > 0 || list.length === 0) throw new Error(`expected one or more of ${ACTIONS.join(', ')} (comma-separated), got ${v}`);
  return list as ActivityAction[];
}

/** What changed, or what went wrong. */
export function detail(r: ActivityRecord): string {
  if (r.errorCode) return `${r.errorCode}: ${r.message ?? ''}${r.hint ? ` (fix: ${r.hint})` : ''}`;
  if (r.diff && r.diff.length > 0) return r.diff.map((c) => c.path).join(', ');
  return r.message ?? '';
}

export const LOG_COLUMNS: readonly Column<ActivityRecord>[] = [
  { header: 'TIME', value: (r) => formatTime(r.at) },
  { header: 'FLOW', value: (r) => r.flow },
  { header: 'DIRECTION', value: (r) => r.direction },
  { header: 'ACTION', value: (r) => r.action },
  { header: 'SOURCE', value: (r) => r.sourceKey, max: 40 },
  { header: 'TARGET', value: (r) => r.targetId, max: 40 },
  { header: 'DETAIL', value: detail, max: 100 },
];

export const register: Register = (program, ctx) => {
  program
    .command('log')
    .description('show the activity journal: per record what was created, updated, skipped, quarantined or failed')
    .option('--flow <flow>', 'only this flow')
    .option('--key <key>', 'only this record (source key or target id)')
    .option('--outcome <actions>', `only these outcomes, comma-separated (${ACTIONS.join(', ')})`, cliArg(parseOutcomes))
    .option('--since <time>', 'from this time: 30m, 2h, 7d or a date (2026-11-29T08:00)', cliArg((v) => parseSince(v)))
    .option('--run <id>', 'only this run')
    .option('--limit <n>', 'how many entries (default 50)', cliArg((v) => parseLimit(v, 1000)))
    .option('--json', 'machine-readable output (masked diffs included)')
    .action(async (opts: { flow?: string; key?: string; outcome?: ActivityAction[]; since?: Date; run?: string; limit?: number; json?: boolean }) => {
      const store = await openForReading(ctx);
      if (!store) {
        if (opts.json) ctx.out('[]');
        else ctx.out('no activity yet: the database has not been set up (koppel start does that)');
        return;
      }
      try {
        const page = await new ActivityJournal(store.db).query({
          flow: opts.flow,
          key: opts.key,
          outcome: opts.outcome,
          since: opts.since,
          runId: opts.run,
          limit: opts.limit ?? 50,
        });
        if (opts.json) {
          ctx.out(JSON.stringify(page.items, null, 2));
          return;
        }
        if (page.items.length === 0) {
          ctx.out('no activity matches');
          return;
        }
        for (const line of formatTable(LOG_COLUMNS, page.items)) ctx.out(line);
        if (page.nextCursor) ctx.out(`(showing the newest ${page.items.length}; use --limit or --since to see more)`);
      } finally {
        await store.close();
      }
    });
};
