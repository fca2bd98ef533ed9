/**
 * Runs: one row per execution of a flow, with counts per action, duration, API cost and calls,
 * throttle waits and errors, and a status. A flow starts a run, counts as it goes (a RunTracker
 * keeps the totals in memory and flushes them), and finishes it.
 *
 *   const run = await runs.start({ flow: 'products', trigger: 'schedule', jobId: ctx.jobId });
 *   run.count('created'); run.apiCall(12); run.throttled(350);
 *   await run.finish();                       // succeeded, or partial when records failed
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { KoppelError, errorMessage } from '../core/errors.js';
import type { Database, RunTable } from '../store/schema.js';
import type { ActivityAction } from './activity.js';

export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled' | 'abandoned';

/**
 * Error codes of a job the runtime stopped and handed back (shutdown, a lost lane or lease): what it
 * was doing is not a failure, the job runs again. A timeout (JOB_ABORTED_TIMEOUT) is a failure.
 */
export function isHandedBack(code: string | undefined): boolean {
  return code === 'JOB_ABORTED_STOP' || code === 'JOB_ABORTED_LANE' || code === 'JOB_ABORTED_LEASE';
}
export type RunTrigger = 'manual' | 'schedule' | 'webhook' | 'startup' | 'replay' | (string & {});

export interface RunCounts {
  created: number;
  updated: number;
  skipped: number;
  quarantined: number;
  failed: number;
}

export interface RunRecord {
  id: string;
  flow: string;
  trigger: string;
  jobId: string | null;
  dryRun: boolean;
  status: RunStatus;
  startedAt: Date;
  finishedAt: Date | null;
  /** Until now for a run still going. */
  durationMs: number;
  counts: RunCounts;
  apiCalls: number;
  apiCost: number;
  throttleWaits: number;
  throttleWaitMs: number;
  errors: number;
  error: { code: string | null; message: string } | null;
}

function toRecord(r: Selectable<RunTable>, now = Date.now()): RunRecord {
  return {
    id: r.id,
    flow: r.flow,
    trigger: r.trigger,
    jobId: r.job_id,
    dryRun: r.dry_run === 1,
    status: r.status as RunStatus,
    startedAt: new Date(r.started_at),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
    durationMs: (r.finished_at ?? now) - r.started_at,
    counts: { created: r.created, updated: r.updated, skipped: r.skipped, quarantined: r.quarantined, failed: r.failed },
    apiCalls: r.api_calls,
    apiCost: r.api_cost,
    throttleWaits: r.throttle_waits,
    throttleWaitMs: r.throttle_wait_ms,
    errors: r.errors,
    error: r.error_message === null ? null : { code: r.error_code, message: r.error_message },
  };
}

export interface RunListQuery {
  flow?: string;
  status?: RunStatus;
  limit?: number;
  /** From the previous page's `nextCursor`. */
  cursor?: string;
}

export class RunRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async start(opts: { flow: string; trigger: RunTrigger; jobId?: string; dryRun?: boolean; id?: string }, now = Date.now()): Promise<RunTracker> {
    if (!opts.flow || opts.flow.length > 100) {
      throw new KoppelError({ code: 'RUN_INVALID', message: 'a run needs a flow name of 1 to 100 characters', errorClass: 'invalid_input' });
    }
    const id = opts.id ?? randomUUID();
    await this.db
      .insertInto('run')
      .values({
        id,
        flow: opts.flow,
        trigger: String(opts.trigger).slice(0, 30),
        job_id: opts.jobId ?? null,
        dry_run: opts.dryRun ? 1 : 0,
        status: 'running',
        started_at: now,
        heartbeat_at: now,
      })
      .execute();
    return new RunTracker(this.db, id, opts.flow, now);
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const r = await this.db.selectFrom('run').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toRecord(r) : undefined;
  }

  /** The newest run a job started (a job's retries start new runs). */
  async byJob(jobId: string): Promise<RunRecord | undefined> {
    const r = await this.db.selectFrom('run').selectAll().where('job_id', '=', jobId).orderBy('started_at', 'desc').limit(1).executeTakeFirst();
    return r ? toRecord(r) : undefined;
  }

  /** Newest first. */
  /** Whether a flow has finished a real (not dry) run with its records applied: `succeeded` or `partial`. */
  async hasCompleted(flow: string): Promise<boolean> {
    const r = await this.db.selectFrom('run').select('id')
      .where('flow', '=', flow).where('dry_run', '=', 0).where('status', 'in', ['succeeded', 'partial']).limit(1).executeTakeFirst();
    return r !== undefined;
  }

  async list(q: RunListQuery = {}): Promise<{ items: RunRecord[]; nextCursor?: string }> {
    const limit = Math.min(Math.max(1, q.limit ?? 20), 500);
    let s = this.db.selectFrom('run').selectAll();
    if (q.flow) s = s.where('flow', '=', q.flow);
    if (q.status) s = s.where('status', '=', q.status);
    if (q.cursor) {
      const [at, id] = q.cursor.split('~');
      const startedAt = Number(at);
      if (!Number.isSafeInteger(startedAt) || !id) {
        throw new KoppelError({ code: 'RUN_QUERY_INVALID', message: `cursor ${JSON.stringify(q.cursor)} is invalid`, hint: 'pass the nextCursor of the previous page', errorClass: 'invalid_input' });
      }
      s = s.where((eb) => eb.or([eb('started_at', '<', startedAt), eb.and([eb('started_at', '=', startedAt), eb('id', '<', id)])]));
    }
    const rows = await s.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const now = Date.now();
    const items = rows.slice(0, limit).map((r) => toRecord(r, now));
    const last = items[items.length - 1];
    return rows.length > limit && last ? { items, nextCursor: `${last.startedAt.getTime()}~${last.id}` } : { items };
  }

  /** Marks runs that stopped reporting (their worker died) as abandoned; returns how many. */
  async abandonStale(olderThanMs: number, now = Date.now()): Promise<number> {
    const res = await this.db
      .updateTable('run')
      .set({ status: 'abandoned', finished_at: now, error_message: 'the process running this flow stopped before it finished' })
      .where('status', '=', 'running')
      .where('heartbeat_at', '<', now - olderThanMs)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }
}

export class RunTracker {
  readonly counts: RunCounts = { created: 0, updated: 0, skipped: 0, quarantined: 0, failed: 0 };
  apiCalls = 0;
  apiCost = 0;
  throttleWaits = 0;
  throttleWaitMs = 0;
  errors = 0;
  private finished = false;

  constructor(
    private readonly db: Kysely<Database>,
    readonly id: string,
    readonly flow: string,
    readonly startedAt: number,
  ) {}

  count(action: ActivityAction, n = 1): void {
    this.counts[action] += n;
  }

  /** One API call and its cost (Shopify cost points; 0 for APIs that count requests). */
  apiCall(cost = 0): void {
    this.apiCalls++;
    this.apiCost += Math.round(cost);
  }

  /** A wait imposed by a rate limit or a THROTTLED answer. */
  throttled(waitMs: number): void {
    this.throttleWaits++;
    this.throttleWaitMs += Math.round(waitMs);
  }

  error(): void {
    this.errors++;
  }

  private columns() {
    return {
      ...this.counts,
      api_calls: this.apiCalls,
      api_cost: this.apiCost,
      throttle_waits: this.throttleWaits,
      throttle_wait_ms: this.throttleWaitMs,
      errors: this.errors,
    };
  }

  /** Writes the totals so far (for live progress); also the run's heartbeat. */
  async flush(now = Date.now()): Promise<void> {
    await this.db.updateTable('run').set({ ...this.columns(), heartbeat_at: now }).where('id', '=', this.id).where('status', '=', 'running').execute();
  }

  /**
   * Ends the run. Without an explicit status: `failed` when `error` is given, `partial` when
   * records were quarantined or failed, else `succeeded`.
   */
  async finish(opts: { status?: Exclude<RunStatus, 'running'>; error?: unknown } = {}, now = Date.now()): Promise<RunRecord> {
    if (this.finished) throw new KoppelError({ code: 'RUN_FINISHED', message: `run ${this.id} was already finished`, hint: 'this is a bug in the flow' });
    this.finished = true;
    const err = opts.error;
    const status: RunStatus = opts.status
      ?? (err !== undefined ? (err instanceof KoppelError && isHandedBack(err.code) ? 'abandoned' : 'failed') : this.counts.quarantined + this.counts.failed > 0 ? 'partial' : 'succeeded');
    await this.db
      .updateTable('run')
      .set({
        ...this.columns(),
        status,
        finished_at: now,
        heartbeat_at: now,
        error_code: err === undefined ? null : err instanceof KoppelError ? err.code : 'RUN_FAILED',
        error_message: err === undefined ? null : errorMessage(err).slice(0, 2000),
      })
      .where('id', '=', this.id)
      .execute();
    const r = await this.db.selectFrom('run').selectAll().where('id', '=', this.id).executeTakeFirstOrThrow();
    return toRecord(r, now);
  }
}
