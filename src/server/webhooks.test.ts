import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../test/support/db.js';
import { createEngine, type Engine } from '../engine/index.js';
import { silentLogger } from '../obs/log.js';
import { webhookRoutes } from './webhooks.js';

let store: TestStore;
let engine: Engine;
beforeEach(async () => {
  store = await openTestStore('sqlite');
  engine = createEngine(store);
  engine.runtime.define({ name: 'test.refresh', handler: async () => {} });
});
afterEach(async () => {
  await engine.stop();
  await store.dispose();
});

const SECRET = 'shpss_test';
const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('base64');

function app() {
  return webhookRoutes({
    inbox: engine.inbox,
    logger: silentLogger,
    shopify: { secrets: () => [SECRET], jobFor: (topic, id) => (topic === 'inventory_levels/update' ? { name: 'test.refresh', data: { id: id ?? null } } : null) },
  });
}

const post = (body: string, headers: Record<string, string>) => app().request('/shopify', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

describe('Shopify webhook receiver', () => {
  const body = JSON.stringify({ inventory_item_id: 1, admin_graphql_api_id: 'gid://shopify/InventoryLevel/1?inventory_item_id=1', available: 3 });
  const headers = { 'x-shopify-topic': 'inventory_levels/update', 'x-shopify-event-id': 'evt-1', 'x-shopify-webhook-id': 'wh-1' };

  it('accepts a correctly signed delivery, records it without its payload, and enqueues the work', async () => {
    const res = await post(body, { ...headers, 'x-shopify-hmac-sha256': sign(body) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted' });
    const d = await engine.inbox.get('shopify:main', 'inventory_levels/update:evt-1');
    expect(d).toMatchObject({ topic: 'inventory_levels/update', status: 'enqueued', resourceId: 'gid://shopify/InventoryLevel/1?inventory_item_id=1' });
    expect(JSON.stringify(d)).not.toContain('"available"');
  });

  it('treats a retry of the same event as a duplicate', async () => {
    await post(body, { ...headers, 'x-shopify-hmac-sha256': sign(body) });
    const again = await post(body, { ...headers, 'x-shopify-webhook-id': 'wh-2', 'x-shopify-hmac-sha256': sign(body) });
    expect(await again.json()).toEqual({ status: 'duplicate' });
  });

  it('refuses a tampered body or a wrong secret with 401 and stores nothing', async () => {
    const tampered = await post(body.replace('3', '300'), { ...headers, 'x-shopify-hmac-sha256': sign(body) });
    expect(tampered.status).toBe(401);
    const wrong = await post(body, { ...headers, 'x-shopify-hmac-sha256': sign(body, 'other') });
    expect(wrong.status).toBe(401);
    expect(await engine.inbox.get('shopify:main', 'inventory_levels/update:evt-1')).toBeUndefined();
  });

  it('records a topic no flow uses without work', async () => {
    const b = JSON.stringify({ id: 1 });
    const res = await post(b, { 'x-shopify-topic': 'shop/update', 'x-shopify-event-id': 'evt-9', 'x-shopify-hmac-sha256': sign(b) });
    expect(res.status).toBe(200);
    expect((await engine.inbox.get('shopify:main', 'shop/update:evt-9'))?.status).toBe('ignored');
  });
});
