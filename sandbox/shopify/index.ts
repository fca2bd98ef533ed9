// Public entry point of the Shopify sandbox: an HTTP server executing Shopify's real Admin GraphQL schema
// (schema/shopify/) with Shopify's limits and semantics. See sandbox/shopify/README.md.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp } from './app.js';
import { DEFAULT_ACCESS_TOKEN } from './auth.js';
import type { TokenInfo } from './auth.js';
import type { PlanName } from './bucket.js';
import { SandboxCore } from './core.js';
import type { CoreOptions } from './core.js';
import type { FaultConfig } from './faults.js';
import { assertScopesDeclared } from './graphql.js';
import { DEFAULT_MODULES } from './ops/index.js';
import { Registry } from './registry.js';
import type { Module } from './registry.js';
import { DEFAULT_VERSION, loadSchema, SUPPORTED_VERSIONS } from './schema.js';
import type { ShopifySnapshot } from './snapshot.js';
import type { SandboxState } from './state.js';

export { DEFAULT_ACCESS_TOKEN, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_SCOPES } from './auth.js';
export { PLAN_LIMITS } from './bucket.js';
export type { PlanName, ThrottleStatus } from './bucket.js';
export { SandboxCore, DEFAULT_SHOP } from './core.js';
export type { DomainEvent } from './core.js';
export type { FaultConfig } from './faults.js';
export { Registry, unsupported, SandboxInputError } from './registry.js';
export type { Module, Resolver, ScopeRule } from './registry.js';
export type { RequestContext } from './context.js';
export type { ShopifySnapshot } from './snapshot.js';
export { SNAPSHOT_FORMAT as SHOPIFY_SNAPSHOT_FORMAT, SNAPSHOT_VERSION as SHOPIFY_SNAPSHOT_VERSION } from './snapshot.js';
export { DEFAULT_VERSION, SUPPORTED_VERSIONS } from './schema.js';
export { DEFAULT_MODULES } from './ops/index.js';
export { settleWebhooks, webhookDeliveries, setWebhookSettings, retryDelayMs, WEBHOOK_MAX_ATTEMPTS } from './ops/webhooks.js';
export type { WebhookDeliveryRec, WebhookSubscriptionRec } from './ops/webhooks.js';
export { settleBulk, MAX_RUNNING_BULK_OPERATIONS } from './ops/bulk.js';

export interface ShopifySandboxOptions {
  /** Default 127.0.0.1 and 4200; port 0 = any free port. */
  host?: string;
  port?: number;
  /** Default 'koppel-demo.myshopify.com'. */
  shop?: string;
  shopName?: string;
  plan?: PlanName;
  /** Multiplies the bucket's restore rate (time compression); default 1. */
  rateScale?: number;
  /** A static admin token accepted with all scopes (default DEFAULT_ACCESS_TOKEN). */
  accessToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of client-credentials tokens, default 86400 (24 h). */
  tokenTtlSeconds?: number;
  /** Scopes granted to client-credentials tokens (default: everything Koppel uses). */
  scopes?: string[];
  /** The shop has B2B (companies); off = the error Shopify gives a non-Plus shop. */
  b2b?: boolean;
  /** A development store (orderCreate limited to 5 per minute). */
  devStore?: boolean;
  /** Default EUR. */
  currency?: string;
  /** Default true (Dutch shops show prices including VAT). */
  taxesIncluded?: boolean;
  /** Search index lag in ms (writes become searchable, and change collection membership, this much later). */
  indexLagMs?: number;
  /** Injectable clock (epoch ms); default Date.now. */
  now?: () => number;
  logger?: (line: string) => void;
  /** First numeric id per GID type; a decimal string, may exceed 2^53 (default '1000000000001'). */
  idStart?: string;
  /** Time an asynchronous productSet takes (sandbox clock), default 1000 ms. */
  productSetAsyncMs?: number;
  /** 2026-07: writing stock at an unstocked location activates it (true, default) or fails with ITEM_NOT_STOCKED_AT_LOCATION. */
  autoStock?: boolean;
  idempotencyRetentionMs?: number;
  /** Seed of the fault-injection dice. */
  seed?: number;
  /** Lines a bulk operation processes per second (sandbox clock), per operation. Default 20. */
  bulkLinesPerSecond?: number;
  /** How webhook deliveries are sent (default: the global fetch); tests can route them in-process. */
  webhookFetch?: typeof fetch;
  /** Multiplies webhook retry delays (8 retries over ~4 h of sandbox time at 1). Default 1. */
  webhookTimeScale?: number;
  /** Probability (0..1) that a webhook is delivered twice (new X-Shopify-Webhook-Id, same X-Shopify-Event-Id). Default 0. */
  webhookDuplicateRate?: number;
  /** Each delivery waits a random 0..N ms of sandbox time, so deliveries arrive out of order. Default 0. */
  webhookReorderMs?: number;
  /** Real-time limit for a webhook receiver's answer. Default 5000 ms. */
  webhookTimeoutMs?: number;
  /**
   * Snapshot file (JSON): when it exists at start, the shop is loaded from it instead of the seed (a file that
   * does not parse or has the wrong shape is an error naming the file); written by `saveSnapshot()`,
   * `POST /__sandbox/snapshot` and on `close()`. See "Snapshots" in sandbox/shopify/README.md.
   */
  snapshotFile?: string;
  /** Operation modules (default DEFAULT_MODULES). */
  modules?: readonly Module[];
}

/** The sandbox without a socket: for tests through `fetch` (which calls `app.fetch`) and for embedding. */
export interface ShopifySandboxHandle {
  readonly shop: string;
  readonly accessToken: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Engine: state, clock, bucket, tokens, idempotency keys, faults, scheduler, events. */
  readonly core: SandboxCore;
  /** The Hono app (`app.fetch(request)` answers like the server). */
  readonly app: Hono;
  /** A fetch that sends `https://{shop}/...` (and any other origin) to the sandbox: use as `customFetchApi`. */
  readonly fetch: typeof fetch;
  /** The shop's state (replaced by reset()). */
  readonly state: SandboxState;
  graphqlUrl(version?: string): string;
  reset(): void;
  setPlan(plan: PlanName, rateScale?: number): void;
  setFaults(f: Partial<FaultConfig>): FaultConfig;
  issueToken(opts?: { scopes?: string[]; ttlSeconds?: number }): TokenInfo;
  /** The shop as snapshot data (what the file holds). */
  snapshot(): ShopifySnapshot;
  /** Writes the snapshot atomically to `file` (default: the `snapshotFile` option); returns the path. */
  saveSnapshot(file?: string): string;
}

export interface ShopifySandbox extends ShopifySandboxHandle {
  /** e.g. http://127.0.0.1:4200 */
  readonly origin: string;
  /** Stops the server; with `snapshotFile` set, writes the snapshot first. */
  close(): Promise<void>;
}

function toCoreOptions(o: ShopifySandboxOptions): Partial<CoreOptions> {
  const { host: _h, port: _p, modules: _m, ...rest } = o;
  const out: Partial<CoreOptions> = {};
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

export function createShopifySandbox(opts: ShopifySandboxOptions = {}, originForUrls = 'http://sandbox.invalid'): ShopifySandboxHandle {
  for (const v of SUPPORTED_VERSIONS) loadSchema(v);
  const registry = new Registry().use(...(opts.modules ?? DEFAULT_MODULES));
  const core = new SandboxCore(registry, toCoreOptions(opts));
  assertScopesDeclared(core);
  const app = createApp(core);
  const shop = core.options.shop;
  const sandboxFetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    return app.fetch(new Request(`http://${shop}${url.pathname}${url.search}`, req));
  }) as typeof fetch;
  return {
    shop,
    accessToken: core.options.accessToken,
    clientId: core.options.clientId,
    clientSecret: core.options.clientSecret,
    core,
    app,
    fetch: sandboxFetch,
    get state() {
      return core.state;
    },
    graphqlUrl: (version = DEFAULT_VERSION) => `${originForUrls}/admin/api/${version}/graphql.json`,
    reset: () => core.reset(),
    setPlan: (plan, rateScale) => core.setPlan(plan, rateScale),
    setFaults: (f) => core.faults.set(f),
    issueToken: (o) => core.tokens.issue(o),
    snapshot: () => core.snapshot(),
    saveSnapshot: (file) => core.saveSnapshot(file),
  };
}

export async function startShopifySandbox(opts: ShopifySandboxOptions = {}): Promise<ShopifySandbox> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 4200;
  const handle = createShopifySandbox(opts);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: handle.app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', reject);
  });
  const addr = server.address() as AddressInfo;
  const origin = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  const ticker = setInterval(() => handle.core.tick(), 100);
  ticker.unref();
  handle.core.log(`Shopify sandbox for ${handle.shop} listening on ${origin} (Admin API ${SUPPORTED_VERSIONS.join(', ')})`);
  const rewrite = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    return fetch(new Request(`${origin}${url.pathname}${url.search}`, req));
  }) as typeof fetch;
  let closed: Promise<void> | undefined;
  return {
    ...handle,
    get state() {
      return handle.core.state;
    },
    origin,
    fetch: rewrite,
    graphqlUrl: (version = DEFAULT_VERSION) => `${origin}/admin/api/${version}/graphql.json`,
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        clearInterval(ticker);
        if (handle.core.options.snapshotFile) {
          try {
            handle.core.log(`Shopify sandbox snapshot written to ${handle.core.saveSnapshot()}`);
          } catch (err) {
            reject(err as Error);
            server.close();
            return;
          }
        }
        server.close((err) => (err ? reject(err) : resolve()));
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      return closed;
    },
  };
}

export { DEFAULT_ACCESS_TOKEN as SANDBOX_ACCESS_TOKEN };
