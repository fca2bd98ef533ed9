/** The Shopify client's bulk operations and webhook helpers against the sandbox, over HTTP. */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify/index.js';
import { ShopifyBulk, ShopifyClient, docs, ensureWebhookSubscriptions, verifyWebhookHmac } from '../../../src/connectors/shopify/index.js';

let sb: ShopifySandbox;
let client: ShopifyClient;
beforeAll(async () => {
  sb = await startShopifySandbox({ port: 0, plan: 'plus', bulkLinesPerSecond: 500, logger: () => {} } as Parameters<typeof startShopifySandbox>[0]);
  client = new ShopifyClient({ shop: sb.shop, auth: { accessToken: sb.accessToken }, endpoint: sb.origin });
});
afterAll(async () => sb.close());

const productLine = (i: number, options = 1) => ({
  ref: `p${i}`,
  variables: {
    input: {
      title: `Bulk ${i}`,
      productOptions: Array.from({ length: options }, (_, k) => ({ name: `Optie ${k}`, values: [{ name: 'A' }] })),
      variants: [{ optionValues: Array.from({ length: options }, (_, k) => ({ optionName: `Optie ${k}`, name: 'A' })), sku: `BULK-${i}`, price: '9.95' }],
    },
  },
});

describe('bulk operations against the sandbox', () => {
  it('runs a productSet per line and maps every result back by line, with per-line userErrors', async () => {
    const inputs = Array.from({ length: 40 }, (_, i) => productLine(i, i === 7 ? 4 : 1));
    const run = await new ShopifyBulk(client, { pollMinMs: 50, pollMaxMs: 200 }).runMutation(docs.ProductUpsertBulk, inputs, { lane: 'products' });
    const results = [];
    for await (const r of run.results()) results.push(r);
    expect(results).toHaveLength(40);
    expect(new Set(results.map((r) => r.ref))).toEqual(new Set(inputs.map((i) => i.ref)));
    const bad = results.filter((r) => !r.ok);
    expect(bad.map((r) => r.ref)).toEqual(['p7']);
    expect(bad[0]!.userErrors[0]!.code).toBe('OPTIONS_OVER_LIMIT');
    for (const r of results.filter((x) => x.ok)) {
      const i = Number(r.ref!.slice(1));
      expect(r.lineNumber).toBe(i);
      expect(r.data!.productSet!.product!.variants.nodes[0]!.sku).toBe(`BULK-${i}`);
    }
  });

  it('exports the catalogue with a bulk query, children pointing at their parents', async () => {
    const run = await new ShopifyBulk(client, { pollMinMs: 50, pollMaxMs: 200 }).runQuery(docs.BulkProductsExport);
    const lines = [];
    for await (const l of run.results()) lines.push(l as { id: string; __parentId?: string; sku?: string });
    const products = lines.filter((l) => !l.__parentId);
    const variants = lines.filter((l) => l.__parentId);
    expect(products.length).toBeGreaterThanOrEqual(39);
    expect(variants.every((v) => products.some((p) => p.id === v.__parentId))).toBe(true);
  });
});

describe('webhooks against the sandbox', () => {
  it('registers subscriptions once and verifies the HMAC of real deliveries', async () => {
    const received: Array<{ topic: string | null; ok: boolean }> = [];
    const app = new Hono();
    app.post('/hooks/shopify', async (c) => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      received.push({ topic: c.req.header('x-shopify-topic') ?? null, ok: verifyWebhookHmac(raw, c.req.header('x-shopify-hmac-sha256'), [sb.clientSecret]) });
      return c.body(null, 200);
    });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    try {
      const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/shopify`;
      const first = await ensureWebhookSubscriptions(client, [{ topic: 'PRODUCTS_CREATE', uri }]);
      expect(first.created).toHaveLength(1);
      const again = await ensureWebhookSubscriptions(client, [{ topic: 'PRODUCTS_CREATE', uri }]);
      expect(again.created).toHaveLength(0);
      expect(again.kept).toHaveLength(1);
      await client.mutate(docs.ProductUpsert, { input: productLine(100).variables.input, variants: 1 }, { lane: 'products', payload: 'productSet', retrySafe: true });
      for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(received.length).toBeGreaterThan(0);
      expect(received[0]).toEqual({ topic: 'products/create', ok: true });
      expect(verifyWebhookHmac('{"tampered":true}', 'AAAA', [sb.clientSecret])).toBe(false);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
