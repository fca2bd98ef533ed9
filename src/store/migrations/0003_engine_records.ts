/**
 * The engine's records: identity ledger, checkpoints, webhook inbox, activity journal and runs.
 * Privacy: none of these tables holds a payload; only ids, hashes, cursors and masked diffs.
 */
import type { Kysely } from 'kysely';
import { addSerialPrimaryKey } from './util.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per linked record: source key <-> target ids, per connection pair and entity type.
  await addSerialPrimaryKey(db, db.schema.createTable('ledger_link'), 'id')
    .addColumn('pair', 'varchar(200)', (c) => c.notNull())
    .addColumn('entity', 'varchar(50)', (c) => c.notNull())
    .addColumn('source_key', 'varchar(300)', (c) => c.notNull())
    .addColumn('target_id', 'varchar(300)', (c) => c.notNull())
    .addColumn('target_refs', 'text', (c) => c.notNull())
    .addColumn('sku', 'varchar(200)')
    .addColumn('direction', 'varchar(20)', (c) => c.notNull())
    .addColumn('hashes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('pushed_at', 'bigint')
    .addUniqueConstraint('ledger_link_source_u', ['pair', 'entity', 'source_key'])
    .addUniqueConstraint('ledger_link_target_u', ['pair', 'entity', 'target_id'])
    .execute();
  await db.schema.createIndex('ledger_link_sku_i').on('ledger_link').columns(['pair', 'entity', 'sku']).execute();
  // Every target id of a link (the primary one and e.g. the inventory item), unique per pair and
  // entity, so no target id can ever belong to two links.
  await db.schema
    .createTable('ledger_ref')
    .addColumn('pair', 'varchar(200)', (c) => c.notNull())
    .addColumn('entity', 'varchar(50)', (c) => c.notNull())
    .addColumn('ref_id', 'varchar(300)', (c) => c.notNull())
    .addColumn('role', 'varchar(50)', (c) => c.notNull())
    .addColumn('link_id', 'bigint', (c) => c.notNull().references('ledger_link.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('ledger_ref_pk', ['pair', 'entity', 'ref_id'])
    .execute();
  await db.schema.createIndex('ledger_ref_link_i').on('ledger_ref').column('link_id').execute();

  await db.schema
    .createTable('checkpoint')
    .addColumn('flow', 'varchar(100)', (c) => c.notNull())
    .addColumn('stream', 'varchar(200)', (c) => c.notNull())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('run_id', 'varchar(36)')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('checkpoint_pk', ['flow', 'stream'])
    .execute();

  await addSerialPrimaryKey(db, db.schema.createTable('webhook_delivery'), 'id')
    .addColumn('source', 'varchar(50)', (c) => c.notNull())
    .addColumn('delivery_id', 'varchar(300)', (c) => c.notNull())
    .addColumn('topic', 'varchar(200)', (c) => c.notNull())
    .addColumn('resource_id', 'varchar(300)')
    .addColumn('payload_hash', 'varchar(128)')
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('job_id', 'varchar(36)')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('webhook_delivery_u', ['source', 'delivery_id'])
    .execute();
  await db.schema.createIndex('webhook_delivery_received_i').on('webhook_delivery').column('received_at').execute();

  await addSerialPrimaryKey(db, db.schema.createTable('activity'), 'id')
    .addColumn('run_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('flow', 'varchar(100)', (c) => c.notNull())
    .addColumn('direction', 'varchar(30)', (c) => c.notNull())
    .addColumn('entity', 'varchar(50)')
    .addColumn('source_key', 'varchar(300)')
    .addColumn('target_id', 'varchar(300)')
    .addColumn('action', 'varchar(20)', (c) => c.notNull())
    .addColumn('diff', 'text')
    .addColumn('error_code', 'varchar(100)')
    .addColumn('message', 'text')
    .addColumn('hint', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('activity_at_i').on('activity').column('at').execute();
  await db.schema.createIndex('activity_flow_i').on('activity').columns(['flow', 'id']).execute();
  await db.schema.createIndex('activity_run_i').on('activity').columns(['run_id', 'id']).execute();
  await db.schema.createIndex('activity_source_i').on('activity').column('source_key').execute();
  await db.schema.createIndex('activity_target_i').on('activity').column('target_id').execute();
  await db.schema.createIndex('activity_action_i').on('activity').columns(['action', 'id']).execute();

  await db.schema
    .createTable('run')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('flow', 'varchar(100)', (c) => c.notNull())
    .addColumn('trigger', 'varchar(30)', (c) => c.notNull())
    .addColumn('job_id', 'varchar(36)')
    .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('quarantined', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('api_calls', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('api_cost', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('throttle_waits', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('throttle_wait_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_code', 'varchar(100)')
    .addColumn('error_message', 'text')
    .execute();
  await db.schema.createIndex('run_started_i').on('run').column('started_at').execute();
  await db.schema.createIndex('run_flow_i').on('run').columns(['flow', 'started_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['run', 'activity', 'webhook_delivery', 'checkpoint', 'ledger_ref', 'ledger_link']) {
    await db.schema.dropTable(t).execute();
  }
}
