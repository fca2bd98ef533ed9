import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * An auto-incrementing integer primary key on both dialects: `integer primary key autoincrement`
 * on SQLite (never reuses a deleted id), `bigserial primary key` on PostgreSQL.
 */
export function addSerialPrimaryKey<T extends string, C extends string>(
  db: Kysely<unknown>,
  table: CreateTableBuilder<T, C>,
  column: string,
): CreateTableBuilder<T, C> {
  if (isPostgres(db)) return table.addColumn(column, sql`bigserial`, (c: ColumnDefinitionBuilder) => c.primaryKey());
  return table.addColumn(column, 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement());
}
