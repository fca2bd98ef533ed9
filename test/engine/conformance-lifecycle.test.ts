/**
 * The job runtime port's conformance suite, part 2 (lifecycle: persistence, stop, schedules):
 * every behaviour here must hold on both adapters. Part 1 is conformance.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openHarness, runtimeCases, sleep, until, type RuntimeHarness } from './support.js';

for (const c of runtimeCases()) {
  describe.skipIf(c.skip)(`job runtime conformance, lifecycle [${c.name}]`, () => {
    let h: RuntimeHarness;
    beforeEach(async () => {
      h = await openHarness(c);
    });
    afterEach(async () => h.dispose());

    it('persists jobs: a runtime started later (a restart) runs what an earlier one enqueued', async () => {
      const producer = h.runtime();
      producer.define({ name: 'persisted', handler: async () => {} });
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await producer.enqueue('persisted', { i })).id);
      await producer.stop();
      const seen: number[] = [];
      const worker = h.runtime();
      worker.define<{ i: number }>({ name: 'persisted', handler: async ({ i }) => void seen.push(i) });
      await worker.start();
      for (const id of ids) await worker.waitFor(id);
      expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
    });

    it('graceful stop lets a running job finish within the grace period', async () => {
      const rt = h.runtime();
      rt.define({ name: 'finishing', handler: async () => sleep(200) });
      await rt.start();
      const { id } = await rt.enqueue('finishing', {});
      await until(() => rt.runningCount() === 1, 5000, 'job to start');
      await rt.stop({ graceMs: 5000 });
      expect((await rt.getJob(id))?.state).toBe('completed');
    });

    it('graceful stop aborts a job that outlasts the grace period and hands it back without spending an attempt', async () => {
      const rt = h.runtime();
      let aborted = false;
      rt.define({
        name: 'long',
        retry: { maxAttempts: 1 },
        handler: async (_d, ctx) => {
          await new Promise<void>((_, reject) =>
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              reject(ctx.signal.reason);
            }),
          );
        },
      });
      await rt.start();
      const { id } = await rt.enqueue('long', {});
      await until(() => rt.runningCount() === 1, 5000, 'job to start');
      await rt.stop({ graceMs: 100 });
      expect(aborted).toBe(true);
      const back = await rt.getJob(id);
      expect(back?.state).toBe('retry');
      expect(back?.attempt).toBe(1);
      expect(back?.maxAttempts).toBe(2);
      // The next worker runs it as attempt 2 (never reusing attempt 1) even though maxAttempts was 1.
      const next = h.runtime();
      const attempts: number[] = [];
      next.define({ name: 'long', retry: { maxAttempts: 1 }, handler: async (_d, ctx) => void attempts.push(ctx.attempt) });
      await next.start();
      expect((await next.waitFor(id)).state).toBe('completed');
      expect(attempts).toEqual([2]);
    });

    it('waitFor gives up with JOB_WAIT_TIMEOUT when no worker runs the job', async () => {
      const rt = h.runtime();
      rt.define({ name: 'nobody', handler: async () => {} });
      const { id } = await rt.enqueue('nobody', {});
      await expect(rt.waitFor(id, { timeoutMs: 100, pollMs: 20 })).rejects.toMatchObject({ code: 'JOB_WAIT_TIMEOUT' });
    });

    it('fires interval schedules exactly once per occurrence, with data, key and lanes', async () => {
      const rt = h.runtime();
      const runs: Array<{ data: unknown; key: string | null; lanes: readonly string[] }> = [];
      rt.define({ name: 'ccv.poll', handler: async (data, ctx) => void runs.push({ data, key: ctx.key, lanes: ctx.lanes }) });
      const info = await rt.schedule({ name: 'ccv.poll:main', job: 'ccv.poll', every: '150ms', data: { conn: 'ccv:main' }, key: 'poll', lanes: ['ccv:main'] });
      expect(info.everyMs).toBe(150);
      // Scheduling again unchanged keeps the next run time.
      expect((await rt.schedule({ name: 'ccv.poll:main', job: 'ccv.poll', every: '150ms', data: { conn: 'ccv:main' }, key: 'poll', lanes: ['ccv:main'] })).nextRunAt).toEqual(info.nextRunAt);
      await rt.start();
      await until(() => runs.length >= 3, 8000, 'three scheduled runs');
      expect(runs[0]).toEqual({ data: { conn: 'ccv:main' }, key: 'poll', lanes: ['ccv:main'] });
      expect(await rt.unschedule('ccv.poll:main')).toBe(true);
      await sleep(100);
      const n = runs.length;
      await sleep(400);
      expect(runs.length).toBe(n);
      expect(await rt.listSchedules()).toEqual([]);
    });

    it('fires cron schedules (with a seconds field) and checks cron expressions and intervals', async () => {
      const rt = h.runtime();
      let runs = 0;
      rt.define({ name: 'nightly', handler: async () => void runs++ });
      await expect(rt.schedule({ name: 'bad', job: 'nightly', cron: '61 * * * *' })).rejects.toMatchObject({ code: 'SCHEDULE_CRON_INVALID' });
      await expect(rt.schedule({ name: 'bad', job: 'nightly', cron: '* * *' })).rejects.toMatchObject({ code: 'SCHEDULE_CRON_INVALID' });
      await expect(rt.schedule({ name: 'bad', job: 'nightly', cron: '0 3 * * *', tz: 'Mars/Olympus' })).rejects.toMatchObject({ code: 'SCHEDULE_TIMEZONE_INVALID' });
      await expect(rt.schedule({ name: 'bad', job: 'nightly', every: 'often' })).rejects.toMatchObject({ code: 'SCHEDULE_INTERVAL_INVALID' });
      await expect(rt.schedule({ name: 'bad', job: 'nightly' })).rejects.toMatchObject({ code: 'SCHEDULE_KIND_INVALID' });
      await expect(rt.schedule({ name: 'bad', job: 'unknown', every: '1m' })).rejects.toMatchObject({ code: 'JOB_UNKNOWN' });
      const nightly = await rt.schedule({ name: 'reconcile', job: 'nightly', cron: '0 3 * * *', tz: 'Europe/Amsterdam' });
      expect(nightly.nextRunAt.getTime()).toBeGreaterThan(Date.now());
      expect(nightly.tz).toBe('Europe/Amsterdam');
      await rt.schedule({ name: 'every-second', job: 'nightly', cron: '* * * * * *' });
      await rt.start();
      await until(() => runs >= 1, 5000, 'a cron run');
      const list = await rt.listSchedules();
      expect(list.map((s) => s.name)).toEqual(['every-second', 'reconcile']);
      expect(list[0]!.lastJobId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('with two runtimes on one store, a schedule enqueues one job per occurrence', async () => {
      const runs: string[] = [];
      const make = () => {
        const rt = h.runtime();
        rt.define({ name: 'tick', handler: async (_d, ctx) => void runs.push(ctx.jobId) });
        return rt;
      };
      const a = make();
      await a.schedule({ name: 'tick', job: 'tick', every: '100ms' });
      const b = c.name === 'pgboss' ? make() : undefined;
      await a.start();
      if (b) await b.start();
      await sleep(700);
      await a.unschedule('tick');
      const rows = await h.store.db.selectFrom('job_schedule').selectAll().execute();
      expect(rows).toEqual([]);
      // ~7 occurrences in 700 ms; two tickers must not double them.
      expect(runs.length).toBeGreaterThanOrEqual(3);
      expect(runs.length).toBeLessThanOrEqual(8);
      expect(new Set(runs).size).toBe(runs.length);
    });
  });
}
