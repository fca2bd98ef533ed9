// The sandbox's engine room: options, state, clock, search index, cost bucket, tokens, idempotency keys,
// faults, a clock-driven scheduler for background work (async productSet; later bulk operations and
// webhook retries) and a domain-event hook (later: webhooks). Transport-free: app.ts puts HTTP on top.
import { PLAN_LIMITS, LeakyBucket } from './bucket.js';
import type { PlanName } from './bucket.js';
import { DEFAULT_ACCESS_TOKEN, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_SCOPES, DEFAULT_TOKEN_TTL_SECONDS, TokenStore } from './auth.js';
import { Faults } from './faults.js';
import { gid } from './gid.js';
import { IdempotencyStore } from './idempotency.js';
import type { Registry } from './registry.js';
import { SearchIndex } from './search.js';
import { decodeResult, keyToJSON, parseSnapshot, readSnapshotFile, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, writeSnapshotFile } from './snapshot.js';
import type { IdempotencyKeyJSON, ShopifySnapshot } from './snapshot.js';
import { SandboxState } from './state.js';

export interface CoreOptions {
  shop: string;
  shopName: string;
  plan: PlanName;
  rateScale: number;
  accessToken: string;
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  scopes: readonly string[];
  b2b: boolean;
  devStore: boolean;
  currency: string;
  taxesIncluded: boolean;
  ianaTimezone: string;
  indexLagMs: number;
  now: () => number;
  logger: (line: string) => void;
  /** First numeric id per GID type (decimal string, may exceed 2^53). */
  idStart: string;
  /** How long an asynchronous productSet takes from CREATED to COMPLETE (sandbox clock). */
  productSetAsyncMs: number;
  /** 2026-07 only: write to a location where the item is not stocked -> activate it (true) or ITEM_NOT_STOCKED_AT_LOCATION. */
  autoStock: boolean;
  idempotencyRetentionMs: number;
  /** Seed for fault-injection dice. */
  seed: number;
  /** Lines a bulk operation processes per second (sandbox clock), per operation. Default 20. */
  bulkLinesPerSecond: number;
  /** How webhook deliveries are sent (default: the global fetch). */
  webhookFetch: typeof fetch;
  /** Multiplies webhook retry delays (Shopify: 8 retries over ~4 h); e.g. 0.001 turns minutes into tens of ms. Default 1. */
  webhookTimeScale: number;
  /** Probability (0..1) that a webhook is delivered twice (a second delivery with its own webhook id, same event id). Default 0. */
  webhookDuplicateRate: number;
  /** Each delivery waits a random 0..N ms (sandbox clock) before it is sent, so deliveries can arrive out of order. Default 0. */
  webhookReorderMs: number;
  /** A webhook receiver must answer within this many ms (real time), else the attempt failed. Default 5000. */
  webhookTimeoutMs: number;
  /** Snapshot file: loaded at start when it exists (instead of the seed), written by saveSnapshot(). */
  snapshotFile: string | undefined;
}

export const DEFAULT_SHOP = 'koppel-demo.myshopify.com';

export function normalizeOptions(o: Partial<CoreOptions> = {}): CoreOptions {
  const shop = o.shop ?? DEFAULT_SHOP;
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) {
    throw new Error(`shop must look like "<name>.myshopify.com", got "${shop}"`);
  }
  const plan = o.plan ?? 'standard';
  if (!(plan in PLAN_LIMITS)) throw new Error(`plan must be one of ${Object.keys(PLAN_LIMITS).join(', ')}, got "${plan}"`);
  const currency = o.currency ?? 'EUR';
  if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`currency must be an ISO 4217 code like EUR, got "${currency}"`);
  const idStart = o.idStart ?? '1000000000001';
  if (!/^[1-9][0-9]*$/.test(idStart)) throw new Error(`idStart must be a positive decimal string, got "${idStart}"`);
  return {
    shop,
    shopName: o.shopName ?? 'Koppel Demo',
    plan,
    rateScale: o.rateScale ?? 1,
    accessToken: o.accessToken ?? DEFAULT_ACCESS_TOKEN,
    clientId: o.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: o.clientSecret ?? DEFAULT_CLIENT_SECRET,
    tokenTtlSeconds: o.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
    scopes: o.scopes ?? DEFAULT_SCOPES,
    b2b: o.b2b ?? false,
    devStore: o.devStore ?? false,
    currency,
    taxesIncluded: o.taxesIncluded ?? true,
    ianaTimezone: o.ianaTimezone ?? 'Europe/Amsterdam',
    indexLagMs: o.indexLagMs ?? 0,
    now: o.now ?? Date.now,
    logger: o.logger ?? (() => {}),
    idStart,
    productSetAsyncMs: o.productSetAsyncMs ?? 1000,
    autoStock: o.autoStock ?? true,
    idempotencyRetentionMs: o.idempotencyRetentionMs ?? 24 * 60 * 60 * 1000,
    seed: o.seed ?? 42,
    bulkLinesPerSecond: positive('bulkLinesPerSecond', o.bulkLinesPerSecond ?? 20),
    webhookFetch: o.webhookFetch ?? ((input, init) => fetch(input, init)),
    webhookTimeScale: positive('webhookTimeScale', o.webhookTimeScale ?? 1),
    webhookDuplicateRate: probability('webhookDuplicateRate', o.webhookDuplicateRate ?? 0),
    webhookReorderMs: nonNegative('webhookReorderMs', o.webhookReorderMs ?? 0),
    webhookTimeoutMs: positive('webhookTimeoutMs', o.webhookTimeoutMs ?? 5000),
    snapshotFile: o.snapshotFile,
  };
}

function positive(name: string, v: number): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new Error(`${name} must be a positive number, got ${String(v)}`);
  return v;
}

function nonNegative(name: string, v: number): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new Error(`${name} must be a number >= 0, got ${String(v)}`);
  return v;
}

function probability(name: string, v: number): number {
  if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw new Error(`${name} must be a probability between 0 and 1, got ${String(v)}`);
  return v;
}

/** Shopify DateTime values have second precision. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export interface DomainEvent {
  /** Webhook-style topic, e.g. `products/update`, `inventory_levels/update`. */
  topic: string;
  /** GID of the resource. */
  id: string;
  /** Sandbox clock, epoch ms. */
  at: number;
  /** Extra facts a listener may need (e.g. the inventory item and location of a level). */
  detail?: Record<string, unknown>;
}

interface Job {
  id: number;
  at: number;
  run: () => void;
}

export class Scheduler {
  private jobs: Job[] = [];
  private seq = 0;
  constructor(private readonly now: () => number) {}
  /** Runs `run` at sandbox time `at` (on the next tick at or after it). */
  at(at: number, run: () => void): number {
    const id = ++this.seq;
    this.jobs.push({ id, at, run });
    return id;
  }
  cancel(id: number): void {
    this.jobs = this.jobs.filter((j) => j.id !== id);
  }
  /** Runs every job that is due, earliest first; jobs scheduled by jobs run too if already due. */
  runDue(): number {
    let ran = 0;
    for (;;) {
      const t = this.now();
      const due = this.jobs.filter((j) => j.at <= t).sort((a, b) => a.at - b.at || a.id - b.id);
      if (due.length === 0) return ran;
      const next = due[0]!;
      this.jobs = this.jobs.filter((j) => j !== next);
      next.run();
      ran++;
    }
  }
  get pending(): number {
    return this.jobs.length;
  }
  clear(): void {
    this.jobs = [];
  }
}

export class SandboxCore {
  readonly options: CoreOptions;
  state!: SandboxState;
  readonly index: SearchIndex;
  readonly bucket: LeakyBucket;
  readonly tokens: TokenStore;
  readonly idempotency: IdempotencyStore;
  readonly faults: Faults;
  readonly scheduler: Scheduler;
  private readonly listeners = new Set<(e: DomainEvent) => void>();
  private readonly dirty = new Map<string, Set<string>>();

  constructor(
    readonly registry: Registry,
    options: Partial<CoreOptions> = {},
  ) {
    this.options = normalizeOptions(options);
    const now = () => this.options.now();
    this.index = new SearchIndex(now, this.options.indexLagMs);
    this.bucket = new LeakyBucket(this.options.plan, this.options.rateScale, now);
    this.tokens = new TokenStore(now, {
      staticToken: this.options.accessToken,
      clientId: this.options.clientId,
      clientSecret: this.options.clientSecret,
      ttlSeconds: this.options.tokenTtlSeconds,
      scopes: this.options.scopes,
    });
    this.idempotency = new IdempotencyStore(now, this.options.idempotencyRetentionMs);
    this.faults = new Faults(this.options.seed);
    this.scheduler = new Scheduler(now);
    const snap = this.options.snapshotFile ? readSnapshotFile(this.options.snapshotFile) : undefined;
    if (snap) {
      this.load(snap, this.options.snapshotFile!);
      this.log(`loaded snapshot ${this.options.snapshotFile!}: ${this.state.table('products').size} products`);
    } else this.reset();
  }

  now(): number {
    return this.options.now();
  }

  /** Current sandbox time as a Shopify DateTime (second precision). */
  nowIso(): string {
    return isoSeconds(this.now());
  }

  log(line: string): void {
    this.options.logger(line);
  }

  /** Back to the seed: one shop, its locations and publications, no products. Tokens stay valid. */
  reset(): void {
    const o = this.options;
    const created = this.nowIso();
    this.state = new SandboxState(
      {
        id: gid('Shop', o.idStart),
        name: o.shopName,
        myshopifyDomain: o.shop,
        email: `owner@${o.shop.replace('.myshopify.com', '')}.example`,
        currencyCode: o.currency,
        taxesIncluded: o.taxesIncluded,
        ianaTimezone: o.ianaTimezone,
        plan: this.bucket.planName,
        b2b: o.b2b,
        devStore: o.devStore,
        createdAt: created,
        updatedAt: created,
        appNamespace: `app--${BigInt(o.idStart) + 1n}`,
      },
      BigInt(o.idStart),
    );
    this.index.clear();
    this.idempotency.clear();
    this.scheduler.clear();
    this.dirty.clear();
    this.bucket.reset();
    for (const seed of this.registry.seeders) seed(this);
    this.flush();
  }

  // ---- snapshots (snapshot.ts) ----

  /** The shop as a snapshot (plain data; runs due work first so the file holds a settled shop). */
  snapshot(): ShopifySnapshot {
    this.tick();
    const { shop, tables, seq } = this.state.toJSON();
    const idempotency: IdempotencyKeyJSON[] = [];
    for (const [key, e] of this.idempotency.list()) {
      const j = keyToJSON(key, e, this.registry.views);
      if (j) idempotency.push(j);
    }
    const parts: Record<string, unknown> = {};
    for (const p of this.registry.persisted) {
      const data = p.save?.(this);
      if (data !== undefined) parts[p.name] = data;
    }
    return { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, savedAt: this.nowIso(), idStart: this.state.firstId, shop, seq, idempotency, parts, tables };
  }

  /** Writes the snapshot file atomically; returns its path. */
  saveSnapshot(file = this.options.snapshotFile): string {
    if (!file) throw new Error('no snapshot file: pass one or start the sandbox with snapshotFile');
    writeSnapshotFile(file, this.snapshot());
    return file;
  }

  /** Replaces the shop with a snapshot (`raw` is validated and copied). */
  loadSnapshot(raw: unknown): void {
    this.load(parseSnapshot(structuredClone(raw)), 'snapshot');
  }

  private load(snap: ShopifySnapshot, source: string): void {
    if (snap.shop.myshopifyDomain !== this.options.shop) {
      throw new Error(`${source} holds the shop ${snap.shop.myshopifyDomain}, but this sandbox serves ${this.options.shop}`);
    }
    this.state = SandboxState.fromJSON({ shop: snap.shop, tables: snap.tables, seq: snap.seq }, BigInt(snap.idStart));
    this.index.clear();
    this.idempotency.clear();
    this.scheduler.clear();
    this.dirty.clear();
    this.bucket.setPlan(snap.shop.plan);
    this.bucket.reset();
    for (const p of this.registry.persisted) p.load(this, snap.parts[p.name]);
    // The search index as if every loaded record had been indexed long ago: no lag for loaded records.
    for (const table of this.state.tableNames()) {
      for (const rec of this.state.table(table).values()) {
        const kind = /^gid:\/\/shopify\/([A-Za-z0-9]+)\//.exec(rec.id)?.[1];
        const spec = kind ? this.registry.searchKinds.get(kind) : undefined;
        if (spec) this.index.putSettled(kind!, rec.id, spec.document(this, rec.id));
      }
    }
    const load = (typeName: string, id: string): unknown => this.registry.views.get(typeName)?.(this, id);
    for (const k of snap.idempotency) {
      if (k.status === 'failed') this.idempotency.restore(k.key, { hash: k.hash, status: 'failed', at: k.at });
      else {
        const result = decodeResult(k.result, load);
        if (result !== undefined) this.idempotency.restore(k.key, { hash: k.hash, status: 'done', at: k.at, result });
      }
    }
    this.flush();
  }

  setPlan(plan: PlanName, rateScale?: number): void {
    this.bucket.setPlan(plan, rateScale);
    this.state.shop.plan = plan;
  }

  // ---- search index maintenance ----

  /** Marks a record for re-indexing in search kind `kind` (see Registry.search). */
  touch(kind: string, id: string): void {
    let s = this.dirty.get(kind);
    if (!s) {
      s = new Set();
      this.dirty.set(kind, s);
    }
    s.add(id);
  }

  /** Rebuilds the search documents of every touched record. Runs after each mutation field. */
  flush(): void {
    for (const [kind, ids] of this.dirty) {
      const spec = this.registry.searchKinds.get(kind);
      if (!spec) throw new Error(`no search kind "${kind}" registered`);
      for (const id of ids) this.index.put(kind, id, spec.document(this, id));
    }
    this.dirty.clear();
  }

  /** Runs due background work (sandbox clock). Called before every request; the server also polls it. */
  tick(): void {
    this.scheduler.runDue();
    this.flush();
  }

  // ---- domain events (for webhooks) ----

  on(listener: (e: DomainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(topic: string, id: string, detail?: Record<string, unknown>): void {
    const e: DomainEvent = { topic, id, at: this.now(), detail };
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log(`event listener failed for ${topic} ${id}: ${String(err)}`);
      }
    }
  }
}
