/**
 * Plan and apply for computed stock: decide per variant and location whether Shopify needs a write,
 * then write with compare-and-set, idempotency keys and the conflict policy; record state, ledger
 * links and activity. Every stock writer (sale, webhook, delta, sweep, reconcile, `koppel sync`)
 * goes through `StockApplier.apply`, so they share one set of rules:
 *
 * - Nothing changed → no write. A variant is written when its quantity differs from what Koppel
 *   last decided (`target`), or, with `ccv_wins`, from what Koppel knows Shopify has.
 * - `changeFromQuantity` is the last Shopify figure Koppel knows (read first when it knows none).
 * - The `@idempotent` key is derived from the persisted job id, the batch index and the batch's
 *   content: a retry of the job with the same figures replays (Shopify changes nothing twice), a
 *   retry with other figures is a new write guarded by compare-and-set.
 * - CHANGE_FROM_QUANTITY_STALE → re-read Shopify. Exactly our own earlier (unrecorded) write: not a
 *   conflict. Already the wanted figure: nothing to do. Otherwise a conflict, journaled with both
 *   figures and settled by `conflictPolicy`.
 * - A writer whose CCV data is older than what another writer already recorded stands back.
 */
import type { StockSettings } from '../../config/stock.js';
import { activateAt, MAX_SET_QUANTITIES, readItemLevel, setAvailable, setTracked, type SetEntry } from '../../connectors/shopify/inventory.js';
import type { Lane } from '../../connectors/shopify/limiter.js';
import { contentHash } from '../../core/hash.js';
import { jobIdFrom } from '../../engine/runtime/ids.js';
import type { FlowEnv } from '../env.js';
import type { LocationQuantity, TargetLocation, VariantComputation } from './compute.js';
import type { LazyRun } from './lazy-run.js';
import { ledgerItems, lookupAndLinkMany, type Resolution } from './resolve.js';
import { levelKey, type LevelRow, type StockState, type VariantRow } from './state.js';

export const STOCK_ENTITY = 'stock';
export const DIRECTION = 'ccv_to_shopify';

/** Shopify's figures read in one go (the reconcile), keyed by item and location. */
export interface ShopifySnapshot {
  readAt: number;
  /** undefined: the item is not stocked at that location. */
  get(inventoryItemId: string, locationId: string): { available: number; tracked?: boolean } | undefined;
}

export interface ApplyContext {
  /** The persisted job id (or the run id of `koppel sync`): idempotency keys derive from it. */
  jobId: string;
  /** What set this off: order, webhook, modifydate, sweep, reconcile, manual. */
  trigger: string;
  /** When the CCV data behind the computations was read. */
  readAt: number;
  dryRun: boolean;
  run: LazyRun;
  locations: readonly TargetLocation[];
  lane?: Lane;
  signal?: AbortSignal;
  snapshot?: ShopifySnapshot;
}

export interface PlannedChange {
  variantKey: string;
  sku: string;
  productId: number;
  inventoryItemId: string;
  locationId: string;
  locationName: string;
  /** What Shopify has (null: not stocked there / unknown). */
  from: number | null;
  to: number;
  describe: string;
  onHand: number | null;
  reserved: number;
  rawStock: string | null;
  reason: 'first push' | 'CCV changed' | 'drift';
  notes: string[];
}

export interface ApplySummary {
  planned: PlannedChange[];
  written: number;
  unchanged: number;
  conflicts: number;
  problems: number;
  /** Variants left to a writer holding newer CCV data. */
  superseded: number;
  /** Variants without a Shopify link left for the products flow, which has not completed a sync yet. */
  awaitingProducts: number;
}

export interface Work {
  c: VariantComputation;
  q: LocationQuantity;
  item: string;
  level: LevelRow | undefined;
  known: number | null;
  notStocked: boolean;
  tracked: boolean | null;
  /** Shopify had a figure Koppel did not know (reconcile). */
  drift: boolean;
  conflict?: { known: number | null; shopify: number | null };
}

export interface Prepared {
  work: Work[];
  sum: ApplySummary;
}

interface ProblemNote {
  code: string;
  message: string;
  hint: string;
  /** Reported once per key. */
  key: string;
  action: 'quarantined' | 'skipped';
}

const READ_CONCURRENCY = 8;
/** The products flow's delta checkpoint (src/flows/products/sync.ts): there once it completed a sync. */
const PRODUCTS_FLOW = 'products';
const PRODUCTS_STREAM = 'ccv.products';
const MAX_ROUNDS = 4;

async function pool<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

export class StockApplier {
  private productsDone = false;

  constructor(
    private readonly env: FlowEnv,
    private readonly settings: StockSettings,
    private readonly state: StockState,
  ) {}

  async apply(comps: readonly VariantComputation[], ctx: ApplyContext): Promise<ApplySummary> {
    return this.decide(await this.prepare(comps, { ...ctx, reconcile: ctx.snapshot !== undefined }), ctx);
  }

  /**
   * Everything that needs no Shopify figures: inputs stored, problems reported, items resolved.
   * The reconcile prepares CCV pages while Shopify's figures are still loading.
   */
  async prepare(comps: readonly VariantComputation[], ctx: Omit<ApplyContext, 'snapshot'> & { reconcile: boolean }): Promise<Prepared> {
    const sum: ApplySummary = { planned: [], written: 0, unchanged: 0, conflicts: 0, problems: 0, superseded: 0, awaitingProducts: 0 };
    if (comps.length === 0) return { work: [], sum };
    const now = this.env.now();
    const keys = comps.map((c) => c.variantKey);
    const prev = await this.state.variants(keys);
    const links = await ledgerItems(this.env.store.db, this.env.pair, keys);
    const work: Work[] = [];
    const variantRows: Array<Parameters<StockState['putVariant']>[0]> = [];

    // First what each variant needs; the SKUs to look up in Shopify are then searched in batches.
    const steps: Array<{ c: VariantComputation; before: VariantRow | undefined; problem: ProblemNote | null; item: string | null; awaiting: boolean }> = [];
    const wants: Array<{ variantKey: string; sku: string }> = [];
    let productsReady: boolean | undefined;
    for (const c of comps) {
      const before = prev.get(c.variantKey);
      if (before && before.computed_at > ctx.readAt) {
        sum.superseded++;
        continue;
      }
      let problem = this.problemOf(c);
      let item: string | null = null;
      let awaiting = false;
      if (!problem && !c.skip && c.sku !== null) {
        const link = links.get(c.variantKey);
        if (link?.inventoryItemId) item = link.inventoryItemId;
        else if (!(productsReady ??= await this.productsReady())) awaiting = true;
        else if (before && isSkuProblem(before.problem_code) && before.problem_key === `${before.problem_code}|${c.sku}` && !ctx.reconcile) {
          problem = { code: before.problem_code!, message: '', hint: '', key: before.problem_key, action: 'quarantined' };
        } else wants.push({ variantKey: c.variantKey, sku: c.sku });
      }
      steps.push({ c, before, problem, item, awaiting });
    }
    const found = await lookupAndLinkMany(this.env.shopify, this.env.ledger, {
      pair: this.env.pair, wants, dryRun: ctx.dryRun, now, lane: ctx.lane ?? 'stock', ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const productOf = new Map(comps.map((c) => [c.variantKey, c.productId]));
    const causes = await this.productsFlowRefusals([...found].filter(([, r]) => r.kind === 'unknown').map(([key]) => productOf.get(key)!));

    for (const { c, before, awaiting, ...step } of steps) {
      let { problem, item } = step;
      const res = found.get(c.variantKey);
      if (res?.kind === 'item') item = res.inventoryItemId;
      else if (res) problem = skuProblem(c, res, causes.get(c.productId));
      const inputs = {
        variant_key: c.variantKey,
        product_id: c.productId,
        sku: c.sku,
        tracked: c.tracked ? 1 : 0,
        raw_stock: c.rawStock,
        on_hand: c.onHand,
        reserved: c.reserved,
        notes: c.notes.length || c.reservedBy.length ? JSON.stringify({ notes: c.notes, reservedBy: c.reservedBy }) : null,
        computed_at: ctx.readAt,
      };
      if (awaiting) {
        // Not linked yet and the products flow has not completed a sync: it will create or link the
        // variant, and its run queues a stock pass. Not looked up, not a problem; inputs kept as they were.
        sum.awaitingProducts++;
        ctx.run.count('skipped');
        if (!ctx.dryRun) variantRows.push({ ...inputs, problem_code: before?.problem_code ?? null, problem_key: before?.problem_key ?? null, problem_at: before?.problem_at ?? null });
        continue;
      }
      if (!ctx.dryRun) {
        const same = problem && before?.problem_key === problem.key;
        variantRows.push({ ...inputs, problem_code: problem?.code ?? null, problem_key: problem?.key ?? null, problem_at: problem ? (same ? before!.problem_at : now) : null });
      }
      if (problem) {
        if (problem.action === 'quarantined') sum.problems++;
        if (before?.problem_key === problem.key) ctx.run.count('skipped');
        else await ctx.run.record({ action: problem.action, entity: STOCK_ENTITY, sourceKey: c.variantKey, ...(problem.action === 'quarantined' ? { error: { code: problem.code, message: problem.message, hint: problem.hint } } : { message: problem.message }) });
        continue;
      }
      if (!item) continue;
      for (const q of c.quantities) work.push({ c, q, item, level: undefined, known: null, notStocked: false, tracked: null, drift: false });
    }

    // One transaction for the page's inputs (a writer with newer CCV data is never overwritten: putVariant checks).
    if (variantRows.length) await this.state.tx(async (s) => {
      for (const row of variantRows) await s.putVariant(row);
    });
    return { work, sum };
  }

  /** Compares with Shopify's figures and writes what differs. */
  async decide(prepared: Prepared, ctx: ApplyContext): Promise<ApplySummary> {
    const { work, sum } = prepared;
    if (work.length === 0) return sum;
    const now = this.env.now();
    // Levels are loaded now, not while preparing: another writer may have moved them meanwhile.
    const levels = await this.state.levels([...new Set(work.map((w) => w.c.variantKey))]);
    for (const w of work) {
      w.level = levels.get(levelKey(w.c.variantKey, w.q.locationId));
      w.tracked = w.level?.shopify_tracked == null ? null : w.level.shopify_tracked === 1;
    }

    // What does Shopify have? From the snapshot, from what Koppel last knew, or read now.
    const toRead: Work[] = [];
    for (const w of work) {
      const lv = w.level && w.level.inventory_item === w.item ? w.level : undefined;
      if (ctx.snapshot) {
        const s = ctx.snapshot.get(w.item, w.q.locationId);
        const fresher = lv && lv.shopify_seen_at !== null && lv.shopify_seen_at > ctx.snapshot.readAt;
        w.known = fresher ? lv!.shopify_qty : s ? s.available : null;
        w.notStocked = !fresher && !s;
        if (s?.tracked !== undefined) w.tracked = s.tracked;
        w.drift = !fresher && lv !== undefined && lv.shopify_qty !== null && w.known !== lv.shopify_qty;
      } else if (lv && lv.shopify_qty !== null && !(this.settings.trackInventory && w.tracked === null)) {
        w.known = lv.shopify_qty;
      } else {
        toRead.push(w);
      }
    }
    const missing = new Set<Work>();
    await pool(toRead, READ_CONCURRENCY, async (w) => {
      const r = await readItemLevel(this.env.shopify, w.item, w.q.locationId, ctx.lane ?? 'stock', ctx.signal);
      if (!r) {
        missing.add(w);
        return;
      }
      w.known = r.available;
      w.notStocked = r.available === null;
      w.tracked = r.tracked;
    });
    for (const w of missing) await this.reportMissing(w, ctx, sum, now);

    const writes: Work[] = [];
    const levelRows: Array<[Work, Parameters<StockState['putLevel']>[2]]> = [];
    for (const w of work) {
      if (missing.has(w)) continue;
      const desired = w.q.quantity;
      const target = w.level?.target ?? null;
      const inSync = w.notStocked ? desired === 0 : w.known === desired;
      if (inSync) {
        sum.unchanged++;
        ctx.run.count('skipped');
        if (!ctx.dryRun && (target !== desired || w.level?.shopify_qty !== w.known || w.level?.inventory_item !== w.item)) {
          levelRows.push([w, { inventory_item: w.item, target: desired, shopify_qty: w.notStocked ? null : w.known, shopify_seen_at: now, ...(w.tracked === null ? {} : { shopify_tracked: w.tracked ? 1 : 0 }) }]);
        }
        continue;
      }
      if (this.settings.conflictPolicy !== 'ccv_wins' && target === desired && w.level?.inventory_item === w.item) {
        // CCV has not changed since Koppel's last decision; Shopify's differing figure is kept by policy.
        sum.unchanged++;
        if (w.drift) {
          sum.conflicts++;
          await this.recordKept(w, ctx, `Shopify's available at ${w.q.locationName} is ${w.known} (Koppel last knew ${w.level?.shopify_qty}); CCV's formula gives ${desired}`);
        } else ctx.run.count('skipped');
        if (!ctx.dryRun && w.level?.shopify_qty !== w.known) levelRows.push([w, { shopify_qty: w.known, shopify_seen_at: now }]);
        continue;
      }
      writes.push(w);
      sum.planned.push({
        variantKey: w.c.variantKey, sku: w.c.sku!, productId: w.c.productId, inventoryItemId: w.item, locationId: w.q.locationId, locationName: w.q.locationName,
        from: w.notStocked ? null : w.known, to: desired, describe: w.q.describe, onHand: w.c.onHand, reserved: w.c.reserved, rawStock: w.c.rawStock,
        reason: target === null ? 'first push' : target !== desired ? 'CCV changed' : 'drift', notes: w.c.notes,
      });
    }
    if (levelRows.length) await this.state.tx(async (s) => {
      for (const [w, set] of levelRows) await s.putLevel(w.c.variantKey, w.q.locationId, set, now);
    });
    if (ctx.dryRun || writes.length === 0) return sum;

    if (this.settings.trackInventory) {
      await pool(writes.filter((w) => w.tracked === null), READ_CONCURRENCY, async (w) => {
        const r = await readItemLevel(this.env.shopify, w.item, w.q.locationId, ctx.lane ?? 'stock', ctx.signal);
        if (r) w.tracked = r.tracked;
      });
      const untracked = [...new Set(writes.filter((w) => w.tracked === false).map((w) => w.item))];
      for (const item of untracked) {
        const r = await setTracked(this.env.shopify, item, ctx.lane ?? 'stock', ctx.signal);
        if (r.ok) for (const w of writes) if (w.item === item) w.tracked = true;
      }
    }

    for (let b = 0; b * MAX_SET_QUANTITIES < writes.length; b++) {
      await this.writeBatch(writes.slice(b * MAX_SET_QUANTITIES, (b + 1) * MAX_SET_QUANTITIES), b, ctx, sum);
    }
    return sum;
  }

  /**
   * False while the products flow is enabled and has not completed a sync (no checkpoint, no
   * finished run): an unlinked variant is then most likely one it is about to create, and looking it
   * up would cost a Shopify search per batch and report it unknown. True once it has (remembered).
   */
  private async productsReady(): Promise<boolean> {
    if (this.productsDone || !this.env.config.flows.products.enabled) return true;
    if (await this.env.checkpoints.get(PRODUCTS_FLOW, PRODUCTS_STREAM)) return (this.productsDone = true);
    // A run with failed products finishes `partial` and keeps no checkpoint; it still created or linked the rest.
    return (this.productsDone = await this.env.runs.hasCompleted(PRODUCTS_FLOW));
  }

  /**
   * Why the products flow did not bring these CCV products to Shopify, where its latest record of one
   * is a quarantine or a failure: a variant unknown in Shopify then names that cause, not just "unknown".
   */
  private async productsFlowRefusals(productIds: readonly number[]): Promise<Map<number, ProductsFlowRefusal>> {
    const out = new Map<number, ProductsFlowRefusal>();
    if (!this.env.config.flows.products.enabled) return out;
    for (const id of new Set(productIds)) {
      const last = (await this.env.activity.query({ flow: PRODUCTS_FLOW, key: String(id), limit: 1 })).items[0];
      if (last && (last.action === 'quarantined' || last.action === 'failed') && last.errorCode) {
        out.set(id, { action: last.action, code: last.errorCode, message: last.message ?? '', hint: last.hint });
      }
    }
    return out;
  }

  private problemOf(c: VariantComputation): ProblemNote | null {
    const p = c.problems[0];
    if (p) return { code: p.code, message: p.message, hint: p.hint, key: `${p.code}|${c.sku ?? ''}|${c.rawStock ?? ''}|${p.field ?? ''}`, action: 'quarantined' };
    if (c.skip) return { code: 'STOCK_NOT_TRACKED_IN_CCV', message: `CCV variant ${c.variantKey}${c.sku ? ` (SKU ${c.sku})` : ''}: ${c.skip}`, hint: '', key: 'STOCK_NOT_TRACKED_IN_CCV|', action: 'skipped' };
    return null;
  }

  private async reportMissing(w: Work, ctx: ApplyContext, sum: ApplySummary, now: number): Promise<void> {
    sum.problems++;
    if (ctx.dryRun) return;
    await this.state.putLevel(w.c.variantKey, w.q.locationId, { inventory_item: null, shopify_qty: null, pending_qty: null }, now);
    await ctx.run.record({
      action: 'quarantined', entity: STOCK_ENTITY, sourceKey: w.c.variantKey, targetId: w.item,
      error: { code: 'STOCK_ITEM_MISSING', message: `Shopify inventory item ${w.item} of SKU ${w.c.sku} (CCV variant ${w.c.variantKey}) no longer exists`, hint: 'the variant was deleted in Shopify: run the products flow to create it again, or remove the SKU in CCV' },
    });
  }

  private async recordKept(w: Work, ctx: ApplyContext, what: string): Promise<void> {
    if (ctx.dryRun) return;
    const diff = [{ path: `available@${w.q.locationName}`, before: w.level?.shopify_qty ?? null, after: w.known }];
    if (this.settings.conflictPolicy === 'report_only') {
      await ctx.run.record({
        action: 'quarantined', entity: STOCK_ENTITY, sourceKey: w.c.variantKey, targetId: w.item, diff,
        error: { code: 'STOCK_CONFLICT', message: `${ctx.trigger}: ${what}; Shopify's figure kept (conflictPolicy report_only)`, hint: 'decide which figure is right: correct the stock in CCV (Koppel pushes it), or set flows.stock.conflictPolicy to ccv_wins' },
      });
    } else {
      await ctx.run.record({ action: 'skipped', entity: STOCK_ENTITY, sourceKey: w.c.variantKey, targetId: w.item, diff, message: `${ctx.trigger}: conflict: ${what}; Shopify's figure kept until CCV's changes (conflictPolicy shopify_wins)` });
    }
  }

  private async writeBatch(batch: Work[], batchIndex: number, ctx: ApplyContext, sum: ApplySummary): Promise<void> {
    const now = () => this.env.now();
    const prevPending = new Map(batch.map((w) => [w, w.level?.pending_qty ?? null]));
    // Intent first: if the answer is lost, the next attempt recognises its own write.
    await this.state.tx(async (s) => {
      for (const w of batch) await s.putLevel(w.c.variantKey, w.q.locationId, { inventory_item: w.item, pending_qty: w.q.quantity }, now());
    });
    let pending = batch;
    const activated = new Set<string>();
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS) {
        for (const w of pending) {
          await ctx.run.record({ action: 'failed', entity: STOCK_ENTITY, sourceKey: w.c.variantKey, targetId: w.item, error: { code: 'STOCK_CONFLICT_PERSISTS', message: `SKU ${w.c.sku} at ${w.q.locationName}: Shopify's figure kept changing while Koppel wrote ${w.q.quantity} (${MAX_ROUNDS} attempts)`, hint: 'something else writes this item\'s stock continuously; Koppel tries again on the next change or reconcile' } });
        }
        return;
      }
      const entries: SetEntry[] = pending.map((w) => ({ inventoryItemId: w.item, locationId: w.q.locationId, quantity: w.q.quantity, changeFrom: w.notStocked ? null : w.known }));
      const key = jobIdFrom('stock.set', ctx.jobId, String(batchIndex), contentHash(entries));
      const res = await setAvailable(this.env.shopify, entries, { key, referenceDocumentUri: `gid://koppel/StockSync/${ctx.jobId}`, lane: ctx.lane ?? 'stock', ...(ctx.signal ? { signal: ctx.signal } : {}) });
      ctx.run.apiCall(res.cost);
      if (res.ok) {
        await this.recordWritten(pending, ctx, now());
        sum.written += pending.length;
        return;
      }
      const failed = new Set<number>([...res.missing, ...res.stale, ...res.notStocked, ...res.other.map((o) => o.index).filter((i): i is number => i !== null)]);
      const next: Work[] = [];
      for (const idx of res.missing) await this.reportMissing(pending[idx]!, ctx, sum, now());
      for (const idx of res.notStocked) {
        const w = pending[idx]!;
        const id = `${w.item}|${w.q.locationId}`;
        if (!activated.has(id)) {
          activated.add(id);
          const a = await activateAt(this.env.shopify, w.item, w.q.locationId, jobIdFrom('stock.activate', ctx.jobId, w.item, w.q.locationId), ctx.lane ?? 'stock', ctx.signal);
          if (a.ok) {
            w.notStocked = false;
            w.known = 0;
            next.push(w);
            continue;
          }
          await ctx.run.record({ action: 'failed', entity: STOCK_ENTITY, sourceKey: w.c.variantKey, targetId: w.item, error: { code: 'STOCK_LOCATION_NOT_STOCKED', message: `SKU ${w.c.sku} is not stocked at ${w.q.locationName} and could not be stocked there: ${a.message}`, hint: `stock the product at ${w.q.locationName} in Shopify admin` } });
        }
      }
      const general = res.other.filter((o) => o.index === null);
      for (const o of res.other) {
        const targets = o.index === null ? pending : [pending[o.index]!];
        for (const w of targets) {
          failed.add(pending.indexOf(w));
          await ctx.run.record({ action: 'failed', entity: STOCK_ENTITY, sourceKey: w.c.variantKey, targetId: w.item, error: { code: 'STOCK_WRITE_REFUSED', message: `Shopify refused the stock of SKU ${w.c.sku} at ${w.q.locationName}: ${o.message}${o.code ? ` (${o.code})` : ''}`, hint: 'see the message; Koppel tries again on the next change' } });
        }
      }
      if (general.length) return;
      for (const idx of res.stale) {
        const w = pending[idx]!;
        const current = await this.state.variant(w.c.variantKey);
        if (current && current.computed_at > ctx.readAt) {
          sum.superseded++;
          continue;
        }
        const fresh = await readItemLevel(this.env.shopify, w.item, w.q.locationId, ctx.lane ?? 'stock', ctx.signal);
        if (!fresh) {
          await this.reportMissing(w, ctx, sum, now());
          continue;
        }
        const f = fresh.available;
        if (f === w.q.quantity) {
          sum.unchanged++;
          ctx.run.count('skipped');
          await this.state.putLevel(w.c.variantKey, w.q.locationId, { target: w.q.quantity, shopify_qty: f, shopify_seen_at: now(), pending_qty: null }, now());
          continue;
        }
        if (f !== null && f === prevPending.get(w)) {
          // Our own earlier write landed without being recorded: not a conflict.
          w.known = f;
          next.push(w);
          continue;
        }
        sum.conflicts++;
        w.conflict = { known: w.known, shopify: f };
        if (this.settings.conflictPolicy === 'ccv_wins') {
          w.known = f;
          w.notStocked = f === null;
          next.push(w);
          continue;
        }
        await this.state.putLevel(w.c.variantKey, w.q.locationId, { target: w.q.quantity, shopify_qty: f, shopify_seen_at: now(), pending_qty: null }, now());
        const keptFor = { ...w, level: w.level ? { ...w.level, shopify_qty: w.conflict.known } : undefined, known: f } as Work;
        await this.recordKept(keptFor, ctx, `Shopify's available at ${w.q.locationName} changed from ${w.conflict.known} to ${f} since Koppel last wrote it; CCV's formula gives ${w.q.quantity}`);
      }
      pending.forEach((w, i) => {
        if (!failed.has(i)) next.push(w);
      });
      pending = next;
    }
  }

  private async recordWritten(ws: readonly Work[], ctx: ApplyContext, now: number): Promise<void> {
    await this.state.tx(async (s) => {
      for (const w of ws) {
        await s.putLevel(w.c.variantKey, w.q.locationId, {
          inventory_item: w.item, target: w.q.quantity, shopify_qty: w.q.quantity, shopify_seen_at: now, pending_qty: null, pushed_at: now,
          ...(w.tracked === null ? {} : { shopify_tracked: w.tracked ? 1 : 0 }),
        }, now);
      }
    });
    for (const w of ws) {
      const parts = [`${ctx.trigger}: ${w.q.describe}`];
      if (w.c.notes.length) parts.push(w.c.notes.join('; '));
      if (w.conflict) parts.push(`conflict: Shopify's figure changed from ${w.conflict.known} to ${w.conflict.shopify} since Koppel last wrote it (not by Koppel); CCV wins (conflictPolicy ccv_wins)`);
      else if (w.drift) parts.push(`drift: Shopify had ${w.known}, Koppel last knew ${w.level?.shopify_qty}`);
      await ctx.run.record({
        action: 'updated', entity: STOCK_ENTITY, sourceKey: w.c.variantKey, targetId: w.item,
        diff: [{ path: `available@${w.q.locationName}`, before: w.notStocked ? null : w.known, after: w.q.quantity }],
        message: parts.join(' — '),
      });
    }
  }
}

function isSkuProblem(code: string | null): boolean {
  return code === 'STOCK_SKU_UNKNOWN' || code === 'STOCK_SKU_AMBIGUOUS' || code === 'STOCK_LINK_CONFLICT';
}

interface ProductsFlowRefusal {
  action: 'quarantined' | 'failed';
  code: string;
  message: string;
  hint: string | null;
}

function skuProblem(c: VariantComputation, res: Exclude<Resolution, { kind: 'item' }>, refused?: ProductsFlowRefusal): ProblemNote {
  const who = `SKU ${c.sku} (CCV variant ${c.variantKey})`;
  switch (res.kind) {
    case 'unknown':
      if (refused) {
        return {
          code: 'STOCK_SKU_UNKNOWN', key: `STOCK_SKU_UNKNOWN|${c.sku}`, action: 'quarantined',
          message: `${who} is not in Shopify: the products flow ${refused.action === 'failed' ? 'failed to create' : 'did not create'} CCV product ${c.productId} (${refused.code}: ${refused.message})`,
          hint: `${refused.hint ?? 'see koppel log --flow products --key ' + String(c.productId)}; the stock follows once the product is in Shopify`,
        };
      }
      return {
        code: 'STOCK_SKU_UNKNOWN', key: `STOCK_SKU_UNKNOWN|${c.sku}`, action: 'quarantined',
        message: `${who} is not in Shopify: no Shopify variant has exactly this SKU and the products flow has not linked one${res.truncated ? ' (the search also returned many similar SKUs)' : ''}`,
        hint: `create the product in Shopify with SKU ${c.sku} (the products flow does that), or correct the SKU in CCV; this is reported once and picked up as soon as the SKU exists`,
      };
    case 'ambiguous':
      return {
        code: 'STOCK_SKU_AMBIGUOUS', key: `STOCK_SKU_AMBIGUOUS|${c.sku}`, action: 'quarantined',
        message: `${who} is on ${res.variantIds.length} Shopify variants (${res.variantIds.join(', ')}); Koppel does not guess which one gets the stock`,
        hint: `make SKU ${c.sku} unique in Shopify (or let the products flow link the right variant)`,
      };
    case 'link_conflict':
      return { code: 'STOCK_LINK_CONFLICT', key: `STOCK_LINK_CONFLICT|${c.sku}`, action: 'quarantined', message: `${who}: ${res.message}`, hint: 'two CCV variants share this SKU: make SKUs unique in CCV' };
  }
}

