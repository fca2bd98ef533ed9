/**
 * A world for the stock flow: both sandboxes in-process (no sockets), a store, a FlowEnv, and a
 * Shopify catalogue seeded from the CCV catalogue with ledger `variant` links, the way the products
 * flow leaves them (it is not part of this suite). Also used by bench/stock-*.bench.ts.
 */
import { createCcvApp } from '../../../sandbox/ccv/app.js';
import { setStock, tillSale, type StockInput, type TillSaleInput } from '../../../sandbox/ccv/backoffice.js';
import type { CcvSandboxOptions } from '../../../sandbox/ccv/options.js';
import { createShopifySandbox, type ShopifySandboxHandle, type ShopifySandboxOptions } from '../../../sandbox/shopify/index.js';
import type { KoppelConfig } from '../../../src/config/schema.js';
import { ConfigSchema } from '../../../src/config/schema.js';
import type { StockSettingsInput } from '../../../src/config/stock.js';
import { CcvClient, CcvRateBudget } from '../../../src/connectors/ccv/index.js';
import type { CcvLimits } from '../../../src/connectors/ccv/budget.js';
import { readCcvStockPage, type CcvStockRecord } from '../../../src/connectors/ccv/read/stock.js';
import { ShopifyClient } from '../../../src/connectors/shopify/client.js';
import * as docs from '../../../src/connectors/shopify/documents.js';
import { silentLogger, type Logger } from '../../../src/obs/log.js';
import { createFlowEnv, type FlowEnv } from '../../../src/flows/env.js';
import { openTestStore, type TestStore } from '../../support/db.js';
import type { Dialect } from '../../../src/store/url.js';

export const CCV_ORIGIN = 'http://ccv.test';

export interface ShopifyCall {
  op: string;
  key?: string;
  variables?: Record<string, unknown>;
  /** For InventorySet: the adjustment group id Shopify answered (null: nothing changed / refused). */
  groupId?: string | null;
  userErrors?: string[];
}

export interface WorldOptions {
  dialect?: Dialect;
  products?: number;
  seed?: number;
  dirty?: boolean;
  /** CCV sandbox behaviour switches and rate scale. */
  ccv?: Partial<CcvSandboxOptions>;
  shopify?: Partial<ShopifySandboxOptions>;
  /** Limits the CCV client paces itself by (default: the sandbox's, i.e. 150 GET/min × ccv.rateScale). */
  ccvLimits?: Partial<CcvLimits>;
  stock?: StockSettingsInput;
  /** SKUs to leave out of the Shopify catalogue (unknown to Shopify and the ledger). */
  skipSkus?: (sku: string) => boolean;
  /** Available quantity the seeded Shopify variants start with (default 1000: never accidentally right). */
  initial?: number;
  logger?: Logger;
  /** Seed the Shopify catalogue (default true). */
  seedShopify?: boolean;
  /** Use this store (e.g. one from test/engine/support.ts with a job runtime); the caller disposes it. */
  store?: TestStore;
}

export interface World {
  env: FlowEnv;
  store: TestStore;
  config: KoppelConfig;
  ccvCore: ReturnType<typeof createCcvApp>['core'];
  ccvClient: CcvClient;
  shopifySb: ShopifySandboxHandle;
  shopify: ShopifyClient;
  calls: ShopifyCall[];
  /** The first active location (the default target). */
  locationId: string;
  locations: Array<{ id: string; name: string; isActive: boolean }>;
  /** Variant key → SKU of the seeded catalogue; sku → inventory item. */
  skus: Map<string, string>;
  items: Map<string, string>;
  catalogue: CcvStockRecord[];
  available(sku: string, locationId?: string): number | null;
  merchantEdit(sku: string, change: { quantity?: number; delta?: number; locationId?: string }): Promise<void>;
  tillSale(input: TillSaleInput): { order: unknown };
  setStock(input: StockInput): unknown;
  ccvStock(variantKey: string): number;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

function opName(query: string): string {
  return /^\s*(?:query|mutation)\s+([A-Za-z0-9_]+)/.exec(query)?.[1] ?? 'anonymous';
}

export async function readCatalogue(client: CcvClient): Promise<CcvStockRecord[]> {
  const out: CcvStockRecord[] = [];
  let start: number | null = 0;
  while (start !== null) {
    const page = await readCcvStockPage(client, start, { priority: 5 });
    out.push(...page.records);
    start = page.next;
  }
  return out;
}

export async function createWorld(o: WorldOptions = {}): Promise<World> {
  const ccvScale = o.ccv?.rateScale ?? 100;
  const { app, core } = createCcvApp({ products: o.products ?? 30, seed: o.seed ?? 7, dirty: o.dirty ?? false, webhookDispatch: 'manual', logger: () => {}, ...o.ccv, rateScale: ccvScale });
  const ccvFetch = ((url: string | URL | Request, init?: RequestInit) => app.fetch(new Request(url, init))) as typeof fetch;
  const ccvClient = new CcvClient({
    baseUrl: CCV_ORIGIN, publicKey: core.keys.publicKey, secretKey: core.keys.secretKey, fetch: ccvFetch, minRetryDelayMs: 5, maxRetryDelayMs: 50,
    budget: new CcvRateBudget({ getPerMinute: 150 * ccvScale, writePerMinute: 100 * ccvScale, productqueriesPerMinute: 30 * ccvScale, globalPerMinute: 500 * ccvScale, ...o.ccvLimits }),
  });

  const shopifySb = createShopifySandbox({ plan: 'plus', rateScale: 20, ...o.shopify });
  const calls: ShopifyCall[] = [];
  const shopifyFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    let body: { query?: string; variables?: Json } = {};
    try {
      body = JSON.parse(await req.clone().text()) as typeof body;
    } catch {
      // not GraphQL
    }
    const res = await shopifySb.fetch(req);
    if (body.query) {
      const call: ShopifyCall = { op: opName(body.query), ...(body.variables ? { variables: body.variables } : {}) };
      if (typeof body.variables?.key === 'string') call.key = body.variables.key;
      if (call.op === 'InventorySet') {
        const j = (await res.clone().json().catch(() => ({}))) as { data?: { inventorySetQuantities?: { inventoryAdjustmentGroup?: { id: string } | null; userErrors?: Array<{ code: string }> } } };
        call.groupId = j.data?.inventorySetQuantities?.inventoryAdjustmentGroup?.id ?? null;
        call.userErrors = (j.data?.inventorySetQuantities?.userErrors ?? []).map((u) => u.code);
      }
      calls.push(call);
    }
    return res;
  }) as typeof fetch;
  const shopify = new ShopifyClient({ shop: shopifySb.shop, auth: { accessToken: shopifySb.accessToken }, fetch: shopifyFetch, retryMinDelayMs: 5, retryMaxDelayMs: 50, timeoutMs: 10_000 });

  const store = o.store ?? (await openTestStore(o.dialect ?? 'sqlite'));
  const config = ConfigSchema.parse({ flows: { stock: { enabled: true } } }) as KoppelConfig;
  (config.flows as Record<string, unknown>).stock = { enabled: true, ...o.stock };
  const env = createFlowEnv({ config, store, ccv: ccvClient, shopify, logger: o.logger ?? silentLogger });

  const locRes = await shopify.query(docs.Locations, {}, { lane: 'products' });
  const locations = locRes.data.locations.nodes.map((n) => ({ id: n.id, name: n.name, isActive: n.isActive }));
  const locationId = locations.find((l) => l.isActive)!.id;

  const catalogue = await readCatalogue(ccvClient);
  const skus = new Map<string, string>();
  const items = new Map<string, string>();
  if (o.seedShopify !== false) await seedShopify(env, catalogue, locationId, o.initial ?? 1000, o.skipSkus ?? (() => false), skus, items);
  calls.length = 0;

  const levels = shopifySb.state.table<{ id: string; itemId: string; locationId: string; quantities: { available: number }; isActive: boolean }>('inventoryLevels');
  return {
    env, store, config, ccvCore: core, ccvClient, shopifySb, shopify, calls, locationId, locations, skus, items, catalogue,
    available(sku, loc = locationId) {
      const item = items.get(sku);
      if (!item) return null;
      const lv = levels.get(`${item}|${loc}`);
      return lv && lv.isActive ? lv.quantities.available : null;
    },
    async merchantEdit(sku, change) {
      const res = await shopifySb.app.fetch(new Request(`http://${shopifySb.shop}/__sandbox/edit/inventory`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inventoryItemId: items.get(sku), locationId: change.locationId ?? locationId, ...change }),
      }));
      if (!res.ok) throw new Error(`merchant edit of ${sku}: ${res.status} ${await res.text()}`);
    },
    tillSale: (input) => tillSale(core, input, CCV_ORIGIN),
    setStock: (input) => setStock(core, input),
    ccvStock(variantKey) {
      const [pid, cid] = variantKey.split('/').map(Number);
      if (cid !== undefined) return core.state.combinations.get(cid)!.stock;
      return core.state.products.get(pid!)!.stock;
    },
    async close() {
      if (!o.store) await store.dispose();
    },
  };
}

/** One Shopify product per CCV product (one option "Variant"), SKUs as in CCV, linked in the ledger. */
export async function seedShopify(env: FlowEnv, catalogue: readonly CcvStockRecord[], locationId: string, initial: number, skip: (sku: string) => boolean, skus: Map<string, string>, items: Map<string, string>, batch = 20): Promise<void> {
  const seen = new Set<string>();
  const todo = catalogue.map((r) => ({ r, vs: r.variants.filter((v) => v.sku !== null && !skip(v.sku) && !seen.has(v.sku) && (seen.add(v.sku), true)) })).filter((x) => x.vs.length > 0);
  for (let i = 0; i < todo.length; i += batch) {
    await Promise.all(todo.slice(i, i + batch).map(async ({ r, vs }) => {
      const res = await env.shopify.mutate(docs.ProductSetSync, {
        identifier: { handle: `ccv-${r.productId}` },
        input: {
          title: `CCV ${r.productId}`, handle: `ccv-${r.productId}`, status: 'ACTIVE',
          productOptions: [{ name: 'Variant', position: 1, values: vs.map((v) => ({ name: v.key })) }],
          variants: vs.map((v) => ({ optionValues: [{ optionName: 'Variant', name: v.key }], sku: v.sku, price: '9.95', inventoryItem: { tracked: true }, inventoryQuantities: [{ locationId, name: 'available', quantity: initial }] })),
        },
      }, { lane: 'products', retrySafe: true });
      if (!res.ok) throw new Error(`seeding product ${r.productId}: ${JSON.stringify(res.userErrors)}`);
      const p = res.data.productSet!.product!;
      for (const node of p.variants.nodes) {
        const v = vs.find((x) => x.sku === node.sku)!;
        skus.set(v.key, v.sku!);
        items.set(v.sku!, node.inventoryItem.id);
        await env.ledger.link({ pair: env.pair, entity: 'variant', sourceKey: v.key, targetId: node.id, refs: { inventoryItem: node.inventoryItem.id }, sku: v.sku!, direction: 'source_to_target' });
      }
    }));
  }
}

/** Counts calls by operation name. */
export function countOps(calls: readonly ShopifyCall[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[c.op] = (out[c.op] ?? 0) + 1;
  return out;
}
