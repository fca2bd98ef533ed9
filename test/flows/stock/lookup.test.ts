/**
 * Finding the Shopify item of unlinked SKUs: in batched searches (⌈n / 40⌉ queries for a page, not
 * one per SKU), exact and case-sensitive, complete even when near matches fill the result pages; and
 * on a fresh install nothing at all until the products flow has completed its first sync.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { stockSettings } from '../../../src/config/stock.js';
import * as docs from '../../../src/connectors/shopify/documents.js';
import { findItemsBySkus, SKU_BATCH, skuSearchTerm } from '../../../src/connectors/shopify/inventory.js';
import { LazyRun } from '../../../src/flows/stock/lazy-run.js';
import { StockService } from '../../../src/flows/stock/service.js';
import { countOps, createWorld, seedShopify, type World, type WorldOptions } from './support.js';

let worlds: World[] = [];
let runs: LazyRun[] = [];
afterEach(async () => {
  runs = [];
  for (const w of worlds) await w.close();
  worlds = [];
});

async function setup(o: WorldOptions = {}) {
  const w = await createWorld(o);
  worlds.push(w);
  const svc = new StockService(w.env, stockSettings(w.config.flows));
  let n = 0;
  const op = (trigger: string, extra: { dryRun?: boolean } = {}) => {
    const jobId = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    const run = new LazyRun(w.env, { flow: 'stock', direction: 'ccv_to_shopify', trigger, jobId });
    runs.push(run);
    return { jobId, trigger, run, dryRun: extra.dryRun ?? false };
  };
  return { w, svc, op };
}

const activity = async (w: World) => {
  for (const r of runs.splice(0)) await r.finish();
  return (await w.env.activity.query({ flow: 'stock', limit: 1000 })).items;
};

/** A Shopify product with these variant SKUs (not linked in the ledger: someone else made it). */
async function shopifyProduct(w: World, handle: string, skus: readonly string[]): Promise<string[]> {
  const res = await w.shopify.mutate(docs.ProductSetSync, {
    identifier: { handle },
    input: {
      title: handle, handle, status: 'ACTIVE',
      productOptions: [{ name: 'Variant', position: 1, values: skus.map((_, i) => ({ name: `v${i}` })) }],
      variants: skus.map((sku, i) => ({ optionValues: [{ optionName: 'Variant', name: `v${i}` }], sku, price: '1.00', inventoryItem: { tracked: true } })),
    },
  }, { lane: 'products', retrySafe: true });
  if (!res.ok) throw new Error(`product ${handle}: ${JSON.stringify(res.userErrors)}`);
  return res.data.productSet!.product!.variants.nodes.map((v) => v.id);
}

async function unlinkAll(w: World): Promise<void> {
  await w.env.store.db.deleteFrom('ledger_link').where('pair', '=', w.env.pair).where('entity', '=', 'variant').execute();
}

describe('stock: batched SKU lookups', () => {
  it('a page of unlinked SKUs costs ⌈n/40⌉ searches; exact case; an unknown and an ambiguous SKU are reported once', async () => {
    const { w, svc, op } = await setup({ products: 60, seedShopify: false });
    // Variants whose stock CCV keeps (the others are left alone, never looked up).
    const variants = w.catalogue.filter((r) => r.tracked).flatMap((r) => r.variants).filter((v) => v.sku !== null);
    const keys = new Set(variants.map((v) => v.key));
    // Two SKUs are not seeded: Shopify has one only in other letters' case, the other twice.
    const [lower, twice] = [variants[5]!, variants[11]!];
    await seedShopify(w.env, w.catalogue, w.locationId, 1000, (s) => s === lower.sku || s === twice.sku, w.skus, w.items);
    await shopifyProduct(w, 'other-case', [lower.sku!.toLowerCase()]);
    await shopifyProduct(w, 'twice-a', [twice.sku!]);
    await shopifyProduct(w, 'twice-b', [twice.sku!]);
    await unlinkAll(w);

    const n = new Set(variants.map((v) => v.sku)).size;
    expect(n).toBeGreaterThan(SKU_BATCH * 2); // three batches at least
    const linked = [...w.skus].filter(([key]) => keys.has(key));
    expect(n).toBe(linked.length + 2);
    w.calls.length = 0;
    const first = await svc.fullPass({ ...op('manual'), mode: 'state' });
    expect(countOps(w.calls).StockVariantsBySkus).toBe(Math.ceil(n / SKU_BATCH));
    expect(countOps(w.calls).VariantsBySku ?? 0).toBe(0);
    // Every other SKU is linked to its own item and its stock pushed.
    for (const [key, sku] of linked) expect(await w.env.ledger.bySource(w.env.pair, 'variant', key), sku).toMatchObject({ sku, refs: { inventoryItem: w.items.get(sku) } });
    for (const [key, sku] of linked) expect(w.available(sku), sku).toBe(Math.max(0, Math.floor(w.ccvStock(key))));
    expect(first.problems).toBe(2);

    const quarantined = (await activity(w)).filter((r) => r.action === 'quarantined');
    expect(quarantined.map((r) => [r.sourceKey, r.errorCode]).sort()).toEqual([[lower.key, 'STOCK_SKU_UNKNOWN'], [twice.key, 'STOCK_SKU_AMBIGUOUS']].sort());
    expect(quarantined.find((r) => r.sourceKey === twice.key)!.message).toMatch(/is on 2 Shopify variants/);
    expect(await w.env.ledger.bySource(w.env.pair, 'variant', lower.key)).toBeUndefined();

    // A reconcile looks the two up again (one search) and reports neither a second time.
    w.calls.length = 0;
    const again = await svc.fullPass({ ...op('reconcile'), mode: 'reconcile' });
    expect(countOps(w.calls).StockVariantsBySkus).toBe(1);
    expect(again.problems).toBe(2);
    expect((await activity(w)).filter((r) => r.action === 'quarantined')).toHaveLength(2); // still the first two
    // A pass against what Koppel last pushed does not search at all.
    w.calls.length = 0;
    await svc.fullPass({ ...op('manual'), mode: 'state' });
    expect(countOps(w.calls).StockVariantsBySkus ?? 0).toBe(0);
  });

  it('a dry run looks up in batches but links nothing', async () => {
    const { w, svc, op } = await setup({ products: 20 });
    await unlinkAll(w);
    w.calls.length = 0;
    const plan = await svc.fullPass({ ...op('manual', { dryRun: true }), mode: 'state' });
    const n = new Set(w.catalogue.filter((r) => r.tracked).flatMap((r) => r.variants).map((v) => v.sku).filter((x) => x !== null)).size;
    expect(n).toBeGreaterThan(SKU_BATCH);
    expect(countOps(w.calls).StockVariantsBySkus).toBe(Math.ceil(n / SKU_BATCH));
    expect(plan.planned.length).toBeGreaterThan(0);
    expect(await w.env.ledger.count(w.env.pair, 'variant')).toBe(0);
  });
});

describe('stock: a batch whose result pages are full', () => {
  it('pages on with the cursor: a SKU many Shopify SKUs contain does not hide the others', async () => {
    const { w, svc, op } = await setup({ products: 30 });
    const tracked = w.catalogue.filter((r) => r.tracked).flatMap((r) => r.variants).filter((v) => v.sku !== null);
    const noisy = tracked[0]!.sku!;
    // 150 Shopify variants whose SKU contains the noisy one: its search alone fills a first page of 100.
    await shopifyProduct(w, 'near-matches', Array.from({ length: 150 }, (_, i) => `${noisy}-${i + 1}`));
    await unlinkAll(w);
    const n = new Set(tracked.map((v) => v.sku)).size;
    w.calls.length = 0;
    await svc.fullPass({ ...op('manual'), mode: 'state' });
    const searches = w.calls.filter((c) => c.op === 'StockVariantsBySkus');
    expect(searches.filter((c) => c.variables?.after == null)).toHaveLength(Math.ceil(n / SKU_BATCH));
    expect(searches.filter((c) => c.variables?.after != null).length).toBeGreaterThan(0);
    for (const v of tracked) expect(await w.env.ledger.bySource(w.env.pair, 'variant', v.key), v.sku!).toMatchObject({ sku: v.sku, refs: { inventoryItem: w.items.get(v.sku!) } });
    expect((await activity(w)).filter((r) => r.action === 'quarantined')).toEqual([]);
  });

  it('a batch past its page limit is searched SKU by SKU; only a single SKU past its own limit is called truncated', async () => {
    const { w } = await setup({ products: 1, seedShopify: false });
    // Near matches of A first (lower ids), then the exact SKUs: A's exact variant lies beyond the near matches.
    await shopifyProduct(w, 'near-a', Array.from({ length: 7 }, (_, i) => `A-${i + 1}`));
    const [a] = await shopifyProduct(w, 'a', ['A']);
    const [b1, b2] = await Promise.all([shopifyProduct(w, 'b1', ['B-x']), shopifyProduct(w, 'b2', ['B-x'])]);
    const [c] = await shopifyProduct(w, 'c', ['c"q\\z']);
    await shopifyProduct(w, 'd', ['d']); // only in other case than the wanted `D`
    const wanted = ['A', 'B-x', 'c"q\\z', 'D', 'E'];
    const sizes = { batch: 5, firstPage: 2, nextPage: 2, batchMaxPages: 2, singleMaxPages: 10 };
    w.calls.length = 0;
    const r = await findItemsBySkus(w.shopify, wanted, { sizes });
    const summary = (m: typeof r) => Object.fromEntries([...m].map(([sku, x]) => [sku, { ids: x.matches.map((y) => y.variantId).sort(), truncated: x.truncated }]));
    expect(summary(r)).toEqual({
      A: { ids: [a], truncated: false },
      'B-x': { ids: [b1![0], b2![0]].sort(), truncated: false },
      'c"q\\z': { ids: [c], truncated: false },
      D: { ids: [], truncated: false },
      E: { ids: [], truncated: false },
    });
    // The batch gave up after 2 pages; then one search per SKU, paged to its end.
    const queries = w.calls.filter((x) => x.op === 'StockVariantsBySkus').map((x) => x.variables!.query as string);
    expect(queries.slice(0, 2)).toEqual([wanted.map(skuSearchTerm).join(' OR '), wanted.map(skuSearchTerm).join(' OR ')]);
    expect(new Set(queries.slice(2))).toEqual(new Set(wanted.map(skuSearchTerm)));
    // The same answer as with the default sizes, which need one search.
    w.calls.length = 0;
    expect(summary(await findItemsBySkus(w.shopify, wanted))).toEqual(summary(r));
    expect(w.calls).toHaveLength(1);
    // One SKU whose own search runs past its limit: not a confident "unknown".
    const cut = await findItemsBySkus(w.shopify, ['A'], { sizes: { ...sizes, singleMaxPages: 2 } });
    expect(cut.get('A')).toEqual({ matches: [], truncated: true });
  });

  it('quotes a SKU as a search phrase, escaping quotes and backslashes', () => {
    expect(skuSearchTerm('SC-1')).toBe('sku:"SC-1"');
    expect(skuSearchTerm('a"b\\c d')).toBe('sku:"a\\"b\\\\c d"');
  });
});
