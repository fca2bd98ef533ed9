/**
 * The CCV Shop / SalesPOS REST client: signs every request, verifies every response signature,
 * paces requests inside the connection's rate budget, retries what is safe to retry, and reports
 * everything else as typed errors. Flows never sleep or retry on their own.
 */
import pRetry, { AbortError } from 'p-retry';
import { KoppelError, errorMessage, type ErrorClass } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../obs/log.js';
import { apiLatency, apiRequests, apiRetries, apiThrottleWait, apiBudgetAvailable } from '../../obs/metrics.js';
import { CcvRateBudget, type AcquireOptions } from './budget.js';
import { CcvApiError, classifyStatus, type CcvErrorBody } from './errors.js';
import { ccvDate, ccvHash, hashMatches } from './sign.js';

export const CCV_API_PREFIX = '/api/rest/v1/';

export type CcvMediaType = 'webshop' | 'salespos';

export interface CcvClientOptions {
  /** The shop's origin, e.g. https://mijnwinkel.ccvshop.nl */
  baseUrl: string;
  publicKey: string;
  secretKey: string;
  mediaType?: CcvMediaType;
  /** Name of the connection in metrics and logs. */
  connection?: string;
  /** Shared by every flow of this connection. */
  budget?: CcvRateBudget;
  fetch?: typeof fetch;
  now?: () => number;
  /** Per request, including reading the body. Default 30 s. */
  timeoutMs?: number;
  /** Retries after transient failures (5xx, network). Default 5. */
  retries?: number;
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Consecutive 429s tolerated before giving up. Default 10. */
  maxThrottleRetries?: number;
  logger?: Logger;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface CcvRequestOptions {
  query?: Query;
  body?: unknown;
  /** Budget priority: higher first (stock > orders > customers > products > reconcile). */
  priority?: number;
  share?: AcquireOptions['share'];
  signal?: AbortSignal;
  /**
   * A write that is safe to send twice (e.g. a PATCH of absolute values). GET, PUT, PATCH and DELETE
   * are retried by default; POST only when this is set.
   */
  retrySafe?: boolean;
}

/** One page of a CCV collection. */
export interface CcvPage<T> {
  href: string;
  start: number;
  size: number;
  next: string | null;
  items: T[];
}

export interface CcvResponse<T> {
  status: number;
  data: T | undefined;
}

/** The resource a path addresses, for the rate budget: the last non-id segment (products/5/attributecombinations → attributecombinations). */
export function resourceOf(pathname: string): string {
  const rest = pathname.startsWith(CCV_API_PREFIX) ? pathname.slice(CCV_API_PREFIX.length) : pathname.replace(/^\/+/, '');
  const segments = rest.split('/').filter((s) => s !== '' && !/^\d+$/.test(s));
  return segments[segments.length - 1] ?? '';
}

const CLOCK_SKEW_WARN_MS = 60_000;

export class CcvClient {
  readonly budget: CcvRateBudget;
  readonly connection: string;
  private readonly origin: string;
  private readonly opts: Required<Pick<CcvClientOptions, 'timeoutMs' | 'retries' | 'minRetryDelayMs' | 'maxRetryDelayMs' | 'maxThrottleRetries'>> & CcvClientOptions;
  private readonly doFetch: typeof fetch;
  private readonly now: () => number;
  private readonly log: Logger;
  private lastSkewWarning = 0;

  constructor(opts: CcvClientOptions) {
    this.opts = { timeoutMs: 30_000, retries: 5, minRetryDelayMs: 500, maxRetryDelayMs: 20_000, maxThrottleRetries: 10, ...opts };
    this.origin = new URL(opts.baseUrl).origin;
    this.budget = opts.budget ?? new CcvRateBudget();
    this.connection = opts.connection ?? 'ccv';
    this.doFetch = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
    this.log = (opts.logger ?? silentLogger).child({ api: 'ccv', connection: this.connection });
  }

  /** Absolute URL for a resource path (`products/5`) or an absolute `next` link. */
  url(target: string, query?: Query): URL {
    const url = /^https?:\/\//.test(target)
      ? new URL(target)
      : new URL(CCV_API_PREFIX + target.replace(/^\/+/, '').replace(/^api\/rest\/v1\//, ''), this.origin);
    if (url.origin !== this.origin) {
      throw new KoppelError({ code: 'CCV_FOREIGN_LINK', message: `CCV returned a link to another host (${url.origin}); refusing to send signed requests there`, hint: 'check connections.ccv.baseUrl', errorClass: 'permanent' });
    }
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null) url.searchParams.set(k, typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v));
    }
    return url;
  }

  async get<T>(path: string, opts: CcvRequestOptions = {}): Promise<T> {
    const r = await this.request<T>('GET', path, opts);
    if (r.data === undefined) throw new CcvApiError({ status: r.status, method: 'GET', path, errorClass: 'transient', message: `CCV GET ${path} answered ${r.status} without a body` });
    return r.data;
  }

  /** Follows `next` links; each page is one request (size defaults to the maximum, 250). */
  async *pages<T>(path: string, opts: CcvRequestOptions = {}): AsyncGenerator<CcvPage<T>> {
    let next: string | null = this.url(path, { size: 250, ...opts.query }).toString();
    const seen = new Set<string>();
    while (next) {
      if (seen.has(next)) throw new KoppelError({ code: 'CCV_PAGINATION_LOOP', message: `CCV pagination returned the same next link twice (${next})`, errorClass: 'permanent' });
      seen.add(next);
      const page: CcvPage<T> = await this.get<CcvPage<T>>(next, { ...opts, query: undefined });
      if (!Array.isArray(page.items)) throw new KoppelError({ code: 'CCV_BAD_RESPONSE', message: `CCV GET ${path}: expected a collection with items`, errorClass: 'permanent' });
      yield page;
      next = page.next || null;
    }
  }

  async *items<T>(path: string, opts: CcvRequestOptions = {}): AsyncGenerator<T> {
    for await (const page of this.pages<T>(path, opts)) yield* page.items;
  }

  async post<T>(path: string, body: unknown, opts: Omit<CcvRequestOptions, 'body'> = {}): Promise<T | undefined> {
    return (await this.request<T>('POST', path, { ...opts, body })).data;
  }

  async patch(path: string, body: unknown, opts: Omit<CcvRequestOptions, 'body'> = {}): Promise<void> {
    await this.request('PATCH', path, { ...opts, body });
  }

  async put(path: string, body: unknown, opts: Omit<CcvRequestOptions, 'body'> = {}): Promise<void> {
    await this.request('PUT', path, { ...opts, body });
  }

  async delete(path: string, opts: Omit<CcvRequestOptions, 'body'> = {}): Promise<void> {
    await this.request('DELETE', path, opts);
  }

  async request<T>(method: string, target: string, opts: CcvRequestOptions = {}): Promise<CcvResponse<T>> {
    method = method.toUpperCase();
    const url = this.url(target, opts.query);
    const uri = url.pathname + url.search;
    const resource = resourceOf(url.pathname);
    const body = opts.body === undefined ? '' : JSON.stringify(opts.body);
    const retrySafe = method !== 'POST' || opts.retrySafe === true;
    let throttles = 0;

    return pRetry(
      async () => {
        const waitStart = this.now();
        await this.budget.acquire(resource, method, { priority: opts.priority, share: opts.share, signal: opts.signal });
        const waited = this.now() - waitStart;
        if (waited > 0) apiThrottleWait.inc({ api: 'ccv', connection: this.connection }, waited / 1000);
        const result = await this.send<T>(method, url, uri, body, resource, retrySafe, opts.signal);
        throttles = 0;
        return result;
      },
      {
        retries: this.opts.retries,
        minTimeout: this.opts.minRetryDelayMs,
        maxTimeout: this.opts.maxRetryDelayMs,
        randomize: true,
        signal: opts.signal,
        shouldConsumeRetry: ({ error }) => (error as KoppelError).errorClass !== 'throttled',
        shouldRetry: ({ error }) => {
          const cls = (error as KoppelError).errorClass;
          if (cls === 'throttled') return ++throttles <= this.opts.maxThrottleRetries;
          return cls === 'transient';
        },
        onFailedAttempt: ({ error, attemptNumber }) => {
          const cls = (error as KoppelError).errorClass;
          if (cls === 'throttled' || cls === 'transient') {
            apiRetries.inc({ api: 'ccv', connection: this.connection, reason: cls });
            this.log.debug({ method, resource, attempt: attemptNumber, code: (error as KoppelError).code }, 'retrying CCV request');
          }
        },
      },
    );
  }

  private async send<T>(method: string, url: URL, uri: string, body: string, resource: string, retrySafe: boolean, signal?: AbortSignal): Promise<CcvResponse<T>> {
    const { publicKey, secretKey } = this.opts;
    const date = ccvDate(this.now());
    const headers: Record<string, string> = {
      'x-public': publicKey,
      'x-date': date,
      'x-hash': ccvHash({ publicKey, secretKey, method, uri, body, date }),
      accept: `application/vnd.verto.${this.opts.mediaType ?? 'salespos'}+json`,
    };
    if (body) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const labels = { api: 'ccv', connection: this.connection, operation: `${method} ${resource}` };
    const endTimer = apiLatency.startTimer({ api: 'ccv', connection: this.connection });

    let status: number;
    let text: string;
    let resHeaders: Headers;
    try {
      const res = await this.doFetch(url, { method, headers, body: body || undefined, signal: combined });
      status = res.status;
      resHeaders = res.headers;
      text = await res.text();
    } catch (e) {
      endTimer();
      if (signal?.aborted) throw new AbortError(e instanceof Error ? e : String(e));
      const timedOut = timeout.aborted;
      const what = timedOut ? `timed out after ${this.opts.timeoutMs} ms` : `failed: ${errorMessage((e as { cause?: unknown }).cause ?? e)}`;
      if (!retrySafe) {
        apiRequests.inc({ ...labels, outcome: 'outcome_unknown' });
        // The request may have been committed before the connection dropped: flows must look before retrying.
        throw new AbortError(new KoppelError({
          code: 'CCV_OUTCOME_UNKNOWN',
          message: `CCV ${method} ${url.pathname} ${what} after it was sent; whether CCV applied it is unknown`,
          hint: 'Koppel checks CCV for the record before trying again',
          errorClass: 'outcome_unknown',
          details: { method, path: url.pathname },
          cause: e,
        }));
      }
      apiRequests.inc({ ...labels, outcome: 'network_error' });
      throw new KoppelError({ code: timedOut ? 'CCV_TIMEOUT' : 'CCV_NETWORK', message: `CCV ${method} ${url.pathname} ${what}`, errorClass: 'transient', cause: e });
    }
    endTimer();
    this.checkSkew(resHeaders.get('x-date'));

    if (status >= 500) {
      apiRequests.inc({ ...labels, outcome: 'server_error' });
      const err = new CcvApiError({ status, body: parseJson<CcvErrorBody>(text), method, path: url.pathname, errorClass: retrySafe ? 'transient' : 'outcome_unknown' });
      throw retrySafe ? err : new AbortError(err);
    }

    // Everything else must carry a valid signature before any of it is believed.
    const expected = ccvHash({ publicKey, secretKey, method, uri, body: text, date: resHeaders.get('x-date') ?? '' });
    if (!hashMatches(expected, resHeaders.get('x-hash'))) {
      apiRequests.inc({ ...labels, outcome: 'bad_signature' });
      throw new AbortError(new KoppelError({
        code: 'CCV_RESPONSE_SIGNATURE_INVALID',
        message: `CCV ${method} ${url.pathname} answered ${status} with ${resHeaders.get('x-hash') ? 'a wrong' : 'no'} signature; the response was not trusted`,
        hint: 'check that connections.ccv.baseUrl points at the CCV shop itself (no proxy rewriting responses) and that the secret key is right',
        errorClass: 'auth',
      }));
    }

    if (status === 429) {
      apiRequests.inc({ ...labels, outcome: 'throttled' });
      const errBody = parseJson<CcvErrorBody>(text);
      this.budget.penalize(String(errBody?.code) === '429.11' ? 'global' : { resource, method });
      throw new CcvApiError({ status, body: errBody, method, path: url.pathname, errorClass: 'throttled' });
    }
    if (status >= 400) {
      apiRequests.inc({ ...labels, outcome: 'client_error' });
      const cls: ErrorClass = classifyStatus(status);
      throw new AbortError(new CcvApiError({ status, body: parseJson<CcvErrorBody>(text), method, path: url.pathname, errorClass: cls }));
    }
    apiRequests.inc({ ...labels, outcome: 'ok' });
    const s = this.budget.stats().buckets[`${resource}:${method}`];
    if (s) apiBudgetAvailable.set({ api: 'ccv', connection: this.connection, bucket: `${resource}:${method}` }, s.limit - s.used);
    if (text === '') return { status, data: undefined };
    const data = parseJson<T>(text);
    if (data === undefined) {
      throw new AbortError(new KoppelError({ code: 'CCV_BAD_RESPONSE', message: `CCV ${method} ${url.pathname} answered ${status} with a body that is not JSON`, errorClass: 'permanent' }));
    }
    return { status, data };
  }

  private checkSkew(serverDate: string | null): void {
    if (!serverDate) return;
    const server = Date.parse(serverDate);
    if (Number.isNaN(server)) return;
    const skew = this.now() - server;
    if (Math.abs(skew) > CLOCK_SKEW_WARN_MS && this.now() - this.lastSkewWarning > 10 * 60_000) {
      this.lastSkewWarning = this.now();
      this.log.warn({ skewSeconds: Math.round(skew / 1000) }, 'this machine\'s clock differs from CCV\'s; requests fail when it exceeds 5 minutes: sync the clock (NTP)');
    }
  }
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
