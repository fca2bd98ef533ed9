/**
 * The stock benchmarks' world: both sandboxes in a child process (their CPU work must not stall the
 * flow's event loop and timers), reached over loopback sockets exactly like real APIs, plus hooks
 * the child runs in-process: a till sale or a back-office correction stamped with the child's clock,
 * and a notice for every Shopify inventory change of watched items (so latency is measured without
 * spending the API budget under test). The parent runs Koppel: store, clients, engine, stock flow.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CcvSandboxOptions } from '../../../sandbox/ccv/options.js';
import type { PlanName } from '../../../sandbox/shopify/index.js';
import { CcvClient, CcvRateBudget } from '../../../src/connectors/ccv/index.js';
import type { CcvLimits } from '../../../src/connectors/ccv/budget.js';
import type { CcvStockRecord } from '../../../src/connectors/ccv/read/stock.js';
import { ShopifyClient } from '../../../src/connectors/shopify/client.js';
import type { Store } from '../../../src/store/db.js';
import { ConfigSchema, type KoppelConfig } from '../../../src/config/schema.js';
import { stockSettings } from '../../../src/config/stock.js';
import { createFlowEnv } from '../../../src/flows/env.js';
import { StockService } from '../../../src/flows/stock/service.js';
import { silentLogger, type Logger } from '../../../src/obs/log.js';
import { IdentityLedger } from '../../../src/engine/ledger.js';

export interface HostSpec {
  ccv: Partial<CcvSandboxOptions> & { products: number; seed: number };
  shopify: { plan: PlanName; rateScale: number };
}

export interface LevelNotice {
  item: string;
  location: string;
  available: number;
  at: number;
}

export interface SeedVariant {
  key: string;
  sku: string;
  quantity: number;
}

export interface Seeded {
  key: string;
  sku: string;
  variantId: string;
  itemId: string;
}

export interface SandboxHost {
  ccv: { origin: string; publicKey: string; secretKey: string };
  shopify: { origin: string; shop: string; accessToken: string };
  tillSale(lines: Array<{ sku: string; count: number }>): Promise<{ at: number; orderId: number }>;
  setStock(sku: string, stock: number): Promise<{ at: number }>;
  /** Creates one Shopify product per CCV product with these variants (at a temporarily raised rate). */
  seed(products: Array<{ productId: number; variants: SeedVariant[] }>, locationId: string): Promise<Seeded[]>;
  setPlan(plan: PlanName, rateScale: number): Promise<void>;
  /** Shopify's bucket now (the child's view). */
  bucket(): Promise<{ available: number; max: number; restoreRate: number }>;
  /** Inventory changes of these items are reported to `onLevel` from now on. */
  watch(items: readonly string[]): Promise<void>;
  onLevel(cb: (n: LevelNotice) => void): void;
  close(): Promise<void>;
}

/**
 * Koppel's side of a stock benchmark: default stock settings, clients to the host's sandboxes, the
 * flow environment on `store`, the stock service and the Shopify location it resolves.
 */
export async function stockBenchEnv(host: SandboxHost, store: Store, logger: Logger = silentLogger) {
  const { ccv, shopify, meter } = clientsFor(host);
  const config = ConfigSchema.parse({ flows: { stock: { enabled: true } } }) as KoppelConfig;
  const env = createFlowEnv({ config, store, ccv, shopify, logger });
  const settings = stockSettings(config.flows);
  const svc = new StockService(env, settings);
  const [location] = await svc.locations.resolve();
  return { ccv, shopify, meter, config, env, settings, svc, location };
}

/**
 * Latency from a change in CCV to the new available quantity at a location in Shopify: `expect` an item's
 * figure with the time of the change; the first inventory event with that figure ends the wait.
 * `pending` holds what has not arrived yet, `latencies` the seconds of what has.
 */
export function trackLatencies(host: SandboxHost, locationId: string): { pending: Map<string, { want: number; at: number }>; latencies: number[] } {
  const pending = new Map<string, { want: number; at: number }>();
  const latencies: number[] = [];
  host.onLevel((n) => {
    const p = pending.get(n.item);
    if (p && n.available === p.want && n.location === locationId) {
      latencies.push((n.at - p.at) / 1000);
      pending.delete(n.item);
    }
  });
  return { pending, latencies };
}

type Msg = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string } | { type: 'level'; n: LevelNotice } | { type: 'ready'; value: unknown };

export async function startSandboxHost(spec: HostSpec): Promise<SandboxHost> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=3072'],
    env: { ...process.env, KOPPEL_BENCH_ROLE: 'stock-sandboxes', KOPPEL_BENCH_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const levelListeners: Array<(n: LevelNotice) => void> = [];
  let ready: (v: unknown) => void;
  const readyP = new Promise((r) => (ready = r));
  child.on('message', (m: Msg) => {
    if ('type' in m) {
      if (m.type === 'ready') ready(m.value);
      else for (const l of levelListeners) l(m.n);
      return;
    }
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (!p) return;
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.error));
  });
  child.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`sandbox host exited (${code})`));
  });
  let seq = 0;
  const call = <T>(cmd: string, args: unknown = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, cmd, args });
    });
  const info = (await readyP) as Pick<SandboxHost, 'ccv' | 'shopify'>;
  return {
    ...info,
    tillSale: (lines) => call('tillSale', { lines }),
    setStock: (sku, stock) => call('setStock', { sku, stock }),
    seed: (products, locationId) => call('seed', { products, locationId }),
    setPlan: (plan, rateScale) => call('setPlan', { plan, rateScale }),
    bucket: () => call('bucket'),
    watch: (items) => call('watch', { items }),
    onLevel: (cb) => void levelListeners.push(cb),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ id: 0, cmd: 'close', args: {} });
      }),
  };
}

export interface ShopifyMeter {
  /** Sum of Shopify's actualQueryCost over every answer (what the bucket was charged). */
  actual: number;
  calls: number;
  throttled: number;
  byOp: Map<string, { calls: number; actual: number }>;
}

/** Clients for the parent (Koppel's side), pacing by the sandbox's real limits unless told otherwise. */
export function clientsFor(host: SandboxHost, o: { ccvLimits?: Partial<CcvLimits> } = {}): { ccv: CcvClient; shopify: ShopifyClient; meter: ShopifyMeter } {
  const ccv = new CcvClient({ baseUrl: host.ccv.origin, publicKey: host.ccv.publicKey, secretKey: host.ccv.secretKey, budget: new CcvRateBudget(o.ccvLimits ?? {}) });
  const meter: ShopifyMeter = { actual: 0, calls: 0, throttled: 0, byOp: new Map() };
  const metering = (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await fetch(input, init);
    let op = 'other';
    try {
      op = /^\s*(?:query|mutation)\s+([A-Za-z0-9_]+)/.exec((JSON.parse(String(init?.body ?? '{}')) as { query?: string }).query ?? '')?.[1] ?? 'other';
    } catch {
      // not GraphQL
    }
    const j = (await res.clone().json().catch(() => ({}))) as { errors?: Array<{ extensions?: { code?: string } }>; extensions?: { cost?: { actualQueryCost?: number | null } } };
    const actual = j.extensions?.cost?.actualQueryCost ?? 0;
    meter.calls++;
    meter.actual += actual;
    if (j.errors?.some((e) => e.extensions?.code === 'THROTTLED')) meter.throttled++;
    const per = meter.byOp.get(op) ?? { calls: 0, actual: 0 };
    per.calls++;
    per.actual += actual;
    meter.byOp.set(op, per);
    return res;
  }) as typeof fetch;
  const shopify = new ShopifyClient({ shop: host.shopify.shop, auth: { accessToken: host.shopify.accessToken }, endpoint: host.shopify.origin, fetch: metering });
  return { ccv, shopify, meter };
}

/** Seeds Shopify from CCV stock records and writes the ledger's variant links (as the products flow leaves them). */
export async function seedFromCatalogue(host: SandboxHost, store: Store, pair: string, locationId: string, catalogue: readonly CcvStockRecord[], quantity: (v: { key: string; stock: unknown }) => number): Promise<Seeded[]> {
  const seen = new Set<string>();
  const products = catalogue
    .filter((r) => r.tracked)
    .map((r) => ({ productId: r.productId, variants: r.variants.filter((v) => v.sku !== null && !seen.has(v.sku) && (seen.add(v.sku), true)).map((v) => ({ key: v.key, sku: v.sku!, quantity: quantity(v) })) }))
    .filter((p) => p.variants.length > 0);
  const out: Seeded[] = [];
  for (let i = 0; i < products.length; i += 2000) out.push(...(await host.seed(products.slice(i, i + 2000), locationId)));
  for (let i = 0; i < out.length; i += 1000) {
    await store.db.transaction().execute(async (tx) => {
      const ledger = new IdentityLedger(tx);
      for (const s of out.slice(i, i + 1000)) await ledger.link({ pair, entity: 'variant', sourceKey: s.key, targetId: s.variantId, refs: { inventoryItem: s.itemId }, sku: s.sku, direction: 'source_to_target' });
    });
  }
  return out;
}

// ── the child ─────────────────────────────────────────────────────────────────────────────

if (process.env.KOPPEL_BENCH_ROLE === 'stock-sandboxes') {
  const spec = JSON.parse(process.env.KOPPEL_BENCH_SPEC ?? '{}') as HostSpec;
  const { startCcvSandbox } = await import('../../../sandbox/ccv/index.js');
  const { startShopifySandbox } = await import('../../../sandbox/shopify/index.js');
  const ccv = await startCcvSandbox({ port: 0, webhookDispatch: 'manual', logger: () => {}, ...spec.ccv });
  const shopify = await startShopifySandbox({ port: 0, plan: spec.shopify.plan, rateScale: spec.shopify.rateScale, logger: () => {} });
  let watched = new Set<string>();
  shopify.core.on((e) => {
    if (e.topic !== 'inventory_levels/update') return;
    const d = e.detail as { inventoryItemId: string; locationId: string; available: number };
    if (watched.has(d.inventoryItemId)) process.send?.({ type: 'level', n: { item: d.inventoryItemId, location: d.locationId, available: d.available, at: Date.now() } });
  });
  const gqlLocal = async (query: string, variables: unknown) => {
    const res = await shopify.app.fetch(new Request(`http://${shopify.shop}/admin/api/2026-10/graphql.json`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-access-token': shopify.accessToken }, body: JSON.stringify({ query, variables }),
    }));
    return (await res.json()) as { data?: Record<string, { product?: { variants: { nodes: Array<{ id: string; sku: string; inventoryItem: { id: string } }> } }; userErrors: unknown[] }>; errors?: unknown };
  };
  const handlers: Record<string, (a: Record<string, unknown>) => Promise<unknown> | unknown> = {
    tillSale: (a) => {
      const at = Date.now();
      const r = ccv.tillSale({ lines: a.lines as Array<{ sku: string; count: number }> });
      return { at, orderId: (r.order as { id: number }).id };
    },
    setStock: (a) => {
      const at = Date.now();
      ccv.setStock({ sku: a.sku as string, stock: a.stock as number });
      return { at };
    },
    setPlan: (a) => shopify.setPlan(a.plan as PlanName, a.rateScale as number),
    bucket: async () => {
      const r = await shopify.app.fetch(new Request(`http://${shopify.shop}/__sandbox/throttle`));
      const j = (await r.json()) as { currentlyAvailable: number; maximumAvailable: number; restoreRate: number };
      return { available: j.currentlyAvailable, max: j.maximumAvailable, restoreRate: j.restoreRate };
    },
    watch: (a) => {
      watched = new Set(a.items as string[]);
    },
    seed: async (a) => {
      const products = a.products as Array<{ productId: number; variants: SeedVariant[] }>;
      const locationId = a.locationId as string;
      const out: Seeded[] = [];
      // Pack products into requests under the single-query cost cap (each asks back its variants).
      const groups: Array<typeof products> = [];
      let cur: typeof products = [];
      let cost = 0;
      for (const p of products) {
        const c = 16 + 2 * p.variants.length;
        if (cur.length && (cost + c > 900 || cur.length >= 25)) {
          groups.push(cur);
          cur = [];
          cost = 0;
        }
        cur.push(p);
        cost += c;
      }
      if (cur.length) groups.push(cur);
      for (const group of groups) {
        const vars: Record<string, unknown> = {};
        const fields = group.map((p, j) => {
          vars[`i${j}`] = {
            title: `CCV ${p.productId}`, handle: `ccv-${p.productId}`, status: 'ACTIVE',
            productOptions: [{ name: 'Variant', position: 1, values: p.variants.map((v) => ({ name: v.key })) }],
            variants: p.variants.map((v) => ({ optionValues: [{ optionName: 'Variant', name: v.key }], sku: v.sku, price: '9.95', inventoryItem: { tracked: true }, inventoryQuantities: [{ locationId, name: 'available', quantity: v.quantity }] })),
          };
          return `p${j}: productSet(input: $i${j}, synchronous: true) { product { variants(first: ${Math.max(1, p.variants.length)}) { nodes { id sku inventoryItem { id } } } } userErrors { field message } }`;
        });
        const query = `mutation Seed(${group.map((_, j) => `$i${j}: ProductSetInput!`).join(', ')}) { ${fields.join(' ')} }`;
        const r = await gqlLocal(query, vars);
        if (!r.data) throw new Error(`seeding failed: ${JSON.stringify(r.errors).slice(0, 500)}`);
        group.forEach((p, j) => {
          const res = r.data![`p${j}`]!;
          if (!res.product) throw new Error(`seeding product ${p.productId}: ${JSON.stringify(res.userErrors)}`);
          for (const n of res.product.variants.nodes) {
            const v = p.variants.find((x) => x.sku === n.sku)!;
            out.push({ key: v.key, sku: v.sku, variantId: n.id, itemId: n.inventoryItem.id });
          }
        });
      }
      return out;
    },
  };
  process.on('message', (m: { id: number; cmd: string; args: Record<string, unknown> }) => {
    if (m.cmd === 'close') {
      void Promise.all([ccv.close(), shopify.close()]).then(() => process.exit(0));
      return;
    }
    void (async () => {
      try {
        process.send?.({ id: m.id, ok: true, value: (await handlers[m.cmd]!(m.args)) ?? null });
      } catch (e) {
        process.send?.({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', value: { ccv: { origin: ccv.origin, publicKey: ccv.publicKey, secretKey: ccv.secretKey }, shopify: { origin: shopify.origin, shop: shopify.shop, accessToken: shopify.accessToken } } });
}
