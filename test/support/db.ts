/**
 * Runs a suite against every database dialect Koppel supports.
 *
 * SQLite always runs. PostgreSQL runs when KOPPEL_TEST_DATABASE_URL is set (CI sets it); without it
 * the PostgreSQL cases are skipped locally, and fail under CI=true, so CI can never skip them silently.
 * Each store gets its own PostgreSQL schema, dropped afterwards, so test files can run in parallel.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/db.js';
import type { Dialect } from '../../src/store/url.js';

export const PG_URL = process.env.KOPPEL_TEST_DATABASE_URL;

export interface DialectCase {
  name: Dialect;
  /** True when this dialect cannot run here (PostgreSQL without KOPPEL_TEST_DATABASE_URL, outside CI). */
  skip: boolean;
}

export function dialectCases(): DialectCase[] {
  if (!PG_URL && process.env.CI === 'true') {
    throw new Error('CI=true but KOPPEL_TEST_DATABASE_URL is not set: the PostgreSQL tests must run in CI');
  }
  return [
    { name: 'sqlite', skip: false },
    { name: 'postgres', skip: !PG_URL },
  ];
}

export interface TestStore extends Store {
  /** The URL this store was opened with (a fresh schema on PostgreSQL). */
  readonly url: string;
  /** Closes the store and drops what it created. */
  dispose(): Promise<void>;
}

/** A fresh PostgreSQL schema and a URL whose connections use it. */
export async function freshPgSchema(): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  if (!PG_URL) throw new Error('KOPPEL_TEST_DATABASE_URL is not set');
  const schema = `kt_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const u = new URL(PG_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

export async function openTestStore(dialect: Dialect, opts: { file?: string } = {}): Promise<TestStore> {
  if (dialect === 'sqlite') {
    const url = opts.file ?? ':memory:';
    const store = await openStore({ url });
    return Object.assign(store, { url, dispose: () => store.close() });
  }
  const fresh = await freshPgSchema();
  const store = await openStore({ url: fresh.url, poolSize: 4 });
  return Object.assign(store, {
    url: fresh.url,
    async dispose() {
      await store.close();
      await fresh.drop();
    },
  });
}
