import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActivityJournal } from '../../engine/activity.js';
import { RunRepository } from '../../engine/runs.js';
import { openStore } from '../../store/db.js';
import { createContext } from '../context.js';
import { register as registerLog } from './log.js';
import { register as registerRuns } from './runs.js';

let dir: string;
let dbFile: string;

async function cli(args: string[]): Promise<{ out: string[]; err: string[]; error?: unknown }> {
  const program = new Command('koppel').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  const out: string[] = [];
  const err: string[] = [];
  const ctx = createContext(program, { out: (l) => out.push(l), err: (l) => err.push(l), env: { KOPPEL_DATABASE_URL: dbFile }, cwd: dir });
  registerRuns(program, ctx);
  registerLog(program, ctx);
  try {
    await program.parseAsync(['node', 'koppel', ...args]);
    return { out, err };
  } catch (error) {
    return { out, err, error };
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'koppel-cli-engine-'));
  dbFile = join(dir, 'koppel.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function seed(): Promise<string> {
  const store = await openStore({ url: dbFile });
  try {
    const runs = new RunRepository(store.db);
    const ok = await runs.start({ flow: 'products', trigger: 'schedule', id: 'run-ok' }, Date.UTC(2026, 10, 29, 8));
    ok.count('created', 2);
    ok.count('skipped', 40);
    ok.apiCall(10);
    ok.throttled(1500);
    await ok.finish({}, Date.UTC(2026, 10, 29, 8, 0, 12));
    const bad = await runs.start({ flow: 'stock', trigger: 'webhook', id: 'run-bad' }, Date.UTC(2026, 10, 29, 9));
    bad.count('quarantined');
    await bad.finish({}, Date.UTC(2026, 10, 29, 9, 0, 1));
    const journal = new ActivityJournal(store.db);
    const now = Date.now();
    await journal.record([
      { runId: 'run-ok', flow: 'products', direction: 'ccv_to_shopify', sourceKey: '555', targetId: 'gid://shopify/Product/1', action: 'created', diff: [{ path: 'title', before: null, after: 'Shirt' }], at: now - 3 * 3_600_000 },
      { runId: 'run-bad', flow: 'stock', direction: 'ccv_to_shopify', sourceKey: '556/1', action: 'quarantined', error: { code: 'SKU_DUPLICATE', message: 'SKU A-1 appears twice', hint: 'make it unique in CCV' }, at: now - 60_000 },
      { runId: 'run-bad', flow: 'customers', direction: 'shopify_to_ccv', sourceKey: 'c1', action: 'updated', diff: [{ path: 'email', before: 'jan@example.nl', after: 'piet@example.nl' }], at: now },
    ]);
  } finally {
    await store.close();
  }
  return dbFile;
}

describe('koppel runs', () => {
  it('prints the latest runs as a table, newest first', async () => {
    await seed();
    const { out, error } = await cli(['runs']);
    expect(error).toBeUndefined();
    expect(out[0]).toMatch(/^STARTED\s+FLOW\s+TRIGGER\s+STATUS\s+DURATION\s+CREATED/);
    expect(out).toHaveLength(3);
    expect(out[1]).toMatch(/stock\s+webhook\s+partial\s+1\.0 s/);
    expect(out[2]).toMatch(/products\s+schedule\s+succeeded\s+12\.0 s\s+2\s+0\s+40\s+0\s+0\s+1\s+10\s+1 \(1\.5 s\)/);
  });

  it('--json gives the records for scripts; --flow and --limit filter', async () => {
    await seed();
    const all = JSON.parse((await cli(['runs', '--json'])).out.join('\n')) as Array<{ id: string; counts: { skipped: number } }>;
    expect(all.map((r) => r.id)).toEqual(['run-bad', 'run-ok']);
    expect(all[1]!.counts.skipped).toBe(40);
    expect(JSON.parse((await cli(['runs', '--json', '--flow', 'products'])).out.join('\n')).map((r: { id: string }) => r.id)).toEqual(['run-ok']);
    expect(JSON.parse((await cli(['runs', '--json', '--limit', '1'])).out.join('\n'))).toHaveLength(1);
    expect((await cli(['runs', '--flow', 'orders'])).out).toEqual(['no runs match']);
  });

  it('rejects a bad --limit or --status with the allowed values', async () => {
    await seed();
    expect(String((await cli(['runs', '--limit', 'lots'])).error)).toMatch(/--limit "lots" is not a number from 1 to 500/);
    expect(String((await cli(['runs', '--status', 'great'])).error)).toMatch(/expected one of running, succeeded/);
  });

  it('on a database that was never set up, says so instead of failing', async () => {
    expect((await cli(['runs'])).out).toEqual(['no runs yet: the database has not been set up (koppel start does that)']);
    expect((await cli(['runs', '--json'])).out).toEqual(['[]']);
  });
});

describe('koppel log', () => {
  it('prints activity newest first with what changed or what went wrong and how to fix it', async () => {
    await seed();
    const { out, error } = await cli(['log']);
    expect(error).toBeUndefined();
    expect(out[0]).toMatch(/^TIME\s+FLOW\s+DIRECTION\s+ACTION\s+SOURCE\s+TARGET\s+DETAIL/);
    expect(out[1]).toMatch(/customers\s+shopify_to_ccv\s+updated\s+c1\s+email$/);
    expect(out[2]).toMatch(/stock .*quarantined\s+556\/1\s+SKU_DUPLICATE: SKU A-1 appears twice \(fix: make it unique in CCV\)/);
    expect(out[3]).toMatch(/products .*created\s+555\s+gid:\/\/shopify\/Product\/1\s+title/);
  });

  it('filters by flow, key, outcome and since; --json carries the masked diff', async () => {
    await seed();
    const rows = async (...a: string[]) => (JSON.parse((await cli(['log', '--json', ...a])).out.join('\n')) as Array<{ sourceKey: string }>).map((r) => r.sourceKey);
    expect(await rows('--flow', 'stock')).toEqual(['556/1']);
    expect(await rows('--key', 'gid://shopify/Product/1')).toEqual(['555']);
    expect(await rows('--outcome', 'quarantined,created')).toEqual(['556/1', '555']);
    expect(await rows('--since', '2h')).toEqual(['c1', '556/1']);
    expect(await rows('--run', 'run-bad')).toEqual(['c1', '556/1']);
    const json = (await cli(['log', '--json', '--key', 'c1'])).out.join('\n');
    expect(json).toContain('"masked": true');
    expect(json).not.toContain('jan@example.nl');
    expect(json).not.toContain('piet@example.nl');
  });

  it('explains bad filters', async () => {
    await seed();
    expect(String((await cli(['log', '--outcome', 'exploded'])).error)).toMatch(/expected one or more of created, updated, skipped, quarantined, failed/);
    expect(String((await cli(['log', '--since', 'last tuesday'])).error)).toMatch(/relative time such as 30m/);
  });
});
