/**
 * Validation of canonical records: each function returns the list of problems (never throws),
 * so a flow can quarantine one record (any `error`) and go on with the batch, recording the
 * `warning`s as notes.
 *
 * `fit*ForShopify` functions shorten what a Shopify limit forces (titles, vendor, option names
 * and values, tags) and return a TEXT_TRUNCATED / TAGS_TRUNCATED note for each change. Text is cut
 * only at grapheme boundaries (emoji and accents stay whole); HTML descriptions are never cut.
 * `prepare*ForShopify` = fit, then validate.
 */
import { problem, type Problem, type Severity } from './codes.js';
import { countryCodes } from './country.js';
import { normalizeDutchPostcode } from './address.js';
import { checkGtin } from './ean.js';
import { isValidEmail } from './email.js';
import { SHOPIFY_LIMITS, type ShopifyLimits } from './limits.js';
import type { Address, Category, Customer, Metafield, Order, Product, StockLevel, Variant } from './model.js';
import { addMoney, formatMoney, multiplyMoney, normalizeCurrency, subtractMoney, sumMoney, type Money } from './money.js';
import { maskEmail, maskPhone, maskPostcode } from './privacy.js';
import { recordKeyString, recordLabel, sameRecordKey, shortId } from './record.js';
import { SKU_MAX_LENGTH, checkSku } from './sku.js';
import { MAX_RATE_BP } from './tax.js';
import { codePointLength, showValue, truncateText } from './text.js';

export interface ValidateOptions {
  limits?: ShopifyLimits;
}

export interface ValidateProductOptions extends ValidateOptions {
  /** Severity of an invalid barcode: `error` quarantines the product (default), `warning` only notes it. */
  barcodeSeverity?: Severity;
}

const E164_RE = /^\+[1-9]\d{7,14}$/;
const isRate = (bp: number): boolean => Number.isSafeInteger(bp) && bp >= 0 && bp <= MAX_RATE_BP;
const fold = (s: string): string => s.normalize('NFKC').toLowerCase().trim();

// ── products ──────────────────────────────────────────────────────────────────────────────

function variantSubject(p: Product, v: Variant, record: string): string {
  return sameRecordKey(v.key, p.key) ? record : `variant ${shortId(v.key.id)} of ${record}`;
}

/** Problems of one product (all its variants included). */
export function validateProduct(p: Product, opts: ValidateProductOptions = {}): Problem[] {
  const limits = opts.limits ?? SHOPIFY_LIMITS;
  const record = recordLabel('product', p.key);
  const out: Problem[] = [];
  const at = (field: string, subject?: string) => ({ record, field, ...(subject === undefined ? {} : { subject }) });

  if (p.title.trim() === '') out.push(problem('PRODUCT_TITLE_EMPTY', {}, at('title')));
  if (p.variants.length === 0) out.push(problem('PRODUCT_NO_VARIANTS', {}, at('variants')));
  if (p.options.length > limits.optionsPerProduct) {
    out.push(problem('PRODUCT_TOO_MANY_OPTIONS', { count: p.options.length, limit: limits.optionsPerProduct, names: p.options.map((o) => o.name) }, at('options')));
  }
  if (p.variants.length > limits.variantsPerProduct) {
    out.push(problem('PRODUCT_TOO_MANY_VARIANTS', { count: p.variants.length, limit: limits.variantsPerProduct }, at('variants')));
  }
  if (p.taxRateBp !== null && !isRate(p.taxRateBp)) {
    out.push(problem('TAX_RATE_INVALID', { value: String(p.taxRateBp), reason: 'a rate must be whole basis points between 0 and 10000' }, at('taxRateBp')));
  }

  const optionNames = new Set<string>();
  p.options.forEach((o, i) => {
    const field = `options[${i}]`;
    const bad = (reason: string) => out.push(problem('OPTION_INVALID', { option: o.name, reason }, at(field)));
    if (o.name.trim() === '') bad('it has no name');
    else if (optionNames.has(fold(o.name))) bad('another option has the same name');
    optionNames.add(fold(o.name));
    if (o.values.length === 0) bad('it has no values');
    const seen = new Set<string>();
    for (const v of o.values) {
      if (v.trim() === '') bad('it has an empty value');
      else if (seen.has(fold(v))) bad(`value ${JSON.stringify(v)} appears twice`);
      seen.add(fold(v));
    }
  });

  const currency = p.variants[0]?.price.currency;
  const skus = new Map<string, string[]>();
  const combos = new Map<string, { values: string; owners: string[] }>();
  p.variants.forEach((v, i) => {
    const subject = variantSubject(p, v, record);
    const label = sameRecordKey(v.key, p.key) ? `product ${shortId(p.key.id)}` : `variant ${shortId(v.key.id)}`;
    const f = (name: string) => `variants[${i}].${name}`;

    const sku = checkSku(v.sku);
    if (sku.kind === 'missing') out.push(problem('SKU_MISSING', { system: p.key.system }, at(f('sku'), subject)));
    else if (sku.kind === 'invalid') out.push(problem('SKU_INVALID', { sku: sku.shown, reason: sku.reason, system: p.key.system }, at(f('sku'), subject)));
    else if (sku.sku !== v.sku) {
      out.push(problem('SKU_INVALID', { sku: showValue(v.sku ?? ''), reason: 'it has surrounding or repeated spaces (the connector did not normalise it)', system: p.key.system }, at(f('sku'), subject)));
    } else if (codePointLength(sku.sku) > Math.min(limits.sku, SKU_MAX_LENGTH)) {
      out.push(problem('SKU_TOO_LONG', { sku: showValue(sku.sku, 40), length: codePointLength(sku.sku), limit: limits.sku, system: p.key.system }, at(f('sku'), subject)));
    } else {
      const owners = skus.get(sku.sku) ?? [];
      owners.push(label);
      skus.set(sku.sku, owners);
    }

    if (v.barcode !== null) {
      const g = checkGtin(v.barcode);
      if (g.kind === 'invalid') {
        out.push(problem('BARCODE_INVALID', { value: g.value.slice(0, 40), reason: g.reason, system: p.key.system }, { ...at(f('barcode'), subject), severity: opts.barcodeSeverity ?? 'error' }));
      }
    }

    const moneys: [string, Money | null][] = [
      ['price', v.price],
      ['compareAtPrice', v.compareAtPrice],
      ['cost', v.cost],
    ];
    for (const [name, m] of moneys) {
      if (m === null) continue;
      if (currency !== undefined && m.currency !== currency) {
        out.push(problem('MONEY_CURRENCY_MISMATCH', { operation: 'combine', left: currency, right: m.currency }, at(f(name), subject)));
      } else if (m.amount < 0) {
        out.push(problem('PRICE_NEGATIVE', { field: name === 'compareAtPrice' ? 'compare-at price' : name, amount: formatMoney(m) }, at(f(name), subject)));
      }
    }

    if (v.weightGrams !== null && (!Number.isSafeInteger(v.weightGrams) || v.weightGrams < 0)) {
      out.push(problem('WEIGHT_INVALID', { value: `${v.weightGrams} g`, reason: 'it must be a whole, non-negative number of grams' }, at(f('weightGrams'), subject)));
    }

    const mismatch = (reason: string) => out.push(problem('VARIANT_OPTIONS_MISMATCH', { variant: label, reason }, at(f('optionValues'))));
    if (v.optionValues.length !== p.options.length) {
      mismatch(`it has ${v.optionValues.length} option value(s) but the product has ${p.options.length} option(s)`);
    } else {
      v.optionValues.forEach((ov, j) => {
        const opt = p.options[j];
        if (opt === undefined) return;
        if (ov.option !== opt.name) mismatch(`option ${j + 1} is ${JSON.stringify(ov.option)} but the product's option ${j + 1} is ${JSON.stringify(opt.name)}`);
        else if (!opt.values.includes(ov.value)) mismatch(`value ${JSON.stringify(ov.value)} is not one of the values of option ${JSON.stringify(opt.name)}`);
      });
      const combo = JSON.stringify(v.optionValues.map((ov) => fold(ov.value)));
      const entry = combos.get(combo) ?? { values: v.optionValues.map((ov) => ov.value).join(' / '), owners: [] };
      entry.owners.push(label);
      combos.set(combo, entry);
    }
  });

  if (p.options.length === 0 && p.variants.length > 1) {
    out.push(problem('VARIANT_OPTIONS_MISMATCH', { variant: 'the variants', reason: `there are ${p.variants.length} of them but no options to tell them apart` }, at('options')));
  }
  for (const [sku, owners] of skus) {
    if (owners.length > 1) out.push(problem('SKU_DUPLICATE', { sku, system: p.key.system, owners }, at('variants')));
  }
  if (p.options.length > 0) {
    for (const { values, owners } of combos.values()) {
      if (owners.length > 1) out.push(problem('VARIANT_DUPLICATE_OPTIONS', { values, variants: owners }, at('variants')));
    }
  }

  out.push(...validateMetafields(p.metafields, record, limits));
  return out;
}

const METAFIELD_NAME_RE = /^[A-Za-z0-9_-]+$/;
const APP_NAMESPACE_RE = /^\$app(?::[A-Za-z0-9_-]+)?$/;

/** Why a metafield value does not fit its type, or undefined when it does. */
export function metafieldValueProblem(m: Pick<Metafield, 'type' | 'value'>): string | undefined {
  const v = m.value;
  if (v === '') return 'its value is empty';
  const json = (): unknown => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return undefined;
    }
  };
  if (m.type.startsWith('list.')) return Array.isArray(json()) ? undefined : 'a list value must be a JSON array';
  switch (m.type) {
    case 'single_line_text_field':
      return /[\r\n]/.test(v) ? 'a single-line text contains a line break' : undefined;
    case 'number_integer':
      return /^-?\d{1,15}$/.test(v) ? undefined : 'it is not a whole number';
    case 'number_decimal':
      return /^-?\d+(?:\.\d+)?$/.test(v) ? undefined : 'it is not a decimal number such as 12.5';
    case 'boolean':
      return v === 'true' || v === 'false' ? undefined : 'it must be true or false';
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? undefined : 'it is not a date such as 2025-03-01';
    case 'date_time':
      return /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)) ? undefined : 'it is not a date-time such as 2025-03-01T10:15:00Z';
    case 'color':
      return /^#[0-9A-Fa-f]{6}$/.test(v) ? undefined : 'it is not a colour such as #FF0000';
    case 'url':
      try {
        return ['http:', 'https:', 'mailto:', 'sms:', 'tel:'].includes(new URL(v).protocol) ? undefined : 'the URL scheme is not allowed';
      } catch {
        return 'it is not a URL';
      }
    case 'json':
    case 'rich_text_field':
    case 'weight':
    case 'dimension':
    case 'volume':
    case 'money':
      return json() === undefined ? 'it is not valid JSON' : undefined;
    default:
      return undefined;
  }
}

function validateMetafields(metafields: readonly Metafield[], record: string, limits: ShopifyLimits): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  metafields.forEach((m, i) => {
    const bad = (reason: string) => out.push(problem('METAFIELD_INVALID', { namespace: m.namespace, key: m.key, reason }, { record, field: `metafields[${i}]` }));
    const nsLen = m.namespace.length;
    if (!APP_NAMESPACE_RE.test(m.namespace) && (!METAFIELD_NAME_RE.test(m.namespace) || nsLen < limits.metafieldNamespaceMin || nsLen > limits.metafieldNamespaceMax)) {
      bad(`the namespace must be ${limits.metafieldNamespaceMin}-${limits.metafieldNamespaceMax} letters, digits, - or _`);
    }
    if (!METAFIELD_NAME_RE.test(m.key) || m.key.length < limits.metafieldKeyMin || m.key.length > limits.metafieldKeyMax) {
      bad(`the key must be ${limits.metafieldKeyMin}-${limits.metafieldKeyMax} letters, digits, - or _`);
    }
    const id = `${m.namespace}.${m.key}`;
    if (seen.has(id)) bad('the same namespace and key appear twice');
    seen.add(id);
    const valueProblem = metafieldValueProblem(m);
    if (valueProblem !== undefined) bad(`${valueProblem} (type ${m.type})`);
  });
  return out;
}

export interface Fitted<T> {
  record: T;
  /** TEXT_TRUNCATED / TAGS_TRUNCATED warnings, one per change. */
  notes: Problem[];
}

function fitText(value: string, limit: number, field: string, record: string, notes: Problem[]): string {
  const t = truncateText(value, limit);
  if (t.truncated) notes.push(problem('TEXT_TRUNCATED', { field, length: t.length, limit, target: 'Shopify' }, { record, field }));
  return t.value;
}

function fitTags(tags: readonly string[], perRecord: number, record: string, notes: Problem[], limits: ShopifyLimits): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const tag of tags) {
    const t = fitText(tag.trim(), limits.tagLength, 'tag', record, notes);
    if (t === '' || seen.has(t)) continue;
    seen.add(t);
    out.push(t);
  }
  if (out.length > perRecord) {
    notes.push(problem('TAGS_TRUNCATED', { count: out.length, limit: perRecord }, { record, field: 'tags' }));
    return out.slice(0, perRecord);
  }
  return out;
}

/** Shorten what Shopify's limits force; see the module doc. Option values are renamed on the variants too. */
export function fitProductForShopify(p: Product, limits: ShopifyLimits = SHOPIFY_LIMITS): Fitted<Product> {
  const record = recordLabel('product', p.key);
  const notes: Problem[] = [];
  const fitNullable = (v: string | null, limit: number, field: string) => (v === null ? null : fitText(v, limit, field, record, notes));
  const optionRename = new Map<string, string>();
  const valueRename = new Map<string, Map<string, string>>();
  const options = p.options.map((o) => {
    const name = fitText(o.name, limits.optionName, `option ${JSON.stringify(o.name)}`, record, notes);
    optionRename.set(o.name, name);
    const renames = new Map<string, string>();
    const values = o.values.map((v) => {
      const nv = fitText(v, limits.optionValue, `value of option ${JSON.stringify(o.name)}`, record, notes);
      renames.set(v, nv);
      return nv;
    });
    valueRename.set(o.name, renames);
    return { name, values };
  });
  const variants = p.variants.map((v) => ({
    ...v,
    optionValues: v.optionValues.map((ov) => ({ option: optionRename.get(ov.option) ?? ov.option, value: valueRename.get(ov.option)?.get(ov.value) ?? ov.value })),
  }));
  return {
    record: {
      ...p,
      title: fitText(p.title, limits.productTitle, 'title', record, notes),
      vendor: fitNullable(p.vendor, limits.vendor, 'vendor'),
      productType: fitNullable(p.productType, limits.productType, 'product type'),
      tags: fitTags(p.tags, limits.tagsPerProduct, record, notes, limits),
      options,
      variants,
    },
    notes,
  };
}

/** Fit, then validate: the record to write and every problem and note. */
export function prepareProductForShopify(p: Product, opts: ValidateProductOptions = {}): { record: Product; problems: Problem[] } {
  const fitted = fitProductForShopify(p, opts.limits);
  return { record: fitted.record, problems: [...validateProduct(fitted.record, opts), ...fitted.notes] };
}

// ── categories ────────────────────────────────────────────────────────────────────────────

export function validateCategory(c: Category): Problem[] {
  const record = recordLabel('category', c.key);
  const out: Problem[] = [];
  if (c.name.trim() === '') out.push(problem('CATEGORY_NAME_EMPTY', {}, { record, field: 'name' }));
  if (c.parentKey !== null && sameRecordKey(c.parentKey, c.key)) out.push(problem('CATEGORY_PARENT_INVALID', { reason: 'it is its own parent' }, { record, field: 'parentKey' }));
  return out;
}

export function fitCategoryForShopify(c: Category, limits: ShopifyLimits = SHOPIFY_LIMITS): Fitted<Category> {
  const notes: Problem[] = [];
  const name = fitText(c.name, limits.collectionTitle, 'name', recordLabel('category', c.key), notes);
  return { record: { ...c, name }, notes };
}

/**
 * Problems across a set of categories that single records cannot show: parents that form a loop.
 * Returns problems per category key string (`recordKeyString`). Categories are few, so this takes
 * the whole set.
 */
export function validateCategoryTree(categories: Iterable<Category>): Map<string, Problem[]> {
  const byKey = new Map<string, Category>();
  for (const c of categories) byKey.set(recordKeyString(c.key), c);
  const out = new Map<string, Problem[]>();
  for (const [k, c] of byKey) {
    const chain = [c.name];
    const seen = new Set([k]);
    let cur = c.parentKey;
    while (cur !== null) {
      const ck = recordKeyString(cur);
      const parent = byKey.get(ck);
      if (parent === undefined) break;
      chain.push(parent.name);
      if (seen.has(ck)) {
        if (ck !== k) break; // a loop further up: reported on its own members
        const list = out.get(k) ?? [];
        list.push(problem('CATEGORY_PARENT_INVALID', { reason: `its parents form a loop (${chain.join(' → ')})` }, { record: recordLabel('category', c.key), field: 'parentKey' }));
        out.set(k, list);
        break;
      }
      seen.add(ck);
      cur = parent.parentKey;
    }
  }
  return out;
}

/** Names from the root down to each category, from the parent links (loops stop at the repeat). */
export function categoryPaths(categories: Iterable<Category>): Map<string, string[]> {
  const byKey = new Map<string, Category>();
  for (const c of categories) byKey.set(recordKeyString(c.key), c);
  const out = new Map<string, string[]>();
  for (const [k, c] of byKey) {
    const path = [c.name];
    const seen = new Set([k]);
    let cur = c.parentKey;
    while (cur !== null && !seen.has(recordKeyString(cur))) {
      const parent = byKey.get(recordKeyString(cur));
      if (parent === undefined) break;
      seen.add(recordKeyString(cur));
      path.unshift(parent.name);
      cur = parent.parentKey;
    }
    out.set(k, path);
  }
  return out;
}

// ── stock ─────────────────────────────────────────────────────────────────────────────────

export function validateStockLevel(s: StockLevel, opts: ValidateOptions = {}): Problem[] {
  const limits = opts.limits ?? SHOPIFY_LIMITS;
  const record = s.variantKey ? recordLabel('variant', s.variantKey) : `stock level of SKU ${s.sku}`;
  const out: Problem[] = [];
  const sku = checkSku(s.sku);
  if (sku.kind === 'missing') out.push(problem('SKU_MISSING', { system: s.variantKey?.system ?? 'ccv' }, { record, field: 'sku' }));
  else if (sku.kind === 'invalid') out.push(problem('SKU_INVALID', { sku: sku.shown, reason: sku.reason, system: s.variantKey?.system ?? 'ccv' }, { record, field: 'sku' }));
  for (const field of ['onHand', 'reserved', 'available'] as const) {
    const q = s[field];
    if (!Number.isSafeInteger(q)) out.push(problem('STOCK_INVALID', { value: String(q), reason: 'it is not a whole number' }, { record, field }));
    else if (Math.abs(q) > limits.inventoryQuantityAbs) out.push(problem('STOCK_OUT_OF_RANGE', { quantity: String(q), limit: limits.inventoryQuantityAbs }, { record, field }));
  }
  if (out.length === 0 && s.available !== s.onHand - s.reserved) {
    out.push(problem('STOCK_INVALID', { value: String(s.available), reason: `available must be on hand (${s.onHand}) minus reserved (${s.reserved})` }, { record, field: 'available' }));
  }
  return out;
}

// ── customers and addresses ───────────────────────────────────────────────────────────────

/** Problems of one address; `field` names it in messages ("billing address", "addresses[0]"). */
export function validateAddress(a: Address, record: string, field: string): Problem[] {
  const out: Problem[] = [];
  if (a.countryCode === null || !countryCodes().has(a.countryCode)) {
    out.push(problem('COUNTRY_UNKNOWN', { value: a.countryCode ?? '', field }, { record, field }));
  }
  if (a.countryCode === 'NL') {
    if (a.postcode !== null && normalizeDutchPostcode(a.postcode) !== a.postcode) {
      out.push(problem('POSTCODE_INVALID', { value: maskPostcode(a.postcode), country: 'NL', field }, { record, field }));
    }
    if (a.houseNumber === null && a.address1.trim() !== '' && !/\d/.test(a.address1)) {
      out.push(problem('HOUSE_NUMBER_MISSING', { field }, { record, field }));
    }
  }
  if (a.phone !== null && !E164_RE.test(a.phone)) out.push(problem('PHONE_INVALID', { masked: maskPhone(a.phone), field: `${field} phone` }, { record, field }));
  return out;
}

function validatePersonParts(
  c: { email: string | null; phone: string | null; firstName: string | null; lastName: string | null; company: { name: string } | null },
  record: string,
  prefix: string,
  requireIdentity: boolean,
): Problem[] {
  const out: Problem[] = [];
  const has = (s: string | null | undefined) => s !== null && s !== undefined && s.trim() !== '';
  if (requireIdentity && !has(c.email) && !has(c.phone) && !has(c.firstName) && !has(c.lastName) && !has(c.company?.name)) out.push(problem('CUSTOMER_NO_IDENTITY', {}, { record }));
  if (c.email !== null && !isValidEmail(c.email)) out.push(problem('EMAIL_INVALID', { masked: maskEmail(c.email), field: `${prefix}e-mail address` }, { record, field: `${prefix}email` }));
  if (c.phone !== null && !E164_RE.test(c.phone)) out.push(problem('PHONE_INVALID', { masked: maskPhone(c.phone), field: `${prefix}phone number` }, { record, field: `${prefix}phone` }));
  return out;
}

export function validateCustomer(c: Customer): Problem[] {
  const record = recordLabel('customer', c.key);
  const out = validatePersonParts(c, record, '', true);
  c.addresses.forEach((a, i) => out.push(...validateAddress(a, record, `addresses[${i}]`)));
  return out;
}

export function fitCustomerForShopify(c: Customer, limits: ShopifyLimits = SHOPIFY_LIMITS): Fitted<Customer> {
  const notes: Problem[] = [];
  const tags = fitTags(c.tags, limits.tagsPerCustomer, recordLabel('customer', c.key), notes, limits);
  return { record: { ...c, tags }, notes };
}

// ── orders ────────────────────────────────────────────────────────────────────────────────

export interface ValidateOrderOptions {
  /**
   * Allowed difference, in minor units, between the stated and the computed totals before
   * ORDER_TOTAL_MISMATCH is noted. Default: one per line (sources round VAT per line).
   */
  totalTolerance?: number;
}

export function validateOrder(o: Order, opts: ValidateOrderOptions = {}): Problem[] {
  const record = recordLabel('order', o.key);
  const out: Problem[] = [];
  const currency = normalizeCurrency(o.currency);
  if (currency !== o.currency) out.push(problem('CURRENCY_UNKNOWN', { currency: o.currency }, { record, field: 'currency' }));
  if (o.lines.length === 0) out.push(problem('ORDER_NO_LINES', {}, { record, field: 'lines' }));

  let currenciesOk = currency === o.currency;
  const checkMoney = (m: Money, field: string, name: string, mayBeNegative = false) => {
    if (m.currency !== o.currency) {
      currenciesOk = false;
      out.push(problem('MONEY_CURRENCY_MISMATCH', { operation: 'combine', left: o.currency, right: m.currency }, { record, field }));
    } else if (!mayBeNegative && m.amount < 0) out.push(problem('PRICE_NEGATIVE', { field: name, amount: formatMoney(m) }, { record, field }));
  };

  o.lines.forEach((l, i) => {
    const line = String(i + 1);
    const f = (n: string) => `lines[${i}].${n}`;
    if (!Number.isSafeInteger(l.quantity) || l.quantity <= 0) out.push(problem('ORDER_LINE_QUANTITY_INVALID', { line, quantity: String(l.quantity) }, { record, field: f('quantity') }));
    checkMoney(l.unitPrice, f('unitPrice'), `unit price of line ${line}`);
    checkMoney(l.discount, f('discount'), `discount of line ${line}`);
    if (!isRate(l.taxRateBp)) out.push(problem('TAX_RATE_INVALID', { value: String(l.taxRateBp), reason: 'a rate must be whole basis points between 0 and 10000' }, { record, field: f('taxRateBp') }));
    const sku = checkSku(l.sku);
    if (sku.kind === 'missing') out.push(problem('ORDER_LINE_SKU_MISSING', { line, title: l.title.slice(0, 80) }, { record, field: f('sku') }));
    else if (sku.kind === 'invalid') out.push(problem('SKU_INVALID', { sku: sku.shown, reason: sku.reason, system: o.key.system }, { record, field: f('sku') }));
  });
  if (o.shipping) checkMoney(o.shipping.price, 'shipping.price', 'shipping price');
  const t = o.totals;
  checkMoney(t.lines, 'totals.lines', 'line total');
  checkMoney(t.shipping, 'totals.shipping', 'shipping total');
  checkMoney(t.extraCosts, 'totals.extraCosts', 'extra costs', true);
  checkMoney(t.discounts, 'totals.discounts', 'discount total');
  checkMoney(t.tax, 'totals.tax', 'tax total');
  checkMoney(t.total, 'totals.total', 'order total');

  if (currenciesOk && o.lines.every((l) => Number.isSafeInteger(l.quantity))) {
    const tolerance = opts.totalTolerance ?? Math.max(1, o.lines.length);
    const lines = sumMoney(
      o.lines.map((l) => subtractMoney(multiplyMoney(l.unitPrice, l.quantity), l.discount)),
      o.currency,
    );
    let computed = subtractMoney(addMoney(addMoney(lines, t.shipping), t.extraCosts), t.discounts);
    if (!o.pricesIncludeTax) computed = addMoney(computed, t.tax);
    if (Math.abs(lines.amount - t.lines.amount) > tolerance || Math.abs(computed.amount - t.total.amount) > tolerance) {
      out.push(problem('ORDER_TOTAL_MISMATCH', { computed: formatMoney(computed), stated: formatMoney(t.total) }, { record, field: 'totals' }));
    }
  }

  // An anonymous till sale is normal, so an order's buyer needs no identity; given details must be valid.
  if (o.customer) out.push(...validatePersonParts(o.customer, record, 'customer.', false));
  if (o.billingAddress) out.push(...validateAddress(o.billingAddress, record, 'billing address'));
  if (o.shippingAddress) out.push(...validateAddress(o.shippingAddress, record, 'shipping address'));
  return out;
}
