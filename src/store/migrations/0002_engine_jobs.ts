/**
 * Tables of the engine's job runtime: the embedded adapter's job table, named schedules (both
 * adapters) and lane leases (which worker owns which connection's API lane).
 */
import { sql, type Kysely } from 'kysely';
import { addSerialPrimaryKey } from './util.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Jobs of the embedded (SQLite) runtime. `seq` orders jobs enqueued in the same millisecond.
  await addSerialPrimaryKey(db, db.schema.createTable('job'), 'seq')
    .addColumn('id', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('key', 'varchar(500)')
    .addColumn('per_key', 'varchar(10)', (c) => c.notNull())
    .addColumn('lanes', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(12)', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('lease_owner', 'varchar(200)')
    .addColumn('lease_until', 'bigint')
    .addColumn('error_code', 'varchar(100)')
    .addColumn('error_class', 'varchar(30)')
    .addColumn('error_message', 'text')
    .addColumn('error_hint', 'text')
    .execute();
  await db.schema.createIndex('job_lease_i').on('job').columns(['state', 'lease_until']).execute();
  await db.schema.createIndex('job_key_i').on('job').columns(['name', 'key', 'state']).execute();
  // The claim walks waiting jobs in this order and stops at its limit.
  await db.schema
    .createIndex('job_due_order_i')
    .on('job')
    .columns(['priority desc', 'run_at', 'seq'])
    .where(sql.ref('state'), 'in', ['queued', 'retry'])
    .execute();
  // Coalescing: at most one never-started job per (name, key) for jobs defined with perKey 'coalesce'.
  await db.schema
    .createIndex('job_coalesce_u')
    .on('job')
    .columns(['name', 'key'])
    .unique()
    .where(sql.ref('state'), '=', 'queued')
    .where(sql.ref('per_key'), '=', 'coalesce')
    .execute();

  await db.schema
    .createTable('job_schedule')
    .addColumn('name', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('job_name', 'varchar(100)', (c) => c.notNull())
    .addColumn('every_ms', 'bigint')
    .addColumn('cron', 'varchar(200)')
    .addColumn('tz', 'varchar(100)')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('key', 'varchar(500)')
    .addColumn('lanes', 'text')
    .addColumn('next_run_at', 'bigint', (c) => c.notNull())
    .addColumn('last_run_at', 'bigint')
    .addColumn('last_job_id', 'varchar(36)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('lane_lease')
    .addColumn('lane', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('owner', 'varchar(200)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('acquired_at', 'bigint', (c) => c.notNull())
    .addColumn('renewed_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('lane_lease').execute();
  await db.schema.dropTable('job_schedule').execute();
  await db.schema.dropTable('job').execute();
}
