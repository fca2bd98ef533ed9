import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testSandbox } from './testing.js';

interface Received { url: string; body: string; hash: string | null }

function receiver(statuses: (number | 'error')[] = []) {
  const got: Received[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    got.push({ url, body: String(init?.body), hash: headers.get('x-hash') });
    const next = statuses.shift() ?? 200;
    if (next === 'error') throw new TypeError('fetch failed: ECONNREFUSED');
    return new Response('ok', { status: next });
  }) as typeof fetch;
  return { got, fetchImpl };
}

const expectedHash = (key: string, address: string, body: string) => createHmac('sha512', key).update(`${address}|${body}`).digest('hex');

describe('webhooks', () => {
  it('manages webhooks: create returns the key, event is immutable, unknown events are refused', async () => {
    const sb = testSandbox({ products: 3 });
    const r = await sb.api('POST', 'webhooks', { event: 'products.updated', address: 'https://koppel.example/hook' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ event: 'products.updated', is_active: true, address: 'https://koppel.example/hook' });
    expect(r.json.key).toMatch(/^[0-9a-f]{32}$/);
    expect((await sb.api('PATCH', `webhooks/${r.json.id}`, { event: 'products.deleted' })).json.developermessage).toContain("'event' is not allowed");
    expect((await sb.api('PATCH', `webhooks/${r.json.id}`, { is_active: false })).status).toBe(204);
    expect((await sb.api('GET', `webhooks/${r.json.id}`)).json.is_active).toBe(false);
    expect((await sb.api('POST', 'webhooks', { event: 'stock.changed', address: 'https://x.example/' })).json.developermessage).toContain("'event'");
    expect((await sb.api('POST', 'webhooks', { event: 'products.created' })).json.developermessage).toContain("'address' is required");
    expect((await sb.api('POST', 'webhooks', { event: 'products.created', address: 'ftp://x' })).json.developermessage).toContain("'address'");
    expect((await sb.api('DELETE', `webhooks/${r.json.id}`)).status).toBe(204);
    expect((await sb.api('GET', 'webhooks')).json.items).toEqual([]);
    const noOrders = testSandbox({ products: 1, orderWebhooks: false });
    expect((await noOrders.api('POST', 'webhooks', { event: 'orders.created', address: 'https://x.example/' })).status).toBe(400);
  });

  it('delivers signed products.created / updated / deleted events, one per change', async () => {
    const { got, fetchImpl } = receiver();
    const sb = testSandbox({ products: 3, fetch: fetchImpl });
    const hooks: Record<string, { key: string; address: string }> = {};
    for (const event of ['products.created', 'products.updated', 'products.deleted']) {
      hooks[event] = (await sb.api('POST', 'webhooks', { event, address: `https://koppel.example/${event}` })).json;
    }
    const p = (await sb.api('POST', 'products', { name: 'Nieuw', price: 1, discount: 0, package_id: 1, taxtariff: 'zero' })).json;
    await sb.api('PATCH', `products/${p.id}`, { name: 'Nieuwer', description: 'x' });
    await sb.api('DELETE', `products/${p.id}`);
    expect(await sb.core.deliverWebhooks()).toBe(3);
    expect(got.map((g) => g.url)).toEqual(['https://koppel.example/products.created', 'https://koppel.example/products.updated', 'https://koppel.example/products.deleted']);
    for (const g of got) {
      const payload = JSON.parse(g.body);
      expect(payload).toEqual({ id: p.id, event: expect.any(String), href: `http://ccv.test/api/rest/v1/products/${p.id}/`, webshop_id: 1, create_date: '2025-06-02T09:00:00Z' });
      const hook = hooks[payload.event]!;
      expect(g.hash).toBe(expectedHash(hook.key, hook.address, g.body));
    }
  });

  it('fires products.updated for stock changes only when configured', async () => {
    for (const fire of [false, true]) {
      const { got, fetchImpl } = receiver();
      const sb = testSandbox({ products: 3, fetch: fetchImpl, stockChangeFiresWebhook: fire });
      await sb.api('POST', 'webhooks', { event: 'products.updated', address: 'https://k.example/h' });
      await sb.api('PATCH', 'products/1001', { stock: 3 });
      await sb.core.deliverWebhooks();
      expect(got.length).toBe(fire ? 1 : 0);
    }
  });

  it('retries failed deliveries with scaled backoff, then gives up', async () => {
    const { got, fetchImpl } = receiver([500, 'error', 503, 200]);
    const sb = testSandbox({ products: 3, fetch: fetchImpl, webhookBackoffMs: [1000, 5000], webhookTimeScale: 2, webhookMaxAttempts: 5 });
    await sb.api('POST', 'webhooks', { event: 'orders.created', address: 'https://k.example/orders' });
    const o = await sb.api('POST', 'orders', { customer: { email: 'a@b.nl' }, orderrows: [{ count: 1, product_id: 1001 }] });
    expect(await sb.core.deliverWebhooks()).toBe(1); // 500
    expect(await sb.core.deliverWebhooks()).toBe(0); // not due yet
    sb.advance(1999);
    expect(await sb.core.deliverWebhooks()).toBe(0);
    sb.advance(1);
    expect(await sb.core.deliverWebhooks()).toBe(1); // network error; next backoff is 5000 * 2
    sb.advance(9_999);
    expect(await sb.core.deliverWebhooks()).toBe(0);
    sb.advance(1);
    expect(await sb.core.deliverWebhooks()).toBe(1); // 503
    sb.advance(10_000);
    expect(await sb.core.deliverWebhooks()).toBe(1); // 200
    const d = sb.core.webhooks.list()[0]!;
    expect(d.state).toBe('delivered');
    expect(d.attempts.map((a) => a.status ?? 'error')).toEqual([500, 'error', 503, 200]);
    expect(JSON.parse(got[0]!.body)).toMatchObject({ event: 'orders.created', id: o.json.id });
    const { fetchImpl: alwaysDown } = receiver([500, 500, 500]);
    const sb2 = testSandbox({ products: 3, fetch: alwaysDown, webhookBackoffMs: [10], webhookMaxAttempts: 3 });
    await sb2.api('POST', 'webhooks', { event: 'products.created', address: 'https://k.example/p' });
    await sb2.api('POST', 'products', { name: 'X', price: 1, discount: 0, package_id: 1, taxtariff: 'zero' });
    for (let i = 0; i < 5; i++) {
      await sb2.core.deliverWebhooks();
      sb2.advance(10);
    }
    expect(sb2.core.webhooks.list()[0]).toMatchObject({ state: 'failed' });
    expect(sb2.core.webhooks.list()[0]!.attempts).toHaveLength(3);
  });

  it('sends the full resource when webhookPayload is full, and delivers on its own timer in auto mode', async () => {
    const { got, fetchImpl } = receiver();
    const sb = testSandbox({ products: 3, fetch: fetchImpl, webhookPayload: 'full', webhookDispatch: 'auto', now: Date.now });
    await sb.api('POST', 'webhooks', { event: 'products.updated', address: 'https://k.example/u' }, { dateMs: Date.now() });
    await sb.api('PATCH', 'products/1002', { name: 'Volledig' }, { dateMs: Date.now() });
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.body).resource).toMatchObject({ id: 1002, name: 'Volledig' });
    await sb.core.close();
  });
});
