/**
 * The shape every flow module exports, so `koppel start`, `koppel worker` and `koppel sync` treat
 * flows alike: define the flow's jobs on the runtime, declare its schedules, and run once on demand.
 */
import type { EnqueueResult, JobRuntime, ScheduleSpec } from '../engine/runtime/port.js';
import type { RunRecord, RunTrigger } from '../engine/runs.js';
import type { FlowEnv } from './env.js';
import type { ProgressSink } from './run.js';

export type FlowName = 'products' | 'categories' | 'stock' | 'customers' | 'orders';

export interface FlowSyncOptions {
  /** Read and plan only: print what would happen, write nothing to CCV or Shopify. */
  dryRun: boolean;
  trigger: RunTrigger;
  /** `delta` (default) reads what changed since the checkpoint; `full` compares everything (reconcile). */
  mode?: 'delta' | 'full';
  jobId?: string;
  progress?: ProgressSink;
  signal?: AbortSignal;
}

export interface FlowReport {
  run: RunRecord;
  /** Lines for the terminal (plan, linking report, problems). */
  lines: string[];
  /** The same content for `--json`. */
  data: unknown;
}

export interface FlowModule {
  name: FlowName;
  /** Defines the flow's jobs; every process that works jobs calls it (also when the flow is disabled). */
  define(runtime: JobRuntime, env: FlowEnv): void;
  /** Schedules to install when the flow is enabled. */
  schedules(env: FlowEnv): ScheduleSpec[];
  /** One run now, in this process: dry runs and tests (a real run goes through the runtime: `enqueue`). */
  sync(env: FlowEnv, opts: FlowSyncOptions): Promise<FlowReport>;
  /**
   * Queues one run as a job (what `koppel sync <flow>` does), keyed so it never overlaps a scheduled
   * run. A flow without it is run in the CLI's process.
   */
  enqueue?(runtime: JobRuntime, opts: { mode: 'delta' | 'full'; trigger: string }): Promise<EnqueueResult>;
}
