/** The CCV client against the CCV sandbox: real signatures, paging, limits and faults over HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCcvSandbox, type CcvSandbox } from '../../../sandbox/ccv/index.js';
import { CcvClient, CcvRateBudget, probeCcv } from '../../../src/connectors/ccv/index.js';
import type { KoppelError } from '../../../src/core/errors.js';

let sb: CcvSandbox;
beforeAll(async () => {
  sb = await startCcvSandbox({ port: 0, products: 120, seed: 7, webhookDispatch: 'manual', logger: () => {} });
});
afterAll(async () => sb.close());

const clientFor = (over: Partial<ConstructorParameters<typeof CcvClient>[0]> = {}) =>
  new CcvClient({ baseUrl: sb.origin, publicKey: sb.publicKey, secretKey: sb.secretKey, minRetryDelayMs: 1, maxRetryDelayMs: 5, ...over });

describe('CCV client against the sandbox', () => {
  it('the connection probe names the webshop', async () => {
    const probe = await probeCcv(clientFor());
    expect(probe.ok).toBe(true);
    expect(probe.webshop?.isSalespos).toBe(true);
    expect(probe.message).toMatch(/currency EUR/);
  });

  it('reads the whole catalogue in pages of 250 with expand: calls proportional to pages', async () => {
    sb.resetLimits();
    const before = sb.requests().length;
    let n = 0;
    let combos = 0;
    for await (const p of clientFor().items<{ id: number; attributecombinations: { collection?: unknown[] } }>('products', { query: { expand: 'attributecombinations', orderby: 'id' } })) {
      n++;
      combos += p.attributecombinations.collection?.length ?? 0;
    }
    expect(n).toBe(120);
    expect(combos).toBeGreaterThan(0);
    expect(sb.requests().length - before).toBe(1);
  });

  it('wrong keys fail as an auth error with a fix', async () => {
    const err = (await clientFor({ secretKey: 'wrong' }).get('webshops').catch((e: unknown) => e)) as KoppelError;
    expect(err.errorClass).toBe('auth');
    expect(err.hint).toMatch(/secret key/);
  });

  it('paces itself under the limits instead of running into 429s', async () => {
    const ids = (await clientFor().get<{ items: Array<{ id: number }> }>('products', { query: { size: 100 } })).items.map((p) => p.id);
    sb.resetLimits();
    // The sandbox at rateScale 1 allows 150 GET/min on a resource; the client is told 150 too.
    const c = clientFor({ budget: new CcvRateBudget({ getPerMinute: 150 }) });
    const before = sb.requests().length;
    await Promise.all(Array.from({ length: 150 }, (_, i) => c.get(`products/${ids[i % ids.length]}`)));
    const statuses = sb.requests().slice(before).map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(0);
    expect(c.budget.stats().buckets['products:GET']).toMatchObject({ used: 150, limit: 150 });
  });

  it('a 429 from another client sharing the key is waited out, then the request succeeds', async () => {
    sb.resetLimits();
    sb.setFaults({ script: [{ fault: '429', method: 'GET', resource: 'categories', code: '429.10' }] });
    const c = clientFor({ budget: new CcvRateBudget({ windowMs: 50, guardMs: 0 }) });
    const page = await c.get<{ items: unknown[] }>('categories');
    expect(page.items.length).toBeGreaterThan(0);
    sb.clearFaults();
  });

  it('retries 5xx on reads; a write dropped after commit is reported as outcome_unknown', async () => {
    sb.resetLimits();
    sb.setFaults({ script: [{ fault: 'error5xx', status: 503, method: 'GET' }, { fault: 'error5xx', status: 500, method: 'GET' }] });
    expect((await clientFor().get<{ items: unknown[] }>('paymethods')).items.length).toBeGreaterThan(0);
    sb.setFaults({ script: [{ fault: 'drop', method: 'POST', resource: 'categories' }] });
    const err = (await clientFor().post('categories', { name: 'Dropped after commit' }).catch((e: unknown) => e)) as KoppelError;
    expect(err.errorClass).toBe('outcome_unknown');
    sb.clearFaults();
    // The write did happen: a flow must look before it retries.
    const names: string[] = [];
    for await (const c of clientFor().items<{ name: string }>('categories')) names.push(c.name);
    expect(names).toContain('Dropped after commit');
  });

  it('names the missing field when CCV rejects a body', async () => {
    const err = (await clientFor().post('products', { price: 1 }).catch((e: unknown) => e)) as KoppelError;
    expect(err.errorClass).toBe('invalid_input');
    expect(err.message).toMatch(/name/);
  });
});
