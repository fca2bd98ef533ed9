// Webhook subscriptions and deliveries: headers, HMAC, REST payloads checked against the JSON schemas of
// `shopify-webhook-schemas`, retries, duplicates, reordering, filters, scopes.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { schemaForWebhook } from 'shopify-webhook-schemas';
import { describe, expect, it } from 'vitest';
import { createShopifySandbox } from '../../sandbox/shopify/index.js';
import type { ShopifySandboxHandle } from '../../sandbox/shopify/index.js';
import { retryDelayMs, settleWebhooks, webhookDeliveries, WEBHOOK_MAX_ATTEMPTS } from '../../sandbox/shopify/ops/webhooks.js';
import { gql, manualClock, ok } from '../../sandbox/shopify/testkit.js';
import { validateJson } from './json-schema.js';
import type { JsonSchema } from './json-schema.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Received {
  url: string;
  headers: Headers;
  body: string;
}

function receiver(status: (n: number) => number = () => 200) {
  const got: Received[] = [];
  const fetchFn = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const req = new Request(input, init);
    got.push({ url: req.url, headers: req.headers, body: await req.text() });
    return new Response('', { status: status(got.length) });
  }) as typeof fetch;
  return { got, fetchFn };
}

const CREATE_SUB = `mutation($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri format filter includeFields apiVersion { handle } }
    userErrors { field message } } }`;

async function subscribe(sb: ShopifySandboxHandle, topic: string, sub: Json = {}, version = '2026-10'): Promise<Json> {
  const r = (await ok<Json>(sb, CREATE_SUB, { topic, webhookSubscription: { uri: 'https://sync.example.com/webhooks/shopify', format: 'JSON', ...sub } }, { version })).webhookSubscriptionCreate;
  expect(r.userErrors).toEqual([]);
  return r.webhookSubscription;
}

function setup(opts: Parameters<typeof createShopifySandbox>[0] = {}, status?: (n: number) => number) {
  const clock = manualClock();
  const r = receiver(status);
  const sb = createShopifySandbox({ now: clock.now, webhookFetch: r.fetchFn, ...opts });
  return { sb, clock, got: r.got };
}

const eur = (amount: string) => ({ shopMoney: { amount, currencyCode: 'EUR' } });
const ORDER = `mutation($order: OrderCreateOrderInput!) { orderCreate(order: $order) { order { id } userErrors { message } } }`;

async function paidOrder(sb: ShopifySandboxHandle, extra: Json = {}): Promise<string> {
  const r = (await ok<Json>(sb, ORDER, { order: { lineItems: [{ title: 'Mug', sku: 'MUG-1', quantity: 1, priceSet: eur('10.00') }], transactions: [{ amountSet: eur('10.00'), gateway: 'ccv-pin' }], email: 'jan@example.nl', ...extra } })).orderCreate;
  expect(r.userErrors).toEqual([]);
  return r.order.id;
}

describe('webhook subscriptions', () => {
  it('creates the reference subscription, lists and deletes it', async () => {
    const { sb } = setup();
    const s = await subscribe(sb, 'ORDERS_PAID', { name: 'ccv-orders-paid', includeFields: ['id', 'admin_graphql_api_id', 'updated_at', 'financial_status', 'source_name', 'tags'] });
    expect(s).toMatchObject({ topic: 'ORDERS_PAID', uri: 'https://sync.example.com/webhooks/shopify', format: 'JSON', filter: null, apiVersion: { handle: '2026-10' } });
    const list = await ok<Json>(sb, '{ webhookSubscriptions(first: 100) { nodes { id topic uri format filter } pageInfo { hasNextPage endCursor } } }');
    expect(list.webhookSubscriptions.nodes).toEqual([{ id: s.id, topic: 'ORDERS_PAID', uri: s.uri, format: 'JSON', filter: null }]);
    const del = `mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } } }`;
    expect((await ok<Json>(sb, del, { id: s.id })).webhookSubscriptionDelete).toEqual({ deletedWebhookSubscriptionId: s.id, userErrors: [] });
    expect((await ok<Json>(sb, del, { id: s.id })).webhookSubscriptionDelete.userErrors).toEqual([{ field: ['id'], message: 'Webhook subscription does not exist' }]);
  });

  it('refuses a topic whose scope the app lacks, a taken address, and plain http outside loopback', async () => {
    const { sb } = setup();
    const t = sb.issueToken({ scopes: ['read_products'] });
    const denied = await gql<Json>(sb, CREATE_SUB, { topic: 'ORDERS_PAID', webhookSubscription: { uri: 'https://x.example.com/h' } }, { token: t.token });
    expect(denied.body.data!.webhookSubscriptionCreate.userErrors[0]).toMatchObject({ field: ['topic'], message: expect.stringContaining('`read_orders`') });
    const okProducts = await gql<Json>(sb, CREATE_SUB, { topic: 'PRODUCTS_UPDATE', webhookSubscription: { uri: 'https://x.example.com/h' } }, { token: t.token });
    expect(okProducts.body.data!.webhookSubscriptionCreate.userErrors).toEqual([]);
    const taken = await gql<Json>(sb, CREATE_SUB, { topic: 'PRODUCTS_UPDATE', webhookSubscription: { uri: 'https://x.example.com/h' } });
    expect(taken.body.data!.webhookSubscriptionCreate.userErrors).toEqual([{ field: ['webhookSubscription', 'callbackUrl'], message: 'Address for this topic has already been taken' }]);
    const http = await gql<Json>(sb, CREATE_SUB, { topic: 'PRODUCTS_UPDATE', webhookSubscription: { uri: 'http://sync.example.com/h' } });
    expect(http.body.data!.webhookSubscriptionCreate.userErrors[0].field).toEqual(['webhookSubscription', 'uri']);
    const unsupported = await gql<Json>(sb, CREATE_SUB, { topic: 'APP_UNINSTALLED', webhookSubscription: { uri: 'https://x.example.com/h' } });
    expect(unsupported.body.errors?.[0]?.extensions?.code).toBe('SANDBOX_UNSUPPORTED');
  });
});

describe('webhook deliveries', () => {
  it('sends the real headers, an HMAC of the raw body with the client secret, and only the included fields', async () => {
    const { sb, got, clock } = setup();
    await subscribe(sb, 'ORDERS_PAID', { name: 'ccv-orders-paid', includeFields: ['id', 'admin_graphql_api_id', 'updated_at', 'financial_status', 'source_name', 'tags'] });
    const orderId = await paidOrder(sb, { tags: ['web', 'vip'] });
    await settleWebhooks(sb.core);
    expect(got).toHaveLength(1);
    const d = got[0]!;
    expect(d.url).toBe('https://sync.example.com/webhooks/shopify');
    expect(d.headers.get('x-shopify-topic')).toBe('orders/paid');
    expect(d.headers.get('x-shopify-shop-domain')).toBe(sb.shop);
    expect(d.headers.get('x-shopify-api-version')).toBe('2026-10');
    expect(d.headers.get('x-shopify-name')).toBe('ccv-orders-paid');
    expect(d.headers.get('x-shopify-webhook-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.headers.get('x-shopify-event-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.headers.get('x-shopify-triggered-at')).toBe(new Date(clock.now()).toISOString());
    expect(d.headers.get('content-type')).toBe('application/json');
    expect(d.headers.get('x-shopify-hmac-sha256')).toBe(createHmac('sha256', sb.clientSecret).update(d.body, 'utf8').digest('base64'));
    const body = JSON.parse(d.body) as Json;
    expect(Object.keys(body).sort()).toEqual(['admin_graphql_api_id', 'financial_status', 'id', 'source_name', 'tags', 'updated_at']);
    expect(body).toMatchObject({ admin_graphql_api_id: orderId, financial_status: 'paid', tags: 'vip, web' });
    expect(body.updated_at).toMatch(/^2026-07-14T12:00:00\+02:00$/); // shop time zone (Europe/Amsterdam, summer)
  });

  it('shares one event id between the topics of one change, with a webhook id per delivery', async () => {
    const { sb, got } = setup();
    await subscribe(sb, 'ORDERS_CREATE');
    await subscribe(sb, 'ORDERS_PAID');
    await paidOrder(sb);
    await settleWebhooks(sb.core);
    expect(got.map((g) => g.headers.get('x-shopify-topic')).sort()).toEqual(['orders/create', 'orders/paid']);
    expect(new Set(got.map((g) => g.headers.get('x-shopify-event-id'))).size).toBe(1);
    expect(new Set(got.map((g) => g.headers.get('x-shopify-webhook-id'))).size).toBe(2);
    await paidOrder(sb);
    await settleWebhooks(sb.core);
    expect(new Set(got.map((g) => g.headers.get('x-shopify-event-id'))).size).toBe(2); // the next change: a new event
  });

  it('retries a failing receiver 8 times on the scaled schedule, keeping the webhook id, then gives up', async () => {
    const { sb, got, clock } = setup({ webhookTimeScale: 0.001 }, () => 500);
    await subscribe(sb, 'CUSTOMERS_CREATE');
    await ok(sb, 'mutation { customerCreate(input: { email: "jan@example.nl" }) { customer { id } } }');
    await settleWebhooks(sb.core);
    expect(got).toHaveLength(1);
    for (let retry = 1; retry < WEBHOOK_MAX_ATTEMPTS; retry++) {
      clock.advance(retryDelayMs(retry, 0.001) - 1);
      await settleWebhooks(sb.core);
      expect(got).toHaveLength(retry); // not yet
      clock.advance(1);
      await settleWebhooks(sb.core);
      expect(got).toHaveLength(retry + 1);
    }
    clock.advance(10_000_000);
    await settleWebhooks(sb.core);
    expect(got).toHaveLength(WEBHOOK_MAX_ATTEMPTS);
    expect(new Set(got.map((g) => g.headers.get('x-shopify-webhook-id'))).size).toBe(1);
    expect(new Set(got.map((g) => g.body)).size).toBe(1); // always the original payload
    const [d] = webhookDeliveries(sb.core);
    expect(d).toMatchObject({ state: 'failed', nextAttemptAt: null });
    expect(d!.attempts.map((a) => a.status)).toEqual(Array(WEBHOOK_MAX_ATTEMPTS).fill(500));
    // Unscaled, the 8 retries span Shopify's ~4 hours.
    expect(Array.from({ length: 8 }, (_, i) => retryDelayMs(i + 1, 1)).reduce((a, b) => a + b, 0)).toBe(255 * 60_000);
  });

  it('stops retrying once the receiver answers 2xx', async () => {
    const { sb, got, clock } = setup({ webhookTimeScale: 0.001 }, (n) => (n < 3 ? 503 : 200));
    await subscribe(sb, 'CUSTOMERS_CREATE');
    await ok(sb, 'mutation { customerCreate(input: { email: "jan@example.nl" }) { customer { id } } }');
    for (let i = 0; i < 5; i++) {
      await settleWebhooks(sb.core);
      clock.advance(10 * 60_000);
    }
    await settleWebhooks(sb.core);
    expect(got).toHaveLength(3);
    expect(webhookDeliveries(sb.core)[0]).toMatchObject({ state: 'delivered' });
  });

  it('can deliver twice (same event id, new webhook id) and out of order', async () => {
    const dup = setup({ webhookDuplicateRate: 1 });
    await subscribe(dup.sb, 'ORDERS_CREATE');
    await paidOrder(dup.sb);
    await settleWebhooks(dup.sb.core);
    expect(dup.got).toHaveLength(2);
    expect(new Set(dup.got.map((g) => g.headers.get('x-shopify-event-id'))).size).toBe(1);
    expect(new Set(dup.got.map((g) => g.headers.get('x-shopify-webhook-id'))).size).toBe(2);
    expect(dup.got[0]!.body).toBe(dup.got[1]!.body);

    const ro = setup({ webhookReorderMs: 60_000 });
    await subscribe(ro.sb, 'CUSTOMERS_CREATE');
    const emails: string[] = [];
    for (let i = 0; i < 8; i++) {
      emails.push(`c${i}@example.nl`);
      await ok(ro.sb, 'mutation($e: String!) { customerCreate(input: { email: $e }) { customer { id } } }', { e: `c${i}@example.nl` });
      ro.clock.advance(1000);
    }
    await settleWebhooks(ro.sb.core); // the last payload is taken; its delivery waits up to 60 s
    ro.clock.advance(60_000);
    await settleWebhooks(ro.sb.core);
    const arrived = ro.got.map((g) => (JSON.parse(g.body) as Json).email);
    expect([...arrived].sort()).toEqual([...emails].sort());
    expect(arrived).not.toEqual(emails);
  });

  it('switches duplicates on at runtime through /__sandbox/webhooks, which also lists the deliveries', async () => {
    const { sb, got } = setup();
    await subscribe(sb, 'ORDERS_CREATE');
    const post = async (body: Json) => (await (await sb.fetch(`https://${sb.shop}/__sandbox/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Json;
    expect((await post({ duplicateRate: 1 })).settings).toMatchObject({ duplicateRate: 1, reorderMs: 0, timeScale: 1 });
    await paidOrder(sb);
    await settleWebhooks(sb.core);
    expect(got).toHaveLength(2);
    const listed = (await post({})).deliveries as Json[];
    expect(listed.map((d) => [d.topic, d.state, d.attempts, d.lastStatus])).toEqual([
      ['orders/create', 'delivered', 1, 200],
      ['orders/create', 'delivered', 1, 200],
    ]);
    expect(listed[1]!.duplicateOf).toBe(listed[0]!.id);
    const bad = await sb.fetch(`https://${sb.shop}/__sandbox/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ duplicateRate: 2 }) });
    expect(bad.status).toBe(400);
  });

  it('filters deliveries with the subscription filter', async () => {
    const { sb, got } = setup();
    await subscribe(sb, 'ORDERS_CREATE', { filter: 'financial_status:paid' });
    await ok(sb, ORDER, { order: { lineItems: [{ title: 'x', quantity: 1, priceSet: eur('5.00') }] } }); // pending
    await paidOrder(sb);
    await settleWebhooks(sb.core);
    expect(got.map((g) => (JSON.parse(g.body) as Json).financial_status)).toEqual(['paid']);
  });

  it('posts to a real receiver on 127.0.0.1 over http', async () => {
    const bodies: { raw: Buffer; hmac: string | undefined }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ raw: Buffer.concat(chunks), hmac: req.headers['x-shopify-hmac-sha256'] as string | undefined });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const clock = manualClock();
      const sb = createShopifySandbox({ now: clock.now });
      const port = (server.address() as AddressInfo).port;
      await subscribe(sb, 'CUSTOMERS_CREATE', { uri: `http://127.0.0.1:${port}/hooks` });
      await ok(sb, 'mutation { customerCreate(input: { email: "jan@example.nl", firstName: "Jan" }) { customer { id } } }');
      await settleWebhooks(sb.core);
      expect(bodies).toHaveLength(1);
      expect(bodies[0]!.hmac).toBe(createHmac('sha256', sb.clientSecret).update(bodies[0]!.raw).digest('base64'));
      expect(JSON.parse(bodies[0]!.raw.toString('utf8'))).toMatchObject({ email: 'jan@example.nl', first_name: 'Jan' });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('webhook payloads', () => {
  // The package's schemas are inferred from Shopify's example payloads, in which every field holds a value.
  // Product media is not simulated: Shopify sends `image: null` for a product without images.
  const NULLABLE = new Set(['image']);
  const topics = ['ORDERS_CREATE', 'ORDERS_PAID', 'ORDERS_UPDATED', 'PRODUCTS_CREATE', 'PRODUCTS_UPDATE', 'PRODUCTS_DELETE', 'INVENTORY_LEVELS_UPDATE', 'CUSTOMERS_CREATE', 'CUSTOMERS_UPDATE'];

  it('matches the shopify-webhook-schemas JSON schemas and writes ids beyond 2^53 as exact digits', async () => {
    const { sb, got } = setup({ idStart: '9007199254740993' });
    for (const t of topics) await subscribe(sb, t, { uri: `https://sync.example.com/${t.toLowerCase()}` });
    const store = (await ok<Json>(sb, '{ locations(first: 1) { nodes { id } } }')).locations.nodes[0].id;
    const ps = (
      await ok<Json>(sb, `mutation($input: ProductSetInput!) { productSet(input: $input) { product { id variants(first: 5) { nodes { id inventoryItem { id } } } } userErrors { message } } }`, {
        input: {
          title: 'Polo shirt',
          descriptionHtml: '<p>Cotton polo</p>',
          vendor: 'Acme',
          productType: 'Shirts',
          status: 'ACTIVE',
          tags: ['ccv'],
          productOptions: [{ name: 'Size', values: [{ name: 'M' }, { name: 'L' }] }],
          variants: [
            { optionValues: [{ optionName: 'Size', name: 'M' }], sku: 'POLO-M', price: '29.95', barcode: '8712345678901', inventoryItem: { tracked: true }, inventoryQuantities: [{ locationId: store, name: 'available', quantity: 5 }] },
            { optionValues: [{ optionName: 'Size', name: 'L' }], sku: 'POLO-L', price: '29.95', barcode: '8712345678902', inventoryItem: { tracked: true } },
          ],
        },
      })
    ).productSet.product;
    await ok(sb, 'mutation($id: ID!) { productUpdate(product: { id: $id, title: "Polo shirt 2" }) { userErrors { message } } }', { id: ps.id });
    const address = { address1: 'Dorpsstraat 1', address2: 'bis', city: 'Utrecht', zip: '1234 AB', provinceCode: 'UT', countryCode: 'NL', company: 'Jansen BV', firstName: 'Jan', lastName: 'Jansen', phone: '+31612345678' };
    const c = (await ok<Json>(sb, 'mutation($input: CustomerSetInput!) { customerSet(input: $input) { customer { id } userErrors { message } } }', { input: { email: 'jan@example.nl', firstName: 'Jan', lastName: 'Jansen', phone: '+31612345678', note: 'CCV customer', tags: ['ccv'], addresses: [address] } })).customerSet.customer;
    await ok(sb, 'mutation($input: CustomerSetInput!) { customerSet(identifier: { email: "jan@example.nl" }, input: $input) { userErrors { message } } }', { input: { email: 'jan@example.nl', note: 'updated' } });
    await paidOrder(sb, {
      customer: { toAssociate: { id: c.id } },
      billingAddress: address,
      shippingAddress: address,
      phone: '+31612345678',
      note: 'Web order',
      tags: ['web'],
      lineItems: [{ variantId: ps.variants.nodes[0].id, quantity: 1, priceSet: eur('10.00'), taxLines: [{ title: 'BTW 21%', rate: '0.21' }] }],
      shippingLines: [{ title: 'PostNL', code: 'postnl', priceSet: eur('4.95') }],
      transactions: [{ amountSet: eur('17.05'), gateway: 'ccv-pin' }], // 10.00 + 21% VAT on top + 4.95 shipping
    });
    await ok(sb, 'mutation($id: ID!) { productDelete(input: { id: $id }) { deletedProductId } }', { id: ps.id });
    await settleWebhooks(sb.core);

    // The checker itself refuses what Shopify would not send.
    expect(validateJson(schemaForWebhook('2026-07', 'products/delete') as JsonSchema, { id: '1' })).toEqual(['id: string is not integer']);
    expect(validateJson(schemaForWebhook('2026-07', 'inventory_levels/update') as JsonSchema, { inventory_item_id: 1 })).toContain('location_id: missing');
    const seen = new Set<string>();
    for (const g of got) {
      const topic = g.headers.get('x-shopify-topic')!;
      seen.add(topic);
      const schema = schemaForWebhook('2026-07', topic) as JsonSchema;
      expect(validateJson(schema, JSON.parse(g.body), NULLABLE), `${topic}: ${g.body.slice(0, 200)}`).toEqual([]);
      // Raw digits in the JSON text: 9007199254740993 is not a JS number (it would round to ...992).
      expect(g.body).toMatch(/id":9007199254740\d{3}\b/);
      expect(g.body).not.toMatch(/id":"\d+"/);
    }
    expect([...seen].sort()).toEqual(['customers/create', 'customers/update', 'inventory_levels/update', 'orders/create', 'orders/paid', 'orders/updated', 'products/create', 'products/delete', 'products/update']);
    const created = got.find((g) => g.headers.get('x-shopify-topic') === 'products/create')!;
    expect(created.body).toContain(`"id":${ps.id.split('/').pop()}`);
    expect(ps.id).toBe('gid://shopify/Product/9007199254740993');
  });
});
