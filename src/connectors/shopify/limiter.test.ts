import { describe, expect, it } from 'vitest';
import { FakeClock, flush } from './clock.js';
import { CostLimiter, type Lane, type Permit, type ThrottleStatus } from './limiter.js';

const status = (currentlyAvailable: number, maximumAvailable = 1000, restoreRate = 50): ThrottleStatus => ({ maximumAvailable, currentlyAvailable, restoreRate });

/** Tracks when each acquire resolved. */
function recorder(limiter: CostLimiter) {
  const order: string[] = [];
  const permits = new Map<string, Permit>();
  const take = (name: string, lane: Lane, cost: number, opts?: { signal?: AbortSignal; front?: boolean }) => {
    const p = limiter.acquire(lane, cost, opts).then((permit) => {
      order.push(name);
      permits.set(name, permit);
      return permit;
    });
    return p;
  };
  return { order, permits, take };
}

/** A limiter that has seen one response: bucket known with `available` points. */
async function primed(available: number, max = 1000, rate = 50, opts: ConstructorParameters<typeof CostLimiter>[0] = {}) {
  const clock = new FakeClock();
  const limiter = new CostLimiter({ clock, ...opts });
  const first = await limiter.acquire('reconcile', 1);
  first.complete({ status: status(available, max, rate), actualCost: 1 });
  return { clock, limiter };
}

describe('CostLimiter before Shopify has told the bucket', () => {
  it('sends one request at a time', async () => {
    const clock = new FakeClock();
    const limiter = new CostLimiter({ clock });
    const r = recorder(limiter);
    void r.take('a', 'products', 10);
    void r.take('b', 'products', 10);
    void r.take('c', 'products', 10);
    await flush();
    expect(r.order).toEqual(['a']);
    expect(limiter.stats()).toMatchObject({ known: false, available: null, inFlight: 1 });
    // a failure without a status keeps the bucket unknown: still one at a time
    r.permits.get('a')!.failed();
    await flush();
    expect(r.order).toEqual(['a', 'b']);
    r.permits.get('b')!.complete({ status: status(900), actualCost: 10 });
    await flush();
    expect(r.order).toEqual(['a', 'b', 'c']);
    expect(limiter.stats()).toMatchObject({ known: true, maximumAvailable: 1000, restoreRate: 50 });
  });

  it('takes its figures from throttleStatus, whatever they are', async () => {
    const { limiter, clock } = await primed(37, 37, 3);
    expect(limiter.stats()).toMatchObject({ available: 37, maximumAvailable: 37, restoreRate: 3 });
    // a request dearer than the whole bucket reserves the whole bucket (Shopify will judge it)
    const p = await limiter.acquire('products', 50);
    expect(p.reserved).toBe(37);
    expect(limiter.stats().available).toBe(0);
    p.failed();
    let sent = false;
    void limiter.acquire('products', 6).then(() => (sent = true));
    await clock.advance(1999);
    expect(sent).toBe(false);
    await clock.advance(1);
    expect(sent).toBe(true);
  });
});

describe('CostLimiter budget', () => {
  it('lets several requests fly while the budget allows and reserves their cost', async () => {
    const { limiter } = await primed(1000);
    const r = recorder(limiter);
    for (const n of ['a', 'b', 'c']) void r.take(n, 'products', 300);
    void r.take('d', 'products', 300);
    await flush();
    expect(r.order).toEqual(['a', 'b', 'c']);
    expect(limiter.stats()).toMatchObject({ inFlight: 3, inFlightCost: 900, available: 100 });
  });

  it('waits exactly (cost - available) / restoreRate', async () => {
    const { limiter, clock } = await primed(0, 1000, 50);
    let at = 0;
    const start = clock.now();
    void limiter.acquire('stock', 100).then(() => (at = clock.now()));
    await clock.advance(1999);
    expect(at).toBe(0);
    await clock.advance(1);
    expect(at - start).toBe(2000);
    const s = limiter.stats();
    expect(s.throttleWaits).toBe(1);
    expect(s.throttleWaitMs).toBe(2000);
  });

  it('refunds the reservation down to the actual cost', async () => {
    const { limiter } = await primed(1000);
    const p = await limiter.acquire('products', 600);
    expect(limiter.stats().available).toBe(400);
    p.complete({ status: null, actualCost: 50 });
    expect(limiter.stats().available).toBe(950);
  });

  it('keeps the charge when the outcome is unknown and refunds everything on THROTTLED', async () => {
    const { limiter } = await primed(1000);
    const a = await limiter.acquire('products', 100);
    a.failed();
    expect(limiter.stats().available).toBe(900);
    const b = await limiter.acquire('products', 100);
    b.throttled({ status: null });
    expect(limiter.stats()).toMatchObject({ available: 900, throttledResponses: 1 });
  });

  it("lowers its figure at once when Shopify reports less (someone else drains the bucket)", async () => {
    const { limiter } = await primed(1000);
    const p = await limiter.acquire('products', 10);
    p.complete({ status: status(200), actualCost: 10 });
    expect(limiter.stats().available).toBe(200);
  });

  it('does not double-count requests still in flight when it re-syncs', async () => {
    const { limiter } = await primed(1000);
    const a = await limiter.acquire('products', 300);
    const b = await limiter.acquire('products', 300);
    expect(limiter.stats().available).toBe(400);
    // Shopify has charged a and b (700 left), a used 100 of its 300: 900 after a's refund.
    a.complete({ status: status(900), actualCost: 100 });
    // local: 400 + 200 refund = 600, within [900 - 300, 900]
    expect(limiter.stats().available).toBe(600);
    b.complete({ status: status(1000), actualCost: 200 });
    expect(limiter.stats().available).toBe(1000);
  });

  it('raises its figure when it had been too pessimistic', async () => {
    const { limiter } = await primed(1000);
    const a = await limiter.acquire('products', 500);
    a.failed(); // kept charged: local 500
    const b = await limiter.acquire('products', 10);
    b.complete({ status: status(990), actualCost: 10 }); // Shopify never charged a
    expect(limiter.stats().available).toBe(990);
  });

  it('restores at restoreRate up to the bucket size', async () => {
    const { limiter, clock } = await primed(100, 1000, 50);
    await clock.advance(4000);
    expect(limiter.stats().available).toBe(300);
    await clock.advance(60_000);
    expect(limiter.stats().available).toBe(1000);
  });

  it('never has more than maxInFlight requests out', async () => {
    const { limiter } = await primed(1000, 1000, 50, { maxInFlight: 2 });
    const r = recorder(limiter);
    for (const n of ['a', 'b', 'c']) void r.take(n, 'products', 1);
    await flush();
    expect(r.order).toEqual(['a', 'b']);
    r.permits.get('a')!.complete({ status: null, actualCost: 1 });
    await flush();
    expect(r.order).toEqual(['a', 'b', 'c']);
  });

  it('holds every lane during a pause (HTTP 429 Retry-After)', async () => {
    const { limiter, clock } = await primed(1000);
    limiter.pause(3000);
    let sent = false;
    void limiter.acquire('stock', 1).then(() => (sent = true));
    await clock.advance(2999);
    expect(sent).toBe(false);
    await clock.advance(1);
    expect(sent).toBe(true);
  });
});

describe('CostLimiter lanes', () => {
  it('serves lanes in strict priority: stock > orders > customers > products > reconcile', async () => {
    const { limiter, clock } = await primed(0, 1000, 100);
    const r = recorder(limiter);
    void r.take('reconcile', 'reconcile', 100);
    void r.take('products', 'products', 100);
    void r.take('customers', 'customers', 100);
    void r.take('orders', 'orders', 100);
    void r.take('stock', 'stock', 100);
    expect(limiter.stats().waiting).toEqual({ stock: 1, orders: 1, customers: 1, products: 1, reconcile: 1 });
    // stock after 1 s; every later lane also leaves 100 points for the next stock update
    await clock.advance(1000);
    expect(r.order).toEqual(['stock']);
    await clock.advance(5000);
    expect(r.order).toEqual(['stock', 'orders', 'customers', 'products', 'reconcile']);
  });

  it('never lets a cheaper lower-lane request overtake the waiting head', async () => {
    const { limiter, clock } = await primed(50, 1000, 100);
    const r = recorder(limiter);
    void r.take('order', 'orders', 500);
    void r.take('product', 'products', 10);
    await clock.advance(4499);
    expect(r.order).toEqual([]);
    await clock.advance(1);
    expect(r.order).toEqual(['order']);
    await clock.advance(100);
    expect(r.order).toEqual(['order', 'product']);
  });

  it('delays a stock update by at most the requests already in flight during a catalog load', async () => {
    const { limiter, clock } = await primed(1000, 1000, 100, { maxInFlight: 4 });
    const dispatched: string[] = [];
    let stop = false;
    // A catalog load: 3 producers that always have a product request waiting.
    const producer = async (id: number): Promise<void> => {
      while (!stop) {
        const p = await limiter.acquire('products', 200);
        dispatched.push(`p${id}`);
        clock.setTimeout(() => p.complete({ status: null, actualCost: 200 }), 150);
        await new Promise<void>((res) => clock.setTimeout(res, 0));
      }
    };
    const loads = [producer(1), producer(2), producer(3)];
    await clock.advance(10_000);
    const before = dispatched.length;
    const stock = limiter.acquire('stock', 20).then((p) => {
      dispatched.push('stock');
      p.complete({ status: null, actualCost: 20 });
    });
    await clock.advance(2_000);
    await stock;
    const after = dispatched.slice(before);
    expect(after[0]).toBe('stock');
    stop = true;
    await clock.advance(5_000);
    await Promise.all(loads);
  });

  it('makes lower lanes leave room for one stock update', async () => {
    const { limiter, clock } = await primed(1000, 1000, 100);
    const s = await limiter.acquire('stock', 30);
    s.complete({ status: null, actualCost: 30 });
    await clock.advance(300);
    // 1000 available; products may only take 970, leaving 30 for a stock update
    const p = await limiter.acquire('products', 970);
    let second = false;
    void limiter.acquire('products', 1).then(() => (second = true));
    await flush();
    expect(second).toBe(false);
    const stock = await limiter.acquire('stock', 30);
    expect(stock.waitedMs).toBe(0);
    p.failed();
    stock.failed();
    await clock.advance(310);
    expect(second).toBe(true);
  });

  it('can switch the stock headroom off', async () => {
    const { limiter, clock } = await primed(1000, 1000, 100, { protectedLanes: [] });
    (await limiter.acquire('stock', 30)).complete({ status: null, actualCost: 30 });
    await clock.advance(300);
    const p = await limiter.acquire('products', 1000);
    expect(p.reserved).toBe(1000);
  });

  it('puts a THROTTLED retry back at the front of its lane', async () => {
    const { limiter, clock } = await primed(0, 1000, 100);
    const r = recorder(limiter);
    void r.take('second', 'products', 100);
    void r.take('retry', 'products', 100, { front: true });
    await clock.advance(2000);
    expect(r.order).toEqual(['retry', 'second']);
  });

  it('drops a waiter whose signal aborts and serves the next', async () => {
    const { limiter, clock } = await primed(0, 1000, 100);
    const ac = new AbortController();
    const r = recorder(limiter);
    const aborted = r.take('big', 'stock', 900, { signal: ac.signal });
    void r.take('small', 'products', 10);
    ac.abort(new Error('caller gave up'));
    await expect(aborted).rejects.toThrow('caller gave up');
    await clock.advance(100);
    expect(r.order).toEqual(['small']);
    expect(limiter.stats().waiting.stock).toBe(0);
  });

  it('rejects unknown lanes and bad costs', async () => {
    const limiter = new CostLimiter({ clock: new FakeClock() });
    await expect(limiter.acquire('express' as Lane, 1)).rejects.toThrow(/unknown lane express/);
    await expect(limiter.acquire('stock', -1)).rejects.toThrow(/non-negative/);
  });
});

describe('CostLimiter reporting', () => {
  it('reports the budget through onBudget and waits through onWait', async () => {
    const budgets: number[] = [];
    const waits: [number, Lane][] = [];
    const { limiter, clock } = await primed(0, 1000, 100, { onBudget: (a) => budgets.push(a), onWait: (ms, lane) => waits.push([ms, lane]) });
    void limiter.acquire('orders', 50);
    await clock.advance(500);
    expect(waits).toEqual([[500, 'orders']]);
    expect(budgets.at(-1)).toBe(0);
  });
});
