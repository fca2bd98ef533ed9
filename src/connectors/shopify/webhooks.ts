/**
 * Webhook helpers: HMAC verification of deliveries and registration of the shop-specific
 * subscriptions Koppel needs.
 *
 * Shopify signs the raw body: base64(HMAC-SHA256(key = the app's client secret, message = the body
 * bytes)) in `X-Shopify-Hmac-Sha256`. After a secret rotation the old secret stays in use for a while,
 * so several secrets are accepted. Verify the bytes as received: parsing and re-serialising the JSON
 * changes them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { QueryResult, ShopifyClient, UserError } from './client.js';
import { WebhookSubscriptionCreate, WebhookSubscriptionDelete, WebhookSubscriptions } from './documents.js';
import { SHOPIFY_ERROR_CODES as C, shopifyError } from './errors.js';
import type { WebhookSubscriptionsData, WebhookSubscriptionTopic } from './documents.types.js';
import type { Lane } from './limiter.js';

const DIGEST_BYTES = 32;

/**
 * True when `hmacHeader` is the base64 HMAC-SHA256 of `rawBody` under one of `secrets`.
 * Every secret is checked, each in constant time, so the time taken does not tell which one matched.
 */
export function verifyWebhookHmac(rawBody: Uint8Array | string, hmacHeader: string | null | undefined, secrets: readonly string[]): boolean {
  if (typeof hmacHeader !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(hmacHeader.trim())) return false;
  const got = Buffer.from(hmacHeader.trim(), 'base64');
  if (got.length !== DIGEST_BYTES) return false;
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  let match = false;
  for (const secret of secrets) {
    if (!secret) continue;
    const expected = createHmac('sha256', secret).update(body).digest();
    if (timingSafeEqual(expected, got)) match = true;
  }
  return match;
}

/** The base64 signature Shopify would send for `rawBody` (tests, the sandbox, replay tools). */
export function signWebhook(rawBody: Uint8Array | string, secret: string): string {
  return createHmac('sha256', secret).update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody).digest('base64');
}

export interface WebhookHeaders {
  /** REST-style topic, e.g. `orders/paid`. */
  topic: string | undefined;
  shop: string | undefined;
  hmac: string | undefined;
  apiVersion: string | undefined;
  /** Unique per delivery attempt series. */
  webhookId: string | undefined;
  /** Shared by every delivery caused by one merchant action. */
  eventId: string | undefined;
  triggeredAt: string | undefined;
  /** The subscription's `name`, when it has one. */
  name: string | undefined;
}

/** Reads Shopify's webhook headers (any case). */
export function readWebhookHeaders(headers: Headers | Record<string, string | string[] | undefined>): WebhookHeaders {
  const get = (n: string): string | undefined => {
    if (headers instanceof Headers) return headers.get(n) ?? undefined;
    const key = Object.keys(headers).find((k) => k.toLowerCase() === n.toLowerCase());
    const v = key === undefined ? undefined : headers[key];
    return Array.isArray(v) ? v[0] : v;
  };
  return {
    topic: get('X-Shopify-Topic'),
    shop: get('X-Shopify-Shop-Domain'),
    hmac: get('X-Shopify-Hmac-Sha256'),
    apiVersion: get('X-Shopify-API-Version'),
    webhookId: get('X-Shopify-Webhook-Id'),
    eventId: get('X-Shopify-Event-Id'),
    triggeredAt: get('X-Shopify-Triggered-At'),
    name: get('X-Shopify-Name'),
  };
}

/** The GID a delivery is about (`admin_graphql_api_id` of its body); undefined when the body has none or is not JSON. */
export function webhookResourceId(rawBody: Uint8Array | string): string | undefined {
  try {
    const body = JSON.parse(typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8')) as { admin_graphql_api_id?: unknown };
    return typeof body.admin_graphql_api_id === 'string' ? body.admin_graphql_api_id : undefined;
  } catch {
    return undefined;
  }
}

/** `orders/paid` or `ORDERS_PAID` → `ORDERS_PAID` (the GraphQL enum form). */
export function topicEnum(topic: string): string {
  const t = topic.trim().replace(/[/.]/g, '_').toUpperCase();
  if (!/^[A-Z][A-Z0-9_]*$/.test(t)) throw shopifyError({ code: C.INVALID_ARGUMENT, errorClass: 'invalid_input', message: `"${topic}" is not a webhook topic; use e.g. orders/paid or ORDERS_PAID` });
  return t;
}

export interface DesiredSubscription {
  topic: string;
  uri: string;
  /** Search-syntax filter (e.g. `financial_status:paid`). */
  filter?: string | null;
  /** Fields to include in the payload (all when empty). */
  includeFields?: string[];
}

export interface ExistingSubscription {
  id: string;
  topic: string;
  uri: string;
  format: string;
  filter: string | null;
  includeFields: string[];
}

export interface EnsureResult {
  /** Subscriptions that were already as wanted. */
  kept: ExistingSubscription[];
  created: ExistingSubscription[];
  /** Subscriptions of this app that are not wanted (different topic, address, filter or fields). */
  stale: ExistingSubscription[];
  /** Stale subscriptions deleted (only with `deleteStale`). */
  deleted: string[];
  /** Wanted subscriptions Shopify refused, with its userErrors. */
  failed: { topic: string; uri: string; userErrors: UserError[] }[];
}

export interface EnsureOptions {
  /** Delete stale subscriptions instead of only reporting them (default false). */
  deleteStale?: boolean;
  lane?: Lane;
  signal?: AbortSignal;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function matches(e: ExistingSubscription, d: DesiredSubscription): boolean {
  return e.topic === topicEnum(d.topic) && e.uri === d.uri && (e.filter ?? '') === (d.filter ?? '') && sameSet(e.includeFields, d.includeFields ?? []);
}

/** Every webhook subscription of this app on the shop (all pages). */
export async function listWebhookSubscriptions(client: ShopifyClient, opts: { lane?: Lane; signal?: AbortSignal } = {}): Promise<ExistingSubscription[]> {
  const out: ExistingSubscription[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page++) {
    const r: QueryResult<WebhookSubscriptionsData> = await client.query(WebhookSubscriptions, { first: 100, after }, { lane: opts.lane ?? 'reconcile', ...(opts.signal ? { signal: opts.signal } : {}) });
    const conn = r.data.webhookSubscriptions;
    for (const n of conn.nodes) out.push({ id: n.id, topic: n.topic, uri: n.uri, format: n.format, filter: n.filter ?? null, includeFields: n.includeFields ?? [] });
    if (!conn.pageInfo.hasNextPage || !conn.pageInfo.endCursor) break;
    after = conn.pageInfo.endCursor;
  }
  return out;
}

/**
 * Makes the shop's subscriptions match `desired`: creates what is missing, reports (or deletes)
 * subscriptions of this app that are not wanted. Subscriptions are per app, so every one listed here
 * is Koppel's own (an old tunnel address, a topic no longer used).
 */
export async function ensureWebhookSubscriptions(client: ShopifyClient, desired: readonly DesiredSubscription[], opts: EnsureOptions = {}): Promise<EnsureResult> {
  const call = { lane: opts.lane ?? 'reconcile', ...(opts.signal ? { signal: opts.signal } : {}) } as const;
  for (const d of desired) {
    let u: URL;
    try {
      u = new URL(d.uri);
    } catch {
      throw shopifyError({ code: C.INVALID_ARGUMENT, errorClass: 'invalid_input', message: `webhook address "${d.uri}" for ${d.topic} is not a URL`, hint: 'use the public https address of Koppel’s webhook endpoint' });
    }
    if (u.protocol !== 'https:' && u.protocol !== 'pubsub:' && u.protocol !== 'arn:' && u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') {
      throw shopifyError({ code: C.INVALID_ARGUMENT, errorClass: 'invalid_input', message: `webhook address ${d.uri} for ${d.topic} must use https`, hint: 'Shopify only delivers to https addresses; put Koppel behind a TLS proxy or tunnel' });
    }
  }
  const existing = await listWebhookSubscriptions(client, call);
  const result: EnsureResult = { kept: [], created: [], stale: [], deleted: [], failed: [] };
  const wanted = new Map<string, DesiredSubscription>();
  for (const d of desired) wanted.set(`${topicEnum(d.topic)} ${d.uri}`, d);

  for (const e of existing) {
    const keep = [...wanted.values()].some((d) => matches(e, d));
    (keep ? result.kept : result.stale).push(e);
  }
  for (const d of wanted.values()) {
    if (existing.some((e) => matches(e, d))) continue;
    const r = await client.mutate(
      WebhookSubscriptionCreate,
      {
        topic: topicEnum(d.topic) as WebhookSubscriptionTopic,
        webhookSubscription: { uri: d.uri, format: 'JSON', ...(d.filter ? { filter: d.filter } : {}), ...(d.includeFields?.length ? { includeFields: d.includeFields } : {}) },
      },
      call,
    );
    if (!r.ok) {
      result.failed.push({ topic: topicEnum(d.topic), uri: d.uri, userErrors: r.userErrors });
      continue;
    }
    const s = r.data.webhookSubscriptionCreate?.webhookSubscription;
    if (s) result.created.push({ id: s.id, topic: s.topic, uri: s.uri, format: s.format, filter: s.filter ?? null, includeFields: s.includeFields ?? [] });
  }
  if (opts.deleteStale) {
    for (const s of result.stale) {
      const r = await client.mutate(WebhookSubscriptionDelete, { id: s.id }, { ...call, retrySafe: true });
      if (r.ok) result.deleted.push(s.id);
      else result.failed.push({ topic: s.topic, uri: s.uri, userErrors: r.userErrors });
    }
  }
  client.logger.info(
    { kept: result.kept.length, created: result.created.map((s) => s.topic), stale: result.stale.map((s) => s.topic), deleted: result.deleted.length, failed: result.failed.map((f) => f.topic) },
    'shopify webhook subscriptions checked',
  );
  return result;
}
