/**
 * Writes planned products to Shopify and records what happened: ledger links (product, variants
 * with their inventory items), activity rows, cost. Creates go one by one through the cost limiter,
 * or, for a large first load, as bulk operations.
 */
import { contentHash, problem, recordLabel, shortId, type Problem, type Product } from '../../core/index.js';
import { errorMessage, isKoppelError } from '../../core/errors.js';
import type { FieldChange } from '../../core/privacy.js';
import type { UserError } from '../../connectors/shopify/client.js';
import { ShopifyBulk, type BulkInput, type BulkLineResult, type BulkRun } from '../../connectors/shopify/bulk.js';
import * as docs from '../../connectors/shopify/documents.js';
import {
  productFieldsInput, productIdentifier, productSetInput, productSetStructure, publishProduct, updateProductFields, updateVariants, upsertProduct,
  variantUpdateInputs, ALL_PRODUCT_FIELDS, type ProductField, type WrittenVariant,
} from '../../connectors/shopify/products.js';
import { IdentityLedger } from '../../engine/ledger.js';
import type { FlowEnv } from '../env.js';
import type { FlowRun } from '../run.js';
import { pushedHashes, sourceHashes, POLICY_FIELDS } from './plan.js';

export const ENTITY = { product: 'product', variant: 'variant' } as const;

/** Ledger hash that records which sales channels a product was published to. */
export const PUBLISHED = 'x:published';
export const publishedHash = (publications: readonly string[]): string => contentHash([...publications].sort());

export function userErrorText(errors: readonly UserError[]): string {
  return errors.map((e) => `${e.field?.join('.') ?? 'product'}: ${e.message}${e.code ? ` (${e.code})` : ''}`).join('; ');
}

export function rejected(p: Product, errors: readonly UserError[]): Problem {
  return problem('TARGET_REJECTED', { target: 'Shopify', errors: userErrorText(errors) }, { record: recordLabel('product', p.key) });
}

/** Written variants back to canonical variant keys, by their option values (the default variant for a product without options). */
export function matchVariants(target: Product, written: readonly WrittenVariant[]): Map<string, WrittenVariant> {
  const out = new Map<string, WrittenVariant>();
  const keyOf = (pairs: ReadonlyArray<{ name: string; value: string }>) => pairs.map((o) => `${o.name}\u0000${o.value}`).join('\u0001');
  const byOptions = new Map(written.map((w) => [keyOf(w.optionValues), w]));
  for (const v of target.variants) {
    const w = target.options.length === 0 ? written[0] : byOptions.get(keyOf(v.optionValues.map((o) => ({ name: o.option, value: o.value }))));
    if (w) out.set(v.key.id, w);
  }
  return out;
}

/**
 * Records product and variant links in one transaction, drops links of variants that no longer
 * exist, and stores the hashes of what was processed and pushed.
 */
export async function recordLinks(env: FlowEnv, target: Product, productId: string, variants: ReadonlyMap<string, { variantId: string; inventoryItemId: string | null }>, hashes: Record<string, string>, previousVariantKeys: readonly string[] = []): Promise<void> {
  await env.store.db.transaction().execute(async (tx) => {
    const ledger = new IdentityLedger(tx);
    const now = env.now();
    const existing = await ledger.bySource(env.pair, ENTITY.product, target.key.id);
    const input = { pair: env.pair, entity: ENTITY.product, sourceKey: target.key.id, targetId: productId, direction: 'source_to_target' as const, hashes };
    if (existing && existing.targetId !== productId) await ledger.relink(input, now);
    else await ledger.link(input, now);
    const keep = new Set<string>();
    for (const v of target.variants) {
      const w = variants.get(v.key.id);
      if (!w) continue;
      keep.add(v.key.id);
      // Refs are unique across links (a target id belongs to one link), so the product GID is not a variant ref.
      const refs: Record<string, string> = {};
      if (w.inventoryItemId) refs.inventoryItem = w.inventoryItemId;
      const vin = { pair: env.pair, entity: ENTITY.variant, sourceKey: v.key.id, targetId: w.variantId, refs, sku: v.sku, direction: 'source_to_target' as const };
      const old = await ledger.bySource(env.pair, ENTITY.variant, v.key.id);
      if (old && old.targetId !== w.variantId) await ledger.relink(vin, now);
      else await ledger.link(vin, now);
    }
    for (const k of previousVariantKeys) if (!keep.has(k)) await ledger.unlink(env.pair, ENTITY.variant, k);
  });
}

/** Variant GIDs the ledger knows for a product's variants (canonical key → link). */
export async function knownVariants(env: FlowEnv, p: Product): Promise<Map<string, { variantId: string; inventoryItemId: string | null }>> {
  const out = new Map<string, { variantId: string; inventoryItemId: string | null }>();
  for (const v of p.variants) {
    const l = await env.ledger.bySource(env.pair, ENTITY.variant, v.key.id);
    if (l) out.set(v.key.id, { variantId: l.targetId, inventoryItemId: l.refs.inventoryItem ?? null });
  }
  return out;
}

export function createDiff(p: Product): FieldChange[] {
  return [
    { path: 'title', before: null, after: p.title },
    { path: 'status', before: null, after: p.status },
    { path: 'variants', before: null, after: p.variants.map((v) => v.sku) },
    ...(p.options.length ? [{ path: 'options', before: null, after: p.options.map((o) => `${o.name}: ${o.values.join(', ')}`) }] : []),
  ];
}

export interface CreateOutcome {
  ok: boolean;
  productId?: string;
  problem?: Problem;
  error?: { code: string; message: string; hint?: string };
}

/** The error of a write that did not go through (after the client's own retries). */
export function failure(e: unknown): { code: string; message: string; hint?: string } {
  if (isKoppelError(e)) return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  return { code: 'UNEXPECTED', message: errorMessage(e) };
}

/** Creates one product through the regular API (productSet upsert by custom id), links it, publishes it. */
export async function createProduct(env: FlowEnv, run: FlowRun, target: Product, publications: readonly string[], notes: string | undefined, signal?: AbortSignal): Promise<void> {
  const id = target.key.id;
  try {
    const r = await upsertProduct(env.shopify, productSetInput(target, id), { ccvProductId: id }, target.variants.length, signal);
    run.apiCall(r.cost);
    if (!r.ok) {
      const p = rejected(target, r.userErrors);
      await run.record({ action: 'quarantined', entity: ENTITY.product, sourceKey: id, error: p });
      return;
    }
    await recordLinks(env, target, r.value.productId, matchVariants(target, r.value.variants), { ...sourceHashes(target), ...pushedHashes(target, POLICY_FIELDS) });
    const pub = await publishProduct(env.shopify, r.value.productId, publications, signal);
    run.apiCall(pub.cost);
    if (pub.ok) await env.ledger.recordPush(env.pair, ENTITY.product, id, { [PUBLISHED]: publishedHash(publications) }, env.now());
    await run.record({
      action: 'created', entity: ENTITY.product, sourceKey: id, targetId: r.value.productId, diff: createDiff(target),
      message: [pub.ok ? undefined : `not published: ${userErrorText(pub.userErrors)}`, notes].filter(Boolean).join('; ') || undefined,
    });
  } catch (e) {
    await run.record({ action: 'failed', entity: ENTITY.product, sourceKey: id, error: failure(e) });
    throw e;
  }
}

export interface UpdatePlan {
  target: Product;
  productId: string;
  /** Product-level fields to write. */
  fields: ReadonlySet<ProductField>;
  structure: boolean;
  variants: boolean;
  known: Map<string, { variantId: string; inventoryItemId: string | null }>;
  previousVariantKeys: string[];
  diff: FieldChange[];
  message?: string;
  /** Publish to these channels (the product is not published there yet, e.g. after a crash). */
  publish?: readonly string[];
}

export async function updateProduct(env: FlowEnv, run: FlowRun, u: UpdatePlan, signal?: AbortSignal): Promise<void> {
  const id = u.target.key.id;
  try {
    let variants = u.known;
    if (u.structure) {
      const ids = new Map([...u.known].map(([k, v]) => [k, v.variantId]));
      const r = await upsertProduct(env.shopify, productSetStructure(u.target, ids), { productId: u.productId }, u.target.variants.length, signal);
      run.apiCall(r.cost);
      if (!r.ok) return void (await run.record({ action: 'quarantined', entity: ENTITY.product, sourceKey: id, targetId: u.productId, error: rejected(u.target, r.userErrors) }));
      variants = new Map([...matchVariants(u.target, r.value.variants)].map(([k, w]) => [k, { variantId: w.variantId, inventoryItemId: w.inventoryItemId }]));
    } else if (u.variants) {
      const r = await updateVariants(env.shopify, u.productId, variantUpdateInputs(u.target, new Map([...u.known].map(([k, v]) => [k, v.variantId]))), signal);
      run.apiCall(r.cost);
      if (!r.ok) return void (await run.record({ action: 'quarantined', entity: ENTITY.product, sourceKey: id, targetId: u.productId, error: rejected(u.target, r.userErrors) }));
    }
    if (u.fields.size) {
      const r = await updateProductFields(env.shopify, u.productId, productFieldsInput(u.target, u.fields, id), signal);
      run.apiCall(r.cost);
      if (!r.ok) return void (await run.record({ action: 'quarantined', entity: ENTITY.product, sourceKey: id, targetId: u.productId, error: rejected(u.target, r.userErrors) }));
    }
    const extra: Record<string, string> = {};
    if (u.publish?.length) {
      const pub = await publishProduct(env.shopify, u.productId, u.publish, signal);
      run.apiCall(pub.cost);
      if (pub.ok) extra[PUBLISHED] = publishedHash(u.publish);
    }
    await recordLinks(env, u.target, u.productId, variants, { ...sourceHashes(u.target), ...pushedHashes(u.target, u.fields), ...extra }, u.previousVariantKeys);
    const wrote = u.structure || u.variants || u.fields.size > 0 || Boolean(u.publish?.length);
    await run.record({ action: wrote ? 'updated' : 'skipped', entity: ENTITY.product, sourceKey: id, targetId: u.productId, diff: u.diff, ...(u.message ? { message: u.message } : {}) });
  } catch (e) {
    await run.record({ action: 'failed', entity: ENTITY.product, sourceKey: id, targetId: u.productId, error: failure(e) });
    throw e;
  }
}

/** Bulk operations of one shop at once (Shopify's limit since 2026-01). */
const BULK_SLOTS = 5;
/** Attempts of one bulk operation whose start or run ended without a usable result. */
const BULK_ATTEMPTS = 3;
/** A chunk goes out below its full size, once it has this many lines, when a slot would otherwise sit idle. */
const BULK_MIN_CHUNK = 100;
/** Regular publish calls in flight at once during a bulk load (the cost limiter paces them). */
const REGULAR_PUBLISHERS = 4;

/** Seconds a bulk operation adds besides its lines: staged upload, start, and noticing it ended. */
const BULK_OVERHEAD_S = 5;

/**
 * How many of `backlog` publishes to hand to bulk operations (in parts of at least BULK_MIN_CHUNK,
 * at most one per free slot) so that they and the regular calls (`regularPerSecond`) finish soonest;
 * 0 when the regular calls alone are as quick. `bulkLinesPerSecond` is one operation's speed.
 */
export function bulkShare(backlog: number, regularPerSecond: number, bulkLinesPerSecond: number, slots = BULK_SLOTS): number {
  if (bulkLinesPerSecond <= 0 || slots <= 0) return 0;
  const time = (x: number) => {
    const regular = regularPerSecond > 0 ? (backlog - x) / regularPerSecond : backlog - x > 0 ? Infinity : 0;
    const parts = Math.min(slots, Math.floor(x / BULK_MIN_CHUNK));
    const bulk = x === 0 ? 0 : BULK_OVERHEAD_S + x / (parts * bulkLinesPerSecond);
    return Math.max(regular, bulk);
  };
  let best = 0;
  for (let x = BULK_MIN_CHUNK; x <= backlog; x += BULK_MIN_CHUNK) if (time(x) < time(best)) best = x;
  if (backlog % BULK_MIN_CHUNK !== 0 && backlog >= BULK_MIN_CHUNK && time(backlog) < time(best)) best = backlog;
  return best;
}

/**
 * Creates products in bulk operations: chunks of `chunkSize` productSet lines; each result line is
 * linked or quarantined; then the created products are published.
 *
 * Throughput: Shopify runs five operations of a shop at once and they are the bottleneck, so all five
 * must be kept busy. A chunk goes out early (from BULK_MIN_CHUNK lines) while fewer than five
 * operations are under way, so a catalogue of a few thousand products is spread over all slots instead
 * of filling one. Up to twice as many chunks as slots are being created at a time (that bounds the
 * products held in memory), each queueing for a slot (first come, first served). Operations are polled
 * at most `pollMaxMs` apart so a finished one frees its slot quickly (a poll costs a point or two).
 *
 * Publishing uses both of Shopify's channels: bulk operations run outside the cost bucket, which a
 * bulk load otherwise leaves idle. Created products queue for publishing, and regular publish calls
 * drain the queue through the cost limiter (on the products lane, so stock and orders still go first)
 * while the creates keep all slots busy. When the creates are done, the backlog is split between
 * regular calls and bulk operations by their measured speed (`bulkShare`): a shop with a large bucket
 * has published nearly everything by then; a small one publishes the rest mostly in bulk. Either way
 * the slots do the same work as publishing every chunk in bulk would, never more.
 *
 * Every line is an upsert by the product's custom id (publishing is idempotent too), so an operation
 * whose start got no answer, or that failed, is simply run again: at worst Shopify applies the same
 * lines twice, which leaves the same products.
 */
export class BulkCreator {
  private chunk: Array<{ target: Product; notes?: string }> = [];
  /** Chunks whose products are being created (they hold the products: bounded). */
  private running: Promise<void>[] = [];
  /** Created products waiting to be published. */
  private toPublish: Array<{ productId: string; ccvId: string }> = [];
  /** Regular publish workers and bulk publish operations under way (neither rejects). */
  private publishers = new Set<Promise<void>>();
  private publishing: Promise<void>[] = [];
  /** What the channels' speed is measured from: cost of the regular publishes, lines per second of one bulk operation. */
  private readonly rates = { regularCost: 0, regularCalls: 0, bulkLinesPerSecond: 0, bulkLinesMeasured: 0 };
  /** Products published by regular calls and by bulk operations (for the run's report). */
  readonly published = { regular: 0, bulk: 0 };
  private readonly bulk: ShopifyBulk;
  /** Bulk operations started here that have not finished (waiting for a slot or running), and of those the creates. */
  private operations = 0;
  private createOps = 0;
  created = 0;

  constructor(
    private readonly env: FlowEnv,
    private readonly run: FlowRun,
    private readonly publications: readonly string[],
    private readonly opts: { chunkSize: number; signal?: AbortSignal; pollMaxMs?: number },
  ) {
    this.bulk = new ShopifyBulk(env.shopify, { maxConcurrent: BULK_SLOTS, pollMinMs: 500, pollMaxMs: opts.pollMaxMs ?? 3000 });
  }

  async add(target: Product, notes?: string): Promise<void> {
    this.chunk.push({ target, notes });
    const idleSlot = this.operations < BULK_SLOTS && this.chunk.length >= Math.min(BULK_MIN_CHUNK, this.opts.chunkSize);
    if (this.chunk.length >= this.opts.chunkSize || idleSlot) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.chunk.length === 0) return;
    const chunk = this.chunk;
    this.chunk = [];
    // Bounds memory; the bulk client queues the operations for Shopify's slots itself.
    while (this.running.length >= 2 * BULK_SLOTS) await Promise.race(this.running);
    const p = this.runChunk(chunk).finally(() => {
      this.running = this.running.filter((x) => x !== p);
    });
    this.running.push(p);
  }

  /** Sends what is left spread over the slots (nothing more is coming, so this shortens the tail), and waits. */
  async finish(): Promise<void> {
    const rest = this.chunk;
    const parts = Math.max(1, Math.min(BULK_SLOTS, Math.floor(rest.length / BULK_MIN_CHUNK)));
    const size = Math.ceil(rest.length / parts);
    this.chunk = [];
    for (let i = 0; i < rest.length; i += size) {
      this.chunk = rest.slice(i, i + size);
      await this.flush();
    }
    await Promise.all(this.running);
    // Nothing more to create: split the publish backlog between the channels so both end together.
    this.publishBacklogInBulk(BULK_SLOTS - this.operations, true);
    while (this.publishing.length || this.publishers.size) await Promise.race([...this.publishing, ...this.publishers]);
  }

  /** Runs a bulk mutation again after an unknown outcome or a transient failure (its lines are idempotent). */
  private async runAgainOnDoubt<T>(what: 'creating products' | 'publishing products', start: () => Promise<BulkRun<BulkLineResult<T>>>): Promise<BulkRun<BulkLineResult<T>>> {
    const create = what === 'creating products';
    for (let attempt = 1; ; attempt++) {
      this.operations++;
      if (create) this.createOps++;
      try {
        return await start();
      } catch (e) {
        const doubt = isKoppelError(e) && (e.errorClass === 'outcome_unknown' || e.errorClass === 'transient');
        if (!doubt || attempt >= BULK_ATTEMPTS || this.opts.signal?.aborted) throw e;
        this.env.logger.warn({ err: errorMessage(e), attempt }, `${what}: running the bulk operation again (safe: its lines are upserts by custom id or publishes)`);
      } finally {
        this.operations--;
        if (create) this.createOps--;
        // A slot came free while creates are still running elsewhere: the backlog may use it meanwhile.
        // Once no create runs, finish() decides with the whole backlog known.
        if (this.createOps > 0) this.publishBacklogInBulk(BULK_SLOTS - this.operations, false);
      }
    }
  }

  private async runChunk(chunk: Array<{ target: Product; notes?: string }>): Promise<void> {
    const byRef = new Map(chunk.map((c) => [c.target.key.id, c]));
    // Built per attempt and dropped once serialised: a chunk waiting for a slot holds its products and the file only.
    const inputs = (): BulkInput[] => chunk.map((c) => ({ ref: c.target.key.id, variables: { identifier: productIdentifier(c.target.key.id), input: productSetInput(c.target, c.target.key.id, ALL_PRODUCT_FIELDS) } }));
    try {
      const op = await this.runAgainOnDoubt('creating products', () => this.bulk.runMutation(docs.ProductUpsertBulk, inputs(), { lane: 'products', signal: this.opts.signal, clientIdentifier: `koppel-products-${this.run.id}` }));
      const ran = op.operation.createdAt && op.operation.completedAt ? (Date.parse(op.operation.completedAt) - Date.parse(op.operation.createdAt)) / 1000 : 0;
      // The longest operation gives the best measure (the times have whole seconds).
      if (ran > 0 && chunk.length >= this.rates.bulkLinesMeasured) Object.assign(this.rates, { bulkLinesPerSecond: chunk.length / ran, bulkLinesMeasured: chunk.length });
      for await (const line of op.results(this.opts.signal)) {
        const c = byRef.get(line.ref ?? '');
        if (!c) continue;
        const id = c.target.key.id;
        const product = line.data?.productSet?.product;
        if (!line.ok || !product) {
          const errors = line.userErrors.length ? line.userErrors : line.errors.map((e) => ({ field: null, message: e.message, code: e.code ?? null, mutation: 'productSet' }));
          const why = line.missing ? 'the bulk operation ended before this line ran' : userErrorText(errors);
          await this.run.record({ action: line.missing ? 'failed' : 'quarantined', entity: ENTITY.product, sourceKey: id, error: line.missing ? { code: 'BULK_LINE_MISSING', message: `CCV product ${id}: ${why}`, hint: 'the next run creates it' } : rejected(c.target, errors) });
          continue;
        }
        const written = product.variants.nodes.map((n) => ({ variantId: n.id, sku: n.sku, inventoryItemId: n.inventoryItem?.id ?? null, optionValues: n.selectedOptions }));
        await recordLinks(this.env, c.target, product.id, matchVariants(c.target, written), { ...sourceHashes(c.target), ...pushedHashes(c.target, POLICY_FIELDS) });
        // Publishing starts with the first linked line, not after the whole chunk.
        if (this.publications.length) this.queuePublish({ productId: product.id, ccvId: id });
        this.created++;
        await this.run.record({ action: 'created', entity: ENTITY.product, sourceKey: id, targetId: product.id, diff: createDiff(c.target), message: ['created through a bulk operation', c.notes].filter(Boolean).join('; ') });
      }
    } catch (e) {
      for (const c of chunk) {
        if (!(await this.env.ledger.bySource(this.env.pair, ENTITY.product, c.target.key.id))) {
          await this.run.record({ action: 'failed', entity: ENTITY.product, sourceKey: c.target.key.id, error: failure(e) });
        }
      }
      return;
    }
  }

  /**
   * Hands part of the publish backlog to bulk operations on slots that are free now (no create is
   * waiting for them), as `bulkShare` says. Before a regular publish has shown the bucket's speed, only
   * at the end (`final`).
   */
  private publishBacklogInBulk(free: number, final: boolean): void {
    if (free <= 0 || this.toPublish.length < BULK_MIN_CHUNK || (!final && this.chunk.length >= BULK_MIN_CHUNK)) return;
    const restore = this.env.shopify.limiter.stats().restoreRate ?? 0;
    const regular = this.rates.regularCalls ? restore / Math.max(1, this.rates.regularCost / this.rates.regularCalls) : 0;
    if (!final && regular === 0) return;
    const toBulk = bulkShare(this.toPublish.length, regular, this.rates.bulkLinesPerSecond, free);
    if (toBulk === 0) return;
    const parts = Math.min(free, Math.floor(toBulk / BULK_MIN_CHUNK));
    const size = Math.ceil(toBulk / parts);
    for (let left = toBulk; left > 0; left -= size) this.publishBulk(this.toPublish.splice(-Math.min(size, left)));
  }

  private queuePublish(item: { productId: string; ccvId: string }): void {
    this.toPublish.push(item);
    while (this.publishers.size < REGULAR_PUBLISHERS && this.toPublish.length > 0) {
      const w: Promise<void> = this.publishRegularly().finally(() => this.publishers.delete(w));
      this.publishers.add(w);
    }
  }

  private async publishRegularly(): Promise<void> {
    for (let item = this.toPublish.shift(); item; item = this.toPublish.shift()) {
      try {
        const pub = await publishProduct(this.env.shopify, item.productId, this.publications, this.opts.signal);
        this.run.apiCall(pub.cost);
        this.rates.regularCalls++;
        this.rates.regularCost += pub.cost.actual ?? pub.cost.requested;
        if (pub.ok) {
          await this.env.ledger.recordPush(this.env.pair, ENTITY.product, item.ccvId, { [PUBLISHED]: publishedHash(this.publications) }, this.env.now());
          this.published.regular++;
        } else this.env.logger.warn({ product: shortId(item.productId) }, `publishing failed: ${userErrorText(pub.userErrors)}; the next run tries again`);
      } catch (e) {
        if (this.opts.signal?.aborted) return;
        this.env.logger.warn({ product: shortId(item.productId), err: errorMessage(e) }, 'publishing failed; the next run tries again');
      }
    }
  }

  /** Publishes products in one bulk operation; failures are left to the next run, which publishes what the ledger lacks. */
  private publishBulk(created: Array<{ productId: string; ccvId: string }>): void {
    if (created.length === 0) return;
    const p = (async () => {
      try {
        const ccvIdOf = new Map(created.map((c) => [c.productId, c.ccvId]));
        const lines = created.map((c) => ({ ref: c.productId, variables: { id: c.productId, input: this.publications.map((publicationId) => ({ publicationId })) } }));
        const pub = await this.runAgainOnDoubt('publishing products', () => this.bulk.runMutation(docs.ProductPublish, lines, { lane: 'products', signal: this.opts.signal }));
        for await (const line of pub.results(this.opts.signal)) {
          const ccvId = ccvIdOf.get(line.ref ?? '');
          if (line.ok && ccvId) {
            await this.env.ledger.recordPush(this.env.pair, ENTITY.product, ccvId, { [PUBLISHED]: publishedHash(this.publications) }, this.env.now());
            this.published.bulk++;
          } else this.env.logger.warn({ product: shortId(line.ref ?? '') }, `publishing failed: ${userErrorText(line.userErrors)}; the next run tries again`);
        }
      } catch (e) {
        this.env.logger.warn({ err: errorMessage(e) }, 'publishing the bulk-created products failed; the next run publishes them');
      }
    })().finally(() => {
      this.publishing = this.publishing.filter((x) => x !== p);
    });
    this.publishing.push(p);
  }
}
