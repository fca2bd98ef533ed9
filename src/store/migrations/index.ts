import type { Migration } from 'kysely';
import * as m0001 from './0001_kv.js';
import * as m0002 from './0002_engine_jobs.js';
import * as m0003 from './0003_engine_records.js';
import * as m0004 from './0004_stock_state.js';

/**
 * Every migration, in order. The same code runs on SQLite and PostgreSQL; a migration that needs
 * a dialect-specific statement asks `dialectOf` through the helpers in ../dialect.ts.
 * Names sort lexically: keep the four-digit prefix.
 */
export const migrations: Record<string, Migration> = {
  '0001_kv': m0001,
  '0002_engine_jobs': m0002,
  '0003_engine_records': m0003,
  '0004_stock_state': m0004,
};
