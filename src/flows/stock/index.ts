/**
 * The stock flow, CCV → Shopify: `stockFlow` (FlowModule) for `koppel start`/`worker`/`sync`, and
 * `receiveCcvProductWebhook` for the server's CCV webhook route. See docs/stock.md.
 *
 * Jobs (all on the CCV and/or Shopify lanes; keys make them coalesce):
 * - `stock.poll` (every signals.ordersEvery, 5 s): new CCV orders → `stock.product` per product;
 * - `stock.product` (key `product:<id>`): re-read one product's stock, push what changed;
 * - `stock.delta` (every signals.modifydateEvery, 15 s): products changed by modifydate;
 * - `stock.sweep` (a chain, one page per job, at most sweep.share of the GET budget);
 * - `stock.reconcile` (hourly): every SKU against Shopify, drift repaired and reported.
 */
import { createHash, randomUUID } from 'node:crypto';
import { stockSettings, type StockSettings } from '../../config/stock.js';
import { parseProductWebhook, verifyCcvWebhook } from '../../connectors/ccv/read/stock.js';
import type { InboxJob, ReceiveResult, WebhookInbox } from '../../engine/inbox.js';
import { jobIdFrom } from '../../engine/runtime/ids.js';
import type { JobContext, JobRuntime, ScheduleSpec } from '../../engine/runtime/port.js';
import { LANES, type FlowEnv } from '../env.js';
import type { FlowModule, FlowReport, FlowSyncOptions } from '../module.js';
import type { PlannedChange } from './apply.js';
import { DIRECTION } from './apply.js';
import { compileLocationFormulas } from './compute.js';
import { LazyRun } from './lazy-run.js';
import { FLOW, JOBS, StockService, STREAMS } from './service.js';

export { StockService, sweepBound, JOBS, STREAMS } from './service.js';
export type { PlannedChange } from './apply.js';

const BOTH = [LANES.ccv, LANES.shopify] as const;

function intField(data: unknown, field: string, job: string): number {
  const v = (data as Record<string, unknown> | null)?.[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new TypeError(`${job}: ${field} must be a positive whole number, got ${JSON.stringify(v)}`);
  return v;
}

function triggerOf(data: unknown, fallback: string): string {
  const t = (data as Record<string, unknown> | null)?.trigger;
  return typeof t === 'string' && /^[a-z_-]{1,30}$/.test(t) ? t : fallback;
}

/** The job a CCV product webhook (or anything else that knows a product changed) enqueues. */
export function stockProductJob(productId: number, trigger = 'webhook'): InboxJob {
  return { name: JOBS.product, data: { productId, trigger }, key: `product:${productId}`, lanes: [...BOTH] };
}

async function withRun<T>(env: FlowEnv, ctx: JobContext, trigger: string, eager: boolean, fn: (run: LazyRun) => Promise<T>): Promise<T> {
  const run = new LazyRun(env, { flow: FLOW, direction: DIRECTION, trigger, jobId: ctx.jobId }, eager);
  try {
    const out = await fn(run);
    await run.finish();
    return out;
  } catch (e) {
    await run.finish(e).catch(() => undefined);
    throw e;
  }
}

export function defineStockJobs(runtime: JobRuntime, env: FlowEnv, settings: StockSettings = stockSettings(env.config.flows)): StockService {
  // A formula that does not parse is a configuration error: say so at start, not at the first sale.
  if (settings.enabled) compileLocationFormulas(settings);
  const svc = new StockService(env, settings, runtime);
  const op = (ctx: JobContext, run: LazyRun, trigger: string) => ({ jobId: ctx.jobId, trigger, run, signal: ctx.signal });

  runtime.define({
    name: JOBS.poll,
    perKey: 'coalesce',
    lanes: () => [LANES.ccv],
    handler: (_d, ctx) =>
      withRun(env, ctx, 'schedule', false, async (run) => {
        await svc.pollOrders(op(ctx, run, 'order'));
        // Schedules first fire one interval after they are installed; the sweep chain should not wait
        // for its watchdog after a (re)start, so the frequent poll starts it when it is not running.
        if (settings.sweep.enabled && (await svc.sweepIdle())) await runtime.enqueue(JOBS.sweep, {}, { key: 'sweep', lanes: [...BOTH] });
      }),
  });

  runtime.define<{ productId: number; trigger: string }>({
    name: JOBS.product,
    perKey: 'coalesce',
    lanes: () => [...BOTH],
    parse: (d) => ({ productId: intField(d, 'productId', JOBS.product), trigger: triggerOf(d, 'signal') }),
    handler: (d, ctx) => withRun(env, ctx, d.trigger, false, (run) => svc.refreshProduct(d.productId, op(ctx, run, d.trigger)).then(() => undefined)),
  });

  runtime.define({
    name: JOBS.delta,
    perKey: 'coalesce',
    lanes: () => [...BOTH],
    handler: (_d, ctx) => withRun(env, ctx, 'schedule', false, (run) => svc.delta(op(ctx, run, 'modifydate')).then(() => undefined)),
  });

  runtime.define({
    name: JOBS.sweep,
    perKey: 'coalesce',
    lanes: () => [...BOTH],
    handler: (_d, ctx) =>
      withRun(env, ctx, 'sweep', false, async (run) => {
        if (!settings.sweep.enabled) return;
        if (await svc.needsFirstReconcile()) {
          // The first pass reads Shopify in pages of 250 instead of item by item: let the reconcile do it.
          // One id: the sweep asks on every page until then, and this must not queue a reconcile each time.
          await runtime.enqueue(JOBS.reconcile, { trigger: 'startup' }, { key: 'reconcile', lanes: [...BOTH], id: jobIdFrom('stock.reconcile.first', env.pair) });
          return;
        }
        const r = await svc.sweepPage(op(ctx, run, 'sweep'));
        await env.checkpoints.commitAfter({ flow: FLOW, stream: STREAMS.sweep, cursor: JSON.stringify(r.cursor) }, async (tx) => {
          await runtime.enqueue(JOBS.sweep, {}, { key: 'sweep', lanes: [...BOTH], ...(r.delayMs > 0 ? { delayMs: r.delayMs } : {}), tx });
        }, env.now());
      }),
  });

  runtime.define({
    name: JOBS.reconcile,
    perKey: 'coalesce',
    lanes: () => [...BOTH],
    handler: (d, ctx) =>
      withRun(env, ctx, triggerOf(d, 'schedule'), true, async (run) => {
        // `state`: `koppel sync stock` without --full (or the pass a products run queues), against what
        // Koppel last pushed; its activity names what queued it (`manual`, `startup`, `products`).
        const mode = (d as { mode?: unknown }).mode === 'state' ? 'state' : 'reconcile';
        const t = await svc.fullPass({ ...op(ctx, run, mode === 'state' ? triggerOf(d, 'manual') : 'reconcile'), mode });
        ctx.log.info({ flow: FLOW, mode, products: t.products, shopifyLevels: t.shopifyLevels, written: t.written, conflicts: t.conflicts, problems: t.problems, awaitingProducts: t.awaitingProducts }, 'stock full pass done');
      }),
  });
  return svc;
}

export function stockSchedules(settings: StockSettings): ScheduleSpec[] {
  if (!settings.enabled) return [];
  const out: ScheduleSpec[] = [
    { name: `${JOBS.poll}:${LANES.ccv}`, job: JOBS.poll, every: settings.signals.ordersEvery, key: 'poll', lanes: [LANES.ccv] },
    { name: `${JOBS.reconcile}:${LANES.ccv}`, job: JOBS.reconcile, ...(settings.schedule ? { cron: settings.schedule } : { every: settings.reconcile.every }), key: 'reconcile', lanes: [...BOTH], data: { trigger: 'schedule' } },
  ];
  if (settings.signals.modifydateEvery !== 'off') out.push({ name: `${JOBS.delta}:${LANES.ccv}`, job: JOBS.delta, every: settings.signals.modifydateEvery, key: 'delta', lanes: [...BOTH] });
  // The sweep is a chain of jobs; this schedule only restarts it if the chain ever stops.
  if (settings.sweep.enabled) out.push({ name: `${JOBS.sweep}:${LANES.ccv}`, job: JOBS.sweep, every: settings.sweep.minCycle, key: 'sweep', lanes: [...BOTH] });
  return out;
}

function changeLine(p: PlannedChange): string {
  const from = p.from === null ? 'not stocked' : String(p.from);
  const inputs = [`stock ${p.rawStock ?? '—'}`, `reserved ${p.reserved}`, ...p.notes].join(', ');
  return `  ${p.sku.padEnd(24)} ${p.locationName}: ${from} → ${p.to}  (${p.reason}; ${p.describe}; ${inputs})`;
}

export const stockFlow: FlowModule = {
  name: 'stock',
  define(runtime, env) {
    defineStockJobs(runtime, env);
  },
  schedules(env) {
    return stockSchedules(stockSettings(env.config.flows));
  },
  enqueue(runtime, opts) {
    return runtime.enqueue(JOBS.reconcile, { trigger: opts.trigger, mode: opts.mode === 'full' ? 'reconcile' : 'state' }, { key: 'reconcile', lanes: [...BOTH] });
  },
  async sync(env: FlowEnv, opts: FlowSyncOptions): Promise<FlowReport> {
    const settings = stockSettings(env.config.flows);
    const svc = new StockService(env, settings);
    const run = new LazyRun(env, { flow: FLOW, direction: DIRECTION, trigger: opts.trigger, ...(opts.jobId ? { jobId: opts.jobId } : {}), dryRun: opts.dryRun, ...(opts.progress ? { progress: opts.progress } : {}) }, true);
    const mode = opts.mode === 'full' ? 'reconcile' : 'state';
    try {
      const flowRun = await run.get();
      const total = await svc.fullPass({ jobId: opts.jobId ?? flowRun.id, trigger: 'manual', run, dryRun: opts.dryRun, mode, ...(opts.signal ? { signal: opts.signal } : {}) });
      const record = (await run.finish())!;
      const lines = [
        `stock ${opts.dryRun ? 'plan (dry run: nothing written)' : 'sync'}, ${mode === 'reconcile' ? 'compared with Shopify now' : 'compared with what Koppel last pushed'}: ${total.products} CCV products`,
        `  ${total.planned.length} quantit${total.planned.length === 1 ? 'y' : 'ies'} ${opts.dryRun ? 'would change' : 'changed'}, ${total.unchanged} unchanged, ${total.conflicts} conflict(s), ${total.problems} problem(s)`,
        ...(total.planned.length ? ['', `  ${'SKU'.padEnd(24)} location: Shopify now → new  (why; formula; inputs)`, ...total.planned.slice(0, 500).map(changeLine)] : []),
        ...(total.planned.length > 500 ? [`  … and ${total.planned.length - 500} more (use --json)`] : []),
      ];
      return { run: record, lines, data: { mode, dryRun: opts.dryRun, products: total.products, shopifyLevels: total.shopifyLevels, unchanged: total.unchanged, conflicts: total.conflicts, problems: total.problems, changes: total.planned } };
    } catch (e) {
      await run.finish(e).catch(() => undefined);
      throw e;
    }
  },
};

export interface CcvWebhookDelivery {
  rawBody: string;
  /** The delivery's `x-hash` header. */
  hash: string | null;
  /** The address CCV posts to (part of what it signs): exactly as registered. */
  address: string;
  /** Keys of the registered CCV webhooks (CCV returns one per webhook when it is created). */
  keys: readonly string[];
  source?: string;
  receivedAt?: number;
}

/**
 * What the server's CCV webhook route calls: verify the signature, record the delivery (id, topic,
 * product id and a hash of the body; never the body) and enqueue the product's stock refresh, which
 * coalesces with one already waiting, so a burst or a re-delivery costs one refresh.
 * `products.deleted` is recorded without work (the products flow handles deletions).
 */
export async function receiveCcvProductWebhook(inbox: WebhookInbox, d: CcvWebhookDelivery): Promise<ReceiveResult> {
  const parsed = parseProductWebhook(d.rawBody);
  const digest = createHash('sha256').update(d.rawBody, 'utf8').digest('hex');
  const receivedAt = d.receivedAt ?? Date.now();
  // CCV sends no delivery id, and two changes of a product within a second have the same body: every
  // receipt is kept (never a lost change); repeats coalesce with the refresh already waiting.
  return inbox.receive({
    source: d.source ?? LANES.ccv,
    deliveryId: `${parsed?.event ?? 'unknown'}:${digest}:${receivedAt}:${randomUUID()}`,
    topic: parsed?.event ?? 'unknown',
    verify: () => d.keys.some((k) => verifyCcvWebhook(k, d.address, d.rawBody, d.hash)),
    ...(parsed ? { resourceId: String(parsed.productId) } : {}),
    payloadHash: digest,
    job: parsed && parsed.event !== 'products.deleted' ? stockProductJob(parsed.productId, 'webhook') : null,
    receivedAt,
  });
}
