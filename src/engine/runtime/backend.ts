/**
 * What an adapter provides to the shared worker core (worker.ts): durable storage of jobs and the
 * few atomic state changes the core asks for. The core owns everything else (polling, leases,
 * lanes, retries, stop), so both adapters behave the same.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { EnqueueResult, JobError, JobInfo, ParkedJob, ReplayResult, RetryPolicy, RuntimeKind } from './port.js';

export interface ResolvedDefinition {
  name: string;
  perKey: 'serial' | 'coalesce';
  policy: RetryPolicy;
}

export interface NewJob {
  id: string;
  key: string | null;
  lanes: string[];
  data: Record<string, unknown>;
  priority: number;
  runAt: number | null;
  tx?: Kysely<Database>;
}

export interface ClaimedJob {
  id: string;
  name: string;
  key: string | null;
  lanes: string[];
  data: unknown;
  attempt: number;
  maxAttempts: number;
}

/** Which lanes the worker may run jobs for: all of them, or only those listed. */
export type LaneFilter = { all: true } | { all: false; held: string[] };

export interface Backend {
  readonly kind: RuntimeKind;
  /** Installs what the adapter needs (pg-boss schema, queues). Idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Called for every definition before it is enqueued or worked. */
  prepare(def: ResolvedDefinition): Promise<void>;
  enqueue(def: ResolvedDefinition, job: NewJob): Promise<EnqueueResult>;
  /** Atomically moves up to `limit` due jobs to running for this worker, honouring keys and lanes. */
  claim(limit: number, names: string[], lanes: LaneFilter, workerId: string, leaseMs: number): Promise<ClaimedJob[]>;
  /** Extends the leases of running jobs; returns the ids this worker still holds. */
  renew(jobs: ClaimedJob[], workerId: string, leaseMs: number): Promise<Set<string>>;
  /** False when the job was no longer this worker's (its lease had expired and it moved on). */
  complete(job: ClaimedJob, workerId: string): Promise<boolean>;
  /** Back to the queue after `delayMs`; the caller has checked that attempts remain. */
  retry(job: ClaimedJob, delayMs: number, error: JobError, workerId: string): Promise<boolean>;
  park(job: ClaimedJob, error: JobError, workerId: string): Promise<boolean>;
  /** Back to the queue now, without spending the attempt (graceful stop, lane lost). */
  handBack(job: ClaimedJob, workerId: string): Promise<boolean>;
  /** Returns jobs of dead workers (expired leases, not in `running`) to the queue. */
  recoverExpired(names: string[], running: ReadonlySet<string>): Promise<number>;
  /** Lane sets of due jobs that `held` does not cover (so the worker may try to acquire them). */
  pendingLaneSets(names: string[], held: string[]): Promise<string[][]>;
  getJob(id: string, defs: ReadonlyMap<string, ResolvedDefinition>): Promise<JobInfo | undefined>;
  cancel(id: string, defs: ReadonlyMap<string, ResolvedDefinition>): Promise<boolean>;
  listParked(opts: { name?: string; limit: number }): Promise<ParkedJob[]>;
  replay(id: string, defs: ReadonlyMap<string, ResolvedDefinition>): Promise<ReplayResult>;
  discard(id: string): Promise<boolean>;
}
