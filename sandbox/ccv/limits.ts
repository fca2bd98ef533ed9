/**
 * Rate limits (reference §5): per resource and HTTP method per minute (150 GET, 100 POST/PATCH/PUT/DELETE,
 * 30 GET productqueries), plus a global per-minute cap. Checked global first (429.11), then the resource (429.10).
 *
 * Window semantics (undocumented upstream; configurable):
 *  - rolling (default): at most N accepted requests in any 60 s interval (sliding log of timestamps).
 *  - fixed: a 60 s window opens with the first request into an empty bucket; the count resets when it ends.
 */
import { ApiError, CODES } from './errors.js';

const WINDOW_MS = 60_000;

class Bucket {
  /** Ring buffer of accepted request times (rolling) or [windowStart, count] (fixed). */
  private times: number[] = [];
  private head = 0;
  private windowStart = 0;
  private count = 0;

  constructor(
    readonly limit: number,
    private readonly mode: 'rolling' | 'fixed',
  ) {}

  private prune(now: number): void {
    if (this.mode === 'fixed') {
      if (now - this.windowStart >= WINDOW_MS) {
        this.count = 0;
        this.windowStart = now;
      }
      return;
    }
    while (this.head < this.times.length && now - (this.times[this.head] as number) >= WINDOW_MS) this.head++;
    if (this.head > 64 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  used(now: number): number {
    this.prune(now);
    return this.mode === 'fixed' ? this.count : this.times.length - this.head;
  }

  /** Ms until one more request would be accepted (0 when it would be now). */
  retryAfterMs(now: number): number {
    if (this.used(now) < this.limit) return 0;
    if (this.mode === 'fixed') return this.windowStart + WINDOW_MS - now;
    const oldest = this.times[this.head + (this.times.length - this.head - this.limit)] as number;
    return oldest + WINDOW_MS - now;
  }

  take(now: number): void {
    this.prune(now);
    if (this.mode === 'fixed') {
      if (this.count === 0) this.windowStart = now;
      this.count++;
    } else {
      this.times.push(now);
    }
  }

  resetAt(now: number): number {
    return now + this.retryAfterMs(now);
  }
}

export interface LimitConfig {
  getLimit: number;
  writeLimit: number;
  productqueriesLimit: number;
  globalLimit: number;
  rateScale: number;
  rateWindow: 'rolling' | 'fixed';
  countRejected: boolean;
}

export interface LimitDecision {
  limit: number;
  remaining: number;
  resetMs: number;
}

export function scaled(base: number, scale: number): number {
  return Math.max(1, Math.round(base * scale));
}

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  private global: Bucket | undefined;

  constructor(private readonly cfg: LimitConfig) {
    if (cfg.globalLimit > 0) this.global = new Bucket(scaled(cfg.globalLimit, cfg.rateScale), cfg.rateWindow);
  }

  limitFor(resource: string, method: string): number {
    const base = method === 'GET' ? (resource === 'productqueries' ? this.cfg.productqueriesLimit : this.cfg.getLimit) : this.cfg.writeLimit;
    return scaled(base, this.cfg.rateScale);
  }

  private bucket(resource: string, method: string): Bucket {
    const key = `${resource} ${method}`;
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new Bucket(this.limitFor(resource, method), this.cfg.rateWindow)));
    return b;
  }

  /** Takes one request from the global and the resource budget, or throws 429 naming the exhausted limit. */
  take(resource: string, method: string, now: number): LimitDecision {
    const b = this.bucket(resource, method);
    const g = this.global;
    if (g && g.used(now) >= g.limit) {
      if (this.cfg.countRejected) {
        g.take(now);
        b.take(now);
      }
      throw new RateLimitError(CODES.globalLimit, `Total API limit of ${g.limit} requests per minute exceeded`, g.retryAfterMs(now), g.limit);
    }
    if (b.used(now) >= b.limit) {
      if (this.cfg.countRejected) {
        g?.take(now);
        b.take(now);
      }
      throw new RateLimitError(
        CODES.resourceLimit,
        `Rate limit of ${b.limit} ${method} requests per minute on resource '${resource}' exceeded`,
        b.retryAfterMs(now),
        b.limit,
      );
    }
    g?.take(now);
    b.take(now);
    return { limit: b.limit, remaining: b.limit - b.used(now), resetMs: b.resetAt(now) };
  }

  snapshot(now: number): { global: { limit: number; used: number } | null; buckets: { key: string; limit: number; used: number }[] } {
    return {
      global: this.global ? { limit: this.global.limit, used: this.global.used(now) } : null,
      buckets: [...this.buckets.entries()].map(([key, b]) => ({ key, limit: b.limit, used: b.used(now) })),
    };
  }

  reset(): void {
    this.buckets.clear();
    if (this.global) this.global = new Bucket(this.global.limit, this.cfg.rateWindow);
  }
}

export class RateLimitError extends ApiError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterMs: number,
    readonly limit: number,
  ) {
    super(429, code, message);
  }
}
