/**
 * A FlowRun that only comes into being when there is something to report. The stock flow runs a
 * small job after every till sale and a sweep page every few seconds; most find nothing changed,
 * and a run row for each would bury the real ones in `koppel runs`. Unchanged records are counted
 * and added to the run if one is started.
 */
import type { ActivityAction } from '../../engine/activity.js';
import type { RunRecord } from '../../engine/runs.js';
import type { FlowEnv } from '../env.js';
import { FlowRun, type FlowRunOptions, type RecordOutcome } from '../run.js';

export class LazyRun {
  private run: FlowRun | undefined;
  private starting: Promise<FlowRun> | undefined;
  private quiet: Partial<Record<ActivityAction, number>> = {};
  private calls: number[] = [];

  constructor(private readonly env: FlowEnv, private readonly opts: FlowRunOptions, eager = false) {
    // A failure to start surfaces on the first get(); not as an unhandled rejection here.
    if (eager) this.get().catch(() => undefined);
  }

  get started(): boolean {
    return this.run !== undefined || this.starting !== undefined;
  }

  async get(): Promise<FlowRun> {
    if (this.run) return this.run;
    this.starting ??= FlowRun.start(this.env, this.opts).then((r) => {
      this.run = r;
      for (const [a, n] of Object.entries(this.quiet)) for (let i = 0; i < (n ?? 0); i++) r.tracker.count(a as ActivityAction);
      for (const c of this.calls) r.apiCall({ requested: c, actual: c, throttleStatus: null });
      this.quiet = {};
      this.calls = [];
      return r;
    });
    return this.starting;
  }

  async record(o: RecordOutcome): Promise<void> {
    await (await this.get()).record(o);
  }

  /** Counts a record without a journal row (nothing changed). */
  count(action: ActivityAction): void {
    if (this.run) this.run.tracker.count(action);
    else this.quiet[action] = (this.quiet[action] ?? 0) + 1;
  }

  apiCall(points: number): void {
    if (this.run) this.run.apiCall({ requested: points, actual: points, throttleStatus: null });
    else this.calls.push(points);
  }

  /** Finishes the run if one was started (or must be: an error is always recorded). */
  async finish(error?: unknown): Promise<RunRecord | undefined> {
    if (!this.started && error === undefined) return undefined;
    const run = await this.get();
    return run.finish(error);
  }
}
