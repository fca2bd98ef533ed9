/** The products flow end to end: CCV sandbox → Koppel → Shopify sandbox. */
import { afterEach, describe, expect, it } from 'vitest';
import { syncProducts } from '../../../src/flows/products/sync.js';
import { shopifyGql, startWorld, type FlowWorld } from '../../support/flows.js';

let world: FlowWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const sync = (w: FlowWorld, extra: Partial<Parameters<typeof syncProducts>[1]> = {}) => syncProducts(w.env, { dryRun: false, trigger: 'manual', ...extra });

async function shopifyProducts(w: FlowWorld) {
  const d = await shopifyGql<{ products: { nodes: Array<{ id: string; title: string; tags: string[]; status: string; variants: { nodes: Array<{ sku: string; price: string }> } }> } }>(
    w.shopify, '{ products(first: 60) { nodes { id title tags status variants(first: 5) { nodes { sku price } } } } }');
  return d.products.nodes;
}

describe('products flow, CCV → Shopify', () => {
  it('creates every valid product once, with variants by SKU, and quarantines the rest with a fix', async () => {
    world = await startWorld({ ccv: { products: 40, dirty: true } });
    const r = await sync(world);
    const c = r.run.counts;
    expect(c.created).toBeGreaterThan(25);
    expect(c.quarantined).toBeGreaterThan(0);
    expect(c.created + c.quarantined).toBe(40);
    const products = await shopifyProducts(world);
    expect(products).toHaveLength(c.created);
    const skus = products.flatMap((p) => p.variants.nodes.map((v) => v.sku));
    expect(new Set(skus).size).toBe(skus.length);
    expect(await world.env.ledger.count(world.env.pair, 'product')).toBe(c.created);
    const q = await world.env.activity.query({ flow: 'products', outcome: 'quarantined' });
    for (const row of q.items) {
      expect(row.errorCode).toBeTruthy();
      expect(row.hint).toBeTruthy();
    }
    expect(products.some((p) => p.tags.some((t) => t.startsWith('ccv-cat-')))).toBe(true);
  });

  it('a second run with nothing changed writes nothing to Shopify', async () => {
    world = await startWorld({ ccv: { products: 20 } });
    await sync(world);
    const again = await sync(world, { mode: 'full' });
    expect(again.run.counts).toMatchObject({ created: 0, updated: 0, quarantined: 0 });
    // A full run's only Shopify call is its check of the catalogue (one page of product ids and variant counts).
    expect(again.run.apiCalls).toBe(1);
    expect(again.run.apiCost).toBeLessThan(100);
  });

  it('a delta run writes only the product changed in CCV, and only its changed fields', async () => {
    let now = Date.now();
    world = await startWorld({ ccv: { products: 20, now: () => now } });
    await sync(world);
    now += 120_000;
    const id = [...world.ccv.state.products.all()][3]!.id;
    world.ccv.patchProduct(id, { name: 'Regenjas Deluxe' });
    const r = await sync(world);
    expect(r.run.counts.updated).toBe(1);
    const rows = (await world.env.activity.query({ flow: 'products', runId: r.run.id, outcome: 'updated' })).items;
    expect(rows[0]!.sourceKey).toBe(String(id));
    expect(rows[0]!.diff!.map((d) => d.path)).toEqual(['title']);
    const link = await world.env.ledger.bySource(world.env.pair, 'product', String(id));
    const p = await shopifyGql<{ product: { title: string } }>(world.shopify, 'query($id: ID!) { product(id: $id) { title } }', { id: link!.targetId });
    expect(p.product.title).toBe('Regenjas Deluxe');
  });

  it('a category moved in CCV re-tags its products on the next delta run, though no product changed', async () => {
    world = await startWorld({ ccv: { products: 40 } });
    await sync(world);
    const cats = world.ccv.state.categories.all();
    const links = world.ccv.state.productToCategories.all();
    // A category with a parent and a product that is in it but not in the parent itself.
    const pick = links.map((l) => ({ l, cat: cats.find((c) => c.id === l.category_id)! }))
      .find(({ l, cat }) => cat.parent_id !== null && !links.some((o) => o.product_id === l.product_id && o.category_id === cat.parent_id));
    expect(pick, 'the seed has a product in a subcategory').toBeDefined();
    const { l, cat } = pick!;
    const oldParentTag = `ccv-cat-${cat.parent_id}`;
    const tagsOf = async () => {
      const link = await world!.env.ledger.bySource(world!.env.pair, 'product', String(l.product_id));
      return (await shopifyGql<{ product: { tags: string[] } }>(world!.shopify, 'query($id: ID!) { product(id: $id) { tags } }', { id: link!.targetId })).product.tags;
    };
    expect(await tagsOf()).toContain(oldParentTag);

    await world.env.ccv.patch(`categories/${cat.id}`, { parentcategory_id: null });
    const r = await sync(world);
    expect(r.run.counts.updated).toBeGreaterThanOrEqual(1);
    expect(r.run.counts.failed).toBe(0);
    // Its category tags are now the product's categories and their ancestors in the moved tree.
    const tree = new Map(world.ccv.state.categories.all().map((c) => [c.id, c.parent_id]));
    const want = new Set<string>();
    for (const o of links.filter((o) => o.product_id === l.product_id)) {
      for (let c: number | null | undefined = o.category_id; c != null; c = tree.get(c)) want.add(`ccv-cat-${c}`);
    }
    expect((await tagsOf()).filter((t) => t.startsWith('ccv-cat-')).sort()).toEqual([...want].sort());
    expect(want).not.toContain(oldParentTag);

    // The full comparison is remembered: the next delta run reads only down to its checkpoint (the boundary
    // product, modified at the checkpoint itself, is read again), not all 40.
    const again = await sync(world);
    expect(again.run.counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
    expect(again.run.counts.skipped).toBeLessThanOrEqual(1);
  });

  it('a full run creates again a product and a variant deleted in Shopify, with a note; a delta run does not look', async () => {
    world = await startWorld({ ccv: { products: 30 } });
    await sync(world);
    const links = await world.env.ledger.list(world.env.pair, 'product', { limit: 100 });
    const withVariants = async (l: (typeof links)[number]) => (await world!.env.ledger.list(world!.env.pair, 'variant', { limit: 1000 })).filter((v) => v.sourceKey.split('/')[0] === l.sourceKey);
    const gone = links[2]!;
    let trimmed: (typeof links)[number] | undefined;
    for (const l of links.slice(3)) if ((await withVariants(l)).length >= 2) { trimmed = l; break; }
    expect(trimmed, 'the seed has a product with several variants').toBeDefined();
    const lostVariant = (await withVariants(trimmed!))[0]!;
    const del = await shopifyGql<{ productDelete: { userErrors: unknown[] } }>(world.shopify, 'mutation($id: ID!) { productDelete(input: {id: $id}) { userErrors { message } } }', { id: gone.targetId });
    expect(del.productDelete.userErrors).toEqual([]);
    const vdel = await shopifyGql<{ productVariantsBulkDelete: { userErrors: unknown[] } }>(world.shopify, 'mutation($p: ID!, $v: [ID!]!) { productVariantsBulkDelete(productId: $p, variantsIds: $v) { userErrors { message } } }', { p: trimmed!.targetId, v: [lostVariant.targetId] });
    expect(vdel.productVariantsBulkDelete.userErrors).toEqual([]);

    expect((await sync(world)).run.counts).toMatchObject({ created: 0, updated: 0 }); // a delta run trusts the ledger
    const full = await sync(world, { mode: 'full' });
    expect(full.run.counts).toMatchObject({ created: 1, updated: 1, failed: 0 });
    const created = (await world.env.activity.query({ runId: full.run.id, outcome: 'created' })).items[0]!;
    expect(created.sourceKey).toBe(gone.sourceKey);
    expect(created.message).toMatch(new RegExp(`Shopify product \\d+, linked to CCV product ${gone.sourceKey}.*no longer exists .*created it again`));
    const relinked = (await world.env.ledger.bySource(world.env.pair, 'product', gone.sourceKey))!;
    expect(relinked.targetId).not.toBe(gone.targetId);
    const variantNow = (await world.env.ledger.bySource(world.env.pair, 'variant', lostVariant.sourceKey))!;
    expect(variantNow.targetId).not.toBe(lostVariant.targetId);
    const p = await shopifyGql<{ product: { variants: { nodes: Array<{ id: string; sku: string }> } } }>(world.shopify, 'query($id: ID!) { product(id: $id) { variants(first: 50) { nodes { id sku } } } }', { id: trimmed!.targetId });
    expect(p.product.variants.nodes.map((v) => v.sku)).toContain(lostVariant.sku);
    // Everything is in place again: the next full run writes nothing.
    expect((await sync(world, { mode: 'full' })).run.counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
  });

  it('respects field policies: a description only on create, a title edited in Shopify kept', async () => {
    let now = Date.now();
    world = await startWorld({
      ccv: { products: 10, now: () => now },
      yaml: 'flows:\n  products:\n    fields:\n      descriptionHtml: { policy: create_only }\n      title: { policy: keep_target_changes }\n',
    });
    await sync(world);
    const [a, b] = [...world.ccv.state.products.all()].slice(0, 2);
    const la = (await world.env.ledger.bySource(world.env.pair, 'product', String(a!.id)))!;
    const lb = (await world.env.ledger.bySource(world.env.pair, 'product', String(b!.id)))!;
    // A merchant edits product b's title in Shopify.
    await shopifyGql(world.shopify, 'mutation($p: ProductUpdateInput!) { productUpdate(product: $p) { userErrors { message } } }', { p: { id: lb.targetId, title: 'Titel uit Shopify' } });
    now += 120_000;
    world.ccv.patchProduct(a!.id, { description: '<p>Nieuwe omschrijving</p>', name: 'Nieuwe naam A' });
    world.ccv.patchProduct(b!.id, { name: 'Nieuwe naam B' });
    const r = await sync(world);
    const got = await shopifyGql<{ a: { title: string; descriptionHtml: string }; b: { title: string } }>(world.shopify,
      'query($a: ID!, $b: ID!) { a: product(id: $a) { title descriptionHtml } b: product(id: $b) { title } }', { a: la.targetId, b: lb.targetId });
    expect(got.a.title).toBe('Nieuwe naam A');
    expect(got.a.descriptionHtml).not.toContain('Nieuwe omschrijving');
    expect(got.b.title).toBe('Titel uit Shopify');
    const rows = (await world.env.activity.query({ runId: r.run.id })).items;
    expect(rows.find((x) => x.sourceKey === String(b!.id))!.message).toMatch(/title kept as it is in Shopify: it was changed in Shopify/);
  });

  it('the first sync into a store with products links by SKU, reports what is only on one side, and a dry run writes nothing', async () => {
    world = await startWorld({ ccv: { products: 12 } });
    // The merchant already has two of the CCV products in Shopify (same SKUs), and one of their own.
    const products = [...world.ccv.state.products.all()];
    const simple = products.filter((p) => world!.ccv.state.combinations.by('product', p.id).length === 0).slice(0, 2);
    expect(simple.length).toBe(2);
    for (const p of simple) {
      await shopifyGql(world.shopify, 'mutation($i: ProductSetInput!) { productSet(input: $i) { userErrors { message } } }', {
        i: { title: `Eigen ${p.name}`, productOptions: [{ name: 'Title', values: [{ name: 'Default Title' }] }], variants: [{ optionValues: [{ optionName: 'Title', name: 'Default Title' }], sku: p.productnumber, price: '1.00' }] },
      });
    }
    await shopifyGql(world.shopify, 'mutation($i: ProductSetInput!) { productSet(input: $i) { userErrors { message } } }', {
      i: { title: 'Alleen in Shopify', productOptions: [{ name: 'Title', values: [{ name: 'Default Title' }] }], variants: [{ optionValues: [{ optionName: 'Title', name: 'Default Title' }], sku: 'SHOPIFY-ONLY-1', price: '5.00' }] },
    });
    const dry = await syncProducts(world.env, { dryRun: true, trigger: 'manual' });
    const linking = (dry.data as { linking: { linked: number; onlyInCcv: number; onlyInShopify: unknown[] } }).linking;
    expect(linking.linked).toBe(2);
    expect(linking.onlyInShopify).toHaveLength(1);
    expect(linking.onlyInCcv).toBe(10);
    expect(dry.lines.join('\n')).toMatch(/Linking report/);
    expect((await shopifyProducts(world)).length).toBe(3);
    expect(await world.env.ledger.count(world.env.pair, 'product')).toBe(0);
    // The real run links instead of duplicating.
    await sync(world);
    const after = await shopifyProducts(world);
    expect(after.length).toBe(13);
    expect(after.filter((p) => p.title.startsWith('Eigen'))).toHaveLength(0);
  });
});
