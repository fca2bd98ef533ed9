/**
 * The engine, wired from a store: job runtime (embedded on SQLite, pg-boss on PostgreSQL),
 * identity ledger, checkpoints, webhook inbox, activity journal and runs.
 *
 *   const engine = createEngine(store, { logger, concurrency: 4 });
 *   engine.runtime.define({ name: 'products.sync', lanes: () => ['ccv:main', 'shopify:main'], handler });
 *   await engine.start();        // defines and schedules the maintenance jobs, starts working
 *   ...
 *   await engine.stop();         // before store.close()
 *
 * A process that only enqueues (e.g. a web server next to `koppel worker`s) uses `engine.runtime`
 * and the repositories without calling start().
 */
import type { Store } from '../store/db.js';
import { ActivityJournal, defineActivityPurge, type ActivityJournalOptions } from './activity.js';
import { Checkpoints } from './checkpoints.js';
import { WebhookInbox } from './inbox.js';
import { IdentityLedger } from './ledger.js';
import { RunRepository } from './runs.js';
import { createRuntime, type CreateRuntimeOptions } from './runtime/index.js';
import type { JobRuntime, StopOptions } from './runtime/port.js';

export interface EngineOptions extends CreateRuntimeOptions {
  /** Activity older than this is purged (default 14 days). */
  activityRetentionDays?: number;
  /** Webhook deliveries older than this are forgotten (default 14 days). */
  inboxRetentionDays?: number;
  /** Runs that stopped reporting for this long are marked abandoned (default 1 hour). */
  abandonRunsAfterMs?: number;
  activity?: ActivityJournalOptions;
}

export interface Engine {
  runtime: JobRuntime;
  ledger: IdentityLedger;
  checkpoints: Checkpoints;
  inbox: WebhookInbox;
  activity: ActivityJournal;
  runs: RunRepository;
  /** Defines and schedules the housekeeping jobs, then starts the runtime. */
  start(): Promise<void>;
  stop(opts?: StopOptions): Promise<void>;
}

export const HOUSEKEEPING_JOB = 'koppel.housekeeping';

export function createEngine(store: Store, opts: EngineOptions = {}): Engine {
  const runtime = createRuntime(store, opts);
  const activity = new ActivityJournal(store.db, opts.activity);
  const inbox = new WebhookInbox(store.db, runtime);
  const runs = new RunRepository(store.db);
  const purge = defineActivityPurge(runtime, activity, { retentionDays: opts.activityRetentionDays });
  runtime.define({
    name: HOUSEKEEPING_JOB,
    perKey: 'coalesce',
    handler: async (_data, ctx) => {
      const deliveries = await inbox.purge({ retentionDays: opts.inboxRetentionDays });
      const abandoned = await runs.abandonStale(opts.abandonRunsAfterMs ?? 3_600_000);
      if (deliveries + abandoned > 0) ctx.log.info({ deliveries, abandoned }, 'housekeeping done');
    },
  });
  return {
    runtime,
    ledger: new IdentityLedger(store.db),
    checkpoints: new Checkpoints(store.db),
    inbox,
    activity,
    runs,
    async start() {
      await runtime.schedule(purge);
      await runtime.schedule({ name: HOUSEKEEPING_JOB, job: HOUSEKEEPING_JOB, every: '15m', key: 'housekeeping' });
      await runtime.start();
    },
    stop: (o?: StopOptions) => runtime.stop(o),
  };
}

export { ActivityJournal, ACTIONS, ACTIVITY_PURGE_JOB, DEFAULT_ACTIVITY_RETENTION_DAYS, defineActivityPurge } from './activity.js';
export type { ActivityAction, ActivityEntry, ActivityPage, ActivityQuery, ActivityRecord } from './activity.js';
export { Checkpoints, type Checkpoint } from './checkpoints.js';
export { WebhookInbox, type Delivery, type InboxJob, type ReceiveInput, type ReceiveResult } from './inbox.js';
export { IdentityLedger, type Link, type LinkDirection, type LinkInput } from './ledger.js';
export { RunRepository, RunTracker, type RunCounts, type RunRecord, type RunStatus, type RunTrigger } from './runs.js';
export * from './runtime/index.js';
