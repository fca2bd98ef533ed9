/**
 * Runs engine suites against both job runtime adapters: embedded (SQLite) and pg-boss (PostgreSQL,
 * when KOPPEL_TEST_DATABASE_URL is set; each run in a fresh store schema and a fresh pg-boss schema).
 */
import { Migrator, type Migration } from 'kysely';
import pg from 'pg';
import { openStore } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations/index.js';
import { createRuntime, type CreateRuntimeOptions } from '../../src/engine/runtime/index.js';
import type { JobRuntime } from '../../src/engine/runtime/port.js';
import { PG_URL, dialectCases, freshPgSchema, openTestStore, type TestStore } from '../support/db.js';

export interface RuntimeCase {
  name: 'embedded' | 'pgboss';
  skip: boolean;
}

export function runtimeCases(): RuntimeCase[] {
  return dialectCases().map((d) => ({ name: d.name === 'sqlite' ? 'embedded' : 'pgboss', skip: d.skip }));
}

/** Small intervals so suites run fast. */
export const FAST: CreateRuntimeOptions = {
  pollIntervalMs: 20,
  leaseMs: 1000,
  laneLeaseMs: 600,
  laneIdleReleaseMs: 60_000,
  scheduleTickMs: 50,
  maintenanceIntervalSeconds: 1,
  retry: { initialDelayMs: 20, maxDelayMs: 200, jitter: 0.5 },
};

export interface RuntimeHarness {
  store: TestStore;
  pgbossSchema?: string;
  runtime(opts?: CreateRuntimeOptions): JobRuntime;
  /** Stops every runtime made here and drops the store (and pg-boss schema). */
  dispose(): Promise<void>;
}

/**
 * Like openTestStore, but on PostgreSQL the migrations keep their bookkeeping tables in the fresh
 * schema under names of their own. (openStore's Migrator looks for kysely_migration_lock in every
 * schema, so while another test's schema has one it skips creating its own and fails; the fix
 * belongs in src/store/db.ts: pass migrationTableSchema = current_schema() on PostgreSQL.)
 */
export async function openEngineStore(dialect: 'sqlite' | 'postgres', opts: { file?: string } = {}): Promise<TestStore> {
  if (dialect === 'sqlite') return openTestStore('sqlite', opts);
  const fresh = await freshPgSchema();
  const store = await openStore({ url: fresh.url, poolSize: 6, migrate: false });
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async (): Promise<Record<string, Migration>> => migrations },
    migrationTableSchema: fresh.schema,
    // Other names than openStore's, so a concurrent openStore never mistakes ours for its own.
    migrationTableName: 'engine_test_migration',
    migrationLockTableName: 'engine_test_migration_lock',
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
  return Object.assign(store, {
    url: fresh.url,
    async dispose() {
      await store.close();
      await fresh.drop();
    },
  });
}

export async function openHarness(c: RuntimeCase, opts: { file?: string } = {}): Promise<RuntimeHarness> {
  const store = await openEngineStore(c.name === 'embedded' ? 'sqlite' : 'postgres', opts);
  const made: JobRuntime[] = [];
  const pgbossSchema = c.name === 'pgboss' ? `${currentSchema(store.url)}_q` : undefined;
  return {
    store,
    pgbossSchema,
    runtime(o: CreateRuntimeOptions = {}) {
      const rt = createRuntime(store, { ...FAST, pgbossSchema, ...o });
      made.push(rt);
      return rt;
    },
    async dispose() {
      for (const rt of made.reverse()) await rt.stop({ graceMs: 0 }).catch(() => undefined);
      await store.dispose();
      if (pgbossSchema) await dropSchema(pgbossSchema);
    },
  };
}

export function currentSchema(url: string): string {
  const m = /search_path(?:%3D|=)([a-z0-9_]+)/i.exec(decodeURIComponent(url));
  if (!m?.[1]) throw new Error(`no search_path in ${url}`);
  return m[1];
}

export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`drop schema if exists ${schema} cascade`);
  await c.end();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` until true or throws after `timeoutMs`. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 8000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
