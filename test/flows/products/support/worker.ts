/**
 * A Koppel worker process for the products reliability test: the job engine on the test's SQLite
 * file, with the products flow's job defined exactly as `koppel start` defines it, working jobs until
 * SIGTERM (or until the test kills it with SIGKILL).
 *
 * env: KOPPEL_DB (SQLite file), KOPPEL_WORLD (JSON: sandbox origins and keys, YAML config, the CCV
 * rate window).
 */
import { parseConfig } from '../../../../src/config/loader.js';
import { CcvRateBudget } from '../../../../src/connectors/ccv/budget.js';
import { ccvClientFromConfig } from '../../../../src/connectors/ccv/from-config.js';
import { ShopifyClient } from '../../../../src/connectors/shopify/client.js';
import { createEngine } from '../../../../src/engine/index.js';
import { createFlowEnv } from '../../../../src/flows/env.js';
import { productsFlow } from '../../../../src/flows/products/index.js';
import { silentLogger } from '../../../../src/obs/log.js';
import { openStore } from '../../../../src/store/db.js';

export interface WorkerWorld {
  ccv: { origin: string; publicKey: string; secretKey: string };
  shopify: { origin: string; shop: string; accessToken: string };
  yaml: string;
  /**
   * The CCV sandbox runs with rateScale k: its per-minute limits are k times the real ones. The
   * client keeps the real per-minute numbers over a window k times shorter (the same rate, time
   * compressed), so a 429 burst costs a short window instead of a real minute.
   */
  ccvWindowMs: number;
}

const world = JSON.parse(process.env.KOPPEL_WORLD ?? '{}') as WorkerWorld;
const store = await openStore({ url: process.env.KOPPEL_DB as string, migrate: false });
const { config } = parseConfig(world.yaml, { file: null, env: {} });
const ccv = ccvClientFromConfig(
  { baseUrl: world.ccv.origin, publicKey: world.ccv.publicKey, secretKey: world.ccv.secretKey, mediaType: 'salespos' },
  { logger: silentLogger, connection: 'main', minRetryDelayMs: 20, maxRetryDelayMs: 200, budget: new CcvRateBudget({ windowMs: world.ccvWindowMs, guardMs: 50 }) },
);
const shopify = new ShopifyClient({
  shop: world.shopify.shop,
  auth: { accessToken: world.shopify.accessToken },
  endpoint: world.shopify.origin,
  connection: 'main',
  logger: silentLogger,
  retryMinDelayMs: 20,
  retryMaxDelayMs: 200,
});
const env = createFlowEnv({ config, store, ccv, shopify, logger: silentLogger });
const engine = createEngine(store, { concurrency: 2, pollIntervalMs: 20, leaseMs: 1500, laneLeaseMs: 600, scheduleTickMs: 60_000, startWaitMs: 10_000 });
productsFlow.define(engine.runtime, env);

process.on('SIGTERM', () => {
  void engine
    .stop({ graceMs: 2000 })
    .then(() => store.close())
    .then(() => process.exit(0));
});
await engine.start();
process.stdout.write('ready\n');
