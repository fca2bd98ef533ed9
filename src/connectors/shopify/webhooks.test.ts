import { describe, expect, it } from 'vitest';
import { ok, ScriptedFetch, type RecordedCall } from '../../../test/connectors/shopify/support/fake-fetch.js';
import { FakeClock } from './clock.js';
import { ShopifyClient } from './client.js';
import { ensureWebhookSubscriptions, readWebhookHeaders, signWebhook, topicEnum, verifyWebhookHmac } from './webhooks.js';

const BODY = '{"id":820982911946154508,"name":"#1001"}';
/** base64 HMAC-SHA256 of BODY under "hush", computed once outside this code. */
const SIGNATURE = 'Mkf2s8BiWQBb/dlay3RDP15QWaH8IejS3UDTmBxVmfo=';

describe('verifyWebhookHmac', () => {
  it('accepts the signature of the raw bytes', () => {
    expect(verifyWebhookHmac(Buffer.from(BODY), SIGNATURE, ['hush'])).toBe(true);
    expect(verifyWebhookHmac(BODY, SIGNATURE, ['hush'])).toBe(true);
    expect(signWebhook(BODY, 'hush')).toBe(SIGNATURE);
  });

  it('accepts any of several secrets (rotation)', () => {
    expect(verifyWebhookHmac(BODY, SIGNATURE, ['new-secret', 'hush'])).toBe(true);
    expect(verifyWebhookHmac(BODY, SIGNATURE, ['hush', 'new-secret'])).toBe(true);
  });

  it('rejects a changed body, a wrong secret, and re-serialised JSON', () => {
    expect(verifyWebhookHmac(BODY.replace('1001', '1002'), SIGNATURE, ['hush'])).toBe(false);
    expect(verifyWebhookHmac(BODY, SIGNATURE, ['wrong'])).toBe(false);
    // JSON.parse loses the big id's digits: the bytes differ, so must the verdict
    expect(verifyWebhookHmac(JSON.stringify(JSON.parse(BODY)), SIGNATURE, ['hush'])).toBe(false);
  });

  it('rejects missing, malformed and truncated signatures and an empty secret list', () => {
    expect(verifyWebhookHmac(BODY, undefined, ['hush'])).toBe(false);
    expect(verifyWebhookHmac(BODY, null, ['hush'])).toBe(false);
    expect(verifyWebhookHmac(BODY, '', ['hush'])).toBe(false);
    expect(verifyWebhookHmac(BODY, 'not base64 at all!', ['hush'])).toBe(false);
    expect(verifyWebhookHmac(BODY, SIGNATURE.slice(0, 20), ['hush'])).toBe(false);
    expect(verifyWebhookHmac(BODY, Buffer.from(SIGNATURE, 'base64').toString('hex'), ['hush'])).toBe(false);
    expect(verifyWebhookHmac(BODY, SIGNATURE, [])).toBe(false);
    expect(verifyWebhookHmac(BODY, SIGNATURE, [''])).toBe(false);
  });
});

describe('webhook headers and topics', () => {
  it('reads the headers in any case', () => {
    const h = readWebhookHeaders({ 'x-shopify-topic': 'orders/paid', 'X-Shopify-Shop-Domain': 'koppel-demo.myshopify.com', 'x-shopify-hmac-sha256': SIGNATURE, 'x-shopify-event-id': 'e1', 'x-shopify-webhook-id': 'w1' });
    expect(h).toMatchObject({ topic: 'orders/paid', shop: 'koppel-demo.myshopify.com', hmac: SIGNATURE, eventId: 'e1', webhookId: 'w1', name: undefined });
    expect(readWebhookHeaders(new Headers({ 'X-Shopify-Triggered-At': '2026-11-29T10:00:00Z' })).triggeredAt).toBe('2026-11-29T10:00:00Z');
  });

  it('converts REST topics to the GraphQL enum', () => {
    expect(topicEnum('orders/paid')).toBe('ORDERS_PAID');
    expect(topicEnum('INVENTORY_LEVELS_UPDATE')).toBe('INVENTORY_LEVELS_UPDATE');
    expect(topicEnum('bulk_operations/finish')).toBe('BULK_OPERATIONS_FINISH');
    expect(() => topicEnum('orders paid')).toThrow(/not a webhook topic/);
  });
});

describe('ensureWebhookSubscriptions', () => {
  function setup(existing: { id: string; topic: string; uri: string; filter?: string | null; includeFields?: string[] }[]) {
    const clock = new FakeClock();
    const f = new ScriptedFetch();
    const created: Record<string, unknown>[] = [];
    const deleted: string[] = [];
    let seq = 100;
    f.fallback = (call: RecordedCall) => {
      const op = /(?:query|mutation)\s+(\w+)/.exec(call.json.query ?? '')?.[1];
      const v = call.json.variables ?? {};
      if (op === 'WebhookSubscriptions') {
        // two pages, to prove paging
        const page = v.after ? existing.slice(1) : existing.slice(0, 1);
        return ok({
          webhookSubscriptions: {
            nodes: page.map((e) => ({ format: 'JSON', filter: null, includeFields: [], ...e })),
            pageInfo: { hasNextPage: !v.after && existing.length > 1, endCursor: v.after ? null : 'c1' },
          },
        });
      }
      if (op === 'WebhookSubscriptionCreate') {
        created.push(v);
        if (v.topic === 'COMPANIES_CREATE') return ok({ webhookSubscriptionCreate: { webhookSubscription: null, userErrors: [{ field: ['topic'], message: 'Access denied for topic' }] } });
        const ws = v.webhookSubscription as { uri: string; filter?: string };
        return ok({ webhookSubscriptionCreate: { webhookSubscription: { id: `gid://shopify/WebhookSubscription/${++seq}`, topic: v.topic, uri: ws.uri, format: 'JSON', filter: ws.filter ?? null, includeFields: [], apiVersion: { handle: '2026-10' } }, userErrors: [] } });
      }
      if (op === 'WebhookSubscriptionDelete') {
        deleted.push(String(v.id));
        return ok({ webhookSubscriptionDelete: { deletedWebhookSubscriptionId: v.id, userErrors: [] } });
      }
      throw new Error(`unexpected ${op}`);
    };
    const client = new ShopifyClient({ shop: 'koppel-demo', auth: { accessToken: 'x' }, endpoint: 'http://127.0.0.1:9', fetch: f.fetch, clock });
    return { client, created, deleted };
  }

  const URI = 'https://koppel.example.nl/webhooks/shopify';

  it('creates the missing subscriptions, keeps the matching ones and reports stale ones', async () => {
    const { client, created, deleted } = setup([
      { id: 'gid://shopify/WebhookSubscription/1', topic: 'ORDERS_PAID', uri: URI },
      { id: 'gid://shopify/WebhookSubscription/2', topic: 'PRODUCTS_UPDATE', uri: 'https://old-tunnel.example.com/hook' },
    ]);
    const r = await ensureWebhookSubscriptions(client, [
      { topic: 'orders/paid', uri: URI },
      { topic: 'INVENTORY_LEVELS_UPDATE', uri: URI },
      { topic: 'orders/updated', uri: URI, filter: 'financial_status:paid' },
    ]);
    expect(r.kept.map((s) => s.id)).toEqual(['gid://shopify/WebhookSubscription/1']);
    expect(r.created.map((s) => s.topic)).toEqual(['INVENTORY_LEVELS_UPDATE', 'ORDERS_UPDATED']);
    expect(created[1]).toEqual({ topic: 'ORDERS_UPDATED', webhookSubscription: { uri: URI, format: 'JSON', filter: 'financial_status:paid' } });
    expect(r.stale.map((s) => s.id)).toEqual(['gid://shopify/WebhookSubscription/2']);
    expect(r.deleted).toEqual([]);
    expect(deleted).toEqual([]);
  });

  it('deletes stale subscriptions when asked, and treats a changed filter as stale', async () => {
    const { client, deleted } = setup([{ id: 'gid://shopify/WebhookSubscription/1', topic: 'ORDERS_PAID', uri: URI, filter: 'tag:old' }]);
    const r = await ensureWebhookSubscriptions(client, [{ topic: 'ORDERS_PAID', uri: URI }], { deleteStale: true });
    expect(r.created.map((s) => s.topic)).toEqual(['ORDERS_PAID']);
    expect(deleted).toEqual(['gid://shopify/WebhookSubscription/1']);
    expect(r.deleted).toEqual(['gid://shopify/WebhookSubscription/1']);
  });

  it('reports a topic Shopify refuses with its userErrors and carries on', async () => {
    const { client } = setup([]);
    const r = await ensureWebhookSubscriptions(client, [
      { topic: 'COMPANIES_CREATE', uri: URI },
      { topic: 'ORDERS_PAID', uri: URI },
    ]);
    expect(r.failed).toEqual([{ topic: 'COMPANIES_CREATE', uri: URI, userErrors: [{ field: ['topic'], message: 'Access denied for topic', code: null, mutation: 'webhookSubscriptionCreate' }] }]);
    expect(r.created.map((s) => s.topic)).toEqual(['ORDERS_PAID']);
  });

  it('refuses an address Shopify would not deliver to', async () => {
    const { client } = setup([]);
    await expect(ensureWebhookSubscriptions(client, [{ topic: 'ORDERS_PAID', uri: 'http://koppel.example.nl/hook' }])).rejects.toThrow(/must use https/);
    await expect(ensureWebhookSubscriptions(client, [{ topic: 'ORDERS_PAID', uri: 'not a url' }])).rejects.toThrow(/is not a URL/);
  });
});
