/**
 * A back-office stock correction in CCV (no order, no modifydate change, no webhook: the sandbox's
 * strict defaults) on a 10,000-product catalogue: how long until Shopify shows it. Only the sweep can
 * see such a change; its bound follows from catalogue size, the GET limit and the sweep's share.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createEngine } from '../src/engine/index.js';
import { stockFlow } from '../src/flows/stock/index.js';
import { LazyRun } from '../src/flows/stock/lazy-run.js';
import { sweepBound } from '../src/flows/stock/service.js';
import { createLogger } from '../src/obs/log.js';
import { openStore } from '../src/store/db.js';
import { seedFromCatalogue, startSandboxHost, stockBenchEnv, trackLatencies } from '../test/flows/stock/bench-world.js';
import { readCatalogue } from '../test/flows/stock/support.js';
import type { Benchmark } from './harness.js';

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export const benchmark: Benchmark = {
  name: 'stock-correction',
  description: 'Stock flow: latency of a CCV back-office stock correction (no order, no modifydate, no webhook) to Shopify on a 10,000-product catalogue, default settings (sweep at 25 % of the GET budget)',
  async run({ log, quick }) {
    const products = quick ? 2000 : 10_000;
    const corrections = quick ? 8 : 40;
    const host = await startSandboxHost({ ccv: { products, seed: 5 }, shopify: { plan: 'standard', rateScale: 1 } });
    const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-stock-'));
    const store = await openStore({ url: join(dir, 'koppel.db') });
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', pretty: false, destination: new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) }) });
    let engine: ReturnType<typeof createEngine> | undefined;
    try {
      const { ccv, env, settings, svc, location } = await stockBenchEnv(host, store, logger);

      log(`setup: reading ${products} CCV products, seeding Shopify and a first reconcile at a raised Shopify rate`);
      const catalogue = await readCatalogue(ccv);
      await host.setPlan('plus', 1000);
      const seeded = await seedFromCatalogue(host, store, env.pair, location!.id, catalogue, (v) => Math.max(0, Math.floor(Number(v.stock ?? 0))));
      const first = new LazyRun(env, { flow: 'stock', direction: 'ccv_to_shopify', trigger: 'bench', jobId: crypto.randomUUID() }, true);
      await svc.fullPass({ jobId: crypto.randomUUID(), trigger: 'reconcile', run: first, mode: 'reconcile' });
      await first.finish();
      await host.setPlan('standard', 1);
      const variants = catalogue.reduce((n, r) => n + r.variants.length, 0);
      const bound = sweepBound(products, ccv.budget.limits, settings);
      log(`${products} products, ${variants} variants (${seeded.length} in Shopify); sweep bound ${(bound.boundMs / 1000).toFixed(0)} s`);

      // Koppel as `koppel start` runs it: engine defaults, the stock flow's jobs and schedules.
      engine = createEngine(store, { logger, concurrency: 4 });
      stockFlow.define(engine.runtime, env);
      for (const s of stockFlow.schedules(env)) await engine.runtime.schedule(s);
      await engine.start();

      const itemBySku = new Map(seeded.map((s) => [s.sku, s.itemId]));
      const candidates = seeded.filter((s) => catalogue.find((r) => r.productId === Number(s.key.split('/')[0]))?.tracked);
      const { pending, latencies } = trackLatencies(host, location!.id);
      await host.watch(candidates.map((c) => c.itemId));
      // Let the sweep chain get going (the poll starts it within a few seconds).
      await new Promise((r) => setTimeout(r, 10_000));
      let seed = 12345;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const started = Date.now();
      for (let i = 0; i < corrections; i++) {
        await new Promise((r) => setTimeout(r, 2000 + rnd() * 8000));
        let c = candidates[Math.floor(rnd() * candidates.length)]!;
        while (pending.has(c.itemId)) c = candidates[Math.floor(rnd() * candidates.length)]!;
        const want = 600 + Math.floor(rnd() * 400); // never what Shopify shows now (the demo data stays below 600)
        const r = await host.setStock(c.sku, want);
        pending.set(itemBySku.get(c.sku)!, { want, at: r.at });
      }
      const deadline = Date.now() + 3 * bound.boundMs;
      while (pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
      const elapsed = (Date.now() - started) / 1000;
      const cycles = lines.filter((l) => l.includes('stock sweep cycle')).map((l) => JSON.parse(l) as { time: number; cycleSeconds: number; boundSeconds: number; pages: number });
      const periods = cycles.slice(1).map((c, i) => (c.time - cycles[i]!.time) / 1000);
      return {
        setup:
          `CCV sandbox with ${products} products / ${variants} variants at its real limits (150 GET/min per resource, rolling window), default behaviour switches (a stock change moves no modifydate and sends no webhook); ` +
          `Shopify sandbox, Standard plan at rateScale 1 (raised only while seeding and for the first reconcile). Koppel: engine defaults, stock flow defaults (orders every 5 s, modifydate every 15 s, sweep share 0.25, minCycle 60 s). ` +
          `${corrections} corrections (POST /__sandbox/stock equivalent) 2–10 s apart on random SKUs; latency = correction → Shopify inventory event with the new figure, both stamped in the sandbox process; real seconds. ` +
          `Bound: cycle = max(60 s, ceil(${bound.pages} pages × 61 s / floor(150 × 0.25) = ${bound.requestsPerWindow})) = ${(bound.cycleMs / 1000).toFixed(1)} s, + one page ≈ ${(bound.boundMs / 1000).toFixed(0)} s.`,
        metrics: [
          { name: 'corrections seen in Shopify', value: latencies.length, unit: '', note: `of ${corrections}`, target: { op: '>=', value: corrections } },
          { name: 'latency p50', value: percentile(latencies, 50), unit: 's' },
          { name: 'latency p95', value: percentile(latencies, 95), unit: 's', target: { op: '<=', value: 90 } },
          { name: 'latency max', value: Math.max(...latencies), unit: 's' },
          { name: 'computed sweep bound', value: bound.boundMs / 1000, unit: 's' },
          { name: 'sweep period observed (median time between cycle ends)', value: periods.length ? percentile(periods, 50) : NaN, unit: 's', note: `${cycles.length} cycles` },
        ],
        details: [`Run over ${elapsed.toFixed(0)} s. Sweep cycles (pages read in, then the pause up to minCycle): ${cycles.slice(0, 6).map((c) => `${c.pages} pages in ${c.cycleSeconds} s (logged bound ${c.boundSeconds} s)`).join('; ') || 'none'}.`],
      };
    } finally {
      await engine?.stop({ graceMs: 5000 });
      await store.close();
      await host.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
