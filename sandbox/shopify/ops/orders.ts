// Orders: orderCreate with the reference's input shapes, orders(query:) / order(id:) / orderByIdentifier,
// Customer.orders, and the `/__sandbox/orders/online` and `/__sandbox/edit/order` test endpoints.
//
// orderCreate semantics (see README): lines link to the catalogue only through variantId / productId (a SKU-only
// line is a custom line); `customer { toAssociate | toUpsert }` (with the deprecated customerId as well:
// REDUNDANT_CUSTOMER_FIELDS); tax lines on the order or on the lines, never both (order-level ones are split over
// the taxable lines); the financial status derives from the transactions unless `financialStatus` is given; a
// future processedAt is clamped to now (2026-07 and later); inventoryBehaviour BYPASS (default) claims nothing,
// DECREMENT_* take stock (available down; committed up while unfulfilled); metafields (an `id`-type ORDER
// definition makes orderByIdentifier(customId) work; a taken unique value is a userError); a dev store accepts
// 5 orderCreate per minute.
import { GraphQLError } from 'graphql';
import type { RequestContext } from '../context.js';
import type { SandboxCore } from '../core.js';
import { isoSeconds } from '../core.js';
import { countView, paginate } from '../connection.js';
import type { PageArgs, SortTuple } from '../connection.js';
import { RATE_LIMIT_DOCS } from '../graphql.js';
import { gid, parseGid } from '../gid.js';
import type { Registry } from '../registry.js';
import { SandboxInputError, unsupported } from '../registry.js';
import { DEFAULT_VERSION, loadSchema } from '../schema.js';
import { CompiledSearch } from '../search.js';
import type { SearchDoc, SearchSpec } from '../search.js';
import type { SandboxState, Table } from '../state.js';
import { addressFromInput, addressProblems, mailingAddressView, registerAddressInput, sameAddress } from './addresses.js';
import type { AddressFields, MailingAddressInputLike } from './addresses.js';
import { BT, companyView, contactView, locationView, registerCompanyLocationStats } from './companies.js';
import { gidOf, money, normalizeTags, requireSortKey, userError, validateTags } from './common.js';
import type { UserErrorView } from './common.js';
import { addAddress, CT, customerByEmail, customerTouched, customerView, registerCustomerStats, upsertCustomer, upsertProblems } from './customers.js';
import type { CustomerRec } from './customers.js';
import { activateLevel, levelChanged, levelsOfItem, setQuantity } from './inventory.js';
import { levelKey, T } from './model.js';
import type { InventoryLevelRec } from './model.js';
import { applyMetafield, customIdProblem, findOwnerByCustomId, metafieldsOf, planMetafield, registerHasMetafields } from './metafields.js';
import type { MetafieldInputLike, MetafieldWrite } from './metafields.js';
import { productView, variantTitle, variantView } from './products.js';
import { registerTaggable } from './tags.js';

// ---------------------------------------------------------------------------------------------
// Records (money: decimal strings with 2 decimals, shop currency)

export interface OrderTaxLineRec {
  title: string;
  rate: string;
  amount: string;
  channelLiable: boolean | null;
}

export interface LineItemRec {
  id: string;
  variantId: string | null;
  productId: string | null;
  sku: string | null;
  title: string;
  variantTitle: string | null;
  vendor: string | null;
  quantity: number;
  currentQuantity: number;
  /** Unit price before discounts. */
  price: string;
  /** Discount allocated to the whole line (order-level discount code). */
  discount: string;
  taxable: boolean;
  requiresShipping: boolean;
  giftCard: boolean;
  taxLines: OrderTaxLineRec[];
  properties: { name: string; value: string }[];
  fulfilledQuantity: number;
  grams: number | null;
  /** Stock taken for this line (inventoryBehaviour DECREMENT_*). */
  claim: { itemId: string; locationId: string; quantity: number; committed: boolean } | null;
}

export interface ShippingLineRec {
  id: string;
  title: string;
  code: string | null;
  source: string | null;
  price: string;
  taxLines: OrderTaxLineRec[];
}

export interface TransactionRec {
  id: string;
  kind: string;
  status: string;
  gateway: string | null;
  amount: string;
  authorizationCode: string | null;
  processedAt: string;
  createdAt: string;
  test: boolean;
  locationId: string | null;
}

export type OrderAddressRec = AddressFields & { id: string };

export interface OrderRec {
  id: string;
  number: number;
  name: string;
  email: string | null;
  phone: string | null;
  createdAt: string;
  updatedAt: string;
  processedAt: string;
  closedAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  test: boolean;
  sourceName: string | null;
  sourceIdentifier: string | null;
  sourceUrl: string | null;
  tags: string[];
  note: string | null;
  poNumber: string | null;
  currencyCode: string;
  taxesIncluded: boolean;
  /** OrderDisplayFinancialStatus. */
  financialStatus: string;
  /** Given explicitly at creation: kept until a later payment recomputes it. */
  financialStatusExplicit: boolean;
  /** OrderDisplayFulfillmentStatus. */
  fulfillmentStatus: 'UNFULFILLED' | 'FULFILLED' | 'PARTIALLY_FULFILLED' | 'RESTOCKED';
  customerId: string | null;
  companyId: string | null;
  companyLocationId: string | null;
  companyContactId: string | null;
  billingAddress: OrderAddressRec | null;
  shippingAddress: OrderAddressRec | null;
  lineItems: LineItemRec[];
  shippingLines: ShippingLineRec[];
  transactions: TransactionRec[];
  customAttributes: { key: string; value: string }[];
  discountCodes: string[];
  /** Discount on the shipping lines (free-shipping code). */
  shippingDiscount: string;
  buyerAcceptsMarketing: boolean;
  inventoryBehaviour: string;
}

export const OT = {
  orders: (s: SandboxState): Table<OrderRec> => s.table<OrderRec>('orders'),
};

// ---------------------------------------------------------------------------------------------
// Money and tax arithmetic (integer cents)

export function cents(amount: string): bigint {
  const m = money(amount);
  if (m === null) throw new Error(`not a money amount: ${amount}`);
  return BigInt(m.replace('.', ''));
}

export function fmt(c: bigint): string {
  const neg = c < 0n;
  const abs = (neg ? -c : c).toString().padStart(3, '0');
  return `${neg ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`;
}

/** round(a / b) half away from zero, b > 0. */
function divRound(a: bigint, b: bigint): bigint {
  const neg = a < 0n;
  const x = neg ? -a : a;
  const q = (2n * x + b) / (2n * b);
  return neg ? -q : q;
}

function rational(rate: string): { num: bigint; den: bigint } {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(rate.trim());
  if (!m) throw new Error(`not a decimal: ${rate}`);
  const frac = m[3] ?? '';
  const num = BigInt(`${m[2]}${frac}`) * (m[1] === '-' ? -1n : 1n);
  return { num, den: 10n ** BigInt(frac.length) };
}

/** Tax in cents on `base` cents at `rate`: included in the base (taxesIncluded) or on top of it. */
export function taxOn(base: bigint, rate: string, included: boolean): bigint {
  const { num, den } = rational(rate);
  return included ? divRound(base * num, den + num) : divRound(base * num, den);
}

/** Splits `total` over `weights` proportionally (largest remainder); all-zero weights split evenly. */
function split(total: bigint, weights: bigint[]): bigint[] {
  if (weights.length === 0) return [];
  const sum = weights.reduce((a, b) => a + b, 0n);
  const w = sum === 0n ? weights.map(() => 1n) : weights;
  const s = sum === 0n ? BigInt(weights.length) : sum;
  const parts = w.map((x) => (total * x) / s);
  let rest = total - parts.reduce((a, b) => a + b, 0n);
  const order = w.map((x, i) => ({ i, rem: (total * x) % s })).sort((a, b) => (b.rem > a.rem ? 1 : b.rem < a.rem ? -1 : a.i - b.i));
  for (const { i } of order) {
    if (rest === 0n) break;
    parts[i]! += rest > 0n ? 1n : -1n;
    rest += rest > 0n ? -1n : 1n;
  }
  return parts;
}

export interface OrderTotals {
  lineItems: bigint;
  discounts: bigint;
  subtotal: bigint;
  shipping: bigint;
  tax: bigint;
  total: bigint;
  received: bigint;
  refunded: bigint;
  outstanding: bigint;
}

export function totalsOf(o: OrderRec): OrderTotals {
  const lineItems = o.lineItems.reduce((n, l) => n + cents(l.price) * BigInt(l.quantity), 0n);
  const discounts = o.lineItems.reduce((n, l) => n + cents(l.discount), 0n) + cents(o.shippingDiscount);
  const subtotal = lineItems - o.lineItems.reduce((n, l) => n + cents(l.discount), 0n);
  const shipping = o.shippingLines.reduce((n, s) => n + cents(s.price), 0n) - cents(o.shippingDiscount);
  const tax = [...o.lineItems.flatMap((l) => l.taxLines), ...o.shippingLines.flatMap((s) => s.taxLines)].reduce((n, t) => n + cents(t.amount), 0n);
  const total = subtotal + shipping + (o.taxesIncluded ? 0n : tax);
  const ok = o.transactions.filter((t) => t.status === 'SUCCESS');
  const received = ok.filter((t) => t.kind === 'SALE' || t.kind === 'CAPTURE').reduce((n, t) => n + cents(t.amount), 0n);
  const refunded = ok.filter((t) => t.kind === 'REFUND').reduce((n, t) => n + cents(t.amount), 0n);
  return { lineItems, discounts, subtotal, shipping, tax, total, received, refunded, outstanding: total - received + refunded };
}

/** OrderDisplayFinancialStatus from the transactions. */
export function derivedFinancialStatus(o: OrderRec): string {
  const t = totalsOf(o);
  const ok = o.transactions.filter((x) => x.status === 'SUCCESS');
  if (t.refunded > 0n) return t.refunded >= t.received ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  if (t.received > 0n) return t.received >= t.total ? 'PAID' : 'PARTIALLY_PAID';
  const authorized = ok.filter((x) => x.kind === 'AUTHORIZATION' || x.kind === 'EMV_AUTHORIZATION').reduce((n, x) => n + cents(x.amount), 0n);
  const voided = ok.some((x) => x.kind === 'VOID');
  if (authorized > 0n) return voided ? 'VOIDED' : 'AUTHORIZED';
  if (t.total === 0n) return 'PAID';
  return 'PENDING';
}

// ---------------------------------------------------------------------------------------------
// Search

export const ORDER_SEARCH: SearchSpec = {
  fields: {
    id: 'id',
    name: 'keyword',
    email: 'email',
    financial_status: 'keyword',
    fulfillment_status: 'keyword',
    status: 'keyword',
    source_identifier: 'keyword',
    source_name: 'keyword',
    tag: 'keyword',
    tag_not: 'keyword_not',
    sku: 'text',
    created_at: 'date',
    updated_at: 'date',
    processed_at: 'date',
    test: 'boolean',
    customer_id: 'id',
    company_id: 'id',
    company_location_id: 'id',
    po_number: 'keyword',
    gateway: 'keyword',
    discount_code: 'keyword',
  },
  negates: { tag_not: 'tag' },
  prefixes: { 'metafields.': 'keyword' },
  defaultFields: ['name', 'email', 'sku', 'tag'],
};

const FULFILLMENT_SEARCH_VALUES: Record<OrderRec['fulfillmentStatus'], string[]> = {
  UNFULFILLED: ['unfulfilled', 'unshipped'],
  FULFILLED: ['fulfilled', 'shipped'],
  PARTIALLY_FULFILLED: ['partial', 'partially_fulfilled'],
  RESTOCKED: ['restocked'],
};

function orderDocument(core: SandboxCore, id: string): SearchDoc | null {
  const o = OT.orders(core.state).get(id);
  if (!o) return null;
  const status = o.cancelledAt ? ['cancelled', 'closed'] : o.closedAt ? ['closed'] : ['open', 'not_closed'];
  const doc: SearchDoc = {
    id: o.id,
    name: [o.name, o.name.replace(/^#/, '')],
    email: o.email,
    financial_status: o.financialStatus.toLowerCase(),
    fulfillment_status: FULFILLMENT_SEARCH_VALUES[o.fulfillmentStatus],
    status,
    source_identifier: o.sourceIdentifier,
    source_name: o.sourceName,
    tag: o.tags,
    sku: o.lineItems.map((l) => l.sku).filter((s): s is string => !!s),
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    processed_at: o.processedAt,
    test: o.test,
    customer_id: o.customerId,
    company_id: o.companyId,
    company_location_id: o.companyLocationId,
    po_number: o.poNumber,
    gateway: [...new Set(o.transactions.map((t) => t.gateway).filter((g): g is string => !!g))],
    discount_code: o.discountCodes,
  };
  for (const m of metafieldsOf(core.state, o.id)) doc[`metafields.${m.namespace}.${m.key}`] = m.value;
  return doc;
}

/** After an order changed: updatedAt, index, orders/updated (and orders/paid when it just became paid). */
export function orderTouched(core: SandboxCore, o: OrderRec, wasPaid: boolean): void {
  o.updatedAt = core.nowIso();
  core.touch('Order', o.id);
  if (o.customerId) core.touch('Customer', o.customerId);
  core.emit('orders/updated', o.id);
  if (!wasPaid && o.financialStatus === 'PAID') core.emit('orders/paid', o.id);
}

// ---------------------------------------------------------------------------------------------
// Views

function n(id: string): string {
  return parseGid(id)!.id;
}

function bag(o: OrderRec, amount: string) {
  const m = { __typename: 'MoneyV2', amount, currencyCode: o.currencyCode };
  return { __typename: 'MoneyBag', shopMoney: m, presentmentMoney: m };
}

function moneyV2(o: OrderRec, amount: string) {
  return { __typename: 'MoneyV2', amount, currencyCode: o.currencyCode };
}

function taxLineView(o: OrderRec, t: OrderTaxLineRec) {
  const rate = Number(t.rate);
  return { __typename: 'TaxLine', title: t.title, rate, ratePercentage: Math.round(rate * 1e6) / 1e4, priceSet: bag(o, t.amount), price: t.amount, channelLiable: t.channelLiable, source: null };
}

/** Order-level tax lines: the line and shipping tax lines summed per title and rate. */
function aggregateTaxLines(o: OrderRec): OrderTaxLineRec[] {
  const out = new Map<string, OrderTaxLineRec>();
  for (const t of [...o.lineItems.flatMap((l) => l.taxLines), ...o.shippingLines.flatMap((s) => s.taxLines)]) {
    const k = `${t.title}\u0000${Number(t.rate)}`;
    const prev = out.get(k);
    out.set(k, prev ? { ...prev, amount: fmt(cents(prev.amount) + cents(t.amount)) } : { ...t });
  }
  return [...out.values()];
}

function formattedGateway(g: string | null): string | null {
  if (!g) return null;
  const s = g.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function transactionView(core: SandboxCore, o: OrderRec, t: TransactionRec) {
  return {
    __typename: 'OrderTransaction',
    id: t.id,
    kind: t.kind,
    status: t.status,
    gateway: t.gateway,
    formattedGateway: formattedGateway(t.gateway),
    amountSet: bag(o, t.amount),
    amount: t.amount,
    amountV2: moneyV2(o, t.amount),
    authorizationCode: t.authorizationCode,
    processedAt: t.processedAt,
    createdAt: t.createdAt,
    test: t.test,
    errorCode: null,
    manualPaymentGateway: true,
    manuallyCapturable: false,
    multiCapturable: false,
    parentTransaction: null,
    paymentId: null,
    receiptJson: null,
    accountNumber: null,
    fees: [],
    location: () => {
      const l = t.locationId ? T.locations(core.state).get(t.locationId) : undefined;
      return l ? { __typename: 'Location', id: l.id, name: l.name } : null;
    },
    order: () => orderView(core, o),
  };
}

function lineItemView(core: SandboxCore, o: OrderRec, l: LineItemRec) {
  const perUnitDiscount = l.quantity > 0 ? divRound(cents(l.discount), BigInt(l.quantity)) : 0n;
  const discountedUnit = fmt(cents(l.price) - perUnitDiscount);
  const total = fmt(cents(l.price) * BigInt(l.quantity));
  const discountedTotal = fmt(cents(l.price) * BigInt(l.quantity) - cents(l.discount));
  const unfulfilled = Math.max(0, l.currentQuantity - l.fulfilledQuantity);
  return {
    __typename: 'LineItem',
    id: l.id,
    sku: l.sku,
    title: l.title,
    variantTitle: l.variantTitle,
    name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
    vendor: l.vendor,
    quantity: l.quantity,
    currentQuantity: l.currentQuantity,
    refundableQuantity: l.currentQuantity,
    unfulfilledQuantity: unfulfilled,
    fulfillableQuantity: unfulfilled,
    nonFulfillableQuantity: 0,
    fulfillmentStatus: unfulfilled === 0 ? 'fulfilled' : l.fulfilledQuantity > 0 ? 'partial' : 'unfulfilled',
    taxable: l.taxable,
    requiresShipping: l.requiresShipping,
    isGiftCard: l.giftCard,
    restockable: l.variantId !== null,
    canRestock: l.variantId !== null,
    merchantEditable: true,
    customAttributes: l.properties.map((p) => ({ __typename: 'Attribute', key: p.name, value: p.value })),
    discountAllocations: [],
    duties: [],
    originalUnitPriceSet: bag(o, l.price),
    originalUnitPrice: l.price,
    originalTotalSet: bag(o, total),
    originalTotal: total,
    discountedUnitPriceSet: bag(o, discountedUnit),
    discountedUnitPrice: discountedUnit,
    discountedUnitPriceAfterAllDiscountsSet: bag(o, discountedUnit),
    discountedTotalSet: bag(o, discountedTotal),
    discountedTotal,
    priceAfterAllDiscountsBeforeTaxesSet: bag(o, discountedTotal),
    totalDiscountSet: bag(o, l.discount),
    totalDiscount: l.discount,
    unfulfilledOriginalTotalSet: bag(o, fmt(cents(l.price) * BigInt(unfulfilled))),
    unfulfilledDiscountedTotalSet: bag(o, fmt(cents(l.price) * BigInt(unfulfilled))),
    weight: l.grams === null ? null : { __typename: 'Weight', value: l.grams, unit: 'GRAMS' },
    image: null,
    sellingPlan: null,
    contract: null,
    lineItemGroup: null,
    staffMember: null,
    taxLines: (args: { first?: number | null }) => l.taxLines.slice(0, args.first ?? undefined).map((t) => taxLineView(o, t)),
    variant: () => {
      const v = l.variantId ? T.variants(core.state).get(l.variantId) : undefined;
      return v ? variantView(core, v) : null;
    },
    product: () => {
      const p = l.productId ? T.products(core.state).get(l.productId) : undefined;
      return p ? productView(core, p) : null;
    },
  };
}

function shippingLineView(o: OrderRec, s: ShippingLineRec) {
  return {
    __typename: 'ShippingLine',
    id: s.id,
    title: s.title,
    code: s.code,
    source: s.source,
    custom: true,
    isRemoved: false,
    carrierIdentifier: null,
    deliveryCategory: null,
    shippingRateHandle: null,
    phone: null,
    discountAllocations: [],
    originalPriceSet: bag(o, s.price),
    originalPrice: moneyV2(o, s.price),
    price: s.price,
    discountedPriceSet: bag(o, s.price),
    discountedPrice: moneyV2(o, s.price),
    currentDiscountedPriceSet: bag(o, s.price),
    taxLines: s.taxLines.map((t) => taxLineView(o, t)),
  };
}

export function orderView(core: SandboxCore, o: OrderRec) {
  const state = core.state;
  const totals = () => totalsOf(o);
  const shop = state.shop.myshopifyDomain;
  return {
    __typename: 'Order',
    id: o.id,
    legacyResourceId: n(o.id),
    name: o.name,
    number: o.number,
    email: o.email,
    phone: o.phone,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    processedAt: o.processedAt,
    closedAt: o.closedAt,
    closed: o.closedAt !== null,
    cancelledAt: o.cancelledAt,
    cancelReason: o.cancelReason,
    test: o.test,
    sourceName: o.sourceName,
    sourceIdentifier: o.sourceIdentifier,
    sourceUrl: o.sourceUrl,
    tags: o.tags,
    note: o.note,
    poNumber: o.poNumber,
    currencyCode: o.currencyCode,
    presentmentCurrencyCode: o.currencyCode,
    taxesIncluded: o.taxesIncluded,
    taxExempt: false,
    dutiesIncluded: false,
    estimatedTaxes: false,
    confirmed: true,
    edited: false,
    customerAcceptsMarketing: o.buyerAcceptsMarketing,
    displayFinancialStatus: o.financialStatus,
    displayFulfillmentStatus: o.fulfillmentStatus,
    discountCode: o.discountCodes[0] ?? null,
    discountCodes: o.discountCodes,
    customAttributes: o.customAttributes.map((a) => ({ __typename: 'Attribute', key: a.key, value: a.value })),
    statusPageUrl: `https://${shop}/${n(o.id)}/orders/${n(o.id)}/authenticate`,
    paymentGatewayNames: [...new Set(o.transactions.map((t) => t.gateway).filter((g): g is string => !!g))],
    fullyPaid: () => totals().outstanding <= 0n,
    unpaid: () => totals().received === 0n,
    requiresShipping: o.lineItems.some((l) => l.requiresShipping),
    fulfillable: () => o.cancelledAt === null && o.lineItems.some((l) => l.currentQuantity > l.fulfilledQuantity),
    subtotalLineItemsQuantity: o.lineItems.reduce((k, l) => k + l.quantity, 0),
    currentSubtotalLineItemsQuantity: o.lineItems.reduce((k, l) => k + l.currentQuantity, 0),
    totalWeight: String(o.lineItems.reduce((k, l) => k + (l.grams ?? 0) * l.quantity, 0)),
    totalPriceSet: () => bag(o, fmt(totals().total)),
    totalPrice: () => fmt(totals().total),
    currentTotalPriceSet: () => bag(o, fmt(totals().total)),
    originalTotalPriceSet: () => bag(o, fmt(totals().total)),
    subtotalPriceSet: () => bag(o, fmt(totals().subtotal)),
    subtotalPrice: () => fmt(totals().subtotal),
    currentSubtotalPriceSet: () => bag(o, fmt(totals().subtotal)),
    totalTaxSet: () => bag(o, fmt(totals().tax)),
    totalTax: () => fmt(totals().tax),
    currentTotalTaxSet: () => bag(o, fmt(totals().tax)),
    totalShippingPriceSet: () => bag(o, fmt(totals().shipping)),
    totalShippingPrice: () => fmt(totals().shipping),
    currentShippingPriceSet: () => bag(o, fmt(totals().shipping)),
    totalDiscountsSet: () => bag(o, fmt(totals().discounts)),
    totalDiscounts: () => fmt(totals().discounts),
    currentTotalDiscountsSet: () => bag(o, fmt(totals().discounts)),
    totalReceivedSet: () => bag(o, fmt(totals().received)),
    totalRefundedSet: () => bag(o, fmt(totals().refunded)),
    totalOutstandingSet: () => bag(o, fmt(totals().outstanding)),
    netPaymentSet: () => bag(o, fmt(totals().received - totals().refunded)),
    totalTipReceivedSet: () => bag(o, '0.00'),
    taxLines: () => aggregateTaxLines(o).map((t) => taxLineView(o, t)),
    currentTaxLines: () => aggregateTaxLines(o).map((t) => taxLineView(o, t)),
    transactions: (args: { first?: number | null; capturable?: boolean | null; manuallyResolvable?: boolean | null }) => {
      if (args.capturable !== undefined && args.capturable !== null) throw unsupported('Order.transactions(capturable:)');
      if (args.manuallyResolvable !== undefined && args.manuallyResolvable !== null) throw unsupported('Order.transactions(manuallyResolvable:)');
      return o.transactions.slice(0, args.first ?? undefined).map((t) => transactionView(core, o, t));
    },
    transactionsCount: () => countView(o.transactions.length),
    lineItems: (args: PageArgs) => paginate(o.lineItems, args, (l) => [n(l.id)], (l) => lineItemView(core, o, l)),
    shippingLines: (args: PageArgs & { includeRemovals?: boolean }) => paginate(o.shippingLines, args, (s) => [n(s.id)], (s) => shippingLineView(o, s)),
    billingAddress: () => (o.billingAddress ? mailingAddressView(o.billingAddress.id, o.billingAddress) : null),
    shippingAddress: () => (o.shippingAddress ? mailingAddressView(o.shippingAddress.id, o.shippingAddress) : null),
    displayAddress: () => {
      const a = o.shippingAddress ?? o.billingAddress;
      return a ? mailingAddressView(a.id, a) : null;
    },
    billingAddressMatchesShippingAddress: () => (o.billingAddress && o.shippingAddress ? sameAddress(o.billingAddress, o.shippingAddress) : o.billingAddress === o.shippingAddress),
    customer: () => {
      const c = o.customerId ? CT.customers(state).get(o.customerId) : undefined;
      return c ? customerView(core, c) : null;
    },
    purchasingEntity: () => {
      if (o.companyLocationId) {
        const company = o.companyId ? BT.companies(state).get(o.companyId) : undefined;
        const location = BT.locations(state).get(o.companyLocationId);
        const contact = o.companyContactId ? BT.contacts(state).get(o.companyContactId) : undefined;
        if (company && location) {
          return {
            __typename: 'PurchasingCompany',
            company: companyView(core, company),
            location: locationView(core, location),
            contact: contact ? contactView(core, contact) : null,
          };
        }
      }
      const c = o.customerId ? CT.customers(state).get(o.customerId) : undefined;
      return c ? customerView(core, c) : null;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// orderCreate

interface MoneyBagInputLike {
  shopMoney: { amount: string; currencyCode: string };
  presentmentMoney?: { amount: string; currencyCode: string } | null;
}

interface TaxLineInputLike {
  title: string;
  rate: string;
  priceSet?: MoneyBagInputLike | null;
  channelLiable?: boolean | null;
}

interface LineItemInputLike {
  variantId?: string | null;
  productId?: string | null;
  sku?: string | null;
  title?: string | null;
  variantTitle?: string | null;
  vendor?: string | null;
  quantity: number;
  priceSet?: MoneyBagInputLike | null;
  taxable?: boolean | null;
  requiresShipping?: boolean | null;
  giftCard?: boolean | null;
  taxLines?: TaxLineInputLike[] | null;
  properties?: { name: string; value: string }[] | null;
  weight?: { value: number; unit: string } | null;
}

interface CustomerAddressInputLike {
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  company?: string | null;
  country?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  province?: string | null;
  zip?: string | null;
}

interface OrderInputLike {
  currency?: string | null;
  presentmentCurrency?: string | null;
  processedAt?: string | null;
  closedAt?: string | null;
  sourceIdentifier?: string | null;
  sourceName?: string | null;
  sourceUrl?: string | null;
  name?: string | null;
  tags?: string[] | null;
  note?: string | null;
  poNumber?: string | null;
  email?: string | null;
  phone?: string | null;
  test?: boolean | null;
  taxesIncluded?: boolean | null;
  buyerAcceptsMarketing?: boolean | null;
  financialStatus?: string | null;
  fulfillmentStatus?: string | null;
  fulfillment?: { locationId: string; notifyCustomer?: boolean | null; trackingCompany?: string | null; trackingNumber?: string | null; trackingNumbers?: string[] | null } | null;
  customerId?: string | null;
  customer?: {
    toAssociate?: { id?: string | null; email?: string | null } | null;
    toUpsert?: { id?: string | null; email?: string | null; firstName?: string | null; lastName?: string | null; phone?: string | null; note?: string | null; tags?: string[] | null; taxExempt?: boolean | null; multipassIdentifier?: string | null; addresses?: CustomerAddressInputLike[] | null } | null;
  } | null;
  companyLocationId?: string | null;
  billingAddress?: MailingAddressInputLike | null;
  shippingAddress?: MailingAddressInputLike | null;
  lineItems?: LineItemInputLike[] | null;
  shippingLines?: { title: string; code?: string | null; source?: string | null; priceSet: MoneyBagInputLike; taxLines?: TaxLineInputLike[] | null }[] | null;
  taxLines?: TaxLineInputLike[] | null;
  transactions?: { amountSet: MoneyBagInputLike; kind?: string | null; status?: string | null; gateway?: string | null; authorizationCode?: string | null; processedAt?: string | null; locationId?: string | null; test?: boolean | null }[] | null;
  customAttributes?: { key: string; value: string }[] | null;
  discountCode?: {
    itemFixedDiscountCode?: { code: string; amountSet?: MoneyBagInputLike | null } | null;
    itemPercentageDiscountCode?: { code: string; percentage?: number | null } | null;
    freeShippingDiscountCode?: { code: string } | null;
  } | null;
  metafields?: MetafieldInputLike[] | null;
}

interface OrderOptionsLike {
  inventoryBehaviour?: string | null;
  sendReceipt?: boolean | null;
  sendFulfillmentReceipt?: boolean | null;
}

const ORDER_MF_CODES = { blank: 'INVALID', invalidType: 'INVALID', invalidValue: 'INVALID', taken: 'INVALID', invalid: 'INVALID' };

/** A dev store's orderCreate budget: 5 per rolling minute (sandbox clock). */
const devStoreLog = new WeakMap<SandboxState, number[]>();
export const DEV_STORE_ORDERS_PER_MINUTE = 5;

function checkDevStoreLimit(core: SandboxCore): void {
  if (!core.state.shop.devStore) return;
  const now = core.now();
  const log = (devStoreLog.get(core.state) ?? []).filter((t) => t > now - 60_000);
  devStoreLog.set(core.state, log);
  if (log.length >= DEV_STORE_ORDERS_PER_MINUTE) {
    throw new GraphQLError('Exceeded order API rate limit, please try again in a minute. Upgrade to a paid account to remove this limit.', {
      extensions: { code: 'THROTTLED', documentation: RATE_LIMIT_DOCS },
    });
  }
}

/** Only created orders count against the dev-store limit. */
function recordDevStoreOrder(core: SandboxCore): void {
  if (core.state.shop.devStore) devStoreLog.get(core.state)?.push(core.now());
}

let countryCodes: Map<string, string> | undefined;

/** ISO code for a country name (or code) in OrderCreateCustomerAddressInput, which takes names. */
function countryCodeOf(ctx: RequestContext, name: string | null | undefined): string | null {
  if (!name) return null;
  const t = name.trim();
  const enumType = ctx.schema.schema.getType('CountryCode') as { getValues?: () => { name: string }[] } | null | undefined;
  const codes = enumType?.getValues?.().map((v) => v.name) ?? [];
  if (codes.includes(t.toUpperCase())) return t.toUpperCase();
  if (!countryCodes) {
    countryCodes = new Map();
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    for (const c of codes) {
      try {
        const label = names.of(c);
        if (label) countryCodes.set(label.toLowerCase(), c);
      } catch {
        // a code Intl does not know
      }
    }
  }
  return countryCodes.get(t.toLowerCase()) ?? null;
}

function moneyProblems(o: OrderRec | { currencyCode: string }, m: MoneyBagInputLike | null | undefined, path: (string | number)[]): UserErrorView[] {
  if (!m) return [];
  const out: UserErrorView[] = [];
  if (m.shopMoney.currencyCode !== o.currencyCode) out.push(userError([...path, 'shopMoney', 'currencyCode'], `Currency ${m.shopMoney.currencyCode} does not match the order currency ${o.currencyCode}.`, 'INVALID'));
  if (money(m.shopMoney.amount) === null) out.push(userError([...path, 'shopMoney', 'amount'], `Amount '${m.shopMoney.amount}' is not a valid amount.`, 'INVALID'));
  if (m.presentmentMoney && (m.presentmentMoney.currencyCode !== m.shopMoney.currencyCode || cents(m.presentmentMoney.amount) !== cents(m.shopMoney.amount))) {
    out.push(userError([...path, 'presentmentMoney'], 'The sandbox serves single-currency shops: presentmentMoney must equal shopMoney.', 'INVALID'));
  }
  return out;
}

function taxLineProblems(list: TaxLineInputLike[] | null | undefined, currency: string, path: (string | number)[]): UserErrorView[] {
  const out: UserErrorView[] = [];
  (list ?? []).forEach((t, i) => {
    const p = [...path, i];
    if (t.title.trim() === '') out.push(userError([...p, 'title'], "Title can't be blank", 'INVALID'));
    if (!/^\d+(\.\d+)?$/.test(t.rate.trim())) out.push(userError([...p, 'rate'], `Rate '${t.rate}' must be a non-negative decimal such as 0.21.`, 'TAX_LINE_RATE_MISSING'));
    out.push(...moneyProblems({ currencyCode: currency }, t.priceSet, [...p, 'priceSet']));
  });
  return out;
}

interface PlannedLine {
  rec: LineItemRec;
  input: LineItemInputLike;
  variantPolicy: 'DENY' | 'CONTINUE' | null;
  tracked: boolean;
}

/** Taxes of the given tax line inputs on `base` cents. */
function computeTaxLines(inputs: TaxLineInputLike[], base: bigint, included: boolean): OrderTaxLineRec[] {
  return inputs.map((t) => ({
    title: t.title.trim(),
    rate: t.rate.trim(),
    amount: t.priceSet ? fmt(cents(t.priceSet.shopMoney.amount)) : fmt(taxOn(base, t.rate, included)),
    channelLiable: t.channelLiable ?? false,
  }));
}

/** Where stock for a line is taken: the fulfillment location, else the primary, else the first stocked location. */
function claimLocation(core: SandboxCore, itemId: string, quantity: number, preferred: string | null): string | null {
  if (preferred) return preferred;
  const levels = levelsOfItem(core, itemId);
  const primary = [...T.locations(core.state).values()].find((l) => l.isPrimary && l.isActive);
  const atPrimary = primary ? levels.find((lv) => lv.locationId === primary.id) : undefined;
  if (atPrimary && atPrimary.quantities.available >= quantity) return atPrimary.locationId;
  const enough = levels.find((lv) => lv.quantities.available >= quantity && T.locations(core.state).get(lv.locationId)?.isActive);
  if (enough) return enough.locationId;
  return atPrimary?.locationId ?? levels[0]?.locationId ?? primary?.id ?? null;
}

/** Takes stock for the planned lines: available down; committed up unless the order is fulfilled. */
function claimStock(core: SandboxCore, lines: PlannedLine[], fulfilled: boolean): void {
  const changed = new Map<string, InventoryLevelRec>();
  for (const { rec } of lines) {
    if (!rec.claim) continue;
    const lv = activateLevel(core, rec.claim.itemId, rec.claim.locationId);
    setQuantity(core, lv, 'available', lv.quantities.available - rec.claim.quantity);
    // Unfulfilled: the units move from available to committed (on_hand unchanged); fulfilled: they left.
    if (!fulfilled) setQuantity(core, lv, 'committed', lv.quantities.committed + rec.claim.quantity);
    changed.set(lv.id, lv);
  }
  for (const lv of changed.values()) levelChanged(core, lv);
}

export function nextOrderNumber(state: SandboxState): number {
  let max = 1000;
  for (const o of OT.orders(state).values()) max = Math.max(max, o.number);
  return max + 1;
}

export interface CreateOrderResult {
  order: OrderRec | null;
  userErrors: UserErrorView[];
}

/** Validates and creates an order (orderCreate and the online-order endpoint). */
export function createOrder(ctx: RequestContext, input: OrderInputLike, options: OrderOptionsLike | null | undefined): CreateOrderResult {
  const core = ctx.core;
  const state = ctx.state;
  const errors: UserErrorView[] = [];
  const fail = (field: (string | number)[] | null, message: string, code = 'INVALID') => errors.push(userError(field, message, code));
  const currency = input.currency ?? state.shop.currencyCode;
  const P = ['order'];

  if (currency !== state.shop.currencyCode) fail([...P, 'currency'], `The sandbox shop sells in ${state.shop.currencyCode}; currency ${currency} is not supported.`);
  if (input.presentmentCurrency && input.presentmentCurrency !== currency) fail([...P, 'presentmentCurrency'], 'The sandbox serves single-currency shops: presentmentCurrency must equal currency.');
  if (input.customerId && input.customer) fail([...P, 'customerId'], 'Only one of customerId or customer can be provided.', 'REDUNDANT_CUSTOMER_FIELDS');
  const lineInputs = input.lineItems ?? [];
  const orderTax = input.taxLines ?? [];
  if (orderTax.length > 0 && lineInputs.some((l) => (l.taxLines ?? []).length > 0)) {
    fail([...P, 'taxLines'], 'Tax lines can be specified on the order or on the line items, but not both.');
  }
  errors.push(...taxLineProblems(orderTax, currency, [...P, 'taxLines']));
  if (input.tags) {
    const t = validateTags(normalizeTags(input.tags), [...P, 'tags']);
    if (t) fail(t.field, t.message);
  }
  if (input.billingAddress) errors.push(...addressProblems(input.billingAddress, [...P, 'billingAddress'], 'INVALID'));
  if (input.shippingAddress) errors.push(...addressProblems(input.shippingAddress, [...P, 'shippingAddress'], 'INVALID'));

  // ---- customer
  let customer: CustomerRec | undefined;
  let upsert: NonNullable<OrderInputLike['customer']>['toUpsert'] | undefined;
  if (input.customerId && !input.customer) {
    customer = CT.customers(state).get(gidOf(input.customerId, 'Customer') ?? '');
    if (!customer) fail([...P, 'customerId'], 'Customer does not exist.');
  } else if (input.customer?.toAssociate) {
    const a = input.customer.toAssociate;
    if (a.id) customer = CT.customers(state).get(gidOf(a.id, 'Customer') ?? '');
    else if (a.email) customer = customerByEmail(state, a.email);
    if (!a.id && !a.email) fail([...P, 'customer', 'toAssociate'], 'Give the id or the email of the customer to associate.');
    else if (!customer) fail([...P, 'customer', 'toAssociate', a.id ? 'id' : 'email'], 'Customer does not exist.');
  } else if (input.customer?.toUpsert) {
    upsert = input.customer.toUpsert;
    if (upsert.id) {
      customer = CT.customers(state).get(gidOf(upsert.id, 'Customer') ?? '');
      if (!customer) fail([...P, 'customer', 'toUpsert', 'id'], 'Customer does not exist.');
    } else if (upsert.email) customer = customerByEmail(state, upsert.email);
    else if (!upsert.phone && !upsert.firstName && !upsert.lastName) fail([...P, 'customer', 'toUpsert'], 'A name, phone number, or email address must be present.');
    errors.push(...upsertProblems(state, { email: upsert.email, phone: upsert.phone, firstName: upsert.firstName, lastName: upsert.lastName, note: upsert.note, tags: upsert.tags }, [...P, 'customer', 'toUpsert'], customer?.id ?? null));
    (upsert.addresses ?? []).forEach((a, i) => {
      if (a.country && !countryCodeOf(ctx, a.country)) fail([...P, 'customer', 'toUpsert', 'addresses', i, 'country'], `Country '${a.country}' is not a known country.`);
    });
  }

  // ---- B2B
  let companyLocationId: string | null = null;
  let companyId: string | null = null;
  let companyContactId: string | null = null;
  if (input.companyLocationId) {
    // A shop without B2B has no company locations, so the id cannot exist.
    const loc = BT.locations(state).get(gidOf(input.companyLocationId, 'CompanyLocation') ?? '');
    if (!loc) fail([...P, 'companyLocationId'], 'Company location does not exist.');
    else {
      companyLocationId = loc.id;
      companyId = loc.companyId;
      const contact = customer ? [...BT.contacts(state).values()].find((c) => c.companyId === loc.companyId && c.customerId === customer!.id) : undefined;
      if (!contact) fail([...P, 'companyLocationId'], 'A B2B order needs a customer who is a contact of the location’s company (companyAssignCustomerAsContact).');
      else companyContactId = contact.id;
    }
  }

  // ---- lines
  const fulfillmentLocation = input.fulfillment?.locationId ?? null;
  if (fulfillmentLocation && !T.locations(state).get(fulfillmentLocation)?.isActive) fail([...P, 'fulfillment', 'locationId'], 'Location does not exist or is not active.');
  const behaviour = options?.inventoryBehaviour ?? 'BYPASS';
  const fulfilled = input.fulfillmentStatus === 'FULFILLED' || (!!input.fulfillment && !input.fulfillmentStatus);
  const planned: PlannedLine[] = [];
  lineInputs.forEach((l, i) => {
    const p = [...P, 'lineItems', i];
    if (!Number.isInteger(l.quantity) || l.quantity < 1) fail([...p, 'quantity'], 'Quantity must be greater than or equal to 1.');
    errors.push(...moneyProblems({ currencyCode: currency }, l.priceSet, [...p, 'priceSet']));
    errors.push(...taxLineProblems(l.taxLines, currency, [...p, 'taxLines']));
    let variantId: string | null = null;
    let productId: string | null = null;
    let title = l.title?.trim() || null;
    let variantTitleText = l.variantTitle ?? null;
    let sku = l.sku ?? null;
    let vendor = l.vendor ?? null;
    let price = l.priceSet ? money(l.priceSet.shopMoney.amount) : null;
    let taxable = l.taxable ?? true;
    let requiresShipping = l.requiresShipping ?? false;
    let policy: 'DENY' | 'CONTINUE' | null = null;
    let tracked = false;
    let itemId: string | null = null;
    let grams: number | null = null;
    if (l.variantId) {
      const v = T.variants(state).get(gidOf(l.variantId, 'ProductVariant') ?? '');
      if (!v) return fail([...p, 'variantId'], `Product variant ${l.variantId} does not exist.`);
      const prod = T.products(state).get(v.productId)!;
      const item = T.inventoryItems(state).get(v.inventoryItemId);
      variantId = v.id;
      productId = prod.id;
      title ??= prod.title;
      const vt = variantTitle(prod, v);
      variantTitleText ??= vt === 'Default Title' ? null : vt;
      sku ??= item?.sku ?? null;
      vendor ??= prod.vendor || null;
      price ??= v.price;
      taxable = l.taxable ?? v.taxable;
      requiresShipping = l.requiresShipping ?? item?.requiresShipping ?? false;
      policy = v.inventoryPolicy;
      tracked = item?.tracked ?? false;
      itemId = item?.id ?? null;
      grams = item?.weight ? toGrams(item.weight) : null;
    } else if (l.productId) {
      const prod = T.products(state).get(gidOf(l.productId, 'Product') ?? '');
      if (!prod) return fail([...p, 'productId'], `Product ${l.productId} does not exist.`);
      productId = prod.id;
      title ??= prod.title;
      vendor ??= prod.vendor || null;
    }
    if (!title) return fail([...p, 'title'], 'A line item without a variantId or productId needs a title.');
    if (l.weight) grams = toGrams(l.weight);
    const rec: LineItemRec = {
      id: '',
      variantId,
      productId,
      sku,
      title,
      variantTitle: variantTitleText,
      vendor,
      quantity: l.quantity,
      currentQuantity: l.quantity,
      price: price ?? '0.00',
      discount: '0.00',
      taxable,
      requiresShipping,
      giftCard: l.giftCard ?? false,
      taxLines: [],
      properties: (l.properties ?? []).map((x) => ({ name: x.name, value: x.value })),
      fulfilledQuantity: fulfilled ? l.quantity : 0,
      grams,
      claim: null,
    };
    if (behaviour !== 'BYPASS' && itemId && tracked && l.quantity >= 1) {
      const locationId = claimLocation(core, itemId, l.quantity, fulfillmentLocation);
      const lv = locationId ? T.inventoryLevels(state).get(levelKey(itemId, locationId)) : undefined;
      const available = lv?.isActive ? lv.quantities.available : 0;
      if (!locationId) fail([...p, 'variantId'], 'The variant is not stocked at any location.', 'INVENTORY_CLAIM_FAILED');
      else if (behaviour === 'DECREMENT_OBEYING_POLICY' && policy === 'DENY' && available < l.quantity) {
        fail([...p, 'quantity'], `Not enough stock for ${sku ?? title}: ${available} available, ${l.quantity} ordered, and the variant does not sell when out of stock.`, 'INVENTORY_CLAIM_FAILED');
      } else rec.claim = { itemId, locationId, quantity: l.quantity, committed: !fulfilled };
    }
    planned.push({ rec, input: l, variantPolicy: policy, tracked });
  });

  // ---- shipping, transactions, discounts
  (input.shippingLines ?? []).forEach((s, i) => {
    const p = [...P, 'shippingLines', i];
    if (s.title.trim() === '') fail([...p, 'title'], "Title can't be blank");
    errors.push(...moneyProblems({ currencyCode: currency }, s.priceSet, [...p, 'priceSet']));
    if (money(s.priceSet.shopMoney.amount)?.startsWith('-')) fail([...p, 'priceSet'], "A shipping price can't be negative.");
    errors.push(...taxLineProblems(s.taxLines, currency, [...p, 'taxLines']));
  });
  (input.transactions ?? []).forEach((t, i) => {
    const p = [...P, 'transactions', i];
    errors.push(...moneyProblems({ currencyCode: currency }, t.amountSet, [...p, 'amountSet']));
    if (t.locationId && !T.locations(state).has(t.locationId)) fail([...p, 'locationId'], 'Location does not exist.');
  });
  const dc = input.discountCode;
  if (dc && [dc.itemFixedDiscountCode, dc.itemPercentageDiscountCode, dc.freeShippingDiscountCode].filter(Boolean).length > 1) fail([...P, 'discountCode'], 'Only one discount code can be applied to an order.');
  if (dc?.itemFixedDiscountCode?.amountSet) errors.push(...moneyProblems({ currencyCode: currency }, dc.itemFixedDiscountCode.amountSet, [...P, 'discountCode', 'itemFixedDiscountCode', 'amountSet']));
  const pct = dc?.itemPercentageDiscountCode?.percentage;
  if (pct !== undefined && pct !== null && !(pct >= 0 && pct <= 100)) fail([...P, 'discountCode', 'itemPercentageDiscountCode', 'percentage'], 'Percentage must be between 0 and 100.');

  // ---- metafields
  const mfBatch: MetafieldWrite[] = [];
  (input.metafields ?? []).forEach((m, i) => {
    const r = planMetafield(state, 'ORDER', null, m, [...P, 'metafields', i], mfBatch, ORDER_MF_CODES);
    errors.push(...r.errors);
  });
  if (errors.length) return { order: null, userErrors: errors };

  // ---- build
  const nowMs = core.now();
  const now = isoSeconds(nowMs);
  const processedMs = input.processedAt ? Date.parse(input.processedAt) : nowMs;
  const processedAt = isoSeconds(Math.min(processedMs, nowMs)); // future values are clamped (2026-07+)
  const number = nextOrderNumber(state);
  const orderId = gid('Order', state.nextId('Order'));
  const lines = planned.map((pl) => ({ ...pl.rec, id: gid('LineItem', state.nextId('LineItem')) }));
  const included = input.taxesIncluded ?? false;

  // Discounts, allocated over the lines in proportion to their totals.
  const lineTotals = lines.map((l) => cents(l.price) * BigInt(l.quantity));
  const itemsTotal = lineTotals.reduce((a, b) => a + b, 0n);
  let discount = 0n;
  if (dc?.itemFixedDiscountCode) discount = dc.itemFixedDiscountCode.amountSet ? cents(dc.itemFixedDiscountCode.amountSet.shopMoney.amount) : 0n;
  if (dc?.itemPercentageDiscountCode) discount = divRound(itemsTotal * BigInt(Math.round((dc.itemPercentageDiscountCode.percentage ?? 0) * 10_000)), 1_000_000n);
  if (discount > itemsTotal) discount = itemsTotal;
  split(discount, lineTotals).forEach((d, i) => (lines[i]!.discount = fmt(d)));

  // Tax lines: per line, or the order's split over the taxable lines.
  lines.forEach((l, i) => {
    const own = planned[i]!.input.taxLines ?? [];
    if (own.length > 0) l.taxLines = computeTaxLines(own, lineTotals[i]! - cents(l.discount), included);
  });
  if (orderTax.length > 0) {
    const taxable = lines.map((l, i) => ({ l, base: l.taxable ? lineTotals[i]! - cents(l.discount) : 0n })).filter((x) => x.l.taxable);
    for (const t of orderTax) {
      const amounts = t.priceSet ? split(cents(t.priceSet.shopMoney.amount), taxable.map((x) => x.base)) : taxable.map((x) => taxOn(x.base, t.rate, included));
      taxable.forEach((x, k) => x.l.taxLines.push({ title: t.title.trim(), rate: t.rate.trim(), amount: fmt(amounts[k]!), channelLiable: t.channelLiable ?? false }));
    }
  }
  const shippingLines: ShippingLineRec[] = (input.shippingLines ?? []).map((s) => {
    const price = cents(s.priceSet.shopMoney.amount);
    return { id: gid('ShippingLine', state.nextId('ShippingLine')), title: s.title.trim(), code: s.code ?? null, source: s.source ?? null, price: fmt(price), taxLines: computeTaxLines(s.taxLines ?? [], price, included) };
  });
  const shippingDiscount = dc?.freeShippingDiscountCode ? shippingLines.reduce((k, s) => k + cents(s.price), 0n) : 0n;

  const transactions: TransactionRec[] = (input.transactions ?? []).map((t) => ({
    id: gid('OrderTransaction', state.nextId('OrderTransaction')),
    kind: t.kind ?? 'SALE',
    status: t.status ?? 'SUCCESS',
    gateway: t.gateway ?? null,
    amount: fmt(cents(t.amountSet.shopMoney.amount)),
    authorizationCode: t.authorizationCode ?? null,
    processedAt: t.processedAt ? isoSeconds(Math.min(Date.parse(t.processedAt), nowMs)) : processedAt,
    createdAt: now,
    test: t.test ?? input.test ?? false,
    locationId: t.locationId ?? null,
  }));

  // Customer: associate or upsert now that everything is valid.
  if (upsert) {
    customer = upsertCustomer(core, customer, {
      email: upsert.email,
      phone: upsert.phone,
      firstName: upsert.firstName,
      lastName: upsert.lastName,
      note: upsert.note,
      tags: upsert.tags,
      taxExempt: upsert.taxExempt,
      multipassIdentifier: upsert.multipassIdentifier,
    });
    for (const a of upsert.addresses ?? []) {
      addAddress(core, customer, { address1: a.address1, address2: a.address2, city: a.city, company: a.company, countryCode: countryCodeOf(ctx, a.country), provinceCode: a.province, zip: a.zip, firstName: a.firstName, lastName: a.lastName, phone: a.phone }, false);
    }
  }
  const orderAddress = (a: MailingAddressInputLike | null | undefined): OrderAddressRec | null =>
    a ? { ...addressFromInput(a), id: gid('MailingAddress', state.nextId('MailingAddress'), { model_name: 'Address' }) } : null;

  const o: OrderRec = {
    id: orderId,
    number,
    name: input.name?.trim() || `#${number}`,
    email: input.email?.trim() || customer?.email || null,
    phone: input.phone?.trim() || customer?.phone || null,
    createdAt: now,
    updatedAt: now,
    processedAt,
    closedAt: input.closedAt ? isoSeconds(Math.min(Date.parse(input.closedAt), nowMs)) : null,
    cancelledAt: input.fulfillmentStatus === 'RESTOCKED' ? now : null,
    cancelReason: input.fulfillmentStatus === 'RESTOCKED' ? 'OTHER' : null,
    test: input.test ?? false,
    // Orders an app creates without sourceName are attributed to the app (its numeric id).
    sourceName: input.sourceName ?? state.shop.appNamespace.replace(/^app--/, ''),
    sourceIdentifier: input.sourceIdentifier ?? null,
    sourceUrl: input.sourceUrl ?? null,
    tags: normalizeTags(input.tags ?? []),
    note: input.note ?? null,
    poNumber: input.poNumber ?? null,
    currencyCode: currency,
    taxesIncluded: included,
    financialStatus: 'PENDING',
    financialStatusExplicit: !!input.financialStatus,
    fulfillmentStatus: input.fulfillmentStatus === 'RESTOCKED' ? 'RESTOCKED' : input.fulfillmentStatus === 'PARTIAL' ? 'PARTIALLY_FULFILLED' : fulfilled ? 'FULFILLED' : 'UNFULFILLED',
    customerId: customer?.id ?? null,
    companyId,
    companyLocationId,
    companyContactId,
    billingAddress: orderAddress(input.billingAddress),
    shippingAddress: orderAddress(input.shippingAddress),
    lineItems: lines,
    shippingLines,
    transactions,
    customAttributes: (input.customAttributes ?? []).map((a) => ({ key: a.key, value: a.value })),
    discountCodes: dc ? [dc.itemFixedDiscountCode?.code ?? dc.itemPercentageDiscountCode?.code ?? dc.freeShippingDiscountCode?.code ?? ''].filter(Boolean) : [],
    shippingDiscount: fmt(shippingDiscount),
    buyerAcceptsMarketing: input.buyerAcceptsMarketing ?? false,
    inventoryBehaviour: behaviour,
  };
  o.financialStatus = input.financialStatus ?? derivedFinancialStatus(o);
  OT.orders(state).set(o);
  for (const w of mfBatch) applyMetafield(core, w, o.id);
  claimStock(core, planned.map((pl, i) => ({ ...pl, rec: lines[i]! })), o.fulfillmentStatus === 'FULFILLED');

  // The shipping address becomes the customer's default address.
  if (customer && input.shippingAddress) {
    addAddress(core, customer, input.shippingAddress, true);
    customerTouched(core, customer.id);
  } else if (customer) core.touch('Customer', customer.id);

  core.touch('Order', o.id);
  core.emit('orders/create', o.id);
  if (o.financialStatus === 'PAID') core.emit('orders/paid', o.id);
  core.emit('orders/updated', o.id);
  // Shopify also sends products/update when a product is ordered.
  for (const pid of new Set(lines.map((l) => l.productId).filter((x): x is string => !!x))) core.emit('products/update', pid);
  return { order: o, userErrors: [] };
}

function toGrams(w: { value: number; unit: string }): number {
  const f: Record<string, number> = { GRAMS: 1, KILOGRAMS: 1000, OUNCES: 28.349523125, POUNDS: 453.59237 };
  return Math.round(w.value * (f[w.unit] ?? 1));
}

// ---------------------------------------------------------------------------------------------
// Queries

/** Orders older than 60 days are hidden from apps without read_all_orders. */
const SIXTY_DAYS = 60 * 86_400_000;

function visible(ctx: RequestContext, o: OrderRec): boolean {
  if (ctx.scopes.has('*') || ctx.scopes.has('read_all_orders')) return true;
  return Date.parse(o.processedAt) >= ctx.core.now() - SIXTY_DAYS;
}

const ORDER_SORTS = ['PROCESSED_AT', 'UPDATED_AT', 'CREATED_AT', 'ID', 'ORDER_NUMBER', 'TOTAL_PRICE', 'RELEVANCE'] as const;

function orderSort(key: string, o: OrderRec): SortTuple {
  const id = n(o.id);
  switch (key) {
    case 'PROCESSED_AT':
      return [o.processedAt, id];
    case 'UPDATED_AT':
      return [o.updatedAt, id];
    case 'CREATED_AT':
      return [o.createdAt, id];
    case 'ORDER_NUMBER':
      return [o.number, id];
    case 'TOTAL_PRICE':
      return [Number(totalsOf(o).total), id];
    default:
      return [id];
  }
}

function searchOrders(ctx: RequestContext, rows: OrderRec[], query: string | null | undefined, pathKey: string | number): OrderRec[] {
  if (!query) return rows;
  const search = new CompiledSearch(query, ORDER_SEARCH);
  const ids = new Set<string>();
  for (const [id, doc] of ctx.core.index.visible('Order')) if (search.matches(doc)) ids.add(id);
  if (search.warnings.length) ctx.searchWarnings.push({ path: [pathKey], query, warnings: search.warnings });
  return rows.filter((o) => ids.has(o.id));
}

type ListArgs = PageArgs & { query?: string | null; sortKey?: string; savedSearchId?: string | null };

function ordersConnection(ctx: RequestContext, rows: OrderRec[], args: ListArgs, pathKey: string | number) {
  const key = requireSortKey('OrderSortKeys', args.sortKey, ORDER_SORTS);
  const found = searchOrders(ctx, rows.filter((o) => visible(ctx, o)), args.query, pathKey);
  return paginate(found, args, (o) => orderSort(key, o), (o) => orderView(ctx.core, o));
}

export function customerOrderStats(core: SandboxCore, customerId: string): { count: number; totalSpent: string } {
  let count = 0;
  let spent = 0n;
  for (const o of OT.orders(core.state).values()) {
    if (o.customerId !== customerId) continue;
    count++;
    const t = totalsOf(o);
    spent += t.received - t.refunded;
  }
  return { count, totalSpent: fmt(spent) };
}

// ---------------------------------------------------------------------------------------------
// Test endpoints

function variantForOnlineLine(core: SandboxCore, l: Record<string, unknown>, i: number): string {
  if (typeof l.variantId === 'string') {
    if (!T.variants(core.state).has(l.variantId)) throw new SandboxInputError(`lineItems[${i}].variantId ${l.variantId} does not exist`);
    return l.variantId;
  }
  if (typeof l.sku === 'string') {
    const item = [...T.inventoryItems(core.state).values()].find((x) => x.sku === l.sku);
    if (!item) throw new SandboxInputError(`lineItems[${i}].sku ${l.sku} matches no variant`);
    return item.variantId;
  }
  throw new SandboxInputError(`lineItems[${i}] needs a variantId or a sku`);
}

function adminContext(core: SandboxCore): RequestContext {
  // The online store is Shopify itself: full access, the newest schema's enums.
  return { core, state: core.state, version: DEFAULT_VERSION, schema: loadSchema(DEFAULT_VERSION), scopes: new Set(['*']), tokenKind: 'static', searchWarnings: [], pendingLatencyMs: 0 };
}

/** Simulates an order placed in the online store: stock is committed, a Shopify Payments sale is recorded. */
function onlineOrder(core: SandboxCore, body: Record<string, unknown>): unknown {
  const lines = body.lineItems;
  if (!Array.isArray(lines) || lines.length === 0) throw new SandboxInputError('lineItems must be a non-empty array of {variantId | sku, quantity, price?}');
  const lineItems: LineItemInputLike[] = lines.map((raw, i) => {
    const l = (raw ?? {}) as Record<string, unknown>;
    const quantity = typeof l.quantity === 'number' ? l.quantity : 1;
    const variantId = variantForOnlineLine(core, l, i);
    const out: LineItemInputLike = { variantId, quantity };
    if (typeof l.price === 'string') out.priceSet = { shopMoney: { amount: l.price, currencyCode: core.state.shop.currencyCode } };
    return out;
  });
  const paid = body.financialStatus === undefined || body.financialStatus === 'PAID';
  if (!paid && body.financialStatus !== 'PENDING') throw new SandboxInputError('financialStatus must be PAID (default) or PENDING');
  const ctx = adminContext(core);
  // Price the order first to pay exactly its total.
  const input: OrderInputLike = {
    lineItems,
    sourceName: 'web',
    taxesIncluded: core.state.shop.taxesIncluded,
    email: typeof body.email === 'string' ? body.email : null,
    note: typeof body.note === 'string' ? body.note : null,
    tags: Array.isArray(body.tags) ? (body.tags as string[]) : null,
    shippingAddress: body.shippingAddress && typeof body.shippingAddress === 'object' ? (body.shippingAddress as MailingAddressInputLike) : null,
    billingAddress: body.shippingAddress && typeof body.shippingAddress === 'object' ? (body.shippingAddress as MailingAddressInputLike) : null,
    fulfillment: null,
  };
  if (typeof body.email === 'string') input.customer = { toUpsert: { email: body.email, firstName: typeof body.firstName === 'string' ? body.firstName : null, lastName: typeof body.lastName === 'string' ? body.lastName : null } };
  if (typeof body.taxRate === 'string') input.taxLines = [{ title: `VAT ${Math.round(Number(body.taxRate) * 100)}%`, rate: body.taxRate }];
  const preferred = typeof body.locationId === 'string' ? body.locationId : null;
  if (preferred && !T.locations(core.state).get(preferred)?.isActive) throw new SandboxInputError(`location ${preferred} does not exist or is inactive`);
  const r = createOrder(ctx, { ...input, fulfillment: null, fulfillmentStatus: null }, { inventoryBehaviour: 'DECREMENT_IGNORING_POLICY' });
  if (!r.order) throw new SandboxInputError(`the order was refused: ${r.userErrors.map((e) => `${(e.field ?? []).join('.')}: ${e.message}`).join('; ')}`);
  const o = r.order;
  if (paid) {
    const wasPaid = o.financialStatus === 'PAID';
    const total = totalsOf(o).total;
    if (total > 0n) {
      o.transactions.push({ id: gid('OrderTransaction', core.state.nextId('OrderTransaction')), kind: 'SALE', status: 'SUCCESS', gateway: 'shopify_payments', amount: fmt(total), authorizationCode: null, processedAt: o.processedAt, createdAt: o.createdAt, test: false, locationId: null });
      o.financialStatus = derivedFinancialStatus(o);
      core.touch('Order', o.id);
      if (!wasPaid && o.financialStatus === 'PAID') core.emit('orders/paid', o.id);
    }
  }
  return { id: o.id, name: o.name, displayFinancialStatus: o.financialStatus, totalPrice: fmt(totalsOf(o).total), lineItems: o.lineItems.map((l) => ({ id: l.id, sku: l.sku, quantity: l.quantity, locationId: l.claim?.locationId ?? null })) };
}

/** A merchant's change in the Shopify admin: tags, note, mark as paid, fulfil, cancel (with restock). */
function editOrder(core: SandboxCore, body: Record<string, unknown>): unknown {
  const o = typeof body.id === 'string' ? OT.orders(core.state).get(body.id) : undefined;
  if (!o) throw new SandboxInputError('give the id (GID) of an existing order');
  const wasPaid = o.financialStatus === 'PAID';
  const levels = new Map<string, InventoryLevelRec>();
  if (Array.isArray(body.tags)) o.tags = normalizeTags(body.tags.map(String));
  if (typeof body.note === 'string' || body.note === null) o.note = body.note as string | null;
  if (body.markAsPaid === true) {
    const outstanding = totalsOf(o).outstanding;
    if (outstanding > 0n) o.transactions.push({ id: gid('OrderTransaction', core.state.nextId('OrderTransaction')), kind: 'SALE', status: 'SUCCESS', gateway: 'manual', amount: fmt(outstanding), authorizationCode: null, processedAt: core.nowIso(), createdAt: core.nowIso(), test: o.test, locationId: null });
    o.financialStatus = derivedFinancialStatus(o);
  }
  if (body.fulfill === true && o.fulfillmentStatus !== 'FULFILLED' && !o.cancelledAt) {
    for (const l of o.lineItems) {
      if (l.claim?.committed) {
        const lv = activateLevel(core, l.claim.itemId, l.claim.locationId);
        setQuantity(core, lv, 'committed', lv.quantities.committed - l.claim.quantity);
        l.claim.committed = false;
        levels.set(lv.id, lv);
      }
      l.fulfilledQuantity = l.currentQuantity;
    }
    o.fulfillmentStatus = 'FULFILLED';
  }
  if (body.cancel === true && !o.cancelledAt) {
    for (const l of o.lineItems) {
      if (l.claim) {
        const lv = activateLevel(core, l.claim.itemId, l.claim.locationId);
        if (l.claim.committed) setQuantity(core, lv, 'committed', lv.quantities.committed - l.claim.quantity);
        setQuantity(core, lv, 'available', lv.quantities.available + l.claim.quantity);
        l.claim = null;
        levels.set(lv.id, lv);
      }
    }
    o.cancelledAt = core.nowIso();
    o.closedAt = o.cancelledAt;
    o.cancelReason = typeof body.reason === 'string' ? body.reason : 'OTHER';
    core.emit('orders/cancelled', o.id);
  }
  for (const lv of levels.values()) levelChanged(core, lv);
  orderTouched(core, o, wasPaid);
  return { id: o.id, displayFinancialStatus: o.financialStatus, displayFulfillmentStatus: o.fulfillmentStatus, cancelledAt: o.cancelledAt, tags: o.tags };
}

// ---------------------------------------------------------------------------------------------
// Module

export function ordersModule(registry: Registry): void {
  registerAddressInput(registry);
  registry.search({ name: 'Order', spec: ORDER_SEARCH, document: orderDocument });
  registry.metafieldOwner({
    gidType: 'Order',
    ownerType: 'ORDER',
    writeScopes: [['write_orders']],
    exists: (core, id) => OT.orders(core.state).has(id),
    view: (core, id) => orderView(core, OT.orders(core.state).get(id)!),
    touched: (core, id) => {
      const o = OT.orders(core.state).get(id);
      if (o) orderTouched(core, o, o.financialStatus === 'PAID');
    },
  });
  registerHasMetafields(registry, 'Order');
  registerTaggable({
    gidType: 'Order',
    writeScopes: [['write_orders']],
    tags: (core, id) => OT.orders(core.state).get(id)?.tags,
    setTags: (core, id, tags) => {
      const o = OT.orders(core.state).get(id)!;
      o.tags = tags;
      orderTouched(core, o, o.financialStatus === 'PAID');
    },
    view: (core, id) => orderView(core, OT.orders(core.state).get(id)!),
  });
  registerCustomerStats(customerOrderStats);
  registerCompanyLocationStats((core, locationId) => {
    let count = 0;
    let spent = 0n;
    for (const o of OT.orders(core.state).values()) {
      if (o.companyLocationId !== locationId) continue;
      count++;
      spent += totalsOf(o).received - totalsOf(o).refunded;
    }
    return { count, totalSpent: fmt(spent) };
  });

  registry.input('OrderCreateOrderInput', [
    'currency',
    'presentmentCurrency',
    'processedAt',
    'closedAt',
    'sourceIdentifier',
    'sourceName',
    'sourceUrl',
    'name',
    'tags',
    'note',
    'poNumber',
    'email',
    'phone',
    'test',
    'taxesIncluded',
    'buyerAcceptsMarketing',
    'financialStatus',
    'fulfillmentStatus',
    'fulfillment',
    'customerId',
    'customer',
    'companyLocationId',
    'billingAddress',
    'shippingAddress',
    'lineItems',
    'shippingLines',
    'taxLines',
    'transactions',
    'customAttributes',
    'discountCode',
    'metafields',
  ]);
  registry.input('OrderCreateOptionsInput', ['inventoryBehaviour', 'sendReceipt', 'sendFulfillmentReceipt']);
  registry.input('OrderCreateLineItemInput', ['variantId', 'productId', 'sku', 'title', 'variantTitle', 'vendor', 'quantity', 'priceSet', 'taxable', 'requiresShipping', 'giftCard', 'taxLines', 'properties', 'weight']);
  registry.input('OrderCreateLineItemPropertyInput', ['name', 'value']);
  registry.input('WeightInput', ['value', 'unit']);
  registry.input('MoneyBagInput', ['shopMoney', 'presentmentMoney']);
  registry.input('MoneyInput', ['amount', 'currencyCode']);
  registry.input('OrderCreateTaxLineInput', ['title', 'rate', 'priceSet', 'channelLiable']);
  registry.input('OrderCreateShippingLineInput', ['title', 'code', 'source', 'priceSet', 'taxLines']);
  registry.input('OrderCreateOrderTransactionInput', ['amountSet', 'kind', 'status', 'gateway', 'authorizationCode', 'processedAt', 'locationId', 'test']);
  registry.input('OrderCreateCustomerInput', ['toAssociate', 'toUpsert']);
  registry.input('OrderCreateAssociateCustomerAttributesInput', ['id', 'email']);
  registry.input('OrderCreateUpsertCustomerAttributesInput', ['id', 'email', 'firstName', 'lastName', 'phone', 'note', 'tags', 'taxExempt', 'multipassIdentifier', 'addresses']);
  registry.input('OrderCreateCustomerAddressInput', ['address1', 'address2', 'city', 'company', 'country', 'firstName', 'lastName', 'phone', 'province', 'zip']);
  registry.input('OrderCreateCustomAttributeInput', ['key', 'value']);
  registry.input('OrderCreateFulfillmentInput', ['locationId', 'notifyCustomer']);
  registry.input('OrderCreateDiscountCodeInput', ['itemFixedDiscountCode', 'itemPercentageDiscountCode', 'freeShippingDiscountCode']);
  registry.input('OrderCreateFixedDiscountCodeAttributesInput', ['code', 'amountSet']);
  registry.input('OrderCreatePercentageDiscountCodeAttributesInput', ['code', 'percentage']);
  registry.input('OrderCreateFreeShippingDiscountCodeAttributesInput', ['code']);
  registry.input('OrderIdentifierInput', '*');

  registry.scope('Mutation.orderCreate', [['write_orders']]);
  registry.field(
    'Mutation.orderCreate',
    (_s, args: { order: OrderInputLike; options?: OrderOptionsLike | null }, ctx: RequestContext) => {
      checkDevStoreLimit(ctx.core);
      const r = createOrder(ctx, args.order, args.options);
      if (r.order) recordDevStoreOrder(ctx.core);
      return { order: r.order ? orderView(ctx.core, r.order) : null, userErrors: r.userErrors };
    },
    { args: ['order', 'options'] },
  );

  const read = [['read_orders'], ['read_marketplace_orders']] as const;
  registry.scope('QueryRoot.order', read);
  registry.field('QueryRoot.order', (_s, args: { id: string }, ctx: RequestContext) => {
    const o = OT.orders(ctx.state).get(gidOf(args.id, 'Order') ?? '');
    return o && visible(ctx, o) ? orderView(ctx.core, o) : null;
  }, { args: ['id'] });
  registry.scope('QueryRoot.orderByIdentifier', read);
  registry.field('QueryRoot.orderByIdentifier', (_s, args: { identifier: { id?: string | null; customId?: { namespace?: string | null; key: string; value: string } | null } }, ctx: RequestContext) => {
    const ident = args.identifier;
    let o: OrderRec | undefined;
    if (ident.id) o = OT.orders(ctx.state).get(gidOf(ident.id, 'Order') ?? '');
    else if (ident.customId) {
      const ns = ident.customId.namespace ?? ctx.state.shop.appNamespace;
      const r = findOwnerByCustomId(ctx.state, 'ORDER', ident.customId);
      if (!r.definition?.uniqueValues) throw new GraphQLError(customIdProblem('ORDER', ns, ident.customId.key), { extensions: { code: 'BAD_REQUEST' } });
      o = r.ownerId ? OT.orders(ctx.state).get(r.ownerId) : undefined;
    }
    return o && visible(ctx, o) ? orderView(ctx.core, o) : null;
  }, { args: ['identifier'] });
  registry.scope('QueryRoot.orders', read);
  registry.field('QueryRoot.orders', (_s, args: ListArgs, ctx: RequestContext, info) => {
    if (args.savedSearchId) throw unsupported('QueryRoot.orders(savedSearchId:)');
    return ordersConnection(ctx, [...OT.orders(ctx.state).values()], args, info.path.key);
  }, { args: ['first', 'last', 'after', 'before', 'reverse', 'query', 'sortKey'] });
  registry.scope('QueryRoot.ordersCount', read);
  registry.field('QueryRoot.ordersCount', (_s, args: { query?: string | null }, ctx: RequestContext, info) => {
    return countView(searchOrders(ctx, [...OT.orders(ctx.state).values()].filter((o) => visible(ctx, o)), args.query, info.path.key).length);
  }, { args: ['query'] });

  // Orders seen from the customer.
  registry.field('Customer.orders', (src: { id: string }, args: ListArgs, ctx: RequestContext, info) => {
    return ordersConnection(ctx, [...OT.orders(ctx.state).values()].filter((o) => o.customerId === src.id), { ...args, sortKey: args.sortKey ?? 'ID' }, info.path.key);
  }, { args: ['first', 'last', 'after', 'before', 'reverse', 'query', 'sortKey'] });
  registry.field('Customer.lastOrder', (src: { id: string }, _a: unknown, ctx: RequestContext) => {
    const mine = [...OT.orders(ctx.state).values()].filter((o) => o.customerId === src.id && visible(ctx, o));
    const last = mine.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.number - b.number)).at(-1);
    return last ? orderView(ctx.core, last) : null;
  });
  registry.field('Customer.numberOfOrders', (src: { id: string }, _a: unknown, ctx: RequestContext) => String(customerOrderStats(ctx.core, src.id).count));
  registry.field('Customer.amountSpent', (src: { id: string }, _a: unknown, ctx: RequestContext) => ({ __typename: 'MoneyV2', amount: customerOrderStats(ctx.core, src.id).totalSpent, currencyCode: ctx.state.shop.currencyCode }));

  registry.admin('orders/online', onlineOrder);
  registry.admin('edit/order', editOrder);
}
