import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CcvRateBudget, bucketOf } from './budget.js';

describe('CcvRateBudget', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => vi.useRealTimers());

  const limits = { getPerMinute: 5, writePerMinute: 3, productqueriesPerMinute: 2, globalPerMinute: 100, windowMs: 60_000, guardMs: 1_000 };

  it('grants up to the limit at once, then waits for the window to slide', async () => {
    const b = new CcvRateBudget(limits);
    const granted: number[] = [];
    for (let i = 0; i < 7; i++) void b.acquire('products', 'GET').then(() => granted.push(Date.now()));
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(60_999);
    expect(granted).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(1);
    expect(granted).toHaveLength(7);
    expect(granted[5]! - granted[0]!).toBe(61_000);
  });

  it('never lets more than the limit into any window of window+guard', async () => {
    const b = new CcvRateBudget(limits);
    const times: number[] = [];
    for (let i = 0; i < 23; i++) {
      void b.acquire('products', 'GET').then(() => times.push(Date.now()));
      await vi.advanceTimersByTimeAsync(1_700);
    }
    await vi.advanceTimersByTimeAsync(300_000);
    expect(times).toHaveLength(23);
    for (const t of times) expect(times.filter((x) => x > t - 61_000 && x <= t).length).toBeLessThanOrEqual(5);
  });

  it('counts resources and methods separately, and productqueries at 30-style limit', async () => {
    const b = new CcvRateBudget(limits);
    let n = 0;
    for (let i = 0; i < 5; i++) void b.acquire('products', 'GET').then(() => n++);
    for (let i = 0; i < 3; i++) void b.acquire('products', 'PATCH').then(() => n++);
    for (let i = 0; i < 3; i++) void b.acquire('products', 'POST').then(() => n++);
    for (let i = 0; i < 5; i++) void b.acquire('orders', 'GET').then(() => n++);
    for (let i = 0; i < 3; i++) void b.acquire('productqueries', 'GET').then(() => n++);
    await vi.advanceTimersByTimeAsync(0);
    expect(n).toBe(5 + 3 + 3 + 5 + 2);
    expect(bucketOf('productqueries', 'get').kind).toBe('productqueries');
  });

  it('the global limit caps every bucket together', async () => {
    const b = new CcvRateBudget({ ...limits, globalPerMinute: 6 });
    let n = 0;
    for (const r of ['a', 'b', 'c', 'd']) for (let i = 0; i < 3; i++) void b.acquire(r, 'GET').then(() => n++);
    await vi.advanceTimersByTimeAsync(0);
    expect(n).toBe(6);
  });

  it('serves higher priority first when budget frees up', async () => {
    const b = new CcvRateBudget(limits);
    for (let i = 0; i < 5; i++) await b.acquire('products', 'GET');
    const order: string[] = [];
    void b.acquire('products', 'GET', { priority: 1 }).then(() => order.push('products-1'));
    void b.acquire('products', 'GET', { priority: 1 }).then(() => order.push('products-2'));
    void b.acquire('products', 'GET', { priority: 9 }).then(() => order.push('stock'));
    await vi.advanceTimersByTimeAsync(61_000);
    expect(order[0]).toBe('stock');
    expect(order).toHaveLength(3);
  });

  it('a share caps one caller to a fraction of the bucket while others use the rest', async () => {
    const b = new CcvRateBudget({ ...limits, getPerMinute: 8 });
    let sweep = 0;
    let other = 0;
    for (let i = 0; i < 8; i++) void b.acquire('products', 'GET', { share: { key: 'sweep', fraction: 0.25 } }).then(() => sweep++);
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 8; i++) void b.acquire('products', 'GET').then(() => other++);
    await vi.advanceTimersByTimeAsync(0);
    expect(sweep).toBe(2);
    expect(other).toBe(6);
  });

  it('after a 429 a bucket waits a full window; the global penalty stops everything', async () => {
    const b = new CcvRateBudget(limits);
    b.penalize({ resource: 'products', method: 'GET' });
    let products = 0;
    let orders = 0;
    void b.acquire('products', 'GET').then(() => products++);
    void b.acquire('orders', 'GET').then(() => orders++);
    await vi.advanceTimersByTimeAsync(0);
    expect([products, orders]).toEqual([0, 1]);
    await vi.advanceTimersByTimeAsync(61_000);
    expect(products).toBe(1);
    b.penalize('global');
    void b.acquire('orders', 'GET').then(() => orders++);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(orders).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(orders).toBe(2);
  });

  it('an aborted wait rejects and frees its place', async () => {
    const b = new CcvRateBudget(limits);
    for (let i = 0; i < 5; i++) await b.acquire('products', 'GET');
    const ac = new AbortController();
    const p = b.acquire('products', 'GET', { signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(b.stats().waiting).toBe(0);
  });
});

describe('CcvRateBudget urgent reserve', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => vi.useRealTimers());

  const limits = { getPerMinute: 20, writePerMinute: 10, productqueriesPerMinute: 2, globalPerMinute: 1000, windowMs: 60_000, guardMs: 1_000, urgentReserve: 0.25, urgentPriority: 5 };

  it('without urgent callers, ordinary callers may use the whole limit', async () => {
    const b = new CcvRateBudget(limits);
    let n = 0;
    for (let i = 0; i < 20; i++) void b.acquire('products', 'GET', { priority: 2 }).then(() => n++);
    await vi.advanceTimersByTimeAsync(0);
    expect(n).toBe(20);
  });

  it('while an urgent caller is active, ordinary callers leave its reserve free', async () => {
    const b = new CcvRateBudget(limits);
    await b.acquire('products', 'GET', { priority: 5 });
    let ordinary = 0;
    for (let i = 0; i < 30; i++) void b.acquire('products', 'GET', { priority: 2 }).then(() => ordinary++);
    await vi.advanceTimersByTimeAsync(0);
    // 20 per window, 5 of them held back: the urgent call took 1, ordinary callers 14.
    expect(ordinary).toBe(14);
    let urgent = 0;
    for (let i = 0; i < 5; i++) void b.acquire('products', 'GET', { priority: 5 }).then(() => urgent++);
    await vi.advanceTimersByTimeAsync(0);
    expect(urgent).toBe(5);
  });
});
