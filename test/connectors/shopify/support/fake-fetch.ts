/** A scripted fetch for unit tests of the Shopify client: records calls, answers from a script. */
import { flush, type FakeClock } from '../../../../src/connectors/shopify/clock.js';

export interface RecordedCall {
  url: string;
  method: string;
  headers: Headers;
  body: string;
  json: { query?: string; variables?: Record<string, unknown> } & Record<string, unknown>;
  signal: AbortSignal | undefined;
  /** The body as given (FormData, Blob, string …). */
  rawBody: unknown;
}

export type Handler = (call: RecordedCall) => Response | Promise<Response>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

export interface CostOpts {
  requested: number;
  actual?: number | null;
  available: number;
  max?: number;
  rate?: number;
}

export function cost(o: CostOpts): Record<string, unknown> {
  return {
    cost: {
      requestedQueryCost: o.requested,
      actualQueryCost: o.actual === undefined ? o.requested : o.actual,
      throttleStatus: { maximumAvailable: o.max ?? 1000, currentlyAvailable: o.available, restoreRate: o.rate ?? 50 },
    },
  };
}

export function ok(data: unknown, c: CostOpts = { requested: 10, available: 990 }): Response {
  return json({ data, extensions: cost(c) });
}

export function throttled(c: CostOpts): Response {
  return json({
    errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
    extensions: cost({ ...c, actual: null }),
  });
}

/** A fetch rejection as undici reports it: TypeError("fetch failed") with a coded cause. */
export function fetchFailed(code: string): TypeError {
  const cause = Object.assign(new Error(code === 'ECONNREFUSED' ? 'connect ECONNREFUSED 127.0.0.1:1' : 'other side closed'), { code });
  return new TypeError('fetch failed', { cause });
}

/** Never answers; rejects when the request's signal aborts (as real fetch does). */
export function hang(call: RecordedCall): Promise<Response> {
  return new Promise((_, reject) => {
    const s = call.signal;
    if (!s) return;
    if (s.aborted) reject(s.reason);
    s.addEventListener('abort', () => reject(s.reason), { once: true });
  });
}

export class ScriptedFetch {
  readonly calls: RecordedCall[] = [];
  private readonly script: Handler[] = [];
  fallback: Handler | undefined;

  /** Queues answers for the next calls, in order. */
  then(...handlers: (Handler | Response)[]): this {
    for (const h of handlers) this.script.push(h instanceof Response ? () => h : h);
    return this;
  }

  get remaining(): number {
    return this.script.length;
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = typeof init?.body === 'string' ? init.body : '';
    let parsed: RecordedCall['json'];
    try {
      parsed = body ? (JSON.parse(body) as RecordedCall['json']) : {};
    } catch {
      parsed = {};
    }
    const call: RecordedCall = { url, method: init?.method ?? 'GET', headers: new Headers(init?.headers), body, json: parsed, signal: init?.signal ?? undefined, rawBody: init?.body };
    this.calls.push(call);
    const h = this.script.shift() ?? this.fallback;
    if (!h) throw new Error(`unexpected request #${this.calls.length} to ${url}`);
    return h(call);
  };
}

/** Advances the fake clock until `p` settles (or `maxMs` of fake time pass); returns its result. */
export async function drive<T>(clock: FakeClock, p: Promise<T>, maxMs = 600_000): Promise<T> {
  let settled = false;
  const guarded = p.then(
    (v) => {
      settled = true;
      return v;
    },
    (e: unknown) => {
      settled = true;
      throw e;
    },
  );
  guarded.catch(() => {});
  const start = clock.now();
  for (let i = 0; i < 100_000 && !settled; i++) {
    await flush();
    if (settled) break;
    const next = clock.nextAt();
    if (next === undefined) {
      await flush();
      if (!settled && clock.nextAt() === undefined) throw new Error('drive: nothing left to wait for but the promise is still pending');
      continue;
    }
    if (next - start > maxMs) throw new Error(`drive: still pending after ${maxMs} ms of fake time`);
    await clock.advance(Math.max(0, next - clock.now()));
  }
  return guarded;
}
