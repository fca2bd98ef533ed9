/**
 * The embedded default across a restart: the sandboxes keep their shops next to the database, so the
 * ledger's links still point at the same Shopify products and nothing is created twice or fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startKoppel, type KoppelProcess } from '../../src/cli/runtime.js';
import { parseConfig } from '../../src/config/loader.js';
import { productsFlow } from '../../src/flows/products/index.js';
import { silentLogger } from '../../src/obs/log.js';

const dir = mkdtempSync(join(tmpdir(), 'koppel-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const yaml = [
  `dataDir: ${join(dir, 'data')}`,
  'server:\n  port: 0',
  'sandbox:\n  ccvPort: 0\n  shopifyPort: 0\n  products: 30\n  seed: 4',
  'flows:\n  products:\n    enabled: true',
].join('\n');

/** The products run `koppel start` queues at start, once it has finished. */
async function startupRun(k: KoppelProcess, since: number) {
  for (const t0 = Date.now(); Date.now() - t0 < 60_000; await new Promise((r) => setTimeout(r, 100))) {
    const run = (await k.env.runs.list({ flow: 'products' })).items.find((r) => r.trigger === 'startup' && r.status !== 'running' && r.startedAt.getTime() >= since);
    if (run) return run;
  }
  throw new Error('the products run of the start never finished');
}

async function shopifyProductCount(k: KoppelProcess): Promise<number> {
  const s = k.connections.shopify;
  const res = await fetch(`${s.endpoint}/admin/api/2026-10/graphql.json`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-access-token': s.accessToken! }, body: JSON.stringify({ query: '{ productsCount { count } }' }) });
  return ((await res.json()) as { data: { productsCount: { count: number } } }).data.productsCount.count;
}

describe('koppel start, restarted', () => {
  it('finds the same sandbox shops again: a second start creates nothing and fails nothing', async () => {
    let since = Date.now();
    let k = await startKoppel(parseConfig(yaml, { file: null, env: {} }), { logger: silentLogger, cwd: dir });
    let first;
    try {
      first = await startupRun(k, since);
      expect(first.counts.created).toBeGreaterThan(20);
      expect(await shopifyProductCount(k)).toBe(first.counts.created);
    } finally {
      await k.close();
    }
    since = Date.now();
    k = await startKoppel(parseConfig(yaml, { file: null, env: {} }), { logger: silentLogger, cwd: dir });
    try {
      // The start's own products run (a delta) and a full comparison: the same shop, nothing to create.
      expect((await startupRun(k, since)).counts).toMatchObject({ created: 0, failed: 0 });
      const job = await productsFlow.enqueue!(k.engine.runtime, { mode: 'full', trigger: 'manual' });
      expect((await k.engine.runtime.waitFor(job.id, { timeoutMs: 30_000 })).state).toBe('completed');
      const full = (await k.env.runs.byJob(job.id))!;
      expect(full.counts).toMatchObject({ created: 0, updated: 0, failed: 0, quarantined: first.counts.quarantined, skipped: first.counts.created });
      expect(await shopifyProductCount(k)).toBe(first.counts.created);
    } finally {
      await k.close();
    }
  }, 120_000);
});
