/**
 * The products-flow benchmarks' world: the CCV sandbox and the Shopify sandbox each in their own
 * process, and every Koppel run in a fresh process of its own (its peak RSS is then that run's), all
 * sharing one SQLite file so the ledger and checkpoints carry over from run to run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { startRole, type RoleProcess } from './child.js';
import type { CcvSandboxInfo } from './roles/ccv-sandbox.js';
import type { KoppelSpec, SyncMeasurement, WireTally } from './roles/koppel.js';
import type { ShopifySandboxInfo } from './roles/shopify-sandbox.js';

export interface ProductsWorld {
  ccv: RoleProcess<CcvSandboxInfo>;
  shopify: RoleProcess<ShopifySandboxInfo>;
  db: string;
  /** One Koppel process, one sync, then the process ends. */
  sync(opts?: { mode?: 'delta' | 'full'; yaml?: string }): Promise<SyncMeasurement>;
  close(): Promise<void>;
}

export interface WorldOptions {
  products: number;
  seed?: number;
  /** Shopify sandbox: restore-rate multiplier (1 = the Plus preset's real 1000 points/s). */
  rateScale?: number;
  bulkLinesPerSecond?: number;
  yaml?: string;
}

export async function startProductsWorld(o: WorldOptions): Promise<ProductsWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-products-'));
  const db = join(dir, 'koppel.db');
  const [ccv, shopify] = await Promise.all([
    startRole<CcvSandboxInfo>('ccv-sandbox', { products: o.products, seed: o.seed ?? 1 }),
    startRole<ShopifySandboxInfo>('shopify-sandbox', { plan: 'plus', rateScale: o.rateScale ?? 1, seed: o.seed ?? 1, ...(o.bulkLinesPerSecond ? { bulkLinesPerSecond: o.bulkLinesPerSecond } : {}) }),
  ]);
  return {
    ccv,
    shopify,
    db,
    async sync(s = {}) {
      const spec: KoppelSpec = { ccv: ccv.info, shopify: shopify.info, db, yaml: s.yaml ?? o.yaml ?? '' };
      const koppel = await startRole<{ pid: number }>('koppel', spec);
      try {
        return await koppel.call<SyncMeasurement>('sync', s.mode ? { mode: s.mode } : {});
      } finally {
        await koppel.close();
      }
    },
    async close() {
      await Promise.all([ccv.close(), shopify.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Bucket {
  maximumAvailable: number;
  restoreRate: number;
  currentlyAvailable: number;
}

/** CCV's documented limits (the sandbox's defaults): per resource and method per minute, and the global cap. */
export const CCV_LIMITS = { get: 150, write: 100, global: 500 } as const;

/**
 * The least time CCV's limits allow for a set of requests: a rolling 60 s window admits a limit's
 * worth at once, then the next limit's worth a minute later. Per (method, resource) bucket and the
 * global cap; the largest wins.
 */
export function ccvCallBoundSeconds(byResource: Record<string, number>): { seconds: number; worst: string } {
  let worst = { seconds: 0, what: 'none' };
  let total = 0;
  for (const [key, n] of Object.entries(byResource)) {
    total += n;
    const limit = key.startsWith('GET ') ? CCV_LIMITS.get : CCV_LIMITS.write;
    const s = (Math.ceil(n / limit) - 1) * 60;
    if (s > worst.seconds) worst = { seconds: s, what: `${key}: ${n} calls at ${limit}/min` };
  }
  const g = (Math.ceil(total / CCV_LIMITS.global) - 1) * 60;
  if (g > worst.seconds) worst = { seconds: g, what: `all: ${total} calls at ${CCV_LIMITS.global}/min` };
  return { seconds: Math.max(0, worst.seconds), worst: worst.what };
}

/** The least time Shopify's bucket allows for spending `cost` points, starting from a full bucket. */
export function shopifyCostBoundSeconds(cost: number, bucket: Bucket): number {
  return Math.max(0, (cost - bucket.currentlyAvailable) / bucket.restoreRate);
}

export function machineLoad(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' / ');
}

export function describeWire(w: WireTally): string {
  const ops = Object.entries(w.shopify.byOperation).sort((a, b) => b[1].actualCost - a[1].actualCost).map(([k, v]) => `${k} ${v.calls}× = ${v.actualCost} pt`).join(', ');
  const ccv = Object.entries(w.ccv.byResource).map(([k, v]) => `${k} ×${v}`).join(', ');
  return `Shopify: ${w.shopify.requests} requests (${w.shopify.mutations} mutations, ${w.shopify.throttled} THROTTLED, ${w.shopify.transfers} file transfers), ${w.shopify.actualCost} points actual: ${ops || 'none'}. CCV: ${w.ccv.requests} requests: ${ccv}.`;
}

/** CCV requests that are not catalogue pages: the fixed reads every run starts with. */
export function ccvSetupReads(w: WireTally): number {
  return w.ccv.requests - w.ccv.productPages;
}

export const mb = (bytes: number) => bytes / 2 ** 20;

async function gql<T>(shopify: ShopifySandboxInfo, query: string, variables: Record<string, unknown>): Promise<{ data: T; cost: number }> {
  const res = await fetch(`${shopify.origin}/admin/api/2026-10/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': shopify.accessToken },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown[]; extensions?: { cost?: { actualQueryCost?: number } } };
  if (body.errors?.length) throw new Error(`sandbox GraphQL: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return { data: body.data, cost: body.extensions?.cost?.actualQueryCost ?? 0 };
}

export interface Edit {
  ccvId: string;
  kind: 'title' | 'price';
}

/**
 * What writing just the changed fields costs, measured: for each edited product the one smallest
 * call that sets them (`productUpdate` with the title; `productVariantsBulkUpdate` with each
 * variant's price and compare-at price), selecting only `userErrors`, sent to the sandbox with the
 * values Shopify now holds (so nothing changes) and priced by it.
 */
export async function minimalWriteCost(shopify: ShopifySandboxInfo, edits: readonly Edit[]): Promise<{ cost: number; calls: number }> {
  let cost = 0;
  for (const e of edits) {
    const { data } = await gql<{ productByIdentifier: { id: string; title: string; variants: { nodes: Array<{ id: string; price: string; compareAtPrice: string | null }> } } | null }>(
      shopify,
      'query($v: String!) { productByIdentifier(identifier: { customId: { namespace: "koppel", key: "ccv_product_id", value: $v } }) { id title variants(first: 250) { nodes { id price compareAtPrice } } } }',
      { v: e.ccvId },
    );
    const p = data.productByIdentifier;
    if (!p) throw new Error(`CCV product ${e.ccvId} is not in Shopify`);
    if (e.kind === 'title') {
      cost += (await gql(shopify, 'mutation($p: ProductUpdateInput!) { productUpdate(product: $p) { userErrors { field message } } }', { p: { id: p.id, title: p.title } })).cost;
    } else {
      const variants = p.variants.nodes.map((v) => ({ id: v.id, price: v.price, ...(v.compareAtPrice ? { compareAtPrice: v.compareAtPrice } : {}) }));
      cost += (await gql(shopify, 'mutation($id: ID!, $v: [ProductVariantsBulkInput!]!) { productVariantsBulkUpdate(productId: $id, variants: $v) { userErrors { field message } } }', { id: p.id, v: variants })).cost;
    }
  }
  return { cost, calls: edits.length };
}

/**
 * Edits 1 % of the products in CCV as a merchant would (every 100th product Shopify has, by CCV id):
 * alternately a new name and a price one euro higher.
 */
export async function editOnePercent(world: ProductsWorld): Promise<Edit[]> {
  const ids = await world.shopify.call<string[]>('ccvIds');
  const picked = ids.filter((_, i) => i % 100 === 50);
  const edits: Edit[] = picked.map((ccvId, i) => ({ ccvId, kind: i % 2 === 0 ? 'title' : 'price' }));
  const patches: Array<{ id: number; fields: Record<string, unknown> }> = [];
  for (const e of edits) {
    const p = await world.ccv.call<{ name: string; price: number }>('product', { id: Number(e.ccvId) });
    patches.push({ id: Number(e.ccvId), fields: e.kind === 'title' ? { name: `${p.name.trim()} (nieuw model)` } : { price: Math.round(p.price * 100 + 100) / 100 } });
  }
  await world.ccv.call('patchProducts', { edits: patches });
  return edits;
}
