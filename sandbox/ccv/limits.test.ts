import { describe, expect, it } from 'vitest';
import { RateLimiter, RateLimitError } from './limits.js';
import { DEFAULT_BEHAVIOUR } from './options.js';
import { testSandbox } from './testing.js';

const cfg = (over: Partial<typeof DEFAULT_BEHAVIOUR> = {}) => ({ ...DEFAULT_BEHAVIOUR, ...over });

function exhaust(l: RateLimiter, resource: string, method: string, at: number, n: number): number {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    try {
      l.take(resource, method, at);
      ok++;
    } catch (e) {
      if (!(e instanceof RateLimitError)) throw e;
    }
  }
  return ok;
}

describe('RateLimiter', () => {
  it('allows 150 GET, 100 writes and 30 productqueries per resource and method', () => {
    const l = new RateLimiter(cfg({ globalLimit: 0 }));
    expect(exhaust(l, 'products', 'GET', 0, 200)).toBe(150);
    expect(exhaust(l, 'products', 'PATCH', 0, 200)).toBe(100);
    expect(exhaust(l, 'products', 'POST', 0, 200)).toBe(100);
    expect(exhaust(l, 'orders', 'GET', 0, 200)).toBe(150);
    expect(exhaust(l, 'productqueries', 'GET', 0, 200)).toBe(30);
  });

  it('rolling window: never more than N in any 60 s', () => {
    const l = new RateLimiter(cfg({ globalLimit: 0, getLimit: 10 }));
    expect(exhaust(l, 'x', 'GET', 0, 5)).toBe(5);
    expect(exhaust(l, 'x', 'GET', 30_000, 10)).toBe(5);
    // At 59.999 s the first five are still inside the window.
    expect(exhaust(l, 'x', 'GET', 59_999, 1)).toBe(0);
    // At 60 s the first five expire; the five from 30 s remain.
    expect(exhaust(l, 'x', 'GET', 60_000, 10)).toBe(5);
    try {
      l.take('x', 'GET', 60_001);
      expect.unreachable();
    } catch (e) {
      expect((e as RateLimitError).code).toBe('429.10');
      expect((e as RateLimitError).retryAfterMs).toBe(29_999);
    }
  });

  it('fixed window: resets 60 s after the window opened', () => {
    const l = new RateLimiter(cfg({ globalLimit: 0, getLimit: 10, rateWindow: 'fixed' }));
    expect(exhaust(l, 'x', 'GET', 1000, 10)).toBe(10);
    expect(exhaust(l, 'x', 'GET', 60_999, 1)).toBe(0);
    expect(exhaust(l, 'x', 'GET', 61_000, 20)).toBe(10);
  });

  it('checks the global limit first (429.11) and counts every resource against it', () => {
    const l = new RateLimiter(cfg({ globalLimit: 20 }));
    expect(exhaust(l, 'a', 'GET', 0, 15)).toBe(15);
    expect(exhaust(l, 'b', 'POST', 0, 15)).toBe(5);
    try {
      l.take('c', 'GET', 0);
      expect.unreachable();
    } catch (e) {
      expect((e as RateLimitError).code).toBe('429.11');
    }
  });

  it('rateScale multiplies every limit and keeps the ratios', () => {
    const l = new RateLimiter(cfg({ rateScale: 0.1, globalLimit: 500 }));
    expect(l.limitFor('products', 'GET')).toBe(15);
    expect(l.limitFor('products', 'DELETE')).toBe(10);
    expect(l.limitFor('productqueries', 'GET')).toBe(3);
    const big = new RateLimiter(cfg({ rateScale: 10, globalLimit: 0 }));
    expect(exhaust(big, 'products', 'GET', 0, 2000)).toBe(1500);
  });

  it('does not count rejected requests unless configured', () => {
    const lenient = new RateLimiter(cfg({ globalLimit: 0, getLimit: 2 }));
    exhaust(lenient, 'x', 'GET', 0, 10);
    expect(exhaust(lenient, 'x', 'GET', 60_000, 5)).toBe(2);
    const strict = new RateLimiter(cfg({ globalLimit: 0, getLimit: 2, countRejected: true }));
    exhaust(strict, 'x', 'GET', 0, 10);
    exhaust(strict, 'x', 'GET', 59_000, 1); // rejected, but it still occupies the window until 119 s
    expect(exhaust(strict, 'x', 'GET', 60_000, 5)).toBe(1);
  });
});

describe('rate limits through the API', () => {
  it('answers the 151st GET of a minute with a signed 429.10 and keeps other resources open', async () => {
    const sb = testSandbox({ products: 3 });
    for (let i = 0; i < 150; i++) expect((await sb.api('GET', 'products/1001')).status).toBe(200);
    const r = await sb.api('GET', 'products?size=1');
    expect(r.status).toBe(429);
    expect(r.json).toEqual({ status: 429, code: '429.10', developermessage: expect.stringContaining("'products'") });
    expect(r.signed).toBe(true);
    expect(r.headers.get('retry-after')).toBeNull();
    // Same resource, other method: its own budget. Other resource: its own budget.
    expect((await sb.api('PATCH', 'products/1001', { stock: 1 })).status).toBe(204);
    expect((await sb.api('GET', 'categories')).status).toBe(200);
    // Scoped lists share the budget of the resource they return.
    expect((await sb.api('GET', 'categories/11/products')).status).toBe(429);
    sb.advance(60_000);
    expect((await sb.api('GET', 'products')).status).toBe(200);
  });

  it('limits productqueries to 30 per minute', async () => {
    const sb = testSandbox({ products: 3 });
    for (let i = 0; i < 30; i++) expect((await sb.api('GET', 'productqueries?eannumber=1')).status).toBe(200);
    expect((await sb.api('GET', 'productqueries?eannumber=1')).json.code).toBe('429.10');
  });

  it('returns 429.11 when the global limit is reached', async () => {
    const sb = testSandbox({ products: 3, globalLimit: 10 });
    for (let i = 0; i < 5; i++) await sb.api('GET', 'products');
    for (let i = 0; i < 5; i++) await sb.api('GET', 'orders');
    const r = await sb.api('GET', 'categories');
    expect(r.status).toBe(429);
    expect(r.json.code).toBe('429.11');
  });

  it('scales with rateScale and shows informative headers only when switched on', async () => {
    const sb = testSandbox({ products: 3, rateScale: 0.02, rateLimitHeaders: true, globalLimit: 0 });
    const first = await sb.api('GET', 'products');
    expect(first.headers.get('x-ratelimit-limit')).toBe('3');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('2');
    await sb.api('GET', 'products');
    await sb.api('GET', 'products');
    const r = await sb.api('GET', 'products');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('60');
  });
});
