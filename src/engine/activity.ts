/**
 * The activity journal: one row per record per run, with what happened to it (created / updated /
 * skipped / quarantined / failed), the field-level diff with personal data masked, and for
 * problems the error code, message and fix hint. Never whole payloads.
 *
 * Rows expire: `purge` (run by the `koppel.activity.purge` job, see `defineActivityPurge`) deletes
 * activity older than the retention (default 14 days) and nothing else.
 */
import type { Kysely, Selectable } from 'kysely';
import { KoppelError } from '../core/errors.js';
import { PERSONAL_FIELD_NAMES, maskRecordDiff, type FieldChange, type MaskedFieldChange } from '../core/privacy.js';
import type { ActivityTable, Database } from '../store/schema.js';
import type { JobRuntime, ScheduleSpec } from './runtime/port.js';

export const ACTIONS = ['created', 'updated', 'skipped', 'quarantined', 'failed'] as const;
export type ActivityAction = (typeof ACTIONS)[number];

export const DEFAULT_ACTIVITY_RETENTION_DAYS = 14;
const DAY = 86_400_000;

export interface ActivityEntry {
  runId: string;
  flow: string;
  /** e.g. `ccv_to_shopify`. */
  direction: string;
  entity?: string;
  sourceKey?: string | null;
  targetId?: string | null;
  action: ActivityAction;
  /** Changed fields; personal values are masked before they are stored. */
  diff?: readonly FieldChange[];
  /** Extra field names or paths that are personal in this record (on top of the journal's list). */
  personal?: readonly string[];
  /** For quarantined/failed records: the problem. A KoppelError fits as is. */
  error?: { code: string; message: string; hint?: string };
  /** A note when there is no error (e.g. why a record was skipped). */
  message?: string;
  at?: number;
}

export interface ActivityRecord {
  id: number;
  runId: string;
  flow: string;
  direction: string;
  entity: string | null;
  sourceKey: string | null;
  targetId: string | null;
  action: ActivityAction;
  diff: MaskedFieldChange[] | null;
  errorCode: string | null;
  message: string | null;
  hint: string | null;
  at: Date;
}

export interface ActivityQuery {
  flow?: string;
  runId?: string;
  /** Inclusive lower bound. */
  since?: Date | number;
  /** Exclusive upper bound. */
  until?: Date | number;
  outcome?: ActivityAction | readonly ActivityAction[];
  /** Matches the source key or the target id exactly. */
  key?: string;
  limit?: number;
  /** From a previous page's `nextCursor`. */
  cursor?: string;
}

export interface ActivityPage {
  items: ActivityRecord[];
  /** Present when there may be more (older) rows. */
  nextCursor?: string;
}

export interface ActivityJournalOptions {
  /** Field names or dotted paths that are personal data (default: core/privacy PERSONAL_FIELD_NAMES). */
  personalFields?: readonly string[];
  /** The masking hook; defaults to core/privacy maskRecordDiff. */
  mask?: (diff: readonly FieldChange[], personal: readonly string[]) => MaskedFieldChange[];
}

/** Bounds that keep a journal row small: a diff is a summary, never a payload. */
const MAX_CHANGES = 50;
const MAX_VALUE_CHARS = 300;
const MAX_TEXT = 2000;

function clip(value: unknown): unknown {
  if (value === undefined) return null;
  const json = JSON.stringify(value);
  if (json === undefined || json.length <= MAX_VALUE_CHARS) return value;
  return `${json.slice(0, MAX_VALUE_CHARS)}… (${json.length} chars)`;
}

function toRecord(r: Selectable<ActivityTable>): ActivityRecord {
  return {
    id: r.id,
    runId: r.run_id,
    flow: r.flow,
    direction: r.direction,
    entity: r.entity,
    sourceKey: r.source_key,
    targetId: r.target_id,
    action: r.action as ActivityAction,
    diff: r.diff === null ? null : (JSON.parse(r.diff) as MaskedFieldChange[]),
    errorCode: r.error_code,
    message: r.message,
    hint: r.hint,
    at: new Date(r.at),
  };
}

const ms = (d: Date | number) => (typeof d === 'number' ? d : d.getTime());

export class ActivityJournal {
  private readonly personal: readonly string[];
  private readonly mask: NonNullable<ActivityJournalOptions['mask']>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: ActivityJournalOptions = {},
  ) {
    this.personal = opts.personalFields ?? PERSONAL_FIELD_NAMES;
    this.mask = opts.mask ?? ((diff, personal) => maskRecordDiff(diff, personal));
  }

  with(tx: Kysely<Database>): ActivityJournal {
    return new ActivityJournal(tx, this.opts);
  }

  /** The diff as it will be stored: masked and clipped. */
  maskDiff(diff: readonly FieldChange[], extraPersonal: readonly string[] = []): MaskedFieldChange[] {
    const masked = this.mask(diff.slice(0, MAX_CHANGES), [...this.personal, ...extraPersonal]);
    const out = masked.map((c) => ({ ...c, before: clip(c.before), after: clip(c.after) }));
    if (diff.length > MAX_CHANGES) out.push({ path: '…', before: null, after: `${diff.length - MAX_CHANGES} more changes`, masked: false });
    return out;
  }

  async record(entries: ActivityEntry | readonly ActivityEntry[], now = Date.now()): Promise<number> {
    const list = Array.isArray(entries) ? (entries as readonly ActivityEntry[]) : [entries as ActivityEntry];
    if (list.length === 0) return 0;
    const rows = list.map((e) => {
      if (!ACTIONS.includes(e.action)) {
        throw new KoppelError({ code: 'ACTIVITY_INVALID', message: `activity action ${JSON.stringify(e.action)} is not one of ${ACTIONS.join(', ')}`, errorClass: 'invalid_input' });
      }
      if (!e.runId || !e.flow || !e.direction) {
        throw new KoppelError({ code: 'ACTIVITY_INVALID', message: 'an activity entry needs runId, flow and direction', hint: 'this is a bug in the flow', errorClass: 'invalid_input' });
      }
      return {
        run_id: e.runId,
        flow: e.flow,
        direction: e.direction,
        entity: e.entity ?? null,
        source_key: e.sourceKey ?? null,
        target_id: e.targetId ?? null,
        action: e.action,
        diff: e.diff && e.diff.length > 0 ? JSON.stringify(this.maskDiff(e.diff, e.personal)) : null,
        error_code: e.error?.code ?? null,
        message: (e.error?.message ?? e.message ?? null)?.slice(0, MAX_TEXT) ?? null,
        hint: e.error?.hint?.slice(0, MAX_TEXT) ?? null,
        at: e.at ?? now,
      };
    });
    for (let i = 0; i < rows.length; i += 200) await this.db.insertInto('activity').values(rows.slice(i, i + 200)).execute();
    return rows.length;
  }

  /** Newest first, `limit` per page (default 50, at most 1000). */
  async query(q: ActivityQuery = {}): Promise<ActivityPage> {
    const limit = Math.min(Math.max(1, q.limit ?? 50), 1000);
    let s = this.db.selectFrom('activity').selectAll();
    if (q.flow) s = s.where('flow', '=', q.flow);
    if (q.runId) s = s.where('run_id', '=', q.runId);
    if (q.since !== undefined) s = s.where('at', '>=', ms(q.since));
    if (q.until !== undefined) s = s.where('at', '<', ms(q.until));
    if (q.outcome !== undefined) {
      const outcomes = typeof q.outcome === 'string' ? [q.outcome] : [...q.outcome];
      for (const o of outcomes) {
        if (!ACTIONS.includes(o)) {
          throw new KoppelError({ code: 'ACTIVITY_QUERY_INVALID', message: `outcome ${JSON.stringify(o)} is not one of ${ACTIONS.join(', ')}`, hint: `use one of ${ACTIONS.join(', ')}`, errorClass: 'invalid_input' });
        }
      }
      s = s.where('action', 'in', outcomes);
    }
    if (q.key) {
      const key = q.key;
      s = s.where((eb) => eb.or([eb('source_key', '=', key), eb('target_id', '=', key)]));
    }
    if (q.cursor !== undefined) {
      const before = Number(q.cursor);
      if (!Number.isSafeInteger(before) || before < 0) {
        throw new KoppelError({ code: 'ACTIVITY_QUERY_INVALID', message: `cursor ${JSON.stringify(q.cursor)} is invalid`, hint: 'pass the nextCursor of the previous page', errorClass: 'invalid_input' });
      }
      s = s.where('id', '<', before);
    }
    const rows = await s.orderBy('id', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit).map(toRecord);
    const page: ActivityPage = { items };
    if (rows.length > limit && items.length > 0) page.nextCursor = String(items[items.length - 1]!.id);
    return page;
  }

  /** Counts per action for a run (e.g. for the run summary). */
  async countsForRun(runId: string): Promise<Record<ActivityAction, number>> {
    const rows = await this.db
      .selectFrom('activity')
      .select(['action', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('run_id', '=', runId)
      .groupBy('action')
      .execute();
    const out = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<ActivityAction, number>;
    for (const r of rows) out[r.action as ActivityAction] = Number(r.n);
    return out;
  }

  /** Deletes activity older than the retention; only activity rows, in batches. Returns how many. */
  async purge(opts: { retentionDays?: number; now?: number } = {}): Promise<number> {
    const days = opts.retentionDays ?? DEFAULT_ACTIVITY_RETENTION_DAYS;
    if (!(days > 0)) {
      throw new KoppelError({ code: 'ACTIVITY_RETENTION_INVALID', message: `activity retention must be more than 0 days, got ${days}`, hint: 'set a retention of 1 day or more', errorClass: 'invalid_input' });
    }
    const cutoff = (opts.now ?? Date.now()) - days * DAY;
    let total = 0;
    for (;;) {
      const batch = await this.db.selectFrom('activity').select('id').where('at', '<', cutoff).orderBy('id').limit(5000).execute();
      if (batch.length === 0) return total;
      const res = await this.db
        .deleteFrom('activity')
        .where(
          'id',
          'in',
          batch.map((b) => b.id),
        )
        .executeTakeFirst();
      total += Number(res.numDeletedRows);
    }
  }
}

export const ACTIVITY_PURGE_JOB = 'koppel.activity.purge';

/**
 * Defines the purge job on a runtime and returns its schedule (hourly by default); pass that to
 * `runtime.schedule(...)` in the process that owns schedules.
 */
export function defineActivityPurge(runtime: Pick<JobRuntime, 'define'>, journal: ActivityJournal, opts: { retentionDays?: number; every?: string } = {}): ScheduleSpec {
  runtime.define<{ retentionDays?: number }>({
    name: ACTIVITY_PURGE_JOB,
    perKey: 'coalesce',
    handler: async (data, ctx) => {
      const n = await journal.purge({ retentionDays: data.retentionDays ?? opts.retentionDays });
      if (n > 0) ctx.log.info({ deleted: n }, 'expired activity deleted');
    },
  });
  return { name: ACTIVITY_PURGE_JOB, job: ACTIVITY_PURGE_JOB, every: opts.every ?? '1h', key: 'purge', data: { retentionDays: opts.retentionDays ?? DEFAULT_ACTIVITY_RETENTION_DAYS } };
}
