/**
 * A flow environment for a CLI command (sync, explain, ...): the store, both clients and the engine's
 * repositories. Connections without credentials use the built-in sandboxes: the ones `koppel start`
 * or `koppel sandbox` already runs on the configured ports, or else ones in this process on the shops
 * kept in the data directory.
 */
import type { LoadedConfig } from '../config/loader.js';
import { CcvClient } from '../connectors/ccv/client.js';
import { probeCcv } from '../connectors/ccv/probe.js';
import { createClients } from '../flows/clients.js';
import { createFlowEnv, type FlowEnv } from '../flows/env.js';
import type { Logger } from '../obs/log.js';
import { KoppelError } from '../core/errors.js';
import { openStore } from '../store/db.js';
import { databaseUrl, sandboxDir } from './runtime.js';
import { resolveConnections, startSandboxes, type RunningSandboxes } from './sandboxes.js';

export interface CliEnv {
  env: FlowEnv;
  /** Sandboxes started for this command, on the shops `koppel start` keeps in the data directory. */
  startedSandboxes: string | undefined;
  close(): Promise<void>;
}

async function runningSandboxes(loaded: LoadedConfig): Promise<RunningSandboxes | undefined> {
  const { DEFAULT_PUBLIC_KEY, DEFAULT_SECRET_KEY } = await import('../../sandbox/ccv/index.js');
  const { SANDBOX_ACCESS_TOKEN, DEFAULT_SHOP } = await import('../../sandbox/shopify/index.js');
  const s = loaded.config.sandbox;
  const ccvOrigin = `http://127.0.0.1:${s.ccvPort}`;
  const shopifyOrigin = `http://127.0.0.1:${s.shopifyPort}`;
  const ccvOk = (await probeCcv(new CcvClient({ baseUrl: ccvOrigin, publicKey: DEFAULT_PUBLIC_KEY, secretKey: DEFAULT_SECRET_KEY, timeoutMs: 1500, retries: 0 }))).ok;
  const shopifyOk = await fetch(`${shopifyOrigin}/admin/api/2026-10/graphql.json`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-access-token': SANDBOX_ACCESS_TOKEN }, body: '{"query":"{ shop { id } }"}', signal: AbortSignal.timeout(1500),
  }).then((r) => r.ok, () => false);
  if (!ccvOk || !shopifyOk) return undefined;
  return {
    ccv: { origin: ccvOrigin, publicKey: DEFAULT_PUBLIC_KEY, secretKey: DEFAULT_SECRET_KEY } as RunningSandboxes['ccv'],
    shopify: { origin: shopifyOrigin, shop: DEFAULT_SHOP, accessToken: SANDBOX_ACCESS_TOKEN } as RunningSandboxes['shopify'],
    close: async () => {},
  };
}

export async function openCliEnv(loaded: LoadedConfig, opts: { logger: Logger; cwd: string; startSandboxes?: boolean }): Promise<CliEnv> {
  const { config } = loaded;
  const need = { ccv: !config.connections.ccv, shopify: !config.connections.shopify };
  let sandboxes: RunningSandboxes = { close: async () => {} };
  let started: string | undefined;
  if (need.ccv || need.shopify) {
    const running = await runningSandboxes(loaded);
    if (running) sandboxes = running;
    else if (opts.startSandboxes === false) {
      throw new KoppelError({
        code: 'SANDBOX_NOT_RUNNING',
        message: `no credentials are configured for ${[need.ccv ? 'CCV' : '', need.shopify ? 'Shopify' : ''].filter(Boolean).join(' and ')}, and no sandbox answers on ports ${loaded.config.sandbox.ccvPort}/${loaded.config.sandbox.shopifyPort}`,
        hint: 'configure connections in koppel.yaml, or run koppel start / koppel sandbox first',
      });
    } else {
      // The same shops `koppel start` keeps: the database links to ids in them.
      started = sandboxDir(config, opts.cwd);
      sandboxes = await startSandboxes(need, { host: '127.0.0.1', ccvPort: 0, shopifyPort: 0, seed: config.sandbox.seed, products: config.sandbox.products, snapshotDir: started }, opts.logger);
    }
  }
  const store = await openStore({ url: databaseUrl(config, opts.cwd) }).catch(async (e: unknown) => {
    await sandboxes.close();
    throw e;
  });
  const connections = resolveConnections(config, sandboxes);
  const clients = createClients(connections, opts.logger);
  const env = createFlowEnv({ config, store, ...clients, logger: opts.logger });
  return {
    env,
    startedSandboxes: started,
    async close() {
      await store.close();
      await sandboxes.close();
    },
  };
}
