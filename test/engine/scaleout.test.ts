/**
 * Three pg-boss workers share one run: no key ever runs twice at the same time, each connection's
 * lane is worked by one worker at a time (also across a worker's death), and so together the
 * workers stay within each connection's API budget.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openHarness, runtimeCases, until, type RuntimeHarness } from './support.js';

const WORKER = fileURLToPath(new URL('./fixtures/lane-worker.ts', import.meta.url));
const LANES = ['ccv:main', 'shopify:main', 'shopify:second'];
const RATE = 50; // calls per second per connection
const BURST = 5;

/** A fake API: a token bucket per connection (BURST deep, RATE per second); answers 429 when empty. */
function fakeApi(): Promise<{ server: Server; url: string; ok: Map<string, number>; throttled: Map<string, number> }> {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const ok = new Map<string, number>();
  const throttled = new Map<string, number>();
  const server = createServer((req, res) => {
    const lane = new URL(req.url ?? '/', 'http://x').searchParams.get('lane') ?? '';
    const now = performance.now();
    const b = buckets.get(lane) ?? { tokens: BURST, at: now };
    b.tokens = Math.min(BURST, b.tokens + ((now - b.at) * RATE) / 1000);
    b.at = now;
    buckets.set(lane, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      ok.set(lane, (ok.get(lane) ?? 0) + 1);
      res.writeHead(200).end('{}');
    } else {
      throttled.set(lane, (throttled.get(lane) ?? 0) + 1);
      res.writeHead(429).end('{}');
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ok, throttled })),
  );
}

interface Row {
  job_id: string;
  key: string;
  lane: string | null;
  worker: string;
  started_at: number;
  ended_at: number;
  status: number;
}

/** Pairs of rows in the same group whose [start, end] intervals overlap. */
function overlaps(rows: Row[], group: (r: Row) => string | null, sameWorkerOk: boolean): Array<[Row, Row]> {
  const by = new Map<string, Row[]>();
  for (const r of rows) {
    const g = group(r);
    if (g !== null) by.set(g, [...(by.get(g) ?? []), r]);
  }
  const out: Array<[Row, Row]> = [];
  for (const list of by.values()) {
    list.sort((a, b) => a.started_at - b.started_at);
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length && list[j]!.started_at < list[i]!.ended_at; j++) {
        if (!(sameWorkerOk && list[i]!.worker === list[j]!.worker)) out.push([list[i]!, list[j]!]);
      }
    }
  }
  return out;
}

const pg = runtimeCases().find((c) => c.name === 'pgboss')!;

describe.skipIf(pg.skip)('three pg-boss workers sharing the work', () => {
  let h: RuntimeHarness | undefined;
  let api: Awaited<ReturnType<typeof fakeApi>> | undefined;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const ch of children) if (ch.exitCode === null && ch.signalCode === null) ch.kill('SIGKILL');
    api?.server.close();
    await h?.dispose();
  });

  it('never run one key twice at once, keep each lane on one worker at a time, and cause no throttling', async () => {
    h = await openHarness(pg);
    api = await fakeApi();
    const db = h.store.db;
    await sql`create table lane_log (job_id varchar(36) not null, key varchar(100), lane varchar(50), worker varchar(20) not null,
      started_at float8 not null, ended_at float8 not null, status integer not null)`.execute(db);

    const workers = ['w1', 'w2', 'w3'].map((name) => {
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
        env: { ...process.env, DB_URL: h!.store.url, PGBOSS_SCHEMA: h!.pgbossSchema, WORKER_NAME: name, API_URL: api!.url, RATE: String(RATE) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      let id = '';
      child.stdout?.on('data', (d: Buffer) => {
        const m = /ready (\S+)/.exec(d.toString());
        if (m?.[1]) id = m[1];
      });
      const exited = new Promise<NodeJS.Signals | number | null>((r) => child.on('exit', (code, signal) => r(signal ?? code)));
      return { name, child, id: () => id, exited };
    });
    await until(() => workers.every((w) => w.id() !== ''), 20_000, 'workers ready');

    const producer = h.runtime();
    producer.define<{ lane?: string }>({ name: 'api.call', lanes: (d) => (d.lane ? [d.lane] : []), handler: async () => {} });
    await producer.enqueue('api.call', {}, { delayMs: 3_600_000 }).then((r) => producer.cancel(r.id));
    const ids = await db.transaction().execute(async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 80; i++) {
        for (const lane of LANES) out.push((await producer.enqueue('api.call', { lane }, { key: `${lane}/sku${i % 8}`, tx })).id);
        if (i < 60) out.push((await producer.enqueue('api.call', {}, { key: `free${i % 6}`, tx })).id);
      }
      return out;
    });

    // Kill the worker that owns shopify:main in the middle of its lane's work; another takes the lane over.
    const count = async (where = sql`true`) =>
      Number((await sql<{ n: number | string }>`select count(distinct job_id) as n from lane_log where ${where}`.execute(db)).rows[0]?.n);
    await until(async () => (await count(sql`lane = 'shopify:main'`)) >= 20, 20_000, 'shopify:main under way');
    const owner = (await db.selectFrom('lane_lease').select('owner').where('lane', '=', 'shopify:main').executeTakeFirstOrThrow()).owner;
    const victim = workers.find((w) => w.id() === owner)!;
    expect(victim).toBeDefined();
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');

    await until(async () => (await count()) === ids.length, 30_000, 'every job done');
    for (const w of workers.filter((w) => w !== victim)) {
      w.child.kill('SIGTERM');
      expect(await w.exited).toBe(0);
    }

    const rows = (await sql<Row>`select * from lane_log`.execute(db)).rows.map((r) => ({ ...r, started_at: Number(r.started_at), ended_at: Number(r.ended_at) }));
    expect(new Set(rows.map((r) => r.job_id))).toEqual(new Set(ids));
    // One job at a time per key, across all workers.
    expect(overlaps(rows, (r) => r.key, false)).toEqual([]);
    // One worker at a time per lane (a worker may overlap with itself: it runs a lane's jobs concurrently).
    expect(overlaps(rows, (r) => r.lane, true)).toEqual([]);
    // The lane of the killed worker moved on, and the work was shared.
    expect(new Set(rows.filter((r) => r.lane === 'shopify:main').map((r) => r.worker)).size).toBeGreaterThanOrEqual(2);
    expect(new Set(rows.map((r) => r.worker)).size).toBe(3);
    // Within budget: not one throttled response on any connection.
    expect(Object.fromEntries(api.throttled)).toEqual({});
    for (const lane of LANES) expect(api.ok.get(lane)).toBeGreaterThanOrEqual(80);
  }, 60_000);
});
