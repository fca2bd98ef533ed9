/**
 * Stock reconcile of ~30,000 CCV variants against Shopify: wall time against the ceiling the
 * sandboxes' limits allow, and a second reconcile with nothing changed (zero writes).
 *
 * Ceiling: the reconcile needs C cost points from Shopify (levels pages and drift writes, measured
 * from the sandbox's bucket) and P products pages from CCV. With a full bucket B at the start and
 * restore rate R, Shopify cannot deliver C points faster than max(0, C − B) / R; CCV cannot deliver
 * P pages faster than max(0, P − L) / (L / 61 s) with L GETs per minute. Ceiling = the larger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LazyRun } from '../src/flows/stock/lazy-run.js';
import { openStore } from '../src/store/db.js';
import { seedFromCatalogue, startSandboxHost, stockBenchEnv } from '../test/flows/stock/bench-world.js';
import { readCatalogue } from '../test/flows/stock/support.js';
import type { Benchmark, Metric } from './harness.js';

const SHOPIFY_SCALE = 4;
const DRIFT = 0.05;

export const benchmark: Benchmark = {
  name: 'stock-reconcile',
  description: 'Stock flow: full reconcile of ~30,000 CCV variants against Shopify vs the ceiling of the sandbox limits; then nothing changed → zero writes',
  async run({ log, quick }) {
    const products = quick ? 1500 : 7_800; // ~3.9 variants per product in the demo data: ~30,000 variants
    const host = await startSandboxHost({ ccv: { products, seed: 3 }, shopify: { plan: 'standard', rateScale: SHOPIFY_SCALE } });
    const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-stock-'));
    const store = await openStore({ url: join(dir, 'koppel.db') });
    try {
      const { ccv, meter, env, svc, location } = await stockBenchEnv(host, store);

      log(`reading the CCV catalogue (${products} products)`);
      const catalogue = await readCatalogue(ccv);
      const variants = catalogue.reduce((n, r) => n + r.variants.length, 0);
      let drifted = 0;
      const formula = (stock: unknown) => Math.max(0, Math.floor(Number(stock ?? 0)));
      log(`seeding Shopify with ${variants} variants (plan raised while seeding)`);
      await host.setPlan('plus', 1000);
      const seeded = await seedFromCatalogue(host, store, env.pair, location!.id, catalogue, (v) => {
        // Most SKUs agree with CCV; DRIFT of them differ (a merchant edit, a missed signal).
        const h = [...v.key].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);
        if (h % 1000 < DRIFT * 1000) {
          drifted++;
          return formula(v.stock) + 3;
        }
        return formula(v.stock);
      });
      await host.setPlan('standard', SHOPIFY_SCALE);
      await new Promise((r) => setTimeout(r, Math.ceil(2000 / (100 * SHOPIFY_SCALE)) * 1000 + 500)); // the bucket refills
      const b0 = await host.bucket();
      log(`seeded ${seeded.length} variants, ${drifted} drifted; bucket ${b0.available}/${b0.max}, restore ${b0.restoreRate}/s`);

      const run = new LazyRun(env, { flow: 'stock', direction: 'ccv_to_shopify', trigger: 'bench', jobId: crypto.randomUUID() }, true);
      const m0 = meter.actual;
      const t0 = performance.now();
      const total = await svc.fullPass({ jobId: crypto.randomUUID(), trigger: 'reconcile', run, mode: 'reconcile' });
      const seconds = (performance.now() - t0) / 1000;
      const rec = await run.finish();
      const b1 = await host.bucket();
      const consumed = meter.actual - m0;
      const pages = Math.ceil(total.products / 250);
      const ccvCeiling = Math.max(0, pages - 150) / (150 / 61);
      const shopifyCeiling = Math.max(0, consumed - b0.available) / b1.restoreRate;
      const ceiling = Math.max(ccvCeiling, shopifyCeiling);
      log(`reconcile: Shopify figures loaded after ${(total.shopifyMs / 1000).toFixed(1)} s, done after ${(total.totalMs / 1000).toFixed(1)} s`);
      log(`reconcile: ${seconds.toFixed(1)} s, ${total.written} repaired, ${total.unchanged} unchanged; Shopify ${Math.round(consumed)} points → ceiling ${shopifyCeiling.toFixed(1)} s`);

      const run2 = new LazyRun(env, { flow: 'stock', direction: 'ccv_to_shopify', trigger: 'bench', jobId: crypto.randomUUID() }, true);
      const t1 = performance.now();
      const again = await svc.fullPass({ jobId: crypto.randomUUID(), trigger: 'reconcile', run: run2, mode: 'reconcile' });
      const seconds2 = (performance.now() - t1) / 1000;
      await run2.finish();
      const run3 = new LazyRun(env, { flow: 'stock', direction: 'ccv_to_shopify', trigger: 'bench', jobId: crypto.randomUUID() }, true);
      const delta = await svc.fullPass({ jobId: crypto.randomUUID(), trigger: 'manual', run: run3, mode: 'state' });
      await run3.finish();

      const metrics: Metric[] = [
        { name: 'variants reconciled', value: total.products === catalogue.length ? variants : -1, unit: '' },
        { name: 'reconcile wall time', value: seconds, unit: 's' },
        { name: 'ceiling from the sandbox limits (max of Shopify and CCV)', value: ceiling, unit: 's' },
        { name: 'wall time / ceiling', value: seconds / ceiling, unit: '', target: { op: '<=', value: 1.1 } },
        { name: 'drift repaired (SKUs seeded off by 3)', value: total.written, unit: '', note: `of ${drifted}` },
        { name: 'drift left after the reconcile', value: drifted - total.written, unit: '', target: { op: '<=', value: 0 } },
        { name: 'second reconcile, nothing changed: writes', value: again.written, unit: '', target: { op: '<=', value: 0 } },
        { name: 'delta pass (against stored state), nothing changed: writes', value: delta.planned.length, unit: '', target: { op: '<=', value: 0 } },
        { name: 'second reconcile wall time', value: seconds2, unit: 's' },
      ];
      return {
        setup:
          `${total.products} CCV products with ${variants} variants (sandbox seed 3, rateScale 1: 150 GET/min), one Shopify location; Shopify sandbox plan standard with rateScale ${SHOPIFY_SCALE} ` +
          `(restore ${b1.restoreRate} pt/s, bucket ${b0.max}, full at the start); ${Math.round(DRIFT * 100)} % of SKUs seeded 3 off. Both sandboxes in a child process over loopback HTTP; ` +
          `Koppel on SQLite (file) with default stock settings. Ceiling = max(max(0, C − B)/R, max(0, P − 150)/(150/61 s)) with C = ${Math.round(consumed)} points (Σ actualQueryCost of the reconcile's Shopify calls), ` +
          `B = ${b0.available}, R = ${b1.restoreRate}/s, P = ${pages} CCV pages: Shopify ${shopifyCeiling.toFixed(1)} s, CCV ${ccvCeiling.toFixed(1)} s. Latencies are real seconds under that scale (÷${SHOPIFY_SCALE} for a real Standard shop: ${(seconds * SHOPIFY_SCALE / 60).toFixed(0)} min).`,
        metrics,
        details: [
          `Run ${rec?.id}: ${total.shopifyLevels} Shopify levels read, ${total.problems} problems, ${total.conflicts} conflicts; Shopify answers THROTTLED: ${meter.throttled}.`,
          `Shopify calls of the whole bench by operation: ${[...meter.byOp].map(([op, v]) => `${op} ${v.calls} (${Math.round(v.actual)} pt)`).join(', ')}.`,
        ],
      };
    } finally {
      await store.close();
      await host.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
