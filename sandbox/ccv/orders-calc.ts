/**
 * Order arithmetic and row building, shared by POST /orders, the orderrows endpoints and the till-sale endpoint.
 * All sums in integer cents; each row is rounded once, then summed (no drift).
 */
import type { ApiError } from './errors.js';
import { badField } from './errors.js';
import { fromCents, toCents, vatOfGross, vatOfNet } from './money.js';
import type { OrderRec, OrderRowRec } from './model.js';
import type { CcvState } from './state.js';

export interface RowFigures {
  attrCents: number;
  unitCents: number;
  sellCents: number;
  totalCents: number;
  totalNoAttrCents: number;
  taxCents: number;
  grossCents: number;
}

export function rowFigures(row: OrderRowRec, taxesIncluded: boolean): RowFigures {
  const attrCents = row.attributes.reduce((sum, a) => sum + toCents(a.price), 0);
  const priceCents = toCents(row.price);
  const unitCents = priceCents + attrCents;
  const sellCents = unitCents - toCents(row.discount);
  const totalCents = Math.round(sellCents * row.count);
  const totalNoAttrCents = Math.round((priceCents - toCents(row.discount)) * row.count);
  const taxCents = taxesIncluded ? vatOfGross(totalCents, row.tax) : vatOfNet(totalCents, row.tax);
  return { attrCents, unitCents, sellCents, totalCents, totalNoAttrCents, taxCents, grossCents: taxesIncluded ? totalCents : totalCents + taxCents };
}

export interface OrderTotals {
  total_orderrow_price: number;
  total_shipping: number;
  total_discounts: number;
  total_price: number;
  total_tax: number;
  total_weight: number;
}

export function orderTotals(state: CcvState, o: OrderRec): OrderTotals {
  let rows = 0;
  let gross = 0;
  let tax = 0;
  let weight = 0;
  for (const r of state.orderRows.by('order', o.id)) {
    const f = rowFigures(r, o.order_row_taxes_included);
    rows += f.totalCents;
    gross += f.grossCents;
    tax += f.taxCents;
    weight += r.weight * r.count;
  }
  const shipping = toCents(o.total_shipping);
  const shippingTax = o.shipping_taxes_included ? vatOfGross(shipping, o.shipping_tax_percentage) : vatOfNet(shipping, o.shipping_tax_percentage);
  const shippingGross = o.shipping_taxes_included ? shipping : shipping + shippingTax;
  const total = gross + shippingGross + toCents(o.paymethod_costs) + toCents(o.extra_costs);
  return {
    total_orderrow_price: fromCents(rows),
    total_shipping: o.total_shipping,
    total_discounts: 0,
    total_price: fromCents(total),
    total_tax: fromCents(o.is_intra_community_order ? 0 : tax + shippingTax),
    total_weight: Math.round(weight * 1000) / 1000,
  };
}

/** Row input as POSTed (reference §7.2), already validated for types. */
export type RowInput = Record<string, unknown>;

/**
 * Builds a stored row from input: `product_id` and/or `attribute_combination_id` fill product data (and the
 * variant's sub_* identifiers and attribute lines); explicit fields override. Without a product, name, price and
 * package_id are required. `path` names the row in errors (`orderrows[2]`).
 */
export function buildRow(state: CcvState, input: RowInput, orderId: number, rowsTaxIncluded: boolean, path: string): OrderRowRec {
  const fail = (field: string, problem: string): ApiError => badField(`${path}.${field}`, problem);
  let productId = input['product_id'] as number | undefined;
  const comboRaw = input['attribute_combination_id'] as number | undefined;
  const combo = comboRaw === undefined ? undefined : state.combinations.get(comboRaw);
  if (comboRaw !== undefined && !combo) throw fail('attribute_combination_id', `refers to attribute combination ${comboRaw}, which does not exist`);
  if (combo && productId !== undefined && combo.product_id !== productId) {
    throw fail('attribute_combination_id', `belongs to product ${combo.product_id}, not to product_id ${productId}`);
  }
  if (combo) productId = combo.product_id;
  const product = productId === undefined ? undefined : state.products.get(productId);
  if (productId !== undefined && !product) throw fail('product_id', `refers to product ${productId}, which does not exist`);
  if (!product) {
    for (const f of ['product_name', 'price', 'package_id']) if (!(f in input)) throw fail(f, 'is required when no product_id is given');
    if (!state.packages.get(input['package_id'] as number)) throw fail('package_id', `refers to package ${String(input['package_id'])}, which does not exist`);
  }
  const tax = (input['tax'] as number | undefined) ?? (product ? state.taxRate(product) : state.settings.default_vat_rat);
  // Product prices are in the shop's mode; convert when the order states the other mode.
  const convert = (amount: number): number => {
    if (rowsTaxIncluded === state.settings.prices_include_vat) return amount;
    const cents = toCents(amount);
    return rowsTaxIncluded ? fromCents(cents + vatOfNet(cents, tax)) : fromCents(cents - vatOfGross(cents, tax));
  };
  const row: OrderRowRec = {
    id: state.orderRows.allocateId(),
    order_id: orderId,
    product_id: product ? product.id : null,
    product_type: (input['product_type'] as string | undefined) ?? 'product',
    product_name: (input['product_name'] as string | undefined) ?? product?.name ?? '',
    product_number: (input['product_number'] as string | undefined) ?? product?.productnumber ?? '',
    sub_product_number: combo?.product_number ?? '',
    sub_sku_number: combo?.sku_number ?? '',
    sub_ean_number: combo?.ean_number ?? '',
    count: input['count'] as number,
    price: (input['price'] as number | undefined) ?? (product ? convert(product.price) : 0),
    product_purchase_price: (input['product_purchase_price'] as number | undefined) ?? product?.purchaseprice ?? 0,
    discount: (input['discount'] as number | undefined) ?? (product ? convert(product.discount) : 0),
    tax,
    unit: (input['unit'] as string | undefined) ?? product?.unit ?? 'stuk',
    weight: (input['weight'] as number | undefined) ?? product?.weight ?? 0,
    memo: (input['memo'] as string | undefined) ?? '',
    package_id: (input['package_id'] as number | undefined) ?? product?.package_id ?? null,
    attributes: [],
    combination_id: combo ? combo.id : null,
  };
  if (combo) {
    const pavs = state.productAttributeValues.by('product', combo.product_id);
    for (const vid of combo.value_ids) {
      const v = state.attributeValues.get(vid);
      if (!v) continue;
      const extra = pavs.find((p) => p.value_id === vid)?.price ?? 0;
      row.attributes.push({
        id: state.nextRowAttributeId++, option_name: state.attributes.get(v.attribute_id)?.name ?? '', value_name: v.name,
        price: 'price' in input ? 0 : convert(extra),
      });
    }
  }
  return row;
}
