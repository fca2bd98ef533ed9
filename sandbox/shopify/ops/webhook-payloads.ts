// REST-shaped (snake_case) webhook payloads, like Shopify's examples for each topic, built from the sandbox's
// records. Numeric ids are `RawInt`s: `toJsonText` writes them as bare digits, so an id beyond 2^53 keeps every
// digit in the JSON text (a receiver must parse it with a big-number-aware parser to keep them).
import { createHash } from 'node:crypto';
import type { SandboxCore } from '../core.js';
import { parseGid } from '../gid.js';
import { countryName, fullName } from './addresses.js';
import type { AddressFields } from './addresses.js';
import { BT } from './companies.js';
import { addressesOf, CT } from './customers.js';
import type { CustomerRec } from './customers.js';
import { levelGid } from './inventory.js';
import { levelKey, T } from './model.js';
import type { InventoryItemRec, ProductRec, VariantRec } from './model.js';
import { fmt, OT, totalsOf } from './orders.js';
import type { LineItemRec, OrderRec, OrderTaxLineRec } from './orders.js';
import { variantsOf, variantTitle } from './products.js';

/** A JSON integer kept as its decimal digits. */
export class RawInt {
  constructor(readonly digits: string) {}
  toString(): string {
    return this.digits;
  }
}

export type Payload = { [k: string]: PayloadValue };
export type PayloadValue = string | number | boolean | null | RawInt | PayloadValue[] | Payload;

/** JSON text with RawInt values written as bare digits. */
export function toJsonText(v: PayloadValue): string {
  if (v === null) return 'null';
  if (v instanceof RawInt) return v.digits;
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(',')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${toJsonText(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

/** The same value with RawInts as strings (for webhook filters). */
export function plain(v: PayloadValue): unknown {
  if (v instanceof RawInt) return v.digits;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

const idOf = (g: string | null | undefined): RawInt | null => {
  const p = g ? parseGid(g) : null;
  return p ? new RawInt(p.id) : null;
};
const req = (g: string): RawInt => new RawInt(parseGid(g)!.id);

/** An ISO timestamp in the shop's time zone with its offset, as REST payloads carry them. */
export function shopTime(core: SandboxCore, iso: string | null | undefined): string | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const tz = core.state.shop.ianaTimezone;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMin = Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const off = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${off}`;
}

function moneySet(currency: string, amount: string): Payload {
  const m = { amount, currency_code: currency };
  return { shop_money: m, presentment_money: { ...m } };
}

const tagString = (tags: readonly string[]) => tags.join(', ');

// ---- customers

function customerAddress(a: AddressFields & { id: string }, customerId: string, isDefault: boolean): Payload {
  return {
    id: req(a.id),
    customer_id: req(customerId),
    first_name: a.firstName,
    last_name: a.lastName,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.provinceCode,
    country: countryName(a.countryCode),
    zip: a.zip,
    phone: a.phone,
    name: fullName(a.firstName, a.lastName),
    province_code: a.provinceCode,
    country_code: a.countryCode,
    country_name: countryName(a.countryCode),
    default: isDefault,
  };
}

function marketing(core: SandboxCore, c: CustomerRec): { email: Payload; sms: Payload | null } {
  return {
    email: { state: c.emailMarketing.state.toLowerCase(), opt_in_level: (c.emailMarketing.optInLevel ?? 'single_opt_in').toLowerCase(), consent_updated_at: shopTime(core, c.emailMarketing.updatedAt) },
    sms: c.phone ? { state: c.smsMarketing.state.toLowerCase(), opt_in_level: c.smsMarketing.optInLevel.toLowerCase(), consent_updated_at: shopTime(core, c.smsMarketing.updatedAt), consent_collected_from: 'OTHER' } : null,
  };
}

function customerCore(core: SandboxCore, c: CustomerRec): Payload {
  const def = c.defaultAddressId ? CT.addresses(core.state).get(c.defaultAddressId) : undefined;
  const m = marketing(core, c);
  return {
    id: req(c.id),
    email: c.email,
    created_at: shopTime(core, c.createdAt),
    updated_at: shopTime(core, c.updatedAt),
    first_name: c.firstName,
    last_name: c.lastName,
    state: c.state.toLowerCase(),
    note: c.note,
    verified_email: c.verifiedEmail,
    multipass_identifier: c.multipassIdentifier,
    tax_exempt: c.taxExempt,
    phone: c.phone,
    email_marketing_consent: m.email,
    sms_marketing_consent: m.sms,
    tags: tagString(c.tags),
    currency: core.state.shop.currencyCode,
    tax_exemptions: c.taxExemptions,
    admin_graphql_api_id: c.id,
    default_address: def ? customerAddress(def, c.id, true) : null,
  };
}

export function customerPayload(core: SandboxCore, id: string): Payload | null {
  const c = CT.customers(core.state).get(id);
  if (!c) return null;
  return { ...customerCore(core, c), addresses: addressesOf(core.state, c).map((a) => customerAddress(a, c.id, a.id === c.defaultAddressId)) };
}

// ---- products

function optionValueName(p: ProductRec, v: VariantRec, i: number): string | null {
  const o = p.options[i];
  if (!o) return null;
  return o.values.find((x) => x.id === v.optionValueIds[i])?.name ?? null;
}

function available(core: SandboxCore, itemId: string): number {
  let n = 0;
  for (const l of T.locations(core.state).values()) {
    const lv = T.inventoryLevels(core.state).get(levelKey(itemId, l.id));
    if (lv?.isActive) n += lv.quantities.available;
  }
  return n;
}

function grams(item: InventoryItemRec | undefined): number {
  if (!item?.weight) return 0;
  const f: Record<string, number> = { GRAMS: 1, KILOGRAMS: 1000, OUNCES: 28.349523125, POUNDS: 453.59237 };
  return Math.round(item.weight.value * (f[item.weight.unit] ?? 1));
}

function variantPayload(core: SandboxCore, p: ProductRec, v: VariantRec): Payload {
  const item = T.inventoryItems(core.state).get(v.inventoryItemId);
  const qty = available(core, v.inventoryItemId);
  return {
    admin_graphql_api_id: v.id,
    barcode: v.barcode,
    compare_at_price: v.compareAtPrice,
    created_at: shopTime(core, v.createdAt),
    fulfillment_service: 'manual',
    grams: grams(item),
    id: req(v.id),
    image_id: null,
    inventory_item_id: idOf(v.inventoryItemId),
    inventory_management: item?.tracked ? 'shopify' : null,
    inventory_policy: v.inventoryPolicy.toLowerCase(),
    inventory_quantity: qty,
    old_inventory_quantity: qty,
    option1: optionValueName(p, v, 0),
    option2: optionValueName(p, v, 1),
    option3: optionValueName(p, v, 2),
    position: p.variantIds.indexOf(v.id) + 1,
    price: v.price,
    product_id: req(p.id),
    requires_shipping: item?.requiresShipping ?? true,
    sku: item?.sku ?? null,
    taxable: v.taxable,
    title: variantTitle(p, v),
    updated_at: shopTime(core, v.updatedAt),
    weight: item?.weight?.value ?? 0,
    weight_unit: item?.weight ? ({ GRAMS: 'g', KILOGRAMS: 'kg', OUNCES: 'oz', POUNDS: 'lb' } as Record<string, string>)[item.weight.unit] ?? 'kg' : 'kg',
  };
}

export function productPayload(core: SandboxCore, id: string): Payload | null {
  const p = T.products(core.state).get(id);
  if (!p) return null;
  const vs = variantsOf(core.state, p);
  const online = [...T.publications(core.state).values()].find((x) => x.name === 'Online Store');
  return {
    admin_graphql_api_id: p.id,
    body_html: p.descriptionHtml,
    category: null,
    created_at: shopTime(core, p.createdAt),
    handle: p.handle,
    has_variants_that_requires_components: vs.some((v) => v.requiresComponents),
    id: req(p.id),
    // The sandbox has no product media: Shopify sends `image: null` and empty lists then.
    image: null,
    images: [],
    media: [],
    options: p.options.map((o) => ({ id: req(o.id), name: o.name, position: o.position, product_id: req(p.id), values: o.values.map((x) => x.name) })),
    product_type: p.productType,
    published_at: online ? shopTime(core, p.publications[online.id]) : null,
    published_scope: 'global',
    status: p.status.toLowerCase(),
    tags: tagString(p.tags),
    template_suffix: p.templateSuffix,
    title: p.title,
    updated_at: shopTime(core, p.updatedAt),
    // Full variants for the first 100, the rest only as ids (as Shopify does).
    variant_gids: vs.map((v) => ({ admin_graphql_api_id: v.id, updated_at: shopTime(core, v.updatedAt) })),
    variants: vs.slice(0, 100).map((v) => variantPayload(core, p, v)),
    vendor: p.vendor,
  };
}

// ---- inventory

export function inventoryLevelPayload(core: SandboxCore, detail: Record<string, unknown> | undefined): Payload | null {
  const itemId = typeof detail?.inventoryItemId === 'string' ? detail.inventoryItemId : null;
  const locationId = typeof detail?.locationId === 'string' ? detail.locationId : null;
  if (!itemId || !locationId) return null;
  const lv = T.inventoryLevels(core.state).get(levelKey(itemId, locationId));
  if (!lv) return null;
  return {
    inventory_item_id: req(itemId),
    location_id: req(locationId),
    available: lv.isActive ? lv.quantities.available : null,
    updated_at: shopTime(core, lv.updatedAt),
    admin_graphql_api_id: levelGid(lv),
  };
}

export function inventoryItemPayload(core: SandboxCore, id: string): Payload | null {
  const item = T.inventoryItems(core.state).get(id);
  if (!item) return null;
  return {
    id: req(item.id),
    sku: item.sku,
    created_at: shopTime(core, item.createdAt),
    updated_at: shopTime(core, item.updatedAt),
    requires_shipping: item.requiresShipping,
    cost: item.unitCost,
    country_code_of_origin: item.countryCodeOfOrigin,
    province_code_of_origin: item.provinceCodeOfOrigin,
    harmonized_system_code: item.harmonizedSystemCode,
    tracked: item.tracked,
    country_harmonized_system_codes: [],
    weight_value: item.weight?.value ?? 0,
    weight_unit: item.weight ? ({ GRAMS: 'g', KILOGRAMS: 'kg', OUNCES: 'oz', POUNDS: 'lb' } as Record<string, string>)[item.weight.unit] ?? 'kg' : 'kg',
    admin_graphql_api_id: item.id,
  };
}

// ---- orders

function orderAddress(a: (AddressFields & { id: string }) | null): Payload | null {
  if (!a) return null;
  return {
    first_name: a.firstName,
    address1: a.address1,
    phone: a.phone,
    city: a.city,
    zip: a.zip,
    province: a.provinceCode,
    country: countryName(a.countryCode),
    last_name: a.lastName,
    address2: a.address2,
    company: a.company,
    latitude: null,
    longitude: null,
    name: fullName(a.firstName, a.lastName),
    country_code: a.countryCode,
    province_code: a.provinceCode,
  };
}

function taxLines(o: OrderRec, lines: OrderTaxLineRec[]): Payload[] {
  return lines.map((t) => ({ price: t.amount, rate: Number(t.rate), title: t.title, price_set: moneySet(o.currencyCode, t.amount), channel_liable: t.channelLiable ?? false }));
}

function lineItem(core: SandboxCore, o: OrderRec, l: LineItemRec): Payload {
  const item = l.variantId ? T.inventoryItems(core.state).get(T.variants(core.state).get(l.variantId)?.inventoryItemId ?? '') : undefined;
  const unfulfilled = Math.max(0, l.currentQuantity - l.fulfilledQuantity);
  return {
    id: req(l.id),
    admin_graphql_api_id: l.id,
    attributed_staffs: [],
    current_quantity: l.currentQuantity,
    fulfillable_quantity: unfulfilled,
    fulfillment_service: 'manual',
    fulfillment_status: unfulfilled === 0 ? 'fulfilled' : l.fulfilledQuantity > 0 ? 'partial' : null,
    gift_card: l.giftCard,
    grams: l.grams ?? 0,
    name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
    price: l.price,
    price_set: moneySet(o.currencyCode, l.price),
    product_exists: l.productId !== null && T.products(core.state).has(l.productId),
    product_id: idOf(l.productId),
    properties: l.properties.map((p) => ({ name: p.name, value: p.value })),
    quantity: l.quantity,
    requires_shipping: l.requiresShipping,
    sales_line_item_group_id: null,
    sku: l.sku,
    taxable: l.taxable,
    title: l.title,
    total_discount: l.discount,
    total_discount_set: moneySet(o.currencyCode, l.discount),
    variant_id: idOf(l.variantId),
    variant_inventory_management: item?.tracked ? 'shopify' : null,
    variant_title: l.variantTitle,
    vendor: l.vendor,
    tax_lines: taxLines(o, l.taxLines),
    duties: [],
    discount_allocations: [],
  };
}

function token(id: string, salt: string): string {
  return createHash('sha256').update(`${salt}|${id}`).digest('hex').slice(0, 32);
}

export function orderPayload(core: SandboxCore, id: string): Payload | null {
  const o = OT.orders(core.state).get(id);
  if (!o) return null;
  const t = totalsOf(o);
  const cur = o.currencyCode;
  const set = (c: bigint) => moneySet(cur, fmt(c));
  const customer = o.customerId ? CT.customers(core.state).get(o.customerId) : undefined;
  const shop = core.state.shop;
  const number = new RawInt(String(o.number));
  const agg = new Map<string, OrderTaxLineRec>();
  for (const tl of [...o.lineItems.flatMap((l) => l.taxLines), ...o.shippingLines.flatMap((s) => s.taxLines)]) {
    const k = `${tl.title}\u0000${Number(tl.rate)}`;
    const prev = agg.get(k);
    agg.set(k, prev ? { ...prev, amount: fmt(BigInt(prev.amount.replace('.', '')) + BigInt(tl.amount.replace('.', ''))) } : { ...tl });
  }
  return {
    id: req(o.id),
    admin_graphql_api_id: o.id,
    app_id: null,
    browser_ip: null,
    buyer_accepts_marketing: o.buyerAcceptsMarketing,
    cancel_reason: o.cancelReason ? o.cancelReason.toLowerCase() : null,
    cancelled_at: shopTime(core, o.cancelledAt),
    cart_token: null,
    checkout_token: null,
    client_details: null,
    closed_at: shopTime(core, o.closedAt),
    company: o.companyId && o.companyLocationId ? { id: req(o.companyId), location_id: req(o.companyLocationId) } : null,
    confirmation_number: token(o.id, 'confirmation').slice(0, 9).toUpperCase(),
    confirmed: true,
    contact_email: o.email,
    created_at: shopTime(core, o.createdAt),
    currency: cur,
    current_shipping_price_set: set(t.shipping),
    current_subtotal_price: fmt(t.subtotal),
    current_subtotal_price_set: set(t.subtotal),
    current_total_additional_fees_set: null,
    current_total_discounts: fmt(t.discounts),
    current_total_discounts_set: set(t.discounts),
    current_total_duties_set: null,
    current_total_price: fmt(t.total),
    current_total_price_set: set(t.total),
    current_total_tax: fmt(t.tax),
    current_total_tax_set: set(t.tax),
    customer_locale: null,
    device_id: null,
    discount_applications: [],
    discount_codes: o.discountCodes.map((code) => ({ code, amount: fmt(t.discounts), type: 'fixed_amount' })),
    duties_included: false,
    email: o.email,
    estimated_taxes: false,
    financial_status: o.financialStatus.toLowerCase(),
    fulfillment_status: o.fulfillmentStatus === 'FULFILLED' ? 'fulfilled' : o.fulfillmentStatus === 'PARTIALLY_FULFILLED' ? 'partial' : o.fulfillmentStatus === 'RESTOCKED' ? 'restocked' : null,
    landing_site: null,
    landing_site_ref: null,
    location_id: null,
    merchant_business_entity_id: Buffer.from(`MerchantBusinessEntity/${parseGid(shop.id)!.id}`).toString('base64'),
    merchant_of_record_app_id: null,
    name: o.name,
    note: o.note,
    note_attributes: o.customAttributes.map((a) => ({ name: a.key, value: a.value })),
    number: new RawInt(String(o.number - 1000)),
    order_number: number,
    order_status_url: `https://${shop.myshopifyDomain}/${parseGid(shop.id)!.id}/orders/${token(o.id, 'status')}/authenticate?key=${token(o.id, 'key')}`,
    original_total_additional_fees_set: null,
    original_total_duties_set: null,
    payment_gateway_names: [...new Set(o.transactions.map((x) => x.gateway).filter((g): g is string => !!g))],
    payment_terms: null,
    phone: o.phone,
    po_number: o.poNumber,
    presentment_currency: cur,
    processed_at: shopTime(core, o.processedAt),
    reference: null,
    referring_site: null,
    source_identifier: o.sourceIdentifier,
    source_name: o.sourceName,
    source_url: o.sourceUrl,
    subtotal_price: fmt(t.subtotal),
    subtotal_price_set: set(t.subtotal),
    tags: tagString(o.tags),
    tax_exempt: false,
    tax_lines: taxLines(o, [...agg.values()]),
    taxes_included: o.taxesIncluded,
    test: o.test,
    token: token(o.id, 'token'),
    total_cash_rounding_payment_adjustment_set: set(0n),
    total_cash_rounding_refund_adjustment_set: set(0n),
    total_discounts: fmt(t.discounts),
    total_discounts_set: set(t.discounts),
    total_line_items_price: fmt(t.lineItems),
    total_line_items_price_set: set(t.lineItems),
    total_outstanding: fmt(t.outstanding),
    total_price: fmt(t.total),
    total_price_set: set(t.total),
    total_shipping_price_set: set(t.shipping),
    total_tax: fmt(t.tax),
    total_tax_set: set(t.tax),
    total_tip_received: '0.00',
    total_weight: o.lineItems.reduce((k, l) => k + (l.grams ?? 0) * l.quantity, 0),
    updated_at: shopTime(core, o.updatedAt),
    user_id: null,
    billing_address: orderAddress(o.billingAddress),
    customer: customer ? customerCore(core, customer) : null,
    fulfillments: [],
    line_item_groups: [],
    line_items: o.lineItems.map((l) => lineItem(core, o, l)),
    refunds: [],
    returns: [],
    shipping_address: orderAddress(o.shippingAddress),
    shipping_lines: o.shippingLines.map((s) => ({
      id: req(s.id),
      carrier_identifier: null,
      code: s.code,
      current_discounted_price_set: moneySet(cur, s.price),
      discounted_price: s.price,
      discounted_price_set: moneySet(cur, s.price),
      is_removed: false,
      phone: null,
      price: s.price,
      price_set: moneySet(cur, s.price),
      requested_fulfillment_service_id: null,
      source: s.source,
      title: s.title,
      tax_lines: taxLines(o, s.taxLines),
      discount_allocations: [],
    })),
  };
}

// ---- companies

export function companyPayload(core: SandboxCore, id: string): Payload | null {
  const c = BT.companies(core.state).get(id);
  if (!c) return null;
  return {
    name: c.name,
    note: c.note,
    external_id: c.externalId,
    main_contact_admin_graphql_api_id: c.mainContactId,
    created_at: shopTime(core, c.createdAt),
    updated_at: shopTime(core, c.updatedAt),
    customer_since: shopTime(core, c.customerSince),
    admin_graphql_api_id: c.id,
  };
}
