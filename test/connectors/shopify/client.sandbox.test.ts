/**
 * The Shopify client against the Shopify sandbox over a real socket: round trips, THROTTLED recovery,
 * token refresh, typed errors and injected faults (5xx, drop after commit, latency).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify/index.js';
import { KoppelError } from '../../../src/core/errors.js';
import { ShopifyClient, type ShopifyClientOptions } from '../../../src/connectors/shopify/client.js';
import { ClientCredentials, type TokenProvider } from '../../../src/connectors/shopify/auth.js';
import * as docs from '../../../src/connectors/shopify/documents.js';
import { isMaxCostExceeded, isOutcomeUnknown } from '../../../src/connectors/shopify/errors.js';

let sb: ShopifySandbox;

async function sandboxPost(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${sb.origin}/__sandbox/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`/__sandbox/${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

function client(over: Partial<ShopifyClientOptions> = {}): ShopifyClient {
  return new ShopifyClient({
    shop: sb.shop,
    auth: { accessToken: sb.accessToken },
    endpoint: sb.origin,
    timeoutMs: 5000,
    retryMinDelayMs: 20,
    retryMaxDelayMs: 200,
    connection: 'sandbox-test',
    ...over,
  });
}

async function caught(p: Promise<unknown>): Promise<KoppelError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KoppelError) return e;
    throw e;
  }
  throw new Error('expected a KoppelError');
}

async function firstLocation(c: ShopifyClient): Promise<string> {
  const r = await c.query(docs.Locations, {}, { lane: 'reconcile' });
  const nodes = (r.data as { locations: { nodes: { id: string; isActive: boolean }[] } }).locations.nodes;
  return nodes.find((n) => n.isActive)!.id;
}

async function createProduct(c: ShopifyClient, handle: string, skus: string[], locationId: string) {
  const r = await c.mutate(
    docs.ProductSetSync,
    {
      identifier: { handle },
      input: {
        title: `Koppel test ${handle}`,
        handle,
        status: 'ACTIVE',
        productOptions: [{ name: 'Maat', position: 1, values: skus.map((_, i) => ({ name: `M${i}` })) }],
        variants: skus.map((sku, i) => ({
          optionValues: [{ optionName: 'Maat', name: `M${i}` }],
          sku,
          price: '19.95',
          inventoryItem: { tracked: true },
          inventoryQuantities: [{ locationId, name: 'available', quantity: 5 }],
        })),
      },
    },
    { lane: 'products', retrySafe: true },
  );
  if (!r.ok) throw new Error(`productSet: ${JSON.stringify(r.userErrors)}`);
  const product = (r.data as { productSet: { product: { id: string; variants: { nodes: { id: string; sku: string; inventoryItem: { id: string } }[] } } } }).productSet.product;
  return product;
}

async function available(c: ShopifyClient, inventoryItemId: string, locationId: string): Promise<number | undefined> {
  const r = await c.query(docs.InventoryLevelsForItem, { id: inventoryItemId }, { lane: 'stock' });
  const levels = (r.data as { inventoryItem: { inventoryLevels: { nodes: { location: { id: string }; quantities: { name: string; quantity: number }[] }[] } } }).inventoryItem.inventoryLevels.nodes;
  return levels.find((l) => l.location.id === locationId)?.quantities.find((q) => q.name === 'available')?.quantity;
}

beforeAll(async () => {
  // Standard plan (100 pt/s, 2000 bucket) with time compressed 20 x: waits of seconds become ms.
  sb = await startShopifySandbox({ port: 0, plan: 'standard', rateScale: 20, seed: 7 });
});

afterAll(async () => {
  await sb.close();
});

beforeEach(async () => {
  await sandboxPost('faults', { reset: true });
  await sandboxPost('reset', {});
});

describe('round trips', () => {
  it('creates a product, finds its variant by SKU and sets stock with an idempotency key', async () => {
    const c = client();
    const loc = await firstLocation(c);
    const product = await createProduct(c, 'polo-1001', ['KOP-1001-M', 'KOP-1001-L'], loc);
    expect(product.variants.nodes.map((v) => v.sku)).toEqual(['KOP-1001-M', 'KOP-1001-L']);

    const found = await c.query(docs.VariantsBySku, { query: 'sku:"KOP-1001-L"' }, { lane: 'stock' });
    const hits = (found.data as { productVariants: { nodes: { sku: string; inventoryItem: { id: string } }[] } }).productVariants.nodes.filter((v) => v.sku === 'KOP-1001-L');
    expect(hits).toHaveLength(1);

    const item = hits[0]!.inventoryItem.id;
    const set = await c.mutate(
      docs.InventorySet,
      { input: { name: 'available', reason: 'correction', referenceDocumentUri: 'gid://ccv-sync/StockSync/job-1', quantities: [{ inventoryItemId: item, locationId: loc, quantity: 12, changeFromQuantity: null }] }, key: 'job-1:stock' },
      { lane: 'stock' },
    );
    expect(set.ok).toBe(true);
    expect(set.cost.throttleStatus).toMatchObject({ maximumAvailable: 2000, restoreRate: 2000 });
    expect(await available(c, item, loc)).toBe(12);
  });

  it('returns Shopify userErrors as typed results', async () => {
    const c = client();
    const loc = await firstLocation(c);
    const item = (await createProduct(c, 'cas-1', ['KOP-CAS-1'], loc)).variants.nodes[0]!.inventoryItem.id;
    const r = await c.mutate(
      docs.InventorySet,
      { input: { name: 'available', reason: 'correction', quantities: [{ inventoryItemId: item, locationId: loc, quantity: 3, changeFromQuantity: 99 }] }, key: 'cas-1' },
      { lane: 'stock' },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.userErrors[0]).toMatchObject({ code: 'CHANGE_FROM_QUANTITY_STALE', mutation: 'inventorySetQuantities' });
  });

  it('uses the client-credentials grant, fetching a new token before the old one expires', async () => {
    const short = await startShopifySandbox({ port: 0, tokenTtlSeconds: 2 });
    try {
      const auth = new ClientCredentials({ shop: short.shop, clientId: short.clientId, clientSecret: short.clientSecret, endpoint: short.origin, refreshMarginMs: 1000 });
      const c = new ShopifyClient({ shop: short.shop, auth, endpoint: short.origin });
      await c.query(docs.ShopInfo, {}, { lane: 'reconcile' });
      expect(auth.grants).toBe(1);
      expect(auth.scopes).toContain('write_inventory');
      await new Promise((r) => setTimeout(r, 1100));
      await c.query(docs.ShopInfo, {}, { lane: 'reconcile' });
      expect(auth.grants).toBe(2);
    } finally {
      await short.close();
    }
  });

  it('fetches a fresh token once after a 401', async () => {
    const real = new ClientCredentials({ shop: sb.shop, clientId: sb.clientId, clientSecret: sb.clientSecret, endpoint: sb.origin });
    let refreshes = 0;
    const stale: TokenProvider = {
      kind: 'client_credentials',
      scopes: undefined,
      token: async () => 'shpat_revoked_token',
      refresh: async () => {
        refreshes++;
        return real.token();
      },
    };
    const c = client({ auth: stale });
    const r = await c.query(docs.ShopInfo, {}, { lane: 'reconcile' });
    expect(r.ok).toBe(true);
    expect(refreshes).toBe(1);
  });
});

describe('limits', () => {
  it('recovers from THROTTLED when someone else drains the bucket', async () => {
    const c = client();
    await c.query(docs.ShopInfo, {}, { lane: 'reconcile' });
    await sandboxPost('throttle', { drain: 2000 });
    const r = await c.query(docs.Locations, {}, { lane: 'reconcile' });
    expect(r.ok).toBe(true);
    expect(c.stats().throttled).toBe(1);
    expect(c.stats().retries).toBe(0);
  });

  it('keeps concurrent callers on several lanes out of THROTTLED', async () => {
    const c = client();
    await c.query(docs.ShopInfo, {}, { lane: 'reconcile' });
    const lanes = ['stock', 'orders', 'customers', 'products', 'reconcile'] as const;
    const calls = Array.from({ length: 30 }, (_, i) => c.query(docs.ProductVariantsPage, { id: 'gid://shopify/Product/1', first: 150 }, { lane: lanes[i % lanes.length]! }));
    const results = await Promise.all(calls);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(c.stats().throttled).toBe(0);
    expect(c.limiter.stats().dispatched).toBe(31);
  });

  it('types MAX_COST_EXCEEDED so the caller can ask for a smaller page', async () => {
    const c = client();
    const e = await caught(c.query(docs.ProductsUpdatedSince, { query: 'status:active', first: 50, variants: 100 }, { lane: 'products' }));
    expect(isMaxCostExceeded(e)).toBe(true);
    expect(e.details).toMatchObject({ maxCost: 1000 });
    expect((e.details as { requestedCost: number }).requestedCost).toBeGreaterThan(1000);
    const smaller = await c.query(docs.ProductsUpdatedSince, { query: 'status:active', first: 4, variants: 100 }, { lane: 'products' });
    expect(smaller.ok).toBe(true);
  });

  it('names the missing scope on ACCESS_DENIED', async () => {
    const token = sb.issueToken({ scopes: ['read_products', 'read_locations'] });
    const c = client({ auth: { accessToken: token.token } });
    const loc = await firstLocation(c);
    const e = await caught(c.mutate(docs.InventoryActivate, { inventoryItemId: 'gid://shopify/InventoryItem/1', locationId: loc, key: 'k' }, { lane: 'stock' }));
    expect(e).toMatchObject({ code: 'SHOPIFY_ACCESS_DENIED', errorClass: 'auth' });
    expect((e.details as { scopes: string[] }).scopes).toContain('write_inventory');
  });
});

describe('faults', () => {
  it('retries a query through injected 5xx answers', async () => {
    const c = client();
    await sandboxPost('faults', { failNext: 2, errorStatus: 503 });
    const r = await c.query(docs.ShopInfo, {}, { lane: 'reconcile' });
    expect(r.ok).toBe(true);
    expect(c.stats().retries).toBe(2);
  });

  it('applies an @idempotent write once when the connection drops after commit', async () => {
    const c = client();
    const loc = await firstLocation(c);
    const item = (await createProduct(c, 'drop-1', ['KOP-DROP-1'], loc)).variants.nodes[0]!.inventoryItem.id;
    expect(await available(c, item, loc)).toBe(5);
    await sandboxPost('faults', { dropAfterCommitNext: 1 });
    const r = await c.mutate(
      docs.InventoryAdjust,
      { input: { name: 'available', reason: 'received', changes: [{ inventoryItemId: item, locationId: loc, delta: 2, changeFromQuantity: null }] }, key: 'receipt-77:line-1' },
      { lane: 'stock' },
    );
    expect(r.ok).toBe(true);
    expect(c.stats().retries).toBe(1);
    expect(await available(c, item, loc)).toBe(7);
  });

  it('reports a dropped non-idempotent write as outcome_unknown, and the write is there when looked up', async () => {
    const c = client();
    const loc = await firstLocation(c);
    await sandboxPost('faults', { dropAfterCommitNext: 1 });
    const e = await caught(
      c.mutate(docs.ProductCreate, { product: { title: 'Dropped answer', handle: 'dropped-answer', status: 'DRAFT' } }, { lane: 'products' }),
    );
    expect(isOutcomeUnknown(e)).toBe(true);
    const look = await c.query(docs.ProductByIdentifier, { identifier: { handle: 'dropped-answer' } }, { lane: 'products' });
    expect((look.data as { productByIdentifier: { handle: string } | null }).productByIdentifier?.handle).toBe('dropped-answer');
    void loc;
  });

  it('gives up at the per-request timeout instead of hanging', async () => {
    const c = client({ timeoutMs: 150, retries: 1, retryMinDelayMs: 10 });
    await c.query(docs.ShopInfo, {}, { lane: 'reconcile' });
    await sandboxPost('faults', { latencyMs: 2000 });
    const t0 = Date.now();
    const q = await caught(c.query(docs.ShopInfo, {}, { lane: 'reconcile' }));
    expect(q).toMatchObject({ code: 'SHOPIFY_TIMEOUT', errorClass: 'transient' });
    const w = await caught(c.mutate(docs.ProductCreate, { product: { title: 'Slow', status: 'DRAFT' } }, { lane: 'products' }));
    expect(w).toMatchObject({ code: 'SHOPIFY_OUTCOME_UNKNOWN', details: { timedOut: true } });
    expect(Date.now() - t0).toBeLessThan(1500);
    await sandboxPost('faults', { reset: true });
  });
});
