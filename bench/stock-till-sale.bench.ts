/**
 * Till sale → new available quantity in Shopify, over 200 sales, while a products load keeps the
 * CCV products GET budget and the Shopify cost bucket busy, with default stock settings.
 *
 * The products flow is not wired into the benchmark, so the load is simulated through the same
 * clients Koppel uses (one rate budget per connection): CCV product pages with their combinations
 * at the products priority (2), and Shopify productSet updates of the catalogue on the `products` lane.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as docs from '../src/connectors/shopify/documents.js';
import { createEngine } from '../src/engine/index.js';
import { stockFlow } from '../src/flows/stock/index.js';
import { LazyRun } from '../src/flows/stock/lazy-run.js';
import { silentLogger } from '../src/obs/log.js';
import { openStore } from '../src/store/db.js';
import { seedFromCatalogue, startSandboxHost, stockBenchEnv, trackLatencies } from '../test/flows/stock/bench-world.js';
import { readCatalogue } from '../test/flows/stock/support.js';
import type { Benchmark } from './harness.js';

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

interface Measured {
  latencies: number[];
  sales: number;
  variants: number;
  ccvGetsPerMin: number;
  shopifyPointsPerSec: number;
  productSets: number;
  stockSets: { calls: number; actual: number };
  throttled: number;
}

async function measure(log: (l: string) => void, sales: number, saturateCcv: boolean): Promise<Measured> {
  const products = 1000;
  const host = await startSandboxHost({ ccv: { products, seed: 9 }, shopify: { plan: 'standard', rateScale: 1 } });
  const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-stock-'));
  const store = await openStore({ url: join(dir, 'koppel.db') });
  let engine: ReturnType<typeof createEngine> | undefined;
  let loadRunning = true;
  const loads: Array<Promise<void>> = [];
  try {
    const { ccv, shopify, meter, env, svc, location } = await stockBenchEnv(host, store);

    log('setup: catalogue, Shopify seed and a first reconcile at a raised Shopify rate');
    const catalogue = await readCatalogue(ccv);
    await host.setPlan('plus', 1000);
    const seeded = await seedFromCatalogue(host, store, env.pair, location!.id, catalogue, (v) => Math.max(0, Math.floor(Number(v.stock ?? 0))));
    const first = new LazyRun(env, { flow: 'stock', direction: 'ccv_to_shopify', trigger: 'bench', jobId: crypto.randomUUID() }, true);
    await svc.fullPass({ jobId: crypto.randomUUID(), trigger: 'reconcile', run: first, mode: 'reconcile' });
    await first.finish();
    await host.setPlan('standard', 1);

    engine = createEngine(store, { logger: silentLogger, concurrency: 4 });
    stockFlow.define(engine.runtime, env);
    for (const s of stockFlow.schedules(env)) await engine.runtime.schedule(s);
    await engine.start();

    // The products load, through Koppel's own clients.
    const byProduct = new Map<number, Array<{ key: string; sku: string }>>();
    for (const s of seeded) {
      const pid = Number(s.key.split('/')[0]);
      byProduct.set(pid, [...(byProduct.get(pid) ?? []), { key: s.key, sku: s.sku }]);
    }
    const productIds = [...byProduct.keys()];
    const loadStats = { ccvGets: 0, shopifySets: 0 };
    const loadT0 = Date.now();
    // Like a products sync: read a CCV page of 250 products (priority 1, as readCcvProducts does),
    // write each product to Shopify (3 writers on the products lane), next page; plus product
    // refreshes one by one (as after product webhooks) at priority 2. The Shopify writes keep the
    // cost bucket busy; the CCV reads follow their pace. `saturateCcv` adds 3 unpaced page loops.
    const writeProduct = async (pid: number, i: number) => {
      const vs = byProduct.get(pid);
      if (!vs) return;
      await shopify.mutate(docs.ProductSetSync, {
        identifier: { handle: `ccv-${pid}` },
        input: { title: `CCV ${pid} (${i})`, handle: `ccv-${pid}`, status: 'ACTIVE', productOptions: [{ name: 'Variant', position: 1, values: vs.map((v) => ({ name: v.key })) }], variants: vs.map((v) => ({ optionValues: [{ optionName: 'Variant', name: v.key }], sku: v.sku, price: '9.95' })) },
      }, { lane: 'products', retrySafe: true }).catch(() => undefined);
      loadStats.shopifySets++;
    };
    loads.push((async () => {
      let start = 0;
      let n = 0;
      while (loadRunning) {
        const page = await ccv.get<{ items: Array<{ id: number }>; next: string | null }>('products', { query: { expand: 'attributecombinations,productattributesets,producttocategories,producttopropertygroups', orderby: 'id', start, size: 250 }, priority: 1 }).catch(() => ({ items: [], next: null }));
        loadStats.ccvGets++;
        const ids = page.items.map((p) => p.id);
        await Promise.all([0, 1, 2].map(async (k) => {
          for (let j = k; j < ids.length && loadRunning; j += 3) await writeProduct(ids[j]!, n++);
        }));
        start = page.next ? start + 250 : 0;
      }
    })());
    loads.push((async () => {
      let i = 0;
      while (loadRunning) {
        await ccv.get(`products/${productIds[i++ % productIds.length]}`, { query: { expand: 'attributecombinations,productattributesets' }, priority: 2 }).catch(() => undefined);
        loadStats.ccvGets++;
        await new Promise((r) => setTimeout(r, 1000));
      }
    })());
    if (saturateCcv) {
      for (let k = 0; k < 3; k++) {
        loads.push((async () => {
          let start = k * 250;
          while (loadRunning) {
            const page = await ccv.get<{ items: unknown[]; next: string | null }>('products', { query: { expand: 'attributecombinations', start, size: 50 }, priority: 2 }).catch(() => ({ items: [], next: null }));
            loadStats.ccvGets++;
            start = page.next ? start + 50 : 0;
          }
        })());
      }
    }

    // Sales: one unit of a random tracked SKU with stock, every 1.5 s.
    const stockOf = new Map<string, number>();
    for (const r of catalogue) if (r.tracked) for (const v of r.variants) if (v.sku) stockOf.set(v.sku, Number(v.stock ?? 0));
    const candidates = seeded.filter((s) => (stockOf.get(s.sku) ?? 0) >= 5);
    const { pending, latencies } = trackLatencies(host, location!.id);
    await host.watch(candidates.map((c) => c.itemId));
    await new Promise((r) => setTimeout(r, 15_000)); // the load reaches steady state, the poll has its cursor
    let seed = 777;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const t0 = Date.now();
    for (let i = 0; i < sales; i++) {
      const next = t0 + i * 1500;
      if (next > Date.now()) await new Promise((r) => setTimeout(r, next - Date.now()));
      let c = candidates[Math.floor(rnd() * candidates.length)]!;
      for (let tries = 0; pending.has(c.itemId) || (stockOf.get(c.sku) ?? 0) < 2; tries++) c = candidates[Math.floor(rnd() * candidates.length)]!;
      const after = stockOf.get(c.sku)! - 1;
      stockOf.set(c.sku, after);
      const r = await host.tillSale([{ sku: c.sku, count: 1 }]);
      pending.set(c.itemId, { want: Math.max(0, Math.floor(after)), at: r.at });
    }
    const deadline = Date.now() + 60_000;
    while (pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const minutes = (Date.now() - loadT0) / 60_000;
    if (process.env.KOPPEL_BENCH_DEBUG) {
      const jobs = await store.db.selectFrom('job').select(['name', 'created_at', 'started_at', 'finished_at', 'run_at', 'attempt']).where('created_at', '>=', t0).orderBy('created_at').execute();
      for (const j of jobs) log(`${j.name} created +${((j.created_at - t0) / 1000).toFixed(1)} runAt +${((j.run_at - t0) / 1000).toFixed(1)} started +${(((j.started_at ?? 0) - t0) / 1000).toFixed(1)} finished +${(((j.finished_at ?? 0) - t0) / 1000).toFixed(1)} attempt ${j.attempt}`);
      log(JSON.stringify(ccv.budget.stats()));
    }
    const sets = meter.byOp.get('ProductSetSync');
    const stockSets = meter.byOp.get('InventorySet');
    loadRunning = false;
    await Promise.all(loads);
    return {
      latencies, sales, variants: seeded.length, ccvGetsPerMin: loadStats.ccvGets / minutes, shopifyPointsPerSec: (sets?.actual ?? 0) / (minutes * 60),
      productSets: sets?.calls ?? 0, stockSets: { calls: stockSets?.calls ?? 0, actual: stockSets?.actual ?? 0 }, throttled: meter.throttled,
    };
  } finally {
    loadRunning = false;
    await Promise.all(loads).catch(() => undefined);
    await engine?.stop({ graceMs: 5000 });
    await store.close();
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: 'stock-till-sale',
  description: 'Stock flow: latency from a CCV till sale to the new available quantity in Shopify (p50/p95 over 200 sales) under a products load on both APIs, default settings',
  async run({ log, quick }) {
    const a = await measure(log, quick ? 20 : 200, false);
    log('second run: the same with a CCV load that saturates the products GET bucket');
    const b = await measure(log, quick ? 10 : 50, true);
    return {
      setup:
        `CCV sandbox with 1000 products (${a.variants} variants in Shopify) and Shopify sandbox (Standard plan: 100 pt/s, bucket 2000), both at rateScale 1 (real limits; Shopify raised only while seeding and for the first reconcile), in a child process over loopback HTTP. ` +
        `Koppel: engine defaults (concurrency 4), stock flow defaults (orders every 5 s, modifydate every 15 s, sweep 25 %, hourly reconcile). ` +
        `Products load (simulated through Koppel's own clients; the products flow is not wired into the benchmark): a products-sync loop (CCV page of 250 with expansions at priority 1, then a Shopify productSet per product, 3 writers on the products lane) and product refreshes one per second at priority 2: ` +
        `${a.ccvGetsPerMin.toFixed(0)} CCV GETs/min, ${a.shopifyPointsPerSec.toFixed(0)} Shopify points/s (${a.productSets} productSets). ` +
        `${a.sales} till sales of one unit, one every 1.5 s; latency = sale → Shopify inventory event with the new figure, both stamped in the sandbox process; real seconds. ` +
        `Second run (${b.sales} sales): the same plus 3 unpaced loops of CCV product pages at priority 2, saturating the products GET bucket (${b.ccvGetsPerMin.toFixed(0)} GETs/min).`,
      metrics: [
        { name: 'sales seen in Shopify', value: a.latencies.length, unit: '', note: `of ${a.sales}`, target: { op: '>=', value: a.sales } },
        { name: 'latency p50', value: percentile(a.latencies, 50), unit: 's' },
        { name: 'latency p95', value: percentile(a.latencies, 95), unit: 's', target: { op: '<=', value: 10 } },
        { name: 'latency max', value: Math.max(...a.latencies), unit: 's' },
        { name: 'Shopify THROTTLED answers', value: a.throttled, unit: '' },
        { name: 'saturated CCV products GET: sales seen', value: b.latencies.length, unit: '', note: `of ${b.sales}` },
        { name: 'saturated CCV products GET: latency p50', value: percentile(b.latencies, 50), unit: 's' },
        { name: 'saturated CCV products GET: latency p95', value: percentile(b.latencies, 95), unit: 's', note: 'no target: lower priorities may take the whole bucket (see report)' },
      ],
      details: [`Stock writes: ${a.stockSets.calls} InventorySet calls (${Math.round(a.stockSets.actual)} points) for ${a.sales} sales.`],
    };
  },
};
