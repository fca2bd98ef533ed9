import { describe, expect, it } from 'vitest';
import { DroppedConnectionError } from './app.js';
import { FaultInjector } from './faults.js';
import { ccvFetch, startCcvSandbox } from './index.js';
import { testSandbox } from './testing.js';

describe('fault injection', () => {
  it('error5xx 500: signed JSON error, nothing committed', async () => {
    const sb = testSandbox({ products: 3 });
    sb.core.setFaults({ error5xx: 1, errorStatuses: [500] });
    const r = await sb.api('PATCH', 'products/1001', { name: 'Niet opgeslagen' });
    expect(r.status).toBe(500);
    expect(r.json).toMatchObject({ status: 500, code: '500.10' });
    expect(r.signed).toBe(true);
    sb.core.clearFaults();
    expect((await sb.api('GET', 'products/1001')).json.name).not.toBe('Niet opgeslagen');
  });

  it('error5xx 502/503: an unsigned HTML gateway page', async () => {
    const sb = testSandbox({ products: 3 });
    sb.core.setFaults({ error5xx: 1, errorStatuses: [502] });
    const r = await sb.api('GET', 'products');
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toBe('text/html');
    expect(r.text).toContain('502 Bad Gateway');
    expect(r.signed).toBe(false);
  });

  it('latency: waits the configured time before answering', async () => {
    const slept: number[] = [];
    const sb = testSandbox({ products: 3, sleep: async (ms) => void slept.push(ms) });
    sb.core.setFaults({ latency: 1, latencyMs: 1500 });
    expect((await sb.api('GET', 'products')).status).toBe(200);
    expect(slept).toEqual([1500]);
  });

  it('drop without a socket: the handler throws after committing', async () => {
    const sb = testSandbox({ products: 3 });
    sb.core.setFaults({ drop: 1 });
    await expect(sb.api('PATCH', 'products/1001', { name: 'Toch opgeslagen' })).rejects.toBeInstanceOf(DroppedConnectionError);
    sb.core.clearFaults();
    expect((await sb.api('GET', 'products/1001')).json.name).toBe('Toch opgeslagen');
  });

  it('drop over a real socket: the client sees a network error, the write is committed', async () => {
    const sb = await startCcvSandbox({ port: 0, products: 3 });
    try {
      const keys = { publicKey: sb.publicKey, secretKey: sb.secretKey };
      sb.setFaults({ script: [{ fault: 'drop', method: 'POST' }] });
      const before = sb.state.products.size;
      await expect(ccvFetch(keys, `${sb.apiRoot}products`, { method: 'POST', body: { name: 'Dubbel?', price: 1, discount: 0, package_id: 1, taxtariff: 'zero' } })).rejects.toThrow();
      expect(sb.state.products.size).toBe(before + 1);
      const list = await ccvFetch<{ items: { name: string }[] }>(keys, `${sb.apiRoot}products?productname=Dubbel`);
      expect(list.status).toBe(200);
      expect(list.json.items).toHaveLength(1);
    } finally {
      await sb.close();
    }
  });

  it('429 bursts: the configured number of requests is throttled, then service resumes', async () => {
    const sb = testSandbox({ products: 3 });
    sb.core.setFaults({ burst429: 1, burstLength: 3, burstCode: '429.11' });
    const first = await sb.api('GET', 'products');
    expect(first.status).toBe(429);
    expect(first.json.code).toBe('429.11');
    expect(first.signed).toBe(true);
    sb.core.setFaults({ script: [{ fault: '429' }, { fault: '429' }] });
    expect((await sb.api('GET', 'orders')).status).toBe(429);
    expect((await sb.api('GET', 'orders')).status).toBe(429);
    expect((await sb.api('GET', 'orders')).status).toBe(200);
    const random = testSandbox({ products: 3 });
    random.core.setFaults({ burst429: 1, burstLength: 2 });
    expect((await random.api('GET', 'products')).status).toBe(429);
    expect((await random.api('GET', 'products')).status).toBe(429);
    random.core.setFaults({ burst429: 0 });
    expect((await random.api('GET', 'products')).status).toBe(200);
  });

  it('scripted faults apply to the next matching request only', async () => {
    const sb = testSandbox({ products: 3 });
    sb.core.setFaults({ script: [{ fault: 'error5xx', status: 503, method: 'PATCH', resource: 'products' }] });
    expect((await sb.api('GET', 'products/1001')).status).toBe(200);
    expect((await sb.api('PATCH', 'attributecombinations/2000001', { note: 'x' })).status).not.toBe(503);
    expect((await sb.api('PATCH', 'products/1001', { stock: 2 })).status).toBe(503);
    expect((await sb.api('PATCH', 'products/1001', { stock: 2 })).status).toBe(204);
    expect(sb.core.faults.stats.error5xx).toBe(1);
  });

  it('random faults are reproducible for a seed and limited to the chosen methods/resources', () => {
    const run = (seed: number) => {
      const f = new FaultInjector(1);
      f.set({ error5xx: 0.3, drop: 0.2, latency: 0.1, seed });
      return Array.from({ length: 200 }, () => JSON.stringify(f.decide('GET', 'products')));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    const counts = run(7).reduce((acc, d) => acc + (d.includes('errorStatus') ? 1 : 0), 0);
    expect(counts).toBeGreaterThan(30);
    expect(counts).toBeLessThan(90);
    const only = new FaultInjector(1);
    only.set({ error5xx: 1, methods: ['POST'], resources: ['orders'] });
    expect(only.decide('GET', 'orders').errorStatus).toBeUndefined();
    expect(only.decide('POST', 'products').errorStatus).toBeUndefined();
    expect(only.decide('POST', 'orders').errorStatus).toBeDefined();
  });

  it('validates fault settings sent to /__sandbox/faults', async () => {
    const sb = testSandbox({ products: 1 });
    expect((await sb.control('PUT', 'faults', { error5xx: 2 })).status).toBe(400);
    expect((await sb.control('PUT', 'faults', { explode: true })).json.error).toContain("'explode'");
    expect((await sb.control('PUT', 'faults', { drop: 0.5, methods: ['POST'] })).status).toBe(200);
    expect((await sb.control('GET', 'faults')).json.config).toMatchObject({ drop: 0.5 });
    expect((await sb.control('DELETE', 'faults')).status).toBe(200);
  });
});
