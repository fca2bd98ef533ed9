/**
 * One execution of a flow: counts per outcome, the activity journal (one row per record), API cost,
 * and progress for the terminal and the logs. Flows report what happened to each record here and
 * never write to the journal or the run table themselves.
 */
import { KoppelError } from '../core/errors.js';
import type { CostInfo } from '../connectors/shopify/client.js';
import type { ActivityAction, ActivityEntry } from '../engine/activity.js';
import { isHandedBack, type RunRecord, type RunTracker, type RunTrigger } from '../engine/runs.js';
import type { FieldChange } from '../core/privacy.js';
import type { FlowEnv } from './env.js';

export interface RecordOutcome {
  action: ActivityAction;
  entity: string;
  sourceKey?: string | null;
  targetId?: string | null;
  /** What changed on the target (field level); personal values are masked by the journal. */
  diff?: readonly FieldChange[];
  error?: { code: string; message: string; hint?: string };
  message?: string;
}

/** Receives progress; the CLI shows a bar on a terminal, the logs get counts and an ETA. */
export interface ProgressSink {
  start(total: number | undefined, label: string): void;
  update(done: number, counts: Readonly<Record<ActivityAction, number>>): void;
  stop(): void;
}

export interface FlowRunOptions {
  flow: string;
  direction: string;
  trigger: RunTrigger;
  jobId?: string;
  dryRun?: boolean;
  progress?: ProgressSink;
  /** The job's signal: once the runtime stops the job and hands it back, what the run was doing is not a failure. */
  signal?: AbortSignal;
}

/** Activity rows are written in batches of this many, or this often, so `koppel runs` shows live counts. */
const FLUSH_EVERY = 200;
const FLUSH_AFTER_MS = 2000;

export class FlowRun {
  private pending: ActivityEntry[] = [];
  private done = 0;
  private flushedAt: number;

  private constructor(
    private readonly env: FlowEnv,
    readonly tracker: RunTracker,
    readonly opts: FlowRunOptions,
  ) {
    this.flushedAt = env.now();
  }

  static async start(env: FlowEnv, opts: FlowRunOptions): Promise<FlowRun> {
    const tracker = await env.runs.start({ flow: opts.flow, trigger: opts.trigger, jobId: opts.jobId, dryRun: opts.dryRun === true }, env.now());
    return new FlowRun(env, tracker, opts);
  }

  get id(): string {
    return this.tracker.id;
  }

  get counts(): Readonly<Record<ActivityAction, number>> {
    return this.tracker.counts;
  }

  /** Announces how many records this run will look at (when known). */
  expect(total: number | undefined, label = this.opts.flow): void {
    this.opts.progress?.start(total, label);
  }

  /** One record's outcome. Dry runs count but write no activity rows. */
  async record(o: RecordOutcome): Promise<void> {
    // A record cut short because its job was stopped (shutdown, lost lease) did not fail: the job is
    // handed back and the record is tried again with it.
    if (o.action === 'failed' && (isHandedBack(o.error?.code) || this.handedBack())) return;
    this.tracker.count(o.action);
    if (o.action === 'failed') this.tracker.error();
    this.done++;
    this.opts.progress?.update(this.done, this.tracker.counts);
    if (this.opts.dryRun) return;
    this.pending.push({
      runId: this.id,
      flow: this.opts.flow,
      direction: this.opts.direction,
      entity: o.entity,
      sourceKey: o.sourceKey ?? null,
      targetId: o.targetId ?? null,
      action: o.action,
      ...(o.diff && o.diff.length ? { diff: o.diff } : {}),
      ...(o.error ? { error: o.error } : {}),
      ...(o.message ? { message: o.message } : {}),
      at: this.env.now(),
    });
    if (this.pending.length >= FLUSH_EVERY || this.env.now() - this.flushedAt >= FLUSH_AFTER_MS) await this.flush();
  }

  /** Accounts one Shopify call (cost points) or one CCV call (no cost). */
  apiCall(cost?: CostInfo | null): void {
    this.tracker.apiCall(cost?.actual ?? cost?.requested ?? 0);
  }

  throttled(waitMs: number): void {
    this.tracker.throttled(waitMs);
  }

  async flush(): Promise<void> {
    this.flushedAt = this.env.now();
    const batch = this.pending;
    this.pending = [];
    if (batch.length) await this.env.activity.record(batch, this.env.now());
    await this.tracker.flush(this.env.now());
  }

  async finish(error?: unknown): Promise<RunRecord> {
    await this.flush();
    this.opts.progress?.stop();
    return this.tracker.finish(error === undefined ? {} : this.handedBack() ? { status: 'abandoned', error } : { error }, this.env.now());
  }

  /** Whether the runtime stopped this run's job to hand it back (the connectors report that as their own "cancelled" errors). */
  private handedBack(): boolean {
    const reason: unknown = this.opts.signal?.reason;
    return this.opts.signal?.aborted === true && reason instanceof KoppelError && isHandedBack(reason.code);
  }
}
