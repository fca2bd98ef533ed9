/**
 * What happens in the shop outside the API: a till sale recorded by SalesPOS, a back-office edit of a product or a
 * combination, a stock correction. They follow the same rules as API writes (modifydate, webhooks) via Effects.
 */
import { walkInCustomer } from '../data/people.js';
import type { Ctx } from './context.js';
import type { CcvSandboxCore } from './core.js';
import { ApiError, badField, CODES, notFound } from './errors.js';
import type { CombinationRec, OrderRec, PersonalinfoRec, ProductRec } from './model.js';
import { buildRow, orderTotals } from './orders-calc.js';
import { renderOrder, renderOrderRow } from './resources/orders.js';
import { personalinfoSpec } from './resources/people.js';
import { applyProductFields, PRODUCT_SPEC, renderProduct } from './resources/products.js';
import { COMBINATION_PATCH, renderCombination } from './resources/variants.js';
import { validateBody, type Spec } from './validate.js';

export interface TillSaleLine {
  sku?: string;
  ean?: string;
  product_id?: number;
  attribute_combination_id?: number;
  count?: number;
  /** Price per unit as rung up (default: the product's sell price). */
  price?: number;
  discount?: number;
}

export interface TillSaleInput {
  lines: TillSaleLine[];
  paymethod?: 'pin' | 'cash';
  customer?: PersonalinfoRec | null;
  user_id?: number;
  status?: number;
  /** ISO timestamp of the sale (default: now). */
  create_date?: string;
}

export interface StockInput {
  sku?: string;
  ean?: string;
  product_id?: number;
  attribute_combination_id?: number;
  /** Absolute stock, or a delta: exactly one. */
  stock?: number;
  delta?: number;
}

const LOOKUP: Spec = {
  sku: { type: 'string' }, ean: { type: 'string' }, product_id: { type: 'int' }, attribute_combination_id: { type: 'int' },
};

function tillSpec(): Spec {
  return {
    lines: {
      type: {
        array: {
          type: {
            object: {
              ...LOOKUP,
              count: { type: 'number', check: (v) => ((v as number) <= 0 ? 'must be greater than 0' : undefined) },
              price: { type: 'number', min: 0 },
              discount: { type: 'number', min: 0 },
            },
          },
        },
      },
      required: true,
      check: (v) => ((v as unknown[]).length === 0 ? 'must contain at least one line' : undefined),
    },
    paymethod: { type: { enum: ['pin', 'cash'] } },
    customer: { type: { object: personalinfoSpec(false) }, nullable: true },
    user_id: { type: 'int' },
    status: { type: 'int', min: 1, max: 14 },
    create_date: { type: 'string', check: (v) => (Number.isNaN(Date.parse(v as string)) ? 'must be an ISO timestamp' : undefined) },
  };
}

type Target = { product: ProductRec; combination?: CombinationRec };

/** Finds what a scanned code / given id refers to. Ambiguous codes (dirty data) are an error naming the matches. */
export function resolveTarget(ctx: Ctx, l: Record<string, unknown>, path: string): Target {
  const s = ctx.state;
  const given = ['sku', 'ean', 'product_id', 'attribute_combination_id'].filter((k) => l[k] !== undefined);
  if (given.length !== 1) throw badField(path, 'needs exactly one of sku, ean, product_id, attribute_combination_id');
  const key = given[0] as string;
  if (key === 'attribute_combination_id') {
    const c = s.combinations.get(l[key] as number);
    if (!c) throw badField(`${path}.${key}`, `refers to attribute combination ${String(l[key])}, which does not exist`);
    return { product: s.products.get(c.product_id) as ProductRec, combination: c };
  }
  if (key === 'product_id') {
    const p = s.products.get(l[key] as number);
    if (!p) throw badField(`${path}.${key}`, `refers to product ${String(l[key])}, which does not exist`);
    if (s.combinations.by('product', p.id).length > 0) throw badField(`${path}.${key}`, `product ${p.id} has variants; give the attribute_combination_id, sku or ean of one`);
    return { product: p };
  }
  const code = l[key] as string;
  const combos = [...s.combinations.rows.values()].filter((c) => (key === 'sku' ? c.sku_number : c.ean_number) === code);
  const simple = [...s.products.rows.values()].filter((p) => s.combinations.by('product', p.id).length === 0 && (key === 'sku' ? p.productnumber : p.eannumber) === code);
  const hits: Target[] = [...combos.map((c) => ({ product: s.products.get(c.product_id) as ProductRec, combination: c })), ...simple.map((p) => ({ product: p }))];
  if (hits.length === 0) throw badField(`${path}.${key}`, `'${code}' matches no product or variant`);
  if (hits.length > 1) {
    const names = hits.map((h) => (h.combination ? `combination ${h.combination.id}` : `product ${h.product.id}`));
    throw badField(`${path}.${key}`, `'${code}' is ambiguous: it matches ${names.join(', ')}`);
  }
  return hits[0] as Target;
}

export function tillSale(core: CcvSandboxCore, input: unknown, origin?: string): { order: unknown; orderrows: unknown[] } {
  const ctx = core.ctx(origin);
  const s = ctx.state;
  const b = validateBody(input, tillSpec(), true) as unknown as TillSaleInput;
  const targets = b.lines.map((l, i) => resolveTarget(ctx, l as Record<string, unknown>, `lines[${i}]`));
  let customer: PersonalinfoRec = b.customer ? structuredClone(b.customer) : walkInCustomer();
  let userId: number | null = null;
  if (b.user_id !== undefined) {
    const u = s.users.get(b.user_id);
    if (!u) throw badField('user_id', `refers to user ${b.user_id}, which does not exist`);
    userId = u.id;
    customer = b.customer ? customer : structuredClone(u.userinfo);
  }
  const pm = [...s.paymethods.rows.values()].find((p) => p.combined_name === `salespos_${b.paymethod ?? 'pin'}`) ?? s.paymethods.all()[0];
  if (!pm) throw new ApiError(500, CODES.internal, 'The shop has no pay methods');
  const createSec = b.create_date ? Math.floor(Date.parse(b.create_date) / 1000) : ctx.nowSec;
  const o: OrderRec = {
    id: s.orders.allocateId(), ordernumber_prefix: 'POS', ordernumber: ++s.counters.ordernumber, invoicenumber: ++s.counters.invoicenumber,
    transaction_id: null, create_date: createSec, deliver_method: 'pickup', deliver_date: null, orderedinlng: 'nl', status: b.status ?? 7,
    is_completed: true, paid: true, paymethod_id: pm.id, taxes_included: true, order_row_taxes_included: s.settings.prices_include_vat,
    shipping_taxes_included: true, shipping_tax_percentage: s.settings.default_vat_rat, is_intra_community_order: false, is_platform_sale: false,
    total_shipping: 0, paymethod_costs: 0, extra_costs: 0, extra_costs_description: '', currency: s.settings.currency, track_and_trace_code: '',
    track_and_trace_carrier: null, reservationnumber: null, user_id: userId, customer, stock_booked: false,
  };
  s.orders.insert(o);
  b.lines.forEach((l, i) => {
    const t = targets[i] as Target;
    const rowInput: Record<string, unknown> = { count: l.count ?? 1, product_id: t.product.id };
    if (t.combination) rowInput['attribute_combination_id'] = t.combination.id;
    if (l.price !== undefined) rowInput['price'] = l.price;
    if (l.discount !== undefined) rowInput['discount'] = l.discount;
    s.orderRows.insert(buildRow(s, rowInput, o.id, o.order_row_taxes_included, `lines[${i}]`));
  });
  // SalesPOS takes stock out right after the sale, whatever apiOrderStock says about API orders.
  for (const pid of s.moveStockForOrder(o.id, -1)) ctx.effects.productChanged(pid, 'stock');
  o.stock_booked = true;
  ctx.effects.orderCreated(o.id);
  core.emit(ctx);
  core.log(`till sale: order ${o.id} POS-${o.ordernumber}, ${b.lines.length} line(s), total ${orderTotals(s, o).total_price}`);
  return { order: renderOrder(ctx, o), orderrows: s.orderRows.by('order', o.id).map((r) => renderOrderRow(ctx, r, o)) };
}

export function setStock(core: CcvSandboxCore, input: unknown): { product_id: number; attribute_combination_id: number | null; stock: number } {
  const ctx = core.ctx();
  const b = validateBody(input, { ...LOOKUP, stock: { type: 'number' }, delta: { type: 'number' } }, true) as StockInput;
  if ((b.stock === undefined) === (b.delta === undefined)) throw badField('stock', "give exactly one of 'stock' (absolute) or 'delta'");
  const t = resolveTarget(ctx, b as Record<string, unknown>, 'target');
  const holder = t.combination ?? t.product;
  holder.stock = b.stock !== undefined ? b.stock : Math.round((holder.stock + (b.delta as number)) * 1000) / 1000;
  ctx.state.products.touch();
  ctx.state.combinations.touch();
  ctx.effects.productChanged(t.product.id, 'stock');
  core.emit(ctx);
  return { product_id: t.product.id, attribute_combination_id: t.combination?.id ?? null, stock: holder.stock };
}

export function patchProduct(core: CcvSandboxCore, id: number, input: unknown, origin?: string): unknown {
  const ctx = core.ctx(origin);
  const p = ctx.state.products.get(id);
  if (!p) throw notFound('product', id);
  const b = validateBody(input, PRODUCT_SPEC, true);
  const { nonStock } = applyProductFields(ctx, p, b);
  if (Object.keys(b).length > 0) ctx.effects.productChanged(p.id, nonStock ? 'fields' : 'stock');
  core.emit(ctx);
  return renderProduct(ctx, p, new Set(['attributecombinations']));
}

export function patchCombination(core: CcvSandboxCore, id: number, input: unknown, origin?: string): unknown {
  const ctx = core.ctx(origin);
  const c = ctx.state.combinations.get(id);
  if (!c) throw notFound('attributecombination', id);
  const b = validateBody(input, COMBINATION_PATCH, true);
  Object.assign(c, b);
  ctx.state.combinations.touch();
  const keys = Object.keys(b);
  if (keys.length > 0) ctx.effects.productChanged(c.product_id, keys.every((k) => k === 'stock') ? 'stock' : 'variant');
  core.emit(ctx);
  return renderCombination(ctx, c, new Set());
}
