/**
 * The rate budget of one CCV connection, shared by every flow that uses it.
 *
 * CCV limits requests per resource and HTTP method per minute (150 GET, 100 POST/PATCH/PUT/DELETE,
 * 30 for productqueries) plus a global per-minute cap. Whether the server counts fixed or rolling
 * minutes is not documented, so the budget keeps a sliding log of send times and never lets more
 * than the limit into any window of `windowMs + guardMs`: that satisfies both interpretations, and
 * still uses (windowMs / (windowMs + guardMs)) of the limit, about 98 %.
 *
 * Waiters are served by priority (higher first), then in arrival order. A caller may also cap its
 * own use of a bucket to a share of it (the stock sweep uses at most 25 % of the GET budget).
 */

export interface CcvLimits {
  getPerMinute: number;
  writePerMinute: number;
  productqueriesPerMinute: number;
  /** The global cap is not documented; configurable. */
  globalPerMinute: number;
  windowMs: number;
  /** Extra time added to the window to absorb latency differences between send and arrival. */
  guardMs: number;
  /**
   * Share of every bucket kept for urgent callers (priority >= `urgentPriority`, the stock flow)
   * while they are active (seen within the last window): others may not take it. Without urgent
   * traffic the whole limit is used.
   */
  urgentReserve: number;
  urgentPriority: number;
}

export const DEFAULT_CCV_LIMITS: CcvLimits = {
  getPerMinute: 150,
  writePerMinute: 100,
  productqueriesPerMinute: 30,
  // Not documented by CCV; conservative, and configurable (connections.ccv.limits.globalPerMinute).
  globalPerMinute: 500,
  windowMs: 60_000,
  guardMs: 1_000,
  urgentReserve: 0.15,
  urgentPriority: 5,
};

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(t);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface AcquireOptions {
  /** Higher goes first (stock > orders > customers > products > reconcile). */
  priority?: number;
  /** Cap this caller's use of the bucket to a share of its limit, counted under `shareKey`. */
  share?: { key: string; fraction: number };
  signal?: AbortSignal;
}

/** The bucket a request counts against: resource + method class. */
export function bucketOf(resource: string, method: string): { key: string; kind: 'get' | 'write' | 'productqueries' } {
  const m = method.toUpperCase();
  if (resource === 'productqueries' && m === 'GET') return { key: 'productqueries:GET', kind: 'productqueries' };
  // Limits are per method; writes share the same number but count separately per method.
  return { key: `${resource}:${m}`, kind: m === 'GET' ? 'get' : 'write' };
}

class SlidingLog {
  private times: number[] = [];
  private head = 0;
  constructor(public limit: number) {}
  count(now: number, span: number): number {
    while (this.head < this.times.length && this.times[this.head]! <= now - span) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
  /** When the next slot frees (the oldest entry leaves the span); `now` if one is free. `limit` may be lowered by a reserve. */
  nextFree(now: number, span: number, limit = this.limit): number {
    if (this.count(now, span) < limit) return now;
    const idx = this.times.length - limit;
    return this.times[Math.max(idx, this.head)]! + span;
  }
  push(t: number): void {
    this.times.push(t);
  }
}

interface Waiter {
  bucket: string;
  kind: 'get' | 'write' | 'productqueries';
  priority: number;
  seq: number;
  share?: { key: string; fraction: number };
  resolve(): void;
  reject(e: unknown): void;
}

export interface BudgetStats {
  /** Requests granted in total. */
  granted: number;
  /** Milliseconds callers spent waiting for budget. */
  waitedMs: number;
  waiting: number;
  /** Per bucket: used in the current window and its limit. */
  buckets: Record<string, { used: number; limit: number }>;
  global: { used: number; limit: number };
}

export class CcvRateBudget {
  readonly limits: CcvLimits;
  private readonly clock: Clock;
  private readonly logs = new Map<string, SlidingLog>();
  private readonly global: SlidingLog;
  private readonly blockedUntil = new Map<string, number>();
  private globalBlockedUntil = 0;
  private waiters: Waiter[] = [];
  private seq = 0;
  private lastUrgentAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private granted = 0;
  private waitedMs = 0;

  constructor(limits: Partial<CcvLimits> = {}, clock: Clock = realClock) {
    this.limits = { ...DEFAULT_CCV_LIMITS, ...limits };
    this.clock = clock;
    this.global = new SlidingLog(this.limits.globalPerMinute);
  }

  private get span(): number {
    return this.limits.windowMs + this.limits.guardMs;
  }

  private limitOf(kind: Waiter['kind']): number {
    return kind === 'get' ? this.limits.getPerMinute : kind === 'write' ? this.limits.writePerMinute : this.limits.productqueriesPerMinute;
  }

  private log(key: string, limit: number): SlidingLog {
    let l = this.logs.get(key);
    if (!l) this.logs.set(key, (l = new SlidingLog(limit)));
    return l;
  }

  /** Resolves when a request to `resource` with `method` may be sent; counts it as sent. */
  acquire(resource: string, method: string, opts: AcquireOptions = {}): Promise<void> {
    const { key, kind } = bucketOf(resource, method);
    const started = this.clock.now();
    return new Promise<void>((resolve, reject) => {
      const signal = opts.signal;
      const onAbort = () => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(signal!.reason);
        }
      };
      const w: Waiter = {
        bucket: key,
        kind,
        priority: opts.priority ?? 0,
        seq: this.seq++,
        share: opts.share,
        resolve: () => {
          // A long-lived signal (a job's) must not collect one listener per request.
          signal?.removeEventListener('abort', onAbort);
          this.waitedMs += this.clock.now() - started;
          resolve();
        },
        reject,
      };
      if (signal) {
        if (signal.aborted) return reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      }
      if (w.priority >= this.limits.urgentPriority) this.lastUrgentAt = started;
      this.waiters.push(w);
      this.waiters.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
      this.pump();
    });
  }

  /** After a 429 for this bucket (or the global limit): nothing more until a full window has passed. */
  penalize(scope: { resource: string; method: string } | 'global'): void {
    const until = this.clock.now() + this.span;
    if (scope === 'global') this.globalBlockedUntil = Math.max(this.globalBlockedUntil, until);
    else {
      const { key } = bucketOf(scope.resource, scope.method);
      this.blockedUntil.set(key, Math.max(this.blockedUntil.get(key) ?? 0, until));
    }
    this.pump();
  }

  stats(): BudgetStats {
    const now = this.clock.now();
    const buckets: BudgetStats['buckets'] = {};
    for (const [k, l] of this.logs) buckets[k] = { used: l.count(now, this.span), limit: l.limit };
    return {
      granted: this.granted,
      waitedMs: this.waitedMs,
      waiting: this.waiters.length,
      buckets,
      global: { used: this.global.count(now, this.span), limit: this.global.limit },
    };
  }

  /** Grants every waiter that fits, in priority order, and schedules the next look. */
  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const now = this.clock.now();
    const span = this.span;
    const urgentActive = now - this.lastUrgentAt < span;
    let earliest = Infinity;
    const remaining: Waiter[] = [];
    for (const w of this.waiters) {
      const bucket = this.log(w.bucket, this.limitOf(w.kind));
      const shareLog = w.share ? this.log(`${w.bucket}#${w.share.key}`, Math.max(1, Math.floor(this.limitOf(w.kind) * w.share.fraction))) : undefined;
      const held = urgentActive && w.priority < this.limits.urgentPriority ? Math.floor(bucket.limit * this.limits.urgentReserve) : 0;
      const at = Math.max(
        bucket.nextFree(now, span, Math.max(1, bucket.limit - held)),
        shareLog ? shareLog.nextFree(now, span) : now,
        this.global.nextFree(now, span),
        this.blockedUntil.get(w.bucket) ?? 0,
        this.globalBlockedUntil,
      );
      if (at <= now) {
        bucket.push(now);
        shareLog?.push(now);
        this.global.push(now);
        this.granted++;
        w.resolve();
      } else {
        remaining.push(w);
        earliest = Math.min(earliest, at);
      }
    }
    this.waiters = remaining;
    if (remaining.length && earliest < Infinity) {
      this.timer = setTimeout(() => this.pump(), Math.max(1, earliest - this.clock.now()));
    }
  }
}
