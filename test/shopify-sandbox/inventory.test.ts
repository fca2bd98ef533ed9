// Inventory quantities and the @idempotent inventory mutations: Shopify's semantics.
import { describe, expect, it } from 'vitest';
import { createShopifySandbox, DEFAULT_MODULES } from '../../sandbox/shopify/index.js';
import type { Module, RequestContext } from '../../sandbox/shopify/index.js';
import { gql, manualClock, ok } from '../../sandbox/shopify/testkit.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SET = `mutation($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { field message code } } }`;
const ADJUST = `mutation($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { field message code } } }`;
const ACTIVATE = `mutation($item: ID!, $loc: ID!, $available: Int, $key: String!) {
  inventoryActivate(inventoryItemId: $item, locationId: $loc, available: $available) @idempotent(key: $key) { inventoryLevel { id } userErrors { field message } } }`;
const LEVELS = `query($id: ID!) { inventoryItem(id: $id) { inventoryLevels(first: 10) { nodes { location { name } quantities(names: ["available", "on_hand", "committed", "damaged"]) { name quantity } } } } }`;

async function world(opts: Parameters<typeof createShopifySandbox>[0] = {}) {
  const clock = manualClock();
  const sb = createShopifySandbox({ now: clock.now, ...opts });
  const locs = [...sb.state.table<{ id: string; name: string }>('locations').values()];
  const store = locs.find((l) => l.name === 'Winkel Utrecht')!.id;
  const warehouse = locs.find((l) => l.name === 'Magazijn Amersfoort')!.id;
  const popup = locs.find((l) => l.name === 'Pop-up Zwolle')!.id;
  const p = await ok<Json>(sb, 'mutation($i: ProductSetInput!) { productSet(input: $i) { product { variants(first: 1) { nodes { inventoryItem { id } } } } userErrors { message } } }', {
    i: { title: 'Socks', productOptions: [{ name: 'Size', values: [{ name: 'M' }] }], variants: [{ optionValues: [{ optionName: 'Size', name: 'M' }], sku: 'SOCK-M', inventoryItem: { tracked: true }, inventoryQuantities: [{ locationId: store, name: 'available', quantity: 5 }] }] },
  });
  const item = p.productSet.product.variants.nodes[0].inventoryItem.id as string;
  const levels = async () => {
    const d = await ok<Json>(sb, LEVELS, { id: item });
    return Object.fromEntries(d.inventoryItem.inventoryLevels.nodes.map((n: Json) => [n.location.name, Object.fromEntries(n.quantities.map((q: Json) => [q.name, q.quantity]))]));
  };
  const set = (quantities: Json[], key = crypto.randomUUID(), extra: Json = {}) =>
    gql(sb, SET, { key, input: { name: 'available', reason: 'correction', referenceDocumentUri: 'gid://ccv-sync/StockSync/1', quantities, ...extra } });
  return { sb, clock, store, warehouse, popup, item, levels, set };
}

const data = (r: { body: { data?: Json | null } }) => r.body.data as Json;

describe('inventorySetQuantities', () => {
  it('sets available and on_hand together and answers the changes', async () => {
    const w = await world();
    const r = data(await w.set([{ inventoryItemId: w.item, locationId: w.store, quantity: 8, changeFromQuantity: 5 }])).inventorySetQuantities;
    expect(r.userErrors).toEqual([]);
    expect(r.inventoryAdjustmentGroup.changes).toEqual([
      { name: 'available', delta: 3, quantityAfterChange: 8 },
      { name: 'on_hand', delta: 3, quantityAfterChange: 8 },
    ]);
    expect(await w.levels()).toEqual({ 'Winkel Utrecht': { available: 8, on_hand: 8, committed: 0, damaged: 0 } });
    const same = data(await w.set([{ inventoryItemId: w.item, locationId: w.store, quantity: 8, changeFromQuantity: null }])).inventorySetQuantities;
    expect(same).toEqual({ inventoryAdjustmentGroup: null, userErrors: [] });
  });

  it('compare-and-swap: a stale changeFromQuantity changes nothing', async () => {
    const w = await world();
    const r = data(await w.set([{ inventoryItemId: w.item, locationId: w.store, quantity: 1, changeFromQuantity: 4 }])).inventorySetQuantities;
    expect(r.inventoryAdjustmentGroup).toBeNull();
    expect(r.userErrors).toEqual([{ field: ['input', 'quantities', '0', 'changeFromQuantity'], message: 'The changeFromQuantity value 4 does not match the persisted value 5.', code: 'CHANGE_FROM_QUANTITY_STALE' }]);
    expect((await w.levels())['Winkel Utrecht'].available).toBe(5);
  });

  it('requires changeFromQuantity in every entry, without using up the idempotency key', async () => {
    const w = await world();
    const key = crypto.randomUUID();
    const r = await w.set([{ inventoryItemId: w.item, locationId: w.store, quantity: 2 }], key);
    expect(r.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringMatching(/changeFromQuantity must be provided/) });
    const again = data(await w.set([{ inventoryItemId: w.item, locationId: w.store, quantity: 2, changeFromQuantity: null }], key)).inventorySetQuantities;
    expect(again.userErrors).toEqual([]);
    expect((await w.levels())['Winkel Utrecht'].available).toBe(2);
  });

  it('refuses duplicate pairs, bad names, reasons, documents, items, locations and out-of-range totals', async () => {
    const w = await world();
    const q = (over: Json = {}) => ({ inventoryItemId: w.item, locationId: w.store, quantity: 1, changeFromQuantity: null, ...over });
    const codes = async (quantities: Json[], extra: Json = {}) => data(await w.set(quantities, undefined, extra)).inventorySetQuantities.userErrors.map((e: Json) => e.code);
    expect(await codes([q(), q()])).toEqual(['NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR']);
    expect(await codes([q()], { name: 'committed' })).toEqual(['INVALID_NAME']);
    expect(await codes([q()], { reason: 'because' })).toEqual(['INVALID_REASON']);
    expect(await codes([q()], { referenceDocumentUri: 'not a uri' })).toEqual(['INVALID_REFERENCE_DOCUMENT']);
    expect(await codes([q({ inventoryItemId: 'gid://shopify/InventoryItem/1' })])).toEqual(['INVALID_INVENTORY_ITEM']);
    expect(await codes([q({ locationId: w.popup })])).toEqual(['INVALID_LOCATION']);
    expect(await codes([q({ quantity: 1_000_000_001 })])).toEqual(['INVALID_QUANTITY_TOO_HIGH']);
    expect(await codes([q({ quantity: -1_000_000_001 })])).toEqual(['INVALID_QUANTITY_TOO_LOW']);
    expect(await codes([q({ quantity: -1 })], { name: 'on_hand' })).toEqual(['INVALID_QUANTITY_NEGATIVE']);
    expect(await codes([q({ quantity: 1_000_000_000 })])).toEqual([]);
  });

  it('stocks a new location automatically (2026-10) and keeps on_hand = available + committed + unavailable', async () => {
    const w = await world();
    const r = data(await w.set([{ inventoryItemId: w.item, locationId: w.warehouse, quantity: 4, changeFromQuantity: 0 }])).inventorySetQuantities;
    expect(r.userErrors).toEqual([]);
    const events: { topic: string; id: string }[] = [];
    w.sb.core.on((e) => events.push(e));
    const edit = await w.sb.fetch(`https://${w.sb.shop}/__sandbox/edit/inventory`, { method: 'POST', body: JSON.stringify({ inventoryItemId: w.item, locationId: w.store, name: 'committed', quantity: 2 }) });
    expect(await edit.json()).toMatchObject({ available: 5, onHand: 7, committed: 2 });
    expect(events.map((e) => e.topic)).toEqual(['inventory_levels/update']);
    expect(events[0]!.id).toMatch(/^gid:\/\/shopify\/InventoryLevel\/\d+\?inventory_item_id=\d+$/);
    const onHand = data(await w.set([{ inventoryItemId: w.item, locationId: w.store, quantity: 10, changeFromQuantity: 7 }], undefined, { name: 'on_hand' })).inventorySetQuantities;
    expect(onHand.inventoryAdjustmentGroup.changes).toEqual([
      { name: 'on_hand', delta: 3, quantityAfterChange: 10 },
      { name: 'available', delta: 3, quantityAfterChange: 8 },
    ]);
    expect(await w.levels()).toEqual({
      'Winkel Utrecht': { available: 8, on_hand: 10, committed: 2, damaged: 0 },
      'Magazijn Amersfoort': { available: 4, on_hand: 4, committed: 0, damaged: 0 },
    });
  });

  it('2026-07 with auto-stocking off refuses an unstocked location', async () => {
    const w = await world({ autoStock: false });
    const input = { name: 'available', reason: 'correction', quantities: [{ inventoryItemId: w.item, locationId: w.warehouse, quantity: 1, changeFromQuantity: null }] };
    const v07 = await gql(w.sb, SET, { key: crypto.randomUUID(), input }, { version: '2026-07' });
    expect(data(v07).inventorySetQuantities.userErrors.map((e: Json) => e.code)).toEqual(['ITEM_NOT_STOCKED_AT_LOCATION']);
    // 2026-10 removed the code: Shopify stocks the location.
    const v10 = await gql(w.sb, SET, { key: crypto.randomUUID(), input });
    expect(data(v10).inventorySetQuantities.userErrors).toEqual([]);
  });
});

describe('@idempotent inventory writes', () => {
  it('a replay with the same key returns the first result and changes nothing', async () => {
    const w = await world();
    const key = crypto.randomUUID();
    const entry = [{ inventoryItemId: w.item, locationId: w.store, quantity: 9, changeFromQuantity: null }];
    const first = data(await w.set(entry, key)).inventorySetQuantities;
    const groups = w.sb.state.table('inventoryAdjustmentGroups').size;
    await w.sb.fetch(`https://${w.sb.shop}/__sandbox/edit/inventory`, { method: 'POST', body: JSON.stringify({ sku: 'SOCK-M', locationId: w.store, quantity: 3 }) });
    const replay = data(await w.set(entry, key)).inventorySetQuantities;
    expect(replay).toEqual(first);
    expect((await w.levels())['Winkel Utrecht'].available).toBe(3); // the merchant's 3 stands: nothing re-applied
    expect(w.sb.state.table('inventoryAdjustmentGroups').size).toBe(groups + 1); // only the merchant's edit added one

    const adjust = { name: 'available', reason: 'correction', changes: [{ inventoryItemId: w.item, locationId: w.store, delta: -1, changeFromQuantity: null }] };
    const k2 = crypto.randomUUID();
    const a1 = data(await gql(w.sb, ADJUST, { key: k2, input: adjust })).inventoryAdjustQuantities;
    const a2 = data(await gql(w.sb, ADJUST, { key: k2, input: adjust })).inventoryAdjustQuantities;
    expect(a2).toEqual(a1);
    expect((await w.levels())['Winkel Utrecht'].available).toBe(2);
  });

  it('the same key with other parameters is IDEMPOTENCY_KEY_PARAMETER_MISMATCH', async () => {
    const w = await world();
    const key = crypto.randomUUID();
    await w.set([{ inventoryItemId: w.item, locationId: w.store, quantity: 9, changeFromQuantity: null }], key);
    const other = data(await w.set([{ inventoryItemId: w.item, locationId: w.store, quantity: 10, changeFromQuantity: null }], key)).inventorySetQuantities;
    expect(other).toEqual({ inventoryAdjustmentGroup: null, userErrors: [{ field: null, message: 'The same idempotency key cannot be used with different operation parameters.', code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH' }] });
    expect((await w.levels())['Winkel Utrecht'].available).toBe(9);
  });

  it('a replay while the first is still running is IDEMPOTENCY_CONCURRENT_REQUEST', async () => {
    const w = await world();
    w.sb.setFaults({ latencyMs: 40 });
    const key = crypto.randomUUID();
    const entry = [{ inventoryItemId: w.item, locationId: w.store, quantity: 6, changeFromQuantity: null }];
    const [a, b] = await Promise.all([w.set(entry, key), w.set(entry, key)]);
    const codes = [a, b].map((r) => data(r).inventorySetQuantities.userErrors.map((e: Json) => e.code)).sort();
    expect(codes).toEqual([[], ['IDEMPOTENCY_CONCURRENT_REQUEST']]);
    w.sb.setFaults({ latencyMs: 0 });
    expect((await w.levels())['Winkel Utrecht'].available).toBe(6);
  });

  it('inventoryActivate is idempotent too, and a key whose first attempt crashed cannot be reused', async () => {
    const crashing: Module = (r) => {
      r.input('RefundInput', '*');
      r.field('Mutation.refundCreate', (_s: unknown, _a: unknown, _c: RequestContext) => {
        throw new Error('payment service exploded');
      });
    };
    const w = await world({ modules: [...DEFAULT_MODULES, crashing] });
    const key = crypto.randomUUID();
    const act = await gql(w.sb, ACTIVATE, { item: w.item, loc: w.warehouse, available: 2, key });
    const again = await gql(w.sb, ACTIVATE, { item: w.item, loc: w.warehouse, available: 2, key });
    expect(data(again)).toEqual(data(act));
    expect((await w.levels())['Magazijn Amersfoort'].available).toBe(2);
    const active = data(await gql(w.sb, ACTIVATE, { item: w.item, loc: w.warehouse, available: 5, key: crypto.randomUUID() })).inventoryActivate;
    expect(active.userErrors[0].message).toMatch(/already active/);

    const refund = 'mutation($k: String!) { refundCreate(input: { orderId: "gid://shopify/Order/1" }) @idempotent(key: $k) { userErrors { message } } }';
    const crashKey = crypto.randomUUID();
    const first = await gql(w.sb, refund, { k: crashKey });
    expect(first.body.errors?.[0]?.message).toBe('payment service exploded');
    const retry = await gql(w.sb, refund, { k: crashKey });
    expect(data(retry).refundCreate.userErrors).toEqual([{ message: 'A previous request with this idempotency key failed. Retry with a new idempotency key.' }]);
  });
});

describe('inventoryAdjustQuantities', () => {
  it('applies deltas with compare-and-swap and the ledger document rules', async () => {
    const w = await world();
    const adjust = (name: string, changes: Json[]) => gql(w.sb, ADJUST, { key: crypto.randomUUID(), input: { name, reason: 'damaged', changes } });
    const c = (over: Json = {}) => ({ inventoryItemId: w.item, locationId: w.store, delta: 1, changeFromQuantity: null, ...over });
    const codes = async (name: string, changes: Json[]) => data(await adjust(name, changes)).inventoryAdjustQuantities.userErrors.map((e: Json) => e.code);
    expect(await codes('available', [c({ ledgerDocumentUri: 'gid://ccv-sync/Ledger/1' })])).toEqual(['INVALID_AVAILABLE_DOCUMENT']);
    expect(await codes('damaged', [c()])).toEqual(['INVALID_QUANTITY_DOCUMENT']);
    expect(await codes('damaged', [c({ ledgerDocumentUri: 'gid://shopify/Order/1' })])).toEqual(['INTERNAL_LEDGER_DOCUMENT']);
    expect(await codes('damaged', [c({ ledgerDocumentUri: 'gid://a/B/1' }), c({ ledgerDocumentUri: 'gid://a/B/2' })])).toEqual(['MAX_ONE_LEDGER_DOCUMENT']);
    expect(await codes('committed', [c()])).toEqual(['INVALID_QUANTITY_NAME']);
    expect(await codes('available', [c({ changeFromQuantity: 4 })])).toEqual(['CHANGE_FROM_QUANTITY_STALE']);
    expect(await codes('available', [c({ delta: 2_000_000_000 })])).toEqual(['INVALID_QUANTITY_TOO_HIGH']);
    const damaged = data(await adjust('damaged', [c({ delta: 2, ledgerDocumentUri: 'gid://ccv-sync/Damage/7' })])).inventoryAdjustQuantities;
    expect(damaged.inventoryAdjustmentGroup.changes).toEqual([
      { name: 'damaged', delta: 2, quantityAfterChange: 2 },
      { name: 'on_hand', delta: 2, quantityAfterChange: 7 },
    ]);
    const ok5 = data(await adjust('available', [c({ delta: -5, changeFromQuantity: 5 })])).inventoryAdjustQuantities;
    expect(ok5.userErrors).toEqual([]);
    expect(await w.levels()).toEqual({ 'Winkel Utrecht': { available: 0, on_hand: 2, committed: 0, damaged: 2 } });
  });
});

describe('inventory items', () => {
  it('updates tracking and SKU, searches by SKU, and validates quantity names', async () => {
    const w = await world();
    const upd = 'mutation($id: ID!, $i: InventoryItemInput!) { inventoryItemUpdate(id: $id, input: $i) { inventoryItem { sku tracked unitCost { amount currencyCode } } userErrors { field message } } }';
    const u = (await ok<Json>(w.sb, upd, { id: w.item, i: { tracked: false, sku: 'SOCK-M2', cost: '1.5' } })).inventoryItemUpdate;
    expect(u).toEqual({ inventoryItem: { sku: 'SOCK-M2', tracked: false, unitCost: { amount: '1.50', currencyCode: 'EUR' } }, userErrors: [] });
    const neg = (await ok<Json>(w.sb, upd, { id: w.item, i: { cost: '-1' } })).inventoryItemUpdate;
    expect(neg.userErrors[0].field).toEqual(['input', 'cost']);
    const missing = (await ok<Json>(w.sb, upd, { id: 'gid://shopify/InventoryItem/5', i: { tracked: true } })).inventoryItemUpdate;
    expect(missing.userErrors).toEqual([{ field: ['id'], message: 'Inventory item does not exist' }]);
    const found = await ok<Json>(w.sb, '{ inventoryItems(first: 5, query: "sku:SOCK-M2") { nodes { id } } }');
    expect(found.inventoryItems.nodes).toEqual([{ id: w.item }]);
    const variant = await ok<Json>(w.sb, '{ productVariants(first: 5, query: "sku:SOCK-M2") { nodes { sku } } }');
    expect(variant.productVariants.nodes).toEqual([{ sku: 'SOCK-M2' }]);
    const bad = await gql(w.sb, 'query($id: ID!) { inventoryItem(id: $id) { inventoryLevels(first: 1) { nodes { quantities(names: ["sold"]) { quantity } } } } }', { id: w.item });
    expect(bad.body.errors?.[0]?.message).toMatch(/Invalid quantity name 'sold'/);
  });
});
