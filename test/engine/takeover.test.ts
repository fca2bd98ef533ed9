/**
 * A worker that vanished mid-job (no heartbeat, no completion) loses the job when its lease
 * expires, and another worker runs it again as the next attempt; both adapters. Plus the
 * embedded adapter's guard against two working processes on one SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/runtime/backend.js';
import { EmbeddedBackend } from '../../src/engine/runtime/embedded.js';
import { resolvePolicy } from '../../src/engine/runtime/retry.js';
import { PgBossBackend } from '../../src/engine/runtime/pgboss.js';
import { createRuntime } from '../../src/engine/runtime/index.js';
import { openStore } from '../../src/store/db.js';
import { FAST, openHarness, runtimeCases, type RuntimeHarness } from './support.js';

for (const c of runtimeCases()) {
  describe.skipIf(c.skip)(`takeover [${c.name}]`, () => {
    let h: RuntimeHarness | undefined;
    let dir: string | undefined;
    afterEach(async () => {
      await h?.dispose();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("a vanished worker's running job returns after its lease and runs again as the next attempt", async () => {
      h = await openHarness(c);
      const rt = h.runtime({ leaseMs: 1000 });
      const attempts: number[] = [];
      rt.define({ name: 'orphan', retry: { maxAttempts: 3 }, handler: async (_d, ctx) => void attempts.push(ctx.attempt) });
      const { id } = await rt.enqueue('orphan', {}, { key: 'k' });
      // A "ghost" worker claims the job and then never renews or settles it (as if killed).
      const ghost: Backend = c.name === 'embedded' ? new EmbeddedBackend(h.store.db) : new PgBossBackend(h.store.db, { schema: h.pgbossSchema, leaseMs: 1000 });
      await ghost.init();
      await ghost.prepare({ name: 'orphan', perKey: 'serial', policy: resolvePolicy({ maxAttempts: 3 }) });
      const claimed = await ghost.claim(1, ['orphan'], { all: true }, 'ghost:1:x', 1000);
      expect(claimed.map((j) => [j.id, j.attempt])).toEqual([[id, 1]]);
      const t0 = Date.now();
      await rt.start();
      const done = await rt.waitFor(id, { timeoutMs: 10_000 });
      expect(done.state).toBe('completed');
      expect(attempts).toEqual([2]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
      // The ghost cannot complete the attempt it lost.
      expect(await ghost.complete(claimed[0]!, 'ghost:1:x')).toBe(false);
      await ghost.close();
    });

    it('a job that keeps killing its worker is parked once its attempts are used up', async () => {
      h = await openHarness(c);
      const rt = h.runtime({ leaseMs: 1000 });
      let ran = 0;
      rt.define({ name: 'poison', retry: { maxAttempts: 1 }, handler: async () => void ran++ });
      const { id } = await rt.enqueue('poison', {});
      const ghost: Backend = c.name === 'embedded' ? new EmbeddedBackend(h.store.db) : new PgBossBackend(h.store.db, { schema: h.pgbossSchema, leaseMs: 1000 });
      await ghost.init();
      await ghost.prepare({ name: 'poison', perKey: 'serial', policy: resolvePolicy({ maxAttempts: 1 }) });
      expect(await ghost.claim(1, ['poison'], { all: true }, 'ghost:1:x', 1000)).toHaveLength(1);
      await rt.start();
      const parked = await rt.waitFor(id, { timeoutMs: 10_000 });
      expect(parked.state).toBe('parked');
      expect(parked.error?.code).toBe('JOB_LEASE_EXPIRED');
      expect(ran).toBe(0);
      expect((await rt.listParked()).map((p) => p.id)).toEqual([id]);
      await ghost.close();
    });

    if (c.name === 'embedded') {
      it('refuses a second working process on the same SQLite database, naming the first', async () => {
        dir = mkdtempSync(join(tmpdir(), 'koppel-busy-'));
        h = await openHarness(c, { file: join(dir, 'k.db') });
        const first = h.runtime();
        first.define({ name: 'j', handler: async () => {} });
        await first.start();
        const second = h.runtime({ startWaitMs: 300 });
        second.define({ name: 'j', handler: async () => {} });
        await expect(second.start()).rejects.toMatchObject({ code: 'RUNTIME_BUSY', message: expect.stringContaining(first.workerId) });
        // Once the first stops, the second can start.
        await first.stop();
        const third = h.runtime({ startWaitMs: 300 });
        third.define({ name: 'j', handler: async () => {} });
        await third.start();
        expect(third.ownedLanes()).toEqual(['*']);
      });
    }

    if (c.name === 'pgboss') {
      it('several workers installing pg-boss at the same moment all come up and work', async () => {
        h = await openHarness(c);
        const stores = await Promise.all([0, 1, 2, 3].map(() => openStore({ url: h!.store.url, migrate: false, poolSize: 3 })));
        try {
          const runtimes = stores.map((s) => {
            const rt = createRuntime(s, { ...FAST, pgbossSchema: h!.pgbossSchema });
            rt.define({ name: 'hello', handler: async () => {} });
            return rt;
          });
          await Promise.all(runtimes.map((rt) => rt.start()));
          const ids = await Promise.all(runtimes.map((rt, i) => rt.enqueue('hello', { i }).then((r) => r.id)));
          for (const id of ids) expect((await runtimes[0]!.waitFor(id)).state).toBe('completed');
          await Promise.all(runtimes.map((rt) => rt.stop()));
        } finally {
          await Promise.all(stores.map((s) => s.close()));
        }
      });

      it('replays a parked job after pg-boss archived the original, continuing its attempt count', async () => {
        h = await openHarness(c);
        const rt = h.runtime();
        let fail = true;
        const attempts: number[] = [];
        rt.define({
          name: 'archived',
          handler: async (_d, ctx) => {
            attempts.push(ctx.attempt);
            if (fail) throw new Error('down');
          },
          retry: { maxAttempts: 2, initialDelayMs: 10 },
        });
        await rt.start();
        const { id } = await rt.enqueue('archived', { x: 1 }, { key: 'a' });
        expect((await rt.waitFor(id)).state).toBe('parked');
        // What pg-boss's archiving does to a failed job after archiveFailedAfterSeconds.
        await sql`delete from ${sql.id(h.pgbossSchema!, 'job')} where name = 'archived' and id = ${id}::uuid`.execute(h.store.db);
        expect(await rt.getJob(id)).toBeUndefined();
        fail = false;
        expect(await rt.replay(id)).toEqual({ status: 'replayed' });
        const done = await rt.waitFor(id);
        expect(done.state).toBe('completed');
        expect(attempts).toEqual([1, 2, 3]);
        expect(done.data).toEqual({ x: 1 });
      });
    }
  });
}
