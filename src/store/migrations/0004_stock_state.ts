/**
 * The stock flow's state (src/flows/stock/state.ts): per CCV variant the inputs of its last
 * computation; per variant and Shopify location the quantity Koppel decided and the last quantity
 * it knows Shopify has (the compare-and-set value); the open CCV orders and their rows that
 * reserve stock. Ids, SKUs and numbers only: no personal data.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stock_variant')
    .addColumn('pair', 'varchar(200)', (c) => c.notNull())
    .addColumn('variant_key', 'varchar(300)', (c) => c.notNull())
    .addColumn('product_id', 'bigint', (c) => c.notNull())
    .addColumn('sku', 'varchar(200)')
    .addColumn('tracked', 'integer', (c) => c.notNull())
    .addColumn('raw_stock', 'varchar(50)')
    .addColumn('on_hand', 'integer')
    .addColumn('reserved', 'integer', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('problem_code', 'varchar(100)')
    .addColumn('problem_key', 'varchar(300)')
    .addColumn('problem_at', 'bigint')
    .addColumn('computed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('stock_variant_pk', ['pair', 'variant_key'])
    .execute();
  await db.schema.createIndex('stock_variant_sku_i').on('stock_variant').columns(['pair', 'sku']).execute();
  await db.schema.createIndex('stock_variant_product_i').on('stock_variant').columns(['pair', 'product_id']).execute();

  await db.schema
    .createTable('stock_level')
    .addColumn('pair', 'varchar(200)', (c) => c.notNull())
    .addColumn('variant_key', 'varchar(300)', (c) => c.notNull())
    .addColumn('location_id', 'varchar(300)', (c) => c.notNull())
    .addColumn('inventory_item', 'varchar(300)')
    .addColumn('target', 'integer')
    .addColumn('shopify_qty', 'integer')
    .addColumn('shopify_seen_at', 'bigint')
    .addColumn('shopify_tracked', 'integer')
    .addColumn('pending_qty', 'integer')
    .addColumn('pushed_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('stock_level_pk', ['pair', 'variant_key', 'location_id'])
    .execute();

  await db.schema
    .createTable('stock_order')
    .addColumn('pair', 'varchar(200)', (c) => c.notNull())
    .addColumn('order_id', 'bigint', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('stock_order_pk', ['pair', 'order_id'])
    .execute();

  await db.schema
    .createTable('stock_reservation')
    .addColumn('pair', 'varchar(200)', (c) => c.notNull())
    .addColumn('order_id', 'bigint', (c) => c.notNull())
    .addColumn('row_id', 'bigint', (c) => c.notNull())
    .addColumn('product_id', 'bigint', (c) => c.notNull())
    .addColumn('code_sku', 'varchar(200)')
    .addColumn('code_product_number', 'varchar(200)')
    .addColumn('code_ean', 'varchar(200)')
    .addColumn('quantity_milli', 'bigint', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('stock_reservation_pk', ['pair', 'order_id', 'row_id'])
    .execute();
  await db.schema.createIndex('stock_reservation_product_i').on('stock_reservation').columns(['pair', 'product_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['stock_reservation', 'stock_order', 'stock_level', 'stock_variant']) await db.schema.dropTable(t).ifExists().execute();
}
