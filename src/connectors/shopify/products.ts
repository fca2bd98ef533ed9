/**
 * Products in Shopify, in canonical terms: build ProductSetInput / ProductUpdateInput / variant
 * bulk inputs from canonical Products, read a product back as a canonical Product (to see edits
 * made in Shopify), list the catalogue's variants (linking report), and the one-time setup of
 * metafield definitions and publications. Shopify field names stay in this file.
 */
import { formatMoney, parseMoney, recordKey, type Metafield, type Product, type ProductStatus, type Variant } from '../../core/index.js';
import type { CostInfo, QueryResult, ShopifyClient, UserError } from './client.js';
import * as docs from './documents.js';
import type * as T from './documents.types.js';

/** Where Koppel keeps its own ids in Shopify (`id`-type metafields, unique per shop). */
export const CUSTOM_ID = {
  product: { namespace: 'koppel', key: 'ccv_product_id' },
  variant: { namespace: 'koppel', key: 'ccv_variant_id' },
} as const;

/** A product without options is sent with Shopify's default option. */
const DEFAULT_OPTION = { name: 'Title', value: 'Default Title' };

export interface ShopifyShop {
  id: string;
  name: string;
  currency: string;
  taxesIncluded: boolean;
}

export async function readShopifyShop(client: ShopifyClient, signal?: AbortSignal): Promise<ShopifyShop> {
  const r = await client.query(docs.ShopInfo, {}, { lane: 'products', signal });
  const s = r.data.shop;
  return { id: s.id, name: s.name, currency: s.currencyCode, taxesIncluded: s.taxesIncluded };
}

// ── canonical → Shopify inputs ─────────────────────────────────────────────────────────────

const STATUS: Record<ProductStatus, T.ProductStatus> = { active: 'ACTIVE', draft: 'DRAFT', archived: 'ARCHIVED' };

function metafieldInputs(ms: readonly Metafield[]): T.MetafieldInput[] {
  return ms.map((m) => ({ namespace: m.namespace, key: m.key, type: m.type, value: m.value }));
}

function inventoryItemInput(v: Variant): T.InventoryItemInput {
  return {
    tracked: v.inventoryTracked,
    ...(v.cost ? { cost: formatMoney(v.cost) } : {}),
    ...(v.weightGrams !== null ? { measurement: { weight: { value: v.weightGrams, unit: 'GRAMS' } } } : {}),
  };
}

function optionValuesOf(p: Product, v: Variant): T.VariantOptionValueInput[] {
  if (p.options.length === 0) return [{ optionName: DEFAULT_OPTION.name, name: DEFAULT_OPTION.value }];
  return v.optionValues.map((o) => ({ optionName: o.option, name: o.value }));
}

function variantMetafields(v: Variant): T.MetafieldInput[] {
  return [{ ...CUSTOM_ID.variant, type: 'id', value: v.key.id }];
}

/** Options + variants: the part productSet replaces as a whole. `ids` maps canonical variant keys to existing variant GIDs. */
export function productSetStructure(p: Product, ids: ReadonlyMap<string, string> = new Map()): Pick<T.ProductSetInput, 'productOptions' | 'variants'> {
  const options = p.options.length
    ? p.options.map((o, i) => ({ name: o.name, position: i + 1, values: o.values.map((name) => ({ name })) }))
    : [{ name: DEFAULT_OPTION.name, position: 1, values: [{ name: DEFAULT_OPTION.value }] }];
  return {
    productOptions: options,
    variants: p.variants.map((v, i) => ({
      ...(ids.get(v.key.id) ? { id: ids.get(v.key.id) } : {}),
      optionValues: optionValuesOf(p, v),
      position: i + 1,
      sku: v.sku,
      price: formatMoney(v.price),
      compareAtPrice: v.compareAtPrice ? formatMoney(v.compareAtPrice) : null,
      barcode: v.barcode,
      taxable: v.taxable,
      inventoryPolicy: v.inventoryPolicy === 'continue' ? 'CONTINUE' : 'DENY',
      inventoryItem: inventoryItemInput(v),
      metafields: variantMetafields(v),
    })),
  };
}

export type ProductField = 'title' | 'descriptionHtml' | 'vendor' | 'productType' | 'status' | 'tags' | 'metafields';

/**
 * The product-level fields of a canonical product, limited to `fields`. Written metafields always
 * include the product's CCV custom id (`ccvProductId`), so a product linked by SKU gets it too.
 */
export function productFieldsInput(p: Product, fields: ReadonlySet<ProductField>, ccvProductId?: string): T.ProductUpdateInput {
  const out: T.ProductUpdateInput = {};
  if (fields.has('title')) out.title = p.title;
  if (fields.has('descriptionHtml')) out.descriptionHtml = p.descriptionHtml;
  if (fields.has('vendor')) out.vendor = p.vendor ?? '';
  if (fields.has('productType')) out.productType = p.productType ?? '';
  if (fields.has('status')) out.status = STATUS[p.status];
  if (fields.has('tags')) out.tags = p.tags;
  if (fields.has('metafields')) {
    out.metafields = metafieldInputs(p.metafields);
    if (ccvProductId !== undefined) out.metafields.push({ ...CUSTOM_ID.product, type: 'id', value: ccvProductId });
  }
  return out;
}

export const ALL_PRODUCT_FIELDS: ReadonlySet<ProductField> = new Set(['title', 'descriptionHtml', 'vendor', 'productType', 'status', 'tags', 'metafields']);

/** The custom-id identifier of a CCV product in Shopify. */
export function productIdentifier(ccvProductId: string): T.ProductSetIdentifiers {
  return { customId: { ...CUSTOM_ID.product, value: ccvProductId } };
}

/** A full productSet input: every field (create), with the product's custom id among its metafields. */
export function productSetInput(p: Product, ccvProductId: string, fields: ReadonlySet<ProductField> = ALL_PRODUCT_FIELDS, ids?: ReadonlyMap<string, string>): T.ProductSetInput {
  const f = productFieldsInput(p, new Set([...fields, 'metafields']), ccvProductId);
  return { ...f, ...productSetStructure(p, ids) } as T.ProductSetInput;
}

/** Variant fields that productVariantsBulkUpdate can change without touching the product's structure. */
export function variantUpdateInputs(p: Product, ids: ReadonlyMap<string, string>): T.ProductVariantsBulkInput[] {
  return p.variants.map((v) => ({
    id: ids.get(v.key.id) ?? null,
    price: formatMoney(v.price),
    compareAtPrice: v.compareAtPrice ? formatMoney(v.compareAtPrice) : null,
    barcode: v.barcode,
    taxable: v.taxable,
    inventoryPolicy: v.inventoryPolicy === 'continue' ? 'CONTINUE' : 'DENY',
    inventoryItem: { ...inventoryItemInput(v), ...(v.sku ? { sku: v.sku } : {}) },
  }));
}

// ── writes ─────────────────────────────────────────────────────────────────────────────────

export interface WrittenVariant {
  variantId: string;
  sku: string | null;
  inventoryItemId: string | null;
  optionValues: Array<{ name: string; value: string }>;
}

export interface WrittenProduct {
  productId: string;
  handle: string;
  variants: WrittenVariant[];
}

export type WriteResult<T> = { ok: true; value: T; cost: CostInfo } | { ok: false; userErrors: UserError[]; cost: CostInfo };

function toWritten(product: { id: string; handle: string; variants: { nodes: Array<{ id: string; sku: string | null; inventoryItem: { id: string } | null; selectedOptions: Array<{ name: string; value: string }> }> } }): WrittenProduct {
  return {
    productId: product.id,
    handle: product.handle,
    variants: product.variants.nodes.map((n) => ({ variantId: n.id, sku: n.sku, inventoryItemId: n.inventoryItem?.id ?? null, optionValues: n.selectedOptions })),
  };
}

/**
 * Creates or replaces a product by its custom id (or replaces one by its GID). Safe to repeat: the
 * custom id makes it an upsert, so a retry after an unknown outcome updates the product it may have
 * created instead of adding one.
 */
export async function upsertProduct(client: ShopifyClient, input: T.ProductSetInput, by: { ccvProductId: string } | { productId: string }, variantCount: number, signal?: AbortSignal): Promise<WriteResult<WrittenProduct>> {
  const identifier = 'productId' in by ? { id: by.productId } : productIdentifier(by.ccvProductId);
  const r = await client.mutate(docs.ProductUpsert, { identifier, input, variants: Math.max(1, variantCount) }, { lane: 'products', payload: 'productSet', retrySafe: true, signal });
  if (!r.ok) return { ok: false, userErrors: r.userErrors, cost: r.cost };
  const product = r.data.productSet?.product;
  if (!product) return { ok: false, userErrors: [{ field: null, message: 'productSet returned no product and no error', code: null, mutation: 'productSet' }], cost: r.cost };
  return { ok: true, value: toWritten(product), cost: r.cost };
}

export async function updateProductFields(client: ShopifyClient, productId: string, input: T.ProductUpdateInput, signal?: AbortSignal): Promise<WriteResult<null>> {
  // Absolute values: sending them twice gives the same product, so a retry is safe.
  const r = await client.mutate(docs.ProductUpdate, { identifier: { id: productId }, product: input }, { lane: 'products', payload: 'productUpdate', retrySafe: true, signal });
  return r.ok ? { ok: true, value: null, cost: r.cost } : { ok: false, userErrors: r.userErrors, cost: r.cost };
}

export async function updateVariants(client: ShopifyClient, productId: string, variants: T.ProductVariantsBulkInput[], signal?: AbortSignal): Promise<WriteResult<null>> {
  const r = await client.mutate(docs.VariantsBulkUpdate, { productId, variants }, { lane: 'products', payload: 'productVariantsBulkUpdate', retrySafe: true, signal });
  return r.ok ? { ok: true, value: null, cost: r.cost } : { ok: false, userErrors: r.userErrors, cost: r.cost };
}

export async function publishProduct(client: ShopifyClient, productId: string, publicationIds: readonly string[], signal?: AbortSignal): Promise<WriteResult<null>> {
  if (publicationIds.length === 0) return { ok: true, value: null, cost: { requested: 0, actual: 0, throttleStatus: null } };
  const r = await client.mutate(docs.ProductPublish, { id: productId, input: publicationIds.map((publicationId) => ({ publicationId })) }, { lane: 'products', payload: 'publishablePublish', retrySafe: true, signal });
  return r.ok ? { ok: true, value: null, cost: r.cost } : { ok: false, userErrors: r.userErrors, cost: r.cost };
}

// ── reads ──────────────────────────────────────────────────────────────────────────────────

export interface ShopifyProductSnapshot {
  productId: string;
  handle: string;
  /** The product as canonical data (Shopify keys), comparable with what Koppel would push. */
  product: Product;
  /** Variant GIDs by SKU (null SKUs left out) and their inventory items. */
  variants: WrittenVariant[];
  /** True when the product has more variants than were read. */
  truncated: boolean;
}

/** Reads a product by id or by its CCV custom id; undefined when Shopify has no such product. */
export async function readProductSnapshot(
  client: ShopifyClient,
  by: { id: string } | { ccvProductId: string },
  opts: { currency: string; taxesIncluded: boolean; variants?: number; signal?: AbortSignal },
): Promise<{ snapshot: ShopifyProductSnapshot | undefined; cost: CostInfo }> {
  const identifier: T.ProductIdentifierInput = 'id' in by ? { id: by.id } : { customId: { ...CUSTOM_ID.product, value: by.ccvProductId } };
  const r = await client.query(docs.ProductSnapshot, { identifier, variants: Math.min(250, Math.max(1, opts.variants ?? 100)) }, { lane: 'products', signal: opts.signal });
  const p = r.data.productByIdentifier;
  if (!p) return { snapshot: undefined, cost: r.cost };
  const isDefault = p.options.length === 1 && p.options[0]!.name === DEFAULT_OPTION.name && p.options[0]!.optionValues.length === 1 && p.options[0]!.optionValues[0]!.name === DEFAULT_OPTION.value;
  const currency = opts.currency;
  const product: Product = {
    key: recordKey('shopify', p.id),
    title: p.title,
    descriptionHtml: p.descriptionHtml,
    shortDescription: null,
    vendor: p.vendor === '' ? null : p.vendor,
    productType: p.productType === '' ? null : p.productType,
    status: p.status === 'ACTIVE' ? 'active' : p.status === 'ARCHIVED' ? 'archived' : 'draft',
    tags: [...p.tags],
    options: isDefault ? [] : [...p.options].sort((a, b) => a.position - b.position).map((o) => ({ name: o.name, values: o.optionValues.map((v) => v.name) })),
    variants: p.variants.nodes.map((n) => ({
      key: recordKey('shopify', n.id),
      sku: n.sku === '' ? null : n.sku,
      barcode: n.barcode === '' ? null : n.barcode,
      optionValues: isDefault ? [] : n.selectedOptions.map((o) => ({ option: o.name, value: o.value })),
      price: parseMoney(n.price, currency),
      compareAtPrice: n.compareAtPrice ? parseMoney(n.compareAtPrice, currency) : null,
      cost: n.inventoryItem?.unitCost ? parseMoney(n.inventoryItem.unitCost.amount, currency) : null,
      weightGrams: weightGrams(n.inventoryItem?.measurement?.weight ?? null),
      taxable: n.taxable,
      inventoryTracked: n.inventoryItem?.tracked ?? false,
      inventoryPolicy: n.inventoryPolicy === 'CONTINUE' ? 'continue' : 'deny',
    })),
    categoryKeys: [],
    metafields: p.metafields.nodes.map((m) => ({ namespace: m.namespace, key: m.key, type: m.type as Metafield['type'], value: m.value })),
    pricesIncludeTax: opts.taxesIncluded,
    taxRateBp: null,
    updatedAt: null,
  };
  return {
    snapshot: {
      productId: p.id,
      handle: p.handle,
      product,
      variants: p.variants.nodes.map((n) => ({ variantId: n.id, sku: n.sku, inventoryItemId: n.inventoryItem?.id ?? null, optionValues: n.selectedOptions })),
      truncated: p.variants.pageInfo.hasNextPage,
    },
    cost: r.cost,
  };
}

function weightGrams(w: { value: number; unit: string } | null): number | null {
  if (!w) return null;
  const factor: Record<string, number> = { GRAMS: 1, KILOGRAMS: 1000, POUNDS: 453.59237, OUNCES: 28.349523125 };
  return Math.round(w.value * (factor[w.unit] ?? 1));
}

export interface CatalogVariant {
  variantId: string;
  sku: string | null;
  optionValues: Array<{ name: string; value: string }>;
  productId: string;
  productHandle: string;
  productTitle: string;
}

/** Every variant in the store, page by page (for the linking report). */
export async function* listCatalogVariants(client: ShopifyClient, opts: { signal?: AbortSignal; onCost?: (c: CostInfo) => void } = {}): AsyncGenerator<CatalogVariant> {
  let after: string | null = null;
  do {
    const r: QueryResult<T.CatalogVariantsData> = await client.query(docs.CatalogVariants, { first: 200, after }, { lane: 'reconcile', signal: opts.signal });
    opts.onCost?.(r.cost);
    for (const n of r.data.productVariants.nodes) {
      yield { variantId: n.id, sku: n.sku === '' ? null : n.sku, optionValues: n.selectedOptions, productId: n.product.id, productHandle: n.product.handle, productTitle: n.product.title };
    }
    after = r.data.productVariants.pageInfo.hasNextPage ? r.data.productVariants.pageInfo.endCursor : null;
  } while (after);
}

/** Every product's id and number of variants, page by page (a full run's check of its ledger). */
export async function* listCatalogProducts(client: ShopifyClient, opts: { signal?: AbortSignal; onCost?: (c: CostInfo) => void } = {}): AsyncGenerator<{ productId: string; variants: number }> {
  let after: string | null = null;
  do {
    const r: QueryResult<T.CatalogProductsData> = await client.query(docs.CatalogProducts, { first: 250, after }, { lane: 'reconcile', signal: opts.signal });
    opts.onCost?.(r.cost);
    for (const n of r.data.products.nodes) yield { productId: n.id, variants: n.variantsCount?.count ?? 0 };
    after = r.data.products.pageInfo.hasNextPage ? r.data.products.pageInfo.endCursor : null;
  } while (after);
}

// ── setup ──────────────────────────────────────────────────────────────────────────────────

export interface MetafieldDefinitionSpec {
  namespace: string;
  key: string;
  name: string;
  type: string;
  ownerType: T.MetafieldOwnerType;
}

/** Creates metafield definitions; one that exists already (TAKEN) counts as done. Returns the problems of the others. */
export async function ensureMetafieldDefinitions(client: ShopifyClient, defs: readonly MetafieldDefinitionSpec[], signal?: AbortSignal): Promise<Array<{ def: MetafieldDefinitionSpec; errors: UserError[] }>> {
  const failed: Array<{ def: MetafieldDefinitionSpec; errors: UserError[] }> = [];
  for (const d of defs) {
    const r = await client.mutate(docs.MetafieldDefinitionCreate, { definition: { namespace: d.namespace, key: d.key, name: d.name, type: d.type, ownerType: d.ownerType } }, { lane: 'products', payload: 'metafieldDefinitionCreate', retrySafe: true, signal });
    if (!r.ok && !r.userErrors.every((e) => e.code === 'TAKEN')) failed.push({ def: d, errors: r.userErrors });
  }
  return failed;
}

/** Publication ids by name ("Online Store", "Point of Sale"), from the store's catalogs. */
export async function publicationIds(client: ShopifyClient, names: readonly string[], signal?: AbortSignal): Promise<{ ids: string[]; missing: string[] }> {
  const r = await client.query(docs.Publications, {}, { lane: 'products', signal });
  const byName = new Map<string, string>();
  for (const n of r.data.publications.nodes) {
    const title = (n as { catalog?: { title?: string } | null }).catalog?.title;
    if (title) byName.set(title.toLowerCase(), n.id);
  }
  const ids: string[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const id = byName.get(name.toLowerCase());
    if (id) ids.push(id);
    else missing.push(name);
  }
  return { ids, missing };
}
