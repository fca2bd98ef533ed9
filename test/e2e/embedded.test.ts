/**
 * The embedded default end to end, in one process: koppel start's wiring (SQLite, both sandboxes,
 * engine, flows, webhooks) with products and stock enabled. A till sale in CCV must reach Shopify.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKoppel, type KoppelProcess } from '../../src/cli/runtime.js';
import { parseConfig } from '../../src/config/loader.js';
import { silentLogger } from '../../src/obs/log.js';

let dir: string;
let koppel: KoppelProcess;
const ccvOrigin = () => koppel.connections.ccv.baseUrl;

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const s = koppel.connections.shopify;
  const res = await fetch(`${s.endpoint}/admin/api/2026-10/graphql.json`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-access-token': s.accessToken! }, body: JSON.stringify({ query, variables }) });
  return ((await res.json()) as { data: T }).data;
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koppel-e2e-'));
  const yaml = [
    `dataDir: ${join(dir, 'data')}`,
    'server:\n  port: 0',
    'sandbox:\n  ccvPort: 0\n  shopifyPort: 0\n  products: 25\n  seed: 3',
    'flows:\n  products:\n    enabled: true\n  stock:\n    enabled: true\n    location: Winkel Utrecht',
  ].join('\n');
  koppel = await startKoppel(parseConfig(yaml, { file: null, env: {} }), { logger: silentLogger, cwd: dir });
}, 60_000);

afterAll(async () => {
  await koppel?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('koppel start, embedded default', () => {
  it('creates the CCV catalogue in Shopify on its own after start', async () => {
    const n = await until('products in Shopify', async () => {
      const d = await gql<{ productsCount: { count: number } }>('{ productsCount { count } }');
      return d.productsCount.count >= 20 ? d.productsCount.count : undefined;
    });
    expect(n).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it('a till sale in CCV lowers the available quantity in Shopify within seconds', async () => {
    // A variant the products flow linked, with stock to sell in CCV.
    const links = await koppel.env.ledger.list(koppel.env.pair, 'variant', { limit: 500 });
    let link: (typeof links)[number] | undefined;
    let ccvStock = 0;
    for (const l of links.filter((x) => x.sku && x.refs.inventoryItem)) {
      const [productId, comboId] = l.sourceKey.split('/');
      const rec = await koppel.env.ccv.get<{ stock: number }>(comboId ? `attributecombinations/${comboId}` : `products/${productId}`);
      if (rec.stock >= 3) {
        link = l;
        ccvStock = Math.floor(rec.stock);
        break;
      }
    }
    expect(link).toBeDefined();
    const level = async () => {
      const d = await gql<{ inventoryItem: { inventoryLevels: { nodes: Array<{ location: { name: string }; quantities: Array<{ name: string; quantity: number }> }> } } }>(
        'query($id: ID!) { inventoryItem(id: $id) { inventoryLevels(first: 5) { nodes { location { name } quantities(names: ["available"]) { name quantity } } } } }', { id: link!.refs.inventoryItem });
      return d.inventoryItem.inventoryLevels.nodes.find((n) => n.location.name === 'Winkel Utrecht')?.quantities[0]?.quantity;
    };
    // CCV's stock first reaches Shopify through the stock flow's start-up pass.
    const before = await until('the CCV stock in Shopify', async () => ((await level()) === ccvStock ? ccvStock : undefined));
    const sale = await fetch(`${ccvOrigin()}/__sandbox/till-sale`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lines: [{ sku: link!.sku, count: 1 }] }) });
    expect(sale.status).toBeLessThan(300);
    const t0 = Date.now();
    const after = await until('the sale in Shopify', async () => {
      const q = await level();
      return q !== undefined && q !== before ? q : undefined;
    });
    expect(after).toBe(before - 1);
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 60_000);
});
