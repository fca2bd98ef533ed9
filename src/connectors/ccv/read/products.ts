/**
 * CCV products → canonical Products. One page request returns 250 products with their attribute
 * sets, combinations, category links and extra fields (`expand`), so reading a catalogue costs one
 * call per page plus a handful of calls for the extra-field catalogue.
 *
 * Variants: a product without option-menu attributes has one variant whose key is the product's;
 * otherwise one variant per attribute combination, keyed `<product id>/<combination id>`.
 * Price of a variant = product price − product discount + the combination's extra price; when the
 * product is discounted, the undiscounted price becomes the compare-at price.
 */
import {
  DUTCH_TAX_TARIFFS, addMoney, gtinWithProblems, money, problem, recordKey, recordLabel, skuWithProblems, subtractMoney, tryParseMoney,
  tryTariffRate, weightKgToGrams, isZeroMoney, type InventoryPolicy, type Metafield, type Money, type Problem, type Product,
  type ProductOption, type TaxTariffTable, type Variant,
} from '../../../core/index.js';
import type { CcvClient } from '../client.js';
import type { CcvShopInfo } from './shop.js';

/** Where a variant's SKU comes from, tried in order. */
export type SkuSource = 'sku_number' | 'product_number' | 'productnumber' | 'ean';
export const DEFAULT_SKU_SOURCES: readonly SkuSource[] = ['sku_number', 'product_number', 'productnumber'];

export interface CcvProductReadOptions {
  shop: CcvShopInfo;
  taxTable?: TaxTariffTable;
  /**
   * SKU sources in order. For a product without combinations only `productnumber` and `ean` apply
   * (CCV has no product-level SKU); for a combination every source applies, `productnumber` meaning
   * the product's number (shared by all combinations, so only useful with a single combination).
   */
  skuSources?: readonly SkuSource[];
  /** Delta: read newest-modified first and stop below this `modifydate` (inclusive). */
  modifiedSince?: string;
  /** Metafield namespace for extra fields (default `ccv`). */
  namespace?: string;
  signal?: AbortSignal;
}

export interface CcvProductRecord {
  /** Null when the record could not be turned into a product at all. */
  product: Product | null;
  /** Conversion problems (errors quarantine the product; warnings are notes). */
  problems: Problem[];
  ccvId: number;
  modifyDate: string;
}

interface Collection<T> { collection?: T[] }
interface AttributeSet { id: number; attributename: string; attributeposition: number; type: string; items: Array<{ id: number; optionsname: string; price: number; position: number }> }
interface Combination {
  id: number; stock: number; netto_extra_price: number; ordering_without_stock: string; product_number: string; ean_number: string; sku_number: string;
  active: boolean; combination: Array<{ attribute: { id: number; name: string }; attribute_value: { id: number; name: string } }>;
}
interface PropertyLink { values?: Collection<{ product_property_id: number; value: string }> }
interface CcvProduct {
  id: number; is_active: boolean; modifydate: string; productnumber: string; eannumber: string; name: string; shortdescription: string; description: string;
  taxtariff: string; price: number; discount: number; purchaseprice: number | null; stockenabled: boolean | null; ordering_without_stock: string; weight: number | null;
  brand: { name: string } | null; tradecodesystem: { code?: string | null; coo?: string | null } | null;
  stock_delivery_number: number | null; stock_delivery_type: string | null;
  productattributesets?: Collection<AttributeSet>; attributecombinations?: Collection<Combination>; producttocategories?: Collection<{ category_id: number }>;
  producttopropertygroups?: Collection<PropertyLink>;
}

const EXPAND = 'attributecombinations,productattributesets,producttocategories,producttopropertygroups';
const OPTION_MENUS = new Set(['option_menu', 'option_menu_required']);

/** Streams the catalogue (or, with `modifiedSince`, what changed since then). */
export async function* readCcvProducts(client: CcvClient, opts: CcvProductReadOptions): AsyncGenerator<CcvProductRecord> {
  const properties = await loadPropertyCatalog(client, opts.signal);
  const query = { expand: EXPAND, orderby: opts.modifiedSince ? 'modifydate_desc' : 'id' };
  for await (const page of client.pages<CcvProduct>('products', { query, signal: opts.signal, priority: 1 })) {
    for (const raw of page.items) {
      if (opts.modifiedSince && raw.modifydate < opts.modifiedSince) return;
      yield toProduct(raw, opts, properties);
    }
  }
}

/** Reads one product by id (e.g. after a webhook); undefined when CCV no longer has it. */
export async function readCcvProduct(client: CcvClient, id: number, opts: CcvProductReadOptions): Promise<CcvProductRecord | undefined> {
  const properties = await loadPropertyCatalog(client, opts.signal);
  try {
    const raw = await client.get<CcvProduct>(`products/${id}`, { query: { expand: EXPAND }, signal: opts.signal });
    return toProduct(raw, opts, properties);
  } catch (e) {
    if ((e as { errorClass?: string }).errorClass === 'not_found') return undefined;
    throw e;
  }
}

export function toProduct(raw: CcvProduct, opts: CcvProductReadOptions, properties: PropertyCatalog): CcvProductRecord {
  const key = recordKey('ccv', raw.id);
  const record = recordLabel('product', key);
  const problems: Problem[] = [];
  const currency = opts.shop.currency;
  const sources = opts.skuSources ?? DEFAULT_SKU_SOURCES;
  const at = (field: string) => ({ record, field });
  const readMoney = (v: unknown, field: string): Money | null => {
    const r = tryParseMoney(v, currency, at(field));
    if (!r.ok) {
      problems.push(r.problem);
      return null;
    }
    return r.money;
  };

  const base = readMoney(raw.price, 'price');
  const discount = readMoney(raw.discount ?? 0, 'discount') ?? money(0, currency);
  const cost = raw.purchaseprice === null || raw.purchaseprice === undefined ? null : readMoney(raw.purchaseprice, 'purchaseprice');
  const tariff = tryTariffRate(raw.taxtariff, opts.taxTable ?? DUTCH_TAX_TARIFFS, at('taxtariff'));
  if (!tariff.ok) problems.push(tariff.problem);
  const weight = weightKgToGrams(raw.weight, at('weight'));
  problems.push(...weight.problems);
  const policyOf = (setting: string): InventoryPolicy =>
    setting === 'allowed' ? 'continue' : setting === 'not_allowed' ? 'deny' : opts.shop.orderingWithoutStock ? 'continue' : 'deny';

  const combos = (raw.attributecombinations?.collection ?? []).filter((c) => c.active !== false);
  // Option menus without an active combination leave nothing to choose: the product is sold as one variant.
  const sets = combos.length === 0 ? [] : (raw.productattributesets?.collection ?? [])
    .filter((s) => OPTION_MENUS.has(s.type))
    .sort((a, b) => a.attributeposition - b.attributeposition);
  const options: ProductOption[] = sets.map((s) => ({ name: s.attributename.trim(), values: [...s.items].sort((a, b) => a.position - b.position).map((i) => i.optionsname.trim()) }));

  const variant = (vKey: string, sku: string | null, ean: string, extra: Money, optionValues: Variant['optionValues'], owsSetting: string): Variant | null => {
    if (base === null) return null;
    const full = addMoney(base, extra);
    const price = subtractMoney(full, discount);
    const barcode = ean.trim() === '' ? { gtin: null, problems: [] } : gtinWithProblems(ean, { record, field: `${vKey}.ean`, system: 'ccv' });
    problems.push(...barcode.problems);
    return {
      key: recordKey('ccv', vKey),
      sku,
      barcode: barcode.gtin,
      optionValues,
      price,
      compareAtPrice: isZeroMoney(discount) ? null : full,
      cost,
      weightGrams: weight.grams,
      taxable: tariff.ok ? tariff.rateBp > 0 : true,
      inventoryTracked: raw.stockenabled === true,
      inventoryPolicy: policyOf(owsSetting),
    };
  };

  const skuFrom = (candidates: Partial<Record<SkuSource, string | undefined>>, field: string): string | null => {
    for (const s of sources) {
      const v = candidates[s];
      if (v !== undefined && v.trim() !== '') {
        const r = skuWithProblems(v, { system: 'ccv', record, field: s === 'ean' ? field.replace(/sku$/, 'ean') : field });
        problems.push(...r.problems);
        return r.sku;
      }
    }
    problems.push(problem('SKU_MISSING', { system: 'ccv' }, at(field)));
    return null;
  };

  const variants: Variant[] = [];
  if (sets.length === 0) {
    const sku = skuFrom({ productnumber: raw.productnumber, ean: raw.eannumber }, 'productnumber');
    const v = variant(String(raw.id), sku, raw.eannumber ?? '', money(0, currency), [], raw.ordering_without_stock);
    if (v) variants.push(v);
  } else {
    const optionOfAttribute = new Map(sets.map((s) => [s.id, s.attributename.trim()]));
    for (const c of combos) {
      const vKey = `${raw.id}/${c.id}`;
      const extra = readMoney(c.netto_extra_price ?? 0, `combination ${c.id} netto_extra_price`) ?? money(0, currency);
      const optionValues = sets.map((s) => {
        const part = c.combination.find((p) => p.attribute.id === s.id);
        return { option: optionOfAttribute.get(s.id) ?? s.attributename, value: (part?.attribute_value.name ?? '').trim() };
      });
      const sku = skuFrom({ sku_number: c.sku_number, product_number: c.product_number, productnumber: combos.length === 1 ? raw.productnumber : undefined, ean: c.ean_number }, `combination ${c.id} sku`);
      const v = variant(vKey, sku, c.ean_number ?? '', extra, optionValues, c.ordering_without_stock);
      if (v) variants.push(v);
    }
  }

  const product: Product | null = base === null
    ? null
    : {
      key,
      title: (raw.name ?? '').trim(),
      descriptionHtml: raw.description ?? '',
      shortDescription: raw.shortdescription ? raw.shortdescription : null,
      vendor: raw.brand?.name?.trim() || null,
      productType: null,
      status: raw.is_active ? 'active' : 'draft',
      tags: [],
      options,
      variants,
      categoryKeys: (raw.producttocategories?.collection ?? []).map((l) => recordKey('ccv', l.category_id)),
      metafields: extraFields(raw, properties, opts.namespace ?? 'ccv'),
      pricesIncludeTax: opts.shop.pricesIncludeVat,
      taxRateBp: tariff.ok ? tariff.rateBp : null,
      updatedAt: raw.modifydate ?? null,
    };
  return { product, problems, ccvId: raw.id, modifyDate: raw.modifydate };
}

// ── extra fields (property groups, trade code, delivery time) → metafields ──────────────────

interface PropertyDef { id: number; name: string; type: string; options: Map<string, string> }
export type PropertyCatalog = Map<number, PropertyDef>;

/** Metafield key from a CCV field name: "Land van herkomst" → "land_van_herkomst" (2–64 of [a-z0-9_]). */
export function metafieldKey(name: string): string {
  const k = name.replace(/ß/g, 'ss').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);
  return k.length >= 2 ? k : `field_${k || 'x'}`;
}

export async function loadPropertyCatalog(client: CcvClient, signal?: AbortSignal): Promise<PropertyCatalog> {
  const out: PropertyCatalog = new Map();
  for await (const group of client.items<{ id: number }>('productpropertygroups', { signal })) {
    for await (const p of client.items<{ id: number; name: string; type: string | null }>(`productpropertygroups/${group.id}/productproperties`, { signal })) {
      const def: PropertyDef = { id: p.id, name: p.name, type: p.type ?? 'text', options: new Map() };
      if (def.type === 'option') {
        for await (const o of client.items<{ id: number; name: string }>(`productproperties/${p.id}/productpropertyoptions`, { signal })) def.options.set(String(o.id), o.name);
      }
      out.set(p.id, def);
    }
  }
  return out;
}

function extraFields(raw: CcvProduct, properties: PropertyCatalog, namespace: string): Metafield[] {
  const out = new Map<string, Metafield>();
  const put = (key: string, type: Metafield['type'], value: string) => {
    if (value.trim() !== '') out.set(key, { namespace, key, type, value });
  };
  if (raw.tradecodesystem?.coo) put('country_of_origin', 'single_line_text_field', raw.tradecodesystem.coo);
  if (raw.tradecodesystem?.code) put('hs_code', 'single_line_text_field', raw.tradecodesystem.code);
  if (raw.stock_delivery_type) {
    put('delivery_time', 'single_line_text_field', raw.stock_delivery_number !== null && raw.stock_delivery_number !== undefined ? `${raw.stock_delivery_number} ${raw.stock_delivery_type}` : raw.stock_delivery_type);
  }
  for (const link of raw.producttopropertygroups?.collection ?? []) {
    for (const v of link.values?.collection ?? []) {
      const def = properties.get(v.product_property_id);
      if (!def) continue;
      const key = metafieldKey(def.name);
      if (def.type === 'checkbox') put(key, 'boolean', v.value === '1' || v.value === 'true' ? 'true' : 'false');
      else if (def.type === 'option') put(key, 'single_line_text_field', def.options.get(v.value) ?? v.value);
      else if (def.type === 'textarea' || v.value.includes('\n')) put(key, 'multi_line_text_field', v.value);
      else put(key, 'single_line_text_field', v.value);
    }
  }
  return [...out.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}
