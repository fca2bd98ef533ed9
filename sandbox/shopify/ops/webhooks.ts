// Webhook subscriptions (webhookSubscriptionCreate / webhookSubscriptions / webhookSubscription /
// webhookSubscriptionDelete) and deliveries of the domain events the sandbox emits, with Shopify's headers
// (X-Shopify-Topic, -Hmac-Sha256 = base64 HMAC-SHA256 of the raw body with the app's client secret,
// -Shop-Domain, -API-Version, -Webhook-Id per delivery, -Event-Id per event, -Triggered-At, -Name),
// REST-shaped payloads (webhook-payloads.ts), retries on anything but 2xx (1 + 8 attempts, 1 min doubling to
// 128 min, times `webhookTimeScale`, on the sandbox clock), and switchable duplicate and out-of-order delivery.
import { createHmac, randomUUID } from 'node:crypto';
import type { RequestContext } from '../context.js';
import type { DomainEvent, SandboxCore } from '../core.js';
import { paginate } from '../connection.js';
import { gid, parseGid } from '../gid.js';
import type { Registry, ScopeRule } from '../registry.js';
import { describeRule, SandboxInputError, scopeSatisfied, unsupported } from '../registry.js';
import { loadSchema, SUPPORTED_VERSIONS } from '../schema.js';
import type { ApiVersion } from '../schema.js';
import { CompiledSearch, parseSearch } from '../search.js';
import type { FieldKind, SearchDoc, SearchSpec } from '../search.js';
import type { SandboxState, Table } from '../state.js';
import { gidOf, requireSortKey } from './common.js';
import { companyPayload, customerPayload, inventoryItemPayload, inventoryLevelPayload, orderPayload, plain, productPayload, RawInt, toJsonText } from './webhook-payloads.js';
import type { Payload, PayloadValue } from './webhook-payloads.js';

// ---------------------------------------------------------------------------------------------
// Records

export interface WebhookSubscriptionRec {
  id: string;
  /** WebhookSubscriptionTopic enum value, e.g. ORDERS_PAID. */
  topic: string;
  uri: string;
  format: 'JSON';
  filter: string | null;
  includeFields: string[];
  name: string | null;
  /** The API version the subscription was created with: payloads and X-Shopify-API-Version follow it. */
  apiVersion: ApiVersion;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryAttempt {
  at: string;
  status: number | null;
  error: string | null;
}

export interface WebhookDeliveryRec {
  /** X-Shopify-Webhook-Id: unique per delivery (kept across its retries). */
  id: string;
  /** X-Shopify-Event-Id: shared by every delivery caused by the same change. */
  eventId: string;
  /** REST topic, e.g. orders/paid. */
  topic: string;
  subscriptionId: string;
  uri: string;
  name: string | null;
  apiVersion: string;
  triggeredAt: string;
  body: string;
  hmac: string;
  /** Set on the extra copy the duplicate-delivery switch sends. */
  duplicateOf: string | null;
  state: 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
  /** Sandbox time of the next attempt, or null. */
  nextAttemptAt: number | null;
}

export const WT = {
  subscriptions: (s: SandboxState): Table<WebhookSubscriptionRec> => s.table<WebhookSubscriptionRec>('webhookSubscriptions'),
  deliveries: (s: SandboxState): Table<WebhookDeliveryRec> => s.table<WebhookDeliveryRec>('webhookDeliveries'),
};

/** Attempts in all: the first delivery and 8 retries (Shopify: 8 retries over about 4 hours). */
export const WEBHOOK_MAX_ATTEMPTS = 9;
/** Wait before retry n (1-based): 1 min, doubling (255 min in all), times webhookTimeScale. */
export function retryDelayMs(retry: number, timeScale: number): number {
  return 60_000 * 2 ** (retry - 1) * timeScale;
}

// ---------------------------------------------------------------------------------------------
// Payload builders per REST topic (other modules add theirs, e.g. bulk_operations/finish)

export type PayloadBuilder = (core: SandboxCore, e: DomainEvent) => Payload | null;

const builders = new Map<string, PayloadBuilder>();

export function registerWebhookPayload(topic: string, builder: PayloadBuilder): void {
  builders.set(topic, builder);
}

registerWebhookPayload('orders/create', (core, e) => orderPayload(core, e.id));
registerWebhookPayload('orders/paid', (core, e) => orderPayload(core, e.id));
registerWebhookPayload('orders/updated', (core, e) => orderPayload(core, e.id));
registerWebhookPayload('orders/cancelled', (core, e) => orderPayload(core, e.id));
registerWebhookPayload('products/create', (core, e) => productPayload(core, e.id));
registerWebhookPayload('products/update', (core, e) => productPayload(core, e.id));
registerWebhookPayload('products/delete', (_core, e) => ({ id: new RawInt(parseGid(e.id)!.id) }));
registerWebhookPayload('inventory_levels/update', (core, e) => inventoryLevelPayload(core, e.detail));
registerWebhookPayload('inventory_items/update', (core, e) => inventoryItemPayload(core, e.id));
registerWebhookPayload('customers/create', (core, e) => customerPayload(core, e.id));
registerWebhookPayload('customers/update', (core, e) => customerPayload(core, e.id));
registerWebhookPayload('companies/create', (core, e) => companyPayload(core, e.id));
registerWebhookPayload('companies/update', (core, e) => companyPayload(core, e.id));

/** ORDERS_PAID -> orders/paid, from the enum's own description ("The webhook topic for `orders/paid` events."). */
function topicInfo(version: ApiVersion): Map<string, { rest: string; scopes: ScopeRule }> {
  let m = topicCache.get(version);
  if (m) return m;
  m = new Map();
  const t = loadSchema(version).schema.getType('WebhookSubscriptionTopic') as { getValues?: () => { name: string; description?: string | null }[] } | undefined;
  for (const v of t?.getValues?.() ?? []) {
    const d = v.description ?? '';
    const rest = /`([a-z0-9_]+\/[a-z0-9_/]+)`/.exec(d)?.[1] ?? v.name.toLowerCase().replace('_', '/');
    let scopes: ScopeRule = 'none';
    const one = /Requires the `([a-z_]+)` scope/.exec(d);
    const many = /Requires at least one of the following scopes: ([a-z_, ]+)/.exec(d);
    if (one) scopes = [[one[1]!]];
    else if (many) scopes = many[1]!.split(',').map((s) => [s.trim()]).filter((g) => g[0] !== '');
    m.set(v.name, { rest, scopes });
  }
  topicCache.set(version, m);
  return m;
}
const topicCache = new Map<string, Map<string, { rest: string; scopes: ScopeRule }>>();

function restTopic(topicEnum: string): string {
  return topicInfo(SUPPORTED_VERSIONS[0]).get(topicEnum)?.rest ?? topicEnum.toLowerCase().replace('_', '/');
}

// ---------------------------------------------------------------------------------------------
// Runtime per sandbox: settings, in-flight deliveries, dice

interface WebhookSettings {
  duplicateRate: number;
  reorderMs: number;
  timeScale: number;
  timeoutMs: number;
}

interface Runtime {
  settings: WebhookSettings;
  inFlight: Set<Promise<void>>;
  random: () => number;
  /** (event time, resource) -> event id: all topics of one change share it (cleared once they are queued). */
  eventIds: Map<string, string>;
  /** (topic, resource, event id) already queued: repeated emits of one change become one delivery. */
  queued: Set<string>;
}

const runtimes = new WeakMap<SandboxCore, Runtime>();

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function runtime(core: SandboxCore): Runtime {
  let rt = runtimes.get(core);
  if (!rt) {
    const o = core.options;
    rt = {
      settings: { duplicateRate: o.webhookDuplicateRate, reorderMs: o.webhookReorderMs, timeScale: o.webhookTimeScale, timeoutMs: o.webhookTimeoutMs },
      inFlight: new Set(),
      random: mulberry(o.seed ^ 0x5eed),
      eventIds: new Map(),
      queued: new Set(),
    };
    runtimes.set(core, rt);
    core.on((e) => onEvent(core, e));
  }
  return rt;
}

/** Deliveries so far (in creation order). */
export function webhookDeliveries(core: SandboxCore): WebhookDeliveryRec[] {
  return [...WT.deliveries(core.state).values()];
}

/** Runs due deliveries and waits until none is in flight (retries scheduled for later stay scheduled). */
export async function settleWebhooks(core: SandboxCore): Promise<void> {
  const rt = runtime(core);
  for (let i = 0; i < 1000; i++) {
    core.tick();
    if (rt.inFlight.size === 0) return;
    await Promise.allSettled([...rt.inFlight]);
  }
}

export function setWebhookSettings(core: SandboxCore, s: Partial<WebhookSettings>): WebhookSettings {
  const rt = runtime(core);
  const check = (name: string, v: unknown, ok: (x: number) => boolean) => {
    if (v !== undefined && !(typeof v === 'number' && ok(v))) throw new SandboxInputError(`${name} is out of range`);
  };
  check('duplicateRate', s.duplicateRate, (x) => x >= 0 && x <= 1);
  check('reorderMs', s.reorderMs, (x) => x >= 0);
  check('timeScale', s.timeScale, (x) => x > 0);
  check('timeoutMs', s.timeoutMs, (x) => x > 0);
  rt.settings = { ...rt.settings, ...Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) };
  return rt.settings;
}

// ---------------------------------------------------------------------------------------------
// Events -> deliveries

function eventIdFor(rt: Runtime, e: DomainEvent): string {
  const key = `${e.at}|${e.id}`;
  let id = rt.eventIds.get(key);
  if (!id) {
    id = randomUUID();
    rt.eventIds.set(key, id);
    if (rt.eventIds.size > 50_000) rt.eventIds.delete(rt.eventIds.keys().next().value!);
  }
  return id;
}

function onEvent(core: SandboxCore, e: DomainEvent): void {
  const rt = runtime(core);
  const subs = [...WT.subscriptions(core.state).values()].filter((s) => restTopic(s.topic) === e.topic);
  if (subs.length === 0 || !builders.has(e.topic)) return;
  const eventId = eventIdFor(rt, e);
  const key = `${e.topic}|${e.id}|${eventId}`;
  if (rt.queued.has(key)) return;
  rt.queued.add(key);
  const state = core.state;
  // The payload is taken once the change is complete (the next tick), as Shopify serialises after the commit.
  core.scheduler.at(core.now(), () => {
    // Every event of one change was emitted before this runs: the next change gets new event ids.
    rt.eventIds.clear();
    rt.queued.delete(key);
    if (core.state !== state) return;
    const payload = builders.get(e.topic)!(core, e);
    if (!payload) return;
    for (const s of subs) {
      if (!WT.subscriptions(state).has(s.id)) continue;
      if (s.filter && !filterMatches(s.filter, payload)) continue;
      const body = toJsonText(trim(payload, s.includeFields));
      queueDelivery(core, rt, s, e, eventId, body, null);
      if (rt.settings.duplicateRate > 0 && rt.random() < rt.settings.duplicateRate) queueDelivery(core, rt, s, e, eventId, body, 'dup');
    }
  });
}

function queueDelivery(core: SandboxCore, rt: Runtime, s: WebhookSubscriptionRec, e: DomainEvent, eventId: string, body: string, dup: 'dup' | null): void {
  const id = randomUUID();
  const original = dup ? [...WT.deliveries(core.state).values()].reverse().find((d) => d.eventId === eventId && d.subscriptionId === s.id && !d.duplicateOf) : undefined;
  const rec: WebhookDeliveryRec = {
    id,
    eventId,
    topic: e.topic,
    subscriptionId: s.id,
    uri: s.uri,
    name: s.name,
    apiVersion: s.apiVersion,
    triggeredAt: new Date(e.at).toISOString(),
    body,
    hmac: createHmac('sha256', core.options.clientSecret).update(body, 'utf8').digest('base64'),
    duplicateOf: original?.id ?? null,
    state: 'pending',
    attempts: [],
    nextAttemptAt: null,
  };
  WT.deliveries(core.state).set(rec);
  const delay = rt.settings.reorderMs > 0 ? Math.floor(rt.random() * (rt.settings.reorderMs + 1)) : 0;
  schedule(core, rt, rec, core.now() + delay);
}

function schedule(core: SandboxCore, rt: Runtime, rec: WebhookDeliveryRec, at: number): void {
  rec.nextAttemptAt = at;
  const state = core.state;
  core.scheduler.at(at, () => {
    if (core.state !== state || rec.state !== 'pending') return;
    const p = attempt(core, rt, rec, state).finally(() => rt.inFlight.delete(p));
    rt.inFlight.add(p);
  });
}

async function attempt(core: SandboxCore, rt: Runtime, rec: WebhookDeliveryRec, state: SandboxState): Promise<void> {
  rec.nextAttemptAt = null;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'Shopify-Captain-Hook',
    'X-Shopify-Topic': rec.topic,
    'X-Shopify-Hmac-Sha256': rec.hmac,
    'X-Shopify-Shop-Domain': core.options.shop,
    'X-Shopify-API-Version': rec.apiVersion,
    'X-Shopify-Webhook-Id': rec.id,
    'X-Shopify-Event-Id': rec.eventId,
    'X-Shopify-Triggered-At': rec.triggeredAt,
  };
  if (rec.name) headers['X-Shopify-Name'] = rec.name;
  let status: number | null = null;
  let error: string | null = null;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`no answer within ${rt.settings.timeoutMs} ms`)), rt.settings.timeoutMs);
  try {
    const res = await core.options.webhookFetch(rec.uri, { method: 'POST', headers, body: rec.body, signal: ac.signal });
    status = res.status;
    await res.body?.cancel().catch(() => {});
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
  if (core.state !== state) return;
  rec.attempts.push({ at: core.nowIso(), status, error });
  if (status !== null && status >= 200 && status < 300) {
    rec.state = 'delivered';
    return;
  }
  core.log(`webhook ${rec.topic} ${rec.id} to ${rec.uri}: attempt ${rec.attempts.length} failed (${status ?? error})`);
  if (rec.attempts.length >= WEBHOOK_MAX_ATTEMPTS) {
    rec.state = 'failed';
    return;
  }
  schedule(core, rt, rec, core.now() + retryDelayMs(rec.attempts.length, rt.settings.timeScale));
}

// ---- includeFields and filters

function trim(payload: Payload, fields: string[]): Payload {
  if (fields.length === 0) return payload;
  const out: Payload = {};
  for (const f of fields) {
    const [head, ...rest] = f.split('.');
    if (!head || !(head in payload)) continue;
    const v = payload[head]!;
    if (rest.length === 0) out[head] = v;
    else {
      const sub = rest.join('.');
      const pick = (x: PayloadValue): PayloadValue => (x && typeof x === 'object' && !Array.isArray(x) && !(x instanceof RawInt) ? trim(x, [sub]) : x);
      const prev = out[head];
      const picked = Array.isArray(v) ? v.map(pick) : pick(v);
      out[head] = prev && typeof prev === 'object' && !Array.isArray(prev) && !(prev instanceof RawInt) && picked && typeof picked === 'object' && !Array.isArray(picked) ? { ...prev, ...(picked as Payload) } : picked;
    }
  }
  return out;
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown[]>): void {
  if (Array.isArray(value)) {
    for (const v of value) flatten(v, prefix, out);
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  if (!prefix) return;
  const list = out.get(prefix) ?? [];
  list.push(value);
  out.set(prefix, list);
}

/** Shopify's webhook filters: search syntax over the payload's fields (nested with dots). */
function filterMatches(filter: string, payload: Payload): boolean {
  const flat = new Map<string, unknown[]>();
  flatten(plain(payload), '', flat);
  const fields: Record<string, FieldKind> = {};
  const doc: SearchDoc = {};
  for (const [k, values] of flat) {
    const present = values.filter((v) => v !== null && v !== undefined);
    const kind: FieldKind = present.every((v) => typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)))
      ? 'number'
      : present.every((v) => typeof v === 'boolean')
        ? 'boolean'
        : present.every((v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v))
          ? 'date'
          : 'keyword';
    fields[k] = present.length === 0 ? 'keyword' : kind;
    doc[k] = present.map(String);
  }
  const spec: SearchSpec = { fields, defaultFields: [] };
  return new CompiledSearch(filter, spec).matches(doc);
}

// ---------------------------------------------------------------------------------------------
// GraphQL

function subscriptionView(s: WebhookSubscriptionRec) {
  return {
    __typename: 'WebhookSubscription',
    id: s.id,
    legacyResourceId: parseGid(s.id)!.id,
    topic: s.topic,
    uri: s.uri,
    callbackUrl: s.uri,
    endpoint: { __typename: 'WebhookHttpEndpoint', callbackUrl: s.uri },
    format: s.format,
    filter: s.filter,
    includeFields: s.includeFields,
    metafieldNamespaces: [],
    metafields: [],
    name: s.name,
    apiVersion: { __typename: 'ApiVersion', handle: s.apiVersion, displayName: s.apiVersion, supported: true },
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function uriProblem(uri: string): string | null {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return 'Address is invalid';
  }
  if (u.protocol === 'pubsub:' || uri.startsWith('arn:aws:events:')) return 'unsupported';
  if (u.protocol === 'https:') return null;
  // Shopify only delivers to https; the sandbox also accepts plain http on loopback for local receivers.
  if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return null;
  return 'Address protocol https:// is required (the sandbox also accepts http:// on 127.0.0.1 / localhost)';
}

interface SubscriptionInputLike {
  uri?: string | null;
  format?: string | null;
  filter?: string | null;
  includeFields?: string[] | null;
  name?: string | null;
}

function webhookSubscriptionCreate(_s: unknown, args: { topic: string; webhookSubscription: SubscriptionInputLike }, ctx: RequestContext) {
  const input = args.webhookSubscription;
  const rest = restTopic(args.topic);
  const info = topicInfo(ctx.version).get(args.topic);
  const fail = (field: string[], message: string) => ({ webhookSubscription: null, userErrors: [{ field, message }] });
  if (!builders.has(rest)) throw unsupported(`webhook topic ${args.topic}`, `the sandbox delivers ${[...builders.keys()].join(', ')}`);
  if (info && info.scopes !== 'none' && !ctx.scopes.has('*') && !scopeSatisfied(info.scopes, ctx.scopes)) {
    return fail(['topic'], `You do not have permission to create or update webhooks with ${rest} topic. Required access: ${describeRule(info.scopes)}`);
  }
  if (input.format && input.format !== 'JSON') throw unsupported(`WebhookSubscriptionFormat.${input.format}`);
  if (!input.uri) return fail(['webhookSubscription', 'uri'], "Address can't be blank");
  const problem = uriProblem(input.uri);
  if (problem === 'unsupported') throw unsupported('Pub/Sub and EventBridge webhook destinations');
  if (problem) return fail(['webhookSubscription', 'uri'], problem);
  if (input.name !== undefined && input.name !== null && !/^[A-Za-z0-9_-]{1,50}$/.test(input.name)) {
    return fail(['webhookSubscription', 'name'], 'Name must be 1 to 50 characters of letters, digits, - and _');
  }
  if (input.filter) {
    try {
      parseSearch(input.filter);
    } catch {
      return fail(['webhookSubscription', 'filter'], 'Filter is invalid');
    }
  }
  const subs = WT.subscriptions(ctx.state);
  if ([...subs.values()].some((s) => s.topic === args.topic && s.uri === input.uri && (s.filter ?? '') === (input.filter ?? ''))) {
    return fail(['webhookSubscription', 'callbackUrl'], 'Address for this topic has already been taken');
  }
  const now = ctx.core.nowIso();
  const rec: WebhookSubscriptionRec = {
    id: gid('WebhookSubscription', ctx.state.nextId('WebhookSubscription')),
    topic: args.topic,
    uri: input.uri,
    format: 'JSON',
    filter: input.filter ?? null,
    includeFields: input.includeFields ?? [],
    name: input.name ?? null,
    apiVersion: ctx.version,
    createdAt: now,
    updatedAt: now,
  };
  subs.set(rec);
  runtime(ctx.core);
  return { webhookSubscription: subscriptionView(rec), userErrors: [] };
}

export function webhooksModule(registry: Registry): void {
  registry.seed((core) => void runtime(core));
  // Snapshots: subscriptions and deliveries are tables; a pending delivery is sent again after the reload
  // (at its next attempt time, or at once when it was in flight: at-least-once, as Shopify).
  registry.persist({
    name: 'webhooks',
    load: (core) => {
      const rt = runtime(core);
      for (const d of WT.deliveries(core.state).values()) if (d.state === 'pending') schedule(core, rt, d, d.nextAttemptAt ?? core.now());
    },
  });
  registry.input('WebhookSubscriptionInput', ['uri', 'format', 'filter', 'includeFields', 'name']);

  registry.scope('Mutation.webhookSubscriptionCreate', 'none');
  registry.field('Mutation.webhookSubscriptionCreate', webhookSubscriptionCreate as never, { args: ['topic', 'webhookSubscription'] });
  registry.scope('Mutation.webhookSubscriptionDelete', 'none');
  registry.field('Mutation.webhookSubscriptionDelete', (_s, args: { id: string }, ctx: RequestContext) => {
    const id = gidOf(args.id, 'WebhookSubscription');
    if (!id || !WT.subscriptions(ctx.state).delete(id)) return { deletedWebhookSubscriptionId: null, userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }] };
    return { deletedWebhookSubscriptionId: id, userErrors: [] };
  }, { args: ['id'] });
  registry.scope('QueryRoot.webhookSubscription', 'none');
  registry.field('QueryRoot.webhookSubscription', (_s, args: { id: string }, ctx: RequestContext) => {
    const s = WT.subscriptions(ctx.state).get(gidOf(args.id, 'WebhookSubscription') ?? '');
    return s ? subscriptionView(s) : null;
  }, { args: ['id'] });
  registry.scope('QueryRoot.webhookSubscriptions', 'none');
  registry.field(
    'QueryRoot.webhookSubscriptions',
    (_s, args: { topics?: string[] | null; uri?: string | null; format?: string | null; sortKey?: string; first?: number; last?: number; after?: string; before?: string; reverse?: boolean }, ctx: RequestContext) => {
      const key = requireSortKey('WebhookSubscriptionSortKeys', args.sortKey, ['CREATED_AT', 'ID']);
      let rows = [...WT.subscriptions(ctx.state).values()];
      if (args.topics) rows = rows.filter((s) => args.topics!.includes(s.topic));
      if (args.uri) rows = rows.filter((s) => s.uri === args.uri);
      if (args.format) rows = rows.filter((s) => s.format === args.format);
      return paginate(rows, args, (s) => (key === 'CREATED_AT' ? [s.createdAt, parseGid(s.id)!.id] : [parseGid(s.id)!.id]), subscriptionView);
    },
    { args: ['first', 'last', 'after', 'before', 'reverse', 'sortKey', 'topics', 'uri', 'format'] },
  );

  registry.admin('webhooks', (core, body) => {
    const settings = setWebhookSettings(core, {
      duplicateRate: body.duplicateRate as number | undefined,
      reorderMs: body.reorderMs as number | undefined,
      timeScale: body.timeScale as number | undefined,
      timeoutMs: body.timeoutMs as number | undefined,
    });
    const deliveries = webhookDeliveries(core);
    return {
      settings,
      deliveries: deliveries.map((d) => ({ id: d.id, eventId: d.eventId, topic: d.topic, uri: d.uri, state: d.state, attempts: d.attempts.length, lastStatus: d.attempts.at(-1)?.status ?? null, nextAttemptAt: d.nextAttemptAt === null ? null : new Date(d.nextAttemptAt).toISOString(), duplicateOf: d.duplicateOf })),
    };
  });
}
