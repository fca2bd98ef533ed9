/**
 * Reliability of the products flow's first load through bulk operations: faults on both APIs and a
 * kill -9 of the worker while a bulk operation is running (scenario in support/reliability.ts). The
 * operation goes on in Shopify without the worker that started it; the worker that takes over must
 * link what it created and create the rest, without duplicates.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BulkOperationRec } from '../../../sandbox/shopify/ops/bulk.js';
import { ShopifyClient } from '../../../src/connectors/shopify/client.js';
import { syncProducts } from '../../../src/flows/products/sync.js';
import { silentLogger } from '../../../src/obs/log.js';
import { startWorld, type FlowWorld } from '../../support/flows.js';
import { auditShopify } from './support/audit.js';
import { expectedCatalog } from './support/expected.js';
import { consistencyProblems, expectConverged, expectFaultsInjected, runScenario, type ScenarioResult } from './support/reliability.js';

let result: ScenarioResult | undefined;
let world: FlowWorld | undefined;
afterEach(async () => {
  await result?.close();
  await world?.close();
  result = undefined;
  world = undefined;
});

const upsertOps = (ops: Iterable<BulkOperationRec>) => [...ops].filter((o) => o.type === 'MUTATION' && o.query.includes('ProductUpsertBulk'));

describe('products flow under faults and a kill -9, bulk operations', () => {
  it('ends with Shopify equal to the CCV catalogue and the ledger equal to Shopify', async () => {
    result = await runScenario({
      products: 120,
      seed: 19,
      yaml: 'flows:\n  products:\n    bulkThreshold: 10\n',
      // A slow bulk rate (10 lines/s per operation, half the sandbox's default) keeps the orphaned
      // operations running while the next worker starts.
      bulkLinesPerSecond: 10,
      // What the orphaned operations create is not searchable by SKU for a while.
      indexLagMs: 10_000,
      killWhen: ({ bulk }) => upsertOps(bulk).some((o) => o.status === 'RUNNING' && o.processed >= 15),
    });
    const r = result;
    expect(r.killSignal).toBe('SIGKILL');
    expect(r.firstJobAttempts).toBeGreaterThanOrEqual(2);
    // The operations the killed worker started ran on and finished without it.
    const orphans = upsertOps(r.bulkOperations).filter((o) => o.clientIdentifier === upsertOps(r.bulkOperations)[0]!.clientIdentifier);
    expect(orphans.length).toBeGreaterThan(0);
    expect(orphans.every((o) => o.status === 'COMPLETED')).toBe(true);
    expectFaultsInjected(r);
    await expectConverged(r);
  }, 60_000);

  it('runs a bulk operation again when the answer to its start was lost after Shopify started it', async () => {
    world = await startWorld({ ccv: { products: 40, seed: 19 }, shopify: { bulkLinesPerSecond: 400 }, yaml: 'flows:\n  products:\n    bulkThreshold: 5\n' });
    const w = world;
    let dropped = 0;
    // The first bulkOperationRunMutation reaches Shopify (the operation starts), then the connection drops.
    w.env.shopify = new ShopifyClient({
      shop: w.shopify.shop, auth: { accessToken: w.shopify.accessToken }, endpoint: w.shopify.origin, logger: silentLogger, retryMinDelayMs: 10, retryMaxDelayMs: 50,
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (dropped === 0 && typeof init?.body === 'string' && init.body.includes('mutation BulkRunMutation')) {
          dropped++;
          await res.body?.cancel();
          throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
        }
        return res;
      },
    });
    const expected = expectedCatalog(w.ccv);
    const r = await syncProducts(w.env, { dryRun: false, trigger: 'manual' });
    expect(dropped).toBe(1);
    // Two operations with the same lines (every create after the first five, the bulk threshold): the
    // one whose answer was lost, and the second run of it.
    const ops = upsertOps(w.shopify.state.table<BulkOperationRec>('bulkOperations').values());
    expect(ops.map((o) => o.totalLines)).toEqual([expected.valid.size - 5, expected.valid.size - 5]);
    expect(r.run.counts).toMatchObject({ created: expected.valid.size, failed: 0, quarantined: expected.tooManyOptions.size });
    const audit = auditShopify(w.shopify.state);
    expect(await consistencyProblems({ audit, expected, env: w.env, shopify: w.shopify })).toEqual([]);
  }, 20_000);
});
