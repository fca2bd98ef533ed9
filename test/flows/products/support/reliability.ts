/**
 * The products reliability scenario: a first load from CCV into an empty Shopify store, worked by the
 * real job engine in a separate Koppel process, with faults on both APIs (5xx, answers dropped after
 * the write committed, throttle bursts) and one `kill -9` of that process in the middle of the load.
 * A second process takes the job over; runs repeat (as the schedule would) until one finishes
 * without failed records. Then Shopify, read straight from its sandbox, must equal what the CCV
 * catalogue says, and the ledger must agree with Shopify link for link.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCcvSandbox, type CcvSandbox } from '../../../../sandbox/ccv/index.js';
import { startShopifySandbox, type ShopifySandbox } from '../../../../sandbox/shopify/index.js';
import type { BulkOperationRec } from '../../../../sandbox/shopify/ops/bulk.js';
import { parseConfig } from '../../../../src/config/loader.js';
import { ccvClientFromConfig } from '../../../../src/connectors/ccv/from-config.js';
import { ShopifyClient } from '../../../../src/connectors/shopify/client.js';
import { createRuntime, type JobRuntime } from '../../../../src/engine/runtime/index.js';
import type { RunRecord } from '../../../../src/engine/runs.js';
import { createFlowEnv, LANES, type FlowEnv } from '../../../../src/flows/env.js';
import { PRODUCTS_JOB, productsFlow } from '../../../../src/flows/products/index.js';
import { syncProducts } from '../../../../src/flows/products/sync.js';
import { silentLogger } from '../../../../src/obs/log.js';
import { openStore, type Store } from '../../../../src/store/db.js';
import { auditShopify, type ShopifyAudit } from './audit.js';
import { expectedCatalog, type ExpectedCatalog } from './expected.js';
import type { WorkerWorld } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** CCV limits × this in the sandbox; the client's window is this much shorter (see WorkerWorld). */
const CCV_TIME_SCALE = 20;

export interface ScenarioOptions {
  products: number;
  seed: number;
  /** koppel.yaml for the workers (e.g. the bulk threshold). */
  yaml: string;
  bulkLinesPerSecond?: number;
  /** Shopify's search index lags writes by this much (a product created just before the kill is not found by SKU yet). */
  indexLagMs?: number;
  /** When to pull the plug on the first worker. */
  killWhen(w: { ledgerProducts: number; shopifyProducts: number; expected: number; bulk: BulkOperationRec[] }): boolean;
}

export interface ScenarioResult {
  expected: ExpectedCatalog;
  audit: ShopifyAudit;
  env: FlowEnv;
  ccv: CcvSandbox;
  shopify: ShopifySandbox;
  /** Ledger products at the moment of the kill, and Shopify's (more when a create had committed but was not linked yet). */
  atKill: number;
  shopifyAtKill: number;
  killSignal: NodeJS.Signals | null;
  /** Executions of the first job (the killed one and its takeover). */
  firstJobAttempts: number;
  /** Runs in order, oldest first. */
  runs: RunRecord[];
  faults: { shopify5xx: number; shopifyDropped: number; shopifyThrottleBursts: number; ccv: { error5xx: number; drop: number; '429': number } };
  bulkOperations: BulkOperationRec[];
  /** A sync after recovery, faults off: what it did and how many Shopify mutations it sent. */
  after: { counts: RunRecord['counts']; mutations: number };
  close(): Promise<void>;
}

function spawnWorker(db: string, world: WorkerWorld): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, KOPPEL_DB: db, KOPPEL_WORLD: JSON.stringify(world) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, exited };
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 15));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-products-rel-'));
  const db = join(dir, 'koppel.db');
  const cleanup: Array<() => Promise<unknown> | unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  const children: ChildProcess[] = [];
  cleanup.push(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  const close = async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  };
  try {
    const store: Store = await openStore({ url: db });
    cleanup.push(() => store.close());
    const ccv = await startCcvSandbox({ port: 0, products: o.products, seed: o.seed, rateScale: CCV_TIME_SCALE, webhookDispatch: 'manual', logger: () => {} });
    cleanup.push(() => ccv.close());
    const shopify = await startShopifySandbox({ port: 0, plan: 'plus', seed: o.seed, logger: () => {}, indexLagMs: o.indexLagMs ?? 0, ...(o.bulkLinesPerSecond ? { bulkLinesPerSecond: o.bulkLinesPerSecond } : {}) });
    cleanup.push(() => shopify.close());
    const expected = expectedCatalog(ccv);

    // The test's own view: the same database and sandboxes, Shopify mutations counted on the wire.
    let mutations = 0;
    const counting = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      if (typeof init?.body === 'string' && /^\s*mutation\b/.test((JSON.parse(init.body) as { query?: string }).query ?? '')) mutations++;
      return fetch(input, init);
    };
    const { config } = parseConfig(o.yaml, { file: null, env: {} });
    const env = createFlowEnv({
      config,
      store,
      ccv: ccvClientFromConfig({ baseUrl: ccv.origin, publicKey: ccv.publicKey, secretKey: ccv.secretKey, mediaType: 'salespos' }, { logger: silentLogger }),
      shopify: new ShopifyClient({ shop: shopify.shop, auth: { accessToken: shopify.accessToken }, endpoint: shopify.origin, logger: silentLogger, fetch: counting }),
      logger: silentLogger,
    });
    const producer: JobRuntime = createRuntime(store);
    productsFlow.define(producer, env); // to enqueue with the flow's own settings; this runtime never works jobs
    cleanup.push(() => producer.stop());

    // Faults. CCV: random 5xx, drops and 429 bursts, plus one of each scripted on the catalogue's pages.
    ccv.setFaults({
      error5xx: 0.05, drop: 0.02, burst429: 0.02, burstLength: 3, seed: o.seed,
      script: [{ fault: 'error5xx', resource: 'products' }, { fault: 'drop', resource: 'products' }, { fault: '429', resource: 'products' }],
    });
    // Shopify: 5 % 503 before anything runs, 2 % of mutations committed and then the answer dropped,
    // and the whole bucket spent by "other callers" every 700 ms.
    shopify.setFaults({ errorRate: 0.05, dropAfterCommitRate: 0.02 });
    const faults = { shopify5xx: 0, shopifyDropped: 0, shopifyThrottleBursts: 0 };
    const f = shopify.core.faults;
    const failure = f.failure.bind(f);
    const drop = f.dropAfterCommit.bind(f);
    f.failure = () => {
      const s = failure();
      if (s !== null) faults.shopify5xx++;
      return s;
    };
    f.dropAfterCommit = () => {
      const d = drop();
      if (d) faults.shopifyDropped++;
      return d;
    };
    const burst = setInterval(() => {
      shopify.core.bucket.drain(shopify.core.bucket.maximumAvailable);
      faults.shopifyThrottleBursts++;
    }, 700);
    cleanup.push(() => clearInterval(burst));

    const world: WorkerWorld = {
      ccv: { origin: ccv.origin, publicKey: ccv.publicKey, secretKey: ccv.secretKey },
      shopify: { origin: shopify.origin, shop: shopify.shop, accessToken: shopify.accessToken },
      yaml: o.yaml,
      ccvWindowMs: 60_000 / CCV_TIME_SCALE,
    };
    const bulkOps = () => [...shopify.state.table<BulkOperationRec>('bulkOperations').values()];
    const enqueue = () => producer.enqueue(PRODUCTS_JOB, { mode: 'delta' }, { key: 'products', lanes: [LANES.ccv, LANES.shopify] });

    const first = await enqueue();
    const w1 = spawnWorker(db, world);
    children.push(w1.child);
    let atKill = 0;
    let shopifyAtKill = 0;
    let dropsArmed = false;
    await until('the moment to kill the first worker', 30_000, async () => {
      atKill = await env.ledger.count(env.pair, 'product');
      // Besides the random ones, two writes of the load itself certainly lose their answers.
      if (!dropsArmed && (atKill > 0 || bulkOps().length > 0)) {
        dropsArmed = true;
        shopify.setFaults({ dropAfterCommitNext: 2 });
      }
      shopifyAtKill = shopify.state.table('products').size;
      return o.killWhen({ ledgerProducts: atKill, shopifyProducts: shopifyAtKill, expected: expected.valid.size, bulk: bulkOps() });
    });
    w1.child.kill('SIGKILL');
    const died = await w1.exited;

    const w2 = spawnWorker(db, world);
    children.push(w2.child);
    const done = await producer.waitFor(first.id, { timeoutMs: 40_000, pollMs: 25 });
    if (done.state !== 'completed') throw new Error(`the products job ended ${done.state}: ${JSON.stringify(done.error)}`);
    // As the schedule would: run again while a run left records failed (at most three more runs).
    for (let i = 0; i < 3; i++) {
      const newest = (await env.runs.list({ flow: 'products', limit: 1 })).items[0];
      if (!newest || (newest.counts.failed === 0 && (newest.status === 'succeeded' || newest.status === 'partial'))) break;
      const again = await enqueue();
      const r = await producer.waitFor(again.id, { timeoutMs: 30_000, pollMs: 25 });
      if (r.state !== 'completed') throw new Error(`a follow-up products job ended ${r.state}: ${JSON.stringify(r.error)}`);
    }
    clearInterval(burst);
    w2.child.kill('SIGTERM');
    const stopped = await w2.exited;
    if (stopped.code !== 0) throw new Error(`the second worker exited ${stopped.signal ?? stopped.code}: ${stopped.stderr}`);

    const runs = (await env.runs.list({ flow: 'products', limit: 50 })).items.reverse();
    const ccvFaults = { ...ccv.core.faults.stats };
    ccv.clearFaults();
    shopify.setFaults({ errorRate: 0, dropAfterCommitRate: 0 });
    const audit = auditShopify(shopify.state);

    mutations = 0;
    const last = await syncProducts(env, { dryRun: false, trigger: 'manual', mode: 'full' });
    return {
      expected, audit, env, ccv, shopify, atKill, shopifyAtKill, killSignal: died.signal,
      firstJobAttempts: (await producer.getJob(first.id))?.attempt ?? 0,
      runs,
      faults: { ...faults, ccv: { error5xx: ccvFaults.error5xx, drop: ccvFaults.drop, '429': ccvFaults['429'] } },
      bulkOperations: bulkOps(),
      after: { counts: last.run.counts, mutations },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Every check of "the final Shopify state equals the expected state" and "the ledger agrees with Shopify". */
export async function consistencyProblems(r: Pick<ScenarioResult, 'audit' | 'expected' | 'env' | 'shopify'>): Promise<string[]> {
  const problems: string[] = [];
  const { audit, expected, env } = r;
  const online = [...r.shopify.state.table<{ id: string; name: string }>('publications').values()].find((p) => p.name === 'Online Store')?.id;

  // Shopify against the CCV catalogue.
  for (const [sku, owners] of Object.entries(audit.duplicateSkus)) problems.push(`SKU ${sku} is on ${owners.length} Shopify variants`);
  for (const [ccvId, owners] of Object.entries(audit.duplicateCcvIds)) problems.push(`CCV product ${ccvId} is in Shopify ${owners.length} times`);
  for (const p of audit.withoutCcvId) problems.push(`Shopify product ${p.productId} (${p.title}) has no CCV id: Shopify started empty, so it is a stray`);
  for (const [id, want] of expected.valid) {
    const got = audit.byCcvId[id];
    if (!got) {
      problems.push(`CCV product ${id} (${want.title}) is missing in Shopify`);
      continue;
    }
    const skus = got.skus.map((s) => s ?? '(none)').sort();
    if (JSON.stringify(skus) !== JSON.stringify(want.skus)) problems.push(`CCV product ${id}: Shopify has SKUs ${skus.join(', ')}, CCV ${want.skus.join(', ')}`);
    if (got.title !== want.title) problems.push(`CCV product ${id}: Shopify title ${JSON.stringify(got.title)}, CCV ${JSON.stringify(want.title)}`);
    if (online === undefined || !got.publications.includes(online)) problems.push(`CCV product ${id} is not published to the Online Store`);
  }
  for (const id of Object.keys(audit.byCcvId)) if (!expected.valid.has(id)) problems.push(`Shopify has CCV product ${id}, which CCV cannot give it (${expected.tooManyOptions.has(id) ? 'more than 3 options' : 'unknown'})`);

  // The ledger against Shopify.
  const productLinks = [];
  for (let after: number | undefined; ;) {
    const page = await env.ledger.list(env.pair, 'product', { ...(after !== undefined ? { afterId: after } : {}), limit: 500 });
    productLinks.push(...page);
    if (page.length < 500) break;
    after = page[page.length - 1]!.id;
  }
  const variantLinks = [];
  for (let after: number | undefined; ;) {
    const page = await env.ledger.list(env.pair, 'variant', { ...(after !== undefined ? { afterId: after } : {}), limit: 500 });
    variantLinks.push(...page);
    if (page.length < 500) break;
    after = page[page.length - 1]!.id;
  }
  const byProductId = new Map(Object.values(audit.byCcvId).map((p) => [p.productId, p]));
  const productOfCcv = new Map<string, string>();
  for (const l of productLinks) {
    const p = byProductId.get(l.targetId);
    if (!p) problems.push(`ledger links CCV product ${l.sourceKey} to ${l.targetId}, which Shopify does not have`);
    else if (p.ccvId !== l.sourceKey) problems.push(`ledger links CCV product ${l.sourceKey} to ${l.targetId}, which carries CCV id ${p.ccvId}`);
    productOfCcv.set(l.sourceKey, l.targetId);
  }
  for (const p of Object.values(audit.byCcvId)) if (!productOfCcv.has(p.ccvId!)) problems.push(`Shopify product ${p.productId} (CCV ${p.ccvId}) has no ledger link`);
  const variantOwner = new Map<string, string>();
  for (const p of Object.values(audit.byCcvId)) for (const v of p.variantIds) variantOwner.set(v, p.productId);
  const linkedVariants = new Set<string>();
  for (const l of variantLinks) {
    const owner = variantOwner.get(l.targetId);
    const productKey = l.sourceKey.split('/')[0]!;
    if (!owner) problems.push(`ledger links CCV variant ${l.sourceKey} to ${l.targetId}, which Shopify does not have`);
    else if (owner !== productOfCcv.get(productKey)) problems.push(`ledger links CCV variant ${l.sourceKey} to a variant of ${owner}, not of the product linked to CCV product ${productKey}`);
    linkedVariants.add(l.targetId);
  }
  for (const [v, owner] of variantOwner) if (!linkedVariants.has(v)) problems.push(`Shopify variant ${v} of ${owner} has no ledger link`);
  return problems;
}

/** The faults the scenario injects really happened on both sides, and the catalogue has products Shopify must refuse. */
export function expectFaultsInjected(r: ScenarioResult): void {
  expect(r.faults.shopify5xx).toBeGreaterThan(0);
  expect(r.faults.shopifyDropped).toBeGreaterThan(0);
  expect(r.faults.shopifyThrottleBursts).toBeGreaterThan(0);
  expect(r.faults.ccv.error5xx + r.faults.ccv.drop + r.faults.ccv['429']).toBeGreaterThanOrEqual(3);
  expect(r.expected.tooManyOptions.size).toBeGreaterThan(0);
}

/** Shopify equals the CCV catalogue, the ledger equals Shopify, and a run after recovery writes nothing. */
export async function expectConverged(r: ScenarioResult): Promise<void> {
  expect(await consistencyProblems(r)).toEqual([]);
  expect(r.audit.products).toBe(r.expected.valid.size);
  expect(r.after.counts).toMatchObject({ created: 0, updated: 0, failed: 0, skipped: r.expected.valid.size, quarantined: r.expected.tooManyOptions.size });
  expect(r.after.mutations).toBe(0);
}
