import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../engine/runs.js';
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

  it('the home page lists the recent runs with their counts, and a failed run\'s error', async () => {
    const run = (over: Partial<RunRecord>): RunRecord => ({
      id: 'r', flow: 'products', trigger: 'schedule', jobId: null, dryRun: false, status: 'succeeded', startedAt: new Date(), finishedAt: new Date(), durationMs: 12_300,
      counts: { created: 498, updated: 0, skipped: 0, quarantined: 2, failed: 0 }, apiCalls: 3, apiCost: 10, throttleWaits: 0, throttleWaitMs: 0, errors: 0, error: null, ...over,
    });
    const runs = [run({ status: 'partial' }), run({ flow: 'stock', status: 'failed', error: { code: 'STOCK_LOCATION_UNKNOWN', message: 'Shopify has no location named Winkel Utrecht' } })];
    const html = await (await createApp(() => status(), { recentRuns: async () => runs }).request('/')).text();
    expect(html).toContain('Recent runs');
    expect(html).toContain('>498<');
    expect(html).toContain('12.3 s');
    expect(html).toContain('STOCK_LOCATION_UNKNOWN: Shopify has no location named Winkel Utrecht');
    expect(await (await createApp(() => status(), { recentRuns: async () => [] }).request('/')).text()).toContain('No runs yet');
    expect(await (await createApp(() => status()).request('/')).text()).not.toContain('Recent runs');
  });
});
