// Metafields and definitions, custom-id lookups, collections with the 2026-07 sources model, publishing.
import { describe, expect, it } from 'vitest';
import { createShopifySandbox } from '../../sandbox/shopify/index.js';
import { gql, manualClock, ok } from '../../sandbox/shopify/testkit.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DEF = 'mutation($d: MetafieldDefinitionInput!) { metafieldDefinitionCreate(definition: $d) { createdDefinition { id type { name } } userErrors { field message code } } }';
const SETMF = 'mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { key value compareDigest } userErrors { field code elementIndex } } }';
const PSET = 'mutation($i: ProductSetInput!) { productSet(input: $i) { product { id variants(first: 5) { nodes { id } } } userErrors { message } } }';
const UPDATE = 'mutation($p: ProductUpdateInput!) { productUpdate(product: $p) { product { id tags } userErrors { message } } }';
const CREATE_COLLECTION = 'mutation($c: CollectionCreateInput!) { collectionCreate(collection: $c) { collection { id handle sources { id } } userErrors { field message } } }';

function setup(opts: Parameters<typeof createShopifySandbox>[0] = {}) {
  const clock = manualClock();
  const sb = createShopifySandbox({ now: clock.now, ...opts });
  return { sb, clock };
}

async function product(sb: ReturnType<typeof createShopifySandbox>, input: Json): Promise<{ id: string; variant: string }> {
  const d = (await ok<Json>(sb, PSET, { i: input })).productSet;
  expect(d.userErrors).toEqual([]);
  return { id: d.product.id, variant: d.product.variants.nodes[0].id };
}

const tagCondition = (tag: string) => ({ productTag: { matchType: 'ANY', relation: 'TAGGED_WITH', values: [tag] } });

describe('metafield definitions', () => {
  it('creates definitions and refuses duplicates, bad keys, unknown types and impossible uniqueness', async () => {
    const { sb } = setup();
    const create = async (d: Json) => (await ok<Json>(sb, DEF, { d: { name: 'Def', namespace: 'ccv', ownerType: 'PRODUCT', ...d } })).metafieldDefinitionCreate;
    expect((await create({ key: 'article_id', type: 'id' })).userErrors).toEqual([]);
    expect((await create({ key: 'article_id', type: 'id' })).userErrors.map((e: Json) => e.code)).toEqual(['TAKEN']);
    expect((await create({ key: 'a', type: 'id' })).userErrors.map((e: Json) => e.code)).toEqual(['TOO_SHORT']);
    expect((await create({ key: 'bad key', type: 'id' })).userErrors.map((e: Json) => e.code)).toEqual(['INVALID_CHARACTER']);
    expect((await create({ key: 'colour', type: 'colour_name' })).userErrors.map((e: Json) => e.code)).toEqual(['INCLUSION']);
    expect((await create({ key: 'blob', type: 'json', capabilities: { uniqueValues: { enabled: true } } })).userErrors.map((e: Json) => e.code)).toEqual(['INVALID_CAPABILITY']);
    expect((await create({ key: 'ean', type: 'single_line_text_field', capabilities: { uniqueValues: { enabled: true } } })).userErrors).toEqual([]);
    const unsupported = await gql(sb, DEF, { d: { name: 'x', namespace: 'ccv', key: 'xx', ownerType: 'PRODUCT', type: 'id', validations: [{ name: 'max', value: '3' }] } });
    expect(unsupported.body.errors?.[0]?.extensions).toMatchObject({ code: 'SANDBOX_UNSUPPORTED', field: 'MetafieldDefinitionInput.validations' });
  });

  it('keeps id-type values unique across owners and inside one call', async () => {
    const { sb } = setup();
    await ok(sb, DEF, { d: { name: 'Article', namespace: 'ccv', key: 'article_id', type: 'id', ownerType: 'PRODUCT' } });
    const a = await product(sb, { title: 'A' });
    const b = await product(sb, { title: 'B' });
    const first = (await ok<Json>(sb, SETMF, { m: [{ ownerId: a.id, namespace: 'ccv', key: 'article_id', value: '1' }] })).metafieldsSet;
    expect(first.userErrors).toEqual([]); // type comes from the definition
    const clash = (await ok<Json>(sb, SETMF, { m: [{ ownerId: b.id, namespace: 'ccv', key: 'article_id', value: '1' }] })).metafieldsSet;
    expect(clash.userErrors).toEqual([{ field: ['metafields', '0', 'value'], code: 'TAKEN', elementIndex: 0 }]);
    const inBatch = (await ok<Json>(sb, SETMF, { m: [{ ownerId: a.id, namespace: 'ccv', key: 'article_id', value: '2' }, { ownerId: b.id, namespace: 'ccv', key: 'article_id', value: '2' }] })).metafieldsSet;
    expect(inBatch.userErrors.map((e: Json) => [e.code, e.elementIndex])).toEqual([['TAKEN', 1]]);
    const wrongType = (await ok<Json>(sb, SETMF, { m: [{ ownerId: b.id, namespace: 'ccv', key: 'article_id', type: 'single_line_text_field', value: '3' }] })).metafieldsSet;
    expect(wrongType.userErrors.map((e: Json) => e.code)).toEqual(['INVALID_TYPE']);
  });
});

describe('metafieldsSet', () => {
  it('allows 25 per call, is atomic and validates keys, types and values', async () => {
    const { sb } = setup();
    const p = await product(sb, { title: 'P' });
    const mf = (key: string, value = 'x', type = 'single_line_text_field') => ({ ownerId: p.id, namespace: 'ccv', key, type, value });
    const many = Array.from({ length: 26 }, (_, i) => mf(`k${i}`));
    const tooMany = (await ok<Json>(sb, SETMF, { m: many })).metafieldsSet;
    expect(tooMany).toEqual({ metafields: null, userErrors: [{ field: ['metafields'], code: 'LESS_THAN_OR_EQUAL_TO', elementIndex: null }] });
    expect((await ok<Json>(sb, SETMF, { m: many.slice(0, 25) })).metafieldsSet.metafields).toHaveLength(25);
    const mixed = (await ok<Json>(sb, SETMF, { m: [mf('good', 'new'), mf('n', 'x'), mf('count', 'seven', 'number_integer'), { ownerId: p.id, namespace: 'ccv', key: 'untyped', value: 'x' }, mf('ok2', 'x', 'no_such_type')] })).metafieldsSet;
    expect(mixed.metafields).toBeNull();
    expect(mixed.userErrors.map((e: Json) => [e.elementIndex, e.code])).toEqual([
      [1, 'TOO_SHORT'],
      [2, 'INVALID_VALUE'],
      [3, 'BLANK'],
      [4, 'INVALID_TYPE'],
    ]);
    const stored = await ok<Json>(sb, 'query($id: ID!) { product(id: $id) { metafield(namespace: "ccv", key: "good") { id } } }', { id: p.id });
    expect(stored.product.metafield).toBeNull(); // nothing of the failed call was written
    const owner = (await ok<Json>(sb, SETMF, { m: [{ ...mf('kk'), ownerId: 'gid://shopify/Product/1' }] })).metafieldsSet;
    expect(owner.userErrors.map((e: Json) => e.code)).toEqual(['INVALID']);
  });

  it('compare-and-set with compareDigest, null meaning "must not exist yet"', async () => {
    const { sb } = setup();
    const p = await product(sb, { title: 'P' });
    const set = async (value: string, compareDigest?: string | null) => {
      const m: Json = { ownerId: p.id, namespace: 'ccv', key: 'note', type: 'single_line_text_field', value };
      if (compareDigest !== undefined) m.compareDigest = compareDigest;
      return (await ok<Json>(sb, SETMF, { m: [m] })).metafieldsSet;
    };
    const created = await set('one', null);
    expect(created.userErrors).toEqual([]);
    const digest = created.metafields[0].compareDigest;
    expect((await set('two', null)).userErrors.map((e: Json) => e.code)).toEqual(['STALE_OBJECT']);
    expect((await set('two', 'nonsense')).userErrors.map((e: Json) => e.code)).toEqual(['INVALID_COMPARE_DIGEST']);
    const updated = await set('two', digest);
    expect(updated.userErrors).toEqual([]);
    expect((await set('three', digest)).userErrors.map((e: Json) => e.code)).toEqual(['STALE_OBJECT']);
    expect((await set('three')).userErrors).toEqual([]); // no digest: last write wins
  });

  it('needs the owner resource write scope', async () => {
    const { sb } = setup();
    const p = await product(sb, { title: 'P' });
    const t = sb.issueToken({ scopes: ['read_products', 'write_inventory'] });
    const r = await gql(sb, SETMF, { m: [{ ownerId: p.id, namespace: 'ccv', key: 'kk', type: 'single_line_text_field', value: 'x' }] }, { token: t.token });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('ACCESS_DENIED');
  });
});

describe('custom-id lookups', () => {
  it('finds variants and collections by custom id and explains a missing definition', async () => {
    const { sb } = setup();
    await ok(sb, DEF, { d: { name: 'Variant', namespace: 'ccv', key: 'variant_id', type: 'id', ownerType: 'PRODUCTVARIANT' } });
    const p = await product(sb, { title: 'P' });
    await ok(sb, SETMF, { m: [{ ownerId: p.variant, namespace: 'ccv', key: 'variant_id', value: 'v-1' }] });
    const v = await ok<Json>(sb, '{ productVariantByIdentifier(identifier: { customId: { namespace: "ccv", key: "variant_id", value: "v-1" } }) { id } }');
    expect(v.productVariantByIdentifier).toEqual({ id: p.variant });
    const none = await ok<Json>(sb, '{ productVariantByIdentifier(identifier: { customId: { namespace: "ccv", key: "variant_id", value: "v-2" } }) { id } }');
    expect(none.productVariantByIdentifier).toBeNull();
    const noDef = await gql(sb, '{ collectionByIdentifier(identifier: { customId: { namespace: "ccv", key: "category_id", value: "12" } }) { id } }');
    expect(noDef.body.errors?.[0]?.message).toMatch(/No metafield definition with unique values exists for COLLECTION ccv.category_id/);
  });
});

describe('collections with sources', () => {
  it('tag conditions drive membership, after the index lag, both ways', async () => {
    const { sb, clock } = setup({ indexLagMs: 2000 });
    const c = (await ok<Json>(sb, CREATE_COLLECTION, { c: { title: 'Shirts', handle: 'shirts', sources: [{ source: { title: 'tag', inclusion: { matchType: 'ANY', conditions: [tagCondition('ccv-cat-12')] } } }] } })).collectionCreate;
    expect(c.userErrors).toEqual([]);
    const p = await product(sb, { title: 'Polo', tags: ['ccv-cat-12'] });
    const members = async () => (await ok<Json>(sb, 'query($id: ID!) { collection(id: $id) { productsCount { count } products(first: 5) { nodes { id } } } }', { id: c.collection.id })).collection;
    const productCollections = async () => (await ok<Json>(sb, 'query($id: ID!) { product(id: $id) { collections(first: 5) { nodes { handle } } } }', { id: p.id })).product.collections.nodes;
    expect((await members()).productsCount.count).toBe(0);
    clock.advance(2000);
    expect(await members()).toEqual({ productsCount: { count: 1 }, products: { nodes: [{ id: p.id }] } });
    expect(await productCollections()).toEqual([{ handle: 'shirts' }]);
    await ok(sb, UPDATE, { p: { id: p.id, tags: ['other'] } });
    expect((await members()).productsCount.count).toBe(1); // not recomputed yet
    clock.advance(2000);
    expect((await members()).productsCount.count).toBe(0);
    expect(await productCollections()).toEqual([]);
  });

  it('evaluates title, price and NOT_TAGGED_WITH conditions with ALL/ANY, and exclusions', async () => {
    const { sb } = setup();
    const mk = async (title: string, price: string, tags: string[]) =>
      (await product(sb, { title, tags, productOptions: [{ name: 'Size', values: [{ name: 'M' }] }], variants: [{ optionValues: [{ optionName: 'Size', name: 'M' }], price }] })).id;
    const cheapPolo = await mk('Cheap polo', '9.00', ['sale']);
    const dearPolo = await mk('Dear polo', '90.00', []);
    const mug = await mk('Mug', '50.00', []);
    const create = async (handle: string, inclusion: Json, exclusion?: Json) =>
      (await ok<Json>(sb, CREATE_COLLECTION, { c: { title: handle, handle, sources: [{ source: { title: handle, inclusion, exclusion } }] } })).collectionCreate.collection.id as string;
    const count = async (id: string) => (await ok<Json>(sb, 'query($id: ID!) { collection(id: $id) { products(first: 10, sortKey: TITLE) { nodes { id } } } }', { id })).collection.products.nodes.map((n: Json) => n.id);
    const polos = await create('polos', { matchType: 'ALL', conditions: [{ productTitle: { matchType: 'ANY', relation: 'CONTAINS', values: ['polo'] } }, { variantPrice: { relation: 'GREATER_THAN', value: { amount: '20', currencyCode: 'EUR' } } }] });
    expect(await count(polos)).toEqual([dearPolo]);
    const notSale = await create('not-sale', { matchType: 'ANY', conditions: [{ productTag: { matchType: 'ALL', relation: 'NOT_TAGGED_WITH', values: ['sale'] } }] }, { selections: [{ productId: mug }] });
    expect(await count(notSale)).toEqual([dearPolo]);
    const any = await create('any', { matchType: 'ANY', conditions: [{ productTitle: { matchType: 'ANY', relation: 'STARTS_WITH', values: ['mug'] } }, { productTag: { matchType: 'ANY', relation: 'TAGGED_WITH', values: ['SALE'] } }] });
    expect(await count(any)).toEqual([cheapPolo, mug]);
    const cats = await ok<Json>(sb, '{ collections(first: 10, query: "collection_type:smart title:polos") { nodes { handle } } }');
    expect(cats.collections.nodes).toEqual([{ handle: 'polos' }]);
    const unsupported = await gql(sb, CREATE_COLLECTION, { c: { title: 'meta', sources: [{ source: { title: 'm', inclusion: { conditions: [{ metafieldString: { definitionId: 'gid://shopify/MetafieldDefinition/1', matchType: 'ANY', relation: 'EQUALS', values: ['x'] } }] } } }] } });
    expect(unsupported.body.errors?.[0]?.extensions?.code).toBe('SANDBOX_UNSUPPORTED');
  });

  it('updates sources: selections, conditions to create and delete, sources to delete; refuses bad input', async () => {
    const { sb } = setup();
    const a = await product(sb, { title: 'A', tags: ['x'] });
    const b = await product(sb, { title: 'B' });
    const c = (await ok<Json>(sb, CREATE_COLLECTION, { c: { title: 'C', sources: [{ source: { title: 's', inclusion: { matchType: 'ANY', conditions: [tagCondition('x')] } } }] } })).collectionCreate.collection;
    const UPD = 'mutation($c: CollectionUpdateInput!) { collectionUpdate(collection: $c) { collection { products(first: 5, sortKey: ID) { nodes { id } } sources { ... on CollectionConditionsSource { id inclusion { conditions { __typename id } } } } } job { done } userErrors { field message } } }';
    const src = c.sources[0].id;
    const sel = (await ok<Json>(sb, UPD, { c: { id: c.id, sourcesToUpdate: [{ condition: { id: src, inclusion: { selectionsToAdd: [{ productId: b.id }] } } }] } })).collectionUpdate;
    expect(sel.collection.products.nodes.map((n: Json) => n.id)).toEqual([a.id, b.id]);
    const condId = sel.collection.sources[0].inclusion.conditions[0].id;
    const swap = (await ok<Json>(sb, UPD, { c: { id: c.id, sourcesToUpdate: [{ condition: { id: src, inclusion: { conditionsToDelete: [condId], conditionsToCreate: [tagCondition('y')], selectionsToRemove: [{ productId: b.id }] } } }] } })).collectionUpdate;
    expect(swap.collection.products.nodes).toEqual([]);
    expect(swap.collection.sources[0].inclusion.conditions).toEqual([{ __typename: 'CollectionSourceInclusionConditionProductTag', id: expect.any(String) }]);
    const badSource = (await ok<Json>(sb, UPD, { c: { id: c.id, sourcesToUpdate: [{ condition: { id: 'gid://shopify/CollectionConditionsSource/1', inclusion: { selectionsToAdd: [{ productId: a.id }] } } }] } })).collectionUpdate;
    expect(badSource.userErrors[0].field).toEqual(['sourcesToUpdate', '0', 'condition', 'id']);
    const badProduct = (await ok<Json>(sb, UPD, { c: { id: c.id, sourcesToUpdate: [{ condition: { id: src, inclusion: { selectionsToAdd: [{ productId: 'gid://shopify/Product/1' }] } } }] } })).collectionUpdate;
    expect(badProduct.userErrors).toHaveLength(1);
    const del = (await ok<Json>(sb, UPD, { c: { id: c.id, sourcesToDelete: [src] } })).collectionUpdate;
    expect(del.collection.sources).toEqual([]);
    const missing = (await ok<Json>(sb, UPD, { c: { id: 'gid://shopify/Collection/1', title: 'x' } })).collectionUpdate;
    expect(missing.userErrors).toEqual([{ field: ['id'], message: 'Collection does not exist' }]);
    const taken = (await ok<Json>(sb, CREATE_COLLECTION, { c: { title: 'C', handle: 'c' } })).collectionCreate;
    expect(taken.userErrors[0].field).toEqual(['handle']);
  });
});

describe('publications', () => {
  it('publishes and unpublishes products, with publishedAt and the online store URL', async () => {
    const { sb } = setup();
    const p = await product(sb, { title: 'Lamp' });
    const pubs = (await ok<Json>(sb, '{ publications(first: 5) { nodes { id name } } }')).publications.nodes as Json[];
    const online = pubs.find((x) => x.name === 'Online Store')!.id;
    const pos = pubs.find((x) => x.name === 'Point of Sale')!.id;
    const PUB = 'mutation($id: ID!, $i: [PublicationInput!]!) { publishablePublish(id: $id, input: $i) { publishable { ... on Product { publishedAt onlineStoreUrl } } userErrors { field message } } }';
    const STATE = 'query($id: ID!, $a: ID!, $b: ID!) { product(id: $id) { a: publishedOnPublication(publicationId: $a) b: publishedOnPublication(publicationId: $b) resourcePublicationsCount { count } } }';
    expect((await ok<Json>(sb, STATE, { id: p.id, a: online, b: pos })).product).toEqual({ a: false, b: false, resourcePublicationsCount: { count: 0 } });
    const r = (await ok<Json>(sb, PUB, { id: p.id, i: [{ publicationId: online }, { publicationId: pos }] })).publishablePublish;
    expect(r.userErrors).toEqual([]);
    expect(r.publishable.onlineStoreUrl).toBe('https://koppel-demo.myshopify.com/products/lamp');
    expect(r.publishable.publishedAt).toMatch(/^2026-07-14T10:00:00Z$/);
    expect((await ok<Json>(sb, STATE, { id: p.id, a: online, b: pos })).product).toEqual({ a: true, b: true, resourcePublicationsCount: { count: 2 } });
    await ok(sb, 'mutation($id: ID!, $i: [PublicationInput!]!) { publishableUnpublish(id: $id, input: $i) { userErrors { message } } }', { id: p.id, i: [{ publicationId: online }] });
    expect((await ok<Json>(sb, STATE, { id: p.id, a: online, b: pos })).product).toEqual({ a: false, b: true, resourcePublicationsCount: { count: 1 } });
    const bad = (await ok<Json>(sb, PUB, { id: p.id, i: [{ publicationId: 'gid://shopify/Publication/1' }] })).publishablePublish;
    expect(bad.userErrors).toEqual([{ field: ['input', '0', 'publicationId'], message: 'Publication does not exist' }]);
    const noToken = sb.issueToken({ scopes: ['write_products'] });
    const denied = await gql(sb, PUB, { id: p.id, i: [{ publicationId: online }] }, { token: noToken.token });
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('ACCESS_DENIED');
  });
});
