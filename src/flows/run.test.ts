import { afterEach, describe, expect, it } from 'vitest';
import { KoppelError } from '../core/errors.js';
import { startWorld, type FlowWorld } from '../../test/support/flows.js';
import { FlowRun } from './run.js';

let world: FlowWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('FlowRun', () => {
  it('writes its counts while it runs, at least every 2 seconds, not only per 200 records', async () => {
    world = await startWorld({ ccv: { products: 1 } });
    let now = 1_000_000;
    const env = { ...world.env, now: () => now };
    const run = await FlowRun.start(env, { flow: 'products', direction: 'ccv_to_shopify', trigger: 'manual' });
    await run.record({ action: 'created', entity: 'product', sourceKey: '1' });
    now += 1500;
    await run.record({ action: 'created', entity: 'product', sourceKey: '2' });
    expect((await env.runs.get(run.id))!.counts.created).toBe(0);
    now += 500;
    await run.record({ action: 'created', entity: 'product', sourceKey: '3' });
    expect((await env.runs.get(run.id))!.counts.created).toBe(3);
    expect((await env.activity.query({ runId: run.id })).items).toHaveLength(3);
    await run.finish();
  });

  it('a record cut short by a stop that hands the job back is not a failure, and the run is abandoned', async () => {
    world = await startWorld({ ccv: { products: 1 } });
    const ac = new AbortController();
    const run = await FlowRun.start(world.env, { flow: 'categories', direction: 'ccv_to_shopify', trigger: 'schedule', signal: ac.signal });
    await run.record({ action: 'created', entity: 'category', sourceKey: '1' });
    ac.abort(new KoppelError({ code: 'JOB_ABORTED_STOP', message: 'job aborted (stop)' }));
    await run.record({ action: 'failed', entity: 'category', sourceKey: '2', error: { code: 'SHOPIFY_ABORTED', message: 'PublishToPublication was cancelled' } });
    const done = await run.finish(new KoppelError({ code: 'SHOPIFY_ABORTED', message: 'PublishToPublication was cancelled' }));
    expect(done.status).toBe('abandoned');
    expect(done.counts).toMatchObject({ created: 1, failed: 0 });
    expect((await world.env.activity.query({ runId: run.id, outcome: 'failed' })).items).toEqual([]);
  });

  it('a timeout is a failure', async () => {
    world = await startWorld({ ccv: { products: 1 } });
    const ac = new AbortController();
    const run = await FlowRun.start(world.env, { flow: 'categories', direction: 'ccv_to_shopify', trigger: 'schedule', signal: ac.signal });
    ac.abort(new KoppelError({ code: 'JOB_ABORTED_TIMEOUT', message: 'job aborted (timeout)' }));
    await run.record({ action: 'failed', entity: 'category', sourceKey: '2', error: { code: 'SHOPIFY_ABORTED', message: 'cancelled' } });
    expect((await run.finish(new KoppelError({ code: 'SHOPIFY_ABORTED', message: 'cancelled' }))).status).toBe('failed');
    expect((await world.env.activity.query({ runId: run.id, outcome: 'failed' })).items).toHaveLength(1);
  });
});
