import { describe, expect, it } from 'vitest';
import { createShopifySandbox } from './index.js';
import { gql, manualClock, ok } from './testkit.js';

const SHOP_INFO = 'query ShopInfo { shop { id name myshopifyDomain currencyCode ianaTimezone taxesIncluded plan { displayName partnerDevelopment shopifyPlus } } }';
const LOCATIONS = 'query Locations($after: String) { locations(first: 250, after: $after, includeInactive: false) { nodes { id name isActive fulfillsOnlineOrders shipsInventory address { countryCode } } pageInfo { hasNextPage endCursor } } }';
const PRODUCT_SET = `mutation ProductSetSync($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) { product { id handle } userErrors { field message code } } }`;
const INVENTORY_SET_NO_KEY = `mutation InventorySet($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { id } userErrors { field message code } } }`;

function sandbox(opts: Parameters<typeof createShopifySandbox>[0] = {}) {
  const clock = manualClock();
  const sb = createShopifySandbox({ now: clock.now, ...opts });
  return { sb, clock };
}

async function post(sb: ReturnType<typeof createShopifySandbox>, path: string, body: unknown) {
  const r = await sb.fetch(`https://${sb.shop}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('authentication', () => {
  it('refuses a missing or wrong access token with 401', async () => {
    const { sb } = sandbox();
    for (const token of [null, 'shpat_wrong']) {
      const r = await gql(sb, SHOP_INFO, {}, { token });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    }
    expect((await gql(sb, SHOP_INFO)).status).toBe(200);
  });

  it('issues expiring client-credentials tokens', async () => {
    const { sb, clock } = sandbox({ tokenTtlSeconds: 3600 });
    const bad = await post(sb, '/admin/oauth/access_token', { client_id: sb.clientId, client_secret: 'nope', grant_type: 'client_credentials' });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('invalid_client');
    const wrongGrant = await post(sb, '/admin/oauth/access_token', { client_id: sb.clientId, client_secret: sb.clientSecret, grant_type: 'authorization_code' });
    expect(wrongGrant.status).toBe(400);
    const r = await post(sb, '/admin/oauth/access_token', { client_id: sb.clientId, client_secret: sb.clientSecret, grant_type: 'client_credentials' });
    expect(r.status).toBe(200);
    expect(r.body.expires_in).toBe(3600);
    expect(String(r.body.scope).split(',')).toContain('write_products');
    const token = String(r.body.access_token);
    expect((await gql(sb, SHOP_INFO, {}, { token })).status).toBe(200);
    clock.advance(3600 * 1000 - 1);
    expect((await gql(sb, SHOP_INFO, {}, { token })).status).toBe(200);
    clock.advance(1);
    expect((await gql(sb, SHOP_INFO, {}, { token })).status).toBe(401);
  });

  it('denies a root field whose scope the token lacks', async () => {
    const { sb } = sandbox();
    const t = sb.issueToken({ scopes: ['read_products'] });
    const denied = await gql(sb, PRODUCT_SET, { input: { title: 'x' } }, { token: t.token });
    expect(denied.body.data).toEqual({ productSet: null });
    expect(denied.body.errors?.[0]?.extensions).toMatchObject({ code: 'ACCESS_DENIED', requiredAccess: '`write_products` access scope.' });
    const loc = await gql(sb, LOCATIONS, {}, { token: t.token });
    expect(loc.body.errors?.[0]?.extensions?.code).toBe('ACCESS_DENIED');
    expect((await gql(sb, '{ products(first: 1) { nodes { id } } }', {}, { token: t.token })).body.errors).toBeUndefined();
    // write implies read
    const w = sb.issueToken({ scopes: ['write_inventory'] });
    expect((await gql(sb, '{ inventoryItems(first: 1) { nodes { id } } }', {}, { token: w.token })).body.errors).toBeUndefined();
  });
});

describe('versions and validation', () => {
  it('serves 2026-07 and 2026-10, echoes the version and refuses others', async () => {
    const { sb } = sandbox();
    for (const version of ['2026-07', '2026-10']) {
      const r = await gql(sb, SHOP_INFO, {}, { version });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-shopify-api-version')).toBe(version);
    }
    const r = await gql(sb, SHOP_INFO, {}, { version: '2025-01' });
    expect(r.status).toBe(404);
  });

  it('validates against the requested version and answers errors without data', async () => {
    const { sb } = sandbox();
    const r = await gql(sb, '{ shop { notAField } }');
    expect(r.status).toBe(200);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors?.[0]?.message).toMatch(/notAField/);
    expect(r.body.extensions?.cost?.throttleStatus.maximumAvailable).toBe(2000);
    // A 2026-10-only input field is unknown in 2026-07.
    const v07 = await gql(sb, 'mutation($o: OrderCreateOrderInput!) { orderCreate(order: $o) { userErrors { message } } }', { o: { lineItems: [], fulfillment: { locationId: 'gid://shopify/Location/1', trackingNumbers: ['x'] } } }, { version: '2026-07' });
    expect(v07.body.errors?.[0]?.message).toMatch(/trackingNumbers/);
  });

  it('checks custom scalars on input', async () => {
    const { sb } = sandbox();
    const r = await gql(sb, 'query($q: String!) { productVariants(first: 1, query: $q) { nodes { price } } }', { q: 5 });
    expect(r.body.errors?.[0]?.message).toMatch(/String/);
    const m = await gql(sb, PRODUCT_SET, { input: { title: 'x', productOptions: [{ name: 'A', values: [{ name: 'a' }] }], variants: [{ optionValues: [{ optionName: 'A', name: 'a' }], price: 'cheap' }] } });
    expect(m.body.errors?.[0]?.message).toMatch(/Money/);
  });
});

describe('unsupported fields are errors, never silent nulls', () => {
  it('names the output field', async () => {
    const { sb } = sandbox();
    const r = await gql(sb, '{ shop { name accountOwner { id } } }');
    expect(r.body.errors?.[0]?.extensions).toEqual({ code: 'SANDBOX_UNSUPPORTED', field: 'Shop.accountOwner' });
  });

  it('names an unsupported root field, argument and input field', async () => {
    const { sb } = sandbox();
    const root = await gql(sb, '{ giftCards(first: 1) { nodes { id } } }');
    expect(root.body.errors?.[0]?.extensions).toEqual({ code: 'SANDBOX_UNSUPPORTED', field: 'QueryRoot.giftCards' });
    const arg = await gql(sb, '{ products(first: 1, savedSearchId: "gid://shopify/SavedSearch/1") { nodes { id } } }');
    expect(arg.body.errors?.[0]?.extensions?.code).toBe('SANDBOX_UNSUPPORTED');
    const input = await gql(sb, PRODUCT_SET, { input: { title: 'x', files: [{ originalSource: 'https://x.example/a.png', contentType: 'IMAGE' }] } });
    expect(input.body.errors?.[0]?.extensions).toMatchObject({ code: 'SANDBOX_UNSUPPORTED', field: 'ProductSetInput.files' });
  });
});

describe('limits', () => {
  it('refuses page sizes above 250 and connections without first/last', async () => {
    const { sb } = sandbox();
    const big = await gql(sb, '{ products(first: 251) { nodes { id } } }');
    expect(big.body.errors?.[0]?.extensions?.code).toBe('MAX_PAGE_SIZE_EXCEEDED');
    expect(big.body.data).toBeUndefined();
    const none = await gql(sb, '{ products { nodes { id } } }');
    expect(none.body.errors?.[0]?.message).toBe('you must provide one of first or last');
  });

  it('refuses input arrays above 250, but allows a full variant list', async () => {
    const { sb } = sandbox();
    const tags = Array.from({ length: 251 }, (_, i) => `t${i}`);
    const r = await gql(sb, PRODUCT_SET, { input: { title: 'x', tags } });
    expect(r.body.errors?.[0]).toMatchObject({ message: 'The input array size of 251 is greater than the maximum allowed of 250.', extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' } });
    const values = Array.from({ length: 300 }, (_, i) => ({ name: `v${i}` }));
    const variants = values.map((v) => ({ optionValues: [{ optionName: 'Size', name: v.name }], price: '1.00' }));
    const big = await gql(sb, PRODUCT_SET, { input: { title: 'Many', productOptions: [{ name: 'Size', values }], variants } });
    expect(big.body.errors).toBeUndefined();
    expect(big.body.data).toMatchObject({ productSet: { userErrors: [] } });
  });
});

describe('cost and throttling', () => {
  it('prices documents statically and refunds to the actual cost', async () => {
    const { sb } = sandbox();
    const shop = await gql(sb, SHOP_INFO);
    expect(shop.body.extensions?.cost).toMatchObject({ requestedQueryCost: 2, actualQueryCost: 2 });
    const loc = await gql(sb, LOCATIONS);
    // 2 + 250 x (location 1 + address 1); two active locations come back.
    expect(loc.body.extensions?.cost).toMatchObject({ requestedQueryCost: 502, actualQueryCost: 6 });
    expect(loc.body.extensions?.cost?.throttleStatus).toEqual({ maximumAvailable: 2000, currentlyAvailable: 1992, restoreRate: 100 });
  });

  it('refuses a document above 1000 with MAX_COST_EXCEEDED before running it', async () => {
    const { sb } = sandbox();
    const r = await gql(sb, '{ products(first: 50) { nodes { id variants(first: 100) { nodes { id inventoryItem { id } } } } } }');
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors?.[0]?.message.split('\n')[0]).toBe('Query cost is 10152, which exceeds the single query max cost limit (1000).');
    expect(r.body.errors?.[0]?.extensions?.code).toBe('MAX_COST_EXCEEDED');
    expect(r.body.extensions?.cost?.throttleStatus.currentlyAvailable).toBe(2000);
  });

  it('answers THROTTLED with HTTP 200 and no data when the bucket is short, and recovers with time', async () => {
    const { sb, clock } = sandbox();
    await post(sb, '/__sandbox/throttle', { drain: 1600 });
    const r = await gql(sb, LOCATIONS);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
      extensions: { cost: { requestedQueryCost: 502, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 400, restoreRate: 100 } } },
    });
    clock.advance(1020);
    expect((await gql(sb, LOCATIONS)).body.data).toBeDefined();
  });

  it('throttles a concurrent burst whose reservations exceed the bucket', async () => {
    const { sb } = sandbox();
    sb.setFaults({ latencyMs: 30 });
    const burst = await Promise.all(Array.from({ length: 5 }, () => gql(sb, LOCATIONS)));
    const codes = burst.map((r) => (r.body.errors?.[0]?.extensions?.code as string) ?? 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(3);
    expect(codes.filter((c) => c === 'THROTTLED')).toHaveLength(2);
    expect(burst.every((r) => r.status === 200)).toBe(true);
  });

  it('uses the plan presets and rateScale', async () => {
    const { sb, clock } = sandbox({ plan: 'plus', rateScale: 10 });
    expect((await gql(sb, SHOP_INFO)).body.extensions?.cost?.throttleStatus).toEqual({ maximumAvailable: 20000, currentlyAvailable: 19998, restoreRate: 10000 });
    const r = await post(sb, '/__sandbox/plan', { plan: 'advanced', rateScale: 1 });
    expect(r.body.throttleStatus).toMatchObject({ maximumAvailable: 4000, restoreRate: 200 });
    clock.advance(1);
    expect((await gql(sb, SHOP_INFO)).body.extensions?.cost?.throttleStatus.maximumAvailable).toBe(4000);
  });
});

describe('@idempotent', () => {
  it('is required on inventory mutations, must not be blank, and is refused elsewhere', async () => {
    const { sb } = sandbox();
    const input = { name: 'available', reason: 'correction', quantities: [] };
    const missing = await gql(sb, INVENTORY_SET_NO_KEY, { input });
    expect(missing.body.data).toBeUndefined();
    expect(missing.body.errors?.[0]?.message).toMatch(/requires an idempotency key/);
    const blank = await gql(sb, 'mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) @idempotent(key: "  ") { userErrors { message } } }', { input });
    expect(blank.body.errors?.[0]?.message).toMatch(/empty string or whitespace/);
    const elsewhere = await gql(sb, 'mutation($input: ProductSetInput!) { productSet(input: $input) @idempotent(key: "k") { userErrors { message } } }', { input: { title: 'x' } });
    expect(elsewhere.body.errors?.[0]?.message).toMatch(/not supported on the field 'productSet'/);
  });
});

describe('fault injection and test endpoints', () => {
  it('fails the next requests with 5xx before anything runs, and refunds the cost', async () => {
    const { sb } = sandbox();
    await post(sb, '/__sandbox/faults', { failNext: 1, errorStatus: 503 });
    const r = await gql(sb, PRODUCT_SET, { input: { title: 'Lost' } });
    expect(r.status).toBe(503);
    expect(sb.state.table('products').size).toBe(0);
    const after = await gql(sb, SHOP_INFO);
    expect(after.body.extensions?.cost?.throttleStatus.currentlyAvailable).toBe(1998);
  });

  it('can commit a mutation and then drop the connection', async () => {
    const { sb } = sandbox();
    sb.setFaults({ dropAfterCommitNext: 1 });
    await expect(gql(sb, PRODUCT_SET, { input: { title: 'Committed' } })).rejects.toThrow(/connection dropped/);
    const d = await ok<{ products: { nodes: { title: string }[] } }>(sb, '{ products(first: 5) { nodes { title } } }');
    expect(d.products.nodes.map((n) => n.title)).toEqual(['Committed']);
  });

  it('dumps and resets state, and validates endpoint input', async () => {
    const { sb } = sandbox();
    await ok(sb, PRODUCT_SET, { input: { title: 'Dumped' } });
    const dump = await sb.fetch(`https://${sb.shop}/__sandbox/state`);
    const state = (await dump.json()) as { tables: Record<string, { title?: string }[]> };
    expect(state.tables.products?.map((p) => p.title)).toEqual(['Dumped']);
    expect(state.tables.locations).toHaveLength(3);
    expect((await post(sb, '/__sandbox/reset', {})).status).toBe(200);
    expect(sb.state.table('products').size).toBe(0);
    expect((await post(sb, '/__sandbox/plan', { plan: 'gold' })).status).toBe(400);
    expect((await post(sb, '/__sandbox/faults', { errorRate: 2 })).status).toBe(400);
    expect((await post(sb, '/__sandbox/nope', {})).status).toBe(404);
  });
});
