/**
 * The stock flow's operations. Jobs (jobs.ts), `koppel sync stock` (index.ts) and the webhook
 * route call these; each reads CCV, computes (compute.ts) and hands the result to the applier
 * (apply.ts). The signals and what each costs:
 *
 * | signal | CCV calls | finds |
 * |---|---|---|
 * | order poll (every 5 s) | 1 GET orders + 1 GET orderrows per new order | till sales, web orders |
 * | product refresh (per product the poll or a webhook names) | 1 GET products/{id} (all its variants) | their stock now |
 * | modifydate delta (every 15 s) | 1 GET products (changed since) | edits, and stock edits if CCV moves modifydate |
 * | sweep (continuous, ≤ 25 % of products GET) | 1 GET per 250 products | anything, within the bound |
 * | reconcile (hourly) | 1 GET per 250 products + Shopify pages | drift on either side |
 * | open orders (every 60 s, when reservations count) | 1 GET per open status and page | released reservations |
 */
import type { Kysely } from 'kysely';
import type { StockSettings } from '../../config/stock.js';
import { readNewOrders, readNewestOrderId, readOrder, readOrderRows, readOrdersWithStatus, type OrderSignal } from '../../connectors/ccv/read/orders-signal.js';
import { readCcvNewestModifyDate, readCcvStockChangedSince, readCcvStockPage, readCcvStockProduct, type CcvStockRecord } from '../../connectors/ccv/read/stock.js';
import { locationLevels } from '../../connectors/shopify/inventory.js';
import { KoppelError } from '../../core/errors.js';
import type { JobRuntime } from '../../engine/runtime/port.js';
import { parseInterval } from '../../engine/runtime/schedule-spec.js';
import type { Database } from '../../store/schema.js';
import { LANES, type FlowEnv } from '../env.js';
import { StockApplier, type ApplySummary, type PlannedChange, type Prepared, type ShopifySnapshot } from './apply.js';
import { computeVariant, type TargetLocation, type VariantComputation } from './compute.js';
import type { LazyRun } from './lazy-run.js';
import { LocationResolver } from './locations.js';
import { attributeReservations, reservationsCount, toMilli } from './reservations.js';
import { StockState } from './state.js';

export const FLOW = 'stock';
export const JOBS = {
  poll: 'stock.poll',
  product: 'stock.product',
  delta: 'stock.delta',
  sweep: 'stock.sweep',
  reconcile: 'stock.reconcile',
} as const;

export const STREAMS = {
  orders: 'ccv:orders',
  openOrders: 'ccv:open-orders',
  modifydate: 'ccv:modifydate',
  sweep: 'ccv:sweep',
  reconcile: 'reconcile',
} as const;

/** Budget priorities (src/flows/README.md): stock 5, reconcile 1. */
const PRIORITY = { stock: 5, reconcile: 1 } as const;
export const SWEEP_SHARE_KEY = 'stock-sweep';
const PAGE = 250;
/** CCV pages the reconcile reads ahead while Shopify's figures load (64 × 250 products). */
const PREFETCH_PAGES = 64;

export interface OpContext {
  jobId: string;
  trigger: string;
  run: LazyRun;
  dryRun?: boolean;
  signal?: AbortSignal;
}

export interface FullPassSummary extends ApplySummary {
  products: number;
  shopifyLevels: number;
  /** Time until Shopify's figures were loaded (reconcile), and in all. */
  shopifyMs: number;
  totalMs: number;
}

export interface SweepCursor {
  start: number;
  cycle: number;
  cycleStartedAt: number;
  pages: number;
  lastCyclePages: number | null;
  lastCycleMs: number | null;
}

export interface SweepBound {
  pages: number;
  requestsPerWindow: number;
  windowMs: number;
  intervalMs: number;
  cycleMs: number;
  boundMs: number;
}

/**
 * The sweep's pace: one page every `window / floor(getPerMinute × share)` (plus 2 % so it never has
 * to wait for its share). Evenly paced, every page is revisited once per cycle; a burst of pages
 * followed by a wait for the window would revisit some pages after nearly two windows.
 */
export function sweepInterval(limits: { getPerMinute: number; windowMs: number; guardMs: number }, share: number): { intervalMs: number; perWindow: number; windowMs: number } {
  const perWindow = Math.max(1, Math.floor(limits.getPerMinute * share));
  const windowMs = limits.windowMs + limits.guardMs;
  return { intervalMs: Math.ceil((windowMs / perWindow) * 1.02), perWindow, windowMs };
}

/**
 * How long a change only the sweep can see may take to reach Shopify: one sweep cycle (the pages of
 * the catalogue at the sweep's pace, or `minCycle` for a small catalogue) plus the page being
 * processed and its write.
 *
 *   interval = 1.02 × window / floor(getPerMinute × share)     (61 s / 37 × 1.02 = 1.68 s)
 *   cycle    = max(minCycle, pages × interval)
 *   bound    = cycle + pageMs
 */
export function sweepBound(products: number, limits: { getPerMinute: number; windowMs: number; guardMs: number }, settings: Pick<StockSettings, 'sweep'>, pageMs = 3000): SweepBound {
  const pages = Math.max(1, Math.ceil(products / PAGE));
  const { intervalMs, perWindow, windowMs } = sweepInterval(limits, settings.sweep.share);
  const cycleMs = Math.max(parseInterval(settings.sweep.minCycle, 'flows.stock.sweep.minCycle'), pages * intervalMs);
  return { pages, requestsPerWindow: perWindow, windowMs, intervalMs, cycleMs, boundMs: cycleMs + pageMs };
}

export class StockService {
  readonly state: StockState;
  readonly applier: StockApplier;
  readonly locations: LocationResolver;

  constructor(readonly env: FlowEnv, readonly settings: StockSettings, private readonly runtime?: Pick<JobRuntime, 'enqueue'>) {
    this.state = new StockState(env.store.db, env.pair);
    this.applier = new StockApplier(env, settings, this.state);
    this.locations = new LocationResolver(env.shopify, settings, env.now);
  }

  private get skuSources() {
    return this.settings.skuSources;
  }

  // ── compute ───────────────────────────────────────────────────────────────────────────

  async compute(records: readonly CcvStockRecord[], locations: readonly TargetLocation[]): Promise<VariantComputation[]> {
    const rows = reservationsCount(this.settings) ? await this.state.reservationsOf(records.map((r) => r.productId)) : [];
    const out: VariantComputation[] = [];
    for (const r of records) {
      const res = attributeReservations(r, rows, this.settings);
      for (const v of r.variants) out.push(computeVariant(r, v, res, locations, this.settings));
    }
    return out;
  }

  async process(records: readonly CcvStockRecord[], readAt: number, ctx: OpContext & { snapshot?: ShopifySnapshot; lane?: 'stock' | 'reconcile' }): Promise<ApplySummary> {
    const locations = await this.locations.resolve(ctx.signal);
    const comps = await this.compute(records, locations);
    return this.applier.apply(comps, {
      jobId: ctx.jobId, trigger: ctx.trigger, readAt, dryRun: ctx.dryRun === true, run: ctx.run, locations,
      ...(ctx.lane ? { lane: ctx.lane } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}), ...(ctx.snapshot ? { snapshot: ctx.snapshot } : {}),
    });
  }

  // ── one product (after a sale, a webhook) ─────────────────────────────────────────────

  async refreshProduct(productId: number, ctx: OpContext): Promise<ApplySummary | undefined> {
    const readAt = this.env.now();
    const rec = await readCcvStockProduct(this.env.ccv, productId, { priority: PRIORITY.stock, skuSources: this.skuSources, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    if (!rec) return undefined; // deleted in CCV: the products flow deals with the Shopify product
    return this.process([rec], readAt, ctx);
  }

  // ── order poll ────────────────────────────────────────────────────────────────────────

  /**
   * New orders since the last look: their products are re-read (one job per product, coalescing),
   * and open ones are recorded for reservations. Returns the product ids it queued.
   */
  async pollOrders(ctx: OpContext): Promise<{ orders: number; products: number[] }> {
    const cp = await this.env.checkpoints.get(FLOW, STREAMS.orders);
    const opts = { priority: PRIORITY.stock, ...(ctx.signal ? { signal: ctx.signal } : {}) };
    if (!cp) {
      // First look: start from now; the sweep and the reconcile cover what came before.
      const newest = await readNewestOrderId(this.env.ccv, opts);
      await this.env.checkpoints.commit({ flow: FLOW, stream: STREAMS.orders, cursor: String(newest) }, this.env.now());
      if (reservationsCount(this.settings)) await this.refreshOpenOrders(ctx, true);
      return { orders: 0, products: [] };
    }
    const after = Number(cp.cursor);
    const { orders, complete } = await readNewOrders(this.env.ccv, after, { ...opts, maxOrders: 200 });
    if (orders.length === 0) {
      if (reservationsCount(this.settings)) await this.refreshOpenOrders(ctx, false);
      return { orders: 0, products: [] };
    }
    // Oldest first, so a partial read still moves the cursor without a gap.
    orders.sort((a, b) => a.id - b.id);
    const products = new Set<number>();
    for (const o of orders) for (const p of await this.noteOrder(o, ctx)) products.add(p);
    if (!complete) {
      // More than 200 orders since the last look (a 5-second burst of that size is not a till):
      // older ones in between are left to the sweep, which reads every product's stock anyway.
      this.env.logger.warn({ flow: FLOW, after, read: orders.length }, 'stock: more new CCV orders than one poll reads; the sweep covers the rest');
    }
    const cursor = String(orders[orders.length - 1]!.id);
    await this.env.checkpoints.commitAfter({ flow: FLOW, stream: STREAMS.orders, cursor }, async (tx) => {
      for (const id of products) await this.enqueueProduct(id, 'order', tx);
    }, this.env.now());
    if (reservationsCount(this.settings)) await this.refreshOpenOrders(ctx, false);
    return { orders: orders.length, products: [...products] };
  }

  /** Reads an order's rows; records it when it reserves stock. Returns its products. */
  private async noteOrder(o: OrderSignal, ctx: OpContext): Promise<number[]> {
    const rows = await readOrderRows(this.env.ccv, o.id, { priority: PRIORITY.stock, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const products = [...new Set(rows.map((r) => r.productId).filter((p): p is number => p !== null))];
    if (reservationsCount(this.settings) && o.completed && o.status !== null && this.settings.reserved.openStatuses.includes(o.status)) {
      await this.state.putOrder(o.id, o.status, rows.filter((r) => r.productId !== null).map((r) => ({
        row_id: r.rowId, product_id: r.productId!, code_sku: r.codes.sku, code_product_number: r.codes.productNumber, code_ean: r.codes.ean, quantity_milli: toMilli(r.quantity),
      })), this.env.now());
    }
    return products;
  }

  /**
   * Lists the open orders (one GET per open status and page) when due: new ones are recorded,
   * ones that left the open statuses release their reservation; their products are re-read.
   */
  async refreshOpenOrders(ctx: OpContext, force: boolean): Promise<number[]> {
    const every = parseInterval(this.settings.reserved.refreshEvery, 'flows.stock.reserved.refreshEvery');
    const cp = await this.env.checkpoints.get(FLOW, STREAMS.openOrders);
    const now = this.env.now();
    if (!force && cp && now - Number(cp.cursor) < every) return [];
    const known = await this.state.openOrders();
    const seen = new Map<number, OrderSignal>();
    for (const status of this.settings.reserved.openStatuses) {
      for await (const o of readOrdersWithStatus(this.env.ccv, status, { priority: 4, ...(ctx.signal ? { signal: ctx.signal } : {}) })) seen.set(o.id, o);
    }
    const products = new Set<number>();
    for (const [id, o] of seen) {
      if (!known.has(id)) for (const p of await this.noteOrder(o, ctx)) products.add(p);
      else if (known.get(id) !== o.status) await this.state.setOrderStatus(id, o.status, now); // open → open: the same units stay reserved
    }
    for (const id of known.keys()) {
      if (seen.has(id)) continue;
      // Left the open statuses (sent, completed, cancelled) or was deleted: double-check, then release.
      const o = await readOrder(this.env.ccv, id, { priority: 4, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      if (o && o.completed && o.status !== null && this.settings.reserved.openStatuses.includes(o.status)) continue;
      for (const p of await this.state.dropOrder(id)) products.add(p);
    }
    await this.env.checkpoints.commitAfter({ flow: FLOW, stream: STREAMS.openOrders, cursor: String(now) }, async (tx) => {
      for (const id of products) await this.enqueueProduct(id, 'reservation', tx);
    }, now);
    return [...products];
  }

  async enqueueProduct(productId: number, trigger: string, tx?: Kysely<Database>): Promise<void> {
    if (!this.runtime) throw new Error('StockService: no job runtime to enqueue product refreshes on');
    await this.runtime.enqueue(JOBS.product, { productId, trigger }, { key: `product:${productId}`, priority: 5, lanes: [LANES.ccv, LANES.shopify], ...(tx ? { tx } : {}) });
  }

  // ── modifydate delta ──────────────────────────────────────────────────────────────────

  async delta(ctx: OpContext): Promise<ApplySummary | undefined> {
    const cp = await this.env.checkpoints.get(FLOW, STREAMS.modifydate);
    const opts = { priority: PRIORITY.stock, skuSources: this.skuSources, ...(ctx.signal ? { signal: ctx.signal } : {}) };
    if (!cp) {
      const newest = await readCcvNewestModifyDate(this.env.ccv, opts);
      if (newest) await this.env.checkpoints.commit({ flow: FLOW, stream: STREAMS.modifydate, cursor: newest }, this.env.now());
      return undefined;
    }
    const readAt = this.env.now();
    const records: CcvStockRecord[] = [];
    for await (const r of readCcvStockChangedSince(this.env.ccv, cp.cursor, opts)) records.push(r);
    const changed = records.filter((r) => r.modifyDate > cp.cursor);
    if (changed.length === 0) return undefined;
    const sum = await this.process(changed, readAt, ctx);
    const newest = changed.reduce((m, r) => (r.modifyDate > m ? r.modifyDate : m), cp.cursor);
    await this.env.checkpoints.commit({ flow: FLOW, stream: STREAMS.modifydate, cursor: newest }, this.env.now());
    return sum;
  }

  // ── sweep ─────────────────────────────────────────────────────────────────────────────

  async sweepCursor(): Promise<SweepCursor> {
    const cp = await this.env.checkpoints.get(FLOW, STREAMS.sweep);
    if (cp) {
      try {
        return JSON.parse(cp.cursor) as SweepCursor;
      } catch {
        // fall through: start over
      }
    }
    return { start: 0, cycle: 1, cycleStartedAt: this.env.now(), pages: 0, lastCyclePages: null, lastCycleMs: null };
  }

  /**
   * One page of the sweep. Pages are paced evenly on an absolute schedule (cycle start + k ×
   * interval, so a late start does not push the rest back), and each request is also capped by the
   * CCV budget at `sweep.share` of the products GET budget. Returns the cursor for the next page and
   * how long until it is due.
   */
  async sweepPage(ctx: OpContext): Promise<{ cursor: SweepCursor; delayMs: number; summary: ApplySummary }> {
    const cur = await this.sweepCursor();
    const limits = this.env.ccv.budget.limits;
    const { intervalMs } = sweepInterval(limits, this.settings.sweep.share);
    const readAt = this.env.now();
    const page = await readCcvStockPage(this.env.ccv, cur.start, {
      priority: PRIORITY.stock, share: { key: SWEEP_SHARE_KEY, fraction: this.settings.sweep.share }, skuSources: this.skuSources, ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const summary = await this.process(page.records, readAt, ctx);
    const now = this.env.now();
    const pages = cur.pages + 1;
    let next: SweepCursor;
    let dueAt: number;
    if (page.next === null) {
      const products = cur.start + page.records.length;
      const cycleMs = now - cur.cycleStartedAt;
      const bound = sweepBound(products, limits, this.settings);
      this.env.logger.info(
        { flow: FLOW, cycle: cur.cycle, pages, products, cycleSeconds: Math.round(cycleMs / 1000), boundSeconds: Math.round(bound.boundMs / 1000), share: this.settings.sweep.share },
        `stock sweep cycle ${cur.cycle} done: ${products} products in ${pages} page(s), ${Math.round(cycleMs / 1000)} s; at ${Math.round(this.settings.sweep.share * 100)} % of ${limits.getPerMinute} GET/min a change no other signal reports reaches Shopify within about ${Math.round(bound.boundMs / 1000)} s`,
      );
      const minCycle = parseInterval(this.settings.sweep.minCycle, 'flows.stock.sweep.minCycle');
      // The next cycle starts a full cycle after this one did (or now, if this one ran late).
      dueAt = Math.max(now, cur.cycleStartedAt + Math.max(minCycle, pages * intervalMs));
      next = { start: 0, cycle: cur.cycle + 1, cycleStartedAt: dueAt, pages: 0, lastCyclePages: pages, lastCycleMs: cycleMs };
    } else {
      let anchor = cur.cycleStartedAt;
      // More than one interval behind (a restart, a long budget wait): pace on from now, no burst.
      if (now - (anchor + (pages - 1) * intervalMs) > intervalMs) anchor = now - (pages - 1) * intervalMs;
      dueAt = Math.max(now, anchor + pages * intervalMs);
      next = { ...cur, cycleStartedAt: anchor, start: page.next, pages };
    }
    return { cursor: next, delayMs: dueAt - now, summary };
  }

  // ── reconcile ─────────────────────────────────────────────────────────────────────────

  /** Reads what Shopify holds at every target location (pages of 250 levels). */
  async shopifySnapshot(locations: readonly TargetLocation[], signal?: AbortSignal, onCost?: (points: number) => void): Promise<ShopifySnapshot & { size: number }> {
    const readAt = this.env.now();
    const map = new Map<string, { available: number }>();
    for (const loc of locations) {
      for await (const page of locationLevels(this.env.shopify, loc.id, { lane: 'reconcile', ...(signal ? { signal } : {}), ...(onCost ? { onCost } : {}) })) {
        for (const l of page) map.set(`${l.inventoryItemId}|${loc.id}`, { available: l.available });
      }
    }
    return { readAt, size: map.size, get: (item, loc) => map.get(`${item}|${loc}`) };
  }

  /**
   * Compares every CCV variant with Shopify's current figure and repairs what differs (per
   * conflictPolicy). `mode: 'state'` compares with what Koppel last knew instead (no Shopify
   * reads unless it knows nothing): `koppel sync stock` without --full.
   */
  async fullPass(ctx: OpContext & { mode: 'reconcile' | 'state'; onPlanned?: (p: PlannedChange) => void; onProgress?: (products: number) => void }): Promise<FullPassSummary> {
    const started = this.env.now();
    const total: FullPassSummary = { planned: [], written: 0, unchanged: 0, conflicts: 0, problems: 0, superseded: 0, awaitingProducts: 0, products: 0, shopifyLevels: 0, shopifyMs: 0, totalMs: 0 };
    const locations = await this.locations.resolve(ctx.signal);
    const priority = ctx.mode === 'reconcile' ? PRIORITY.reconcile : PRIORITY.stock;
    // CCV pages are read and prepared (inputs stored, items resolved) while Shopify's figures load:
    // different APIs, different budgets. Up to PREFETCH_PAGES prepared pages wait in memory.
    const lane = ctx.mode === 'reconcile' ? ('reconcile' as const) : ('stock' as const);
    const pages: Array<{ prepared: Prepared; readAt: number; products: number }> = [];
    let ccvDone = false;
    let stopped = false;
    let ccvError: unknown;
    let wake: (() => void) | undefined;
    const reader = (async () => {
      let start: number | null = 0;
      try {
        while (start !== null && !stopped) {
          while (pages.length >= PREFETCH_PAGES && !stopped) await new Promise<void>((r) => (wake = r));
          if (stopped) break;
          const readAt = this.env.now();
          const page = await readCcvStockPage(this.env.ccv, start, { priority, skuSources: this.skuSources, ...(ctx.signal ? { signal: ctx.signal } : {}) });
          const comps = await this.compute(page.records, locations);
          const prepared = await this.applier.prepare(comps, {
            jobId: ctx.jobId, trigger: ctx.trigger, readAt, dryRun: ctx.dryRun === true, run: ctx.run, locations, lane, reconcile: ctx.mode === 'reconcile', ...(ctx.signal ? { signal: ctx.signal } : {}),
          });
          pages.push({ prepared, readAt, products: page.records.length });
          wake?.();
          start = page.next;
        }
      } catch (e) {
        ccvError = e;
      } finally {
        ccvDone = true;
        wake?.();
      }
    })();
    try {
      const snapshot = ctx.mode === 'reconcile' ? await this.shopifySnapshot(locations, ctx.signal, (p) => ctx.run.apiCall(p)) : undefined;
      total.shopifyLevels = snapshot?.size ?? 0;
      total.shopifyMs = this.env.now() - started;
      for (;;) {
        if (pages.length === 0) {
          if (ccvDone) break;
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        const { prepared, readAt, products } = pages.shift()!;
        wake?.();
        const sum = await this.applier.decide(prepared, {
          jobId: ctx.jobId, trigger: ctx.trigger, readAt, dryRun: ctx.dryRun === true, run: ctx.run, locations, lane, ...(ctx.signal ? { signal: ctx.signal } : {}), ...(snapshot ? { snapshot } : {}),
        });
        total.products += products;
        total.written += sum.written;
        total.unchanged += sum.unchanged;
        total.conflicts += sum.conflicts;
        total.problems += sum.problems;
        total.superseded += sum.superseded;
        total.awaitingProducts += sum.awaitingProducts;
        for (const p of sum.planned) {
          ctx.onPlanned?.(p);
          if (total.planned.length < 10_000) total.planned.push(p);
        }
        ctx.onProgress?.(total.products);
      }
    } finally {
      stopped = true;
      pages.length = 0;
      wake?.();
      await reader;
    }
    if (ccvError) throw ccvError;
    total.totalMs = this.env.now() - started;
    if (total.awaitingProducts > 0) {
      this.env.logger.info(
        { flow: FLOW, mode: ctx.mode, variants: total.awaitingProducts },
        `stock: ${total.awaitingProducts} CCV variant(s) without a Shopify link left for the products flow, which has not completed a sync yet; their stock follows the products flow's first run`,
      );
    }
    if (ctx.mode === 'reconcile' && !ctx.dryRun) await this.env.checkpoints.commit({ flow: FLOW, stream: STREAMS.reconcile, cursor: String(this.env.now()) }, this.env.now());
    return total;
  }

  /** True when the sweep chain has not moved for longer than a cycle pause allows (never ran, or stopped). */
  async sweepIdle(): Promise<boolean> {
    const cp = await this.env.checkpoints.get(FLOW, STREAMS.sweep);
    if (!cp) return true;
    const pause = parseInterval(this.settings.sweep.minCycle, 'flows.stock.sweep.minCycle');
    return this.env.now() - cp.updatedAt.getTime() > pause + 120_000;
  }

  /** True until a reconcile has completed once: the sweep then waits for it (it reads Shopify in bulk). */
  async needsFirstReconcile(): Promise<boolean> {
    return !(await this.env.checkpoints.get(FLOW, STREAMS.reconcile));
  }
}

export function invalidSettings(message: string, hint: string): KoppelError {
  return new KoppelError({ code: 'STOCK_SETTINGS_INVALID', message, hint, field: 'flows.stock', errorClass: 'invalid_input' });
}
