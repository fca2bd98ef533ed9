/** The categories flow as a FlowModule: one job (delta or full), two schedules, `koppel sync categories` (enqueued as that job). */
import { z } from 'zod';
import { categoriesSettings } from '../../config/categories.js';
import { LANES } from '../env.js';
import type { FlowModule } from '../module.js';
import { syncCategories } from './sync.js';

export const CATEGORIES_JOB = 'categories.sync';

const JobData = z.strictObject({ mode: z.enum(['delta', 'full']).default('delta'), trigger: z.string().max(30).default('schedule') });
const LANES_USED = [LANES.ccv, LANES.shopify];

export const categoriesFlow: FlowModule = {
  name: 'categories',
  define(runtime, env) {
    runtime.define<z.infer<typeof JobData>>({
      name: CATEGORIES_JOB,
      parse: (d) => JobData.parse(d),
      perKey: 'coalesce',
      lanes: () => LANES_USED,
      retry: { maxAttempts: 5, initialDelayMs: 30_000 },
      handler: async (data, ctx) => {
        await syncCategories(env, { dryRun: false, trigger: data.trigger, mode: data.mode, jobId: ctx.jobId, signal: ctx.signal });
      },
    });
  },
  schedules(env) {
    const s = categoriesSettings(env.config.flows);
    if (!s.enabled) return [];
    return [
      { name: 'categories.delta', job: CATEGORIES_JOB, data: { mode: 'delta' }, key: 'categories', cron: s.schedule, lanes: LANES_USED },
      { name: 'categories.reconcile', job: CATEGORIES_JOB, data: { mode: 'full' }, key: 'categories', cron: s.reconcile, lanes: LANES_USED },
    ];
  },
  sync: syncCategories,
  enqueue: (runtime, o) => runtime.enqueue(CATEGORIES_JOB, { mode: o.mode, trigger: o.trigger }, { key: 'categories', lanes: LANES_USED }),
};

export { syncCategories, type CategoryPlanItem } from './sync.js';
