// Products, options and variants: queries (by id, handle, custom id, search), productCreate/Update/Delete,
// productVariantsBulkCreate/Update, and productSet (sync and async, identifier upsert, list fields replace).
import type { RequestContext } from '../context.js';
import type { SandboxCore } from '../core.js';
import { countView, paginate } from '../connection.js';
import type { SortTuple } from '../connection.js';
import { gid, parseGid } from '../gid.js';
import type { Registry } from '../registry.js';
import { SandboxInputError, unsupported } from '../registry.js';
import { CompiledSearch } from '../search.js';
import type { SearchDoc, SearchSpec } from '../search.js';
import type { SandboxState } from '../state.js';
import { badRequest, gidOf, HANDLE_RE, money, normalizeTags, requireSortKey, slugify, stripHtml, truncate, uniqueHandle, userError, validateTags } from './common.js';
import type { UserErrorView } from './common.js';
import { collectionIdsOfProduct, collectionsOfProductView, replaceManualCollections, unknownCollections } from './collections.js';
import { activateLevel, applyInventoryItemInput, createInventoryItem, deleteInventoryItem, inventoryItemInputProblems, inventoryItemView, levelChanged, levelsOfItem, setQuantity } from './inventory.js';
import type { InventoryItemInputLike } from './inventory.js';
import { T } from './model.js';
import type { OptionRec, ProductOperationRec, ProductRec, ProductStatus, VariantRec } from './model.js';
import { applyMetafield, customIdProblem, deleteMetafield, deleteMetafieldsOf, findOwnerByCustomId, metafieldsOf, planMetafield, registerHasMetafields } from './metafields.js';
import type { MetafieldInputLike, MetafieldWrite } from './metafields.js';
import { onlineStore, publishableFields, registerPublishable, shopView } from './shop.js';

// ---------------------------------------------------------------------------------------------
// Lookups kept beside the tables (rebuilt per state; all writes go through the helpers below)

const handleIndexes = new WeakMap<SandboxState, Map<string, string>>();

function handles(state: SandboxState): Map<string, string> {
  let m = handleIndexes.get(state);
  if (!m) {
    m = new Map();
    for (const p of T.products(state).values()) m.set(p.handle, p.id);
    handleIndexes.set(state, m);
  }
  return m;
}

export function productByHandle(state: SandboxState, handle: string): ProductRec | undefined {
  const id = handles(state).get(handle);
  return id ? T.products(state).get(id) : undefined;
}

function setHandle(state: SandboxState, p: ProductRec, handle: string): void {
  const m = handles(state);
  if (m.get(p.handle) === p.id) m.delete(p.handle);
  p.handle = handle;
  m.set(handle, p.id);
}

const DEFAULT_OPTION = 'Title';
const DEFAULT_VALUE = 'Default Title';

// ---------------------------------------------------------------------------------------------
// Search

export const PRODUCT_SEARCH: SearchSpec = {
  fields: {
    id: 'id',
    title: 'text',
    handle: 'keyword',
    sku: 'text',
    barcode: 'keyword',
    vendor: 'keyword',
    product_type: 'keyword',
    status: 'keyword',
    tag: 'keyword',
    tag_not: 'keyword_not',
    created_at: 'date',
    updated_at: 'date',
    published_at: 'date',
    gift_card: 'boolean',
    inventory_total: 'number',
    collection_id: 'id',
    variant_id: 'id',
    product_id: 'id',
    price: 'number',
    is_price_reduced: 'boolean',
  },
  negates: { tag_not: 'tag' },
  prefixes: { 'metafields.': 'keyword' },
  defaultFields: ['title', 'sku', 'vendor', 'product_type', 'tag', 'barcode', 'handle'],
};

export const VARIANT_SEARCH: SearchSpec = {
  fields: {
    id: 'id',
    sku: 'text',
    barcode: 'keyword',
    title: 'text',
    product_id: 'id',
    product_status: 'keyword',
    product_type: 'keyword',
    vendor: 'keyword',
    tag: 'keyword',
    tag_not: 'keyword_not',
    created_at: 'date',
    updated_at: 'date',
    inventory_quantity: 'number',
    price: 'number',
    taxable: 'boolean',
  },
  negates: { tag_not: 'tag' },
  defaultFields: ['title', 'sku', 'barcode'],
};

export function variantsOf(state: SandboxState, p: ProductRec): VariantRec[] {
  return p.variantIds.map((id) => T.variants(state).get(id)).filter((v): v is VariantRec => !!v);
}

function skuOf(state: SandboxState, v: VariantRec): string | null {
  return T.inventoryItems(state).get(v.inventoryItemId)?.sku ?? null;
}

function availableOf(core: SandboxCore, v: VariantRec): number {
  return levelsOfItem(core, v.inventoryItemId).reduce((n, lv) => n + lv.quantities.available, 0);
}

export function variantTitle(p: ProductRec, v: VariantRec): string {
  const names = v.optionValueIds.map((vid) => {
    for (const o of p.options) {
      const val = o.values.find((x) => x.id === vid);
      if (val) return val.name;
    }
    return '?';
  });
  return names.join(' / ');
}

function productDocument(core: SandboxCore, id: string): SearchDoc | null {
  const p = T.products(core.state).get(id);
  if (!p) return null;
  const vs = variantsOf(core.state, p);
  const doc: SearchDoc = {
    id: p.id,
    product_id: p.id,
    title: p.title,
    handle: p.handle,
    vendor: p.vendor,
    product_type: p.productType,
    status: p.status.toLowerCase(),
    tag: p.tags,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    published_at: onlinePublishedAt(core, p),
    gift_card: p.giftCard,
    sku: vs.map((v) => skuOf(core.state, v)).filter((s): s is string => !!s),
    barcode: vs.map((v) => v.barcode).filter((s): s is string => !!s),
    variant_id: vs.map((v) => v.id),
    price: vs.map((v) => v.price),
    is_price_reduced: vs.some((v) => v.compareAtPrice !== null && Number(v.compareAtPrice) > Number(v.price)),
    inventory_total: vs.reduce((n, v) => n + availableOf(core, v), 0),
    collection_id: collectionIdsOfProduct(core, p.id, true),
    // For collection conditions (not searchable fields):
    _variant_price: vs.map((v) => v.price),
    _variant_compare_at_price: vs.map((v) => v.compareAtPrice).filter((x): x is string => x !== null),
    _variant_title: vs.map((v) => variantTitle(p, v)),
  };
  for (const m of metafieldsOf(core.state, p.id)) doc[`metafields.${m.namespace}.${m.key}`] = m.value;
  return doc;
}

function variantDocument(core: SandboxCore, id: string): SearchDoc | null {
  const v = T.variants(core.state).get(id);
  const p = v ? T.products(core.state).get(v.productId) : undefined;
  if (!v || !p) return null;
  return {
    id: v.id,
    sku: skuOf(core.state, v),
    barcode: v.barcode,
    title: variantTitle(p, v),
    product_id: p.id,
    product_status: p.status.toLowerCase(),
    product_type: p.productType,
    vendor: p.vendor,
    tag: p.tags,
    created_at: v.createdAt,
    updated_at: v.updatedAt,
    inventory_quantity: availableOf(core, v),
    price: v.price,
    taxable: v.taxable,
  };
}

/** After any change to a product or its variants: timestamps, search index, products/update event. */
export function productTouched(core: SandboxCore, productId: string, topic = 'products/update'): void {
  const p = T.products(core.state).get(productId);
  if (!p) return;
  p.updatedAt = core.nowIso();
  reindexProduct(core, p);
  core.emit(topic, p.id);
}

function reindexProduct(core: SandboxCore, p: ProductRec): void {
  core.touch('Product', p.id);
  for (const vid of p.variantIds) {
    core.touch('ProductVariant', vid);
    const v = T.variants(core.state).get(vid);
    if (v) core.touch('InventoryItem', v.inventoryItemId);
  }
}

/** Reindexes every product (after a collection's rules changed, membership may change for any of them). */
export function reindexAllProducts(core: SandboxCore): void {
  for (const p of T.products(core.state).values()) core.touch('Product', p.id);
}

// ---------------------------------------------------------------------------------------------
// Views

function onlinePublishedAt(core: SandboxCore, p: { publications: Record<string, string> }): string | null {
  const os = onlineStore(core);
  return os ? (p.publications[os.id] ?? null) : null;
}

function moneyV2(core: SandboxCore, amount: string) {
  return { __typename: 'MoneyV2', amount, currencyCode: core.state.shop.currencyCode };
}

function optionView(core: SandboxCore, p: ProductRec, o: OptionRec) {
  const used = new Set(variantsOf(core.state, p).flatMap((v) => v.optionValueIds));
  return {
    __typename: 'ProductOption',
    id: o.id,
    name: o.name,
    position: o.position,
    values: o.values.filter((v) => used.has(v.id)).map((v) => v.name),
    linkedMetafield: null,
    optionValues: o.values.map((v) => ({
      __typename: 'ProductOptionValue',
      id: v.id,
      name: v.name,
      hasVariants: used.has(v.id),
      linkedMetafieldValue: null,
      swatch: null,
    })),
  };
}

export function productView(core: SandboxCore, p: ProductRec) {
  const state = core.state;
  const vs = () => variantsOf(state, p);
  const prices = () => vs().map((v) => v.price).sort((a, b) => Number(a) - Number(b));
  const tracked = () => vs().some((v) => T.inventoryItems(state).get(v.inventoryItemId)?.tracked);
  const published = onlinePublishedAt(core, p);
  return {
    __typename: 'Product',
    id: p.id,
    legacyResourceId: parseGid(p.id)!.id,
    title: p.title,
    handle: p.handle,
    descriptionHtml: p.descriptionHtml,
    description: (args: { truncateAt?: number | null }) => truncate(stripHtml(p.descriptionHtml), args.truncateAt),
    vendor: p.vendor,
    productType: p.productType,
    status: p.status,
    tags: p.tags,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    publishedAt: published,
    onlineStoreUrl: published && p.status === 'ACTIVE' ? `https://${state.shop.myshopifyDomain}/products/${p.handle}` : null,
    onlineStorePreviewUrl: `https://${state.shop.myshopifyDomain}/products/${p.handle}?preview=1`,
    templateSuffix: p.templateSuffix,
    giftCardTemplateSuffix: null,
    isGiftCard: p.giftCard,
    requiresSellingPlan: p.requiresSellingPlan,
    seo: { __typename: 'SEO', title: p.seoTitle, description: p.seoDescription },
    category: null,
    combinedListing: null,
    combinedListingRole: null,
    featuredMedia: null,
    feedback: null,
    mediaCount: countView(0),
    media: (args: Record<string, unknown>) => paginate([], args, () => [], () => null),
    hasVariantsThatRequiresComponents: false,
    hasOnlyDefaultVariant: () =>
      p.options.length === 1 && p.options[0]!.name === DEFAULT_OPTION && p.variantIds.length === 1 && p.options[0]!.values.length === 1 && p.options[0]!.values[0]!.name === DEFAULT_VALUE,
    hasOutOfStockVariants: () => vs().some((v) => T.inventoryItems(state).get(v.inventoryItemId)?.tracked && availableOf(core, v) <= 0),
    totalInventory: () => vs().reduce((n, v) => n + availableOf(core, v), 0),
    tracksInventory: tracked,
    variantsCount: () => countView(p.variantIds.length),
    defaultCursor: Buffer.from(JSON.stringify({ k: [parseGid(p.id)!.id] })).toString('base64url'),
    priceRangeV2: () => {
      const ps = prices();
      return { __typename: 'ProductPriceRangeV2', minVariantPrice: moneyV2(core, ps[0] ?? '0.00'), maxVariantPrice: moneyV2(core, ps[ps.length - 1] ?? '0.00') };
    },
    compareAtPriceRange: () => {
      const cs = vs().map((v) => v.compareAtPrice).filter((x): x is string => x !== null).sort((a, b) => Number(a) - Number(b));
      if (cs.length === 0) return null;
      return { __typename: 'ProductCompareAtPriceRange', minVariantCompareAtPrice: moneyV2(core, cs[0]!), maxVariantCompareAtPrice: moneyV2(core, cs[cs.length - 1]!) };
    },
    options: (args: { first?: number | null }) => p.options.slice(0, args.first ?? undefined).map((o) => optionView(core, p, o)),
    inCollection: (args: { id: string }) => collectionIdsOfProduct(core, p.id, false).includes(args.id),
    ...publishableFields(core, p),
  };
}

export function variantView(core: SandboxCore, v: VariantRec) {
  const state = core.state;
  const product = () => T.products(state).get(v.productId)!;
  const item = () => T.inventoryItems(state).get(v.inventoryItemId)!;
  return {
    __typename: 'ProductVariant',
    id: v.id,
    legacyResourceId: parseGid(v.id)!.id,
    title: () => variantTitle(product(), v),
    displayName: () => {
      const p = product();
      const t = variantTitle(p, v);
      return t === DEFAULT_VALUE ? p.title : `${p.title} - ${t}`;
    },
    sku: () => item().sku,
    barcode: v.barcode,
    price: v.price,
    compareAtPrice: v.compareAtPrice,
    taxable: v.taxable,
    taxCode: v.taxCode,
    inventoryPolicy: v.inventoryPolicy,
    position: () => product().variantIds.indexOf(v.id) + 1,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    showUnitPrice: v.showUnitPrice,
    requiresComponents: v.requiresComponents,
    unitPrice: null,
    unitPriceMeasurement: null,
    deliveryProfile: null,
    defaultCursor: Buffer.from(JSON.stringify({ k: [parseGid(v.id)!.id] })).toString('base64url'),
    media: (args: Record<string, unknown>) => paginate([], args, () => [], () => null),
    inventoryQuantity: () => availableOf(core, v),
    sellableOnlineQuantity: () => Math.max(0, availableOf(core, v)),
    availableForSale: () => {
      const p = product();
      if (p.status !== 'ACTIVE') return false;
      const it = item();
      return !it.tracked || v.inventoryPolicy === 'CONTINUE' || availableOf(core, v) > 0;
    },
    selectedOptions: () => {
      const p = product();
      return p.options.map((o, i) => {
        const val = o.values.find((x) => x.id === v.optionValueIds[i]);
        return {
          __typename: 'SelectedOption',
          name: o.name,
          value: val?.name ?? '',
          optionValue: { __typename: 'ProductOptionValue', id: val?.id ?? '', name: val?.name ?? '', hasVariants: true, linkedMetafieldValue: null, swatch: null },
        };
      });
    },
    product: () => productView(core, product()),
    inventoryItem: () => inventoryItemView(core, item()),
    ...publishableFields(core, product()),
  };
}

// ---------------------------------------------------------------------------------------------
// Record operations shared by the mutations and the merchant-edit endpoints

interface VariantScalars {
  price?: string | null;
  compareAtPrice?: string | null;
  taxable?: boolean | null;
  barcode?: string | null;
  inventoryPolicy?: 'DENY' | 'CONTINUE' | null;
  taxCode?: string | null;
  showUnitPrice?: boolean | null;
  requiresComponents?: boolean | null;
}

function variantScalarProblems(input: VariantScalars, path: (string | number)[]): { field: (string | number)[]; message: string; code: 'negative' | 'invalid' }[] {
  const out: { field: (string | number)[]; message: string; code: 'negative' | 'invalid' }[] = [];
  for (const f of ['price', 'compareAtPrice'] as const) {
    const v = input[f];
    if (v === undefined || v === null) continue;
    const m = money(v);
    if (m === null) out.push({ field: [...path, f], message: `${f} must be a decimal amount`, code: 'invalid' });
    else if (m.startsWith('-')) out.push({ field: [...path, f], message: `${f === 'price' ? 'Price' : 'Compare-at price'} must be greater than or equal to 0`, code: 'negative' });
  }
  if (input.barcode && input.barcode.length > 255) out.push({ field: [...path, 'barcode'], message: 'Barcode is too long (maximum is 255 characters)', code: 'invalid' });
  return out;
}

function applyVariantScalars(v: VariantRec, input: VariantScalars): void {
  if (input.price !== undefined && input.price !== null) v.price = money(input.price)!;
  if (input.compareAtPrice !== undefined) v.compareAtPrice = input.compareAtPrice === null ? null : money(input.compareAtPrice);
  if (input.taxable !== undefined && input.taxable !== null) v.taxable = input.taxable;
  if (input.barcode !== undefined) v.barcode = input.barcode === '' ? null : input.barcode;
  if (input.inventoryPolicy !== undefined && input.inventoryPolicy !== null) v.inventoryPolicy = input.inventoryPolicy;
  if (input.taxCode !== undefined) v.taxCode = input.taxCode;
  if (input.showUnitPrice !== undefined && input.showUnitPrice !== null) v.showUnitPrice = input.showUnitPrice;
  if (input.requiresComponents !== undefined && input.requiresComponents !== null) v.requiresComponents = input.requiresComponents;
}

function primaryLocationId(core: SandboxCore): string {
  const l = [...T.locations(core.state).values()].find((x) => x.isPrimary && x.isActive) ?? [...T.locations(core.state).values()].find((x) => x.isActive);
  if (!l) throw new Error('the sandbox shop has no active location');
  return l.id;
}

function newVariant(core: SandboxCore, productId: string, optionValueIds: string[], scalars: VariantScalars, item: InventoryItemInputLike | null | undefined, stockAt: string[] | null): VariantRec {
  const now = core.nowIso();
  const v: VariantRec = {
    id: gid('ProductVariant', core.state.nextId('ProductVariant')),
    productId,
    price: '0.00',
    compareAtPrice: null,
    taxable: true,
    barcode: null,
    inventoryPolicy: 'DENY',
    optionValueIds,
    inventoryItemId: '',
    taxCode: null,
    showUnitPrice: false,
    requiresComponents: false,
    createdAt: now,
    updatedAt: now,
  };
  applyVariantScalars(v, scalars);
  const it = createInventoryItem(core, v.id, item);
  v.inventoryItemId = it.id;
  T.variants(core.state).set(v);
  for (const loc of stockAt ?? [primaryLocationId(core)]) activateLevel(core, it.id, loc);
  core.touch('ProductVariant', v.id);
  return v;
}

function deleteVariant(core: SandboxCore, variantId: string): void {
  const v = T.variants(core.state).get(variantId);
  if (!v) return;
  deleteInventoryItem(core, v.inventoryItemId);
  deleteMetafieldsOf(core.state, v.id);
  T.variants(core.state).delete(v.id);
  core.touch('ProductVariant', v.id);
}

function newProduct(core: SandboxCore, handle: string): ProductRec {
  const now = core.nowIso();
  const p: ProductRec = {
    id: gid('Product', core.state.nextId('Product')),
    title: '',
    handle: '',
    descriptionHtml: '',
    vendor: '',
    productType: '',
    status: 'ACTIVE',
    tags: [],
    templateSuffix: null,
    seoTitle: null,
    seoDescription: null,
    giftCard: false,
    requiresSellingPlan: false,
    createdAt: now,
    updatedAt: now,
    options: [],
    variantIds: [],
    publications: {},
  };
  T.products(core.state).set(p);
  setHandle(core.state, p, handle);
  return p;
}

function newOption(core: SandboxCore, name: string, position: number, values: string[]): OptionRec {
  return {
    id: gid('ProductOption', core.state.nextId('ProductOption')),
    name,
    position,
    values: values.map((n) => ({ id: gid('ProductOptionValue', core.state.nextId('ProductOptionValue')), name: n })),
  };
}

function addDefaultVariant(core: SandboxCore, p: ProductRec): void {
  const o = newOption(core, DEFAULT_OPTION, 1, [DEFAULT_VALUE]);
  p.options = [o];
  const v = newVariant(core, p.id, [o.values[0]!.id], {}, null, null);
  p.variantIds = [v.id];
}

export function deleteProduct(core: SandboxCore, id: string): boolean {
  const p = T.products(core.state).get(id);
  if (!p) return false;
  for (const vid of p.variantIds) deleteVariant(core, vid);
  deleteMetafieldsOf(core.state, p.id);
  const m = handles(core.state);
  if (m.get(p.handle) === p.id) m.delete(p.handle);
  T.products(core.state).delete(p.id);
  core.touch('Product', p.id);
  core.emit('products/delete', p.id);
  return true;
}

interface ProductScalars {
  title?: string | null;
  descriptionHtml?: string | null;
  vendor?: string | null;
  productType?: string | null;
  status?: ProductStatus | null;
  tags?: string[] | null;
  templateSuffix?: string | null;
  seo?: { title?: string | null; description?: string | null } | null;
  giftCard?: boolean | null;
  requiresSellingPlan?: boolean | null;
}

function productScalarProblems(input: ProductScalars, path: (string | number)[], creating: boolean): { field: (string | number)[]; message: string }[] {
  const out: { field: (string | number)[]; message: string }[] = [];
  if (creating && (!input.title || input.title.trim() === '')) out.push({ field: [...path, 'title'], message: "Title can't be blank" });
  if (!creating && input.title !== undefined && (input.title === null || input.title.trim() === '')) out.push({ field: [...path, 'title'], message: "Title can't be blank" });
  if (input.title && input.title.length > 255) out.push({ field: [...path, 'title'], message: 'Title is too long (maximum is 255 characters)' });
  if (input.vendor && input.vendor.length > 255) out.push({ field: [...path, 'vendor'], message: 'Vendor is too long (maximum is 255 characters)' });
  if (input.productType && input.productType.length > 255) out.push({ field: [...path, 'productType'], message: 'Product type is too long (maximum is 255 characters)' });
  if (input.tags) {
    const e = validateTags(normalizeTags(input.tags), [...path, 'tags'].map(String));
    if (e) out.push({ field: e.field ?? [], message: e.message });
  }
  return out;
}

function applyProductScalars(p: ProductRec, input: ProductScalars): void {
  if (input.title !== undefined && input.title !== null) p.title = input.title.trim();
  if (input.descriptionHtml !== undefined) p.descriptionHtml = input.descriptionHtml ?? '';
  if (input.vendor !== undefined) p.vendor = input.vendor ?? '';
  if (input.productType !== undefined) p.productType = input.productType ?? '';
  if (input.status !== undefined && input.status !== null) p.status = input.status;
  if (input.tags !== undefined) p.tags = normalizeTags(input.tags ?? []);
  if (input.templateSuffix !== undefined) p.templateSuffix = input.templateSuffix;
  if (input.seo !== undefined) {
    p.seoTitle = input.seo?.title ?? null;
    p.seoDescription = input.seo?.description ?? null;
  }
  if (input.giftCard !== undefined && input.giftCard !== null) p.giftCard = input.giftCard;
  if (input.requiresSellingPlan !== undefined && input.requiresSellingPlan !== null) p.requiresSellingPlan = input.requiresSellingPlan;
}

/** A handle for a new or renamed product: the given one (normalised) or one derived from the title. */
function wantedHandle(input: string | null | undefined): string | null {
  if (input === undefined || input === null || input.trim() === '') return null;
  return HANDLE_RE.test(input) ? input : slugify(input);
}

function handleTaken(state: SandboxState, handle: string, self?: string): boolean {
  const other = handles(state).get(handle);
  return other !== undefined && other !== self;
}

const MF_CODES_PLAIN = { blank: '', invalidType: '', invalidValue: '', taken: '', invalid: '' };

function plainErrors(errors: UserErrorView[]): UserErrorView[] {
  return errors.map((e) => ({ ...e, code: null }));
}

// ---------------------------------------------------------------------------------------------
// productSet

interface OptionSetInputLike {
  id?: string | null;
  name?: string | null;
  position?: number | null;
  values?: { id?: string | null; name?: string | null }[] | null;
}

interface VariantSetInputLike extends VariantScalars {
  id?: string | null;
  sku?: string | null;
  position?: number | null;
  optionValues: { optionId?: string | null; optionName?: string | null; id?: string | null; name?: string | null }[];
  inventoryItem?: InventoryItemInputLike | null;
  inventoryQuantities?: { locationId: string; name: string; quantity: number }[] | null;
  metafields?: MetafieldInputLike[] | null;
}

export interface ProductSetArgs {
  identifier?: { id?: string | null; handle?: string | null; customId?: { namespace?: string | null; key: string; value: string } | null } | null;
  input: ProductScalars & {
    id?: string | null;
    handle?: string | null;
    productOptions?: OptionSetInputLike[] | null;
    variants?: VariantSetInputLike[] | null;
    metafields?: MetafieldInputLike[] | null;
    collections?: string[] | null;
    redirectNewHandle?: boolean | null;
  };
  synchronous?: boolean;
}

const SET_MF_CODES = { blank: 'INVALID_METAFIELD', invalidType: 'INVALID_METAFIELD', invalidValue: 'INVALID_METAFIELD', taken: 'DUPLICATED_VALUE', invalid: 'INVALID_METAFIELD' };
export const MAX_VARIANTS = 2048;
export const MAX_OPTIONS = 3;
const MAX_INVENTORY_QUANTITIES = 50_000;

interface PlannedOption {
  existing: OptionRec | undefined;
  name: string;
  position: number;
  values: { existingId: string | undefined; name: string }[];
}

interface PlannedVariant {
  input: VariantSetInputLike;
  existing: VariantRec | undefined;
  /** Index into each planned option's values. */
  valueIdx: number[];
  mf: MetafieldWrite[];
}

/** Runs productSet against the current state: validates everything first, then applies. */
export function runProductSet(core: SandboxCore, args: ProductSetArgs): { product: ProductRec | null; userErrors: UserErrorView[] } {
  const state = core.state;
  const { identifier, input } = args;
  const errors: UserErrorView[] = [];
  const fail = (field: (string | number)[] | null, message: string, code: string) => {
    errors.push(userError(field, message, code));
  };
  let target: ProductRec | undefined;
  let createHandle: string | undefined;
  let customId: { namespace: string; key: string; value: string } | undefined;

  if (identifier && input.id) fail(['input', 'id'], 'The id field is not allowed if identifier is provided.', 'ID_NOT_ALLOWED');
  else if (identifier?.id) {
    target = T.products(state).get(gidOf(identifier.id, 'Product') ?? '');
    if (!target) fail(['identifier', 'id'], 'Product does not exist', 'NOT_FOUND');
  } else if (identifier?.handle) {
    target = productByHandle(state, identifier.handle);
    const inputHandle = wantedHandle(input.handle);
    if (inputHandle !== null && inputHandle !== identifier.handle) fail(['input', 'handle'], 'The identifier value does not match the value of the corresponding field in the input.', 'INPUT_MISMATCH');
    if (!target) createHandle = identifier.handle;
  } else if (identifier?.customId) {
    const c = identifier.customId;
    const ns = c.namespace ?? state.shop.appNamespace;
    const found = findOwnerByCustomId(state, 'PRODUCT', c);
    if (!found.definition?.uniqueValues) fail(['identifier', 'customId'], customIdProblem('PRODUCT', ns, c.key), 'INVALID_INPUT');
    else {
      target = found.ownerId ? T.products(state).get(found.ownerId) : undefined;
      customId = { namespace: ns, key: c.key, value: c.value };
      if (input.metafields && !input.metafields.some((m) => (m.namespace ?? state.shop.appNamespace) === ns && m.key === c.key && m.value === c.value)) {
        fail(['input', 'metafields'], 'The input argument `metafields` (if present) must contain the `customId` value.', 'METAFIELD_MISMATCH');
      }
    }
  } else if (input.id) {
    target = T.products(state).get(gidOf(input.id, 'Product') ?? '');
    if (!target) fail(['input', 'id'], 'Product does not exist', 'NOT_FOUND');
  }
  if (errors.length) return { product: null, userErrors: errors };
  const creating = !target;

  for (const p of productScalarProblems(input, ['input'], creating)) fail(p.field, p.message, 'INVALID_INPUT');
  const handle = wantedHandle(input.handle) ?? createHandle ?? null;
  if (handle !== null && handle === '') fail(['input', 'handle'], 'Handle is invalid', 'INVALID_INPUT');
  if (handle && handleTaken(state, handle, target?.id)) fail(['input', 'handle'], `Handle '${handle}' already in use. Please provide a new handle.`, 'HANDLE_NOT_UNIQUE');

  const hasOpts = input.productOptions !== undefined && input.productOptions !== null;
  const hasVars = input.variants !== undefined && input.variants !== null;
  if (hasOpts && !hasVars) fail(['input', 'variants'], 'Must specify variants when updating options.', 'VARIANTS_INPUT_MISSING');
  if (hasVars && !hasOpts) fail(['input', 'productOptions'], 'Must specify product options when updating variants.', 'PRODUCT_OPTIONS_INPUT_MISSING');
  const optsIn = input.productOptions ?? [];
  const varsIn = input.variants ?? [];
  if (optsIn.length > MAX_OPTIONS) fail(['input', 'productOptions'], `Options over limit: a product can have at most ${MAX_OPTIONS} options.`, 'OPTIONS_OVER_LIMIT');
  if (varsIn.length > MAX_VARIANTS) fail(['input', 'variants'], `Number of product variants (${varsIn.length}) exceeds shop limit of ${MAX_VARIANTS}.`, 'VARIANTS_OVER_LIMIT');
  if (hasOpts && hasVars && (optsIn.length === 0 || varsIn.length === 0)) fail(['input', 'variants'], 'A product needs at least one option and one variant.', 'INVALID_VARIANT');
  if (errors.length) return { product: null, userErrors: errors };

  // ---- options
  const planned: PlannedOption[] = [];
  if (hasOpts) {
    const names = new Set<string>();
    optsIn.forEach((o, i) => {
      const path = ['input', 'productOptions', i];
      let existing: OptionRec | undefined;
      if (o.id) {
        existing = target?.options.find((x) => x.id === o.id);
        if (!existing) return fail([...path, 'id'], `Option ${o.id} does not exist on this product.`, 'OPTION_DOES_NOT_EXIST');
      }
      const name = (o.name ?? existing?.name ?? '').trim();
      if (name === '') return fail([...path, 'name'], "Option name can't be blank.", 'INVALID_INPUT');
      existing ??= target?.options.find((x) => x.name.toLowerCase() === name.toLowerCase());
      if (names.has(name.toLowerCase())) return fail([...path, 'name'], `Duplicated option name '${name}'.`, 'DUPLICATED_OPTION_NAME');
      names.add(name.toLowerCase());
      const valuesIn = o.values ?? [];
      if (valuesIn.length === 0) return fail([...path, 'values'], `Option '${name}' must have at least one option value specified.`, 'OPTION_VALUES_MISSING');
      const seen = new Set<string>();
      const values: PlannedOption['values'] = [];
      valuesIn.forEach((v, k) => {
        let existingId: string | undefined;
        let vname = v.name?.trim();
        if (v.id) {
          const ev = existing?.values.find((x) => x.id === v.id);
          if (!ev) return fail([...path, 'values', k, 'id'], `Option value ${v.id} does not exist on option '${name}'.`, 'OPTION_VALUE_DOES_NOT_EXIST');
          existingId = ev.id;
          vname = vname ?? ev.name;
        }
        if (!vname) return fail([...path, 'values', k, 'name'], "Option value name can't be blank.", 'INVALID_INPUT');
        existingId ??= existing?.values.find((x) => x.name === vname)?.id;
        if (seen.has(vname.toLowerCase())) return fail([...path, 'values', k, 'name'], `Duplicated option value '${vname}' on option '${name}'.`, 'DUPLICATED_OPTION_VALUE');
        seen.add(vname.toLowerCase());
        values.push({ existingId, name: vname });
      });
      planned.push({ existing, name, position: o.position ?? i + 1, values });
    });
    planned.sort((a, b) => a.position - b.position);
  }

  // ---- variants
  const plannedVars: PlannedVariant[] = [];
  const mfBatch: MetafieldWrite[] = [];
  let inventoryCount = 0;
  if (hasVars && errors.length === 0) {
    const claimed = new Set<string>();
    const combos = new Set<string>();
    const existingVariants = target ? variantsOf(state, target) : [];
    varsIn.forEach((v, j) => {
      const path = ['input', 'variants', j];
      if (v.optionValues.length !== planned.length) {
        return fail([...path, 'optionValues'], `Each variant needs exactly one value for each of the ${planned.length} options (got ${v.optionValues.length}).`, 'INVALID_VARIANT');
      }
      const valueIdx: number[] = new Array<number>(planned.length).fill(-1);
      let bad = false;
      v.optionValues.forEach((ov, k) => {
        const oi = planned.findIndex((o) => (ov.optionId ? o.existing?.id === ov.optionId : o.name.toLowerCase() === (ov.optionName ?? '').trim().toLowerCase()));
        if (oi < 0) {
          bad = true;
          return fail([...path, 'optionValues', k], `Option '${ov.optionName ?? ov.optionId}' does not exist.`, 'OPTION_DOES_NOT_EXIST');
        }
        const o = planned[oi]!;
        const vi = o.values.findIndex((x) => (ov.id ? x.existingId === ov.id : x.name === (ov.name ?? '').trim()));
        if (vi < 0) {
          bad = true;
          return fail([...path, 'optionValues', k], `Option value '${ov.name ?? ov.id}' does not exist on option '${o.name}'; list it in productOptions.`, 'OPTION_VALUE_DOES_NOT_EXIST');
        }
        if (valueIdx[oi] !== -1) {
          bad = true;
          return fail([...path, 'optionValues', k], `Option '${o.name}' is given twice.`, 'INVALID_VARIANT');
        }
        valueIdx[oi] = vi;
      });
      if (bad) return;
      const combo = valueIdx.join('/');
      const label = valueIdx.map((vi, oi) => planned[oi]!.values[vi]!.name).join(' / ');
      if (combos.has(combo)) return fail([...path, 'optionValues'], `The variant '${label}' is given more than once.`, 'INVALID_VARIANT');
      combos.add(combo);
      let existing: VariantRec | undefined;
      if (v.id) {
        existing = existingVariants.find((x) => x.id === v.id);
        if (!existing) return fail([...path, 'id'], `Product variant ${v.id} does not exist on this product.`, 'PRODUCT_VARIANT_DOES_NOT_EXIST');
      } else if (target) {
        // No id: the existing variant with the same option values is updated (unverified Shopify behaviour; see README).
        existing = existingVariants.find((x) => !claimed.has(x.id) && variantTitle(target!, x) === label);
      }
      if (existing) {
        if (claimed.has(existing.id)) return fail([...path, 'id'], `Product variant ${existing.id} is given twice.`, 'INVALID_VARIANT');
        claimed.add(existing.id);
      }
      for (const p of variantScalarProblems(v, path)) fail(p.field, p.message, 'INVALID_VARIANT');
      for (const p of inventoryItemInputProblems(v.inventoryItem, [...path, 'inventoryItem'])) fail(p.field, p.message, 'INVALID_VARIANT');
      (v.inventoryQuantities ?? []).forEach((q, k) => {
        inventoryCount++;
        if (q.name !== 'available' && q.name !== 'on_hand') fail([...path, 'inventoryQuantities', k, 'name'], "The quantity name must be 'available' or 'on_hand'.", 'INVALID_INPUT');
        if (!T.locations(state).get(q.locationId)?.isActive) fail([...path, 'inventoryQuantities', k, 'locationId'], `Location ${q.locationId} does not exist or is not active.`, 'INVALID_INPUT');
        if (Math.abs(q.quantity) > 1_000_000_000) fail([...path, 'inventoryQuantities', k, 'quantity'], 'The quantity must be between -1,000,000,000 and 1,000,000,000.', 'INVALID_INPUT');
      });
      const mf: MetafieldWrite[] = [];
      (v.metafields ?? []).forEach((m, k) => {
        const r = planMetafield(state, 'PRODUCTVARIANT', existing?.id ?? null, m, [...path, 'metafields', k], mfBatch, SET_MF_CODES, existing?.id ?? `new-variant:${path.join('.')}`);
        errors.push(...r.errors);
        if (r.write) mf.push(r.write);
      });
      plannedVars.push({ input: v, existing, valueIdx, mf });
    });
    if (inventoryCount > MAX_INVENTORY_QUANTITIES) fail(['input', 'variants'], `Inventory quantity input exceeds the limit of ${MAX_INVENTORY_QUANTITIES}.`, 'INVENTORY_QUANTITIES_LIMIT_EXCEEDED');
  }

  // ---- product metafields and collections
  const productMf: MetafieldWrite[] = [];
  (input.metafields ?? []).forEach((m, k) => {
    const r = planMetafield(state, 'PRODUCT', target?.id ?? null, m, ['input', 'metafields', k], mfBatch, SET_MF_CODES);
    errors.push(...r.errors);
    if (r.write) productMf.push(r.write);
  });
  if (customId && !input.metafields) {
    const r = planMetafield(state, 'PRODUCT', target?.id ?? null, { namespace: customId.namespace, key: customId.key, value: customId.value }, ['identifier', 'customId'], mfBatch, SET_MF_CODES);
    errors.push(...r.errors);
    if (r.write) productMf.push(r.write);
  }
  for (const i of unknownCollections(core, input.collections ?? [])) fail(['input', 'collections', i], `Collection ${(input.collections ?? [])[i]} does not exist.`, 'INVALID_INPUT');
  if (errors.length) return { product: null, userErrors: errors };

  // ---- apply
  const p = target ?? newProduct(core, handle ?? uniqueHandle(slugify(input.title ?? ''), (h) => handleTaken(state, h), 'product'));
  applyProductScalars(p, input);
  if (target && handle && handle !== p.handle) setHandle(state, p, handle);

  if (hasOpts) {
    p.options = planned.map((o, i) => ({
      id: o.existing?.id ?? gid('ProductOption', state.nextId('ProductOption')),
      name: o.name,
      position: i + 1,
      values: o.values.map((v) => ({ id: v.existingId ?? gid('ProductOptionValue', state.nextId('ProductOptionValue')), name: v.name })),
    }));
    const keep = new Set<string>();
    const order: string[] = [];
    for (const pv of plannedVars) {
      const valueIds = pv.valueIdx.map((vi, oi) => p.options[oi]!.values[vi]!.id);
      const scalars: VariantScalars = pv.input;
      let v: VariantRec;
      if (pv.existing) {
        v = pv.existing;
        applyVariantScalars(v, scalars);
        v.optionValueIds = valueIds;
        const item = T.inventoryItems(state).get(v.inventoryItemId)!;
        applyInventoryItemInput(item, pv.input.inventoryItem);
        if (pv.input.sku !== undefined) item.sku = pv.input.sku === null || pv.input.sku === '' ? null : pv.input.sku;
        item.updatedAt = core.nowIso();
        v.updatedAt = core.nowIso();
      } else {
        const stockAt = pv.input.inventoryQuantities?.length ? [...new Set(pv.input.inventoryQuantities.map((q) => q.locationId))] : null;
        v = newVariant(core, p.id, valueIds, scalars, pv.input.inventoryItem, stockAt);
        if (pv.input.sku !== undefined && pv.input.sku !== null && pv.input.sku !== '') T.inventoryItems(state).get(v.inventoryItemId)!.sku = pv.input.sku;
      }
      for (const q of pv.input.inventoryQuantities ?? []) {
        const lv = activateLevel(core, v.inventoryItemId, q.locationId);
        if (setQuantity(core, lv, q.name, q.quantity).length) levelChanged(core, lv);
      }
      if (pv.input.metafields) {
        const kept = new Set(pv.mf.map((w) => applyMetafield(core, w, v.id).id));
        for (const m of metafieldsOf(state, v.id)) if (!kept.has(m.id)) deleteMetafield(state, m.id);
      }
      keep.add(v.id);
      order.push(v.id);
    }
    for (const old of p.variantIds) if (!keep.has(old)) deleteVariant(core, old);
    p.variantIds = order;
  } else if (creating) {
    addDefaultVariant(core, p);
  }

  if (input.metafields || (customId && creating)) {
    const kept = new Set(productMf.map((w) => applyMetafield(core, w, p.id).id));
    if (input.metafields) for (const m of metafieldsOf(state, p.id)) if (!kept.has(m.id)) deleteMetafield(state, m.id);
  } else if (customId) {
    for (const w of productMf) applyMetafield(core, w, p.id);
  }
  if (input.collections) replaceManualCollections(core, p.id, input.collections, 'replace');
  productTouched(core, p.id, creating ? 'products/create' : 'products/update');
  return { product: p, userErrors: [] };
}

function operationView(core: SandboxCore, op: ProductOperationRec) {
  return {
    __typename: 'ProductSetOperation',
    id: op.id,
    status: op.status,
    product: () => {
      const p = op.productId ? T.products(core.state).get(op.productId) : undefined;
      return p ? productView(core, p) : null;
    },
    userErrors: op.userErrors,
  };
}

/** Inputs of asynchronous productSet operations not yet COMPLETE (kept for snapshots). */
const pendingInputs = new WeakMap<SandboxState, Map<string, ProductSetArgs>>();

function pending(state: SandboxState): Map<string, ProductSetArgs> {
  let m = pendingInputs.get(state);
  if (!m) pendingInputs.set(state, (m = new Map()));
  return m;
}

/** Schedules an asynchronous productSet: ACTIVE at half of productSetAsyncMs after its creation, done at the end. */
function armOperation(core: SandboxCore, op: ProductOperationRec, input: ProductSetArgs): void {
  const state = core.state;
  pending(state).set(op.id, input);
  const total = core.options.productSetAsyncMs;
  core.scheduler.at(op.createdAt + Math.floor(total / 2), () => {
    if (op.status === 'CREATED') op.status = 'ACTIVE';
  });
  core.scheduler.at(op.createdAt + total, () => {
    if (core.state !== state) return;
    pending(state).delete(op.id);
    const r = runProductSet(core, input);
    op.productId = r.product?.id ?? null;
    op.userErrors = r.userErrors;
    op.status = 'COMPLETE';
  });
}

function productSetResolver(_s: unknown, args: ProductSetArgs, ctx: RequestContext) {
  const core = ctx.core;
  if (args.synchronous === false) {
    const op: ProductOperationRec = { id: gid('ProductSetOperation', ctx.state.nextId('ProductSetOperation')), status: 'CREATED', productId: null, userErrors: [], createdAt: core.now() };
    T.productOperations(ctx.state).set(op);
    armOperation(core, op, structuredClone(args));
    return { product: null, productSetOperation: operationView(core, op), userErrors: [] };
  }
  const r = runProductSet(core, args);
  return { product: r.product ? productView(core, r.product) : null, productSetOperation: null, userErrors: r.userErrors };
}

// ---------------------------------------------------------------------------------------------
// productCreate / productUpdate / productDelete

interface OptionCreateInputLike {
  name?: string | null;
  position?: number | null;
  values?: { name?: string | null }[] | null;
}

type ProductCreateInputLike = ProductScalars & {
  handle?: string | null;
  productOptions?: OptionCreateInputLike[] | null;
  metafields?: MetafieldInputLike[] | null;
  collectionsToJoin?: string[] | null;
};

function productCreate(_s: unknown, args: { product?: ProductCreateInputLike | null }, ctx: RequestContext) {
  const core = ctx.core;
  const state = ctx.state;
  const input = args.product;
  const shop = () => shopView(core);
  if (!input) return { product: null, shop, userErrors: [userError(['product'], 'Product input is required (the deprecated `input` argument is not supported).')] };
  const errors: UserErrorView[] = productScalarProblems(input, ['product'], true).map((p) => userError(p.field, p.message));
  const handle = wantedHandle(input.handle);
  if (handle && handleTaken(state, handle)) errors.push(userError(['product', 'handle'], `Handle '${handle}' already in use. Please provide a new handle.`));
  const opts = input.productOptions ?? [];
  if (opts.length > MAX_OPTIONS) errors.push(userError(['product', 'productOptions'], `Can only specify a maximum of ${MAX_OPTIONS} options.`));
  const names = new Set<string>();
  opts.forEach((o, i) => {
    const n = (o.name ?? '').trim();
    if (!n) errors.push(userError(['product', 'productOptions', i, 'name'], "Option name can't be blank."));
    else if (names.has(n.toLowerCase())) errors.push(userError(['product', 'productOptions', i, 'name'], `Duplicated option name '${n}'.`));
    names.add(n.toLowerCase());
    const vals = (o.values ?? []).map((v) => (v.name ?? '').trim());
    if (vals.length === 0 || vals.some((v) => !v)) errors.push(userError(['product', 'productOptions', i, 'values'], `Option '${n}' needs at least one non-blank value.`));
    if (new Set(vals.map((v) => v.toLowerCase())).size !== vals.length) errors.push(userError(['product', 'productOptions', i, 'values'], `Option '${n}' has duplicated values.`));
  });
  const batch: MetafieldWrite[] = [];
  const mf: MetafieldWrite[] = [];
  (input.metafields ?? []).forEach((m, k) => {
    const r = planMetafield(state, 'PRODUCT', null, m, ['product', 'metafields', k], batch, MF_CODES_PLAIN);
    errors.push(...plainErrors(r.errors));
    if (r.write) mf.push(r.write);
  });
  for (const i of unknownCollections(core, input.collectionsToJoin ?? [])) errors.push(userError(['product', 'collectionsToJoin', i], 'Collection does not exist'));
  if (errors.length) return { product: null, shop, userErrors: errors };

  const p = newProduct(core, handle ?? uniqueHandle(slugify(input.title ?? ''), (h) => handleTaken(state, h), 'product'));
  applyProductScalars(p, input);
  if (opts.length === 0) addDefaultVariant(core, p);
  else {
    p.options = [...opts]
      .map((o, i) => ({ o, pos: o.position ?? i + 1 }))
      .sort((a, b) => a.pos - b.pos)
      .map(({ o }, i) => newOption(core, o.name!.trim(), i + 1, (o.values ?? []).map((v) => v.name!.trim())));
    const v = newVariant(core, p.id, p.options.map((o) => o.values[0]!.id), {}, null, null);
    p.variantIds = [v.id];
  }
  for (const w of mf) applyMetafield(core, w, p.id);
  if (input.collectionsToJoin?.length) replaceManualCollections(core, p.id, input.collectionsToJoin, 'join');
  productTouched(core, p.id, 'products/create');
  return { product: productView(core, p), shop, userErrors: [] };
}

type ProductUpdateInputLike = ProductScalars & {
  id?: string | null;
  handle?: string | null;
  metafields?: MetafieldInputLike[] | null;
  collectionsToJoin?: string[] | null;
  collectionsToLeave?: string[] | null;
  redirectNewHandle?: boolean | null;
  deleteConflictingConstrainedMetafields?: boolean | null;
};

function findProductByIdentifier(ctx: RequestContext, ident: { id?: string | null; handle?: string | null; customId?: { namespace?: string | null; key: string; value: string } | null }): ProductRec | undefined {
  if (ident.id) return T.products(ctx.state).get(gidOf(ident.id, 'Product') ?? '');
  if (ident.handle) return productByHandle(ctx.state, ident.handle);
  if (ident.customId) {
    const ns = ident.customId.namespace ?? ctx.state.shop.appNamespace;
    const r = findOwnerByCustomId(ctx.state, 'PRODUCT', ident.customId);
    if (!r.definition?.uniqueValues) throw badRequest(customIdProblem('PRODUCT', ns, ident.customId.key));
    return r.ownerId ? T.products(ctx.state).get(r.ownerId) : undefined;
  }
  return undefined;
}

function productUpdate(_s: unknown, args: { identifier?: { id?: string | null; handle?: string | null; customId?: { namespace?: string | null; key: string; value: string } | null } | null; product?: ProductUpdateInputLike | null }, ctx: RequestContext) {
  const core = ctx.core;
  const state = ctx.state;
  const input = args.product;
  if (!input) return { product: null, userErrors: [userError(['product'], 'Product input is required (the deprecated `input` argument is not supported).')] };
  if (args.identifier && input.id) return { product: null, userErrors: [userError(['product', 'id'], 'The id field is not allowed if identifier is provided.')] };
  const p = args.identifier ? findProductByIdentifier(ctx, args.identifier) : input.id ? T.products(state).get(gidOf(input.id, 'Product') ?? '') : undefined;
  if (!args.identifier && !input.id) return { product: null, userErrors: [userError(['product', 'id'], 'Product id or identifier is required.')] };
  if (!p) return { product: null, userErrors: [userError(args.identifier ? ['identifier'] : ['product', 'id'], 'Product does not exist')] };
  const errors: UserErrorView[] = productScalarProblems(input, ['product'], false).map((x) => userError(x.field, x.message));
  const handle = wantedHandle(input.handle);
  if (handle && handleTaken(state, handle, p.id)) errors.push(userError(['product', 'handle'], `Handle '${handle}' already in use. Please provide a new handle.`));
  const batch: MetafieldWrite[] = [];
  const mf: MetafieldWrite[] = [];
  (input.metafields ?? []).forEach((m, k) => {
    const r = planMetafield(state, 'PRODUCT', p.id, m, ['product', 'metafields', k], batch, MF_CODES_PLAIN);
    errors.push(...plainErrors(r.errors));
    if (r.write) mf.push(r.write);
  });
  for (const i of unknownCollections(core, input.collectionsToJoin ?? [])) errors.push(userError(['product', 'collectionsToJoin', i], 'Collection does not exist'));
  for (const i of unknownCollections(core, input.collectionsToLeave ?? [])) errors.push(userError(['product', 'collectionsToLeave', i], 'Collection does not exist'));
  if (errors.length) return { product: null, userErrors: errors };
  applyProductScalars(p, input);
  if (handle && handle !== p.handle) setHandle(state, p, handle);
  for (const w of mf) applyMetafield(core, w, p.id);
  if (input.collectionsToJoin?.length) replaceManualCollections(core, p.id, input.collectionsToJoin, 'join');
  if (input.collectionsToLeave?.length) replaceManualCollections(core, p.id, input.collectionsToLeave, 'leave');
  productTouched(core, p.id);
  return { product: productView(core, p), userErrors: [] };
}

// ---------------------------------------------------------------------------------------------
// productVariantsBulkCreate / Update

interface BulkVariantInput extends VariantScalars {
  id?: string | null;
  optionValues?: { optionId?: string | null; optionName?: string | null; id?: string | null; name?: string | null }[] | null;
  inventoryItem?: InventoryItemInputLike | null;
  inventoryQuantities?: { locationId: string; availableQuantity: number }[] | null;
  metafields?: MetafieldInputLike[] | null;
}

const BULK_MF_CODES = { blank: 'INVALID_INPUT', invalidType: 'INVALID_INPUT', invalidValue: 'INVALID_INPUT', taken: 'INVALID_INPUT', invalid: 'INVALID_INPUT' };

/**
 * Resolves a variant's option values against `options` (a working copy of the product's options). A new
 * value name is added to its option (as Shopify does); an unknown option name is an error. Returns the
 * value id per option (starting from `base` for updates), or the userError.
 */
function resolveOptionValues(
  core: SandboxCore,
  options: OptionRec[],
  ovs: NonNullable<BulkVariantInput['optionValues']>,
  path: (string | number)[],
  codes: { unknownOption: string; missing: string; unknownValue: string },
  base: string[] | null,
): string[] | UserErrorView {
  const ids = base ? [...base] : new Array<string>(options.length).fill('');
  const seen = new Set<number>();
  for (let k = 0; k < ovs.length; k++) {
    const ov = ovs[k]!;
    const oi = options.findIndex((o) => (ov.optionId ? o.id === ov.optionId : o.name.toLowerCase() === (ov.optionName ?? '').trim().toLowerCase()));
    if (oi < 0) return userError([...path, 'optionValues', k], `Option '${ov.optionName ?? ov.optionId}' does not exist on the product.`, codes.unknownOption);
    if (seen.has(oi)) return userError([...path, 'optionValues', k], `Option '${options[oi]!.name}' is given twice.`, codes.unknownOption);
    seen.add(oi);
    const o = options[oi]!;
    let val = ov.id ? o.values.find((x) => x.id === ov.id) : o.values.find((x) => x.name === (ov.name ?? '').trim());
    if (!val && ov.id) return userError([...path, 'optionValues', k], `Option value ${ov.id} does not exist.`, codes.unknownValue);
    if (!val) {
      const name = (ov.name ?? '').trim();
      if (!name) return userError([...path, 'optionValues', k, 'name'], "Option value name can't be blank.", codes.unknownValue);
      val = { id: gid('ProductOptionValue', core.state.nextId('ProductOptionValue')), name };
      o.values.push(val);
    }
    ids[oi] = val.id;
  }
  if (ids.some((x) => x === '')) return userError([...path, 'optionValues'], 'Variant options are not enough: give a value for every product option.', codes.missing);
  return ids;
}

function productVariantsBulkCreate(_s: unknown, args: { productId: string; variants: BulkVariantInput[]; strategy?: string }, ctx: RequestContext) {
  const core = ctx.core;
  const state = ctx.state;
  const p = T.products(state).get(gidOf(args.productId, 'Product') ?? '');
  if (!p) return { product: null, productVariants: null, userErrors: [userError(['productId'], 'Product does not exist', 'PRODUCT_DOES_NOT_EXIST')] };
  const errors: UserErrorView[] = [];
  const existing = variantsOf(state, p);
  const strategy = args.strategy ?? 'DEFAULT';
  const onlyDefault = p.options.length === 1 && p.options[0]!.name === DEFAULT_OPTION && existing.length === 1;
  const removeStandalone = existing.length === 1 && (strategy === 'REMOVE_STANDALONE_VARIANT' || (strategy === 'DEFAULT' && onlyDefault));
  if (existing.length + args.variants.length - (removeStandalone ? 1 : 0) > MAX_VARIANTS) {
    return { product: null, productVariants: null, userErrors: [userError(['variants'], `A product can have at most ${MAX_VARIANTS} variants.`, 'INVALID')] };
  }
  // Replacing the lone "Default Title" variant: the options come from the new variants.
  let options: OptionRec[] = p.options.map((o) => ({ ...o, values: o.values.map((v) => ({ ...v })) }));
  if (removeStandalone && onlyDefault) {
    const names: string[] = [];
    for (const v of args.variants) for (const ov of v.optionValues ?? []) if (ov.optionName && !names.some((n) => n.toLowerCase() === ov.optionName!.toLowerCase())) names.push(ov.optionName);
    if (names.length > MAX_OPTIONS) return { product: null, productVariants: null, userErrors: [userError(['variants'], `A product can have at most ${MAX_OPTIONS} options.`, 'INVALID')] };
    if (names.length > 0) options = names.map((n, i) => ({ id: gid('ProductOption', state.nextId('ProductOption')), name: n, position: i + 1, values: [] }));
  }
  const combos = new Set((removeStandalone ? [] : existing).map((v) => v.optionValueIds.join('/')));
  const plannedIds: string[][] = [];
  const mfPlans: MetafieldWrite[][] = [];
  const batch: MetafieldWrite[] = [];
  let qty = 0;
  args.variants.forEach((v, i) => {
    const path = ['variants', i];
    if (v.id) return errors.push(userError([...path, 'id'], 'On create, this key cannot be used.', 'NO_KEY_ON_CREATE'));
    const ids = resolveOptionValues(core, options, v.optionValues ?? [], path, { unknownOption: 'OPTION_VALUES_FOR_NUMBER_OF_UNKNOWN_OPTIONS', missing: 'NEED_TO_ADD_OPTION_VALUES', unknownValue: 'INVALID_INPUT' }, null);
    if (!Array.isArray(ids)) return errors.push(ids);
    const key = ids.join('/');
    if (combos.has(key)) return errors.push(userError([...path, 'optionValues'], 'Variant already exists with these option values.', 'VARIANT_ALREADY_EXISTS'));
    combos.add(key);
    for (const pr of variantScalarProblems(v, path)) errors.push(userError(pr.field, pr.message, pr.code === 'negative' ? 'GREATER_THAN_OR_EQUAL_TO' : 'INVALID_INPUT'));
    for (const pr of inventoryItemInputProblems(v.inventoryItem, [...path, 'inventoryItem'])) errors.push(userError(pr.field, pr.message, 'INVALID_INPUT'));
    const locs = v.inventoryQuantities ?? [];
    if (locs.length > 10) errors.push(userError([...path, 'inventoryQuantities'], 'Inventory locations cannot exceed the allowed resource limit or 10.', 'TOO_MANY_INVENTORY_LOCATIONS'));
    locs.forEach((q, k) => {
      qty++;
      if (!T.locations(state).get(q.locationId)?.isActive) errors.push(userError([...path, 'inventoryQuantities', k, 'locationId'], 'Quantity could not be set. The location was not found.', 'TRACKED_VARIANT_LOCATION_NOT_FOUND'));
    });
    const mf: MetafieldWrite[] = [];
    (v.metafields ?? []).forEach((m, k) => {
      const r2 = planMetafield(state, 'PRODUCTVARIANT', null, m, [...path, 'metafields', k], batch, BULK_MF_CODES, `new-variant:${path.join('.')}`);
      errors.push(...r2.errors);
      if (r2.write) mf.push(r2.write);
    });
    plannedIds.push(ids);
    mfPlans.push(mf);
  });
  if (qty > MAX_INVENTORY_QUANTITIES) errors.push(userError(['variants'], `Inventory quantity input exceeds the limit of ${MAX_INVENTORY_QUANTITIES}.`, 'INVENTORY_QUANTITIES_LIMIT_EXCEEDED'));
  if (errors.length) return { product: null, productVariants: null, userErrors: errors };

  if (removeStandalone) {
    for (const v of existing) deleteVariant(core, v.id);
    p.variantIds = [];
  }
  p.options = options;
  const created = args.variants.map((v, i) => {
    const stockAt = v.inventoryQuantities?.length ? v.inventoryQuantities.map((q) => q.locationId) : null;
    const nv = newVariant(core, p.id, plannedIds[i]!, v, v.inventoryItem, stockAt);
    for (const q of v.inventoryQuantities ?? []) {
      const lv = activateLevel(core, nv.inventoryItemId, q.locationId);
      if (setQuantity(core, lv, 'available', q.availableQuantity).length) levelChanged(core, lv);
    }
    for (const w of mfPlans[i]!) applyMetafield(core, w, nv.id);
    p.variantIds.push(nv.id);
    return nv;
  });
  pruneUnusedValues(state, p);
  productTouched(core, p.id);
  return { product: productView(core, p), productVariants: created.map((v) => variantView(core, v)), userErrors: [] };
}

/** Drops option values no variant uses any more, and options left without values. */
function pruneUnusedValues(state: SandboxState, p: ProductRec): void {
  const used = new Set(variantsOf(state, p).flatMap((v) => v.optionValueIds));
  for (const o of p.options) o.values = o.values.filter((v) => used.has(v.id));
}

function productVariantsBulkUpdate(_s: unknown, args: { productId: string; variants: BulkVariantInput[]; allowPartialUpdates?: boolean }, ctx: RequestContext) {
  const core = ctx.core;
  const state = ctx.state;
  const p = T.products(state).get(gidOf(args.productId, 'Product') ?? '');
  if (!p) return { product: null, productVariants: null, userErrors: [userError(['productId'], 'Product does not exist', 'PRODUCT_DOES_NOT_EXIST')] };
  const errors: UserErrorView[] = [];
  const options: OptionRec[] = p.options.map((o) => ({ ...o, values: o.values.map((v) => ({ ...v })) }));
  const combos = new Map(variantsOf(state, p).map((v) => [v.optionValueIds.join('/'), v.id]));
  const ok: { input: BulkVariantInput; v: VariantRec; ids: string[] | null; mf: MetafieldWrite[] }[] = [];
  const batch: MetafieldWrite[] = [];
  const seen = new Set<string>();
  args.variants.forEach((input, i) => {
    const path = ['variants', i];
    const before = errors.length;
    if (!input.id) return errors.push(userError([...path, 'id'], 'Product variant is missing ID attribute.', 'PRODUCT_VARIANT_ID_MISSING'));
    const v = T.variants(state).get(gidOf(input.id, 'ProductVariant') ?? '');
    if (!v) return errors.push(userError([...path, 'id'], 'Product variant does not exist.', 'PRODUCT_VARIANT_DOES_NOT_EXIST'));
    if (v.productId !== p.id) return errors.push(userError([...path, 'id'], 'Product variant does not belong to this product.', 'MUST_BE_FOR_THIS_PRODUCT'));
    if (seen.has(v.id)) return errors.push(userError([...path, 'id'], 'Product variant is given twice.', 'INVALID_INPUT'));
    seen.add(v.id);
    if (input.inventoryQuantities?.length) errors.push(userError([...path, 'inventoryQuantities'], 'Inventory quantities can only be provided during create. To update inventory for existing variants, use inventorySetQuantities.', 'NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE'));
    let ids: string[] | null = null;
    if (input.optionValues?.length) {
      const r = resolveOptionValues(core, options, input.optionValues, path, { unknownOption: 'OPTION_DOES_NOT_EXIST', missing: 'NEED_TO_ADD_OPTION_VALUES', unknownValue: 'OPTION_VALUE_DOES_NOT_EXIST' }, v.optionValueIds);
      if (!Array.isArray(r)) errors.push(r);
      else {
        ids = r;
        const key = ids.join('/');
        const owner = combos.get(key);
        if (owner && owner !== v.id) errors.push(userError([...path, 'optionValues'], 'The variant already exists.', 'VARIANT_ALREADY_EXISTS'));
        else {
          combos.delete(v.optionValueIds.join('/'));
          combos.set(key, v.id);
        }
      }
    }
    for (const pr of variantScalarProblems(input, path)) errors.push(userError(pr.field, pr.message, pr.code === 'negative' ? 'GREATER_THAN_OR_EQUAL_TO' : 'INVALID_INPUT'));
    for (const pr of inventoryItemInputProblems(input.inventoryItem, [...path, 'inventoryItem'])) errors.push(userError(pr.field, pr.message, 'INVALID_INPUT'));
    const mf: MetafieldWrite[] = [];
    (input.metafields ?? []).forEach((m, k) => {
      const r2 = planMetafield(state, 'PRODUCTVARIANT', v.id, m, [...path, 'metafields', k], batch, { ...BULK_MF_CODES, invalidValue: 'INVALID_VALUE' });
      errors.push(...r2.errors);
      if (r2.write) mf.push(r2.write);
    });
    if (errors.length === before) ok.push({ input, v, ids, mf });
  });
  if (errors.length && !args.allowPartialUpdates) return { product: null, productVariants: null, userErrors: errors };
  p.options = options;
  const now = core.nowIso();
  for (const { input, v, ids, mf } of ok) {
    applyVariantScalars(v, input);
    if (ids) v.optionValueIds = ids;
    const item = T.inventoryItems(state).get(v.inventoryItemId)!;
    if (applyInventoryItemInput(item, input.inventoryItem)) {
      item.updatedAt = now;
      core.emit('inventory_items/update', item.id);
    }
    for (const w of mf) applyMetafield(core, w, v.id);
    v.updatedAt = now;
  }
  pruneUnusedValues(state, p);
  if (ok.length) productTouched(core, p.id);
  return { product: productView(core, p), productVariants: ok.map((x) => variantView(core, x.v)), userErrors: errors };
}

function productVariantsBulkDelete(_s: unknown, args: { productId: string; variantsIds: string[] }, ctx: RequestContext) {
  const p = T.products(ctx.state).get(gidOf(args.productId, 'Product') ?? '');
  if (!p) return { product: null, userErrors: [userError(['productId'], 'Product does not exist', 'PRODUCT_DOES_NOT_EXIST')] };
  const errors: UserErrorView[] = [];
  args.variantsIds.forEach((id, i) => {
    if (!p.variantIds.includes(id)) errors.push(userError(['variantsIds', i], `Variant ${id} does not exist on this product.`, 'AT_LEAST_ONE_VARIANT_DOES_NOT_BELONG_TO_THE_PRODUCT'));
  });
  if (new Set(args.variantsIds).size >= p.variantIds.length) errors.push(userError(['variantsIds'], 'Cannot delete every variant of a product.', 'CANNOT_DELETE_LAST_VARIANT'));
  if (errors.length) return { product: null, userErrors: errors };
  for (const id of args.variantsIds) deleteVariant(ctx.core, id);
  p.variantIds = p.variantIds.filter((id) => !args.variantsIds.includes(id));
  pruneUnusedValues(ctx.state, p);
  productTouched(ctx.core, p.id);
  return { product: productView(ctx.core, p), userErrors: [] };
}

// ---------------------------------------------------------------------------------------------
// Queries

type ListArgs = { first?: number; last?: number; after?: string; before?: string; reverse?: boolean; query?: string | null; sortKey?: string; savedSearchId?: string | null };

const PRODUCT_SORTS = ['ID', 'TITLE', 'UPDATED_AT', 'CREATED_AT', 'PRODUCT_TYPE', 'VENDOR', 'INVENTORY_TOTAL', 'PUBLISHED_AT', 'RELEVANCE'] as const;

function productSortKey(core: SandboxCore, key: string, p: ProductRec): SortTuple {
  const id = parseGid(p.id)!.id;
  switch (key) {
    case 'TITLE':
      return [p.title, id];
    case 'UPDATED_AT':
      return [p.updatedAt, id];
    case 'CREATED_AT':
      return [p.createdAt, id];
    case 'PRODUCT_TYPE':
      return [p.productType, id];
    case 'VENDOR':
      return [p.vendor, id];
    case 'INVENTORY_TOTAL':
      return [variantsOf(core.state, p).reduce((n, v) => n + availableOf(core, v), 0), id];
    case 'PUBLISHED_AT':
      return [onlinePublishedAt(core, p), id];
    default:
      return [id];
  }
}

function searchIds(ctx: RequestContext, kind: string, spec: SearchSpec, query: string | null | undefined, pathKey: string | number): string[] {
  const visible = [...ctx.core.index.visible(kind)];
  if (!query || query.trim() === '') return visible.map(([id]) => id);
  const search = new CompiledSearch(query, spec);
  const ids = visible.filter(([, d]) => search.matches(d)).map(([id]) => id);
  if (search.warnings.length) ctx.searchWarnings.push({ path: [pathKey], query, warnings: search.warnings });
  return ids;
}

const VARIANT_SORTS = ['ID', 'SKU', 'TITLE', 'POSITION', 'NAME', 'FULL_TITLE', 'INVENTORY_QUANTITY', 'RELEVANCE'] as const;

function variantSortKey(core: SandboxCore, key: string, v: VariantRec): SortTuple {
  const id = parseGid(v.id)!.id;
  const p = T.products(core.state).get(v.productId)!;
  switch (key) {
    case 'SKU':
      return [skuOf(core.state, v), id];
    case 'TITLE':
      return [variantTitle(p, v), id];
    case 'NAME':
    case 'FULL_TITLE':
      return [`${p.title} ${variantTitle(p, v)}`, id];
    case 'POSITION':
      return [parseGid(p.id)!.id, p.variantIds.indexOf(v.id), id];
    case 'INVENTORY_QUANTITY':
      return [availableOf(core, v), id];
    default:
      return [id];
  }
}

function productsResolver(_s: unknown, args: ListArgs, ctx: RequestContext, info: { path: { key: string | number } }) {
  if (args.savedSearchId) throw unsupported('QueryRoot.products(savedSearchId:)');
  const sortKey = requireSortKey('ProductSortKeys', args.sortKey, PRODUCT_SORTS);
  const rows = searchIds(ctx, 'Product', PRODUCT_SEARCH, args.query, info.path.key)
    .map((id) => T.products(ctx.state).get(id))
    .filter((p): p is ProductRec => !!p);
  return paginate(rows, args, (p) => productSortKey(ctx.core, sortKey, p), (p) => productView(ctx.core, p));
}

function variantsResolver(_s: unknown, args: ListArgs, ctx: RequestContext, info: { path: { key: string | number } }) {
  if (args.savedSearchId) throw unsupported('QueryRoot.productVariants(savedSearchId:)');
  const sortKey = requireSortKey('ProductVariantSortKeys', args.sortKey, VARIANT_SORTS);
  const rows = searchIds(ctx, 'ProductVariant', VARIANT_SEARCH, args.query, info.path.key)
    .map((id) => T.variants(ctx.state).get(id))
    .filter((v): v is VariantRec => !!v && T.products(ctx.state).has(v.productId));
  return paginate(rows, args, (v) => variantSortKey(ctx.core, sortKey, v), (v) => variantView(ctx.core, v));
}

// ---------------------------------------------------------------------------------------------
// Module

const LIST_ARGS = ['first', 'last', 'after', 'before', 'reverse'] as const;

export function productsModule(registry: Registry): void {
  registry.search({ name: 'Product', spec: PRODUCT_SEARCH, document: productDocument });
  // Snapshots: an asynchronous productSet still waiting is stored with its input and runs after the reload.
  registry.persist({
    name: 'productSetOperations',
    save: (core) => {
      const m = pending(core.state);
      return m.size ? Object.fromEntries(m) : undefined;
    },
    load: (core, data) => {
      const inputs = (data && typeof data === 'object' ? data : {}) as Record<string, ProductSetArgs>;
      for (const op of T.productOperations(core.state).values()) {
        if (op.status === 'COMPLETE') continue;
        const input = inputs[op.id];
        if (input) armOperation(core, op, input);
        else {
          op.status = 'COMPLETE';
          op.userErrors = [{ field: null, message: 'The operation was lost when the sandbox was restarted.', code: null }];
        }
      }
    },
  });
  registry.search({ name: 'ProductVariant', spec: VARIANT_SEARCH, document: variantDocument });
  registry.metafieldOwner({
    gidType: 'Product',
    ownerType: 'PRODUCT',
    writeScopes: [['write_products']],
    exists: (core, id) => T.products(core.state).has(id),
    view: (core, id) => productView(core, T.products(core.state).get(id)!),
    touched: (core, id) => productTouched(core, id),
  });
  registry.metafieldOwner({
    gidType: 'ProductVariant',
    ownerType: 'PRODUCTVARIANT',
    writeScopes: [['write_products']],
    exists: (core, id) => T.variants(core.state).has(id),
    view: (core, id) => variantView(core, T.variants(core.state).get(id)!),
    touched: (core, id) => {
      const v = T.variants(core.state).get(id);
      if (v) {
        v.updatedAt = core.nowIso();
        productTouched(core, v.productId);
      }
    },
  });
  registerHasMetafields(registry, 'Product');
  registerHasMetafields(registry, 'ProductVariant');
  registerPublishable({
    gidType: 'Product',
    get: (core, id) => T.products(core.state).get(id),
    view: (core, id) => productView(core, T.products(core.state).get(id)!),
    changed: (core, id) => productTouched(core, id),
  });

  registry.input('ProductSetIdentifiers', '*');
  registry.input('ProductSetInput', ['title', 'descriptionHtml', 'handle', 'vendor', 'productType', 'status', 'tags', 'templateSuffix', 'seo', 'giftCard', 'requiresSellingPlan', 'redirectNewHandle', 'collections', 'metafields', 'productOptions', 'variants', 'id']);
  registry.input('OptionSetInput', ['id', 'name', 'position', 'values']);
  registry.input('OptionValueSetInput', ['id', 'name']);
  registry.input('VariantOptionValueInput', ['optionId', 'optionName', 'id', 'name']);
  registry.input('ProductVariantSetInput', ['id', 'optionValues', 'sku', 'price', 'compareAtPrice', 'taxable', 'barcode', 'inventoryPolicy', 'taxCode', 'position', 'inventoryItem', 'inventoryQuantities', 'metafields', 'showUnitPrice', 'requiresComponents']);
  registry.input('ProductSetInventoryInput', '*');
  registry.input('SEOInput', '*');
  registry.input('ProductCreateInput', ['title', 'descriptionHtml', 'handle', 'vendor', 'productType', 'status', 'tags', 'templateSuffix', 'seo', 'giftCard', 'requiresSellingPlan', 'productOptions', 'metafields', 'collectionsToJoin']);
  registry.input('OptionCreateInput', ['name', 'position', 'values']);
  registry.input('OptionValueCreateInput', ['name']);
  registry.input('ProductUpdateInput', ['id', 'title', 'descriptionHtml', 'handle', 'vendor', 'productType', 'status', 'tags', 'templateSuffix', 'seo', 'requiresSellingPlan', 'metafields', 'collectionsToJoin', 'collectionsToLeave', 'redirectNewHandle', 'deleteConflictingConstrainedMetafields']);
  registry.input('ProductUpdateIdentifiers', '*');
  registry.input('ProductIdentifierInput', '*');
  registry.input('ProductVariantIdentifierInput', '*');
  registry.input('ProductVariantsBulkInput', ['id', 'optionValues', 'price', 'compareAtPrice', 'taxable', 'barcode', 'inventoryPolicy', 'taxCode', 'inventoryItem', 'inventoryQuantities', 'metafields', 'showUnitPrice', 'requiresComponents']);
  registry.input('InventoryLevelInput', '*');
  registry.input('ProductDeleteInput', ['id']);

  registry.field('Mutation.productSet', productSetResolver as never, { args: ['identifier', 'input', 'synchronous'] });
  registry.field('Mutation.productCreate', productCreate as never, { args: ['product'] });
  registry.field('Mutation.productUpdate', productUpdate as never, { args: ['identifier', 'product'] });
  registry.field(
    'Mutation.productDelete',
    (_s, args: { input: { id: string }; synchronous?: boolean }, ctx: RequestContext) => {
      if (args.synchronous === false) throw unsupported('Mutation.productDelete(synchronous: false)');
      const ok = deleteProduct(ctx.core, gidOf(args.input.id, 'Product') ?? '');
      const shop = shopView(ctx.core);
      return ok ? { deletedProductId: args.input.id, productDeleteOperation: null, shop, userErrors: [] } : { deletedProductId: null, productDeleteOperation: null, shop, userErrors: [userError(['input', 'id'], 'Product does not exist')] };
    },
    { args: ['input', 'synchronous'] },
  );
  registry.field('Mutation.productVariantsBulkCreate', productVariantsBulkCreate as never, { args: ['productId', 'variants', 'strategy'] });
  registry.field('Mutation.productVariantsBulkUpdate', productVariantsBulkUpdate as never, { args: ['productId', 'variants', 'allowPartialUpdates'] });
  registry.field('Mutation.productVariantsBulkDelete', productVariantsBulkDelete as never, { args: ['productId', 'variantsIds'] });
  for (const m of ['productSet', 'productCreate', 'productUpdate', 'productDelete', 'productVariantsBulkCreate', 'productVariantsBulkUpdate', 'productVariantsBulkDelete']) {
    registry.scope(`Mutation.${m}`, [['write_products']]);
  }

  const read = [['read_products']] as const;
  registry.scope('QueryRoot.product', read);
  registry.field('QueryRoot.product', (_s, args: { id: string }, ctx: RequestContext) => {
    const p = T.products(ctx.state).get(gidOf(args.id, 'Product') ?? '');
    return p ? productView(ctx.core, p) : null;
  }, { args: ['id'] });
  registry.scope('QueryRoot.productByHandle', read);
  registry.field('QueryRoot.productByHandle', (_s, args: { handle: string }, ctx: RequestContext) => {
    const p = productByHandle(ctx.state, args.handle);
    return p ? productView(ctx.core, p) : null;
  }, { args: ['handle'] });
  registry.scope('QueryRoot.productByIdentifier', read);
  registry.field('QueryRoot.productByIdentifier', (_s, args: { identifier: Parameters<typeof findProductByIdentifier>[1] }, ctx: RequestContext) => {
    const p = findProductByIdentifier(ctx, args.identifier);
    return p ? productView(ctx.core, p) : null;
  }, { args: ['identifier'] });
  registry.scope('QueryRoot.products', read);
  registry.field('QueryRoot.products', productsResolver as never, { args: [...LIST_ARGS, 'query', 'sortKey'] });
  registry.scope('QueryRoot.productsCount', read);
  registry.field('QueryRoot.productsCount', (_s, args: { query?: string | null; limit?: number | null }, ctx: RequestContext, info) => {
    const n = searchIds(ctx, 'Product', PRODUCT_SEARCH, args.query, info.path.key).filter((id) => T.products(ctx.state).has(id)).length;
    const limit = args.limit ?? null;
    return limit !== null && n > limit ? { count: limit, precision: 'AT_LEAST' } : countView(n);
  }, { args: ['query', 'limit'] });

  registry.scope('QueryRoot.productVariant', read);
  registry.field('QueryRoot.productVariant', (_s, args: { id: string }, ctx: RequestContext) => {
    const v = T.variants(ctx.state).get(gidOf(args.id, 'ProductVariant') ?? '');
    return v ? variantView(ctx.core, v) : null;
  }, { args: ['id'] });
  registry.scope('QueryRoot.productVariantByIdentifier', read);
  registry.field('QueryRoot.productVariantByIdentifier', (_s, args: { identifier: { id?: string | null; customId?: { namespace?: string | null; key: string; value: string } | null } }, ctx: RequestContext) => {
    const ident = args.identifier;
    let v: VariantRec | undefined;
    if (ident.id) v = T.variants(ctx.state).get(gidOf(ident.id, 'ProductVariant') ?? '');
    else if (ident.customId) {
      const r = findOwnerByCustomId(ctx.state, 'PRODUCTVARIANT', ident.customId);
      if (!r.definition?.uniqueValues) throw badRequest(customIdProblem('PRODUCTVARIANT', ident.customId.namespace ?? ctx.state.shop.appNamespace, ident.customId.key));
      v = r.ownerId ? T.variants(ctx.state).get(r.ownerId) : undefined;
    }
    return v ? variantView(ctx.core, v) : null;
  }, { args: ['identifier'] });
  registry.scope('QueryRoot.productVariants', read);
  registry.field('QueryRoot.productVariants', variantsResolver as never, { args: [...LIST_ARGS, 'query', 'sortKey'] });
  registry.scope('QueryRoot.productVariantsCount', read);
  registry.field('QueryRoot.productVariantsCount', (_s, args: { query?: string | null; limit?: number | null }, ctx: RequestContext, info) => {
    const n = searchIds(ctx, 'ProductVariant', VARIANT_SEARCH, args.query, info.path.key).filter((id) => T.variants(ctx.state).has(id)).length;
    const limit = args.limit ?? null;
    return limit !== null && n > limit ? { count: limit, precision: 'AT_LEAST' } : countView(n);
  }, { args: ['query', 'limit'] });

  registry.scope('QueryRoot.productOperation', read);
  registry.field('QueryRoot.productOperation', (_s, args: { id: string }, ctx: RequestContext) => {
    const op = T.productOperations(ctx.state).get(args.id);
    return op ? operationView(ctx.core, op) : null;
  }, { args: ['id'] });

  registry.type('Product', {
    variants: [
      (src: { id: string }, args: ListArgs, ctx: RequestContext) => {
        const p = T.products(ctx.state).get(src.id)!;
        const sortKey = requireSortKey('ProductVariantSortKeys', args.sortKey, VARIANT_SORTS);
        return paginate(variantsOf(ctx.state, p), args, (v) => variantSortKey(ctx.core, sortKey, v), (v) => variantView(ctx.core, v));
      },
      { args: [...LIST_ARGS, 'sortKey'] },
    ],
    collections: [
      (src: { id: string }, args: ListArgs, ctx: RequestContext, info) => collectionsOfProductView(ctx, src.id, args, info.path.key),
      { args: [...LIST_ARGS, 'query', 'sortKey'] },
    ],
  });

  // A merchant edits a product in the Shopify admin (Shopify-side change for two-way sync tests).
  registry.admin('edit/product', (core, body) => {
    const p = typeof body.id === 'string' ? T.products(core.state).get(body.id) : typeof body.handle === 'string' ? productByHandle(core.state, body.handle) : undefined;
    if (!p) throw new SandboxInputError('give id (Product GID) or handle of an existing product');
    const allowed = ['title', 'descriptionHtml', 'vendor', 'productType', 'status', 'tags'];
    const unknown = Object.keys(body).filter((k) => k !== 'id' && k !== 'handle' && !allowed.includes(k));
    if (unknown.length) throw new SandboxInputError(`unknown fields ${unknown.join(', ')}; editable: ${allowed.join(', ')}`);
    if (body.status !== undefined && !['ACTIVE', 'ARCHIVED', 'DRAFT', 'UNLISTED'].includes(body.status as string)) throw new SandboxInputError('status must be ACTIVE, ARCHIVED, DRAFT or UNLISTED');
    if (body.tags !== undefined && !(Array.isArray(body.tags) && body.tags.every((t) => typeof t === 'string'))) throw new SandboxInputError('tags must be an array of strings');
    for (const k of ['title', 'descriptionHtml', 'vendor', 'productType'] as const) if (body[k] !== undefined && typeof body[k] !== 'string') throw new SandboxInputError(`${k} must be a string`);
    if (body.title !== undefined && (body.title as string).trim() === '') throw new SandboxInputError("title can't be blank");
    applyProductScalars(p, body as ProductScalars);
    productTouched(core, p.id);
    return { id: p.id, updatedAt: p.updatedAt };
  });
  registry.admin('edit/variant', (core, body) => {
    const v = typeof body.id === 'string' ? T.variants(core.state).get(body.id) : typeof body.sku === 'string' ? [...T.variants(core.state).values()].find((x) => skuOf(core.state, x) === body.sku) : undefined;
    if (!v) throw new SandboxInputError('give id (ProductVariant GID) or sku of an existing variant');
    const problems = variantScalarProblems(body as VariantScalars, []);
    if (problems.length) throw new SandboxInputError(problems.map((x) => x.message).join('; '));
    applyVariantScalars(v, body as VariantScalars);
    if (typeof body.newSku === 'string') T.inventoryItems(core.state).get(v.inventoryItemId)!.sku = body.newSku;
    v.updatedAt = core.nowIso();
    productTouched(core, v.productId);
    return { id: v.id, updatedAt: v.updatedAt };
  });
  registry.admin('delete/product', (core, body) => {
    if (typeof body.id !== 'string' || !deleteProduct(core, body.id)) throw new SandboxInputError('give id of an existing product');
    return { deletedProductId: body.id };
  });
}

