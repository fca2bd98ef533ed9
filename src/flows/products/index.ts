/** The products flow as a FlowModule: one job (delta or full), two schedules, and `koppel sync products`. */
import { z } from 'zod';
import { LANES } from '../env.js';
import type { FlowModule } from '../module.js';
import { stockFlow } from '../stock/index.js';
import { syncProducts } from './sync.js';

export const PRODUCTS_JOB = 'products.sync';

const JobData = z.strictObject({ mode: z.enum(['delta', 'full']).default('delta'), trigger: z.string().max(30).default('schedule') });
const LANES_USED = [LANES.ccv, LANES.shopify];

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
        // Variants created or linked now get their stock at once: a stock pass against what Koppel last
        // pushed (coalesces with one already waiting). Until the first products run, the stock flow leaves
        // unlinked variants to it.
        if (env.config.flows.stock.enabled && report.run.counts.created + report.run.counts.updated > 0) {
          await stockFlow.enqueue!(runtime, { mode: 'delta', trigger: 'products' });
        }
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
