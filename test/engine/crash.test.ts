/**
 * kill -9 of a worker in the middle of a 1,000-job run, then a restart: every job's effect happens
 * exactly once and nothing is lost, on both adapters.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/engine/runtime/index.js';
import { openHarness, runtimeCases, until, type RuntimeHarness } from './support.js';

const WORKER = fileURLToPath(new URL('./fixtures/crash-worker.ts', import.meta.url));
const JOBS = 1000;

function spawnWorker(env: Record<string, string>): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) process.stderr.write(`crash worker failed (${code}): ${stderr}\n`);
      resolve({ code, signal });
    }),
  );
  return { child, exited };
}

for (const c of runtimeCases()) {
  describe.skipIf(c.skip)(`crash recovery [${c.name}]`, () => {
    let h: RuntimeHarness | undefined;
    let dir: string | undefined;
    const children: ChildProcess[] = [];
    afterEach(async () => {
      for (const ch of children) if (ch.exitCode === null && ch.signalCode === null) ch.kill('SIGKILL');
      await h?.dispose();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('a worker killed with SIGKILL mid-run is restarted: 1,000 effects, each exactly once', async () => {
      dir = mkdtempSync(join(tmpdir(), 'koppel-crash-'));
      const file = join(dir, 'koppel.db');
      h = await openHarness(c, c.name === 'embedded' ? { file } : {});
      const db = h.store.db;
      await sql`create table crash_effect (job_id varchar(36) primary key, n integer not null, worker varchar(20) not null)`.execute(db);
      await sql`create table crash_exec (job_id varchar(36) not null, attempt integer not null, worker varchar(20) not null)`.execute(db);

      // Enqueue the whole run up front, in one transaction, from a producer that does not work.
      const producer = h.runtime();
      producer.define({ name: 'effect', retry: { maxAttempts: 10 }, handler: async () => {} });
      await producer.enqueue('effect', { n: -1 }, { delayMs: 3_600_000 }).then((r) => producer.cancel(r.id));
      const ids = await db.transaction().execute(async (tx) => {
        const out: string[] = [];
        for (let n = 0; n < JOBS; n++) out.push((await producer.enqueue('effect', { n }, { key: `k${n % 50}`, tx })).id);
        return out;
      });
      expect(new Set(ids).size).toBe(JOBS);

      const env = { DB_URL: c.name === 'embedded' ? file : h.store.url, PGBOSS_SCHEMA: h.pgbossSchema ?? '' };
      const first = spawnWorker({ ...env, WORKER_NAME: 'first', KILL_AFTER: '300' });
      children.push(first.child);
      const died = await first.exited;
      expect(died.signal).toBe('SIGKILL');
      const count = async () => Number((await sql<{ n: number | string }>`select count(*) as n from crash_effect`.execute(db)).rows[0]?.n);
      const atKill = await count();
      expect(atKill).toBeGreaterThanOrEqual(300);
      expect(atKill).toBeLessThan(JOBS);

      const second = spawnWorker({ ...env, WORKER_NAME: 'second' });
      children.push(second.child);
      await until(async () => (await count()) === JOBS, 20_000, 'all effects');
      // White-box: the adapter's own job table (pg-boss's schema, or the embedded `job` table).
      const jobTable = h.pgbossSchema ? sql.id(h.pgbossSchema, 'job') : sql.id('job');
      const completed = async () =>
        Number((await sql<{ n: number | string }>`select count(*) as n from ${jobTable} where name = 'effect' and state = 'completed'`.execute(db)).rows[0]?.n);
      await until(async () => (await completed()) === JOBS, 10_000, 'all jobs completed');
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
      // Every job completed: none waiting, running or parked.
      const states = await sql<{ state: string; n: number | string }>`
        select state, count(*) as n from ${jobTable}
        where name = 'effect' group by state`.execute(db);
      expect(Object.fromEntries(states.rows.map((r) => [r.state, Number(r.n)]))).toEqual({ completed: JOBS, cancelled: 1 });
      const check = createRuntime(h.store, { pgbossSchema: h.pgbossSchema });
      check.define({ name: 'effect', handler: async () => {} });
      expect((await check.getJob(ids[0]!))?.state).toBe('completed');
      expect(await check.listParked()).toEqual([]);
      await check.stop();

      const effects = await sql<{ job_id: string; n: number }>`select job_id, n from crash_effect`.execute(db);
      expect(effects.rows).toHaveLength(JOBS);
      expect(new Set(effects.rows.map((r) => r.job_id))).toEqual(new Set(ids));
      expect(new Set(effects.rows.map((r) => r.n)).size).toBe(JOBS);
      // The job that was running when the worker died ran again (attempt 2) after the restart.
      const again = await sql<{ job_id: string; runs: number | string }>`
        select job_id, count(*) as runs from crash_exec group by job_id having count(*) > 1`.execute(db);
      expect(again.rows.length).toBeGreaterThanOrEqual(1);
      const reruns = await sql<{ worker: string; attempt: number }>`
        select worker, attempt from crash_exec where job_id in (select job_id from crash_exec group by job_id having count(*) > 1)`.execute(db);
      expect(reruns.rows.some((r) => r.worker === 'second' && r.attempt >= 2)).toBe(true);
    }, 60_000);
  });
}
