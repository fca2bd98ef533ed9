/**
 * The stock flow's own tables (migration 0004_stock_state):
 *
 * - `stock_variant`: per CCV variant the inputs of its last computation (stock as CCV sent it, on
 *   hand, reserved, notes), when the CCV data was read (`computed_at`: a writer holding older data
 *   stands back), and a problem reported about it (`problem_code` + `problem_key`: reported once,
 *   until the key, e.g. the SKU, changes).
 * - `stock_level`: per variant and Shopify location the inventory item, the quantity Koppel decided
 *   (`target`), the last quantity it knows Shopify has (`shopify_qty`, the compare-and-set value),
 *   and a write in flight (`pending_qty`: when a compare-and-set fails, Shopify holding exactly that
 *   figure means our own earlier write landed, not a merchant's change).
 * - `stock_order` / `stock_reservation`: open CCV orders and their rows (reservations).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../store/schema.js';

export interface StockVariantTable {
  pair: string;
  variant_key: string;
  product_id: number;
  sku: string | null;
  tracked: number;
  raw_stock: string | null;
  on_hand: number | null;
  reserved: number;
  /** JSON array of short notes (fractional stock, negative stock, unattributed reservations). */
  notes: string | null;
  problem_code: string | null;
  problem_key: string | null;
  problem_at: number | null;
  computed_at: number;
}

export interface StockLevelTable {
  pair: string;
  variant_key: string;
  location_id: string;
  inventory_item: string | null;
  target: number | null;
  shopify_qty: number | null;
  shopify_seen_at: number | null;
  shopify_tracked: number | null;
  pending_qty: number | null;
  pushed_at: number | null;
  updated_at: number;
}

export interface StockOrderTable {
  pair: string;
  order_id: number;
  status: number | null;
  updated_at: number;
}

export interface StockReservationTable {
  pair: string;
  order_id: number;
  row_id: number;
  product_id: number;
  code_sku: string | null;
  code_product_number: string | null;
  code_ean: string | null;
  quantity_milli: number;
  status: number | null;
  updated_at: number;
}

export interface StockTables {
  stock_variant: StockVariantTable;
  stock_level: StockLevelTable;
  stock_order: StockOrderTable;
  stock_reservation: StockReservationTable;
}

export type StockDb = Kysely<Database & StockTables>;
export type VariantRow = Selectable<StockVariantTable>;
export type LevelRow = Selectable<StockLevelTable>;
export type ReservationRow = Selectable<StockReservationTable>;

const CHUNK = 200;
function chunks<T>(xs: readonly T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export class StockState {
  readonly db: StockDb;

  constructor(db: Kysely<Database>, readonly pair: string) {
    this.db = db as unknown as StockDb;
  }

  with(tx: Kysely<Database>): StockState {
    return new StockState(tx, this.pair);
  }

  /** Runs `fn` in one transaction (or in the one already open). */
  async tx<T>(fn: (s: StockState) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return (this.db as unknown as Kysely<Database>).transaction().execute((t) => fn(this.with(t)));
  }

  // ── variants ──────────────────────────────────────────────────────────────────────────

  async variant(key: string): Promise<VariantRow | undefined> {
    return this.db.selectFrom('stock_variant').selectAll().where('pair', '=', this.pair).where('variant_key', '=', key).executeTakeFirst();
  }

  async variants(keys: readonly string[]): Promise<Map<string, VariantRow>> {
    const out = new Map<string, VariantRow>();
    for (const part of chunks(keys)) {
      if (part.length === 0) continue;
      const rows = await this.db.selectFrom('stock_variant').selectAll().where('pair', '=', this.pair).where('variant_key', 'in', part).execute();
      for (const r of rows) out.set(r.variant_key, r);
    }
    return out;
  }

  async variantsBySku(sku: string): Promise<VariantRow[]> {
    return this.db.selectFrom('stock_variant').selectAll().where('pair', '=', this.pair).where('sku', '=', sku).orderBy('variant_key').execute();
  }

  async variantsOfProduct(productId: number): Promise<VariantRow[]> {
    return this.db.selectFrom('stock_variant').selectAll().where('pair', '=', this.pair).where('product_id', '=', productId).orderBy('variant_key').execute();
  }

  async countVariants(): Promise<number> {
    const r = await this.db.selectFrom('stock_variant').select((eb) => eb.fn.countAll<number | string>().as('n')).where('pair', '=', this.pair).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async countLevels(): Promise<number> {
    const r = await this.db.selectFrom('stock_level').select((eb) => eb.fn.countAll<number | string>().as('n')).where('pair', '=', this.pair).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Stores a variant's latest inputs unless newer ones (read later from CCV) are already there. */
  async putVariant(row: Omit<VariantRow, 'pair'>): Promise<boolean> {
    const values = { ...row, pair: this.pair };
    const res = await this.db
      .insertInto('stock_variant')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['pair', 'variant_key']).doUpdateSet({
          product_id: row.product_id,
          sku: row.sku,
          tracked: row.tracked,
          raw_stock: row.raw_stock,
          on_hand: row.on_hand,
          reserved: row.reserved,
          notes: row.notes,
          problem_code: row.problem_code,
          problem_key: row.problem_key,
          problem_at: row.problem_at,
          computed_at: row.computed_at,
        }).where('stock_variant.computed_at', '<=', row.computed_at),
      )
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async setProblem(key: string, code: string | null, problemKey: string | null, at: number): Promise<void> {
    await this.db.updateTable('stock_variant').set({ problem_code: code, problem_key: problemKey, problem_at: code === null ? null : at })
      .where('pair', '=', this.pair).where('variant_key', '=', key).execute();
  }

  // ── levels ────────────────────────────────────────────────────────────────────────────

  async levels(keys: readonly string[]): Promise<Map<string, LevelRow>> {
    const out = new Map<string, LevelRow>();
    for (const part of chunks(keys)) {
      if (part.length === 0) continue;
      const rows = await this.db.selectFrom('stock_level').selectAll().where('pair', '=', this.pair).where('variant_key', 'in', part).execute();
      for (const r of rows) out.set(levelKey(r.variant_key, r.location_id), r);
    }
    return out;
  }

  async levelsOf(variantKey: string): Promise<LevelRow[]> {
    return this.db.selectFrom('stock_level').selectAll().where('pair', '=', this.pair).where('variant_key', '=', variantKey).orderBy('location_id').execute();
  }

  async putLevel(variantKey: string, locationId: string, set: Partial<Omit<LevelRow, 'pair' | 'variant_key' | 'location_id'>>, now: number): Promise<void> {
    const base: LevelRow = {
      pair: this.pair, variant_key: variantKey, location_id: locationId, inventory_item: null, target: null, shopify_qty: null,
      shopify_seen_at: null, shopify_tracked: null, pending_qty: null, pushed_at: null, updated_at: now,
    };
    await this.db
      .insertInto('stock_level')
      .values({ ...base, ...set, updated_at: now })
      .onConflict((oc) => oc.columns(['pair', 'variant_key', 'location_id']).doUpdateSet({ ...set, updated_at: now }))
      .execute();
  }

  // ── orders and reservations ───────────────────────────────────────────────────────────

  async openOrders(): Promise<Map<number, number | null>> {
    const rows = await this.db.selectFrom('stock_order').select(['order_id', 'status']).where('pair', '=', this.pair).execute();
    return new Map(rows.map((r) => [Number(r.order_id), r.status]));
  }

  /** Records an open order and its rows (replacing what was known of it). */
  async putOrder(orderId: number, status: number | null, rows: ReadonlyArray<Omit<ReservationRow, 'pair' | 'order_id' | 'status' | 'updated_at'>>, now: number): Promise<void> {
    await this.tx(async (s) => {
      await s.db.deleteFrom('stock_reservation').where('pair', '=', this.pair).where('order_id', '=', orderId).execute();
      await s.db.insertInto('stock_order').values({ pair: this.pair, order_id: orderId, status, updated_at: now })
        .onConflict((oc) => oc.columns(['pair', 'order_id']).doUpdateSet({ status, updated_at: now })).execute();
      for (const part of chunks(rows)) {
        if (part.length) await s.db.insertInto('stock_reservation').values(part.map((r) => ({ ...r, pair: this.pair, order_id: orderId, status, updated_at: now }))).execute();
      }
    });
  }

  async setOrderStatus(orderId: number, status: number | null, now: number): Promise<void> {
    await this.db.updateTable('stock_order').set({ status, updated_at: now }).where('pair', '=', this.pair).where('order_id', '=', orderId).execute();
    await this.db.updateTable('stock_reservation').set({ status, updated_at: now }).where('pair', '=', this.pair).where('order_id', '=', orderId).execute();
  }

  /** Forgets an order that no longer reserves anything; returns the products its rows named. */
  async dropOrder(orderId: number): Promise<number[]> {
    return this.tx(async (s) => {
      const rows = await s.db.selectFrom('stock_reservation').select('product_id').where('pair', '=', this.pair).where('order_id', '=', orderId).execute();
      await s.db.deleteFrom('stock_reservation').where('pair', '=', this.pair).where('order_id', '=', orderId).execute();
      await s.db.deleteFrom('stock_order').where('pair', '=', this.pair).where('order_id', '=', orderId).execute();
      return [...new Set(rows.map((r) => Number(r.product_id)))];
    });
  }

  async reservationsOf(productIds: readonly number[]): Promise<ReservationRow[]> {
    const out: ReservationRow[] = [];
    for (const part of chunks(productIds)) {
      if (part.length) out.push(...(await this.db.selectFrom('stock_reservation').selectAll().where('pair', '=', this.pair).where('product_id', 'in', part).orderBy('order_id').orderBy('row_id').execute()));
    }
    return out;
  }
}

export function levelKey(variantKey: string, locationId: string): string {
  return `${variantKey}@${locationId}`;
}
