/**
 * Role: one Koppel process running the products flow against the sandboxes (see ../child.ts). Its
 * own process, so `maxRSS` is the peak of this run alone. Both API clients get a counting fetch:
 * every CCV request (by resource and method) and every Shopify GraphQL request (by operation, query
 * or mutation, with Shopify's actual cost) is tallied on the wire.
 */
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../../../src/config/loader.js';
import { ccvClientFromConfig } from '../../../src/connectors/ccv/from-config.js';
import { resourceOf } from '../../../src/connectors/ccv/client.js';
import { ShopifyClient } from '../../../src/connectors/shopify/client.js';
import { createFlowEnv } from '../../../src/flows/env.js';
import { syncProducts } from '../../../src/flows/products/sync.js';
import { silentLogger } from '../../../src/obs/log.js';
import { openStore } from '../../../src/store/db.js';

export interface KoppelSpec {
  ccv: { origin: string; publicKey: string; secretKey: string };
  shopify: { origin: string; shop: string; accessToken: string };
  /** SQLite file: the ledger and checkpoints carry over between runs. */
  db: string;
  yaml?: string;
}

export interface OpTally {
  calls: number;
  actualCost: number;
  requestedCost: number;
}

export interface WireTally {
  shopify: {
    requests: number;
    queries: number;
    mutations: number;
    throttled: number;
    /** Sum of actualQueryCost over every answer (queries and mutations). */
    actualCost: number;
    /** The same over mutations only: what writing cost. */
    mutationCost: number;
    byOperation: Record<string, OpTally>;
    /** Non-GraphQL transfers: staged uploads and bulk result downloads. */
    transfers: number;
  };
  ccv: {
    requests: number;
    /** `GET products` requests (the catalogue's pages). */
    productPages: number;
    /** `METHOD resource` → requests. */
    byResource: Record<string, number>;
  };
}

export interface SyncMeasurement {
  /** Epoch ms at the start and the end of the sync (to line up with the sandboxes' clocks). */
  startedAtMs: number;
  endedAtMs: number;
  wallMs: number;
  counts: Record<string, number>;
  lines: string[];
  wire: WireTally;
  /** Peak resident set size of this process so far, bytes. */
  maxRss: number;
  /** CPU time of this process during the run, ms (user + system). */
  cpuMs: number;
  heapUsedAfter: number;
}

function emptyTally(): WireTally {
  return {
    shopify: { requests: 0, queries: 0, mutations: 0, throttled: 0, actualCost: 0, mutationCost: 0, byOperation: {}, transfers: 0 },
    ccv: { requests: 0, productPages: 0, byResource: {} },
  };
}

const OPERATION = /^\s*(?:#[^\n]*\n\s*)*(query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/;

export async function start(spec: KoppelSpec) {
  let tally = emptyTally();
  const ccvFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    const key = `${method} ${resourceOf(url.pathname)}`;
    tally.ccv.requests++;
    tally.ccv.byResource[key] = (tally.ccv.byResource[key] ?? 0) + 1;
    if (key === 'GET products' && /\/products\/?$/.test(url.pathname)) tally.ccv.productPages++;
    return fetch(input, init);
  }) as typeof fetch;

  const shopifyFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.includes('/graphql.json')) {
      tally.shopify.transfers++;
      return fetch(input, init);
    }
    const body = typeof init?.body === 'string' ? init.body : '';
    let kind = 'query';
    let name = 'unknown';
    try {
      const m = OPERATION.exec((JSON.parse(body) as { query?: string }).query ?? '');
      if (m) [kind, name] = [m[1]!, m[2]!];
    } catch {
      /* not JSON: counted as unknown */
    }
    const res = await fetch(input, init);
    const s = tally.shopify;
    s.requests++;
    if (kind === 'mutation') s.mutations++;
    else s.queries++;
    const op = (s.byOperation[name] ??= { calls: 0, actualCost: 0, requestedCost: 0 });
    op.calls++;
    // Read the cost from a copy; the client reads the original.
    const copy = res.clone();
    void copy.json().then(
      (body: unknown) => {
        const j = body as { errors?: Array<{ extensions?: { code?: string } }>; extensions?: { cost?: { actualQueryCost?: number; requestedQueryCost?: number } } };
        if (j.errors?.some((e) => e.extensions?.code === 'THROTTLED')) s.throttled++;
        const actual = j.extensions?.cost?.actualQueryCost ?? 0;
        const requested = j.extensions?.cost?.requestedQueryCost ?? 0;
        s.actualCost += actual;
        op.actualCost += actual;
        op.requestedCost += requested;
        if (kind === 'mutation') s.mutationCost += actual;
      },
      () => {},
    );
    return res;
  };

  const { config } = parseConfig(spec.yaml ?? '', { file: null, env: {} });
  const store = await openStore({ url: spec.db });
  const ccv = ccvClientFromConfig({ baseUrl: spec.ccv.origin, publicKey: spec.ccv.publicKey, secretKey: spec.ccv.secretKey, mediaType: 'salespos' }, { logger: silentLogger, connection: 'main', fetch: ccvFetch });
  const shopify = new ShopifyClient({ shop: spec.shopify.shop, auth: { accessToken: spec.shopify.accessToken }, endpoint: spec.shopify.origin, connection: 'main', fetch: shopifyFetch, logger: silentLogger });
  const env = createFlowEnv({ config, store, ccv, shopify, logger: silentLogger });

  return {
    info: { pid: process.pid },
    ops: {
      sync: async (a: { mode?: 'delta' | 'full' } = {}): Promise<SyncMeasurement> => {
        tally = emptyTally();
        const cpu0 = process.cpuUsage();
        const startedAtMs = Date.now();
        const t0 = performance.now();
        const report = await syncProducts(env, { dryRun: false, trigger: 'manual', ...(a.mode ? { mode: a.mode } : {}) });
        const wallMs = performance.now() - t0;
        const endedAtMs = Date.now();
        const cpu = process.cpuUsage(cpu0);
        // Let the cost readers of the last answers finish.
        await new Promise((r) => setTimeout(r, 50));
        return {
          startedAtMs,
          endedAtMs,
          wallMs,
          counts: { ...report.run.counts },
          lines: report.lines,
          wire: tally,
          maxRss: process.resourceUsage().maxRSS * 1024,
          cpuMs: (cpu.user + cpu.system) / 1000,
          heapUsedAfter: process.memoryUsage().heapUsed,
        };
      },
      memory: () => ({ ...process.memoryUsage(), maxRss: process.resourceUsage().maxRSS * 1024 }),
      ledger: async () => ({ products: await env.ledger.count(env.pair, 'product'), variants: await env.ledger.count(env.pair, 'variant') }),
    },
    close: () => store.close(),
  };
}
