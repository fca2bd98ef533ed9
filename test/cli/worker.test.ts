/**
 * `koppel worker` on PostgreSQL: a worker process takes a products job enqueued elsewhere and runs it
 * against the configured connections.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCcvSandbox, type CcvSandbox } from '../../sandbox/ccv/index.js';
import { startShopifySandbox, type ShopifySandbox } from '../../sandbox/shopify/index.js';
import { parseConfig } from '../../src/config/loader.js';
import { createEngine } from '../../src/engine/index.js';
import { createClients } from '../../src/flows/clients.js';
import { createFlowEnv } from '../../src/flows/env.js';
import { silentLogger } from '../../src/obs/log.js';
import { productsFlow } from '../../src/flows/products/index.js';
import { openStore } from '../../src/store/db.js';
import { dialectCases, freshPgSchema } from '../support/db.js';
import { spawnCli, waitForLine } from '../support/cli.js';

const pg = dialectCases().find((d) => d.name === 'postgres')!;

describe.skipIf(pg.skip)('koppel worker [postgres]', () => {
  let dir: string;
  let ccv: CcvSandbox;
  let shopify: ShopifySandbox;
  let schema: Awaited<ReturnType<typeof freshPgSchema>>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'koppel-worker-'));
    ccv = await startCcvSandbox({ port: 0, products: 15, webhookDispatch: 'manual', logger: () => {} });
    shopify = await startShopifySandbox({ port: 0, logger: () => {} });
    schema = await freshPgSchema();
    writeFileSync(join(dir, 'koppel.yaml'), [
      'connections:',
      `  ccv: { baseUrl: "${ccv.origin}", publicKey: "${ccv.publicKey}", secretKey: "\${env:CCV_SECRET}" }`,
      `  shopify: { shop: "${shopify.shop}", endpoint: "${shopify.origin}", accessToken: "\${env:SHOPIFY_TOKEN}" }`,
    ].join('\n'));
  });
  afterAll(async () => {
    await Promise.all([ccv?.close(), shopify?.close()]);
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a products job enqueued by another process, then stops on SIGTERM', async () => {
    const env = { KOPPEL_DATABASE_URL: schema.url, CCV_SECRET: ccv.secretKey, SHOPIFY_TOKEN: shopify.accessToken };
    const worker = spawnCli(['worker'], { cwd: dir, env });
    try {
      await waitForLine(worker, /worker started/, 30_000);
      // Another process (here: the test) enqueues; it does not work jobs itself.
      const store = await openStore({ url: schema.url, poolSize: 3 });
      const engine = createEngine(store);
      const { config } = parseConfig('', { file: null, env: {} });
      const clients = createClients({ ccv: { baseUrl: ccv.origin, publicKey: ccv.publicKey, secretKey: ccv.secretKey, mediaType: 'salespos' }, shopify: { shop: shopify.shop, apiVersion: '2026-10', accessToken: shopify.accessToken, endpoint: shopify.origin } }, silentLogger);
      // A process that enqueues defines the job too (it never runs it: this engine is not started).
      productsFlow.define(engine.runtime, createFlowEnv({ config, store, ...clients, logger: silentLogger }));
      try {
        const job = await productsFlow.enqueue!(engine.runtime, { mode: 'delta', trigger: 'manual' });
        const info = await engine.runtime.waitFor(job.id, { timeoutMs: 60_000, pollMs: 200 });
        expect(info.state).toBe('completed');
        const run = await engine.runs.byJob(job.id);
        expect(run?.counts.created).toBeGreaterThan(10);
      } finally {
        await engine.stop();
        await store.close();
      }
      const exited = new Promise<number | null>((r) => worker.on('exit', (code) => r(code)));
      worker.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
  }, 90_000);
});
