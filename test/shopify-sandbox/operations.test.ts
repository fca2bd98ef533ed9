// Koppel's catalogue/inventory documents through the official @shopify/admin-api-client against a running
// sandbox (socket on 127.0.0.1, port 0), on both API versions; every response is checked against the schema.
import { createAdminApiClient } from '@shopify/admin-api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox } from '../../sandbox/shopify/index.js';
import type { ShopifySandbox } from '../../sandbox/shopify/index.js';
import { manualClock } from '../../sandbox/shopify/testkit.js';
import { checkConformance } from './conformance.js';
import { DOCS, EXPECTED_REQUESTED_COST } from './documents.js';
import type { DocName } from './documents.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.each(['2026-10', '2026-07'])('reference operations on %s', (version) => {
  let sb: ShopifySandbox;
  const clock = manualClock();
  let client: ReturnType<typeof createAdminApiClient>;
  const costs = new Map<DocName, number>();

  beforeAll(async () => {
    sb = await startShopifySandbox({ port: 0, now: clock.now, idStart: '9007199254740993' });
    client = createAdminApiClient({ storeDomain: sb.shop, apiVersion: version, accessToken: sb.accessToken, customFetchApi: sb.fetch, logger: () => {} });
  });
  afterAll(() => sb.close());

  /** Runs a reference document, checks it succeeded, conforms and was priced by the rules. */
  async function run(name: DocName, variables: Json = {}): Promise<Json> {
    const r = await client.request(DOCS[name], { variables });
    expect(r.errors, `${name}: ${JSON.stringify(r.errors?.graphQLErrors ?? r.errors?.message)}`).toBeUndefined();
    expect(checkConformance(version, DOCS[name], r.data, variables)).toEqual([]);
    const cost = (r.extensions as Json).cost;
    costs.set(name, cost.requestedQueryCost);
    expect(cost.requestedQueryCost, `${name} requested cost`).toBe(EXPECTED_REQUESTED_COST[name]);
    expect(cost.actualQueryCost).toBeLessThanOrEqual(cost.requestedQueryCost);
    return r.data as Json;
  }

  const ids: Json = {};

  it('reads the shop, locations and publications', async () => {
    const shop = (await run('ShopInfo')).shop;
    expect(shop).toMatchObject({ myshopifyDomain: 'koppel-demo.myshopify.com', currencyCode: 'EUR', taxesIncluded: true, plan: { shopifyPlus: false } });
    const locs = (await run('Locations')).locations.nodes as Json[];
    expect(locs.map((l) => l.name).sort()).toEqual(['Magazijn Amersfoort', 'Winkel Utrecht']);
    ids.store = locs.find((l) => l.name === 'Winkel Utrecht')!.id;
    ids.warehouse = locs.find((l) => l.name === 'Magazijn Amersfoort')!.id;
    expect(ids.store).toBe('gid://shopify/Location/9007199254740993'); // beyond 2^53, every digit kept
    const pubs = (await run('Publications')).publications.nodes as Json[];
    expect(pubs.map((p) => p.name)).toEqual(['Online Store', 'Point of Sale']);
    ids.onlineStore = pubs[0]!.id;
  });

  it('sets up the custom-id definition and a tag-driven collection', async () => {
    const def = (await run('MetafieldDefinitionCreate', { definition: { name: 'CCV article id', namespace: 'ccv', key: 'article_id', type: 'id', ownerType: 'PRODUCT' } })).metafieldDefinitionCreate;
    expect(def.userErrors).toEqual([]);
    expect(def.createdDefinition).toMatchObject({ namespace: 'ccv', key: 'article_id', ownerType: 'PRODUCT', type: { name: 'id' } });
    const col = (
      await run('CollectionCreate', {
        collection: {
          title: 'Shirts',
          handle: 'ccv-cat-12',
          metafields: [{ namespace: 'ccv', key: 'category_id', type: 'single_line_text_field', value: '12' }],
          sources: [{ source: { title: 'CCV category 12', inclusion: { matchType: 'ANY', conditions: [{ productTag: { matchType: 'ANY', relation: 'TAGGED_WITH', values: ['ccv-cat-12'] } }] } } }],
        },
      })
    ).collectionCreate;
    expect(col.userErrors).toEqual([]);
    expect(col.collection).toMatchObject({ handle: 'ccv-cat-12', title: 'Shirts', sources: [{ __typename: 'CollectionConditionsSource', title: 'CCV category 12' }] });
    ids.collection = col.collection.id;
    ids.source = col.collection.sources[0].id;
  });

  const productSetInput = () => ({
    identifier: { customId: { namespace: 'ccv', key: 'article_id', value: '1001' } },
    input: {
      title: 'Polo shirt',
      descriptionHtml: '<p>Cotton polo</p>',
      vendor: 'Acme',
      productType: 'Shirts',
      status: 'ACTIVE',
      tags: ['ccv', 'ccv-cat-12'],
      productOptions: [
        { name: 'Color', position: 1, values: [{ name: 'Red' }, { name: 'Blue' }] },
        { name: 'Size', position: 2, values: [{ name: 'M' }, { name: 'L' }] },
      ],
      variants: [
        {
          optionValues: [{ optionName: 'Color', name: 'Red' }, { optionName: 'Size', name: 'M' }],
          sku: 'CCV-1001-RED-M', price: '29.95', compareAtPrice: '39.95', taxable: true, barcode: '8712345678901', inventoryPolicy: 'DENY',
          inventoryItem: { tracked: true, cost: '12.50', requiresShipping: true },
          inventoryQuantities: [{ locationId: ids.store, name: 'available', quantity: 5 }],
        },
        { optionValues: [{ optionName: 'Color', name: 'Blue' }, { optionName: 'Size', name: 'L' }], sku: 'CCV-1001-BLU-L', price: '29.95', taxable: true, inventoryItem: { tracked: true } },
      ],
      metafields: [
        { namespace: 'ccv', key: 'article_id', type: 'id', value: '1001' },
        { namespace: 'ccv', key: 'material', type: 'single_line_text_field', value: 'cotton' },
      ],
    },
  });

  it('upserts a product with productSet and finds it by SKU and by custom id', async () => {
    const ps = (await run('ProductSetSync', productSetInput())).productSet;
    expect(ps.userErrors).toEqual([]);
    expect(ps.productSetOperation).toBeNull();
    expect(ps.product.handle).toBe('polo-shirt');
    expect(ps.product.variants.nodes.map((v: Json) => [v.sku, v.title, v.price, v.compareAtPrice])).toEqual([
      ['CCV-1001-RED-M', 'Red / M', '29.95', '39.95'],
      ['CCV-1001-BLU-L', 'Blue / L', '29.95', null],
    ]);
    ids.polo = ps.product.id;

    const again = (await run('ProductSetSync', productSetInput())).productSet;
    expect(again.product.id).toBe(ids.polo); // upsert, not a second product
    expect(again.product.variants.nodes.map((v: Json) => v.id)).toEqual(ps.product.variants.nodes.map((v: Json) => v.id));

    const bySku = (await run('VariantsBySku', { query: 'sku:"CCV-1001-RED-M"' })).productVariants.nodes as Json[];
    expect(bySku.filter((v) => v.sku === 'CCV-1001-RED-M')).toHaveLength(1);
    expect(bySku[0]!.product).toMatchObject({ id: ids.polo, handle: 'polo-shirt', status: 'ACTIVE' });

    const p = (await run('ProductByIdentifier', { identifier: { customId: { namespace: 'ccv', key: 'article_id', value: '1001' } } })).productByIdentifier;
    expect(p).toMatchObject({ id: ids.polo, title: 'Polo shirt', vendor: 'Acme', productType: 'Shirts', tags: ['ccv', 'ccv-cat-12'], descriptionHtml: '<p>Cotton polo</p>' });
    expect(p.options.map((o: Json) => [o.name, o.position, o.optionValues.map((v: Json) => v.name)])).toEqual([
      ['Color', 1, ['Red', 'Blue']],
      ['Size', 2, ['M', 'L']],
    ]);
    expect(p.collections.nodes.map((c: Json) => c.handle)).toEqual(['ccv-cat-12']); // the tag condition
    expect(p.metafields.nodes.map((m: Json) => [m.key, m.type, m.value])).toEqual([
      ['article_id', 'id', '1001'],
      ['material', 'single_line_text_field', 'cotton'],
    ]);
    expect(p.variants.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses the reference ProductsUpdatedSince as too expensive, and serves a smaller page', async () => {
    const r = await client.request(DOCS.ProductsUpdatedSince, { variables: { query: "updated_at:>'2026-07-01T00:00:00Z'" } });
    expect(r.data).toBeUndefined();
    expect(r.errors?.graphQLErrors?.[0]?.extensions?.code).toBe('MAX_COST_EXCEEDED');
    expect((r.extensions as Json).cost.requestedQueryCost).toBe(EXPECTED_REQUESTED_COST.ProductsUpdatedSince);
    const smaller = DOCS.ProductsUpdatedSince.replace('products(first: 50', 'products(first: 4');
    const ok = await client.request(smaller, { variables: { query: "updated_at:>'2026-07-01T00:00:00Z'" } });
    expect(ok.errors).toBeUndefined();
    expect(checkConformance(version, smaller, ok.data)).toEqual([]);
    expect((ok.extensions as Json).cost.requestedQueryCost).toBe(2 + 4 * 203);
    expect((ok.data as Json).products.nodes.map((n: Json) => n.id)).toEqual([ids.polo]);
    const none = await client.request(smaller, { variables: { query: `updated_at:>'${new Date(clock.now() + 1000).toISOString()}'` } });
    expect((none.data as Json).products.nodes).toEqual([]);
  });

  it('runs productSet asynchronously and reports the operation', async () => {
    const vars = productSetInput();
    vars.input.title = 'Polo shirt (async)';
    const op = (await run('ProductSetAsync', vars)).productSet;
    expect(op.userErrors).toEqual([]);
    expect(op.productSetOperation).toMatchObject({ status: 'CREATED', userErrors: [] });
    const first = (await run('ProductSetOperationStatus', { id: op.productSetOperation.id })).productOperation;
    expect(first).toMatchObject({ status: 'CREATED', product: null, id: op.productSetOperation.id });
    clock.advance(1000);
    const done = (await run('ProductSetOperationStatus', { id: op.productSetOperation.id })).productOperation;
    expect(done).toMatchObject({ status: 'COMPLETE', product: { id: ids.polo, handle: 'polo-shirt' }, userErrors: [] });
  });

  it('creates, updates and publishes a simple product, then adds and updates variants', async () => {
    await run('MetafieldDefinitionCreate', { definition: { name: 'CCV variant id', namespace: 'ccv', key: 'variant_id', type: 'id', ownerType: 'PRODUCTVARIANT' } });
    const created = (await run('ProductCreate', { product: { title: 'Simple mug', status: 'DRAFT', vendor: 'Acme', productType: 'Mugs', tags: ['ccv'], metafields: [{ namespace: 'ccv', key: 'article_id', type: 'id', value: '2002' }] } })).productCreate;
    expect(created.userErrors).toEqual([]);
    expect(created.product.variants.nodes).toHaveLength(1);
    expect(created.product.variants.nodes[0]).toMatchObject({ title: 'Default Title', price: '0.00', sku: null, selectedOptions: [{ name: 'Title', value: 'Default Title' }] });
    ids.mug = created.product.id;

    const upd = (await run('ProductUpdate', { identifier: { id: ids.mug }, product: { title: 'Simple mug (new)', tags: ['ccv'], collectionsToJoin: [ids.collection] } })).productUpdate;
    expect(upd.userErrors).toEqual([]);
    expect(upd.product.handle).toBe('simple-mug');

    const pub = (await run('PublishToPublication', { id: ids.mug, input: [{ publicationId: ids.onlineStore }] })).publishablePublish;
    expect(pub.userErrors).toEqual([]);

    const bc = (
      await run('VariantsBulkCreate', {
        productId: ids.mug,
        variants: [{ optionValues: [{ optionName: 'Size', name: 'XL' }], price: '31.00', taxable: true, inventoryItem: { sku: 'CCV-1001-RED-XL', tracked: true }, inventoryQuantities: [{ locationId: ids.store, availableQuantity: 3 }] }],
      })
    ).productVariantsBulkCreate;
    expect(bc.userErrors).toEqual([]);
    expect(bc.productVariants).toEqual([expect.objectContaining({ sku: 'CCV-1001-RED-XL', title: 'XL', price: '31.00', selectedOptions: [{ name: 'Size', value: 'XL' }] })]);
    ids.mugVariant = bc.productVariants[0].id;
    ids.mugItem = bc.productVariants[0].inventoryItem.id;

    const bu = (await run('VariantsBulkUpdate', { productId: ids.mug, variants: [{ id: ids.mugVariant, price: '27.50', compareAtPrice: null, taxable: false, inventoryItem: { sku: 'CCV-2002', tracked: true } }] })).productVariantsBulkUpdate;
    expect(bu.userErrors).toEqual([]);
    expect(bu.productVariants[0]).toMatchObject({ id: ids.mugVariant, price: '27.50', taxable: false, sku: 'CCV-2002', inventoryItem: { tracked: true, sku: 'CCV-2002' } });

    const mf = (await run('MetafieldsSet', { metafields: [{ ownerId: ids.mug, namespace: 'ccv', key: 'color_code', type: 'single_line_text_field', value: 'R01' }] })).metafieldsSet;
    expect(mf.userErrors).toEqual([]);
    expect(mf.metafields[0]).toMatchObject({ namespace: 'ccv', key: 'color_code', ownerType: 'PRODUCT', value: 'R01' });
    expect(mf.metafields[0].compareDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads and updates collections through the sources model', async () => {
    const c = (await run('CollectionByIdentifier', { identifier: { handle: 'ccv-cat-12' } })).collectionByIdentifier;
    expect(c).toMatchObject({ id: ids.collection, handle: 'ccv-cat-12', title: 'Shirts' });
    expect(c.sources[0]).toMatchObject({ __typename: 'CollectionConditionsSource', id: ids.source, targetType: 'PRODUCTS', inclusion: { matchType: 'ANY', conditions: [{ __typename: 'CollectionSourceInclusionConditionProductTag' }] } });
    // The mug joined through collectionsToJoin: a manual selection.
    expect(c.sources[0].inclusion.selections.nodes).toEqual([{ __typename: 'CollectionInclusionProductSelection' }]);
    const found = (await run('CollectionsByHandle', { query: 'handle:ccv-cat-12' })).collections.nodes;
    expect(found.map((x: Json) => x.id)).toEqual([ids.collection]);
    const u = (await run('CollectionUpdate', { collection: { id: ids.collection, title: 'Shirts & polos', sourcesToUpdate: [{ condition: { id: ids.source, inclusion: { selectionsToAdd: [{ productId: ids.mug }] } } }] } })).collectionUpdate;
    expect(u.userErrors).toEqual([]);
    expect(u.collection.title).toBe('Shirts & polos');
    expect(u.job).toMatchObject({ done: true });
  });

  it('sets, adjusts and activates stock idempotently, and updates the inventory item', async () => {
    const set = (
      await run('InventorySet', {
        key: '6f1c2b7e-6a57-4f0e-9a43-3d0c1e2a9b10',
        input: { name: 'available', reason: 'correction', referenceDocumentUri: 'gid://ccv-sync/StockSnapshot/2026-07-14T10:00:00Z', quantities: [{ inventoryItemId: ids.mugItem, locationId: ids.store, quantity: 7, changeFromQuantity: null }] },
      })
    ).inventorySetQuantities;
    expect(set.userErrors).toEqual([]);
    expect(set.inventoryAdjustmentGroup).toMatchObject({ reason: 'correction', referenceDocumentUri: 'gid://ccv-sync/StockSnapshot/2026-07-14T10:00:00Z' });
    expect(set.inventoryAdjustmentGroup.changes).toEqual([
      { name: 'available', delta: 4, quantityAfterChange: 7, item: { id: ids.mugItem }, location: { id: ids.store } },
      { name: 'on_hand', delta: 4, quantityAfterChange: 7, item: { id: ids.mugItem }, location: { id: ids.store } },
    ]);
    const adj = (
      await run('InventoryAdjust', {
        key: '0c1d2e3f-aaaa-4bbb-8ccc-1234567890ab',
        input: { name: 'available', reason: 'correction', referenceDocumentUri: 'gid://ccv-sync/PosSale/991', changes: [{ inventoryItemId: ids.mugItem, locationId: ids.store, delta: -2, changeFromQuantity: null }] },
      })
    ).inventoryAdjustQuantities;
    expect(adj.inventoryAdjustmentGroup.changes).toEqual([
      { name: 'available', delta: -2, quantityAfterChange: 5 },
      { name: 'on_hand', delta: -2, quantityAfterChange: 5 },
    ]);
    const act = (await run('InventoryActivate', { inventoryItemId: ids.mugItem, locationId: ids.warehouse, available: 0, key: '11111111-2222-4333-8444-555555555555' })).inventoryActivate;
    expect(act.userErrors).toEqual([]);
    expect(act.inventoryLevel.id).toMatch(/^gid:\/\/shopify\/InventoryLevel\/\d+\?inventory_item_id=\d+$/);
    const levels = (await run('InventoryLevelsForItem', { id: ids.mugItem })).inventoryItem;
    expect(levels.inventoryLevels.nodes.map((n: Json) => [n.location.name, n.quantities])).toEqual([
      ['Winkel Utrecht', [{ name: 'available', quantity: 5 }, { name: 'on_hand', quantity: 5 }, { name: 'committed', quantity: 0 }]],
      ['Magazijn Amersfoort', [{ name: 'available', quantity: 0 }, { name: 'on_hand', quantity: 0 }, { name: 'committed', quantity: 0 }]],
    ]);
    const items = (await run('InventoryItemsBySku', { query: "sku:'CCV-2002'" })).inventoryItems.nodes;
    expect(items).toEqual([{ id: ids.mugItem, sku: 'CCV-2002', tracked: true, variants: { nodes: [{ id: ids.mugVariant }] } }]);
    const iu = (await run('InventoryItemUpdate', { id: ids.mugItem, input: { tracked: false, sku: 'CCV-2002-B' } })).inventoryItemUpdate;
    expect(iu).toEqual({ inventoryItem: { id: ids.mugItem, tracked: false, sku: 'CCV-2002-B' }, userErrors: [] });
  });

  it('priced every reference document by the rules', () => {
    const ran = [...costs.keys()].sort();
    expect(ran).toEqual(Object.keys(EXPECTED_REQUESTED_COST).filter((k) => k !== 'ProductsUpdatedSince').sort());
  });
});
