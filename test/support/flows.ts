/** Both sandboxes, a store and a FlowEnv wired together, for flow tests. */
import { startCcvSandbox, type CcvSandbox, type CcvSandboxOptions } from '../../sandbox/ccv/index.js';
import { startShopifySandbox, type ShopifySandbox, type ShopifySandboxOptions } from '../../sandbox/shopify/index.js';
import { parseConfig } from '../../src/config/loader.js';
import { createClients } from '../../src/flows/clients.js';
import { createFlowEnv, type FlowEnv } from '../../src/flows/env.js';
import { silentLogger } from '../../src/obs/log.js';
import type { Dialect } from '../../src/store/url.js';
import { openTestStore, type TestStore } from './db.js';

export interface FlowWorld {
  ccv: CcvSandbox;
  shopify: ShopifySandbox;
  store: TestStore;
  env: FlowEnv;
  close(): Promise<void>;
}

export async function startWorld(opts: { yaml?: string; ccv?: CcvSandboxOptions; shopify?: ShopifySandboxOptions; dialect?: Dialect; dbFile?: string } = {}): Promise<FlowWorld> {
  const ccv = await startCcvSandbox({ port: 0, products: 30, seed: 5, webhookDispatch: 'manual', logger: () => {}, ...opts.ccv });
  const shopify = await startShopifySandbox({ port: 0, plan: 'plus', logger: () => {}, ...opts.shopify });
  const store = await openTestStore(opts.dialect ?? 'sqlite', opts.dbFile ? { file: opts.dbFile } : {});
  const { config } = parseConfig(opts.yaml ?? '', { file: null, env: {} });
  const clients = createClients({
    ccv: { baseUrl: ccv.origin, publicKey: ccv.publicKey, secretKey: ccv.secretKey, mediaType: 'salespos' },
    shopify: { shop: shopify.shop, apiVersion: '2026-10', accessToken: shopify.accessToken, endpoint: shopify.origin },
  }, silentLogger);
  const env = createFlowEnv({ config, store, ...clients, logger: silentLogger });
  return {
    ccv, shopify, store, env,
    async close() {
      await Promise.all([ccv.close(), shopify.close()]);
      await store.dispose();
    },
  };
}

/** GraphQL against the Shopify sandbox with its admin token (test assertions on Shopify's state). */
export async function shopifyGql<T = any>(sb: ShopifySandbox, query: string, variables: Record<string, unknown> = {}): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any -- ad-hoc test queries
  const res = await fetch(sb.graphqlUrl(), { method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-access-token': sb.accessToken }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
