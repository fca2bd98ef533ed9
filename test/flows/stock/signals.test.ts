/** CCV-side signals of the stock flow: the reader's keys and SKUs, product webhooks, reservations, the sweep's bound. */
import { afterEach, describe, expect, it } from 'vitest';
import { stockSettings } from '../../../src/config/stock.js';
import { loadPropertyCatalog, toProduct } from '../../../src/connectors/ccv/read/products.js';
import { readShopInfo } from '../../../src/connectors/ccv/read/shop.js';
import { WebhookInbox } from '../../../src/engine/inbox.js';
import { createRuntime } from '../../../src/engine/runtime/index.js';
import type { EnqueueOptions, JobData, JobRuntime } from '../../../src/engine/runtime/port.js';
import { defineStockJobs, JOBS, receiveCcvProductWebhook, sweepBound } from '../../../src/flows/stock/index.js';
import { sweepInterval } from '../../../src/flows/stock/service.js';
import { createFlowEnv } from '../../../src/flows/env.js';
import { LazyRun } from '../../../src/flows/stock/lazy-run.js';
import { StockService } from '../../../src/flows/stock/service.js';
import { explainStock } from '../../../src/flows/stock/explain.js';
import { createWorld, type World, type WorldOptions } from './support.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function world(o: WorldOptions): Promise<World> {
  const w = await createWorld(o);
  cleanup.push(() => w.close());
  return w;
}

function op(w: World, trigger: string) {
  const jobId = crypto.randomUUID();
  const run = new LazyRun(w.env, { flow: 'stock', direction: 'ccv_to_shopify', trigger, jobId });
  cleanup.push(async () => void (await run.finish()));
  return { jobId, trigger, run };
}

describe('the CCV stock reader', () => {
  it('keys variants and picks SKUs exactly like the products reader, also on dirty data', async () => {
    const w = await world({ products: 120, seed: 4, dirty: true, seedShopify: false });
    const shop = await readShopInfo(w.ccvClient);
    const props = await loadPropertyCatalog(w.ccvClient);
    const raw = (await w.ccvClient.get<{ items: Parameters<typeof toProduct>[0][] }>('products', { query: { size: 250, orderby: 'id', expand: 'attributecombinations,productattributesets,producttocategories,producttopropertygroups' } })).items;
    let compared = 0;
    for (const r of raw) {
      const full = toProduct(r, { shop }, props);
      if (!full.product) continue;
      const stock = w.catalogue.find((c) => c.productId === r.id)!;
      expect(stock.variants.map((v) => [v.key, v.sku]), `product ${r.id}`).toEqual(full.product.variants.map((v) => [v.key.id, v.sku]));
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
    expect(w.catalogue.some((c) => c.problems.length > 0)).toBe(true); // the dirty data has SKU problems
  });
});

describe('CCV product webhooks', () => {
  it('verify, deduplicate and enqueue a coalescing refresh that updates Shopify', async () => {
    const delivered: Array<{ body: string; hash: string | null; address: string }> = [];
    const capture = (async (url: string | URL | Request, init?: RequestInit) => {
      delivered.push({ body: String(init?.body), hash: new Headers(init?.headers).get('x-hash'), address: String(url) });
      return new Response('ok');
    }) as typeof fetch;
    const w = await world({ products: 10, ccv: { stockChangeFiresWebhook: true, fetch: capture } });
    const address = 'https://koppel.example.nl/webhooks/ccv';
    const hook = await w.ccvClient.post<{ key: string }>('webhooks', { event: 'products.updated', address });
    const runtime = createRuntime(w.store, { pollIntervalMs: 20 });
    const svc = defineStockJobs(runtime, w.env);
    await svc.fullPass({ ...op(w, 'reconcile'), mode: 'reconcile' });
    const inbox = new WebhookInbox(w.store.db, runtime);

    const [key, sku] = [...w.skus].find(([k]) => !k.includes('/'))!;
    w.setStock({ sku, stock: 42 });
    await w.ccvCore.deliverWebhooks();
    expect(delivered).toHaveLength(1);
    const d = { rawBody: delivered[0]!.body, hash: delivered[0]!.hash, address, keys: ['an-old-key', hook!.key] };
    const first = await receiveCcvProductWebhook(inbox, d);
    expect(first).toMatchObject({ status: 'accepted' });
    // A re-delivery joins the refresh that is still waiting.
    expect(await receiveCcvProductWebhook(inbox, d)).toMatchObject({ status: 'accepted', jobId: (first as { jobId: string }).jobId });
    expect(await receiveCcvProductWebhook(inbox, { ...d, hash: 'ab'.repeat(64) })).toEqual({ status: 'rejected', reason: 'signature' });
    expect(await receiveCcvProductWebhook(inbox, { ...d, address: 'https://elsewhere.example/x' })).toEqual({ status: 'rejected', reason: 'signature' });
    const job = await runtime.getJob((first as { jobId: string }).jobId);
    expect(job).toMatchObject({ name: JOBS.product, key: `product:${key}`, data: { productId: Number(key), trigger: 'webhook' } });
    // A second change of the same product before the job ran coalesces into it.
    w.setStock({ sku, stock: 43 });
    await w.ccvCore.deliverWebhooks();
    const second = await receiveCcvProductWebhook(inbox, { ...d, rawBody: delivered[1]!.body, hash: delivered[1]!.hash });
    expect(second).toMatchObject({ status: 'accepted', jobId: (first as { jobId: string }).jobId });
    await runtime.start();
    cleanup.push(() => runtime.stop());
    expect((await runtime.waitFor(job!.id, { timeoutMs: 10_000 })).state).toBe('completed');
    expect(w.available(sku)).toBe(43);
  });
});

describe('reservations (CCV takes stock out only when an order is closed)', () => {
  it('an open API order reserves its units until it is sent; explain shows where reserved came from', async () => {
    const w = await world({ products: 12, ccv: { apiOrderStock: 'never' }, stock: { reserved: { stockTakenOut: 'when_closed', refreshEvery: '1ms' } } });
    const queued: Array<{ name: string; data: JobData }> = [];
    const runtime: Pick<JobRuntime, 'enqueue'> = { enqueue: async (name: string, data: JobData, _o?: EnqueueOptions) => (queued.push({ name, data }), { id: crypto.randomUUID(), status: 'queued' as const }) };
    const settings = stockSettings(w.config.flows);
    const svc = new StockService(w.env, settings, runtime);
    const drain = async () => {
      for (let j = queued.shift(); j; j = queued.shift()) await svc.refreshProduct(j.data.productId as number, op(w, j.data.trigger as string));
    };
    await svc.pollOrders(op(w, 'order')); // first look: records the demo shop's open orders
    await svc.fullPass({ ...op(w, 'reconcile'), mode: 'reconcile' });
    const held = new Set((await svc.state.reservationsOf(w.catalogue.map((r) => r.productId))).map((r) => Number(r.product_id)));
    expect(held.size).toBeGreaterThan(0); // the demo data has open orders, and they do reserve
    const [key, sku] = [...w.skus].find(([k]) => k.includes('/') && w.ccvStock(k) > 5 && !held.has(Number(k.split('/')[0])))!;
    const stock = Math.floor(w.ccvStock(key));
    expect(w.available(sku)).toBe(stock);
    const order = await w.ccvClient.post<{ id: number }>('orders', {
      customer: { email: 'klant@example.nl', billingaddress: { first_name: 'Jan', last_name: 'Jansen', street: 'Kerkstraat', housenumber: 1, zipcode: '3511AB', city: 'Utrecht', country: 'Nederland', country_code: 'NL' } },
      orderrows: [{ count: 2.5, attribute_combination_id: Number(key.split('/')[1]) }],
    });
    expect(w.ccvStock(key)).toBe(stock); // CCV itself did not take the goods out
    await svc.pollOrders(op(w, 'order'));
    await drain();
    expect(w.available(sku)).toBe(stock - 3); // 2.5 reserved, rounded up
    const e = await explainStock(w.store.db, w.env.pair, sku, settings);
    expect(e.variants[0]!.ccv).toMatchObject({ reserved: 3, reservedBy: [{ order: order!.id, units: '2.5' }] });
    expect(e.variants[0]!.ccv.notes).toContain('reserved 2.5 rounded up to 3');
    expect(e.variants[0]!.formula[0]!.describe).toBe(`onHand - reserved - buffer = ${stock} - 3 - 0 = ${stock - 3}`);
    // Sent: the order no longer holds anything; with "never" CCV's figure is unchanged, so Shopify goes back up.
    await w.ccvClient.patch(`orders/${order!.id}`, { status: 5 });
    await svc.pollOrders(op(w, 'order'));
    await drain();
    expect(w.available(sku)).toBe(stock);
  });

  it('counts nothing as reserved by default, because CCV took the goods out at checkout', async () => {
    const w = await world({ products: 12 });
    const queued: Array<{ data: JobData }> = [];
    const svc = new StockService(w.env, stockSettings(w.config.flows), { enqueue: async (_n: string, data: JobData) => (queued.push({ data }), { id: 'x', status: 'queued' as const }) });
    await svc.fullPass({ ...op(w, 'reconcile'), mode: 'reconcile' });
    await svc.pollOrders(op(w, 'order'));
    const [key, sku] = [...w.skus].find(([k]) => k.includes('/') && w.ccvStock(k) > 5)!;
    const stock = Math.floor(w.ccvStock(key));
    await w.ccvClient.post('orders', { customer: { email: 'klant@example.nl' }, orderrows: [{ count: 2, attribute_combination_id: Number(key.split('/')[1]) }] });
    expect(w.ccvStock(key)).toBe(stock - 2);
    await svc.pollOrders(op(w, 'order'));
    for (const j of queued.splice(0)) await svc.refreshProduct(j.data.productId as number, op(w, 'order'));
    expect(w.available(sku)).toBe(stock - 2);
  });
});

describe('the sweep\'s pace', () => {
  it('reads pages evenly on an absolute schedule, resumes without a burst after a delay, and pauses a small catalogue to minCycle', async () => {
    const w = await world({ products: 520, ccvLimits: { getPerMinute: 150, globalPerMinute: 5000 } });
    let t = Date.UTC(2026, 0, 1);
    const env = createFlowEnv({ config: w.config, store: w.store, ccv: w.ccvClient, shopify: w.shopify, logger: w.env.logger, now: () => t });
    const svc = new StockService(env, stockSettings(w.config.flows));
    await svc.fullPass({ ...op(w, 'reconcile'), mode: 'reconcile' });
    const interval = sweepInterval(w.ccvClient.budget.limits, 0.25).intervalMs;
    expect(interval).toBe(1682);
    const step = async () => {
      const r = await svc.sweepPage(op(w, 'sweep'));
      await env.checkpoints.commit({ flow: 'stock', stream: 'ccv:sweep', cursor: JSON.stringify(r.cursor) }, t);
      return r;
    };
    const first = await step();
    expect([first.cursor.pages, first.delayMs]).toEqual([1, interval]);
    t += 5 * interval; // the next page ran late (a restart): it is paced from now, not rushed
    const second = await step();
    expect([second.cursor.pages, second.delayMs]).toEqual([2, interval]);
    t += interval;
    const last = await step(); // 520 products: three pages, the cycle is done
    expect(last.cursor).toMatchObject({ cycle: 2, pages: 0, start: 0, lastCyclePages: 3 });
    expect(last.delayMs).toBe(60_000 - 2 * interval); // minCycle from the (re-anchored) start of the cycle
  });
});

describe('the sweep\'s bound', () => {
  it('follows from catalogue size, GET limit and share', () => {
    const limits = { getPerMinute: 150, windowMs: 60_000, guardMs: 1_000 };
    const s = stockSettings({ stock: {} });
    const b = sweepBound(10_000, limits, s);
    // One page every 1.02 × 61 s / floor(150 × 0.25) = 1,682 ms; 40 pages.
    expect(b).toMatchObject({ pages: 40, requestsPerWindow: 37, windowMs: 61_000, intervalMs: 1682, cycleMs: 40 * 1682, boundMs: 40 * 1682 + 3000 });
    expect(sweepBound(300, limits, s).cycleMs).toBe(60_000); // small: minCycle
    expect(sweepBound(20_000, limits, stockSettings({ stock: { sweep: { share: 0.5 } } })).cycleMs).toBe(80 * Math.ceil((61_000 / 75) * 1.02));
  });
});
