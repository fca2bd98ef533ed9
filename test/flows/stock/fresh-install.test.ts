/**
 * A fresh install with the products and stock flows on: Shopify is empty, so until the products flow
 * has completed its first sync the stock flow leaves unlinked variants to it (no SKU searches, no
 * "unknown SKU" problems); the products run then queues a stock pass that brings CCV's stock over.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { stockSettings } from '../../../src/config/stock.js';
import { createRuntime } from '../../../src/engine/runtime/index.js';
import { productsFlow } from '../../../src/flows/products/index.js';
import { stockFlow } from '../../../src/flows/stock/index.js';
import { FlowRun } from '../../../src/flows/run.js';
import { LazyRun } from '../../../src/flows/stock/lazy-run.js';
import { StockService } from '../../../src/flows/stock/service.js';
import { createLogger } from '../../../src/obs/log.js';
import { dialectCases } from '../../support/db.js';
import { countOps, createWorld, type World } from './support.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'info', destination: new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); cb(); } }) });
  return { lines, logger };
}

describe('stock on a fresh install, with the products flow on', () => {
  it('waits for the products flow (no searches, nothing quarantined), then the products run brings the stock over', async () => {
    const log = capture();
    const w: World = await createWorld({ products: 30, seedShopify: false, logger: log.logger });
    cleanup.push(() => w.close());
    (w.config.flows.products as { enabled: boolean }).enabled = true;
    const tracked = w.catalogue.filter((r) => r.tracked).flatMap((r) => r.variants).filter((v) => v.sku !== null);
    expect(tracked.length).toBeGreaterThan(20);

    // A pass before the products flow has run (what `koppel start` queues at once).
    const svc = new StockService(w.env, stockSettings(w.config.flows));
    for (const mode of ['state', 'reconcile'] as const) {
      const run = new LazyRun(w.env, { flow: 'stock', direction: 'ccv_to_shopify', trigger: 'startup', jobId: `j-${mode}` }, true);
      const t = await svc.fullPass({ jobId: crypto.randomUUID(), trigger: 'startup', run, mode });
      const rec = (await run.finish())!;
      expect(t.awaitingProducts).toBe(tracked.length);
      expect(t.problems).toBe(0);
      expect(rec.counts).toMatchObject({ quarantined: 0, updated: 0 });
      expect(rec.counts.skipped).toBeGreaterThanOrEqual(tracked.length);
    }
    expect(countOps(w.calls).StockVariantsBySkus ?? 0).toBe(0);
    // No activity row for any of them (untracked products are said once, as always).
    const rows = (await w.env.activity.query({ flow: 'stock', limit: 500 })).items;
    expect(rows.filter((r) => r.action === 'quarantined' || tracked.some((v) => v.key === r.sourceKey))).toEqual([]);
    // Their inputs are kept (explain shows them), without a problem.
    const state = await svc.state.variants(tracked.map((v) => v.key));
    expect(state.size).toBe(tracked.length);
    expect([...state.values()].filter((r) => r.problem_code !== null)).toEqual([]);
    // Said once per pass, not per variant.
    const waits = log.lines.filter((l) => typeof l.msg === 'string' && l.msg.includes('left for the products flow'));
    expect(waits.map((l) => [l.mode, l.variants])).toEqual([['state', tracked.length], ['reconcile', tracked.length]]);

    // Now the flows on the job runtime: the products run creates the catalogue and queues the stock pass.
    const runtime = createRuntime(w.store, { pollIntervalMs: 20, scheduleTickMs: 50 });
    productsFlow.define(runtime, w.env);
    stockFlow.define(runtime, w.env);
    await runtime.start();
    cleanup.push(() => runtime.stop({ graceMs: 2000 }));
    w.calls.length = 0;
    const products = await productsFlow.enqueue!(runtime, { mode: 'delta', trigger: 'startup' });
    expect((await runtime.waitFor(products.id, { timeoutMs: 20_000 })).state).toBe('completed');
    expect((await w.env.runs.byJob(products.id))!.counts.created).toBeGreaterThan(20);
    const stockRun = await until('the stock pass the products run queued', async () => (await w.env.runs.list({ flow: 'stock' })).items.find((r) => r.trigger === 'products' && r.status !== 'running'));
    expect(stockRun.status).toBe('succeeded');
    expect(stockRun.counts.updated).toBeGreaterThan(tracked.length / 2);
    // Every variant is linked by the products flow, so the stock flow searched nothing.
    expect(countOps(w.calls).StockVariantsBySkus ?? 0).toBe(0);
    for (const v of tracked) {
      const link = await w.env.ledger.bySource(w.env.pair, 'variant', v.key);
      expect(link, v.sku!).toBeDefined();
      w.items.set(v.sku!, link!.refs.inventoryItem!);
      // Not stocked at the location counts as 0 (nothing to write for a 0).
      expect(w.available(v.sku!) ?? 0, v.sku!).toBe(Math.max(0, Math.floor(w.ccvStock(v.key))));
    }
    const journal = (await w.env.activity.query({ flow: 'stock', key: tracked[0]!.key, limit: 5 })).items;
    expect(journal[0]!.message).toMatch(/^products: onHand - reserved - buffer = /);
  });

  for (const dialect of dialectCases()) it.skipIf(dialect.skip)(`counts a products run that finished with failed records (partial, no checkpoint) as done; a dry run does not [${dialect.name}]`, async () => {
    const w: World = await createWorld({ products: 12, dialect: dialect.name });
    cleanup.push(() => w.close());
    (w.config.flows.products as { enabled: boolean }).enabled = true;
    await w.env.store.db.deleteFrom('ledger_link').where('pair', '=', w.env.pair).where('entity', '=', 'variant').execute();
    const pass = async (svc: StockService) => {
      const run = new LazyRun(w.env, { flow: 'stock', direction: 'ccv_to_shopify', trigger: 'manual', jobId: crypto.randomUUID() });
      const t = await svc.fullPass({ jobId: crypto.randomUUID(), trigger: 'manual', run, mode: 'state' });
      await run.finish();
      return t;
    };
    const dry = await w.env.runs.start({ flow: 'products', trigger: 'manual', dryRun: true });
    await dry.finish();
    w.calls.length = 0;
    expect((await pass(new StockService(w.env, stockSettings(w.config.flows)))).awaitingProducts).toBeGreaterThan(0);
    expect(countOps(w.calls).StockVariantsBySkus ?? 0).toBe(0);

    const partial = await w.env.runs.start({ flow: 'products', trigger: 'schedule' });
    await partial.finish({ status: 'partial' });
    const t = await pass(new StockService(w.env, stockSettings(w.config.flows)));
    expect(t.awaitingProducts).toBe(0);
    expect(countOps(w.calls).StockVariantsBySkus).toBeGreaterThan(0);
    expect(t.written).toBeGreaterThan(0);
  });

  it('a variant of a product the products flow quarantined names that cause, not just "unknown in Shopify"', async () => {
    const w: World = await createWorld({ products: 12, seedShopify: false });
    cleanup.push(() => w.close());
    (w.config.flows.products as { enabled: boolean }).enabled = true;
    await w.env.checkpoints.commit({ flow: 'products', stream: 'ccv.products', cursor: '2020-01-01T00:00:00Z' });
    const tracked = w.catalogue.filter((r) => r.tracked && r.variants.some((v) => v.sku !== null));
    const [refused, other] = [tracked[0]!, tracked[1]!];
    const products = await FlowRun.start(w.env, { flow: 'products', direction: 'ccv_to_shopify', trigger: 'manual' });
    await products.record({ action: 'quarantined', entity: 'product', sourceKey: String(refused.productId), error: { code: 'PRODUCT_TOO_MANY_OPTIONS', message: 'CCV product has 4 option attributes; Shopify allows 3', hint: 'remove an option attribute in CCV' } });
    await products.finish();

    const run = new LazyRun(w.env, { flow: 'stock', direction: 'ccv_to_shopify', trigger: 'manual', jobId: crypto.randomUUID() });
    await new StockService(w.env, stockSettings(w.config.flows)).fullPass({ jobId: crypto.randomUUID(), trigger: 'manual', run, mode: 'state' });
    await run.finish();
    const rows = (await w.env.activity.query({ flow: 'stock', outcome: 'quarantined', limit: 500 })).items;
    const of = (productId: number) => rows.filter((r) => r.sourceKey?.split('/')[0] === String(productId));
    expect(of(refused.productId).length).toBeGreaterThan(0);
    for (const r of of(refused.productId)) {
      expect(r.message).toContain(`the products flow did not create CCV product ${refused.productId} (PRODUCT_TOO_MANY_OPTIONS: CCV product has 4 option attributes`);
      expect(r.hint).toMatch(/^remove an option attribute in CCV; the stock follows/);
    }
    expect(of(other.productId).length).toBeGreaterThan(0);
    for (const r of of(other.productId)) expect(r.message).toMatch(/no Shopify variant has exactly this SKU/);
  });
});
