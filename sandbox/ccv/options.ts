/**
 * Options of the CCV sandbox. Everything the reference leaves open (ccv-api.md §9) is a switch here, and every
 * default is the stricter plausible behaviour (a sandbox that is kinder than the real API hides bugs).
 */

export const DEFAULT_PUBLIC_KEY = 'koppel-sandbox-public';
export const DEFAULT_SECRET_KEY = 'koppel-sandbox-secret-0123456789abcdef';
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4100;
export const API_PREFIX = '/api/rest/v1';

/** Behaviour switches for the reference's open questions. */
export interface CcvBehaviour {
  /** Allowed clock skew of `x-date`, both directions (reference §3: 5 minutes). */
  authWindowSeconds: number;
  /** HTTP status for auth failures (undocumented; 401 chosen). */
  authFailureStatus: 401 | 403;

  /** Requests per minute per resource and method (reference §5). */
  getLimit: number;
  writeLimit: number;
  productqueriesLimit: number;
  /** Requests per minute over all resources (value undocumented; 0 disables). */
  globalLimit: number;
  /** Multiplies every limit (kept >= 1), for fast benchmarks. */
  rateScale: number;
  /**
   * `rolling`: at most N requests in any 60 s interval (sliding log, the strictest reading).
   * `fixed`: windows of 60 s that start with the first request in an empty window.
   */
  rateWindow: 'rolling' | 'fixed';
  /** Whether a rejected (429) request also consumes budget. Default false. */
  countRejected: boolean;
  /** Informative `x-ratelimit-*` and `retry-after` headers. The real API documents none: default off. */
  rateLimitHeaders: boolean;

  /** Page size when `size` is absent (undocumented; 25 chosen) and the maximum (250, above => error). */
  defaultPageSize: number;
  maxPageSize: number;
  /** Reject unknown query parameters / body fields with an error naming them (instead of ignoring them). */
  rejectUnknownParams: boolean;
  rejectUnknownFields: boolean;
  /** Validate e-mail syntax on user/order writes. */
  validateEmails: boolean;

  /** A PATCH that only changes stock (product or combination) bumps the product's `modifydate`. */
  stockChangeBumpsModifydate: boolean;
  /** A combination PATCH (sku/ean/...) or an option-value change bumps the product's `modifydate`. */
  variantChangeBumpsProductModifydate: boolean;
  /** Stock-only changes (API PATCH, till sale, order stock booking) send `products.updated`. */
  stockChangeFiresWebhook: boolean;
  /** Combination and option-value changes send `products.updated`. */
  variantChangeFiresWebhook: boolean;
  /** Offer and deliver `orders.created` / `orders.updated` / `orders.deleted`-style events (unconfirmed upstream). */
  orderWebhooks: boolean;

  /** When an order created through the API takes its rows out of stock: on completion (default) or never. */
  apiOrderStock: 'on_completed' | 'never';
  /** Setting status 8 (cancelled) puts the rows back into stock. Default false. */
  cancelRestocks: boolean;
  /** `max_create_date=YYYY-MM-DD` includes that whole day (true) or stops at its 00:00:00 (false, default). */
  maxCreateDateInclusiveDay: boolean;
  /** More combinations than this on one product => error. */
  maxCombinationsPerProduct: number;

  /** Webhook deliveries: payload shape, attempts, backoff (ms, multiplied by webhookTimeScale), timeout. */
  webhookPayload: 'thin' | 'full';
  webhookMaxAttempts: number;
  webhookBackoffMs: number[];
  webhookTimeScale: number;
  webhookTimeoutMs: number;
}

export const DEFAULT_BEHAVIOUR: CcvBehaviour = {
  authWindowSeconds: 300,
  authFailureStatus: 401,
  getLimit: 150,
  writeLimit: 100,
  productqueriesLimit: 30,
  globalLimit: 500,
  rateScale: 1,
  rateWindow: 'rolling',
  countRejected: false,
  rateLimitHeaders: false,
  defaultPageSize: 25,
  maxPageSize: 250,
  rejectUnknownParams: true,
  rejectUnknownFields: true,
  validateEmails: true,
  stockChangeBumpsModifydate: false,
  variantChangeBumpsProductModifydate: false,
  stockChangeFiresWebhook: false,
  variantChangeFiresWebhook: false,
  orderWebhooks: true,
  apiOrderStock: 'on_completed',
  cancelRestocks: false,
  maxCreateDateInclusiveDay: false,
  maxCombinationsPerProduct: 1000,
  webhookPayload: 'thin',
  webhookMaxAttempts: 6,
  webhookBackoffMs: [60_000, 300_000, 1_800_000, 7_200_000, 21_600_000],
  webhookTimeScale: 1,
  webhookTimeoutMs: 10_000,
};

export interface CcvSandboxOptions extends Partial<CcvBehaviour> {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4100; 0 = any free port. */
  port?: number;
  publicKey?: string;
  secretKey?: string;
  /** Seed of the demo data (default 1). */
  seed?: number;
  /** Demo products (default 500); 0 = empty shop. */
  products?: number;
  /** Add realistic bad records. */
  dirty?: boolean;
  /** The webshop record is a SalesPOS account (default true). */
  salespos?: boolean;
  /** Injectable clock in ms (signatures, rate windows, created/modified dates, webhook schedule). */
  now?: () => number;
  /** Injectable sleep for fault latency (tests pass a recorder). */
  sleep?: (ms: number) => Promise<void>;
  /** fetch used for webhook deliveries (default global fetch). */
  fetch?: typeof fetch;
  /**
   * JSON snapshot: loaded at start when the file exists (instead of generating data), written by
   * `saveSnapshot()`, `POST /__sandbox/snapshot` and on `close()`.
   */
  snapshotFile?: string;
  /** Deliver webhooks on timers (`auto`, default) or only when `deliverWebhooks()` is called (`manual`, tests). */
  webhookDispatch?: 'auto' | 'manual';
  /** Seed of the fault-injection random stream (default: seed). */
  faultSeed?: number;
  /** One line per request and per notable event. */
  logger?: (line: string) => void;
}

export function resolveBehaviour(opts: Partial<CcvBehaviour>): CcvBehaviour {
  const b: CcvBehaviour = { ...DEFAULT_BEHAVIOUR };
  for (const key of Object.keys(DEFAULT_BEHAVIOUR) as (keyof CcvBehaviour)[]) {
    const v = opts[key];
    if (v !== undefined) (b as unknown as Record<string, unknown>)[key] = v;
  }
  if (!(b.rateScale > 0)) throw new Error(`rateScale must be > 0, got ${String(b.rateScale)}`);
  if (b.maxPageSize < 1 || b.defaultPageSize < 1 || b.defaultPageSize > b.maxPageSize) {
    throw new Error(`defaultPageSize (${b.defaultPageSize}) must be between 1 and maxPageSize (${b.maxPageSize})`);
  }
  return b;
}
