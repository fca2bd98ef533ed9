/** Orders and order rows (reference §7.1, §7.2). Rows are only reachable through the orderrows sub-resource. */
import { page, sortByQuery } from '../collections.js';
import type { Ctx, Result } from '../context.js';
import { href, isoSec } from '../context.js';
import { ApiError, badField, badParam, CODES } from '../errors.js';
import type { OrderRec, OrderRowRec, PersonalinfoRec } from '../model.js';
import { DELIVER_METHODS } from '../model.js';
import type { Route } from '../router.js';
import { buildRow, orderTotals, rowFigures } from '../orders-calc.js';
import { fromCents } from '../money.js';
import type { CcvState } from '../state.js';
import type { Spec } from '../validate.js';
import { body, cachedList, LIST, LIST_SORTED, need, needRef } from './common.js';
import { personalinfoSpec, renderPersonalinfo } from './people.js';

export function renderOrder(ctx: Ctx, o: OrderRec): Record<string, unknown> {
  const s = ctx.state;
  const pm = s.paymethods.get(o.paymethod_id);
  const user = o.user_id === null ? undefined : s.users.get(o.user_id);
  const sub = (name: string): { href: string } => ({ href: href(ctx, 'orders', o.id, name) });
  const prefix = o.is_completed ? o.ordernumber_prefix : null;
  return {
    href: href(ctx, 'orders', o.id),
    id: o.id,
    ordernumber_prefix: prefix,
    ordernumber: o.ordernumber,
    ordernumber_full: o.ordernumber === null ? null : `${prefix ?? ''}-${o.ordernumber}`,
    invoicenumber: o.invoicenumber,
    transaction_id: o.transaction_id,
    create_date: isoSec(o.create_date),
    deliver_method: o.deliver_method,
    deliver_date: isoSec(o.deliver_date),
    take_out_window: null,
    is_platform_sale: o.is_platform_sale,
    orderedinlng: o.orderedinlng,
    status: o.status,
    is_completed: o.is_completed,
    basket_href: o.is_completed ? null : `${ctx.origin}/nl/winkelwagen/?order=${o.id}`,
    checkout_href: o.is_completed ? null : `${ctx.origin}/nl/afrekenen/?order=${o.id}`,
    paid: o.paid,
    safety_deposit_returned: false,
    paymethod_id: o.paymethod_id,
    paymethod: pm?.combined_name ?? '',
    paymethod_label: pm?.label ?? '',
    taxes_included: o.taxes_included,
    order_row_taxes_included: o.order_row_taxes_included,
    shipping_taxes_included: o.shipping_taxes_included,
    shipping_tax_percentage: o.shipping_tax_percentage,
    is_intra_community_order: o.is_intra_community_order,
    ...orderTotals(s, o),
    currency: o.currency,
    extra_payment_option: '',
    extra_payment_option_price: null,
    extra_payment_option_no_sentprice: false,
    extra_payment_option_pay_on_pickup: false,
    extra_price: 0,
    paymethod_costs: o.paymethod_costs,
    credit_point_discount: 0,
    extra_costs: o.extra_costs,
    extra_costs_description: o.extra_costs_description,
    track_and_trace_code: o.track_and_trace_code,
    track_and_trace_deeplink: o.track_and_trace_code ? `https://jouw.postnl.nl/track-and-trace/${o.track_and_trace_code}` : '',
    track_and_trace_carrier: o.track_and_trace_carrier,
    reservationnumber: o.reservationnumber,
    delivery_option: null,
    user: { id: user ? user.id : null, discount_percentage: user ? 0 : null, href: user ? href(ctx, 'users', user.id) : null },
    discountcoupon: { code: null, discount: null, type: null, enddate: null, onetimeuse: null, givesfreeshipping: null, minimumprice: null },
    customer: renderPersonalinfo(o.customer),
    pickup_address: null,
    packing_slip_deeplink: null,
    orderrows: sub('orderrows'),
    ordernotes: sub('ordernotes'),
    ordermessages: sub('ordermessages'),
    ordernotifications: sub('ordernotifications'),
    orderaffiliatenetworks: sub('orderaffiliatenetworks'),
    orderlabels: sub('orderlabels'),
    invoices: sub('invoices'),
    terminalreceipts: sub('terminalreceipts'),
    fiscaltransactionsignatures: sub('fiscaltransactionsignatures'),
  };
}

export function renderOrderRow(ctx: Ctx, r: OrderRowRec, order: OrderRec): Record<string, unknown> {
  const f = rowFigures(r, order.order_row_taxes_included);
  const pkg = r.package_id === null ? undefined : ctx.state.packages.get(r.package_id);
  return {
    href: href(ctx, 'orderrows', r.id),
    id: r.id,
    order_id: r.order_id,
    product_type: r.product_type,
    product_name: r.product_name,
    product_name_google: r.product_name,
    product_number: r.product_number,
    sub_product_number: r.sub_product_number,
    sub_sku_number: r.sub_sku_number,
    sub_ean_number: r.sub_ean_number,
    product_id: r.product_id,
    product_href: r.product_id === null ? null : href(ctx, 'products', r.product_id),
    count: r.count,
    price: r.price,
    product_purchase_price: r.product_purchase_price,
    discount: r.discount,
    custom_price: false,
    tax: r.tax,
    unit: r.unit,
    weight: r.weight,
    memo: r.memo,
    package_id: r.package_id,
    package_name: pkg?.name ?? '',
    stock_location: '',
    supplier: '',
    user_discount: 0,
    original_price: r.price,
    selling_price: fromCents(f.sellCents),
    price_without_discount: r.price,
    price_without_discount_with_attributes: fromCents(f.unitCents),
    total_price: fromCents(f.totalNoAttrCents),
    total_extra_option_price: fromCents(Math.round(f.attrCents * r.count)),
    price_with_attributes: fromCents(f.unitCents),
    total_price_with_attributes: fromCents(f.totalCents),
    attributes: r.attributes.map((a) => ({ href: href(ctx, 'orderrowattributevalues', a.id), id: a.id, option_name: a.option_name, value_name: a.value_name, price: a.price })),
    uploads: [],
    parent: { href: href(ctx, 'orders', r.order_id) },
  };
}

const ROW_SPEC: Spec = {
  count: { type: 'number', required: true, check: (v) => ((v as number) <= 0 ? 'must be greater than 0' : undefined) },
  product_id: { type: 'int' },
  product_name: { type: 'string', maxLength: 255 },
  product_number: { type: 'string' },
  price: { type: 'number' },
  product_purchase_price: { type: 'number' },
  discount: { type: 'number', min: 0 },
  tax: { type: 'number', min: 0, max: 100 },
  unit: { type: 'string' },
  weight: { type: 'number', min: 0 },
  memo: { type: 'string' },
  package_id: { type: 'int' },
  product_type: { type: { enum: ['product', 'deposit', 'giftcard', 'service', 'discount'] } },
  auto_create_deposit_rows: { type: 'bool' },
  attribute_combination_id: { type: 'number' },
};

function orderSpec(ctx: Ctx, post: boolean): Spec {
  const spec: Spec = {
    customer: { type: { object: personalinfoSpec(ctx.b.validateEmails) }, required: post },
    orderrows: { type: { array: { type: { object: ROW_SPEC } } }, required: post, check: (v) => ((v as unknown[]).length === 0 ? 'must contain at least one row' : undefined) },
    invoicenumber: { type: 'int', nullable: true },
    paid: { type: 'bool' },
    safety_deposit_returned: { type: 'bool' },
    total_shipping: { type: 'number', min: 0 },
    paymethod_costs: { type: 'number' },
    extra_costs: { type: 'number' },
    extra_costs_description: { type: 'string' },
    taxes_included: { type: 'bool' },
    order_row_taxes_included: { type: 'bool' },
    shipping_taxes_included: { type: 'bool' },
    is_intra_community_order: { type: 'bool' },
    currency: { type: 'string', check: (v) => (v !== ctx.state.settings.currency ? `must be the shop currency ${ctx.state.settings.currency}` : undefined) },
    is_platform_sale: { type: 'bool' },
    orderedinlng: { type: 'string', check: (v) => (!/^[a-z]{2}$/.test(v as string) ? 'must be a two-letter language code' : undefined) },
    status: { type: 'int', min: 1, max: 14 },
    track_and_trace_code: { type: 'string' },
    track_and_trace_carrier: { type: 'string', nullable: true },
    deliver_date: { type: 'string', nullable: true, check: (v) => (v !== null && Number.isNaN(Date.parse(v as string)) ? 'must be a date like 2025-01-31T12:00:00Z' : undefined) },
    deliver_method: { type: { enum: DELIVER_METHODS } },
    takeoutslot: { type: 'int' },
    reservationnumber: { type: 'string', nullable: true },
  };
  if (post) {
    spec['is_completed'] = { type: 'bool' };
    spec['user_id'] = { type: 'int' };
  } else {
    spec['mail'] = { type: 'bool' };
    spec['note'] = { type: 'string' };
  }
  return spec;
}

const SCALARS = [
  'invoicenumber', 'paid', 'total_shipping', 'paymethod_costs', 'extra_costs', 'extra_costs_description', 'taxes_included',
  'order_row_taxes_included', 'shipping_taxes_included', 'is_intra_community_order', 'currency', 'is_platform_sale', 'orderedinlng',
  'track_and_trace_code', 'track_and_trace_carrier', 'deliver_method', 'reservationnumber',
] as const;

/** Stock bookkeeping for orders: book when completed (per `apiOrderStock`), restock on cancel when configured. */
export function bookStock(ctx: Ctx, o: OrderRec): void {
  if (o.stock_booked || !o.is_completed || o.status === 8) return;
  for (const pid of ctx.state.moveStockForOrder(o.id, -1)) ctx.effects.productChanged(pid, 'stock');
  o.stock_booked = true;
}

function unbookStock(ctx: Ctx, o: OrderRec): void {
  if (!o.stock_booked) return;
  for (const pid of ctx.state.moveStockForOrder(o.id, 1)) ctx.effects.productChanged(pid, 'stock');
  o.stock_booked = false;
}

function replaceRows(ctx: Ctx, o: OrderRec, rows: Record<string, unknown>[], field: string): void {
  const s = ctx.state;
  const built = rows.map((r, i) => buildRow(s, r, o.id, o.order_row_taxes_included, `${field}[${i}]`));
  const wasBooked = o.stock_booked;
  if (wasBooked) unbookStock(ctx, o);
  for (const old of s.orderRows.by('order', o.id)) s.orderRows.delete(old.id);
  for (const r of built) s.orderRows.insert(r);
  if (wasBooked) bookStock(ctx, o);
}

function parseDeliverDate(v: unknown): number | null {
  return v === null || v === undefined ? null : Math.floor(Date.parse(v as string) / 1000);
}

function createOrder(ctx: Ctx): Result {
  const s = ctx.state;
  const b = body(ctx, orderSpec(ctx, true));
  let customer = b['customer'] as PersonalinfoRec;
  let userId: number | null = null;
  if (b['user_id'] !== undefined) {
    const u = needRef(s.users, b['user_id'], 'user_id', 'user');
    userId = u.id;
    customer = { ...structuredClone(u.userinfo), ...customer };
  }
  if ((b['takeoutslot'] !== undefined) && b['deliver_method'] !== 'delivery' && b['deliver_method'] !== 'pickup') {
    throw badField('takeoutslot', "needs deliver_method 'delivery' or 'pickup'");
  }
  const completed = (b['is_completed'] as boolean | undefined) ?? true;
  const o: OrderRec = {
    id: s.orders.allocateId(),
    ordernumber_prefix: 'WEB', ordernumber: null, invoicenumber: null, transaction_id: null, create_date: ctx.nowSec,
    deliver_method: 'shipping', deliver_date: parseDeliverDate(b['deliver_date']), orderedinlng: 'nl',
    status: completed ? ((b['status'] as number | undefined) ?? 1) : null, is_completed: completed, paid: false,
    paymethod_id: 0, taxes_included: true, order_row_taxes_included: s.settings.prices_include_vat, shipping_taxes_included: true,
    shipping_tax_percentage: s.settings.default_vat_rat, is_intra_community_order: false, is_platform_sale: false, total_shipping: 0,
    paymethod_costs: 0, extra_costs: 0, extra_costs_description: '', currency: s.settings.currency, track_and_trace_code: '',
    track_and_trace_carrier: null, reservationnumber: null, user_id: userId, customer, stock_booked: false,
  };
  for (const k of SCALARS) if (b[k] !== undefined) (o as unknown as Record<string, unknown>)[k] = b[k];
  if (completed) o.ordernumber = ++s.counters.ordernumber;
  s.orders.insert(o);
  try {
    const rows = (b['orderrows'] as Record<string, unknown>[]).map((r, i) => buildRow(s, r, o.id, o.order_row_taxes_included, `orderrows[${i}]`));
    for (const r of rows) s.orderRows.insert(r);
  } catch (e) {
    s.orders.delete(o.id);
    if (completed) s.counters.ordernumber--;
    throw e;
  }
  if (b['total_shipping'] === undefined && o.deliver_method === 'shipping') {
    // Omitted => calculated by the shop: free from 50.00, else 4.95.
    o.total_shipping = orderTotals(s, o).total_orderrow_price >= 50 ? 0 : 4.95;
  }
  if (ctx.b.apiOrderStock === 'on_completed') bookStock(ctx, o);
  ctx.effects.orderCreated(o.id);
  return { status: 201, body: renderOrder(ctx, o) };
}

function patchOrder(ctx: Ctx): Result {
  const s = ctx.state;
  const o = need(s.orders, ctx.params[0] as number, 'order');
  const b = body(ctx, orderSpec(ctx, false));
  for (const k of SCALARS) if (b[k] !== undefined) (o as unknown as Record<string, unknown>)[k] = b[k];
  if (b['deliver_date'] !== undefined) o.deliver_date = parseDeliverDate(b['deliver_date']);
  if (b['customer'] !== undefined) o.customer = { ...(o.customer ?? {}), ...(b['customer'] as PersonalinfoRec) };
  if (b['orderrows'] !== undefined) replaceRows(ctx, o, b['orderrows'] as Record<string, unknown>[], 'orderrows');
  if (typeof b['note'] === 'string') (o.notes ??= []).push(b['note']);
  if (b['status'] !== undefined) {
    if (!o.is_completed) throw badField('status', 'cannot be set on an order that is not completed (the customer has not finished checkout)');
    o.status = b['status'] as number;
    if (o.status === 8 && ctx.b.cancelRestocks) unbookStock(ctx, o);
  }
  s.orders.touch();
  ctx.effects.orderUpdated(o.id);
  return { status: 204 };
}

function listOrders(ctx: Ctx): Result {
  const q = ctx.query;
  const ordernumber = q.int('ordernumber');
  const status = q.int('status', 1, 14);
  const isPaid = q.bool('is_paid');
  const deliver = q.date('deliver_date');
  const takeOut = q.date('take_out_date');
  const min = q.date('min_create_date');
  const max = q.date('max_create_date');
  const completed = q.bool('is_completed') ?? true;
  const paymethod = q.int('paymethod_id');
  const transaction = q.string('transaction_id');
  if (transaction !== undefined && !/^\d+$/.test(transaction)) throw badParam('transaction_id', `must be an integer, got '${transaction}'`);
  const maxAt = max === undefined ? undefined : max.dateOnly && ctx.b.maxCreateDateInclusiveDay ? max.at + 86399 : max.at;
  const sameDay = (sec: number | null, d: { at: number; dateOnly: boolean }): boolean =>
    sec !== null && (d.dateOnly ? Math.floor(sec / 86400) === Math.floor(d.at / 86400) : sec === d.at);
  const items = cachedList(ctx, [ctx.state.orders], () => {
    const out = ctx.state.orders.all().filter((o) =>
      o.is_completed === completed &&
      (ordernumber === undefined || o.ordernumber === ordernumber) &&
      (status === undefined || o.status === status) &&
      (isPaid === undefined || o.paid === isPaid) &&
      (deliver === undefined || sameDay(o.deliver_date, deliver)) &&
      takeOut === undefined && // the sandbox models no take-out windows: a take_out_date filter matches nothing
      (min === undefined || o.create_date >= min.at) &&
      (maxAt === undefined || o.create_date <= maxAt) &&
      (paymethod === undefined || o.paymethod_id === paymethod) &&
      (transaction === undefined || o.transaction_id === transaction));
    return sortByQuery(ctx, out, {
      id: (o) => o.id,
      ordernumber: (o) => o.ordernumber,
      create_date: (o) => o.create_date,
      deliver_date: (o) => o.deliver_date,
    });
  });
  return page(ctx, items, (o) => renderOrder(ctx, o));
}

function openOrder(state: CcvState, orderId: number, what: string): OrderRec {
  const o = need(state.orders, orderId, 'order');
  if (o.is_completed) {
    throw new ApiError(405, CODES.methodNotAllowed, `${what} is only possible on orders that are not completed; order ${o.id} is completed (use PUT /orders/${o.id}/orderrows to replace its rows)`);
  }
  return o;
}

const ORDER_LIST_PARAMS = [
  ...LIST_SORTED, 'ordernumber', 'status', 'is_paid', 'deliver_date', 'take_out_date', 'min_create_date', 'max_create_date',
  'is_completed', 'paymethod_id', 'transaction_id',
];

export const orderRoutes: Route[] = [
  { path: 'orders', methods: { GET: { params: ORDER_LIST_PARAMS, run: listOrders }, POST: { run: createOrder } } },
  {
    path: 'orders/:id',
    methods: {
      GET: { run: (ctx) => ({ status: 200, body: renderOrder(ctx, need(ctx.state.orders, ctx.params[0] as number, 'order')) }) },
      PATCH: { run: patchOrder },
    },
  },
  {
    path: 'orders/:id/orderrows',
    methods: {
      GET: {
        params: LIST,
        run: (ctx) => {
          const o = need(ctx.state.orders, ctx.params[0] as number, 'order');
          return page(ctx, ctx.state.orderRows.by('order', o.id), (r) => renderOrderRow(ctx, r, o));
        },
      },
      PUT: {
        run: (ctx) => {
          const o = need(ctx.state.orders, ctx.params[0] as number, 'order');
          const b = body(ctx, { orderrows: { type: { array: { type: { object: ROW_SPEC } } }, required: true } });
          replaceRows(ctx, o, b['orderrows'] as Record<string, unknown>[], 'orderrows');
          ctx.state.orders.touch();
          ctx.effects.orderUpdated(o.id);
          return { status: 204 };
        },
      },
      POST: {
        run: (ctx) => {
          const s = ctx.state;
          const o = openOrder(s, ctx.params[0] as number, 'Adding order rows');
          const b = body(ctx, ROW_SPEC);
          const row = s.orderRows.insert(buildRow(s, b, o.id, o.order_row_taxes_included, 'orderrow'));
          s.orders.touch();
          ctx.effects.orderUpdated(o.id);
          return { status: 201, body: renderOrderRow(ctx, row, o) };
        },
      },
    },
  },
  {
    path: 'orderrows/:id',
    methods: {
      GET: {
        run: (ctx) => {
          const r = need(ctx.state.orderRows, ctx.params[0] as number, 'orderrow');
          return { status: 200, body: renderOrderRow(ctx, r, need(ctx.state.orders, r.order_id, 'order')) };
        },
      },
      PATCH: {
        run: (ctx) => {
          const s = ctx.state;
          const r = need(s.orderRows, ctx.params[0] as number, 'orderrow');
          openOrder(s, r.order_id, 'Changing order rows');
          const b = body(ctx, { count: ROW_SPEC['count']!, price: { type: 'number' }, discount: { type: 'number', min: 0 } });
          Object.assign(r, b);
          s.orderRows.touch();
          ctx.effects.orderUpdated(r.order_id);
          return { status: 204 };
        },
      },
      DELETE: {
        run: (ctx) => {
          const s = ctx.state;
          const r = need(s.orderRows, ctx.params[0] as number, 'orderrow');
          openOrder(s, r.order_id, 'Deleting order rows');
          s.orderRows.delete(r.id);
          ctx.effects.orderUpdated(r.order_id);
          return { status: 204 };
        },
      },
    },
  },
  {
    path: 'orders/:id/ordernotes',
    methods: {
      GET: {
        params: LIST,
        run: (ctx) => {
          const o = need(ctx.state.orders, ctx.params[0] as number, 'order');
          return page(ctx, (o.notes ?? []).map((note, i) => ({ id: i + 1, note })), (n) => ({ ...n, parent: { href: href(ctx, 'orders', o.id) } }));
        },
      },
    },
  },
  ...['ordermessages', 'ordernotifications', 'orderaffiliatenetworks', 'orderlabels', 'invoices', 'terminalreceipts', 'fiscaltransactionsignatures'].map((child): Route => ({
    path: `orders/:id/${child}`,
    methods: { GET: { params: LIST, run: (ctx) => { need(ctx.state.orders, ctx.params[0] as number, 'order'); return page(ctx, [], (x) => x); } } },
  })),
];
