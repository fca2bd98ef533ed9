/** Products (reference §7.4), product queries, and the product-scoped child collections. */
import { embedded, page, sortByQuery } from '../collections.js';
import type { Ctx, Result } from '../context.js';
import type { Route } from '../router.js';
import { href, isoSec, link } from '../context.js';
import { ApiError, badField, badParam, CODES, notFound } from '../errors.js';
import type { CombinationRec, ProductRec, TaxTariff } from '../model.js';
import { ORDERING_WITHOUT_STOCK, STOCK_DELIVERY_TYPES, STOCK_TYPES, TAX_TARIFFS } from '../model.js';
import type { Spec } from '../validate.js';
import { renderProductToCategory } from './categories.js';
import { body, cachedList, LIST, LIST_SORTED, need, needRef, slug } from './common.js';
import { renderProductToPropertyGroup } from './properties.js';
import { renderAttributeSet, renderCombination } from './variants.js';

export const PRODUCT_EXPANDS = [
  'attributecombinations', 'productattachments', 'productattributesets', 'productkeywords', 'productphotos',
  'productrelevant', 'productreviews', 'productshippingcosts', 'productstaggeredprices', 'producttaxtariffexceptions',
  'producttocategories', 'producttopropertygroups', 'productvariants', 'productvideos',
] as const;

/** Child collections the sandbox does not model: their links exist and they list as empty collections. */
export const EMPTY_CHILDREN = [
  'productattachments', 'productkeywords', 'productlabels', 'productphotos', 'productrelevant', 'productreviews',
  'productshippingcosts', 'productstaggeredprices', 'producttaxtariffexceptions', 'productvariations', 'productvideos',
] as const;

/** Writable fields kept in the record's `x` bag, with their GET default. */
const EXTRA_DEFAULTS: Record<string, unknown> = {
  container_deposit_price: 0, safety_deposit_price: 0, credit_points_custom: 0, maincategory: '', subcategory: '',
  meta_description: '', meta_keywords: '', page_title: '', no_index: false, no_follow: false, specs: '',
  decimal_amount: 0, minimal_order_amount: 1, show_in_template: true, show_on_beginpage: false, show_on_facebook: false,
  show_order_button: 'Y', product_layout: 1, photo_size: 'MEDIUM', hide_without_category: 'YES', memo: '',
  google_shopping_category: '', is_included_for_export_feed: true, fixed_staggered_prices: false,
};

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const bool = { type: 'bool' } as const;

export const PRODUCT_SPEC: Spec = {
  productnumber: { ...str, maxLength: 100 },
  active: bool,
  eannumber: { ...str, maxLength: 20 },
  mpnnumber: { ...str, maxLength: 100 },
  name: { ...str, maxLength: 255 },
  shortdescription: str,
  description: str,
  taxtariff: { type: { enum: TAX_TARIFFS } },
  vatrate: num,
  price: { ...num, min: 0 },
  discount: { ...num, min: 0 },
  purchaseprice: { ...num, min: 0 },
  container_deposit_price: { ...num, min: 0 },
  safety_deposit_price: { ...num, min: 0 },
  credit_points_custom: { type: 'int', min: 0 },
  unit: { ...str, maxLength: 50 },
  stockenabled: bool,
  stocktype: { type: { enum: STOCK_TYPES } },
  stock: num,
  stocklocation: { ...str, maxLength: 100 },
  ordering_without_stock: { type: { enum: ORDERING_WITHOUT_STOCK } },
  weight: { ...num, min: 0 },
  package_id: { type: 'int' },
  brand: str,
  brand_id: { type: 'int', nullable: true },
  maincategory: str,
  subcategory: str,
  decimal_amount: { type: 'int', min: 0, max: 4 },
  minimal_order_amount: { type: 'int', min: 0 },
  stock_delivery_number: { type: 'int', nullable: true, min: 0 },
  stock_delivery_type: { type: { enum: STOCK_DELIVERY_TYPES }, nullable: true },
  stock_delivery_standard: bool,
  meta_description: str,
  meta_keywords: str,
  page_title: str,
  no_index: bool,
  no_follow: bool,
  alias: str,
  specs: str,
  memo: str,
  show_in_template: bool,
  show_on_beginpage: bool,
  show_on_facebook: bool,
  show_order_button: { type: { enum: ['Y', 'QUOTATION', 'N'] } },
  product_layout: { type: 'int', min: 1, max: 4 },
  photo_size: { type: { enum: ['SMALL', 'MEDIUM', 'LARGE'] } },
  hide_without_category: { type: { enum: ['YES', 'NO_DIRECTLINK', 'NO_SEARCHRESULTS'] } },
  google_shopping_category: str,
  is_included_for_export_feed: bool,
  fixed_staggered_prices: bool,
};

const POST_REQUIRED = ['name', 'price', 'discount', 'package_id'] as const;

function tariffFromVatrate(ctx: Ctx, rate: number): TaxTariff {
  const match = (Object.entries(ctx.state.settings.tax_rates) as [TaxTariff, number][]).find(([, r]) => r === rate);
  if (!match) throw badField('vatrate', `${rate} matches no tax tariff of the shop (${Object.values(ctx.state.settings.tax_rates).join(', ')})`);
  return match[0];
}

/** Applies validated fields to a product; returns whether anything besides stock was given. */
export function applyProductFields(ctx: Ctx, p: ProductRec, b: Record<string, unknown>): { nonStock: boolean } {
  const s = ctx.state;
  let nonStock = false;
  for (const [k, v] of Object.entries(b)) {
    if (k !== 'stock') nonStock = true;
    switch (k) {
      case 'active': p.is_active = v as boolean; break;
      case 'vatrate': p.taxtariff = tariffFromVatrate(ctx, v as number); break;
      case 'package_id': p.package_id = needRef(s.packages, v, 'package_id', 'package').id; break;
      case 'brand_id': p.brand_id = v === null ? null : needRef(s.brands, v, 'brand_id', 'brand').id; break;
      case 'brand': {
        const name = (v as string).trim();
        if (name === '') { p.brand_id = null; break; }
        let brand = s.brands.all().find((x) => x.name.toLowerCase() === name.toLowerCase());
        if (!brand) brand = s.brands.insert({ id: s.brands.allocateId(), name });
        p.brand_id = brand.id;
        break;
      }
      case 'productnumber': case 'eannumber': case 'mpnnumber': case 'name': case 'shortdescription': case 'description':
      case 'taxtariff': case 'price': case 'discount': case 'purchaseprice': case 'unit': case 'stockenabled': case 'stocktype':
      case 'stock': case 'stocklocation': case 'ordering_without_stock': case 'weight': case 'stock_delivery_number':
      case 'stock_delivery_type': case 'stock_delivery_standard':
        (p as unknown as Record<string, unknown>)[k] = v;
        break;
      default:
        (p.x ??= {})[k] = v;
    }
  }
  s.products.touch();
  return { nonStock };
}

function childValue(ctx: Ctx, p: ProductRec, name: string, expand: Set<string>, only?: CombinationRec[]): unknown {
  const h = href(ctx, 'products', p.id, name);
  const s = ctx.state;
  if (name === 'attributecombinations' && only) return embedded(h, only.map((c) => renderCombination(ctx, c, new Set())));
  const pavsOf = (): ReturnType<typeof s.productAttributeValues.by> => s.productAttributeValues.by('product', p.id);
  const expandName = name === 'productvariations' ? 'productvariants' : name;
  if (!expand.has(expandName)) return { href: h };
  switch (name) {
    case 'attributecombinations': {
      const pavs = pavsOf();
      return embedded(h, s.combinations.by('product', p.id).map((c) => renderCombination(ctx, c, new Set(), pavs)));
    }
    case 'productattributesets': return embedded(h, renderAttributeSet(ctx, p.id));
    case 'producttocategories': return embedded(h, s.productToCategories.by('product', p.id).map((l) => renderProductToCategory(ctx, l)));
    case 'producttopropertygroups': return embedded(h, s.productToPropertyGroups.by('product', p.id).map((l) => renderProductToPropertyGroup(ctx, l)));
    default: return embedded(h, []);
  }
}

export function renderProduct(ctx: Ctx, p: ProductRec, expand: Set<string>, onlyCombinations?: CombinationRec[]): Record<string, unknown> {
  const s = ctx.state;
  const brand = p.brand_id === null ? undefined : s.brands.get(p.brand_id);
  const alias = (p.x?.['alias'] as string | undefined) ?? `${slug(p.name)}-${p.id}`;
  const out: Record<string, unknown> = {
    href: href(ctx, 'products', p.id),
    id: p.id,
    is_active: p.is_active,
    createdate: isoSec(p.createdate),
    modifydate: isoSec(p.modifydate),
    productnumber: p.productnumber,
    eannumber: p.eannumber,
    mpnnumber: p.mpnnumber,
    is_multishop_product: false,
    multishop_product_id: null,
    multishop_href: null,
    name: p.name,
    shortdescription: p.shortdescription,
    description: p.description,
    vatrate: s.taxRate(p),
    taxtariff: p.taxtariff,
    tradecodesystem: p.hs_code !== null || p.coo !== null
      ? { id: 1, description: 'Harmonized System', codesystem: 'HS', code: p.hs_code, coo: p.coo }
      : null,
    price: p.price,
    discount: p.discount,
    purchaseprice: p.purchaseprice,
    credit_points_calculated: 0,
    unit: p.unit,
    stockenabled: p.stockenabled,
    stocktype: p.stocktype,
    stock: p.stock,
    stocklocation: p.stocklocation,
    ordering_without_stock: p.ordering_without_stock,
    weight: p.weight,
    brand: brand ? { href: href(ctx, 'brands', brand.id), id: brand.id, name: brand.name } : null,
    condition: null,
    color: null,
    productmainphoto: null,
    alias,
    deeplink: `${ctx.origin}/nl/${alias}.html`,
    amount_sold: 0,
    stock_delivery_number: p.stock_delivery_number,
    stock_delivery_type: p.stock_delivery_type,
    stock_delivery_standard: p.stock_delivery_standard,
    marktplaats_active: false,
    package: { href: href(ctx, 'packages', p.package_id), id: p.package_id },
    supplier: null,
    is_visible: p.is_active,
    can_be_ordered: p.is_active && (!p.stockenabled || p.ordering_without_stock === 'allowed' || p.stocktype === 'attribute_combination' || p.stock > 0),
  };
  for (const [k, v] of Object.entries(EXTRA_DEFAULTS)) out[k] = p.x && k in p.x ? p.x[k] : v;
  if (p.x) for (const [k, v] of Object.entries(p.x)) if (!(k in out) || k === 'alias') out[k] = v;
  for (const name of [...EMPTY_CHILDREN, 'productattributesets', 'producttocategories', 'attributecombinations', 'producttopropertygroups']) {
    out[name] = childValue(ctx, p, name, expand, name === 'attributecombinations' ? onlyCombinations : undefined);
  }
  out['webshops'] = link(ctx, 'products', p.id, 'webshops');
  return out;
}

const PRODUCT_SORT = {
  createdate: (p: ProductRec) => p.createdate,
  id: (p: ProductRec) => p.id,
  modifydate: (p: ProductRec) => p.modifydate,
  name: (p: ProductRec) => p.name,
};

const FILTERS = [
  'productnumber', 'eannumber', 'mpnnumber', 'productname', 'minprice', 'maxprice', 'mindiscount', 'maxdiscount',
  'minsellprice', 'maxsellprice', 'stock', 'minstock', 'maxstock', 'quantity', 'color', 'active',
] as const;
const LIST_PARAMS = [...LIST_SORTED, 'expand', ...FILTERS];

function filterProducts(ctx: Ctx, items: Iterable<ProductRec>): ProductRec[] {
  const q = ctx.query;
  const productnumber = q.string('productnumber');
  const eannumber = q.string('eannumber');
  const mpnnumber = q.string('mpnnumber');
  const name = q.string('productname');
  if (name !== undefined && name.length < 3) throw badParam('productname', 'needs at least 3 characters');
  const nameLc = name?.toLowerCase();
  const minprice = q.number('minprice');
  const maxprice = q.number('maxprice');
  const mindiscount = q.number('mindiscount');
  const maxdiscount = q.number('maxdiscount');
  const minsell = q.number('minsellprice');
  const maxsell = q.number('maxsellprice');
  const stock = q.int('stock');
  const minstock = q.number('minstock');
  const maxstock = q.number('maxstock');
  q.number('quantity'); // only affects shipping-cost calculation upstream; validated, no filtering effect
  const color = q.string('color');
  if (color !== undefined && !/^(#?[0-9a-fA-F]{6}|multicolor|transparent)$/.test(color)) throw badParam('color', 'must be a hex colour, multicolor or transparent');
  const active = q.bool('active');
  const out: ProductRec[] = [];
  for (const p of items) {
    if (productnumber !== undefined && p.productnumber !== productnumber) continue;
    if (eannumber !== undefined && p.eannumber !== eannumber) continue;
    if (mpnnumber !== undefined && p.mpnnumber !== mpnnumber) continue;
    if (nameLc !== undefined && !p.name.toLowerCase().includes(nameLc)) continue;
    if (minprice !== undefined && p.price < minprice) continue;
    if (maxprice !== undefined && p.price > maxprice) continue;
    if (mindiscount !== undefined && p.discount < mindiscount) continue;
    if (maxdiscount !== undefined && p.discount > maxdiscount) continue;
    const sell = Math.round((p.price - p.discount) * 100) / 100;
    if (minsell !== undefined && sell < minsell) continue;
    if (maxsell !== undefined && sell > maxsell) continue;
    if (stock !== undefined && p.stock !== stock) continue;
    if (minstock !== undefined && p.stock < minstock) continue;
    if (maxstock !== undefined && p.stock > maxstock) continue;
    if (color !== undefined) continue; // the sandbox's products carry no colour
    if (active !== undefined && p.is_active !== active) continue;
    out.push(p);
  }
  return out;
}

function listProducts(ctx: Ctx, source: () => Iterable<ProductRec>, extraDeps: { version: number }[] = []): Result {
  const expand = ctx.query.expand(PRODUCT_EXPANDS);
  const items = cachedList(ctx, [ctx.state.products, ...extraDeps], () => sortByQuery(ctx, filterProducts(ctx, source()), PRODUCT_SORT));
  return page(ctx, items, (p) => renderProduct(ctx, p, expand));
}

function createProduct(ctx: Ctx): Result {
  const s = ctx.state;
  const b = body(ctx, PRODUCT_SPEC);
  for (const f of POST_REQUIRED) if (!(f in b)) throw badField(f, 'is required');
  if (!('taxtariff' in b) && !('vatrate' in b)) throw badField('taxtariff', "is required (or give 'vatrate')");
  if (s.webshop.product_limit >= 0 && s.products.size >= s.webshop.product_limit) {
    throw new ApiError(500, CODES.productLimit, `Product limit of ${s.webshop.product_limit} reached (webshops.product_limit_left is 0)`);
  }
  const p: ProductRec = {
    id: s.products.allocateId(), createdate: ctx.nowSec, modifydate: ctx.nowSec, is_active: true, productnumber: '',
    eannumber: '', mpnnumber: '', name: '', shortdescription: '', description: '', taxtariff: 'normal', price: 0,
    discount: 0, purchaseprice: 0, unit: 'stuk', stockenabled: true, stocktype: 'product', stock: 0, stocklocation: '',
    ordering_without_stock: 'global_setting', weight: 0, package_id: 0, brand_id: null, stock_delivery_number: null,
    stock_delivery_type: null, stock_delivery_standard: true, hs_code: null, coo: null,
  };
  applyProductFields(ctx, p, b);
  s.products.insert(p);
  ctx.effects.productCreated(p.id);
  return { status: 201, body: renderProduct(ctx, p, new Set()) };
}

function patchProduct(ctx: Ctx): Result {
  const p = need(ctx.state.products, ctx.params[0] as number, 'product');
  const b = body(ctx, PRODUCT_SPEC);
  const { nonStock } = applyProductFields(ctx, p, b);
  if (Object.keys(b).length > 0) ctx.effects.productChanged(p.id, nonStock ? 'fields' : 'stock');
  return { status: 204 };
}

function productQuery(ctx: Ctx): Result {
  const s = ctx.state;
  const q = ctx.query;
  const ean = q.string('eannumber');
  const pn = q.string('productnumber');
  const mpn = q.string('mpnnumber');
  const sku = q.string('skunumber');
  if (ean === undefined && pn === undefined && mpn === undefined && sku === undefined) {
    throw badParam('eannumber', 'or one of productnumber, mpnnumber, skunumber is required');
  }
  const hits: { p: ProductRec; only?: CombinationRec[] }[] = [];
  const comboHits = new Map<number, CombinationRec[]>();
  if (ean !== undefined || pn !== undefined || sku !== undefined) {
    for (const c of s.combinations.rows.values()) {
      if ((sku !== undefined && c.sku_number === sku) || (ean !== undefined && c.ean_number === ean) || (pn !== undefined && c.product_number === pn)) {
        const l = comboHits.get(c.product_id) ?? [];
        l.push(c);
        comboHits.set(c.product_id, l);
      }
    }
  }
  for (const p of s.products.rows.values()) {
    const only = comboHits.get(p.id);
    if (only) hits.push({ p, only });
    else if ((ean !== undefined && p.eannumber === ean) || (pn !== undefined && p.productnumber === pn) || (mpn !== undefined && p.mpnnumber === mpn)) hits.push({ p });
  }
  return page(ctx, hits, (h) => renderProduct(ctx, h.p, new Set(), h.only));
}

function emptyChild(name: string): Route {
  return {
    path: `products/:id/${name}`,
    methods: { GET: { params: LIST, run: (ctx) => { need(ctx.state.products, ctx.params[0] as number, 'product'); return page(ctx, [], (x) => x); } } },
  };
}

export const productRoutes: Route[] = [
  {
    path: 'products',
    methods: {
      GET: { params: LIST_PARAMS, run: (ctx) => listProducts(ctx, () => ctx.state.products.rows.values()) },
      POST: { run: createProduct },
    },
  },
  {
    path: 'products/:id',
    methods: {
      GET: { params: ['expand'], run: (ctx) => ({ status: 200, body: renderProduct(ctx, need(ctx.state.products, ctx.params[0] as number, 'product'), ctx.query.expand(PRODUCT_EXPANDS)) }) },
      PATCH: { run: patchProduct },
      DELETE: {
        run: (ctx) => {
          const id = ctx.params[0] as number;
          need(ctx.state.products, id, 'product');
          ctx.state.deleteProduct(id);
          ctx.effects.productDeleted(id);
          return { status: 204 };
        },
      },
    },
  },
  {
    path: 'categories/:id/products',
    methods: {
      GET: {
        params: LIST_PARAMS,
        run: (ctx) => {
          const cid = ctx.params[0] as number;
          need(ctx.state.categories, cid, 'category');
          const s = ctx.state;
          return listProducts(ctx, () => s.productToCategories.by('category', cid).map((l) => s.products.get(l.product_id)).filter((p): p is ProductRec => !!p), [s.productToCategories]);
        },
      },
    },
  },
  {
    path: 'brands/:id/products',
    methods: {
      GET: {
        params: LIST_PARAMS,
        run: (ctx) => {
          const id = ctx.params[0] as number;
          need(ctx.state.brands, id, 'brand');
          return listProducts(ctx, () => ctx.state.products.by('brand', id));
        },
      },
    },
  },
  {
    path: 'webshops/:id/products',
    methods: {
      GET: {
        params: LIST_PARAMS,
        run: (ctx) => {
          if (ctx.params[0] !== ctx.state.webshop.id) throw notFound('webshop', ctx.params[0] as number);
          return listProducts(ctx, () => ctx.state.products.rows.values());
        },
      },
    },
  },
  {
    path: 'products/:id/webshops',
    methods: {
      GET: {
        params: LIST,
        run: (ctx) => {
          need(ctx.state.products, ctx.params[0] as number, 'product');
          const w = ctx.state.webshop;
          return page(ctx, [w], () => ({ href: href(ctx, 'webshops', w.id), id: w.id, name: w.name }));
        },
      },
    },
  },
  { path: 'productqueries', methods: { GET: { params: [...LIST, 'eannumber', 'productnumber', 'mpnnumber', 'skunumber'], run: productQuery } } },
  ...EMPTY_CHILDREN.map(emptyChild),
];

export { PRODUCT_SORT };
