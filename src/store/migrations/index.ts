import type { Migration } from 'kysely';
import * as m0001 from './0001_kv.js';

/**
 * Every migration, in order. The same code runs on SQLite and PostgreSQL; a migration that needs
 * a dialect-specific statement asks `dialectOf` through the helpers in ../dialect.ts.
 * Names sort lexically: keep the four-digit prefix.
 */
export const migrations: Record<string, Migration> = {
  '0001_kv': m0001,
};
