import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KoppelError } from '../core/errors.js';
import { openEngineStore } from '../../test/engine/support.js';
import { dialectCases, type TestStore } from '../../test/support/db.js';
import { RunRepository } from './runs.js';

for (const d of dialectCases()) {
  describe.skipIf(d.skip)(`RunRepository [${d.name}]`, () => {
    let store: TestStore;
    let runs: RunRepository;
    beforeEach(async () => {
      store = await openEngineStore(d.name);
      runs = new RunRepository(store.db);
    });
    afterEach(async () => store.dispose());

    it('records counts per action, duration, API cost, throttle waits and errors', async () => {
      const run = await runs.start({ flow: 'products', trigger: 'schedule', jobId: '00000000-0000-4000-8000-000000000001' }, 10_000);
      run.count('created', 3);
      run.count('updated');
      run.count('skipped', 10);
      run.apiCall(12);
      run.apiCall(7.6);
      run.throttled(350);
      await run.flush(11_000);
      const live = await runs.get(run.id);
      expect(live).toMatchObject({ status: 'running', counts: { created: 3, updated: 1, skipped: 10, quarantined: 0, failed: 0 }, apiCalls: 2, apiCost: 20, finishedAt: null });
      const done = await run.finish({}, 12_500);
      expect(done).toMatchObject({
        flow: 'products',
        trigger: 'schedule',
        status: 'succeeded',
        durationMs: 2500,
        apiCalls: 2,
        apiCost: 20,
        throttleWaits: 1,
        throttleWaitMs: 350,
        errors: 0,
        error: null,
        jobId: '00000000-0000-4000-8000-000000000001',
      });
      await expect(run.finish()).rejects.toMatchObject({ code: 'RUN_FINISHED' });
    });

    it('derives the status: partial with quarantined records, failed with an error', async () => {
      const partial = await runs.start({ flow: 'stock', trigger: 'webhook' });
      partial.count('quarantined');
      expect((await partial.finish()).status).toBe('partial');
      const failed = await runs.start({ flow: 'orders', trigger: 'manual' });
      failed.error();
      const rec = await failed.finish({ error: new KoppelError({ code: 'CCV_AUTH', message: 'the CCV API key was refused' }) });
      expect(rec).toMatchObject({ status: 'failed', errors: 1, error: { code: 'CCV_AUTH', message: 'the CCV API key was refused' } });
      const cancelled = await runs.start({ flow: 'orders', trigger: 'manual', dryRun: true });
      expect(await cancelled.finish({ status: 'cancelled' })).toMatchObject({ status: 'cancelled', dryRun: true });
    });

    it('a run whose job was stopped and handed back is abandoned, not failed; a job timeout is a failure', async () => {
      const stopped = await runs.start({ flow: 'products', trigger: 'startup' });
      expect(await stopped.finish({ error: new KoppelError({ code: 'JOB_ABORTED_STOP', message: 'job aborted (stop)' }) })).toMatchObject({ status: 'abandoned' });
      const timedOut = await runs.start({ flow: 'products', trigger: 'schedule' });
      expect(await timedOut.finish({ error: new KoppelError({ code: 'JOB_ABORTED_TIMEOUT', message: 'job aborted (timeout)' }) })).toMatchObject({ status: 'failed' });
    });

    it('lists newest first by flow and status, with cursor paging', async () => {
      for (let i = 0; i < 7; i++) {
        const r = await runs.start({ flow: i % 2 ? 'stock' : 'products', trigger: 'schedule', id: `run-${i}` }, 1000 + i * 100);
        if (i < 6) await r.finish({}, 1050 + i * 100);
      }
      expect((await runs.list()).items.map((r) => r.id)).toEqual(['run-6', 'run-5', 'run-4', 'run-3', 'run-2', 'run-1', 'run-0']);
      expect((await runs.list({ flow: 'stock' })).items.map((r) => r.id)).toEqual(['run-5', 'run-3', 'run-1']);
      expect((await runs.list({ status: 'running' })).items.map((r) => r.id)).toEqual(['run-6']);
      const p1 = await runs.list({ limit: 4 });
      const p2 = await runs.list({ limit: 4, cursor: p1.nextCursor });
      expect([...p1.items, ...p2.items].map((r) => r.id)).toEqual(['run-6', 'run-5', 'run-4', 'run-3', 'run-2', 'run-1', 'run-0']);
      expect(p2.nextCursor).toBeUndefined();
      await expect(runs.list({ cursor: 'x' })).rejects.toMatchObject({ code: 'RUN_QUERY_INVALID' });
    });

    it('marks runs whose process stopped reporting as abandoned', async () => {
      const stale = await runs.start({ flow: 'products', trigger: 'schedule' }, 1000);
      const fresh = await runs.start({ flow: 'stock', trigger: 'schedule' }, 1000);
      await fresh.flush(100_000);
      expect(await runs.abandonStale(60_000, 100_000)).toBe(1);
      expect((await runs.get(stale.id))?.status).toBe('abandoned');
      expect((await runs.get(fresh.id))?.status).toBe('running');
    });
  });
}
