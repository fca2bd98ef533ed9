/**
 * Builds the job runtime for a store: SQLite => embedded adapter, PostgreSQL => pg-boss adapter.
 *
 *   const runtime = createRuntime(store, { logger, concurrency: 4 });
 *   runtime.define({ name: 'stock.push', handler: async (data, ctx) => { ... } });
 *   await runtime.start();           // only in processes that work jobs
 *   await runtime.enqueue('stock.push', { sku: 'A-1' }, { key: 'stock:A-1', lanes: ['shopify:main'] });
 *   await runtime.stop();            // before store.close()
 */
import type { Store } from '../../store/db.js';
import { EmbeddedBackend, type EmbeddedBackendOptions } from './embedded.js';
import { PgBossBackend } from './pgboss.js';
import type { JobRuntime, RuntimeOptions } from './port.js';
import { WorkerCore } from './worker.js';

export interface CreateRuntimeOptions extends RuntimeOptions {
  /** pg-boss adapter: PostgreSQL schema for pg-boss's tables (default `koppel_jobs`). */
  pgbossSchema?: string;
  /** pg-boss adapter: how often its maintenance (archive, retention) runs (default 60 s). */
  maintenanceIntervalSeconds?: number;
  /** Embedded adapter: retention of finished jobs. */
  embedded?: EmbeddedBackendOptions;
  /** Embedded adapter: how long start() waits for another live process to release the database. */
  startWaitMs?: number;
}

export function createRuntime(store: Pick<Store, 'db' | 'dialect'>, opts: CreateRuntimeOptions = {}): JobRuntime {
  const leaseMs = opts.leaseMs ?? 60_000;
  if (store.dialect === 'postgres') {
    const backend = new PgBossBackend(store.db, {
      schema: opts.pgbossSchema,
      leaseMs,
      maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds,
      logger: opts.logger,
    });
    return new WorkerCore(backend, store.db, { ...opts, leaseMs, laneMode: 'leased' });
  }
  const backend = new EmbeddedBackend(store.db, opts.embedded);
  return new WorkerCore(backend, store.db, { ...opts, leaseMs, laneMode: 'exclusive' });
}

export * from './port.js';
export { jobIdFrom, newJobId } from './ids.js';
export { backoffDelay, defaultDecision, DEFAULT_RETRY, resolvePolicy, toJobError } from './retry.js';
export { LaneLeases, ALL_LANES, newWorkerId } from './lanes.js';
export { parseInterval, parseCron } from './schedule-spec.js';
export { PARKED_QUEUE } from './pgboss.js';
