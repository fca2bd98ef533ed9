/**
 * Who is who between CCV and Shopify for products that the ledger does not know yet: match by SKU
 * against Shopify's catalogue, and refuse ambiguous matches (a CCV product whose SKUs are spread
 * over several Shopify products, or a Shopify product with variants CCV does not have).
 */
import { problem, recordLabel, shortId, type Problem, type Product } from '../../core/index.js';
import type { QueryResult, ShopifyClient } from '../../connectors/shopify/client.js';
import type { ProductVariantsPageData } from '../../connectors/shopify/documents.types.js';
import { listCatalogVariants, type CatalogVariant } from '../../connectors/shopify/products.js';
import * as docs from '../../connectors/shopify/documents.js';

export interface ShopifyMatch {
  productId: string;
  /** Canonical variant key → Shopify variant GID. */
  variantIds: Map<string, string>;
}

export type MatchResult =
  | { kind: 'none' }
  | { kind: 'match'; match: ShopifyMatch }
  | { kind: 'conflict'; problem: Problem };

/** The whole Shopify catalogue by SKU, built once for the first sync into a store (the linking report). */
export class CatalogIndex {
  readonly bySku = new Map<string, CatalogVariant[]>();
  readonly byProduct = new Map<string, CatalogVariant[]>();
  /** Shopify products matched (or claimed) by a CCV product in this run. */
  readonly claimed = new Set<string>();
  variants = 0;

  add(v: CatalogVariant): void {
    this.variants++;
    const list = this.byProduct.get(v.productId) ?? [];
    list.push(v);
    this.byProduct.set(v.productId, list);
    if (v.sku !== null) {
      const s = this.bySku.get(v.sku) ?? [];
      s.push(v);
      this.bySku.set(v.sku, s);
    }
  }

  static async load(client: ShopifyClient, signal?: AbortSignal): Promise<CatalogIndex> {
    const idx = new CatalogIndex();
    for await (const v of listCatalogVariants(client, { signal })) idx.add(v);
    return idx;
  }

  get products(): number {
    return this.byProduct.size;
  }
}

/**
 * Matches one CCV product against Shopify variants found for its SKUs. `variantsOf` gives all
 * variants of a Shopify product (to check the structure).
 */
export function matchBySku(p: Product, found: ReadonlyMap<string, readonly CatalogVariant[]>, variantsOf: (productId: string) => readonly CatalogVariant[]): MatchResult {
  const record = recordLabel('product', p.key);
  const skus = p.variants.map((v) => v.sku).filter((s): s is string => s !== null);
  const hits = skus.flatMap((s) => (found.get(s) ?? []).map((v) => ({ sku: s, v })));
  if (hits.length === 0) return { kind: 'none' };
  const dupes = skus.filter((s) => (found.get(s)?.length ?? 0) > 1);
  if (dupes.length) {
    const owners = [...new Set(dupes.flatMap((s) => found.get(s)!.map((v) => `product ${shortId(v.productId)}`)))];
    return { kind: 'conflict', problem: problem('SKU_DUPLICATE', { sku: dupes[0]!, system: 'shopify', owners }, { record, field: 'sku' }) };
  }
  const products = [...new Set(hits.map((h) => h.v.productId))];
  const targetLabel = products.length === 1 ? `Shopify product ${shortId(products[0]!)}` : `Shopify products ${products.map(shortId).join(', ')}`;
  if (products.length > 1) {
    return { kind: 'conflict', problem: problem('LINK_CONFLICT', { skus: hits.map((h) => h.sku), reason: 'those SKUs belong to different Shopify products', target: targetLabel }, { record, field: 'sku' }) };
  }
  const productId = products[0]!;
  const theirs = variantsOf(productId);
  const ours = new Set(skus);
  const extra = theirs.filter((v) => v.sku === null || !ours.has(v.sku)).map((v) => v.sku ?? '(no SKU)');
  const missing = skus.filter((s) => !theirs.some((v) => v.sku === s));
  if (extra.length || missing.length) {
    const reason = extra.length
      ? `the Shopify product also has variant${extra.length === 1 ? '' : 's'} ${extra.slice(0, 5).join(', ')} that this CCV product does not have`
      : `the Shopify product lacks variant${missing.length === 1 ? '' : 's'} ${missing.slice(0, 5).join(', ')}`;
    return { kind: 'conflict', problem: problem('LINK_CONFLICT', { skus: hits.map((h) => h.sku).slice(0, 10), reason, target: targetLabel }, { record, field: 'variants' }) };
  }
  const variantIds = new Map<string, string>();
  for (const v of p.variants) {
    const hit = v.sku ? theirs.find((t) => t.sku === v.sku) : undefined;
    if (hit) variantIds.set(v.key.id, hit.variantId);
  }
  return { kind: 'match', match: { productId, variantIds } };
}

/** One search for all SKUs of a product (`sku:"A" OR sku:"B"`), exact matches only (search is fuzzy). */
export async function findBySkus(client: ShopifyClient, skus: readonly string[], signal?: AbortSignal): Promise<Map<string, CatalogVariant[]>> {
  const out = new Map<string, CatalogVariant[]>();
  const wanted = new Set(skus);
  for (let i = 0; i < skus.length; i += 25) {
    const chunk = skus.slice(i, i + 25);
    const query = chunk.map((s) => `sku:${JSON.stringify(s)}`).join(' OR ');
    const r = await client.query(docs.VariantsBySku, { query, first: Math.min(250, chunk.length * 4) }, { lane: 'products', signal });
    for (const n of r.data.productVariants.nodes) {
      if (n.sku === null || !wanted.has(n.sku)) continue;
      const list = out.get(n.sku) ?? [];
      if (!list.some((x) => x.variantId === n.id)) {
        list.push({ variantId: n.id, sku: n.sku, optionValues: n.selectedOptions, productId: n.product.id, productHandle: n.product.handle, productTitle: n.product.title });
      }
      out.set(n.sku, list);
    }
  }
  return out;
}

/** All variants of one Shopify product, as catalogue entries. */
export async function variantsOfProduct(client: ShopifyClient, productId: string, signal?: AbortSignal): Promise<CatalogVariant[]> {
  const out: CatalogVariant[] = [];
  let after: string | null = null;
  do {
    const r: QueryResult<ProductVariantsPageData> = await client.query(docs.ProductVariantsPage, { id: productId, first: 100, after }, { lane: 'products', signal });
    const p = r.data.product;
    if (!p) break;
    for (const n of p.variants.nodes) out.push({ variantId: n.id, sku: n.sku, optionValues: n.selectedOptions, productId, productHandle: '', productTitle: '' });
    after = p.variants.pageInfo.hasNextPage ? p.variants.pageInfo.endCursor : null;
  } while (after);
  return out;
}
