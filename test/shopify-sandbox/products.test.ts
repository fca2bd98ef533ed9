// productSet, productCreate/Update, variant bulk mutations, product search: Shopify's semantics.
import { describe, expect, it } from 'vitest';
import { createShopifySandbox } from '../../sandbox/shopify/index.js';
import type { DomainEvent } from '../../sandbox/shopify/index.js';
import { gql, manualClock, ok } from '../../sandbox/shopify/testkit.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SET = `mutation($identifier: ProductSetIdentifiers, $input: ProductSetInput!, $sync: Boolean) {
  productSet(identifier: $identifier, input: $input, synchronous: $sync) {
    product {
      id handle title tags
      options { name values }
      variants(first: 250) { nodes { id sku title price inventoryItem { id } } }
      metafields(first: 10) { nodes { namespace key value } }
      collections(first: 10) { nodes { handle } }
    }
    productSetOperation { id status }
    userErrors { field message code }
  } }`;

function setup(opts: Parameters<typeof createShopifySandbox>[0] = {}) {
  const clock = manualClock();
  const sb = createShopifySandbox({ now: clock.now, ...opts });
  return { sb, clock };
}

async function productSet(sb: ReturnType<typeof createShopifySandbox>, input: Json, identifier?: Json, sync = true): Promise<Json> {
  const d = await ok<Json>(sb, SET, { input, identifier, sync });
  return d.productSet;
}

const colorOpts = (...values: string[]) => [{ name: 'Color', values: values.map((name) => ({ name })) }];
const colorVariant = (name: string, sku: string, price = '10.00') => ({ optionValues: [{ optionName: 'Color', name }], sku, price });

async function idDefinition(sb: ReturnType<typeof createShopifySandbox>, ownerType = 'PRODUCT', key = 'article_id') {
  const d = await ok<Json>(sb, 'mutation($d: MetafieldDefinitionInput!) { metafieldDefinitionCreate(definition: $d) { createdDefinition { id } userErrors { code } } }', {
    d: { name: key, namespace: 'ccv', key, type: 'id', ownerType },
  });
  expect(d.metafieldDefinitionCreate.userErrors).toEqual([]);
}

describe('productSet list fields replace', () => {
  it('deletes a variant left out, with its inventory item and levels', async () => {
    const { sb } = setup();
    const first = await productSet(sb, { title: 'Tee', productOptions: colorOpts('Red', 'Blue'), variants: [colorVariant('Red', 'T-R'), colorVariant('Blue', 'T-B')] });
    expect(first.userErrors).toEqual([]);
    const [red, blue] = first.product.variants.nodes as [Json, Json];
    const second = await productSet(sb, { productOptions: colorOpts('Red'), variants: [colorVariant('Red', 'T-R', '12.00')] }, { id: first.product.id });
    expect(second.userErrors).toEqual([]);
    expect(second.product.variants.nodes.map((v: Json) => [v.id, v.sku, v.price])).toEqual([[red.id, 'T-R', '12.00']]);
    expect(second.product.options).toEqual([{ name: 'Color', values: ['Red'] }]);
    const gone = await ok<Json>(sb, 'query($v: ID!, $i: ID!) { productVariant(id: $v) { id } inventoryItem(id: $i) { id } }', { v: blue.id, i: blue.inventoryItem.id });
    expect(gone).toEqual({ productVariant: null, inventoryItem: null });
    expect([...sb.state.table<{ id: string; itemId: string }>('inventoryLevels').values()].some((l) => l.itemId === blue.inventoryItem.id)).toBe(false);
    const search = await ok<Json>(sb, '{ productVariants(first: 5, query: "sku:T-B") { nodes { id } } }');
    expect(search.productVariants.nodes).toEqual([]);
  });

  it('replaces metafields and collections, and leaves them alone when the field is absent', async () => {
    const { sb } = setup();
    const mk = async (title: string, handle: string) =>
      (await ok<Json>(sb, 'mutation($c: CollectionCreateInput!) { collectionCreate(collection: $c) { collection { id } userErrors { message } } }', { c: { title, handle } })).collectionCreate.collection.id as string;
    const c1 = await mk('One', 'one');
    const c2 = await mk('Two', 'two');
    const mf = (k: string, v: string) => ({ namespace: 'ccv', key: k, type: 'single_line_text_field', value: v });
    const a = await productSet(sb, { title: 'Lamp', metafields: [mf('ka', '1'), mf('kb', '2')], collections: [c1] });
    expect(a.product.metafields.nodes.map((m: Json) => m.key)).toEqual(['ka', 'kb']);
    expect(a.product.collections.nodes.map((c: Json) => c.handle)).toEqual(['one']);
    const b = await productSet(sb, { metafields: [mf('ka', '3')], collections: [c2] }, { id: a.product.id });
    expect(b.product.metafields.nodes.map((m: Json) => [m.key, m.value])).toEqual([['ka', '3']]);
    expect(b.product.collections.nodes.map((c: Json) => c.handle)).toEqual(['two']);
    const c = await productSet(sb, { title: 'Lamp 2' }, { id: a.product.id });
    expect(c.product.metafields.nodes.map((m: Json) => m.key)).toEqual(['ka']);
    expect(c.product.collections.nodes.map((x: Json) => x.handle)).toEqual(['two']);
    expect(c.product.variants.nodes).toHaveLength(1); // untouched default variant
  });

  it('keeps variant and inventory ids when the same option values come back without ids', async () => {
    const { sb } = setup();
    const a = await productSet(sb, { title: 'Cap', productOptions: colorOpts('Red', 'Blue'), variants: [colorVariant('Red', 'C-R'), colorVariant('Blue', 'C-B')] });
    const b = await productSet(sb, { productOptions: colorOpts('Blue', 'Red'), variants: [colorVariant('Blue', 'C-B2'), colorVariant('Red', 'C-R')] }, { id: a.product.id });
    const byTitle = (p: Json) => Object.fromEntries(p.variants.nodes.map((v: Json) => [v.title, v.inventoryItem.id]));
    expect(byTitle(b.product)).toEqual(byTitle(a.product));
    expect(b.product.variants.nodes.map((v: Json) => v.title)).toEqual(['Blue', 'Red']);
  });
});

describe('productSet identifiers', () => {
  it('upserts by handle and refuses a differing input handle', async () => {
    const { sb } = setup();
    const a = await productSet(sb, { title: 'Bag' }, { handle: 'ccv-bag' });
    expect(a.product.handle).toBe('ccv-bag');
    const b = await productSet(sb, { title: 'Bag v2' }, { handle: 'ccv-bag' });
    expect(b.product.id).toBe(a.product.id);
    expect(b.product.title).toBe('Bag v2');
    const c = await productSet(sb, { title: 'Bag', handle: 'other' }, { handle: 'ccv-bag' });
    expect(c.userErrors.map((e: Json) => e.code)).toEqual(['INPUT_MISMATCH']);
  });

  it('updates by id only: NOT_FOUND for a missing product, ID_NOT_ALLOWED with input.id', async () => {
    const { sb } = setup();
    const nf = await productSet(sb, { title: 'X' }, { id: 'gid://shopify/Product/42' });
    expect(nf.userErrors).toEqual([{ field: ['identifier', 'id'], message: 'Product does not exist', code: 'NOT_FOUND' }]);
    expect(sb.state.table('products').size).toBe(0);
    const na = await productSet(sb, { title: 'X', id: 'gid://shopify/Product/42' }, { handle: 'x' });
    expect(na.userErrors.map((e: Json) => e.code)).toEqual(['ID_NOT_ALLOWED']);
  });

  it('upserts by custom id, requires the definition, and needs the custom id in the metafields', async () => {
    const { sb } = setup();
    const ident = { customId: { namespace: 'ccv', key: 'article_id', value: '7' } };
    const noDef = await productSet(sb, { title: 'Pen' }, ident);
    expect(noDef.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/metafieldDefinitionCreate/) });
    await idDefinition(sb);
    const created = await productSet(sb, { title: 'Pen' }, ident);
    expect(created.userErrors).toEqual([]);
    expect(created.product.metafields.nodes).toEqual([{ namespace: 'ccv', key: 'article_id', value: '7' }]);
    const updated = await productSet(sb, { title: 'Pen 2', metafields: [{ namespace: 'ccv', key: 'article_id', type: 'id', value: '7' }] }, ident);
    expect(updated.product.id).toBe(created.product.id);
    const mismatch = await productSet(sb, { title: 'Pen 3', metafields: [{ namespace: 'ccv', key: 'colour', type: 'single_line_text_field', value: 'red' }] }, ident);
    expect(mismatch.userErrors.map((e: Json) => e.code)).toEqual(['METAFIELD_MISMATCH']);
    expect(sb.state.table('products').size).toBe(1);
  });
});

describe('productSet validation', () => {
  it('derives unique handles from titles and refuses a taken explicit handle', async () => {
    const { sb } = setup();
    expect((await productSet(sb, { title: 'Mug' })).product.handle).toBe('mug');
    expect((await productSet(sb, { title: 'Mug' })).product.handle).toBe('mug-1');
    expect((await productSet(sb, { title: 'Crème Brûlée!' })).product.handle).toBe('creme-brulee');
    const taken = await productSet(sb, { title: 'Other', handle: 'mug' });
    expect(taken.userErrors).toEqual([{ field: ['input', 'handle'], message: "Handle 'mug' already in use. Please provide a new handle.", code: 'HANDLE_NOT_UNIQUE' }]);
  });

  it('needs options and variants together on update, at most 3 options and 2048 variants', async () => {
    const { sb } = setup();
    const p = await productSet(sb, { title: 'Sock' });
    const noVars = await productSet(sb, { productOptions: colorOpts('Red') }, { id: p.product.id });
    expect(noVars.userErrors.map((e: Json) => e.code)).toEqual(['VARIANTS_INPUT_MISSING']);
    const noOpts = await productSet(sb, { variants: [colorVariant('Red', 'S-R')] }, { id: p.product.id });
    expect(noOpts.userErrors.map((e: Json) => e.code)).toEqual(['PRODUCT_OPTIONS_INPUT_MISSING']);
    const four = ['A', 'B', 'C', 'D'].map((name) => ({ name, values: [{ name: 'x' }] }));
    const tooMany = await productSet(sb, { title: 'Four', productOptions: four, variants: [{ optionValues: four.map((o) => ({ optionName: o.name, name: 'x' })) }] });
    expect(tooMany.userErrors.map((e: Json) => e.code)).toEqual(['OPTIONS_OVER_LIMIT']);
    const sizes = Array.from({ length: 13 }, (_, i) => `s${i}`);
    const opts = ['A', 'B', 'C'].map((name) => ({ name, values: sizes.map((n) => ({ name: n })) }));
    const variants = [];
    for (const a of sizes) for (const b of sizes) for (const c of sizes) variants.push({ optionValues: [{ optionName: 'A', name: a }, { optionName: 'B', name: b }, { optionName: 'C', name: c }] });
    const over = await gql(sb, SET, { input: { title: 'Huge', productOptions: opts, variants: variants.slice(0, 2049) } });
    expect(over.body.errors).toBeUndefined();
    expect((over.body.data as Json).productSet.userErrors.map((e: Json) => e.code)).toEqual(['VARIANTS_OVER_LIMIT']);
    expect(sb.state.table('products').size).toBe(1);
  });

  it('refuses unknown option values, duplicated names and duplicated variants', async () => {
    const { sb } = setup();
    const unknownValue = await productSet(sb, { title: 'Hat', productOptions: colorOpts('Red'), variants: [colorVariant('Green', 'H-G')] });
    expect(unknownValue.userErrors.map((e: Json) => e.code)).toEqual(['OPTION_VALUE_DOES_NOT_EXIST']);
    const unknownOption = await productSet(sb, { title: 'Hat', productOptions: colorOpts('Red'), variants: [{ optionValues: [{ optionName: 'Size', name: 'Red' }] }] });
    expect(unknownOption.userErrors.map((e: Json) => e.code)).toEqual(['OPTION_DOES_NOT_EXIST']);
    const dupName = await productSet(sb, { title: 'Hat', productOptions: [...colorOpts('Red'), ...colorOpts('Blue')], variants: [colorVariant('Red', 'x')] });
    expect(dupName.userErrors.map((e: Json) => e.code)).toContain('DUPLICATED_OPTION_NAME');
    const dupValue = await productSet(sb, { title: 'Hat', productOptions: colorOpts('Red', 'red'), variants: [colorVariant('Red', 'x')] });
    expect(dupValue.userErrors.map((e: Json) => e.code)).toEqual(['DUPLICATED_OPTION_VALUE']);
    const dupVariant = await productSet(sb, { title: 'Hat', productOptions: colorOpts('Red'), variants: [colorVariant('Red', 'a'), colorVariant('Red', 'b')] });
    expect(dupVariant.userErrors.map((e: Json) => e.code)).toEqual(['INVALID_VARIANT']);
    const negative = await productSet(sb, { title: 'Hat', productOptions: colorOpts('Red'), variants: [colorVariant('Red', 'a', '-1.00')] });
    expect(negative.userErrors.map((e: Json) => e.code)).toEqual(['INVALID_VARIANT']);
    expect(sb.state.table('products').size).toBe(0);
  });

  it('runs asynchronously on the sandbox clock and reports userErrors on the operation', async () => {
    const { sb, clock } = setup({ productSetAsyncMs: 2000 });
    await productSet(sb, { title: 'Taken', handle: 'taken' });
    const r = await productSet(sb, { title: 'Clash', handle: 'taken' }, undefined, false);
    expect(r.product).toBeNull();
    expect(r.productSetOperation.status).toBe('CREATED');
    const status = 'query($id: ID!) { productOperation(id: $id) { status product { id } ... on ProductSetOperation { userErrors { code } } } }';
    clock.advance(1000);
    expect((await ok<Json>(sb, status, { id: r.productSetOperation.id })).productOperation.status).toBe('ACTIVE');
    clock.advance(1000);
    expect((await ok<Json>(sb, status, { id: r.productSetOperation.id })).productOperation).toEqual({ status: 'COMPLETE', product: null, userErrors: [{ code: 'HANDLE_NOT_UNIQUE' }] });
  });
});

describe('productCreate, productUpdate and the variant bulk mutations', () => {
  const CREATE = 'mutation($p: ProductCreateInput!) { productCreate(product: $p) { product { id handle tags variants(first: 5) { nodes { id title } } } userErrors { field message } } }';
  const UPDATE = 'mutation($i: ProductUpdateIdentifiers, $p: ProductUpdateInput!) { productUpdate(identifier: $i, product: $p) { product { id title tags handle } userErrors { field message } } }';
  const BULK_CREATE = `mutation($id: ID!, $v: [ProductVariantsBulkInput!]!, $s: ProductVariantsBulkCreateStrategy) {
    productVariantsBulkCreate(productId: $id, variants: $v, strategy: $s) { product { options { name values } } productVariants { id sku title inventoryQuantity } userErrors { field message code } } }`;
  const BULK_UPDATE = `mutation($id: ID!, $v: [ProductVariantsBulkInput!]!, $partial: Boolean) {
    productVariantsBulkUpdate(productId: $id, variants: $v, allowPartialUpdates: $partial) { productVariants { id sku price } userErrors { field message code } } }`;

  it('replaces tags on update and finds the product by custom id', async () => {
    const { sb } = setup();
    await idDefinition(sb);
    const c = (await ok<Json>(sb, CREATE, { p: { title: 'Jar', tags: ['b', 'a', 'A'], metafields: [{ namespace: 'ccv', key: 'article_id', type: 'id', value: '9' }] } })).productCreate;
    expect(c.userErrors).toEqual([]);
    expect(c.product.tags).toEqual(['a', 'b']);
    const u = (await ok<Json>(sb, UPDATE, { i: { customId: { namespace: 'ccv', key: 'article_id', value: '9' } }, p: { tags: ['c'] } })).productUpdate;
    expect(u.product).toMatchObject({ id: c.product.id, title: 'Jar', tags: ['c'] });
    const missing = (await ok<Json>(sb, UPDATE, { i: { id: 'gid://shopify/Product/1' }, p: { title: 'x' } })).productUpdate;
    expect(missing.userErrors).toEqual([{ field: ['identifier'], message: 'Product does not exist' }]);
    const taken = (await ok<Json>(sb, CREATE, { p: { title: 'Jar', handle: 'jar' } })).productCreate;
    expect(taken.userErrors[0].field).toEqual(['product', 'handle']);
    const noCollection = (await ok<Json>(sb, UPDATE, { i: { id: c.product.id }, p: { collectionsToJoin: ['gid://shopify/Collection/1'] } })).productUpdate;
    expect(noCollection.userErrors[0].field).toEqual(['product', 'collectionsToJoin', '0']);
  });

  it('replaces the standalone default variant and refuses duplicates and ids on create', async () => {
    const { sb } = setup();
    const p = (await ok<Json>(sb, CREATE, { p: { title: 'Bowl' } })).productCreate.product;
    const store = [...sb.state.table<{ id: string; isPrimary: boolean }>('locations').values()].find((l) => l.isPrimary)!.id;
    const v = (size: string, sku: string) => ({ optionValues: [{ optionName: 'Size', name: size }], price: '5.00', inventoryItem: { sku, tracked: true }, inventoryQuantities: [{ locationId: store, availableQuantity: 4 }] });
    const r = (await ok<Json>(sb, BULK_CREATE, { id: p.id, v: [v('S', 'B-S'), v('L', 'B-L')] })).productVariantsBulkCreate;
    expect(r.userErrors).toEqual([]);
    expect(r.product.options).toEqual([{ name: 'Size', values: ['S', 'L'] }]);
    expect(r.productVariants.map((x: Json) => [x.sku, x.title, x.inventoryQuantity])).toEqual([
      ['B-S', 'S', 4],
      ['B-L', 'L', 4],
    ]);
    const dup = (await ok<Json>(sb, BULK_CREATE, { id: p.id, v: [v('S', 'B-S2')] })).productVariantsBulkCreate;
    expect(dup.userErrors.map((e: Json) => e.code)).toEqual(['VARIANT_ALREADY_EXISTS']);
    const withId = (await ok<Json>(sb, BULK_CREATE, { id: p.id, v: [{ ...v('M', 'B-M'), id: r.productVariants[0].id }] })).productVariantsBulkCreate;
    expect(withId.userErrors.map((e: Json) => e.code)).toEqual(['NO_KEY_ON_CREATE']);
    const badOption = (await ok<Json>(sb, BULK_CREATE, { id: p.id, v: [{ optionValues: [{ optionName: 'Colour', name: 'Red' }] }] })).productVariantsBulkCreate;
    expect(badOption.userErrors.map((e: Json) => e.code)).toEqual(['OPTION_VALUES_FOR_NUMBER_OF_UNKNOWN_OPTIONS']);
    const noSku = await gql(sb, BULK_CREATE, { id: p.id, v: [{ optionValues: [{ optionName: 'Size', name: 'M' }], sku: 'TOP-LEVEL' }] });
    expect(noSku.body.errors?.[0]?.message).toMatch(/sku/); // no top-level sku on ProductVariantsBulkInput
  });

  it('updates variants atomically unless partial updates are allowed', async () => {
    const { sb } = setup();
    const p = await productSet(sb, { title: 'Vase', productOptions: colorOpts('Red', 'Blue'), variants: [colorVariant('Red', 'V-R'), colorVariant('Blue', 'V-B')] });
    const [red, blue] = p.product.variants.nodes as [Json, Json];
    const store = [...sb.state.table<{ id: string; isPrimary: boolean }>('locations').values()].find((l) => l.isPrimary)!.id;
    const bad = { id: blue.id, price: '3.00', inventoryQuantities: [{ locationId: store, availableQuantity: 1 }] };
    const strict = (await ok<Json>(sb, BULK_UPDATE, { id: p.product.id, v: [{ id: red.id, price: '11.00', inventoryItem: { sku: 'V-R2' } }, bad] })).productVariantsBulkUpdate;
    expect(strict.userErrors.map((e: Json) => e.code)).toEqual(['NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE']);
    expect(strict.productVariants).toBeNull();
    const partial = (await ok<Json>(sb, BULK_UPDATE, { id: p.product.id, partial: true, v: [{ id: red.id, price: '11.00', inventoryItem: { sku: 'V-R2' } }, bad] })).productVariantsBulkUpdate;
    expect(partial.productVariants).toEqual([{ id: red.id, sku: 'V-R2', price: '11.00' }]);
    expect(partial.userErrors).toHaveLength(1);
    const other = await productSet(sb, { title: 'Other' });
    const wrongProduct = (await ok<Json>(sb, BULK_UPDATE, { id: other.product.id, v: [{ id: red.id, price: '1.00' }] })).productVariantsBulkUpdate;
    expect(wrongProduct.userErrors.map((e: Json) => e.code)).toEqual(['MUST_BE_FOR_THIS_PRODUCT']);
    const clash = (await ok<Json>(sb, BULK_UPDATE, { id: p.product.id, v: [{ id: red.id, optionValues: [{ optionName: 'Color', name: 'Blue' }] }] })).productVariantsBulkUpdate;
    expect(clash.userErrors.map((e: Json) => e.code)).toEqual(['VARIANT_ALREADY_EXISTS']);
  });
});

describe('product search and changes seen from Shopify', () => {
  it('searches SKUs through a lagging index while direct lookups are immediate', async () => {
    const { sb, clock } = setup({ indexLagMs: 5000 });
    const p = await productSet(sb, { title: 'Kettle', productOptions: colorOpts('Red'), variants: [colorVariant('Red', 'K-1')] });
    const q = '{ productVariants(first: 5, query: "sku:K-1") { nodes { sku } } }';
    expect((await ok<Json>(sb, q)).productVariants.nodes).toEqual([]);
    expect((await ok<Json>(sb, 'query($id: ID!) { product(id: $id) { title } }', { id: p.product.id })).product.title).toBe('Kettle');
    clock.advance(5000);
    expect((await ok<Json>(sb, q)).productVariants.nodes).toEqual([{ sku: 'K-1' }]);
  });

  it('reports merchant edits through updatedAt, search and events', async () => {
    const { sb, clock } = setup();
    const events: DomainEvent[] = [];
    sb.core.on((e) => events.push(e));
    const p = await productSet(sb, { title: 'Clock', descriptionHtml: '<p>old</p>' });
    const since = new Date(clock.now()).toISOString();
    clock.advance(60_000);
    const r = await sb.fetch(`https://${sb.shop}/__sandbox/edit/product`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: p.product.id, title: 'Wall clock', descriptionHtml: '<p>new</p>' }) });
    expect(r.status).toBe(200);
    const d = await ok<Json>(sb, `{ products(first: 5, query: "updated_at:>'${since}'", sortKey: UPDATED_AT) { nodes { id title description updatedAt } } }`);
    expect(d.products.nodes).toEqual([{ id: p.product.id, title: 'Wall clock', description: 'new', updatedAt: new Date(clock.now()).toISOString().replace('.000', '') }]);
    expect(events.map((e) => e.topic)).toEqual(['products/create', 'products/update']);
    const bad = await sb.fetch(`https://${sb.shop}/__sandbox/edit/product`, { method: 'POST', body: JSON.stringify({ id: p.product.id, colour: 'red' }) });
    expect(bad.status).toBe(400);
  });

  it('pages through products with cursors and sort keys', async () => {
    const { sb, clock } = setup();
    for (const t of ['delta', 'alpha', 'echo', 'charlie', 'bravo']) {
      await productSet(sb, { title: t });
      clock.advance(1000);
    }
    const page = 'query($after: String) { products(first: 2, after: $after, sortKey: TITLE) { nodes { title } pageInfo { hasNextPage hasPreviousPage endCursor } } }';
    const titles: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const d: Json = await ok<Json>(sb, page, { after });
      titles.push(...d.products.nodes.map((n: Json) => n.title));
      expect(d.products.pageInfo.hasPreviousPage).toBe(i > 0);
      if (!d.products.pageInfo.hasNextPage) break;
      after = d.products.pageInfo.endCursor;
    }
    expect(titles).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    const rev = await ok<Json>(sb, '{ products(last: 2, sortKey: CREATED_AT) { nodes { title } } }');
    expect(rev.products.nodes.map((n: Json) => n.title)).toEqual(['charlie', 'bravo']);
  });

  it('keeps every digit of ids beyond 2^53', async () => {
    const { sb } = setup({ idStart: '90071992547409931' });
    const p = await productSet(sb, { title: 'Big' });
    expect(p.product.id).toBe('gid://shopify/Product/90071992547409931');
    const d = await ok<Json>(sb, '{ products(first: 5, query: "id:90071992547409931") { nodes { id legacyResourceId } } }');
    expect(d.products.nodes).toEqual([{ id: 'gid://shopify/Product/90071992547409931', legacyResourceId: '90071992547409931' }]);
    const none = await ok<Json>(sb, '{ products(first: 5, query: "id:90071992547409932") { nodes { id } } }');
    expect(none.products.nodes).toEqual([]);
  });
});
