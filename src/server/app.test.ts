import { describe, expect, it } from 'vitest';
import { createApp, type ServerStatus } from './app.js';

const status = (over: Partial<ServerStatus> = {}): ServerStatus => ({
  version: '1.2.3',
  startedAt: Date.now() - 5000,
  dialect: 'sqlite',
  database: '/srv/koppel/data/koppel.db',
  connections: [
    { name: 'ccv', label: 'CCV SalesPOS', target: 'http://127.0.0.1:4100', sandbox: true },
    { name: 'shopify', label: 'Shopify', target: 'https://demo.myshopify.com', sandbox: false },
  ],
  flows: { products: true, stock: false },
  services: [{ name: 'CCV sandbox', url: 'http://127.0.0.1:4100' }],
  ...over,
});

describe('HTTP app', () => {
  it('/healthz answers 200 with version, database dialect and uptime', async () => {
    const res = await createApp(() => status({ dialect: 'postgres' })).request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', version: '1.2.3', database: 'postgres', uptimeSeconds: 5 });
  });

  it('/metrics serves the API clients\' Prometheus metrics', async () => {
    const res = await createApp(() => status()).request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const m of ['koppel_api_requests_total', 'koppel_api_request_seconds', 'koppel_api_retries_total', 'koppel_api_throttle_wait_seconds_total', 'koppel_api_budget_available']) expect(text).toContain(m);
  });

  it('the home page says what runs and where', async () => {
    const res = await createApp(() => status()).request('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('http://127.0.0.1:4100');
    expect(html).toContain('https://demo.myshopify.com');
    expect(html).toContain('Demo mode');
    expect(html).toContain('/srv/koppel/data/koppel.db');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
