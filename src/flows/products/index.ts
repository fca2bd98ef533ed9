/** The products flow as a FlowModule: one job (delta or full), two schedules, and `koppel sync products`. */
import { z } from 'zod';
import { LANES } from '../env.js';
import type { FlowModule } from '../module.js';
import { stockFlow } from '../stock/index.js';
import { syncProducts } from './sync.js';

export const PRODUCTS_JOB = 'products.sync';

const JobData = z.strictObject({ mode: z.enum(['delta', 'full']).default('delta'), trigger: z.string().max(30).default('schedule') });
const LANES_USED = [LANES.ccv, LANES.shopify];
/** Products created in one run from which the stock pass that follows is a reconcile. */
const RECONCILE_STOCK_AFTER = 250;

/**
 * The stock pass a products run calls for: none when it changed nothing; after a few new products a
 * pass against what Koppel last pushed (it reads each new item's level); after many (a first load) a
 * reconcile, which reads the location's levels 250 per call instead of one per item.
 */
export function stockPassAfter(counts: { created: number; updated: number }): 'delta' | 'full' | undefined {
  if (counts.created + counts.updated === 0) return undefined;
  return counts.created >= RECONCILE_STOCK_AFTER ? 'full' : 'delta';
}

export const productsFlow: FlowModule = {
  name: 'products',
  define(runtime, env) {
    runtime.define<z.infer<typeof JobData>>({
      name: PRODUCTS_JOB,
      parse: (d) => JobData.parse(d),
      perKey: 'coalesce',
      lanes: () => LANES_USED,
      retry: { maxAttempts: 5, initialDelayMs: 30_000 },
      handler: async (data, ctx) => {
        const report = await syncProducts(env, { dryRun: false, trigger: data.trigger, mode: data.mode, jobId: ctx.jobId, signal: ctx.signal });
        // Variants created or linked now get their stock at once (coalesces with a stock pass already
        // waiting). Until the first products run, the stock flow leaves unlinked variants to it.
        const mode = env.config.flows.stock.enabled ? stockPassAfter(report.run.counts) : undefined;
        if (mode) await stockFlow.enqueue!(runtime, { mode, trigger: 'products' });
      },
    });
  },
  schedules(env) {
    const s = env.config.flows.products;
    if (!s.enabled) return [];
    return [
      { name: 'products.delta', job: PRODUCTS_JOB, data: { mode: 'delta' }, key: 'products', cron: s.schedule, lanes: LANES_USED },
      { name: 'products.reconcile', job: PRODUCTS_JOB, data: { mode: 'full' }, key: 'products', cron: s.reconcile, lanes: LANES_USED },
    ];
  },
  sync: syncProducts,
  enqueue: (runtime, o) => runtime.enqueue(PRODUCTS_JOB, { mode: o.mode, trigger: o.trigger }, { key: 'products', lanes: LANES_USED }),
};
