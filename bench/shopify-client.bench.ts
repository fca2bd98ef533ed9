/**
 * Shopify client under sustained load against the Shopify sandbox (Plus preset): how much of the
 * cost bucket's ceiling it uses, how many THROTTLED answers it causes, and how every call ends under
 * injected faults (5xx, drop after commit, throttle bursts, slow answers).
 *
 * Ceiling = restoreRate x seconds + the initial (full) bucket: all a client could possibly spend.
 * Consumed = the actual cost Shopify charged for the calls (sum of actualQueryCost), cross-checked
 * against the sandbox's bucket level at the end.
 */
import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ShopifyClient, type ShopifyClientOptions } from '../src/connectors/shopify/client.js';
import * as docs from '../src/connectors/shopify/documents.js';
import { isKoppelError } from '../src/core/errors.js';
import type { Lane } from '../src/connectors/shopify/limiter.js';
import type { ProductSetSyncVariables } from '../src/connectors/shopify/documents.types.js';
import type { Benchmark, Metric } from './harness.js';

/** Time compression of the sandbox's restore rate (Plus: 1000 pt/s x SCALE; bucket 20 000 unchanged). */
const SCALE = 5;

/** What the benchmark needs of a sandbox running in its own process. */
interface ShopifySandbox {
  origin: string;
  shop: string;
  accessToken: string;
  close(): Promise<void>;
}

interface SandboxSpec {
  plan: 'plus';
  rateScale: number;
  seed: number;
}

/**
 * The sandbox runs in a child process (this same module, started with KOPPEL_BENCH_ROLE), so its CPU
 * work (executing the real schema) does not stall the client's event loop and timers: the numbers are
 * then about the client, not about sharing one thread with the simulator.
 */
async function startSandboxProcess(spec: SandboxSpec): Promise<ShopifySandbox> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, KOPPEL_BENCH_ROLE: 'shopify-sandbox', KOPPEL_BENCH_SANDBOX: JSON.stringify(spec) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const info = await new Promise<{ origin: string; shop: string; accessToken: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { origin: string; shop: string; accessToken: string }));
    child.once('exit', (code) => reject(new Error(`the sandbox process exited (${code}) before it listened`)));
  });
  return {
    ...info,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('close');
      }),
  };
}

if (process.env.KOPPEL_BENCH_ROLE === 'shopify-sandbox') {
  const spec = JSON.parse(process.env.KOPPEL_BENCH_SANDBOX ?? '{}') as SandboxSpec;
  const { startShopifySandbox } = await import('../sandbox/shopify/index.js');
  const sb = await startShopifySandbox({ port: 0, plan: spec.plan, rateScale: spec.rateScale, seed: spec.seed, logger: () => {} });
  process.on('message', (m) => {
    if (m === 'close') void sb.close().then(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ origin: sb.origin, shop: sb.shop, accessToken: sb.accessToken });
}

/** mulberry32: reproducible fault dice. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Catalog {
  locationId: string;
  handles: string[];
  items: string[];
}

async function sandboxJson(sb: ShopifySandbox, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${sb.origin}/__sandbox/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`/__sandbox/${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

function newClient(sb: ShopifySandbox, over: Partial<ShopifyClientOptions> = {}): ShopifyClient {
  return new ShopifyClient({ shop: sb.shop, auth: { accessToken: sb.accessToken }, endpoint: sb.origin, connection: 'bench', ...over });
}

function productInput(handle: string, n: number, variants: number, locationId: string, price: string): ProductSetSyncVariables {
  return {
    identifier: { handle },
    input: {
      title: `Bench product ${n}`,
      handle,
      status: 'ACTIVE',
      vendor: 'Koppel bench',
      tags: ['bench', `bench-${n % 7}`],
      productOptions: [{ name: 'Maat', position: 1, values: Array.from({ length: variants }, (_, v) => ({ name: `S${v}` })) }],
      variants: Array.from({ length: variants }, (_, v) => ({
        optionValues: [{ optionName: 'Maat', name: `S${v}` }],
        sku: `BENCH-${n}-${v}`,
        price,
        inventoryItem: { tracked: true },
        inventoryQuantities: [{ locationId, name: 'available', quantity: 100 }],
      })),
    },
  };
}

async function seed(sb: ShopifySandbox, products: number, variants: number): Promise<Catalog> {
  const c = newClient(sb);
  const loc = await c.query(docs.Locations, {}, { lane: 'reconcile' });
  const locationId = (loc.data as { locations: { nodes: { id: string; isActive: boolean }[] } }).locations.nodes.find((l) => l.isActive)!.id;
  const handles: string[] = [];
  const items: string[] = [];
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      for (let n = w; n < products; n += 4) {
        const handle = `bench-${n}`;
        const r = await c.mutate(docs.ProductSetSync, productInput(handle, n, variants, locationId, '10.00'), { lane: 'products', retrySafe: true });
        if (!r.ok) throw new Error(`seed ${handle}: ${JSON.stringify(r.userErrors)}`);
        handles.push(handle);
        for (const v of (r.data as { productSet: { product: { variants: { nodes: { inventoryItem: { id: string } }[] } } } }).productSet.product.variants.nodes) items.push(v.inventoryItem.id);
      }
    }),
  );
  return { locationId, handles, items };
}

/** Waits until the sandbox bucket is full again, so the measured window starts from a known level. */
async function waitFull(sb: ShopifySandbox): Promise<{ maximumAvailable: number; restoreRate: number }> {
  for (;;) {
    const s = (await sandboxJson(sb, 'throttle')) as { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
    if (s.currentlyAvailable >= s.maximumAvailable) return s;
    await new Promise((r) => setTimeout(r, Math.ceil(((s.maximumAvailable - s.currentlyAvailable) / s.restoreRate) * 1000) + 5));
  }
}

interface Tally {
  calls: number;
  ok: number;
  userErrors: number;
  consumed: number;
  byLane: Record<string, { calls: number; consumed: number; maxWaitMs: number }>;
}

function workload(c: ShopifyClient, cat: Catalog, tally: Tally, keyPrefix: string) {
  let seq = 0;
  const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
  const record = (lane: Lane, r: { ok: boolean; cost: { actual: number | null } }, t0: number) => {
    tally.calls++;
    if (r.ok) tally.ok++;
    else tally.userErrors++;
    const a = r.cost.actual ?? 0;
    tally.consumed += a;
    const l = (tally.byLane[lane] ??= { calls: 0, consumed: 0, maxWaitMs: 0 });
    l.calls++;
    l.consumed += a;
    l.maxWaitMs = Math.max(l.maxWaitMs, performance.now() - t0);
  };
  const ops: Record<Lane, () => Promise<void>> = {
    stock: async () => {
      const t0 = performance.now();
      const r = await c.mutate(
        docs.InventorySet,
        { input: { name: 'available', reason: 'correction', quantities: [{ inventoryItemId: pick(cat.items), locationId: cat.locationId, quantity: 50 + (seq % 50), changeFromQuantity: null }] }, key: `${keyPrefix}-set-${++seq}` },
        { lane: 'stock' },
      );
      record('stock', r, t0);
    },
    orders: async () => {
      const t0 = performance.now();
      const n = Math.floor(Math.random() * cat.handles.length);
      const r = await c.query(docs.VariantsBySku, { query: `sku:"BENCH-${n}-1"` }, { lane: 'orders' });
      record('orders', r, t0);
    },
    customers: async () => {
      // The sandbox has no customers yet: exact product lookups stand in for customer lookups.
      const t0 = performance.now();
      const r = await c.query(docs.ProductByIdentifier, { identifier: { handle: pick(cat.handles) }, variants: 50 }, { lane: 'customers' });
      record('customers', r, t0);
    },
    products: async () => {
      const t0 = performance.now();
      const n = Math.floor(Math.random() * cat.handles.length);
      const r = await c.mutate(docs.ProductSetSync, productInput(`bench-${n}`, n, 10, cat.locationId, `${10 + (++seq % 20)}.00`), { lane: 'products', retrySafe: true });
      record('products', r, t0);
    },
    reconcile: async () => {
      const t0 = performance.now();
      const r = await c.query(docs.ProductsUpdatedSince, { query: 'tag:bench', first: 10, variants: 10 }, { lane: 'reconcile' });
      record('reconcile', r, t0);
    },
  };
  return ops;
}

async function sustained(seconds: number, log: (l: string) => void) {
  const sb = await startSandboxProcess({ plan: 'plus', rateScale: SCALE, seed: 11 });
  try {
    log('seeding 60 products x 10 variants');
    const cat = await seed(sb, 60, 10);
    const bucket = await waitFull(sb);
    const c = newClient(sb);
    const tally: Tally = { calls: 0, ok: 0, userErrors: 0, consumed: 0, byLane: {} };
    const ops = workload(c, cat, tally, 'load');
    const producers: [Lane, number][] = [
      ['stock', 2],
      ['orders', 2],
      ['customers', 2],
      ['products', 3],
      ['reconcile', 3],
    ];
    const start = performance.now();
    const end = start + seconds * 1000;
    await Promise.all(
      producers.flatMap(([lane, n]) =>
        Array.from({ length: n }, async () => {
          while (performance.now() < end) await ops[lane]();
        }),
      ),
    );
    const elapsed = (performance.now() - start) / 1000;
    const after = (await sandboxJson(sb, 'throttle')) as { currentlyAvailable: number };
    const ceiling = bucket.restoreRate * elapsed + bucket.maximumAvailable;
    const stats = c.stats();
    return {
      ratio: tally.consumed / ceiling,
      // What the sandbox's bucket says was spent (an upper bound: it assumes nothing overflowed a full bucket).
      bucketRatio: (ceiling - after.currentlyAvailable) / ceiling,
      throttledShare: stats.throttled / Math.max(1, stats.requests),
      elapsed,
      ceiling,
      tally,
      stats,
      bucket,
    };
  } finally {
    await sb.close();
  }
}

async function faultRun(seconds: number, log: (l: string) => void) {
  const sb = await startSandboxProcess({ plan: 'plus', rateScale: SCALE, seed: 5 });
  const timeoutMs = 400;
  try {
    const cat = await seed(sb, 20, 5);
    const base = newClient(sb);
    const start = new Map<string, number>();
    for (const item of cat.items) start.set(item, 100);

    // Every HTTP attempt is timed at the fetch level, to show none outlives the timeout. The same
    // wrapper holds back 3 % of answers for 5 s after Shopify processed the request (a stalled
    // connection): without a working timeout those attempts would last 5 s.
    let maxAttemptMs = 0;
    let attempts = 0;
    let stalled = 0;
    const dice = seeded(17);
    const timedFetch: typeof fetch = async (input, init) => {
      const t0 = performance.now();
      attempts++;
      try {
        const res = await fetch(input, init);
        const body = await res.arrayBuffer();
        if (String(input).includes('/graphql.json') && dice() < 0.03) {
          stalled++;
          await new Promise<void>((resolve, reject) => {
            const signal = init?.signal;
            const t = setTimeout(resolve, 5000);
            signal?.addEventListener('abort', () => {
              clearTimeout(t);
              reject(signal.reason);
            }, { once: true });
          });
        }
        return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
      } finally {
        maxAttemptMs = Math.max(maxAttemptMs, performance.now() - t0);
      }
    };
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const c = newClient(sb, { fetch: timedFetch, timeoutMs, retries: 4, retryMinDelayMs: 20, retryMaxDelayMs: 400, connection: 'bench-faults' });

    await sandboxJson(sb, 'faults', { errorRate: 0.1, errorStatus: 503, dropAfterCommitRate: 0.05, latencyMs: 5, latencyJitterMs: 100 });
    log(`faults on: 10% 503, 5% drop after commit, 3% answers stalled 5 s (timeout ${timeoutMs} ms), latency 5..105 ms, throttle bursts emptying the bucket every 2 s`);
    const stop = performance.now() + seconds * 1000;
    const bursts = (async () => {
      while (performance.now() < stop) {
        await new Promise((r) => setTimeout(r, 2000));
        await sandboxJson(sb, 'throttle', { drain: 20_000 });
      }
    })();

    const outcome = { calls: 0, ok: 0, userErrors: 0, typed: new Map<string, number>(), untyped: 0, maxCallMs: 0 };
    const adjusted = new Map<string, number>();
    const tainted = new Set<string>();
    const unknownHandles: string[] = [];
    let seq = 0;
    const run = async (fn: () => Promise<{ ok: boolean }>, onError?: (e: unknown) => void) => {
      const t0 = performance.now();
      outcome.calls++;
      try {
        const r = await fn();
        if (r.ok) outcome.ok++;
        else outcome.userErrors++;
        return r;
      } catch (e) {
        if (isKoppelError(e)) outcome.typed.set(`${e.code} (${e.errorClass})`, (outcome.typed.get(`${e.code} (${e.errorClass})`) ?? 0) + 1);
        else outcome.untyped++;
        onError?.(e);
        return undefined;
      } finally {
        outcome.maxCallMs = Math.max(outcome.maxCallMs, performance.now() - t0);
      }
    };
    const producer = async (kind: number) => {
      while (performance.now() < stop) {
        const n = ++seq;
        if (kind === 0) {
          // @idempotent stock deltas: must land exactly once each
          const item = cat.items[n % cat.items.length]!;
          const delta = 1 + (n % 3);
          const r = await run(
            () => c.mutate(docs.InventoryAdjust, { input: { name: 'available', reason: 'received', changes: [{ inventoryItemId: item, locationId: cat.locationId, delta, changeFromQuantity: null }] }, key: `fault-adj-${n}` }, { lane: 'stock' }),
            () => tainted.add(item),
          );
          if (r?.ok) adjusted.set(item, (adjusted.get(item) ?? 0) + delta);
          else if (r) tainted.add(item);
        } else if (kind === 1) {
          await run(() => c.query(docs.VariantsBySku, { query: `sku:"BENCH-${n % 20}-1"` }, { lane: 'orders' }));
        } else if (kind === 2) {
          // non-idempotent creates: a lost answer must be outcome_unknown, then looked up
          const handle = `fault-new-${n}`;
          await run(
            () => c.mutate(docs.ProductCreate, { product: { title: `Fault ${n}`, handle, status: 'DRAFT' } }, { lane: 'products' }),
            (e) => {
              if (isKoppelError(e) && e.errorClass === 'outcome_unknown') unknownHandles.push(handle);
            },
          );
        } else {
          await run(() => c.query(docs.ProductsUpdatedSince, { query: 'tag:bench', first: 5, variants: 5 }, { lane: 'reconcile' }));
        }
      }
    };
    await Promise.all([0, 0, 1, 2, 2, 3].map((k) => producer(k)));
    await bursts;
    loopDelay.disable();
    await sandboxJson(sb, 'faults', { reset: true });

    // Exactly-once check for the @idempotent deltas, on items whose every call ended in success.
    let checked = 0;
    let drift = 0;
    for (const [item, delta] of adjusted) {
      if (tainted.has(item)) continue;
      const r = await base.query(docs.InventoryLevelsForItem, { id: item }, { lane: 'stock' });
      const q = (r.data as { inventoryItem: { inventoryLevels: { nodes: { location: { id: string }; quantities: { name: string; quantity: number }[] }[] } } }).inventoryItem.inventoryLevels.nodes
        .find((l) => l.location.id === cat.locationId)
        ?.quantities.find((x) => x.name === 'available')?.quantity;
      checked++;
      if (q !== (start.get(item) ?? 0) + delta) drift++;
    }
    // Outcome-unknown creates, looked up afterwards as a flow would.
    let committed = 0;
    for (const handle of unknownHandles) {
      const r = await base.query(docs.ProductByIdentifier, { identifier: { handle }, variants: 1 }, { lane: 'products' });
      if ((r.data as { productByIdentifier: unknown }).productByIdentifier) committed++;
    }
    return { ...outcome, attempts, stalled, maxAttemptMs, loopDelayMaxMs: loopDelay.max / 1e6, timeoutMs, checked, drift, unknown: unknownHandles.length, committed, stats: c.stats() };
  } finally {
    await sb.close();
  }
}

export const benchmark: Benchmark = {
  name: 'shopify-client',
  description: 'Shopify client: share of the sandbox cost-bucket ceiling used under sustained mixed load on five lanes, THROTTLED share, and outcomes under faults',
  async run({ log, quick }) {
    const seconds = quick ? 10 : 60;
    log(`sustained load, Plus preset x${SCALE} (${1000 * SCALE} pt/s, bucket 20 000), ${seconds} s, 12 producers on 5 lanes`);
    const s = await sustained(seconds, log);
    log(`consumed ${Math.round(s.tally.consumed)} of ${Math.round(s.ceiling)} points; ${s.stats.requests} requests, ${s.stats.throttled} throttled`);
    const faultSeconds = quick ? 8 : 30;
    log(`fault run, ${faultSeconds} s`);
    const f = await faultRun(faultSeconds, log);
    const typedTotal = [...f.typed.values()].reduce((a, b) => a + b, 0);
    const metrics: Metric[] = [
      { name: 'cost consumed / ceiling', value: s.ratio, unit: '', target: { op: '>=', value: 0.9 }, note: 'sum of actualQueryCost / (restoreRate x s + bucket)' },
      { name: 'bucket spent / ceiling', value: s.bucketRatio, unit: '', note: "from the sandbox's bucket level at the end" },
      { name: 'throttled responses', value: s.throttledShare * 100, unit: '%', target: { op: '<=', value: 1 } },
      { name: 'requests', value: s.stats.requests, unit: '' },
      { name: 'fault run: calls', value: f.calls, unit: '' },
      { name: 'fault run: calls ending without success or typed error', value: f.untyped, unit: '', target: { op: '<=', value: 0 } },
      {
        name: 'fault run: longest HTTP attempt',
        value: Math.round(f.maxAttemptMs),
        unit: 'ms',
        target: { op: '<=', value: f.timeoutMs * 1.5 },
        note: `timeout ${f.timeoutMs} ms; stalled answers would take 5000 ms; event-loop delay up to ${Math.round(f.loopDelayMaxMs)} ms`,
      },
      { name: 'fault run: idempotent deltas applied twice or lost', value: f.drift, unit: '', target: { op: '<=', value: 0 }, note: `${f.checked} items checked` },
    ];
    const lanes = Object.entries(s.tally.byLane)
      .map(([lane, l]) => `| ${lane} | ${l.calls} | ${Math.round(l.consumed)} | ${Math.round(l.maxWaitMs)} |`)
      .join('\n');
    return {
      setup: `Shopify sandbox in its own process over a loopback socket, Plus preset with rateScale ${SCALE} (restore ${s.bucket.restoreRate} pt/s, bucket ${s.bucket.maximumAvailable}); 60 products x 10 variants seeded, bucket full at the start. Sustained: ${seconds} s, 12 producers (stock: InventorySet @idempotent x2, orders: VariantsBySku x2, customers: ProductByIdentifier x2, products: ProductSetSync x3, reconcile: ProductsUpdatedSince x3), client defaults (maxInFlight 10). Fault run: ${faultSeconds} s, 6 producers (InventoryAdjust @idempotent, VariantsBySku, ProductCreate, ProductsUpdatedSince), 10% 503, 5% drop after commit, 3% of answers stalled 5 s at the transport (timeout ${f.timeoutMs} ms), latency 5..105 ms, the bucket emptied by other callers every 2 s (POST /__sandbox/throttle {drain: 20000}).`,
      metrics,
      details: [
        '| lane | calls | cost consumed | slowest call (ms, incl. waiting) |',
        '|---|---|---|---|',
        lanes,
        '',
        `Fault run: ${f.calls} calls → ${f.ok} ok, ${f.userErrors} with userErrors, ${typedTotal} typed errors, ${f.untyped} other; ${f.attempts} HTTP attempts (${f.stalled} stalled), ${f.stats.retries} retries, ${f.stats.throttled} THROTTLED waited out; longest call ${Math.round(f.maxCallMs)} ms.`,
        `Typed errors: ${[...f.typed.entries()].map(([k, v]) => `${k} × ${v}`).join(', ') || 'none'}.`,
        `Outcome-unknown creates looked up afterwards: ${f.unknown}, of which ${f.committed} had been committed.`,
      ],
    };
  },
};
