/**
 * Reserved stock, defined from CCV data:
 *
 *   reserved(variant) = Σ count of the rows of CCV orders that
 *     - are placed (checkout finished: `is_completed`; baskets hold nothing),
 *     - are in one of `reserved.openStatuses` (default: all but sent, delivered, completed, cancelled),
 *     - and whose goods CCV has not taken out of `stock` yet — which depends on CCV's behaviour,
 *       set by `reserved.stockTakenOut`: `at_checkout` (default) means CCV already took them out, so
 *       nothing is reserved; `when_closed` and `never` mean open orders still hold their goods,
 *     - and whose row names this variant: the row's product, and for a product with combinations
 *       the combination whose SKU number (else product number, else EAN) equals the row's.
 *
 * Counts are summed exactly (in thousandths) and rounded up to whole units: never promise goods an
 * order already holds. A row that names a product with combinations but no variant of it cannot be
 * attributed and is reported as a note on the product instead of being guessed.
 */
import type { StockSettings } from '../../config/stock.js';
import type { CcvStockRecord, VariantCodes } from '../../connectors/ccv/read/stock.js';
import type { ReservationRow } from './state.js';

export function reservationsCount(settings: StockSettings): boolean {
  return settings.reserved.stockTakenOut !== 'at_checkout';
}

export interface VariantReservation {
  /** Whole units (rounded up). */
  reserved: number;
  /** Exact sum in thousandths, for notes. */
  milli: number;
  /** The orders holding it: [orderId, thousandths]. */
  orders: Array<[number, number]>;
}

export interface ProductReservations {
  byVariant: Map<string, VariantReservation>;
  /** Rows of this product that name no variant of it. */
  unattributed: Array<{ orderId: number; rowId: number; milli: number }>;
}

function codeMatch(row: ReservationRow, codes: VariantCodes): boolean {
  if (row.code_sku !== null) return codes.sku !== null && row.code_sku === codes.sku;
  if (row.code_product_number !== null) return codes.productNumber !== null && row.code_product_number === codes.productNumber;
  if (row.code_ean !== null) return codes.ean !== null && row.code_ean === codes.ean;
  return false;
}

/** Attributes the open-order rows of one product to its variants. */
export function attributeReservations(record: CcvStockRecord, rows: readonly ReservationRow[], settings: StockSettings): ProductReservations {
  const byVariant = new Map<string, VariantReservation>();
  const unattributed: ProductReservations['unattributed'] = [];
  if (!reservationsCount(settings)) return { byVariant, unattributed };
  const open = new Set(settings.reserved.openStatuses);
  const simple = record.variants.length === 1 && record.variants[0]!.combinationId === null;
  for (const row of rows) {
    if (Number(row.product_id) !== record.productId) continue;
    if (row.status === null || !open.has(row.status)) continue;
    const milli = Number(row.quantity_milli);
    const v = simple ? record.variants[0] : record.variants.find((x) => codeMatch(row, x.codes));
    if (!v) {
      unattributed.push({ orderId: Number(row.order_id), rowId: Number(row.row_id), milli });
      continue;
    }
    const cur = byVariant.get(v.key) ?? { reserved: 0, milli: 0, orders: [] };
    cur.milli += milli;
    const last = cur.orders[cur.orders.length - 1];
    if (last && last[0] === Number(row.order_id)) last[1] += milli;
    else cur.orders.push([Number(row.order_id), milli]);
    cur.reserved = Math.ceil(cur.milli / 1000);
    byVariant.set(v.key, cur);
  }
  return { byVariant, unattributed };
}

/** A CCV row count (a float such as 0.25) as exact thousandths. */
export function toMilli(quantity: number): number {
  if (!Number.isFinite(quantity)) return 0;
  return Math.round(quantity * 1000);
}

export function formatMilli(milli: number): string {
  const whole = Math.trunc(milli / 1000);
  const frac = Math.abs(milli % 1000);
  return frac === 0 ? String(whole) : `${milli < 0 && whole === 0 ? '-' : ''}${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
}
