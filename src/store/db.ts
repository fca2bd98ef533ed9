import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { KoppelError, errorMessage } from '../core/errors.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';
import { dialectOf, redactUrl, sqlitePath, type Dialect } from './url.js';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** PostgreSQL: the schema the connection works in (current_schema()); SQLite: 'main'. */
  readonly schema: string;
  /** The URL with its password masked. */
  readonly displayUrl: string;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** `postgres://...` or a SQLite file path / `sqlite:` URL; `:memory:` for a throwaway database. */
  url: string;
  /** Run pending migrations (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/** pg returns int8 as strings; our bigints are epoch milliseconds and counters, safe as numbers. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

class InCodeMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const dialect = dialectOf(opts.url);
  const displayUrl = redactUrl(opts.url);
  let db: Kysely<Database>;
  if (dialect === 'postgres') {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10, types: pgTypes, connectionTimeoutMillis: 5000 });
    // An idle client that loses its connection must not crash the process.
    pool.on('error', () => {});
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    const path = sqlitePath(opts.url);
    let handle: BetterSqlite3.Database;
    try {
      if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
      handle = new BetterSqlite3(path);
      handle.pragma('journal_mode = WAL');
      handle.pragma('busy_timeout = 5000');
      handle.pragma('synchronous = NORMAL');
      handle.pragma('foreign_keys = ON');
    } catch (e) {
      throw new KoppelError({
        code: 'DATABASE_UNAVAILABLE',
        message: `cannot open the SQLite database at ${displayUrl}: ${errorMessage(e)}`,
        hint: 'check that the directory exists and is writable, or set KOPPEL_DATA_DIR / KOPPEL_DATABASE_URL',
        cause: e,
      });
    }
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: handle }) });
  }

  try {
    await sql`select 1`.execute(db);
  } catch (e) {
    await db.destroy().catch(() => {});
    throw new KoppelError({
      code: 'DATABASE_UNREACHABLE',
      message: `cannot reach the database at ${displayUrl}: ${errorMessage(e) || (e as { code?: string }).code || 'connection failed'}`,
      hint: 'start the database server or correct KOPPEL_DATABASE_URL (database.url in koppel.yaml)',
      errorClass: 'transient',
      cause: e,
    });
  }

  const schema = dialect === 'postgres'
    ? ((await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s ?? 'public')
    : 'main';
  const store: Store = { db, dialect, schema, displayUrl, close: () => db.destroy() };
  if (opts.migrate !== false) await migrateToLatest(store);
  return store;
}

/**
 * On PostgreSQL the migration tables live in the connection's current schema (search_path), so two
 * installations (or parallel test runs) in one database never see each other's bookkeeping.
 */
const migratorFor = (store: Store) =>
  new Migrator({ db: store.db, provider: new InCodeMigrations(), ...(store.dialect === 'postgres' ? { migrationTableSchema: store.schema } : {}) });

/** Names of migrations not yet applied to this database. */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const all = await migratorFor(store).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

export async function migrateToLatest(store: Store): Promise<string[]> {
  const migrator = migratorFor(store);
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new KoppelError({
      code: 'MIGRATION_FAILED',
      message: `database migration ${failed} failed on ${store.displayUrl}: ${errorMessage(error)}`,
      hint: 'restore the database from a backup or report this as a bug with the message above',
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
