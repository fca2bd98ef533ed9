/**
 * The job runtime port: what flows and the CLI/server see of durable jobs. Two adapters implement
 * it with the same semantics (one conformance suite, test/engine/conformance.test.ts):
 *
 * - `embedded`: SQLite through the Kysely store, in-process (src/engine/runtime/embedded.ts);
 * - `pgboss`: pg-boss 10 on PostgreSQL, any number of workers (src/engine/runtime/pgboss.ts).
 *
 * Semantics shared by both:
 * - A job is defined once per process by name; enqueue persists it before returning.
 * - Per key, at most one job is in flight: running, or waiting for its retry. Later jobs of that key
 *   wait. Jobs without a key run in parallel up to the worker's concurrency.
 * - `perKey: 'coalesce'` keeps at most one never-started job per key: enqueueing again while one
 *   waits returns that job (status `coalesced`). Use it when the job reads current state (stock of
 *   one SKU after a burst of webhooks).
 * - Failures: transient ones (KoppelError classes transient/throttled/outcome_unknown, and any
 *   error that is not a KoppelError) are retried with exponential backoff and jitter until
 *   `maxAttempts`; permanent ones (permanent/auth/not_found/invalid_input) are parked at once.
 *   Parked jobs keep their id and can be replayed (with a fresh attempt budget) or discarded.
 * - Leases: a running job's lease is renewed while its handler runs; when a worker dies its jobs
 *   return to the queue after the lease expires (counting the lost attempt).
 * - Lanes: a job may name the connections whose API it calls (`lanes`, e.g. `shopify:main`).
 *   Exactly one worker at a time owns a lane and only the owner runs jobs that need it, so each
 *   connection's in-process rate limiter sees all of that connection's calls.
 * - Graceful stop: no new jobs start; running ones get `graceMs` to finish, then their signal is
 *   aborted and they are handed back to the queue without spending an attempt.
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../../obs/log.js';
import type { Database } from '../../store/schema.js';
import type { ErrorClass } from '../../core/errors.js';

export type RuntimeKind = 'embedded' | 'pgboss';

/** Json-serialisable job data. Keep it to ids and parameters: never personal data or payloads. */
export type JobData = Record<string, unknown>;

export interface RetryPolicy {
  /** Attempts in total, the first included (default 5). */
  maxAttempts: number;
  /** Delay before the 2nd attempt (default 1 s). */
  initialDelayMs: number;
  /** Each further delay is multiplied by this (default 2). */
  factor: number;
  /** Upper bound of one delay (default 5 min). */
  maxDelayMs: number;
  /** Fraction of each delay that is random (default 0.5: between 50 % and 100 % of the delay). */
  jitter: number;
}

export type FailureDecision = 'retry' | 'park';

export interface JobContext {
  /** The persisted job id: stable across attempts, retries and replays. */
  readonly jobId: string;
  /** 1 for the first execution; grows with every execution of this job id (never reused). */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly name: string;
  readonly key: string | null;
  readonly lanes: readonly string[];
  /** Aborted on graceful-stop timeout, job timeout or loss of a lane: stop soon and throw. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Id of the worker running this attempt (host:pid:random). */
  readonly workerId: string;
}

export interface JobDefinition<T extends JobData = JobData> {
  /** `[a-z][a-z0-9._-]*`, at most 100 characters. */
  name: string;
  handler(data: T, ctx: JobContext): Promise<void>;
  /** Validates / parses stored data before the handler sees it (e.g. a zod schema's parse). */
  parse?(data: unknown): T;
  retry?: Partial<RetryPolicy>;
  /** Overrides the default transient/permanent decision for an error. */
  classify?(error: unknown): FailureDecision | undefined;
  /** One-at-a-time per key (default 'serial') or coalescing of waiting jobs per key. */
  perKey?: 'serial' | 'coalesce';
  /** Lanes (connection ids) a job needs, from its data; `EnqueueOptions.lanes` overrides. */
  lanes?(data: T): readonly string[];
  /** The signal is aborted after this long and the attempt counts as a transient failure. */
  timeoutMs?: number;
}

export interface EnqueueOptions {
  /** One job at a time per key (per job name). */
  key?: string;
  /** Start no earlier than this many ms from now. */
  delayMs?: number;
  /** Start no earlier than this time (wins over delayMs). */
  runAt?: Date;
  /** Higher runs first among due jobs (default 0). */
  priority?: number;
  lanes?: readonly string[];
  /**
   * Idempotent enqueue: a second enqueue with the same id is a no-op (status `duplicate`). Must be
   * a UUID (pg-boss stores ids as uuid); derive it with `jobIdFrom(...)`.
   */
  id?: string;
  /** Enqueue inside this transaction of the store (commits or rolls back with it). */
  tx?: Kysely<Database>;
}

export interface EnqueueResult {
  id: string;
  /** `queued`: a new job; `coalesced`: joined the waiting job `id`; `duplicate`: `id` existed. */
  status: 'queued' | 'coalesced' | 'duplicate';
}

export type JobState = 'queued' | 'retry' | 'running' | 'completed' | 'parked' | 'cancelled';

export interface JobError {
  code: string;
  message: string;
  hint?: string;
  errorClass?: ErrorClass;
}

export interface JobInfo {
  id: string;
  name: string;
  key: string | null;
  lanes: string[];
  data: JobData;
  state: JobState;
  /** Executions started so far. */
  attempt: number;
  maxAttempts: number;
  runAt: Date;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  error?: JobError;
}

export interface ParkedJob {
  /** The job's own id (replay keeps it). */
  id: string;
  name: string;
  key: string | null;
  data: JobData;
  attempts: number;
  error: JobError;
  parkedAt: Date;
}

export interface ReplayResult {
  /** `replayed`: back in the queue; `coalesced`: a waiting job of its key covers it; `missing`: not parked. */
  status: 'replayed' | 'coalesced' | 'missing';
}

export interface ScheduleSpec {
  /** Unique schedule name, e.g. `stock.poll:ccv:main`. */
  name: string;
  /** Job to enqueue. */
  job: string;
  data?: JobData;
  key?: string;
  lanes?: readonly string[];
  /** An interval: milliseconds or `30s`, `5m`, `2h`, `1d`. */
  every?: number | string;
  /** A cron expression: 5 fields, or 6 with seconds first; evaluated in `tz` (default UTC). */
  cron?: string;
  tz?: string;
}

export interface ScheduleInfo {
  name: string;
  job: string;
  data: JobData;
  key: string | null;
  lanes: string[];
  everyMs: number | null;
  cron: string | null;
  tz: string | null;
  nextRunAt: Date;
  lastRunAt: Date | null;
  lastJobId: string | null;
}

export interface StopOptions {
  /** How long running jobs may take to finish before they are aborted and handed back (default 30 s). */
  graceMs?: number;
}

export interface ListParkedOptions {
  name?: string;
  limit?: number;
}

export interface JobRuntime {
  readonly kind: RuntimeKind;
  readonly workerId: string;
  /** Registers a job type. Every process that enqueues or works a job must define it. */
  define<T extends JobData>(def: JobDefinition<T>): void;
  /** Starts working: polling, leases, lanes, schedules. */
  start(): Promise<void>;
  /** Stops working (see StopOptions) and releases what this runtime holds. Safe to call twice. */
  stop(opts?: StopOptions): Promise<void>;
  enqueue<T extends JobData>(name: string, data: T, opts?: EnqueueOptions): Promise<EnqueueResult>;
  getJob(id: string): Promise<JobInfo | undefined>;
  /** Resolves when the job completed, was parked or cancelled (polls; for `koppel sync` and tests). */
  waitFor(id: string, opts?: { timeoutMs?: number; pollMs?: number }): Promise<JobInfo>;
  /** Cancels a job that has not started yet; true when it was cancelled. */
  cancel(id: string): Promise<boolean>;
  listParked(opts?: ListParkedOptions): Promise<ParkedJob[]>;
  replay(id: string): Promise<ReplayResult>;
  /** Forgets a parked job; true when it was parked. */
  discard(id: string): Promise<boolean>;
  /** Creates or updates a named schedule. An unchanged schedule keeps its next run time. */
  schedule(spec: ScheduleSpec): Promise<ScheduleInfo>;
  unschedule(name: string): Promise<boolean>;
  listSchedules(): Promise<ScheduleInfo[]>;
  /** Lanes this worker owns now (`*` = all, embedded). */
  ownedLanes(): string[];
  /** Number of jobs this worker is running now. */
  runningCount(): number;
}

export interface RuntimeOptions {
  logger?: Logger;
  /** Jobs run at once by this worker (default 4). */
  concurrency?: number;
  /** How often to look for due jobs when idle (default 1000 ms; tests use ~20). */
  pollIntervalMs?: number;
  /** Lease of a running job, renewed every third of it (default 60 s). A dead worker's jobs return after it. */
  leaseMs?: number;
  /** Lease of a lane (connection), renewed every third of it (default 30 s). */
  laneLeaseMs?: number;
  /** A lane nobody here has used for this long is released so another worker may take it (default 60 s). */
  laneIdleReleaseMs?: number;
  /** At most this many lanes per worker (default unlimited). */
  maxLanes?: number;
  /** How often due schedules are checked (default 1000 ms). */
  scheduleTickMs?: number;
  /** Run schedules in this worker (default true). */
  schedules?: boolean;
  /** Default retry policy for jobs that set none. */
  retry?: Partial<RetryPolicy>;
  /** Worker id (default host:pid:random). */
  workerId?: string;
}

/** Job names are also pg-boss queue names: keep them plain. */
export const JOB_NAME = /^[a-z][a-z0-9._-]{0,99}$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(v: string): boolean {
  return UUID.test(v);
}
