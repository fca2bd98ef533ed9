/**
 * CCV orders as a stock signal: which orders are new since the last look, what their rows sold,
 * and which orders are still open (for reservations). Only ids, statuses, quantities and variant
 * codes leave this module: never customer data.
 *
 * New orders are found by id, newest first (`orderby=id_desc`), down to the last id seen:
 * `min_create_date` has day granularity, ids only grow.
 */
import type { CcvClient } from '../client.js';
import type { VariantCodes } from './stock.js';

export interface OrderSignal {
  id: number;
  /** CCV status 1-14, null while the customer has not finished checkout. */
  status: number | null;
  /** False for a basket whose checkout is not finished. */
  completed: boolean;
  createDate: string;
}

export interface OrderRowSignal {
  orderId: number;
  rowId: number;
  /** The product the row sold; null for a free-text row (no stock). */
  productId: number | null;
  /** CCV `count`: may be fractional (goods sold by weight). */
  quantity: number;
  /** How the row names the variant (order rows carry no combination id). */
  codes: VariantCodes;
}

interface RawOrder { id: number; status: number | null; is_completed: boolean | null; create_date: string }
interface RawRow { id: number; order_id: number; product_id: number | null; count: number; sub_sku_number: string | null; sub_product_number: string | null; sub_ean_number: string | null }

export interface OrderReadOptions {
  /** Budget priority (stock 5). */
  priority?: number;
  signal?: AbortSignal;
}

const toOrder = (o: RawOrder): OrderSignal => ({ id: o.id, status: o.status ?? null, completed: o.is_completed !== false, createDate: o.create_date });
const blank = (v: string | null | undefined): string | null => (v === null || v === undefined || v.trim() === '' ? null : v);

/**
 * Completed orders with an id above `afterId`, newest first. Reads pages of `size` until it reaches
 * `afterId` or `maxOrders`; `complete` is false when it stopped early (the caller moves its cursor
 * only to the oldest order it has, and continues next time).
 */
export async function readNewOrders(client: CcvClient, afterId: number, opts: OrderReadOptions & { size?: number; maxOrders?: number; baskets?: boolean } = {}): Promise<{ orders: OrderSignal[]; complete: boolean }> {
  const size = opts.size ?? 25;
  const max = opts.maxOrders ?? 500;
  const orders: OrderSignal[] = [];
  let start = 0;
  for (;;) {
    const page = await client.get<{ items: RawOrder[]; next: string | null }>('orders', {
      query: { orderby: 'id_desc', start, size, ...(opts.baskets ? { is_completed: false } : {}) },
      priority: opts.priority ?? 5,
      signal: opts.signal,
    });
    for (const o of page.items) {
      if (o.id <= afterId) return { orders, complete: true };
      orders.push(toOrder(o));
      if (orders.length >= max) return { orders, complete: false };
    }
    if (!page.next || page.items.length === 0) return { orders, complete: true };
    start += page.items.length;
  }
}

/** The newest order id (the poll's starting point on first use), or 0 for a shop without orders. */
export async function readNewestOrderId(client: CcvClient, opts: OrderReadOptions = {}): Promise<number> {
  const page = await client.get<{ items: RawOrder[] }>('orders', { query: { orderby: 'id_desc', size: 1 }, priority: opts.priority ?? 5, signal: opts.signal });
  return page.items[0]?.id ?? 0;
}

export async function readOrder(client: CcvClient, id: number, opts: OrderReadOptions = {}): Promise<OrderSignal | undefined> {
  try {
    return toOrder(await client.get<RawOrder>(`orders/${id}`, { priority: opts.priority ?? 5, signal: opts.signal }));
  } catch (e) {
    if ((e as { errorClass?: string }).errorClass === 'not_found') return undefined;
    throw e;
  }
}

/** The rows of one order (one call per 250 rows). */
export async function readOrderRows(client: CcvClient, orderId: number, opts: OrderReadOptions = {}): Promise<OrderRowSignal[]> {
  const out: OrderRowSignal[] = [];
  for await (const r of client.items<RawRow>(`orders/${orderId}/orderrows`, { priority: opts.priority ?? 5, signal: opts.signal })) {
    out.push({
      orderId,
      rowId: r.id,
      productId: r.product_id ?? null,
      quantity: typeof r.count === 'number' ? r.count : Number(r.count),
      codes: { sku: blank(r.sub_sku_number), productNumber: blank(r.sub_product_number), ean: blank(r.sub_ean_number) },
    });
  }
  return out;
}

/** Every completed order in one status (e.g. all "new" orders), as headers. */
export async function* readOrdersWithStatus(client: CcvClient, status: number, opts: OrderReadOptions = {}): AsyncGenerator<OrderSignal> {
  for await (const o of client.items<RawOrder>('orders', { query: { status, orderby: 'id' }, priority: opts.priority ?? 4, signal: opts.signal })) yield toOrder(o);
}
