/**
 * Products flow CCV → Shopify through regular calls, measured against what the APIs allow.
 *
 * 1. First load of the whole catalogue into an empty store (bulk operations off). The ceiling is the
 *    larger of two bounds:
 *      Shopify cost bound = (total actual cost − the bucket at the start) / restore rate
 *      CCV call bound     = max over (method, resource) buckets and the global cap of
 *                           (⌈calls / limit per minute⌉ − 1) × 60 s   (a rolling minute admits a limit's worth at once)
 *    where the total actual cost and the calls are what Koppel's run spent, counted on the wire.
 * 2. A second run with nothing changed, as the schedule starts it (delta) and as the nightly reconcile
 *    does (full): no Shopify mutation; CCV reads are the catalogue's pages plus the fixed setup reads.
 * 3. 1 % of the products edited in CCV (half a new name, half a new price), then a delta run: its
 *    Shopify mutation cost against the cost of the smallest calls that write just those fields.
 *
 * The sandboxes run in their own processes and every Koppel run in a fresh one (peak RSS per run).
 * KOPPEL_BENCH_PRODUCTS sets the catalogue size of a --quick run (default 1,000).
 */
import type { Benchmark, Metric } from './harness.js';
import {
  ccvCallBoundSeconds, ccvSetupReads, describeWire, editOnePercent, machineLoad, mb, minimalWriteCost, shopifyCostBoundSeconds, startProductsWorld, type Bucket,
} from './support/products.js';

interface Audit {
  products: number;
  variants: number;
  duplicateSkus: number;
  duplicateCcvIds: number;
  withoutCcvId: number;
  published: number;
}

export const benchmark: Benchmark = {
  name: 'products-regular',
  description: 'Products flow, first load through regular calls (Plus preset) against the API ceiling, peak RSS; a second run with nothing changed; a run after 1 % of the products changed',
  async run({ log, quick }) {
    const products = quick ? Number(process.env.KOPPEL_BENCH_PRODUCTS ?? 1000) : 10_000;
    const world = await startProductsWorld({ products, yaml: 'flows:\n  products:\n    bulkThreshold: 100000000\n' });
    try {
      const bucket = await world.shopify.call<Bucket>('bucket');
      log(`CCV sandbox: ${world.ccv.info.products} products, ${world.ccv.info.combinations} combinations; Shopify bucket ${bucket.currentlyAvailable}/${bucket.maximumAvailable}, ${bucket.restoreRate} pt/s; load ${machineLoad()}`);

      const load = await world.sync();
      const audit = await world.shopify.call<Audit>('audit');
      const wall = load.wallMs / 1000;
      const costBound = shopifyCostBoundSeconds(load.wire.shopify.actualCost, bucket);
      const callBound = ccvCallBoundSeconds(load.wire.ccv.byResource);
      const ceiling = Math.max(costBound, callBound.seconds);
      log(`load: ${wall.toFixed(1)} s, ceiling ${ceiling.toFixed(1)} s; ${load.lines.at(-2) ?? ''}`);

      const delta = await world.sync();
      const full = await world.sync({ mode: 'full' });
      log(`second run: delta ${(delta.wallMs / 1000).toFixed(1)} s, full ${(full.wallMs / 1000).toFixed(1)} s`);

      const edits = await editOnePercent(world);
      const changed = await world.sync();
      const minimal = await minimalWriteCost(world.shopify.info, edits);
      const ratio1 = changed.wire.shopify.mutationCost / minimal.cost;
      log(`1 %: ${edits.length} products edited, Koppel wrote ${changed.wire.shopify.mutationCost} pt, minimal ${minimal.cost} pt`);

      const pages = Math.ceil(world.ccv.info.products / 250);
      const metrics: Metric[] = [
        { name: 'load: wall time', value: wall, unit: 's' },
        { name: 'load: ceiling = max(Shopify cost bound, CCV call bound)', value: ceiling, unit: 's' },
        { name: 'load: wall / ceiling', value: wall / ceiling, unit: 'ratio', target: { op: '<=', value: 1.1 } },
        { name: 'load: Shopify cost bound ((actual cost − initial bucket) / restore rate)', value: costBound, unit: 's', note: `(${load.wire.shopify.actualCost} − ${bucket.currentlyAvailable}) / ${bucket.restoreRate}` },
        { name: 'load: CCV call bound', value: callBound.seconds, unit: 's', note: `${load.wire.ccv.requests} calls; tightest: ${callBound.worst}` },
        { name: 'load: peak RSS of the Koppel process', value: mb(load.maxRss), unit: 'MB', target: { op: '<=', value: 512 } },
        { name: 'load: Koppel CPU time', value: load.cpuMs / 1000, unit: 's' },
        { name: 'load: products created', value: load.counts.created ?? 0, unit: '' },
        { name: 'load: products quarantined (more than 3 options)', value: load.counts.quarantined ?? 0, unit: '' },
        { name: 'load: products failed', value: load.counts.failed ?? 0, unit: '', target: { op: '<=', value: 0 } },
        { name: 'load: Shopify products / variants', value: audit.products, unit: '', note: `${audit.variants} variants` },
        { name: 'load: duplicate SKUs or CCV ids in Shopify', value: audit.duplicateSkus + audit.duplicateCcvIds, unit: '', target: { op: '<=', value: 0 } },
        { name: 'load: products not published to the Online Store', value: audit.products - audit.published, unit: '', target: { op: '<=', value: 0 } },
        { name: 'second run (delta): Shopify mutations', value: delta.wire.shopify.mutations, unit: '', target: { op: '<=', value: 0 } },
        { name: 'second run (delta): CCV catalogue pages', value: delta.wire.ccv.productPages, unit: '', note: 'newest first, down to the checkpoint' },
        { name: 'second run (delta): CCV setup reads', value: ccvSetupReads(delta.wire), unit: '', target: { op: '<=', value: 6 } },
        { name: 'second run (full): Shopify mutations', value: full.wire.shopify.mutations, unit: '', target: { op: '<=', value: 0 } },
        { name: 'second run (full): CCV catalogue pages', value: full.wire.ccv.productPages, unit: '', target: { op: '<=', value: pages }, note: `${world.ccv.info.products} products / 250 per page` },
        { name: 'second run (full): CCV setup reads', value: ccvSetupReads(full.wire), unit: '', target: { op: '<=', value: 6 } },
        { name: 'second run (full): wall time', value: full.wallMs / 1000, unit: 's' },
        { name: '1 % changed: products updated', value: changed.counts.updated ?? 0, unit: '', note: `${edits.length} edited` },
        { name: '1 % changed: Shopify write cost', value: changed.wire.shopify.mutationCost, unit: 'pt', note: `${changed.wire.shopify.mutations} mutations` },
        { name: '1 % changed: minimal write cost (measured)', value: minimal.cost, unit: 'pt', note: `${minimal.calls} calls` },
        { name: '1 % changed: write cost / minimal', value: ratio1, unit: 'ratio', target: { op: '<=', value: 1.2 } },
      ];
      return {
        setup:
          `CCV sandbox (${world.ccv.info.products} products, ${world.ccv.info.combinations} attribute combinations, seed 1, real limits: 150 GET/min per resource, 500/min global) ` +
          `and Shopify sandbox (Plus preset, rateScale 1: bucket ${bucket.maximumAvailable}, ${bucket.restoreRate} pt/s, full at the start) each in its own process; ` +
          `each Koppel run in a fresh process on one SQLite file (bulkThreshold off, so every create is a regular productSet + publishablePublish through the cost limiter). ` +
          `Costs and calls are counted on the wire inside the Koppel process (the answers are parsed twice for that; included in its CPU and RSS). ` +
          `Machine load average (1/5/15 min) at the end: ${machineLoad()}.`,
        metrics,
        details: [
          `Load: ${describeWire(load.wire)}`,
          `Second run, delta: ${describeWire(delta.wire)}`,
          `Second run, full: ${describeWire(full.wire)}`,
          `1 % changed (${edits.filter((e) => e.kind === 'title').length} new names, ${edits.filter((e) => e.kind === 'price').length} new prices): ${describeWire(changed.wire)} ` +
            'Minimal calls: productUpdate(product: {id, title}) { userErrors { field message } } per new name; productVariantsBulkUpdate(productId, variants: [{id, price, compareAtPrice}]) { userErrors { field message } } with every variant per new price.',
        ],
      };
    } finally {
      await world.close();
    }
  },
};
