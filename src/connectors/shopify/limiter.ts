/**
 * Cost limiter for one Shopify shop (one app x shop bucket).
 *
 * Shopify meters GraphQL by calculated cost in a leaky bucket whose size and restore rate differ per
 * plan and are only known from `extensions.cost.throttleStatus`. The limiter therefore:
 *  - sends one request at a time until a response has told it the bucket (no hard-coded sizes);
 *  - then keeps a local copy of the bucket: reserves a request's requested cost before sending it,
 *    refunds to the actual cost when the answer comes, and re-syncs with every throttleStatus;
 *  - dispatches by strict lane priority (stock > orders > customers > products > reconcile): the head
 *    of the highest non-empty lane goes next, and a lower lane never overtakes it, so a catalog load
 *    delays a stock update by at most the request already on its way;
 *  - lets lower lanes leave room for one stock update (the largest recent stock cost), so a stock
 *    update arriving during a catalog load usually goes at once;
 *  - when the head does not fit, waits exactly (need - available) / restoreRate, on an injectable clock.
 *
 * Re-sync with requests in flight: a throttleStatus counts the requests Shopify has already charged,
 * not the ones still on their way. With `S` = currentlyAvailable and `R` = the reservations of the other
 * requests in flight, the true budget lies in [S - R, S]: the local figure is clamped into that range
 * (exact when nothing else is in flight; lowered at once when someone else drains the bucket).
 */
import { systemClock, type Clock } from './clock.js';

export const LANES = ['stock', 'orders', 'customers', 'products', 'reconcile'] as const;
export type Lane = (typeof LANES)[number];

export function isLane(v: unknown): v is Lane {
  return typeof v === 'string' && (LANES as readonly string[]).includes(v);
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface LimiterOptions {
  clock?: Clock;
  /** Most requests in flight at once (default 10). */
  maxInFlight?: number;
  /** Lanes lower lanes leave room for (default ['stock']); [] turns the headroom off. */
  protectedLanes?: readonly Lane[];
  /** Called whenever the local budget changes (for the budget gauge). */
  onBudget?: (available: number) => void;
  /** Called when a request had to wait for budget, with the wait in ms. */
  onWait?: (ms: number, lane: Lane) => void;
}

export interface AcquireOptions {
  signal?: AbortSignal;
  /** Go to the front of the lane (a retry after THROTTLED keeps its place). */
  front?: boolean;
}

/** A reservation of budget for one request; settle it exactly once. */
export interface Permit {
  readonly lane: Lane;
  /** Points reserved (the requested cost, capped at the bucket size). */
  readonly reserved: number;
  /** Time spent waiting in the limiter, ms. */
  readonly waitedMs: number;
  /** Shopify answered with a cost: refund the reservation down to the actual cost and re-sync. */
  complete(r: { status?: ThrottleStatus | null; actualCost?: number | null }): void;
  /** Shopify answered THROTTLED: nothing was charged; re-sync. */
  throttled(r: { status?: ThrottleStatus | null }): void;
  /** No usable answer (network error, timeout, 5xx): whether it was charged is unknown, so it stays charged. */
  failed(): void;
}

export interface LimiterStats {
  /** True once a response has told the bucket's size and rate. */
  known: boolean;
  /** Local estimate of the points available now (null before the first response). */
  available: number | null;
  maximumAvailable: number | null;
  restoreRate: number | null;
  inFlight: number;
  inFlightCost: number;
  waiting: Record<Lane, number>;
  /** Requests sent. */
  dispatched: number;
  /** Requests that had to wait for budget, and the total of those waits. */
  throttleWaits: number;
  throttleWaitMs: number;
  /** Responses that came back THROTTLED. */
  throttledResponses: number;
}

interface Waiter {
  lane: Lane;
  cost: number;
  enqueuedAt: number;
  waitedForBudget: boolean;
  resolve: (p: Permit) => void;
  reject: (e: unknown) => void;
  cleanup: () => void;
}

const EPS = 1e-6;
const RECENT = 20;

export class CostLimiter {
  private readonly clock: Clock;
  private readonly maxInFlight: number;
  private readonly protectedLanes: readonly Lane[];
  private readonly onBudget: ((available: number) => void) | undefined;
  private readonly onWait: ((ms: number, lane: Lane) => void) | undefined;

  private bucket: { max: number; rate: number } | undefined;
  private level = 0;
  private levelAt = 0;
  private pausedUntil = 0;
  private readonly inflight = new Set<PermitImpl>();
  private readonly queues: Record<Lane, Waiter[]> = { stock: [], orders: [], customers: [], products: [], reconcile: [] };
  private readonly recent: Record<Lane, number[]> = { stock: [], orders: [], customers: [], products: [], reconcile: [] };
  private timer: { handle: unknown; at: number } | undefined;
  private pumping = false;
  private counters = { dispatched: 0, throttleWaits: 0, throttleWaitMs: 0, throttledResponses: 0 };

  constructor(opts: LimiterOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.maxInFlight = Math.max(1, Math.floor(opts.maxInFlight ?? 10));
    this.protectedLanes = opts.protectedLanes ?? ['stock'];
    this.onBudget = opts.onBudget;
    this.onWait = opts.onWait;
  }

  /** Waits until `cost` points fit (by lane priority) and reserves them. */
  acquire(lane: Lane, cost: number, opts: AcquireOptions = {}): Promise<Permit> {
    if (!isLane(lane)) return Promise.reject(new TypeError(`unknown lane ${String(lane)}; use one of ${LANES.join(', ')}`));
    if (!(cost >= 0) || !Number.isFinite(cost)) return Promise.reject(new TypeError(`cost must be a non-negative number, got ${cost}`));
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Permit>((resolve, reject) => {
      const w: Waiter = { lane, cost, enqueuedAt: this.clock.now(), waitedForBudget: false, resolve, reject, cleanup: () => {} };
      if (signal) {
        const onAbort = (): void => {
          const q = this.queues[lane];
          const i = q.indexOf(w);
          if (i >= 0) q.splice(i, 1);
          reject(signal.reason);
          this.pump();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        w.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      if (opts.front) this.queues[lane].unshift(w);
      else this.queues[lane].push(w);
      this.pump();
    });
  }

  /** Holds every lane for `ms` (an HTTP 429 with Retry-After). */
  pause(ms: number): void {
    if (!(ms > 0)) return;
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
    this.pump();
  }

  /** Feeds a throttleStatus seen outside a permit (e.g. a response to a call made elsewhere). */
  observe(status: ThrottleStatus): void {
    this.resync(status);
    this.pump();
  }

  stats(): LimiterStats {
    this.refill(this.clock.now());
    let inFlightCost = 0;
    for (const p of this.inflight) inFlightCost += p.reserved;
    const waiting = {} as Record<Lane, number>;
    for (const l of LANES) waiting[l] = this.queues[l].length;
    return {
      known: this.bucket !== undefined,
      available: this.bucket ? Math.floor(this.level + EPS) : null,
      maximumAvailable: this.bucket?.max ?? null,
      restoreRate: this.bucket?.rate ?? null,
      inFlight: this.inflight.size,
      inFlightCost,
      waiting,
      ...this.counters,
    };
  }

  // ---------------------------------------------------------------------------------------------

  private refill(now: number): void {
    if (!this.bucket) return;
    if (now > this.levelAt) {
      this.level = Math.min(this.bucket.max, this.level + ((now - this.levelAt) / 1000) * this.bucket.rate);
      this.levelAt = now;
    }
  }

  private resync(status: ThrottleStatus | null | undefined): void {
    if (!status || !(status.restoreRate > 0) || !(status.maximumAvailable > 0) || !Number.isFinite(status.currentlyAvailable)) return;
    const now = this.clock.now();
    let others = 0;
    for (const p of this.inflight) others += p.reserved;
    const upper = Math.min(status.currentlyAvailable, status.maximumAvailable);
    const lower = upper - others;
    if (!this.bucket) {
      this.bucket = { max: status.maximumAvailable, rate: status.restoreRate };
      this.level = lower;
    } else {
      this.refill(now);
      this.bucket = { max: status.maximumAvailable, rate: status.restoreRate };
      this.level = Math.min(Math.max(this.level, lower), upper);
    }
    this.levelAt = now;
    this.onBudget?.(Math.floor(this.level + EPS));
  }

  private headroomFor(lane: Lane): number {
    const rank = LANES.indexOf(lane);
    let h = 0;
    for (const p of this.protectedLanes) {
      if (LANES.indexOf(p) >= rank) continue;
      const r = this.recent[p];
      if (r.length) h += Math.max(...r);
    }
    return h;
  }

  private head(): Waiter | undefined {
    for (const l of LANES) {
      const q = this.queues[l];
      if (q.length) return q[0];
    }
    return undefined;
  }

  private schedule(at: number): void {
    if (this.timer && this.timer.at === at) return;
    if (this.timer) this.clock.clearTimeout(this.timer.handle);
    const now = this.clock.now();
    const handle = this.clock.setTimeout(() => {
      if (this.timer?.handle === handle) this.timer = undefined;
      this.pump();
    }, Math.max(1, Math.ceil(at - now)));
    this.timer = { handle, at };
  }

  private clearTimer(): void {
    if (this.timer) this.clock.clearTimeout(this.timer.handle);
    this.timer = undefined;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const w = this.head();
        if (!w) {
          this.clearTimer();
          return;
        }
        const now = this.clock.now();
        if (now < this.pausedUntil) {
          w.waitedForBudget = true;
          this.schedule(this.pausedUntil);
          return;
        }
        if (this.inflight.size >= this.maxInFlight) return;
        if (!this.bucket) {
          // Bucket unknown: one request at a time until a response tells it.
          if (this.inflight.size > 0) return;
          this.dispatch(w, w.cost, now);
          continue;
        }
        this.refill(now);
        const cost = Math.min(w.cost, this.bucket.max);
        const need = Math.min(this.bucket.max, cost + this.headroomFor(w.lane));
        if (this.level + EPS >= need) {
          this.level -= cost;
          this.onBudget?.(Math.floor(this.level + EPS));
          this.dispatch(w, cost, now);
          continue;
        }
        w.waitedForBudget = true;
        const waitMs = ((need - this.level) / this.bucket.rate) * 1000;
        this.schedule(now + waitMs);
        return;
      }
    } finally {
      this.pumping = false;
    }
  }

  private dispatch(w: Waiter, reserved: number, now: number): void {
    const q = this.queues[w.lane];
    q.splice(q.indexOf(w), 1);
    w.cleanup();
    const waitedMs = now - w.enqueuedAt;
    if (w.waitedForBudget) {
      this.counters.throttleWaits++;
      this.counters.throttleWaitMs += waitedMs;
      this.onWait?.(waitedMs, w.lane);
    }
    this.counters.dispatched++;
    const recent = this.recent[w.lane];
    recent.push(w.cost);
    if (recent.length > RECENT) recent.shift();
    const permit = new PermitImpl(this, w.lane, reserved, waitedMs);
    this.inflight.add(permit);
    w.resolve(permit);
  }

  /** @internal */
  settle(p: PermitImpl, kind: 'complete' | 'throttled' | 'failed', status: ThrottleStatus | null | undefined, actualCost: number | null | undefined): void {
    if (!this.inflight.delete(p)) return;
    const now = this.clock.now();
    if (this.bucket) {
      this.refill(now);
      if (kind === 'throttled') this.level += p.reserved;
      else if (kind === 'complete' && typeof actualCost === 'number' && actualCost >= 0) this.level += Math.max(0, p.reserved - actualCost);
      this.level = Math.min(this.level, this.bucket.max);
    }
    if (kind === 'throttled') this.counters.throttledResponses++;
    this.resync(status);
    this.pump();
  }
}

class PermitImpl implements Permit {
  private done = false;

  constructor(
    private readonly limiter: CostLimiter,
    readonly lane: Lane,
    readonly reserved: number,
    readonly waitedMs: number,
  ) {}

  complete(r: { status?: ThrottleStatus | null; actualCost?: number | null }): void {
    if (this.done) return;
    this.done = true;
    this.limiter.settle(this, 'complete', r.status, r.actualCost);
  }

  throttled(r: { status?: ThrottleStatus | null }): void {
    if (this.done) return;
    this.done = true;
    this.limiter.settle(this, 'throttled', r.status, null);
  }

  failed(): void {
    if (this.done) return;
    this.done = true;
    this.limiter.settle(this, 'failed', null, null);
  }
}
