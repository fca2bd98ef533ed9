/**
 * The job runtime port's conformance suite, part 1 (jobs): every behaviour here must hold on both
 * adapters. Part 2 is conformance-lifecycle.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KoppelError } from '../../src/core/errors.js';
import { jobIdFrom, type JobContext } from '../../src/engine/runtime/index.js';
import { openHarness, runtimeCases, sleep, type RuntimeHarness } from './support.js';

const transient = (msg = 'connection reset') => new KoppelError({ code: 'TEST_TRANSIENT', message: msg, errorClass: 'transient' });
const permanent = () =>
  new KoppelError({ code: 'TEST_INVALID', message: 'SKU X appears twice', hint: 'make the SKU unique', errorClass: 'invalid_input' });

for (const c of runtimeCases()) {
  describe.skipIf(c.skip)(`job runtime conformance [${c.name}]`, () => {
    let h: RuntimeHarness;
    beforeEach(async () => {
      h = await openHarness(c);
    });
    afterEach(async () => h.dispose());

    it('runs a job with its data and a context carrying the persisted id, attempt, key, lanes, signal and logger', async () => {
      const rt = h.runtime();
      const seen: Array<{ data: unknown; ctx: JobContext }> = [];
      rt.define<{ sku: string }>({ name: 'stock.push', handler: async (data, ctx) => void seen.push({ data, ctx }) });
      await rt.start();
      const { id, status } = await rt.enqueue('stock.push', { sku: 'A-1' }, { key: 'stock:A-1', lanes: ['shopify:main'] });
      expect(status).toBe('queued');
      const done = await rt.waitFor(id, { timeoutMs: 8000 });
      expect(done.state).toBe('completed');
      expect(done.attempt).toBe(1);
      expect(seen).toHaveLength(1);
      const s = seen[0]!;
      expect(s.data).toEqual({ sku: 'A-1' });
      expect(s.ctx.jobId).toBe(id);
      expect(s.ctx.attempt).toBe(1);
      expect(s.ctx.key).toBe('stock:A-1');
      expect(s.ctx.lanes).toEqual(['shopify:main']);
      expect(s.ctx.signal.aborted).toBe(false);
      expect(typeof s.ctx.log.info).toBe('function');
      expect(rt.ownedLanes()).toEqual(c.name === 'embedded' ? ['*'] : ['shopify:main']);
    });

    it('rejects unknown jobs, bad data, bad ids and bad names with codes that say what to fix', async () => {
      const rt = h.runtime();
      rt.define({ name: 'a.job', handler: async () => {} });
      await expect(rt.enqueue('nope', {})).rejects.toMatchObject({ code: 'JOB_UNKNOWN' });
      await expect(rt.enqueue('a.job', [] as never)).rejects.toMatchObject({ code: 'JOB_DATA_INVALID' });
      await expect(rt.enqueue('a.job', { big: 'x'.repeat(70_000) })).rejects.toMatchObject({ code: 'JOB_DATA_TOO_LARGE' });
      await expect(rt.enqueue('a.job', {}, { id: 'not-a-uuid' })).rejects.toMatchObject({ code: 'JOB_ID_INVALID' });
      expect(() => rt.define({ name: 'Bad Name', handler: async () => {} })).toThrow(expect.objectContaining({ code: 'JOB_NAME_INVALID' }));
      expect(() => rt.define({ name: 'a.job', handler: async () => {} })).toThrow(/defined twice/);
    });

    it('enqueue with an explicit id is idempotent', async () => {
      const rt = h.runtime();
      let runs = 0;
      rt.define({ name: 'inbox.handle', handler: async () => void runs++ });
      const id = jobIdFrom('shopify', 'event-123');
      expect(await rt.enqueue('inbox.handle', {}, { id })).toEqual({ id, status: 'queued' });
      expect(await rt.enqueue('inbox.handle', {}, { id })).toEqual({ id, status: 'duplicate' });
      await rt.start();
      await rt.waitFor(id);
      expect(await rt.enqueue('inbox.handle', {}, { id })).toEqual({ id, status: 'duplicate' });
      await sleep(100);
      expect(runs).toBe(1);
    });

    it('runs one job at a time per key, in enqueue order, while different keys run in parallel', async () => {
      const rt = h.runtime({ concurrency: 8 });
      const active = new Map<string, number>();
      let maxPerKey = 0;
      let maxOverall = 0;
      let overall = 0;
      const order = new Map<string, number[]>();
      rt.define<{ key: string; n: number }>({
        name: 'per.key',
        handler: async ({ key, n }) => {
          const a = (active.get(key) ?? 0) + 1;
          active.set(key, a);
          overall++;
          maxPerKey = Math.max(maxPerKey, a);
          maxOverall = Math.max(maxOverall, overall);
          order.set(key, [...(order.get(key) ?? []), n]);
          await sleep(15);
          active.set(key, (active.get(key) ?? 1) - 1);
          overall--;
        },
      });
      const ids: string[] = [];
      for (let n = 0; n < 6; n++) {
        for (const key of ['a', 'b', 'c', 'd']) ids.push((await rt.enqueue('per.key', { key, n }, { key })).id);
      }
      await rt.start();
      for (const id of ids) expect((await rt.waitFor(id, { timeoutMs: 10_000 })).state).toBe('completed');
      expect(maxPerKey).toBe(1);
      expect(maxOverall).toBeGreaterThan(1);
      for (const key of ['a', 'b', 'c', 'd']) expect(order.get(key)).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('coalesces a waiting job per key for jobs defined with perKey coalesce', async () => {
      const rt = h.runtime();
      let runs = 0;
      rt.define({ name: 'stock.sync-sku', perKey: 'coalesce', handler: async () => void runs++ });
      const first = await rt.enqueue('stock.sync-sku', { sku: 'A' }, { key: 'A' });
      const second = await rt.enqueue('stock.sync-sku', { sku: 'A' }, { key: 'A' });
      const other = await rt.enqueue('stock.sync-sku', { sku: 'B' }, { key: 'B' });
      expect(first.status).toBe('queued');
      expect(second).toEqual({ id: first.id, status: 'coalesced' });
      expect(other.status).toBe('queued');
      await rt.start();
      await rt.waitFor(first.id);
      await rt.waitFor(other.id);
      expect(runs).toBe(2);
      // Once the waiting job has run, a new enqueue queues again.
      expect((await rt.enqueue('stock.sync-sku', { sku: 'A' }, { key: 'A' })).status).toBe('queued');
    });

    it('does not start a delayed job before its time', async () => {
      const rt = h.runtime();
      let ranAt = 0;
      rt.define({ name: 'later', handler: async () => void (ranAt = Date.now()) });
      await rt.start();
      const t0 = Date.now();
      const { id } = await rt.enqueue('later', {}, { delayMs: 400 });
      await sleep(200);
      expect((await rt.getJob(id))?.state).toBe('queued');
      await rt.waitFor(id);
      expect(ranAt - t0).toBeGreaterThanOrEqual(380);
    });

    it('retries transient failures with backoff, keeping the job id, then succeeds', async () => {
      const rt = h.runtime();
      const attempts: Array<{ attempt: number; at: number; jobId: string }> = [];
      rt.define({
        name: 'flaky',
        retry: { maxAttempts: 5, initialDelayMs: 150, factor: 2, maxDelayMs: 1000, jitter: 0 },
        handler: async (_d, ctx) => {
          attempts.push({ attempt: ctx.attempt, at: Date.now(), jobId: ctx.jobId });
          if (ctx.attempt < 3) throw transient();
        },
      });
      await rt.start();
      const { id } = await rt.enqueue('flaky', {});
      const done = await rt.waitFor(id, { timeoutMs: 10_000 });
      expect(done.state).toBe('completed');
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      expect(new Set(attempts.map((a) => a.jobId))).toEqual(new Set([id]));
      // Backoff: 150 ms, then 300 ms (no jitter).
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(140);
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(290);
    });

    it('parks a permanent failure at once, lists it with its error, and replays it under the same id', async () => {
      const rt = h.runtime();
      let fail = true;
      const attempts: number[] = [];
      rt.define({
        name: 'products.push',
        handler: async (_d, ctx) => {
          attempts.push(ctx.attempt);
          if (fail) throw permanent();
        },
      });
      await rt.start();
      const { id } = await rt.enqueue('products.push', { product: 555 }, { key: 'p:555' });
      const parked = await rt.waitFor(id);
      expect(parked.state).toBe('parked');
      expect(parked.error).toMatchObject({ code: 'TEST_INVALID', hint: 'make the SKU unique', errorClass: 'invalid_input' });
      expect(attempts).toEqual([1]);
      const list = await rt.listParked();
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ id, name: 'products.push', key: 'p:555', data: { product: 555 }, attempts: 1, error: { code: 'TEST_INVALID', message: 'SKU X appears twice' } });
      fail = false;
      expect(await rt.replay(id)).toEqual({ status: 'replayed' });
      const done = await rt.waitFor(id);
      expect(done.state).toBe('completed');
      expect(attempts).toEqual([1, 2]);
      expect(await rt.listParked()).toEqual([]);
      expect(await rt.replay(id)).toEqual({ status: 'missing' });
    });

    it('parks a job whose transient failures use up its attempts; discard forgets it', async () => {
      const rt = h.runtime();
      let runs = 0;
      rt.define({
        name: 'always.down',
        retry: { maxAttempts: 3, initialDelayMs: 10, jitter: 0 },
        handler: async () => {
          runs++;
          throw new Error('ECONNREFUSED');
        },
      });
      await rt.start();
      const { id } = await rt.enqueue('always.down', {});
      const parked = await rt.waitFor(id, { timeoutMs: 8000 });
      expect(parked.state).toBe('parked');
      expect(runs).toBe(3);
      expect(parked.error).toMatchObject({ code: 'JOB_FAILED', message: 'ECONNREFUSED' });
      expect((await rt.listParked({ name: 'always.down' }))[0]).toMatchObject({ id, attempts: 3 });
      expect(await rt.listParked({ name: 'other' })).toEqual([]);
      expect(await rt.discard(id)).toBe(true);
      expect(await rt.listParked()).toEqual([]);
      expect(await rt.discard(id)).toBe(false);
    });

    it('a job classified as permanent by its definition is parked without retries', async () => {
      const rt = h.runtime();
      let runs = 0;
      rt.define({
        name: 'classified',
        classify: (e) => ((e as Error).message === 'fatal' ? 'park' : undefined),
        handler: async () => {
          runs++;
          throw new Error('fatal');
        },
      });
      await rt.start();
      const { id } = await rt.enqueue('classified', {});
      expect((await rt.waitFor(id)).state).toBe('parked');
      expect(runs).toBe(1);
    });

    it('aborts a job that exceeds its timeout and retries it as transient', async () => {
      const rt = h.runtime();
      const attempts: number[] = [];
      rt.define({
        name: 'slow',
        timeoutMs: 100,
        retry: { maxAttempts: 2, initialDelayMs: 10 },
        handler: async (_d, ctx) => {
          attempts.push(ctx.attempt);
          if (ctx.attempt === 1) {
            await new Promise<void>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
          }
        },
      });
      await rt.start();
      const { id } = await rt.enqueue('slow', {});
      expect((await rt.waitFor(id)).state).toBe('completed');
      expect(attempts).toEqual([1, 2]);
    });

    it('cancels a job that has not started', async () => {
      const rt = h.runtime();
      let runs = 0;
      rt.define({ name: 'cancel.me', handler: async () => void runs++ });
      const { id } = await rt.enqueue('cancel.me', {}, { delayMs: 200 });
      expect(await rt.cancel(id)).toBe(true);
      expect(await rt.cancel(id)).toBe(false);
      await rt.start();
      await sleep(400);
      expect(runs).toBe(0);
      expect((await rt.getJob(id))?.state).toBe('cancelled');
    });

    it('enqueues inside a store transaction: nothing on rollback, the job on commit', async () => {
      const rt = h.runtime();
      rt.define({ name: 'tx.job', handler: async () => {} });
      await rt.enqueue('tx.job', {}); // prepares the queue outside the transactions below
      let rolledBack: string | undefined;
      await h.store.db
        .transaction()
        .execute(async (tx) => {
          rolledBack = (await rt.enqueue('tx.job', {}, { tx })).id;
          throw new Error('rollback');
        })
        .catch(() => undefined);
      expect(await rt.getJob(rolledBack!)).toBeUndefined();
      const committed = await h.store.db.transaction().execute(async (tx) => (await rt.enqueue('tx.job', {}, { tx })).id);
      expect((await rt.getJob(committed))?.state).toBe('queued');
    });
  });
}
