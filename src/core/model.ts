/**
 * The canonical records: what flows move between CCV and Shopify. Plain, JSON-serialisable data
 * (no classes, no Dates, no undefined in stored fields), so records can be hashed, diffed and
 * journaled. Connectors translate their API's fields to and from these at the edge; nothing
 * past `connectors/*` sees a CCV or Shopify field name.
 *
 * Conventions:
 * - `key` is where the record came from (`{system, id}`); the ledger maps keys across systems.
 * - Money is `Money` (integer minor units). Prices are in the record's tax mode
 *   (`pricesIncludeTax`); convert with `convertPrice` from tax.ts.
 * - "Absent" is `null`, never `undefined` or "".
 * - Lists are ordered as the source gives them; set-like lists (tags, categoryKeys) are compared
 *   sorted (see the *_FIELD_GROUPS projections).
 * - Dates are ISO 8601 strings in UTC ("2025-03-01T10:15:00Z").
 */
import type { CountryCode } from './country.js';
import { problem, type Problem, type ProblemLocation } from './codes.js';
import { describeDecimalFailure, parseScaled } from './decimal.js';
import type { FieldGroups } from './hash.js';
import { joinStreet, splitStreet } from './address.js';
import { SHOPIFY_LIMITS } from './limits.js';
import type { Money } from './money.js';
import { recordKeyString, type RecordKey } from './record.js';
import type { BasisPoints } from './tax.js';

// ── products ──────────────────────────────────────────────────────────────────────────────

export type ProductStatus = 'active' | 'draft' | 'archived';

/** A product option ("Maat") with its values in display order ("S", "M", "L"). */
export interface ProductOption {
  name: string;
  values: string[];
}

/** The value a variant has for one option. */
export interface OptionValue {
  option: string;
  value: string;
}

export type KnownMetafieldType =
  | 'single_line_text_field'
  | 'multi_line_text_field'
  | 'rich_text_field'
  | 'number_integer'
  | 'number_decimal'
  | 'boolean'
  | 'json'
  | 'url'
  | 'date'
  | 'date_time'
  | 'color'
  | 'id'
  | 'weight'
  | 'dimension'
  | 'volume'
  | 'money';

/** Shopify metafield type names; list types as `list.single_line_text_field` etc. */
export type MetafieldType = KnownMetafieldType | `list.${KnownMetafieldType}`;

/** An extra field carried along (CCV extra attributes → Shopify metafields). `value` is always a string, as in the Admin API. */
export interface Metafield {
  namespace: string;
  key: string;
  type: MetafieldType;
  value: string;
}

export type InventoryPolicy = 'deny' | 'continue';

export interface Variant {
  /** CCV attribute combination id (or the product id for a product without combinations); Shopify variant GID. */
  key: RecordKey;
  /** Normalised SKU (sku.ts); null when the source has none. */
  sku: string | null;
  /** Normalised GTIN (ean.ts); null when none. */
  barcode: string | null;
  /** One entry per product option, in the product's option order; empty for a product without options. */
  optionValues: OptionValue[];
  /** Selling price (after CCV's product discount), in the product's tax mode. */
  price: Money;
  /** "Was" price; null when there is none. */
  compareAtPrice: Money | null;
  /** Purchase price, ex. VAT; null when unknown. */
  cost: Money | null;
  /** Whole grams (CCV gives kg as a decimal); null when unknown. */
  weightGrams: number | null;
  taxable: boolean;
  /** Whether stock is counted for this variant. */
  inventoryTracked: boolean;
  /** Sell when out of stock (`continue`) or not (`deny`). */
  inventoryPolicy: InventoryPolicy;
}

export interface Product {
  /** CCV product id; Shopify product GID. */
  key: RecordKey;
  title: string;
  /** HTML as the source has it; never cut (no target limit forces it). */
  descriptionHtml: string;
  /** CCV `shortdescription`; Shopify has no such field (a flow may map it to a metafield). */
  shortDescription: string | null;
  /** Brand (CCV `brand.name`) / Shopify vendor. */
  vendor: string | null;
  productType: string | null;
  status: ProductStatus;
  tags: string[];
  /** At most 3 for Shopify (validated). */
  options: ProductOption[];
  /** At least one; a product without options has one default variant. */
  variants: Variant[];
  categoryKeys: RecordKey[];
  metafields: Metafield[];
  /** Whether the variant prices include VAT. */
  pricesIncludeTax: boolean;
  /** VAT rate of the product (from its CCV tariff), when known. */
  taxRateBp: BasisPoints | null;
  /** Source modification time, when the source has one (CCV `modifydate`, Shopify `updatedAt`). */
  updatedAt: string | null;
}

// ── categories ────────────────────────────────────────────────────────────────────────────

export interface Category {
  key: RecordKey;
  name: string;
  parentKey: RecordKey | null;
  /** Names from the root down to and including this category: ["Kleding", "Heren", "T-shirts"]. */
  path: string[];
  descriptionHtml: string | null;
  /** Position among its siblings, when the source orders them. */
  position: number | null;
}

// ── stock ─────────────────────────────────────────────────────────────────────────────────

export interface StockLevel {
  sku: string;
  /** The variant this level belongs to, when known. */
  variantKey: RecordKey | null;
  /** Target location key (a Shopify location GID or a configured name); null = the default location. */
  locationKey: string | null;
  /** Whole units physically present. */
  onHand: number;
  /** Whole units promised to open orders. */
  reserved: number;
  /** onHand − reserved; may be negative (a till can oversell). */
  available: number;
  /** The source quantity as a decimal string when it was not a whole number (e.g. "2.5"), for notes; else null. */
  rawQuantity: string | null;
}

// ── customers ─────────────────────────────────────────────────────────────────────────────

export interface Address {
  firstName: string | null;
  lastName: string | null;
  /** Company name on the address. */
  company: string | null;
  /** Street + house number + suffix as one line ("Kerkstraat 12A"): Shopify's `address1`. */
  address1: string;
  address2: string | null;
  /** Dutch parts, as CCV stores them; derived from address1 when the source has only that. */
  street: string | null;
  houseNumber: number | null;
  houseNumberSuffix: string | null;
  /** Normalised for its country ("1234 AB" in NL). */
  postcode: string | null;
  city: string | null;
  province: string | null;
  countryCode: CountryCode | null;
  /** E.164. */
  phone: string | null;
}

export type CustomerKind = 'person' | 'company';

export interface Company {
  name: string;
  /** VAT identification number (btw-id), e.g. NL123456789B01. */
  vatNumber: string | null;
  /** Chamber of Commerce number (KvK). */
  cocNumber: string | null;
}

export interface Customer {
  key: RecordKey;
  kind: CustomerKind;
  /** Normalised (email.ts); the primary match key across systems. */
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  /** Present for `company` customers (and for persons who gave a company name). */
  company: Company | null;
  /** E.164. */
  phone: string | null;
  /** First = default address. */
  addresses: Address[];
  tags: string[];
  /** Language/locale ("nl"), when known. */
  locale: string | null;
  note: string | null;
}

// ── orders ────────────────────────────────────────────────────────────────────────────────

export type FinancialStatus = 'pending' | 'authorized' | 'paid' | 'partially_paid' | 'partially_refunded' | 'refunded' | 'voided';

export interface OrderLine {
  /** CCV order row id; Shopify line item GID; null when the source has none. */
  key: RecordKey | null;
  /** Null for custom lines (no product link). */
  sku: string | null;
  title: string;
  /** Variant description ("M / Rood"), when known. */
  variantTitle: string | null;
  /** Whole units, > 0. */
  quantity: number;
  /** Price of one unit before discount, in the order's tax mode. */
  unitPrice: Money;
  taxRateBp: BasisPoints;
  /** Total discount on this line (all units together), in the order's tax mode; zero when none. */
  discount: Money;
}

export interface ShippingLine {
  title: string;
  price: Money;
  taxRateBp: BasisPoints | null;
}

/** The buyer's details as they were on the order (CCV embeds them; Shopify has them on the order). */
export interface CustomerSnapshot {
  kind: CustomerKind;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  company: Company | null;
  phone: string | null;
}

export interface OrderTotals {
  /** Σ over lines of (unitPrice × quantity − discount). */
  lines: Money;
  shipping: Money;
  /** Payment costs and other extra costs (may be negative). */
  extraCosts: Money;
  /** Order-level discounts not already in the lines, as a positive amount. */
  discounts: Money;
  /** VAT in the order. */
  tax: Money;
  /** What the customer pays. */
  total: Money;
}

export interface Order {
  key: RecordKey;
  /** Display number ("WEB-1001", "#1001"). */
  number: string;
  createdAt: string;
  processedAt: string | null;
  financialStatus: FinancialStatus;
  cancelled: boolean;
  currency: string;
  /** Whether line and shipping prices include VAT. */
  pricesIncludeTax: boolean;
  lines: OrderLine[];
  shipping: ShippingLine | null;
  /** CCV paymethod name / Shopify gateway, mapped by a configurable table in the flow. */
  paymentMethodKey: string | null;
  /** A registered customer, when the order links to one. */
  customerKey: RecordKey | null;
  /** The buyer as given on the order (always present for CCV orders). */
  customer: CustomerSnapshot | null;
  billingAddress: Address | null;
  shippingAddress: Address | null;
  totals: OrderTotals;
  note: string | null;
  tags: string[];
}

// ── field groups for change detection (hash.ts) ───────────────────────────────────────────

const sortStrings = (xs: readonly string[]): string[] => [...xs].sort();
const variantSortKey = (v: Variant): string => v.sku ?? recordKeyString(v.key);
const byVariant = (a: Variant, b: Variant): number => (variantSortKey(a) < variantSortKey(b) ? -1 : variantSortKey(a) > variantSortKey(b) ? 1 : 0);

/**
 * Product field groups. Keys (`key`, variant keys) are deliberately left out so a record read back
 * from the target hashes like the source record it was written from. Variants are matched by SKU.
 */
export const PRODUCT_FIELD_GROUPS: FieldGroups<Product> = {
  core: (p) => ({ title: p.title, vendor: p.vendor, productType: p.productType, status: p.status, tags: sortStrings(p.tags) }),
  description: ['descriptionHtml', 'shortDescription'],
  pricing: (p) => ({
    pricesIncludeTax: p.pricesIncludeTax,
    variants: [...p.variants].sort(byVariant).map((v) => ({ sku: v.sku, price: v.price, compareAtPrice: v.compareAtPrice, cost: v.cost, taxable: v.taxable })),
  }),
  variants: (p) => ({
    options: p.options,
    variants: [...p.variants].sort(byVariant).map((v) => ({
      sku: v.sku,
      barcode: v.barcode,
      optionValues: v.optionValues,
      weightGrams: v.weightGrams,
      inventoryTracked: v.inventoryTracked,
      inventoryPolicy: v.inventoryPolicy,
    })),
  }),
  metafields: (p) =>
    [...p.metafields].sort((a, b) => (`${a.namespace}.${a.key}` < `${b.namespace}.${b.key}` ? -1 : `${a.namespace}.${a.key}` > `${b.namespace}.${b.key}` ? 1 : 0)),
  categories: (p) => sortStrings(p.categoryKeys.map(recordKeyString)),
};

export const CATEGORY_FIELD_GROUPS: FieldGroups<Category> = {
  core: ['name', 'parentKey', 'position'],
  description: ['descriptionHtml'],
};

export const CUSTOMER_FIELD_GROUPS: FieldGroups<Customer> = {
  identity: ['kind', 'email', 'firstName', 'lastName', 'phone', 'locale'],
  company: ['company'],
  addresses: ['addresses'],
  tags: (c) => sortStrings(c.tags),
  note: ['note'],
};

// ── helpers for connectors ────────────────────────────────────────────────────────────────

/**
 * Fill in whichever side of an address is missing: `address1` from the Dutch parts (CCV), or the
 * parts from `address1` (Shopify). An address that has both is returned unchanged.
 */
export function completeAddress(a: Address): Address {
  if (a.address1.trim() === '' && a.street !== null) {
    return { ...a, address1: joinStreet({ street: a.street, houseNumber: a.houseNumber, suffix: a.houseNumberSuffix }) };
  }
  if (a.street === null && a.address1.trim() !== '') {
    const p = splitStreet(a.address1);
    return { ...a, street: p.street, houseNumber: p.houseNumber, houseNumberSuffix: p.suffix === '' ? null : p.suffix };
  }
  return a;
}

/** A kg decimal (CCV `weight`: 0.2) → whole grams (200), rounding half away from zero. */
export function weightKgToGrams(input: unknown, at: ProblemLocation = {}): { grams: number | null; problems: Problem[] } {
  if (input === null || input === undefined || input === '') return { grams: null, problems: [] };
  const r = parseScaled(input, 3);
  const field = at.field ?? 'weight';
  if (!r.ok) return { grams: null, problems: [problem('WEIGHT_INVALID', { value: String(input), reason: describeDecimalFailure(r.reason) }, { ...at, field })] };
  if (r.value < 0) return { grams: null, problems: [problem('WEIGHT_INVALID', { value: String(input), reason: 'it is negative' }, { ...at, field })] };
  return { grams: r.value, problems: [] };
}

export interface StockInput {
  sku: string;
  variantKey?: RecordKey | null;
  locationKey?: string | null;
  /** Quantity as the source gives it: CCV `stock` is a float (2.5 for goods sold by weight). */
  quantity: unknown;
  /** Units reserved for open orders, when the source knows them (whole or fractional). */
  reserved?: unknown;
}

/**
 * Build a StockLevel from a source quantity. Fractional quantities are rounded **down** (never
 * promise stock that is not there) with a STOCK_FRACTIONAL note keeping the raw value; unreadable
 * values give STOCK_INVALID; values beyond Shopify's ±1e9 give STOCK_OUT_OF_RANGE.
 */
export function stockLevelFromSource(input: StockInput, at: ProblemLocation = {}): { level: StockLevel | null; problems: Problem[] } {
  const problems: Problem[] = [];
  const read = (value: unknown, field: string): { whole: number; raw: string | null } | null => {
    const r = parseScaled(value, 0, 'floor');
    if (!r.ok) {
      problems.push(problem('STOCK_INVALID', { value: String(value), reason: describeDecimalFailure(r.reason) }, { ...at, field }));
      return null;
    }
    const raw = r.exact ? null : String(value).trim();
    if (raw !== null) problems.push(problem('STOCK_FRACTIONAL', { raw, used: r.value }, { ...at, field }));
    if (Math.abs(r.value) > SHOPIFY_LIMITS.inventoryQuantityAbs) {
      problems.push(problem('STOCK_OUT_OF_RANGE', { quantity: String(value), limit: SHOPIFY_LIMITS.inventoryQuantityAbs }, { ...at, field }));
      return null;
    }
    return { whole: r.value, raw };
  };
  const onHand = read(input.quantity, 'quantity');
  const reserved = input.reserved === undefined || input.reserved === null ? { whole: 0, raw: null } : read(input.reserved, 'reserved');
  if (onHand === null || reserved === null) return { level: null, problems };
  return {
    level: {
      sku: input.sku,
      variantKey: input.variantKey ?? null,
      locationKey: input.locationKey ?? null,
      onHand: onHand.whole,
      reserved: reserved.whole,
      available: onHand.whole - reserved.whole,
      rawQuantity: onHand.raw,
    },
    problems,
  };
}
