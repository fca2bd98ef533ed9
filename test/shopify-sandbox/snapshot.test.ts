// Snapshot files: a shop saved by one sandbox and loaded by the next answers the same, and never hands out a GID twice.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createShopifySandbox, settleBulk, startShopifySandbox } from '../../sandbox/shopify/index.js';
import type { ShopifySandboxHandle } from '../../sandbox/shopify/index.js';
import { manualClock, ok } from '../../sandbox/shopify/testkit.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DEF = 'mutation($d: MetafieldDefinitionInput!) { metafieldDefinitionCreate(definition: $d) { createdDefinition { id } userErrors { message } } }';
const PSET = 'mutation($i: ProductSetInput!) { productSet(input: $i) { product { id variants(first: 5) { nodes { id inventoryItem { id } } } } userErrors { message } } }';
const COLLECTION = 'mutation($c: CollectionCreateInput!) { collectionCreate(collection: $c) { collection { id } userErrors { message } } }';
const SUB = 'mutation($t: WebhookSubscriptionTopic!, $s: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $t, webhookSubscription: $s) { webhookSubscription { id } userErrors { message } } }';
const ADJUST = `mutation($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { field message code } } }`;
const CREATE = 'mutation($p: ProductCreateInput!) { productCreate(product: $p) { product { id } userErrors { message } } }';

/** What Koppel asks of a shop: products with variants, stock, metafields, collections, webhooks. */
const SHOP_QUERY = `{
  products(first: 4, sortKey: ID) { nodes { id handle title tags status updatedAt
    metafields(first: 3) { nodes { namespace key type value } }
    variants(first: 3) { nodes { id sku price inventoryItem { id inventoryLevels(first: 3) { nodes { location { name } quantities(names: ["available", "on_hand"]) { name quantity } } } } } } } }
  collections(first: 3) { nodes { id title productsCount { count } products(first: 5) { nodes { id } } } }
  webhookSubscriptions(first: 5) { nodes { id topic uri } }
  locations(first: 5) { nodes { id name isActive } }
}`;

const dirs: string[] = [];
function tempFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'shopify-snapshot-'));
  dirs.push(d);
  return join(d, 'shop.json');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The `/__sandbox/state` dump without empty tables (a table exists once any module has looked at it). */
async function stateDump(sb: ShopifySandboxHandle): Promise<Json> {
  const dump = (await (await sb.fetch(`https://${sb.shop}/__sandbox/state`)).json()) as Json;
  dump.tables = Object.fromEntries(Object.entries(dump.tables as Record<string, unknown[]>).filter(([, rows]) => rows.length > 0));
  return dump;
}

/** Fills a shop: two products (one with two variants, stocked at the store), a tag collection, metafields, a webhook. */
async function fill(sb: ShopifySandboxHandle): Promise<{ store: string; items: string[]; products: string[]; adjustKey: string; adjust: Json; adjusted: Json }> {
  const store = [...sb.state.table<{ id: string; name: string }>('locations').values()].find((l) => l.name === 'Winkel Utrecht')!.id;
  expect((await ok<Json>(sb, DEF, { d: { name: 'Article', namespace: 'ccv', key: 'article_id', type: 'id', ownerType: 'PRODUCT' } })).metafieldDefinitionCreate.userErrors).toEqual([]);
  const c = (await ok<Json>(sb, COLLECTION, { c: { title: 'Shirts', handle: 'shirts', sources: [{ source: { title: 'tag', inclusion: { matchType: 'ANY', conditions: [{ productTag: { matchType: 'ANY', relation: 'TAGGED_WITH', values: ['ccv-cat-12'] } }] } } }] } })).collectionCreate;
  expect(c.userErrors).toEqual([]);
  const shirt = (await ok<Json>(sb, PSET, {
    i: {
      title: 'Shirt', tags: ['ccv-cat-12'], productOptions: [{ name: 'Colour', values: [{ name: 'Red' }, { name: 'Blue' }] }],
      metafields: [{ namespace: 'ccv', key: 'article_id', value: '1001' }],
      variants: ['Red', 'Blue'].map((colour, i) => ({ optionValues: [{ optionName: 'Colour', name: colour }], sku: `SHIRT-${colour.toUpperCase()}`, price: '19.95', inventoryItem: { tracked: true }, inventoryQuantities: [{ locationId: store, name: 'available', quantity: 5 + i }] })),
    },
  })).productSet;
  expect(shirt.userErrors).toEqual([]);
  const mug = (await ok<Json>(sb, PSET, { i: { title: 'Mug', metafields: [{ namespace: 'ccv', key: 'article_id', value: '1002' }], productOptions: [{ name: 'Title', values: [{ name: 'Default Title' }] }], variants: [{ optionValues: [{ optionName: 'Title', name: 'Default Title' }], sku: 'MUG-1', price: '7.50' }] } })).productSet;
  expect(mug.userErrors).toEqual([]);
  expect((await ok<Json>(sb, SUB, { t: 'PRODUCTS_UPDATE', s: { uri: 'https://sync.example.com/webhooks/shopify', format: 'JSON' } })).webhookSubscriptionCreate.userErrors).toEqual([]);
  const items = shirt.product.variants.nodes.map((v: Json) => v.inventoryItem.id as string);
  const adjustKey = crypto.randomUUID();
  const adjust = { name: 'available', reason: 'correction', changes: [{ inventoryItemId: items[0], locationId: store, delta: -2, changeFromQuantity: null }] };
  const adjusted = (await ok<Json>(sb, ADJUST, { key: adjustKey, input: adjust })).inventoryAdjustQuantities;
  expect(adjusted.userErrors).toEqual([]);
  return { store, items, products: [shirt.product.id, mug.product.id], adjustKey, adjust, adjusted };
}

const numeric = (id: string) => BigInt(/\/(\d+)$/.exec(id)![1]!);

describe('Shopify sandbox snapshots', () => {
  it('a saved shop reloads in a new sandbox with the same state and the same answers', async () => {
    const file = tempFile();
    const clock = manualClock();
    const first = createShopifySandbox({ now: clock.now, snapshotFile: file });
    const f = await fill(first);
    clock.advance(5000);
    const before = await ok<Json>(first, SHOP_QUERY);
    expect(before.collections.nodes[0].productsCount.count).toBe(1);
    expect(first.saveSnapshot()).toBe(file);
    const stateBefore = await stateDump(first);

    // A long index lag: loaded records must be searchable at once anyway.
    const second = createShopifySandbox({ now: clock.now, snapshotFile: file, indexLagMs: 3_600_000 });
    expect(await stateDump(second)).toEqual(stateBefore);
    expect(await ok<Json>(second, SHOP_QUERY)).toEqual(before);

    const bySku = await ok<Json>(second, '{ productVariants(first: 5, query: "sku:SHIRT-BLUE") { nodes { sku product { id } } } }');
    expect(bySku.productVariants.nodes).toEqual([{ sku: 'SHIRT-BLUE', product: { id: f.products[0] } }]);
    const byArticle = await ok<Json>(second, '{ productByIdentifier(identifier: {customId: {namespace: "ccv", key: "article_id", value: "1002"}}) { id } }');
    expect(byArticle.productByIdentifier).toEqual({ id: f.products[1] });

    const created = (await ok<Json>(second, CREATE, { p: { title: 'New after restart' } })).productCreate.product.id as string;
    expect(f.products).not.toContain(created);
    expect(numeric(created)).toBeGreaterThan(numeric(f.products[1]!));

    // The idempotency key survives: a retry after the restart returns the first result and changes nothing.
    const replay = (await ok<Json>(second, ADJUST, { key: f.adjustKey, input: f.adjust })).inventoryAdjustQuantities;
    expect(replay).toEqual(f.adjusted);
    const level = await ok<Json>(second, 'query($id: ID!) { inventoryItem(id: $id) { inventoryLevels(first: 5) { nodes { quantities(names: ["available"]) { quantity } } } } }', { id: f.items[0] });
    expect(level.inventoryItem.inventoryLevels.nodes[0].quantities[0].quantity).toBe(3);
  });

  it('ids beyond 2^53 keep every digit and the sequences continue after them', async () => {
    const file = tempFile();
    const first = createShopifySandbox({ snapshotFile: file, idStart: '9007199254740993' });
    const a = (await ok<Json>(first, CREATE, { p: { title: 'A' } })).productCreate.product.id as string;
    expect(a).toBe('gid://shopify/Product/9007199254740993');
    first.saveSnapshot();
    const second = createShopifySandbox({ snapshotFile: file });
    expect((await ok<Json>(second, 'query($id: ID!) { product(id: $id) { title } }', { id: a })).product).toEqual({ title: 'A' });
    const b = (await ok<Json>(second, CREATE, { p: { title: 'B' } })).productCreate.product.id as string;
    expect(b).toBe('gid://shopify/Product/9007199254740994');
  });

  it('a sequence behind the loaded ids is raised past them (an edited file never yields a GID twice)', async () => {
    const file = tempFile();
    const first = createShopifySandbox({ snapshotFile: file });
    const a = (await ok<Json>(first, CREATE, { p: { title: 'A' } })).productCreate.product.id as string;
    first.saveSnapshot();
    const snap = JSON.parse(readFileSync(file, 'utf8')) as Json;
    delete snap.seq.Product;
    writeFileSync(file, JSON.stringify(snap, null, 2));
    const second = createShopifySandbox({ snapshotFile: file });
    const b = (await ok<Json>(second, CREATE, { p: { title: 'B' } })).productCreate.product.id as string;
    expect(numeric(b)).toBe(numeric(a) + 1n);
  });

  it('an unusable file is an error naming the file and the problem, and stays as it was', () => {
    const file = tempFile();
    writeFileSync(file, '{"format":"koppel-shopify-sandbox",');
    expect(() => createShopifySandbox({ snapshotFile: file })).toThrow(new RegExp(`snapshot file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`));
    expect(readFileSync(file, 'utf8')).toBe('{"format":"koppel-shopify-sandbox",');

    const good = createShopifySandbox().snapshot() as unknown as Json;
    const cases: [Json, RegExp][] = [
      [{ ...good, format: 'koppel-ccv-sandbox' }, /not a Shopify sandbox snapshot/],
      [{ ...good, version: 99 }, /unsupported snapshot version 99/],
      [{ ...good, tables: { products: {} } }, /table "products" must be a list/],
      [{ ...good, tables: { products: [{ title: 'no id' }] } }, /table "products" row 0 must be an object with a string "id"/],
      [{ ...good, seq: { Product: 12 } }, /"seq.Product" must be a positive decimal string/],
      [{ ...good, shop: { ...good.shop, myshopifyDomain: 'other.myshopify.com' } }, /holds the shop other.myshopify.com, but this sandbox serves koppel-demo.myshopify.com/],
    ];
    for (const [content, message] of cases) {
      writeFileSync(file, JSON.stringify(content));
      expect(() => createShopifySandbox({ snapshotFile: file })).toThrow(message);
    }
  });

  it('a running bulk operation is FAILED after the reload; finished ones keep their result file', async () => {
    const file = tempFile();
    const clock = manualClock();
    const first = createShopifySandbox({ now: clock.now, snapshotFile: file, bulkLinesPerSecond: 1 });
    await fill(first);
    const run = 'mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { message } } }';
    const q = '{ products { edges { node { id title } } } }';
    const done = (await ok<Json>(first, run, { q })).bulkOperationRunQuery.bulkOperation.id as string;
    await settleAll(first); // started
    clock.advance(10_000);
    await settleAll(first); // both lines done
    const status = 'query($id: ID!) { bulkOperation(id: $id) { status errorCode url } }';
    const finished = (await ok<Json>(first, status, { id: done })).bulkOperation;
    expect(finished.status).toBe('COMPLETED');
    const running = (await ok<Json>(first, run, { q })).bulkOperationRunQuery.bulkOperation.id as string;
    await settleAll(first);
    expect((await ok<Json>(first, status, { id: running })).bulkOperation.status).toBe('RUNNING');
    first.saveSnapshot();

    const second = createShopifySandbox({ now: clock.now, snapshotFile: file });
    await settleAll(second);
    expect((await ok<Json>(second, status, { id: running })).bulkOperation).toMatchObject({ status: 'FAILED', errorCode: 'INTERNAL_SERVER_ERROR' });
    expect((await ok<Json>(second, status, { id: done })).bulkOperation).toEqual(finished);
    const path = new URL(finished.url as string).pathname;
    const res = await second.fetch(`https://${second.shop}${path}`);
    expect(res.status).toBe(200);
    expect((await res.text()).trim().split('\n')).toHaveLength(2);
  });

  it('the server writes the file on POST /__sandbox/snapshot and on close, and the next start loads it', async () => {
    const file = tempFile();
    const first = await startShopifySandbox({ port: 0, snapshotFile: file });
    let created: string;
    try {
      created = (await ok<Json>(first, CREATE, { p: { title: 'Kept' } })).productCreate.product.id as string;
      const other = join(dirs[0]!, 'copy.json');
      const r = await fetch(`${first.origin}/__sandbox/snapshot`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ file: other }) });
      expect(await r.json()).toEqual({ written: other });
      expect(JSON.parse(readFileSync(other, 'utf8')).tables.products).toHaveLength(1);
      expect(existsSync(file)).toBe(false);
    } finally {
      await first.close();
    }
    expect(existsSync(file)).toBe(true);
    const second = await startShopifySandbox({ port: 0, snapshotFile: file });
    try {
      expect((await ok<Json>(second, '{ products(first: 5) { nodes { id title } } }')).products.nodes).toEqual([{ id: created, title: 'Kept' }]);
    } finally {
      await second.close();
    }
  });
});

async function settleAll(sb: ShopifySandboxHandle): Promise<void> {
  await settleBulk(sb.core);
}
