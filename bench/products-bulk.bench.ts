/**
 * Products flow CCV → Shopify, first load through bulk operations: the first `bulkThreshold` (200)
 * creates as regular calls, the rest as productSet lines in bulk operations; the created products are
 * published by regular calls while the bucket has room and by bulk operations for the backlog.
 *
 * A bulk operation runs outside the cost bucket, at the sandbox's line rate per operation, and
 * Shopify runs five of a shop's operations at once. So the least time the lines can take is
 *     bulk bound = lines / (line rate × 5)
 * and the regular calls made alongside cannot take less than
 *     cost bound = (their actual cost − the bucket at the start) / restore rate.
 * "Koppel adds" = wall time − the larger of the two: reading CCV, mapping, uploading, polling,
 * recording result lines in the ledger, slots left idle. Then a second run with nothing changed must
 * write nothing.
 *
 * KOPPEL_BENCH_PRODUCTS sets the catalogue size of a --quick run (default 1,000).
 */
import type { Benchmark } from './harness.js';
import { describeWire, machineLoad, mb, shopifyCostBoundSeconds, startProductsWorld, type Bucket } from './support/products.js';

const LINE_RATE = 20;
const SLOTS = 5;

interface BulkOp {
  type: string;
  status: string;
  lines: number;
  processed: number;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  mutation: string | null;
}

export const benchmark: Benchmark = {
  name: 'products-bulk',
  description: 'Products flow, first load through bulk operations (Plus preset) against the bulk line rate, peak RSS; a second run with nothing changed',
  async run({ log, quick }) {
    const products = quick ? Number(process.env.KOPPEL_BENCH_PRODUCTS ?? 1000) : 10_000;
    const world = await startProductsWorld({ products, bulkLinesPerSecond: LINE_RATE });
    try {
      const bucket = await world.shopify.call<Bucket>('bucket');
      log(`CCV sandbox: ${world.ccv.info.products} products, ${world.ccv.info.combinations} combinations; bulk line rate ${LINE_RATE}/s per operation; load ${machineLoad()}`);
      const load = await world.sync();
      const audit = await world.shopify.call<{ products: number; variants: number; duplicateSkus: number; duplicateCcvIds: number; published: number }>('audit');
      const ops = await world.shopify.call<BulkOp[]>('bulkOperations');
      const full = await world.sync({ mode: 'full' });

      const wall = load.wallMs / 1000;
      const lines = ops.reduce((n, o) => n + o.lines, 0);
      const setLines = ops.filter((o) => o.mutation === 'ProductUpsertBulk').reduce((n, o) => n + o.lines, 0);
      const bulkBound = lines / (LINE_RATE * SLOTS);
      const costBound = shopifyCostBoundSeconds(load.wire.shopify.actualCost, bucket);
      const floor = Math.max(bulkBound, costBound);
      const publishCalls = load.wire.shopify.byOperation.ProductPublish?.calls ?? 0;
      const t0 = Math.min(...ops.map((o) => o.startedAtMs ?? Infinity));
      const tEnd = Math.max(...ops.map((o) => o.finishedAtMs ?? 0));
      const timeline = ops.map((o) => `${o.mutation} ${o.lines} lines ${(((o.startedAtMs ?? t0) - t0) / 1000).toFixed(1)}–${(((o.finishedAtMs ?? t0) - t0) / 1000).toFixed(1)} s ${o.status}`);
      log(`load: ${wall.toFixed(1)} s for ${lines} lines (floor ${floor.toFixed(1)} s)`);
      return {
        setup:
          `CCV sandbox (${world.ccv.info.products} products, ${world.ccv.info.combinations} attribute combinations, seed 1) and Shopify sandbox (Plus preset, rateScale 1, ` +
          `bucket ${bucket.maximumAvailable} at ${bucket.restoreRate} pt/s; bulk operations process ${LINE_RATE} lines/s each, at most ${SLOTS} at once) each in their own process; ` +
          `each Koppel run in a fresh process (default bulkThreshold 200, chunks of 100 to 1,000 lines, operations polled at most 3 s apart). ` +
          `Machine load average (1/5/15 min) at the end: ${machineLoad()}.`,
        metrics: [
          { name: 'load: wall time', value: wall, unit: 's' },
          { name: 'load: bulk lines (productSet + publish)', value: lines, unit: '', note: `${setLines} productSet, ${lines - setLines} publishablePublish, ${ops.length} operations` },
          { name: `load: bulk bound = lines / (line rate ${LINE_RATE}/s × ${SLOTS} operations)`, value: bulkBound, unit: 's' },
          { name: 'load: regular calls alongside (creates up to bulkThreshold, publishes)', value: load.wire.shopify.mutations, unit: '', note: `${publishCalls} publishablePublish` },
          { name: 'load: cost bound of all calls = (actual cost − initial bucket) / restore rate', value: costBound, unit: 's', note: `(${load.wire.shopify.actualCost} − ${bucket.currentlyAvailable}) / ${bucket.restoreRate}` },
          { name: 'load: time Koppel adds = wall − max(bulk bound, cost bound)', value: wall - floor, unit: 's', note: `${(((wall - floor) / floor) * 100).toFixed(1)} % on top` },
          { name: 'load: from the run\'s start to the first operation running', value: (t0 - load.startedAtMs) / 1000, unit: 's', note: `the first ${(load.counts.created ?? 0) - setLines} creates (bulkThreshold) go out as regular calls meanwhile` },
          { name: 'load: from the last operation finished to the run\'s end', value: (load.endedAtMs - tEnd) / 1000, unit: 's' },
          { name: 'load: peak RSS of the Koppel process', value: mb(load.maxRss), unit: 'MB', target: { op: '<=', value: 512 } },
          { name: 'load: Koppel CPU time', value: load.cpuMs / 1000, unit: 's' },
          { name: 'load: products created', value: load.counts.created ?? 0, unit: '' },
          { name: 'load: products failed', value: load.counts.failed ?? 0, unit: '', target: { op: '<=', value: 0 } },
          { name: 'load: Shopify products / variants', value: audit.products, unit: '', note: `${audit.variants} variants` },
          { name: 'load: duplicate SKUs or CCV ids in Shopify', value: audit.duplicateSkus + audit.duplicateCcvIds, unit: '', target: { op: '<=', value: 0 } },
          { name: 'load: products not published to the Online Store', value: audit.products - audit.published, unit: '', target: { op: '<=', value: 0 } },
          { name: 'second run (full): Shopify mutations', value: full.wire.shopify.mutations, unit: '', target: { op: '<=', value: 0 } },
          { name: 'second run (full): CCV requests', value: full.wire.ccv.requests, unit: '', note: `${full.wire.ccv.productPages} catalogue pages + ${full.wire.ccv.requests - full.wire.ccv.productPages} setup reads` },
        ],
        details: [`Load: ${describeWire(load.wire)}`, `Operations (sandbox clock, from the first start): ${timeline.join('; ')}.`, `Second run, full: ${describeWire(full.wire)}`],
      };
    } finally {
      await world.close();
    }
  },
};
