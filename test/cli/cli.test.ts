import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/loader.js';
import { runCli, spawnCli, waitForLine } from '../support/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'koppel-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('koppel CLI', () => {
  it('--help lists every command', async () => {
    const r = await runCli(['--help'], { cwd: dir });
    expect(r.code).toBe(0);
    for (const cmd of ['start', 'sync', 'runs', 'log', 'sandbox', 'worker', 'init', 'doctor']) expect(r.stdout).toContain(cmd);
  });

  it('sandbox runs both simulators, prints their credentials, and stops on SIGINT', async () => {
    const child = spawnCli(['sandbox', '--ccv-port', '0', '--shopify-port', '0', '--products', '30'], { cwd: dir });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitForLine(child, /Ctrl-C stops both/);
    const ccvRoot = /CCV sandbox\s+(\S+)/.exec(out)![1]!;
    const gql = /Shopify sandbox\s+(\S+)/.exec(out)![1]!;
    const token = /access token\s+(\S+)/.exec(out)![1]!;
    expect((await fetch(ccvRoot + 'products')).status).toBe(401);
    const res = await fetch(gql, { method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-access-token': token }, body: JSON.stringify({ query: '{ shop { currencyCode } }' }) });
    expect(((await res.json()) as { data: { shop: { currencyCode: string } } }).data.shop.currencyCode).toBe('EUR');
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('a capability that has not landed says so and exits 2', async () => {
    const r = await runCli(['sync', 'customers'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not available yet/);
    expect(r.stdout).toBe('');
  });

  it('worker on SQLite explains that scale-out needs PostgreSQL and exits 2', async () => {
    const r = await runCli(['worker'], { cwd: dir, env: { KOPPEL_DATA_DIR: join(dir, 'w-data') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PostgreSQL/);
    expect(r.stderr).toMatch(/KOPPEL_DATABASE_URL/);
  });

  it('init writes a koppel.yaml that validates, and refuses to overwrite it', async () => {
    const r = await runCli(['init'], { cwd: dir });
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, 'koppel.yaml'), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*schema\/koppel\.schema\.json$/);
    expect(() => parseConfig(text, { file: 'koppel.yaml', env: {} })).not.toThrow();
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--force');
  });

  it('doctor lists every problem of a broken config with its path and exits non-zero', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'server:\n  port: 99999\n  colour: blue\nflows:\n  stock:\n    location: 42\n');
    const r = await runCli(['--config', file, 'doctor'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('server.port');
    expect(r.stdout).toContain('server.colour: unknown setting');
    expect(r.stdout).toContain('flows.stock.location: expected a location name, got 42');
    expect(r.stdout).toMatch(/3 problems found/);
  });

  it('doctor on a good config exits 0, with --json for scripts', async () => {
    const file = join(dir, 'good.yaml');
    writeFileSync(file, `dataDir: ${join(dir, 'data')}\n`);
    const r = await runCli(['--config', file, 'doctor', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ area: string; status: string }> };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.area)).toContain('database');
  });

  it('doctor names an unreachable database without its password', async () => {
    const r = await runCli(['doctor'], { cwd: dir, env: { KOPPEL_DATABASE_URL: 'postgres://koppel:topsecret@127.0.0.1:1/koppel' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('postgres://koppel:***@127.0.0.1:1/koppel');
    expect(r.stdout).not.toContain('topsecret');
  });

  it('sync without a running sandbox works on the shops kept in the data directory: a second sync creates nothing', async () => {
    const file = join(dir, 'sync.yaml');
    writeFileSync(file, `dataDir: ${join(dir, 'sync-data')}\nsandbox:\n  ccvPort: 0\n  shopifyPort: 0\n  products: 25\n`);
    const sync = async () => {
      const r = await runCli(['--config', file, 'sync', 'products', '--json'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { run: { counts: Record<string, number> } }).run.counts;
    };
    const first = await sync();
    expect(first.created).toBeGreaterThan(15);
    expect(await sync()).toMatchObject({ created: 0, failed: 0, quarantined: first.quarantined });
  });

  it('start serves /healthz and, in the middle of a first load, stops cleanly within 5 seconds of SIGINT', async () => {
    const file = join(dir, 'start.yaml');
    const data = join(dir, 'run-data');
    // The flows `koppel start` runs on the demo data when there is no koppel.yaml.
    writeFileSync(file, 'sandbox:\n  ccvPort: 0\n  shopifyPort: 0\n  products: 400\nflows:\n  products: { enabled: true }\n  categories: { enabled: true }\n  stock: { enabled: true }\n');
    const env = { PORT: '0', KOPPEL_DATA_DIR: data };
    const child = spawnCli(['--config', file, 'start'], { cwd: dir, env });
    const line = await waitForLine(child, /Koppel is serving/);
    const url = (JSON.parse(line) as { url: string }).url;
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { version: string; database: string; uptimeSeconds: number };
    expect(body).toMatchObject({ database: 'sqlite' });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    const home = await (await fetch(url)).text();
    expect(home).toContain('CCV SalesPOS');
    expect(home).toContain('CCV sandbox');
    expect(home).toContain('Shopify sandbox');
    expect(home).toMatch(/Demo mode/);
    // Stop while the products flow is creating products in Shopify.
    for (let i = 0; ; i++) {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      if (/operation="ProductUpsert",outcome="ok"} \d+/.test(metrics)) break;
      if (i > 300) throw new Error('the products flow never started creating products');
      await new Promise((r) => setTimeout(r, 100));
    }
    const t0 = Date.now();
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    const code = await exited;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(code).toBe(0);
    // Nothing the stop interrupted counts as failed: the runs were handed back, to run again.
    const runs = JSON.parse((await runCli(['--config', file, 'runs', '--json'], { cwd: dir, env })).stdout) as Array<{ flow: string; status: string }>;
    expect(runs.find((r) => r.flow === 'products')?.status).toMatch(/^(abandoned|succeeded|partial)$/);
    expect(runs.filter((r) => r.status === 'failed')).toEqual([]);
    const failed = JSON.parse((await runCli(['--config', file, 'log', '--outcome', 'failed', '--json'], { cwd: dir, env })).stdout) as unknown[];
    expect(failed).toEqual([]);
  });
});
