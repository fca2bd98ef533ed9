import { describe, expect, it } from 'vitest';
import type { JobDefinition, JobRuntime } from '../../engine/runtime/port.js';
import type { FlowEnv } from '../env.js';
import { CATEGORIES_JOB, categoriesFlow } from './index.js';

const envWith = (categories: unknown) => ({ config: { flows: { categories, products: { publishTo: ['Online Store'], categoryTags: true } } } }) as unknown as FlowEnv;

describe('categoriesFlow (FlowModule)', () => {
  it('schedules a delta and a reconcile run on the CCV and Shopify lanes when enabled, nothing when not', () => {
    expect(categoriesFlow.schedules(envWith({ enabled: false }))).toEqual([]);
    const specs = categoriesFlow.schedules(envWith({ enabled: true, schedule: '*/30 * * * *' }));
    expect(specs).toEqual([
      { name: 'categories.delta', job: CATEGORIES_JOB, data: { mode: 'delta' }, key: 'categories', cron: '*/30 * * * *', lanes: ['ccv:main', 'shopify:main'] },
      { name: 'categories.reconcile', job: CATEGORIES_JOB, data: { mode: 'full' }, key: 'categories', cron: '35 3 * * *', lanes: ['ccv:main', 'shopify:main'] },
    ]);
  });

  it('defines the categories.sync job with coalescing per key and both lanes', () => {
    const defined: JobDefinition<{ mode: string; trigger: string }>[] = [];
    const runtime = { define: (d: JobDefinition<{ mode: string; trigger: string }>) => defined.push(d) } as unknown as JobRuntime;
    categoriesFlow.define(runtime, envWith({}));
    expect(defined).toHaveLength(1);
    const job = defined[0]!;
    expect(job.name).toBe('categories.sync');
    expect(job.perKey).toBe('coalesce');
    expect(job.parse!({})).toEqual({ mode: 'delta', trigger: 'schedule' });
    expect(() => job.parse!({ mode: 'everything' })).toThrow();
    expect(job.lanes!({ mode: 'delta', trigger: 'manual' })).toEqual(['ccv:main', 'shopify:main']);
    expect(categoriesFlow.name).toBe('categories');
  });

  it('koppel sync categories queues the same job, keyed so it never overlaps a scheduled run', async () => {
    const calls: unknown[][] = [];
    const runtime = { enqueue: async (...args: unknown[]) => { calls.push(args); return { id: 'j1', status: 'queued' }; } } as unknown as JobRuntime;
    await categoriesFlow.enqueue!(runtime, { mode: 'full', trigger: 'manual' });
    expect(calls).toEqual([['categories.sync', { mode: 'full', trigger: 'manual' }, { key: 'categories', lanes: ['ccv:main', 'shopify:main'] }]]);
  });
});
