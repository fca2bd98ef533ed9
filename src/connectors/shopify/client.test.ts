import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KoppelError } from '../../core/errors.js';
import { createLogger } from '../../obs/log.js';
import { registry } from '../../obs/metrics.js';
import { cost, drive, fetchFailed, hang, json, ok, ScriptedFetch, throttled } from '../../../test/connectors/shopify/support/fake-fetch.js';
import { FakeClock } from './clock.js';
import { ShopifyClient, type ShopifyClientOptions } from './client.js';
import { CustomerByEmail, InventorySet, OrderCreate, ProductSetSync, ShopInfo, TagsAdd, VariantsBySku } from './documents.js';
import { isMaxCostExceeded, isOutcomeUnknown } from './errors.js';

function setup(over: Partial<ShopifyClientOptions> = {}) {
  const clock = new FakeClock();
  const f = new ScriptedFetch();
  const client = new ShopifyClient({
    shop: 'koppel-demo',
    auth: { accessToken: 'shpat_static' },
    endpoint: 'http://127.0.0.1:9',
    fetch: f.fetch,
    clock,
    random: () => 0.5,
    connection: `test-${Math.random().toString(36).slice(2)}`,
    ...over,
  });
  return { clock, f, client };
}

async function caught(p: Promise<unknown>): Promise<KoppelError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KoppelError) return e;
    throw e;
  }
  throw new Error('expected a KoppelError, got a result');
}

const shopData = { shop: { id: 'gid://shopify/Shop/1', name: 'Demo' } };
const stock = { lane: 'stock' } as const;

describe('ShopifyClient transport', () => {
  it('posts the document to the endpoint with the current token, through the admin client', async () => {
    const { f, client } = setup();
    f.then(ok(shopData, { requested: 2, actual: 1, available: 999, max: 1000, rate: 50 }));
    const r = await client.query(ShopInfo, {}, { lane: 'reconcile' });
    expect(r).toEqual({ ok: true, data: shopData, cost: { requested: 2, actual: 1, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 999, restoreRate: 50 } } });
    const call = f.calls[0]!;
    expect(call.url).toBe('http://127.0.0.1:9/admin/api/2026-10/graphql.json');
    expect(call.method).toBe('POST');
    expect(call.headers.get('X-Shopify-Access-Token')).toBe('shpat_static');
    expect(call.headers.get('Content-Type')).toMatch(/application\/json/);
    expect(call.headers.get('User-Agent')).toMatch(/^Koppel \| Admin API Client/);
    expect(call.json.query).toBe(ShopInfo.text);
    expect(client.limiter.stats()).toMatchObject({ known: true, maximumAvailable: 1000, restoreRate: 50 });
  });

  it('talks to https://{shop} when no endpoint is configured', async () => {
    const { f, client } = setup({ endpoint: undefined, shop: 'https://Other-Shop.myshopify.com/' });
    f.then(ok(shopData));
    await client.query(ShopInfo, {}, stock);
    expect(f.calls[0]!.url).toBe('https://other-shop.myshopify.com/admin/api/2026-10/graphql.json');
  });

  it('refuses a mutation through query() and a query through mutate()', async () => {
    const { client } = setup();
    await expect(client.query(OrderCreate as never, {}, stock)).rejects.toThrow(/use mutate/);
    await expect(client.mutate(ShopInfo as never, {}, stock)).rejects.toThrow(/use query/);
  });
});

describe('ShopifyClient results', () => {
  it('returns userErrors as typed data, never as a thrown string', async () => {
    const { f, client } = setup();
    f.then(
      ok({
        productSet: {
          product: null,
          productSetOperation: null,
          userErrors: [{ field: ['input', 'handle'], message: 'Handle has already been taken', code: 'HANDLE_NOT_UNIQUE' }],
        },
      }),
    );
    const r = await client.mutate(ProductSetSync, { input: { title: 'x' } }, { lane: 'products' });
    expect(r.ok).toBe(false);
    if (r.ok) throw new Error('unreachable');
    expect(r.userErrors).toEqual([{ field: ['input', 'handle'], message: 'Handle has already been taken', code: 'HANDLE_NOT_UNIQUE', mutation: 'productSet' }]);
  });

  it('types the plain UserError (no code) and metafieldsSet elementIndex', async () => {
    const { f, client } = setup();
    f.then(ok({ tagsAdd: { node: null, userErrors: [{ field: null, message: 'Node not found' }] } }));
    const r = await client.mutate(TagsAdd, { id: 'gid://shopify/Order/1', tags: ['x'] }, { lane: 'orders' });
    expect(r).toMatchObject({ ok: false, userErrors: [{ field: null, message: 'Node not found', code: null, mutation: 'tagsAdd' }] });
  });

  it('returns the payload of the mutation field, typed, and refuses an answer without it', async () => {
    const { f, client } = setup();
    const payload = { product: { id: 'gid://shopify/Product/1', handle: 'a', variants: { nodes: [] } }, productSetOperation: null, userErrors: [] };
    f.then(ok({ productSet: payload }), ok({ somethingElse: {} }));
    const r = await client.mutate(ProductSetSync, { input: { title: 'x' } }, { lane: 'products', payload: 'productSet' });
    expect(r.payload).toEqual(payload);
    expect(r.payload?.product?.handle).toBe('a');
    await expect(client.mutate(ProductSetSync, { input: { title: 'x' } }, { lane: 'products', payload: 'productSet' })).rejects.toMatchObject({ code: 'SHOPIFY_BAD_RESPONSE' });
  });

  it('returns ok with the data when userErrors is empty', async () => {
    const { f, client } = setup();
    f.then(ok({ tagsAdd: { node: { id: '1' }, userErrors: [] } }));
    expect(await client.mutate(TagsAdd, { id: '1', tags: ['x'] }, { lane: 'orders' })).toMatchObject({ ok: true, data: { tagsAdd: { node: { id: '1' } } } });
  });
});

describe('ShopifyClient throttling', () => {
  it('waits exactly what the bucket needs after THROTTLED and sends again', async () => {
    const { f, client, clock } = setup();
    f.then(throttled({ requested: 300, available: 100, max: 1000, rate: 50 }), ok(shopData, { requested: 300, actual: 10, available: 790 }));
    const start = clock.now();
    let sentAt = 0;
    f.calls.length = 0;
    const p = client.query(VariantsBySku, { query: 'sku:A' }, { lane: 'stock' });
    const first = await drive(clock, p.then((r) => ((sentAt = clock.now()), r)));
    expect(first.ok).toBe(true);
    expect(f.calls).toHaveLength(2);
    // (300 - 100) / 50 per second = 4 s
    expect(sentAt - start).toBe(4000);
    expect(client.stats()).toMatchObject({ throttled: 1, retries: 0 });
    expect(client.limiter.stats().throttledResponses).toBe(1);
  });

  it('reserves the cost Shopify reported from then on', async () => {
    const { f, client, clock } = setup();
    f.then(ok(shopData, { requested: 400, actual: 400, available: 500, max: 1000, rate: 50 }));
    await client.query(VariantsBySku, { query: 'a' }, stock);
    // 500 left; the next call of the same shape is known to cost 400 -> goes at once, the third waits 6 s
    f.then(ok(shopData, { requested: 400, actual: 400, available: 100 }), ok(shopData, { requested: 400, actual: 400, available: 0 }));
    const t0 = clock.now();
    await drive(clock, client.query(VariantsBySku, { query: 'b' }, stock));
    expect(clock.now()).toBe(t0);
    await drive(clock, client.query(VariantsBySku, { query: 'c' }, stock));
    expect(clock.now() - t0).toBe(6000);
  });

  it('gives up with a typed throttled error after too many THROTTLED answers', async () => {
    const { f, client, clock } = setup({ maxThrottleRetries: 2 });
    f.fallback = () => throttled({ requested: 100, available: 0, max: 1000, rate: 50 });
    const e = await caught(drive(clock, client.query(ShopInfo, {}, stock)));
    expect(e).toMatchObject({ code: 'SHOPIFY_THROTTLED', errorClass: 'throttled' });
    expect(f.calls).toHaveLength(3);
  });

  it('waits out HTTP 429 Retry-After before sending again', async () => {
    const { f, client, clock } = setup();
    f.then(json({ errors: 'Exceeded 2 calls per second' }, 429, { 'Retry-After': '2.0' }), ok(shopData));
    const t0 = clock.now();
    await drive(clock, client.query(ShopInfo, {}, stock));
    expect(clock.now() - t0).toBe(2000);
  });

  it('types MAX_COST_EXCEEDED so the caller can page smaller', async () => {
    const { f, client } = setup();
    f.then(
      json({
        errors: [{ message: 'Query cost is 1502, which exceeds the single query max cost limit (1000).', extensions: { code: 'MAX_COST_EXCEEDED', cost: 1502, maxCost: 1000 } }],
        extensions: { cost: { requestedQueryCost: 1502, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2000, restoreRate: 100 } } },
      }),
    );
    const e = await caught(client.query(VariantsBySku, { query: 'x', first: 250 }, stock));
    expect(isMaxCostExceeded(e)).toBe(true);
    expect(e).toMatchObject({ errorClass: 'invalid_input', details: { requestedCost: 1502, maxCost: 1000 } });
    expect(e.hint).toMatch(/fewer items per page/);
    expect(f.calls).toHaveLength(1);
    // nothing was charged
    expect(client.limiter.stats().available).toBe(2000);
  });
});

describe('ShopifyClient retries and unknown outcomes', () => {
  it('retries a query after 5xx with jittered backoff', async () => {
    const { f, client, clock } = setup({ retryMinDelayMs: 100 });
    f.then(json({}, 502), json({}, 503), ok(shopData));
    const t0 = clock.now();
    const r = await drive(clock, client.query(ShopInfo, {}, stock));
    expect(r.ok).toBe(true);
    expect(f.calls).toHaveLength(3);
    // random() = 0.5 -> factor 1: 100 + 200 ms
    expect(clock.now() - t0).toBe(300);
    expect(client.stats().retries).toBe(2);
  });

  it('honours Retry-After on a 503 as the least wait', async () => {
    const { f, client, clock } = setup({ retryMinDelayMs: 100 });
    f.then(json({}, 503, { 'Retry-After': '3' }), ok(shopData));
    const t0 = clock.now();
    await drive(clock, client.query(ShopInfo, {}, stock));
    expect(clock.now() - t0).toBe(3000);
  });

  it('ends in a typed transient error when retries run out', async () => {
    const { f, client, clock } = setup({ retries: 2, retryMinDelayMs: 10 });
    f.fallback = () => json({}, 500);
    const e = await caught(drive(clock, client.query(ShopInfo, {}, stock)));
    expect(e).toMatchObject({ code: 'SHOPIFY_SERVER_ERROR', errorClass: 'transient', details: { status: 500 } });
    expect(f.calls).toHaveLength(3);
  });

  it('reports a 5xx on a non-idempotent mutation as outcome_unknown without sending it again', async () => {
    const { f, client, clock } = setup();
    f.then(json({}, 502));
    const e = await caught(drive(clock, client.mutate(OrderCreate, { order: {} }, { lane: 'orders' })));
    expect(isOutcomeUnknown(e)).toBe(true);
    expect(e.code).toBe('SHOPIFY_OUTCOME_UNKNOWN');
    expect(e.message).toMatch(/OrderCreate was sent .* may or may not have been applied/);
    expect(f.calls).toHaveLength(1);
  });

  it('reports a connection dropped after sending a non-idempotent mutation as outcome_unknown', async () => {
    const { f, client, clock } = setup();
    f.then(() => Promise.reject(fetchFailed('UND_ERR_SOCKET')));
    const e = await caught(drive(clock, client.mutate(OrderCreate, { order: {} }, { lane: 'orders' })));
    expect(e).toMatchObject({ code: 'SHOPIFY_OUTCOME_UNKNOWN', errorClass: 'outcome_unknown' });
    expect(f.calls).toHaveLength(1);
  });

  it('retries a non-idempotent mutation that provably never left (connection refused)', async () => {
    const { f, client, clock } = setup({ retryMinDelayMs: 10 });
    f.then(() => Promise.reject(fetchFailed('ECONNREFUSED')), ok({ orderCreate: { order: { id: '1' }, userErrors: [] } }));
    const r = await drive(clock, client.mutate(OrderCreate, { order: {} }, { lane: 'orders' }));
    expect(r.ok).toBe(true);
    expect(f.calls).toHaveLength(2);
  });

  it('retries an @idempotent mutation after a dropped connection, with the same key', async () => {
    const { f, client, clock } = setup({ retryMinDelayMs: 10 });
    f.then(() => Promise.reject(fetchFailed('UND_ERR_SOCKET')), ok({ inventorySetQuantities: { inventoryAdjustmentGroup: { id: '1' }, userErrors: [] } }));
    const r = await drive(clock, client.mutate(InventorySet, { input: { name: 'available', reason: 'correction', quantities: [] }, key: 'job-1' }, stock));
    expect(r.ok).toBe(true);
    expect(f.calls.map((c) => c.json.variables?.key)).toEqual(['job-1', 'job-1']);
  });

  it('retries a mutation the caller marks retry-safe', async () => {
    const { f, client, clock } = setup({ retryMinDelayMs: 10 });
    f.then(json({}, 500), ok({ tagsAdd: { node: { id: '1' }, userErrors: [] } }));
    const r = await drive(clock, client.mutate(TagsAdd, { id: '1', tags: ['a'] }, { lane: 'orders', retrySafe: true }));
    expect(r.ok).toBe(true);
  });

  it('sends an @idempotent mutation again while Shopify says the first attempt is still running', async () => {
    const { f, client, clock } = setup({ retryMinDelayMs: 10 });
    f.then(
      ok({ inventorySetQuantities: { inventoryAdjustmentGroup: null, userErrors: [{ field: null, message: 'in progress', code: 'IDEMPOTENCY_CONCURRENT_REQUEST' }] } }),
      ok({ inventorySetQuantities: { inventoryAdjustmentGroup: { id: '1' }, userErrors: [] } }),
    );
    const r = await drive(clock, client.mutate(InventorySet, { input: { name: 'available', reason: 'correction', quantities: [] }, key: 'k' }, stock));
    expect(r.ok).toBe(true);
    expect(f.calls).toHaveLength(2);
  });

  it('never waits past the per-request timeout: queries retry, non-idempotent writes end outcome_unknown', async () => {
    const { f, client, clock } = setup({ timeoutMs: 5000, retries: 1, retryMinDelayMs: 10 });
    f.then(hang, hang);
    const t0 = clock.now();
    const e = await caught(drive(clock, client.query(ShopInfo, {}, stock)));
    expect(e).toMatchObject({ code: 'SHOPIFY_TIMEOUT', errorClass: 'transient' });
    expect(clock.now() - t0).toBe(5000 + 10 + 5000);

    f.then(hang);
    const t1 = clock.now();
    const w = await caught(drive(clock, client.mutate(OrderCreate, { order: {} }, { lane: 'orders' })));
    expect(w).toMatchObject({ code: 'SHOPIFY_OUTCOME_UNKNOWN', details: { timedOut: true } });
    expect(clock.now() - t1).toBe(5000);
  });

  it('treats an answer cut off mid-body as lost (outcome_unknown for a write)', async () => {
    const { f, client, clock } = setup();
    const cut = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"data":{"orderCreate":{"order":{"id":"gid'));
        c.error(new Error('other side closed'));
      },
    });
    f.then(new Response(cut, { status: 200, headers: { 'Content-Type': 'application/json' } }));
    const e = await caught(drive(clock, client.mutate(OrderCreate, { order: {} }, { lane: 'orders' })));
    expect(e.errorClass).toBe('outcome_unknown');
  });

  it('reports GraphQL validation errors as permanent, without retrying', async () => {
    const { f, client } = setup();
    f.then(json({ errors: [{ message: "Field 'nope' doesn't exist on type 'Shop'", extensions: { code: 'undefinedField' } }] }));
    const e = await caught(client.query(ShopInfo, {}, stock));
    expect(e).toMatchObject({ code: 'SHOPIFY_GRAPHQL_ERROR', errorClass: 'permanent' });
    expect(f.calls).toHaveLength(1);
  });

  it('ends with SHOPIFY_ABORTED when the caller gives up while waiting for budget', async () => {
    const { f, client, clock } = setup();
    f.then(ok(shopData, { requested: 10, available: 0, max: 1000, rate: 1 }));
    await client.query(ShopInfo, {}, stock);
    const ac = new AbortController();
    const p = client.query(ShopInfo, {}, { lane: 'reconcile', signal: ac.signal });
    clock.setTimeout(() => ac.abort(new Error('shutdown')), 100);
    const e = await caught(drive(clock, p));
    expect(e).toMatchObject({ code: 'SHOPIFY_ABORTED' });
    expect(f.calls).toHaveLength(1);
  });
});

describe('ShopifyClient auth', () => {
  it('names the missing scope on ACCESS_DENIED', async () => {
    const { f, client } = setup();
    f.then(
      json({
        data: { customerByIdentifier: null },
        errors: [
          {
            message: 'Access denied for customerByIdentifier field. Required access: `read_customers` access scope.',
            path: ['customerByIdentifier'],
            extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/api/usage/access-scopes', requiredAccess: '`read_customers` access scope.' },
          },
        ],
        extensions: cost({ requested: 6, actual: 1, available: 999 }),
      }),
    );
    const e = await caught(client.query(CustomerByEmail, { email: 'jan@example.nl' }, { lane: 'customers' }));
    expect(e).toMatchObject({ code: 'SHOPIFY_ACCESS_DENIED', errorClass: 'auth', details: { scopes: ['read_customers'], fields: ['customerByIdentifier'] } });
    expect(e.message).toMatch(/read_customers/);
    expect(e.hint).toMatch(/grant the app read_customers/);
  });

  it('fetches a fresh token once after a 401 (client credentials) and sends again with it', async () => {
    const { f, client, clock } = setup({ auth: { clientId: 'cid', clientSecret: 'csecret' } });
    f.then(json({ access_token: 'tok-1', scope: 'read_products', expires_in: 86399 }), json({ errors: '[API] Invalid API key or access token' }, 401), json({ access_token: 'tok-2', scope: 'read_products', expires_in: 86399 }), ok(shopData));
    const r = await drive(clock, client.query(ShopInfo, {}, stock));
    expect(r.ok).toBe(true);
    expect(f.calls.map((c) => c.url.replace('http://127.0.0.1:9', ''))).toEqual(['/admin/oauth/access_token', '/admin/api/2026-10/graphql.json', '/admin/oauth/access_token', '/admin/api/2026-10/graphql.json']);
    expect(f.calls[1]!.headers.get('X-Shopify-Access-Token')).toBe('tok-1');
    expect(f.calls[3]!.headers.get('X-Shopify-Access-Token')).toBe('tok-2');
  });

  it('ends in an auth error when the fresh token is refused too', async () => {
    const { f, client, clock } = setup({ auth: { clientId: 'cid', clientSecret: 'csecret' } });
    f.then(json({ access_token: 'tok-1', expires_in: 100 }), json({}, 401), json({ access_token: 'tok-2', expires_in: 100 }), json({}, 401));
    const e = await caught(drive(clock, client.query(ShopInfo, {}, stock)));
    expect(e).toMatchObject({ code: 'SHOPIFY_UNAUTHORIZED', errorClass: 'auth' });
    expect(e.message).toMatch(/even after a fresh one/);
    expect(f.remaining).toBe(0);
  });

  it('ends in an auth error at once with a static token', async () => {
    const { f, client } = setup();
    f.then(json({}, 401));
    const e = await caught(client.query(ShopInfo, {}, stock));
    expect(e).toMatchObject({ code: 'SHOPIFY_UNAUTHORIZED', errorClass: 'auth' });
    expect(e.hint).toMatch(/revoked or mistyped/);
    expect(f.calls).toHaveLength(1);
  });

  it('maps 404, 402 and 423', async () => {
    const { f, client } = setup();
    f.then(json({}, 404), json({}, 402), json({}, 423));
    expect(await caught(client.query(ShopInfo, {}, stock))).toMatchObject({ code: 'SHOPIFY_NOT_FOUND', errorClass: 'not_found' });
    expect(await caught(client.query(ShopInfo, {}, stock))).toMatchObject({ code: 'SHOPIFY_SHOP_UNAVAILABLE' });
    expect(await caught(client.query(ShopInfo, {}, stock))).toMatchObject({ code: 'SHOPIFY_SHOP_UNAVAILABLE' });
  });
});

describe('ShopifyClient observability', () => {
  it('logs operation names and costs, never tokens or variables', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger({ level: 'debug', destination, pretty: false });
    const { f, client } = setup({ logger, auth: { accessToken: 'shpat_SECRET_TOKEN' } });
    f.then(ok({ customerByIdentifier: { id: '1', firstName: 'Jan' } }, { requested: 6, actual: 2, available: 998 }));
    await client.query(CustomerByEmail, { email: 'jan.jansen@example.nl' }, { lane: 'customers' });
    const out = lines.join('');
    expect(out).toMatch(/"op":"CustomerByEmail"/);
    expect(out).toMatch(/"requested":6/);
    expect(out).not.toMatch(/SECRET_TOKEN/);
    expect(out).not.toMatch(/jan\.jansen/);
    expect(out).not.toMatch(/Jan/);
  });

  it('counts requests by outcome, retries and the budget in the shared metrics', async () => {
    const { f, client, clock } = setup({ retryMinDelayMs: 1 });
    f.then(json({}, 500), ok(shopData, { requested: 2, actual: 1, available: 777 }));
    await drive(clock, client.query(ShopInfo, {}, stock));
    const metrics = await registry.getMetricsAsJSON();
    const value = (name: string, labels: Record<string, string>): number | undefined =>
      (metrics.find((m) => m.name === name)?.values as { value: number; labels: Record<string, string> }[] | undefined)?.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
    const conn = client.connection;
    expect(value('koppel_api_requests_total', { api: 'shopify', connection: conn, operation: 'ShopInfo', outcome: 'server_error' })).toBe(1);
    expect(value('koppel_api_requests_total', { api: 'shopify', connection: conn, operation: 'ShopInfo', outcome: 'ok' })).toBe(1);
    expect(value('koppel_api_retries_total', { api: 'shopify', connection: conn, reason: 'server_error' })).toBe(1);
    expect(value('koppel_api_budget_available', { api: 'shopify', connection: conn, bucket: 'cost' })).toBe(777);
  });
});
