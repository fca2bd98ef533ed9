/**
 * CCV products → stock records: per variant its canonical key, SKU, stock figure (as CCV gives it,
 * a float) and the codes an order row can name it by. The variant keys and SKUs follow exactly the
 * rules of read/products.ts (`toProduct`): a product without option-menu attributes (or without
 * active combinations) is one variant keyed by the product id; otherwise every active attribute
 * combination is a variant `<product id>/<combination id>`; SKUs come from DEFAULT_SKU_SOURCES in
 * order (test/flows/stock/ccv-read.test.ts checks both readers agree on the sandbox catalogue).
 *
 * One request reads a product with all its combinations (`expand`), and one page request reads
 * 250 of them, so the stock of a product costs one call however many variants it has.
 */
import { createHmac } from 'node:crypto';
import { problem, recordKey, recordLabel, skuWithProblems, type Problem } from '../../../core/index.js';
import type { AcquireOptions } from '../budget.js';
import type { CcvClient } from '../client.js';
import { hashMatches } from '../sign.js';
import { DEFAULT_SKU_SOURCES, type SkuSource } from './products.js';

/** Codes an order row may carry for the variant it sold. */
export interface VariantCodes {
  /** The combination's SKU number (empty for a simple product). */
  sku: string | null;
  /** The combination's product number, or the product's number for a simple product. */
  productNumber: string | null;
  ean: string | null;
}

export interface CcvStockVariant {
  /** Canonical variant key: `555` or `555/9012` (the ledger's `variant` sourceKey). */
  key: string;
  /** Null when the variant has no usable SKU (see `problems`). */
  sku: string | null;
  /** CCV's stock figure as sent (a float: 2.5 for goods sold by weight); null when CCV sent none. */
  stock: unknown;
  combinationId: number | null;
  codes: VariantCodes;
}

export interface CcvStockRecord {
  productId: number;
  modifyDate: string;
  /** CCV keeps stock for this product (`stockenabled`); when false Koppel leaves Shopify's figure alone. */
  tracked: boolean;
  variants: CcvStockVariant[];
  /** SKU problems (missing, invalid, too long), per variant field. */
  problems: Problem[];
}

export interface CcvStockReadOptions {
  skuSources?: readonly SkuSource[];
  /** Budget priority (stock 5, reconcile 1). */
  priority?: number;
  /** Cap on this caller's share of the products GET budget (the sweep's 25 %). */
  share?: AcquireOptions['share'];
  signal?: AbortSignal;
}

interface Collection<T> { collection?: T[] }
interface RawCombination { id: number; stock: number | null; product_number: string | null; ean_number: string | null; sku_number: string | null; active: boolean }
interface RawSet { id: number; type: string }
interface RawProduct {
  id: number; modifydate: string; productnumber: string | null; eannumber: string | null; stock: number | null; stockenabled: boolean | null;
  attributecombinations?: Collection<RawCombination>; productattributesets?: Collection<RawSet>;
}

/** Both expansions decide the variants exactly like toProduct; neither costs an extra call. */
export const STOCK_EXPAND = 'attributecombinations,productattributesets';
const OPTION_MENUS = new Set(['option_menu', 'option_menu_required']);

const blankToNull = (v: string | null | undefined): string | null => (v === null || v === undefined || v.trim() === '' ? null : v);

export function toStockRecord(raw: RawProduct, skuSources: readonly SkuSource[] = DEFAULT_SKU_SOURCES): CcvStockRecord {
  const record = recordLabel('product', recordKey('ccv', raw.id));
  const problems: Problem[] = [];
  const skuFrom = (candidates: Partial<Record<SkuSource, string | null | undefined>>, field: string): string | null => {
    for (const s of skuSources) {
      const v = candidates[s];
      if (v !== undefined && v !== null && v.trim() !== '') {
        const r = skuWithProblems(v, { system: 'ccv', record, field: s === 'ean' ? field.replace(/sku$/, 'ean') : field });
        problems.push(...r.problems);
        return r.sku;
      }
    }
    problems.push(problem('SKU_MISSING', { system: 'ccv' }, { record, field }));
    return null;
  };
  const hasMenus = (raw.productattributesets?.collection ?? []).some((s) => OPTION_MENUS.has(s.type));
  const combos = (raw.attributecombinations?.collection ?? []).filter((c) => c.active !== false);
  const variants: CcvStockVariant[] = [];
  if (!hasMenus || combos.length === 0) {
    variants.push({
      key: String(raw.id),
      sku: skuFrom({ productnumber: raw.productnumber ?? undefined, ean: raw.eannumber ?? undefined }, 'productnumber'),
      stock: raw.stock,
      combinationId: null,
      codes: { sku: null, productNumber: blankToNull(raw.productnumber), ean: blankToNull(raw.eannumber) },
    });
  } else {
    for (const c of combos) {
      variants.push({
        key: `${raw.id}/${c.id}`,
        sku: skuFrom(
          { sku_number: c.sku_number ?? undefined, product_number: c.product_number ?? undefined, productnumber: combos.length === 1 ? (raw.productnumber ?? undefined) : undefined, ean: c.ean_number ?? undefined },
          `combination ${c.id} sku`,
        ),
        stock: c.stock,
        combinationId: c.id,
        codes: { sku: blankToNull(c.sku_number), productNumber: blankToNull(c.product_number), ean: blankToNull(c.ean_number) },
      });
    }
  }
  return { productId: raw.id, modifyDate: raw.modifydate, tracked: raw.stockenabled === true, variants, problems };
}

/** One product's stock (after a sale, a webhook); undefined when CCV no longer has the product. */
export async function readCcvStockProduct(client: CcvClient, productId: number, opts: CcvStockReadOptions = {}): Promise<CcvStockRecord | undefined> {
  try {
    const raw = await client.get<RawProduct>(`products/${productId}`, { query: { expand: STOCK_EXPAND }, priority: opts.priority ?? 5, share: opts.share, signal: opts.signal });
    return toStockRecord(raw, opts.skuSources);
  } catch (e) {
    if ((e as { errorClass?: string }).errorClass === 'not_found') return undefined;
    throw e;
  }
}

export interface CcvStockPage {
  records: CcvStockRecord[];
  /** Offset of the next page, or null after the last one. */
  next: number | null;
}

/**
 * One page of the catalogue in id order (the sweep and the reconcile walk it page by page and
 * keep the offset as their cursor). Offsets shift when products are deleted meanwhile; a product
 * skipped that way is read on the next pass.
 */
export async function readCcvStockPage(client: CcvClient, start: number, opts: CcvStockReadOptions & { size?: number } = {}): Promise<CcvStockPage> {
  const size = opts.size ?? 250;
  const page = await client.get<{ items: RawProduct[]; next: string | null }>('products', {
    query: { expand: STOCK_EXPAND, orderby: 'id', start, size },
    priority: opts.priority ?? 1,
    share: opts.share,
    signal: opts.signal,
  });
  if (!Array.isArray(page.items)) throw new Error('CCV GET products: expected a collection with items');
  return { records: page.items.map((r) => toStockRecord(r, opts.skuSources)), next: page.next ? start + page.items.length : null };
}

/**
 * Products changed since `since` (CCV `modifydate`, inclusive), newest first, with their stock.
 * Stops at the first older product; at most `maxPages` pages per call (the rest comes next time,
 * because the cursor only moves to what was read).
 */
export async function* readCcvStockChangedSince(client: CcvClient, since: string, opts: CcvStockReadOptions & { size?: number; maxPages?: number } = {}): AsyncGenerator<CcvStockRecord> {
  let start = 0;
  const size = opts.size ?? 50;
  for (let pageNo = 0; pageNo < (opts.maxPages ?? 5); pageNo++) {
    const page = await client.get<{ items: RawProduct[]; next: string | null }>('products', {
      query: { expand: STOCK_EXPAND, orderby: 'modifydate_desc', start, size },
      priority: opts.priority ?? 5,
      share: opts.share,
      signal: opts.signal,
    });
    for (const raw of page.items) {
      if (raw.modifydate < since) return;
      yield toStockRecord(raw, opts.skuSources);
    }
    if (!page.next || page.items.length === 0) return;
    start += page.items.length;
  }
}

/** The newest `modifydate` in the shop (the delta's starting point on first use). */
export async function readCcvNewestModifyDate(client: CcvClient, opts: CcvStockReadOptions = {}): Promise<string | null> {
  const page = await client.get<{ items: Array<{ modifydate: string }> }>('products', { query: { orderby: 'modifydate_desc', size: 1 }, priority: opts.priority ?? 5, signal: opts.signal });
  return page.items[0]?.modifydate ?? null;
}

// ── product webhooks ────────────────────────────────────────────────────────────────────────

export interface ProductWebhook {
  productId: number;
  /** `products.updated`, `products.created` or `products.deleted`. */
  event: string;
}

/**
 * Checks a CCV webhook delivery. CCV does not document the signature; the reference infers (and
 * the sandbox implements) `x-hash` = lowercase hex HMAC-SHA512(webhook key, address + "|" + raw body).
 */
export function verifyCcvWebhook(key: string, address: string, rawBody: string, received: string | null | undefined): boolean {
  return hashMatches(createHmac('sha512', key).update(`${address}|${rawBody}`, 'utf8').digest('hex'), received);
}

/** The signature a CCV webhook delivery carries (the `x-hash` header), for verifyCcvWebhook. */
export function ccvWebhookSignature(headers: Headers): string | null {
  return headers.get('x-hash');
}

/** The CCV events that tell Koppel a product changed. */
export const CCV_PRODUCT_EVENTS = ['products.created', 'products.updated', 'products.deleted'] as const;

/** The product a `products.*` delivery is about; undefined when the body is not one. */
export function parseProductWebhook(rawBody: string): ProductWebhook | undefined {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return undefined;
  }
  const b = body as { id?: unknown; event?: unknown };
  const id = typeof b.id === 'number' ? b.id : typeof b.id === 'string' && /^\d+$/.test(b.id) ? Number(b.id) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0 || typeof b.event !== 'string' || !b.event.startsWith('products.')) return undefined;
  return { productId: id, event: b.event };
}
