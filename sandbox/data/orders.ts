/**
 * Orders of every status (1-14), paid and unpaid, unfinished baskets, webshop orders and SalesPOS till sales;
 * rows reference variants by SKU (sub_sku_number), the way CCV exposes them.
 */
import type {
  AttributeValueRec, CombinationRec, OrderRec, OrderRowRec, PaymethodRec, PersonalinfoRec, ProductAttributeValueRec,
  ProductRec, SettingsRec, UserRec,
} from '../ccv/model.js';
import type { Prng } from './prng.js';
import { generatePerson, walkInCustomer } from './people.js';

export const ORDER_ID_BASE = 700_000;
export const ORDERROW_ID_BASE = 9_000_000;
export const ORDERROW_ATTR_ID_BASE = 12_000_000;

export interface OrdersInput {
  count: number;
  dirty: boolean;
  salespos: boolean;
  base: number;
  settings: SettingsRec;
  products: ProductRec[];
  combinations: CombinationRec[];
  productAttributeValues: ProductAttributeValueRec[];
  attributeValues: AttributeValueRec[];
  attributeNames: Map<number, string>;
  users: UserRec[];
  paymethods: PaymethodRec[];
}

export interface OrdersOutput {
  orders: OrderRec[];
  orderRows: OrderRowRec[];
  counters: { ordernumber: number; invoicenumber: number };
}

const DAY = 86400;

function paidFor(rng: Prng, status: number): boolean {
  switch (status) {
    case 4: return false;
    case 7: case 5: case 6: return rng.chance(0.97);
    case 8: return rng.chance(0.3);
    case 1: return rng.chance(0.6);
    default: return rng.chance(0.85);
  }
}

export function generateOrders(rng: Prng, input: OrdersInput): OrdersOutput {
  const out: OrdersOutput = { orders: [], orderRows: [], counters: { ordernumber: 10000, invoicenumber: 2025000 } };
  const sellable = input.products.filter((p) => p.is_active);
  if (input.count <= 0 || sellable.length === 0) return out;

  const combosByProduct = new Map<number, CombinationRec[]>();
  for (const c of input.combinations) {
    let l = combosByProduct.get(c.product_id);
    if (!l) combosByProduct.set(c.product_id, (l = []));
    l.push(c);
  }
  const valueById = new Map(input.attributeValues.map((v) => [v.id, v] as const));
  const pavByProductValue = new Map<string, ProductAttributeValueRec>();
  for (const p of input.productAttributeValues) pavByProductValue.set(`${p.product_id}:${p.value_id}`, p);
  const pay = (combined: string): PaymethodRec => input.paymethods.find((m) => m.combined_name === combined) ?? (input.paymethods[0] as PaymethodRec);
  const webPaymethods = input.paymethods.filter((m) => !m.combined_name.startsWith('salespos_'));

  // Dates first, sorted, so ids and order numbers rise with time as in a real shop.
  const dates: number[] = [];
  for (let i = 0; i < input.count; i++) dates.push(input.base - rng.int(1800, 365 * DAY));
  dates.sort((a, b) => a - b);

  let rowId = ORDERROW_ID_BASE;
  let rowAttrId = ORDERROW_ATTR_ID_BASE;
  let guestSeq = 100000;
  const walkIn = walkInCustomer(); // one shared record: customers are never mutated in place
  for (let i = 0; i < input.count; i++) {
    const id = ORDER_ID_BASE + i + 1;
    const createDate = dates[i] as number;
    // The first 14 orders cycle through every status so even a small shop has all of them.
    const forced = i < 14 ? i + 1 : undefined;
    const till = forced === undefined && input.salespos && rng.chance(0.35);
    const completed = forced !== undefined || till || rng.chance(0.95);
    const status = !completed ? null : forced ?? (till ? 7 : rng.weighted([
      [1, 12], [2, 8], [3, 2], [4, 6], [5, 20], [6, 10], [7, 25], [8, 6], [9, 2], [10, 3], [11, 3], [12, 1], [13, 2], [14, 2],
    ] as const));
    const paid = till ? true : status === null ? false : paidFor(rng, status);
    let customer: PersonalinfoRec;
    let userId: number | null = null;
    if (till) {
      customer = walkIn;
      if (input.users.length > 0 && rng.chance(0.15)) {
        const u = rng.pick(input.users);
        userId = u.id;
        customer = u.userinfo; // shared, never mutated in place (writers replace whole objects)
      }
    } else if (input.users.length > 0 && rng.chance(0.6)) {
      const u = rng.pick(input.users);
      userId = u.id;
      customer = u.userinfo; // shared, never mutated in place (writers replace whole objects)
    } else {
      customer = generatePerson(rng, ++guestSeq, { dirty: input.dirty, companyShare: 0.15 }).info;
    }
    const paymethod = till ? pay(rng.chance(0.7) ? 'salespos_pin' : 'salespos_cash') : rng.pick(webPaymethods);
    const order: OrderRec = {
      id,
      ordernumber_prefix: completed ? (till ? 'POS' : 'WEB') : '',
      ordernumber: completed ? ++out.counters.ordernumber : null,
      invoicenumber: completed && paid ? ++out.counters.invoicenumber : null,
      transaction_id: paid && !till ? String(rng.int(100000000, 999999999)) : null,
      create_date: createDate,
      deliver_method: till ? 'pickup' : rng.weighted([['shipping', 9], ['pickup', 1]] as const),
      deliver_date: status !== null && status >= 5 && status <= 7 && !till ? createDate + rng.int(1, 4) * DAY : null,
      orderedinlng: rng.chance(0.93) ? 'nl' : 'en',
      status,
      is_completed: completed,
      paid,
      paymethod_id: paymethod.id,
      taxes_included: true,
      order_row_taxes_included: input.settings.prices_include_vat,
      shipping_taxes_included: true,
      shipping_tax_percentage: 21,
      is_intra_community_order: false,
      is_platform_sale: false,
      total_shipping: 0,
      paymethod_costs: paymethod.extra_costs_fixed,
      extra_costs: 0,
      extra_costs_description: '',
      currency: input.settings.currency,
      track_and_trace_code: status === 5 || status === 6 ? `3S${rng.digits(4)}${rng.digits(9)}` : '',
      track_and_trace_carrier: status === 5 || status === 6 ? 'postnl' : null,
      reservationnumber: null,
      user_id: userId,
      customer,
      stock_booked: completed && status !== 8,
    };

    const nRows = till ? rng.weighted([[1, 5], [2, 3], [3, 2], [5, 1]] as const) : rng.weighted([[1, 5], [2, 3], [3, 2], [4, 1]] as const);
    let rowsTotal = 0;
    for (let r = 0; r < nRows; r++) {
      const product = rng.pick(sellable);
      const combos = (combosByProduct.get(product.id) ?? []).filter((cb) => cb.active);
      const combo = combos.length > 0 ? rng.pick(combos) : undefined;
      const count = rng.weighted([[1, 8], [2, 3], [3, 1]] as const);
      const row: OrderRowRec = {
        id: ++rowId,
        order_id: id,
        product_id: product.id,
        product_type: 'product',
        product_name: product.name.trim() || 'Product',
        product_number: product.productnumber,
        sub_product_number: combo ? combo.product_number : '',
        sub_sku_number: combo ? combo.sku_number : '',
        sub_ean_number: combo ? combo.ean_number : '',
        count,
        price: product.price,
        product_purchase_price: product.purchaseprice,
        discount: product.discount,
        tax: input.settings.tax_rates[product.taxtariff],
        unit: product.unit,
        weight: product.weight,
        memo: '',
        package_id: product.package_id,
        attributes: [],
        combination_id: combo ? combo.id : null,
      };
      if (combo) {
        for (const vid of combo.value_ids) {
          const v = valueById.get(vid);
          const pav = pavByProductValue.get(`${product.id}:${vid}`);
          if (!v) continue;
          row.attributes.push({ id: ++rowAttrId, option_name: input.attributeNames.get(v.attribute_id) ?? '', value_name: v.name, price: pav ? pav.price : 0 });
        }
      }
      // Dirty: a row whose variant SKU no longer exists in the catalog (variant was deleted after the sale).
      if (input.dirty && combo && rng.chance(0.02)) row.sub_sku_number = `${product.productnumber}-OUD`;
      rowsTotal += (row.price - row.discount) * row.count;
      out.orderRows.push(row);
    }
    if (!till && order.deliver_method === 'shipping') order.total_shipping = rowsTotal >= 50 ? 0 : 4.95;
    out.orders.push(order);
  }
  return out;
}
