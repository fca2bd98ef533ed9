/** The categories flow end to end: CCV sandbox → Koppel → Shopify sandbox (collections through tag conditions). */
import { afterEach, describe, expect, it } from 'vitest';
import { syncProducts } from '../../../src/flows/products/sync.js';
import { shopifyGql, startWorld, type FlowWorld } from '../../support/flows.js';
import {
  ccvCategories, collectionOf, configure, expectedMembers, isPublished, members, pathTitle, publicationId, shopifyCollections, sync,
} from './support.js';

let world: FlowWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const tagConditions = (c: { sources: Array<{ inclusion?: { conditions: Array<{ __typename: string; relation?: string; values?: string[] }> } }> }) =>
  c.sources.flatMap((s) => s.inclusion?.conditions ?? []).filter((x) => x.__typename === 'CollectionSourceInclusionConditionProductTag').map((x) => `${x.relation} ${(x.values ?? []).join(',')}`);

describe('categories flow, CCV → Shopify', () => {
  it('the first sync creates one collection per category: path title, handle, description, tag condition, Koppel id, published', async () => {
    world = await startWorld({ shopify: { indexLagMs: 0 } });
    const cats = ccvCategories(world);
    const r = await sync(world);
    expect(r.run.counts).toMatchObject({ created: cats.size, updated: 0, quarantined: 0, failed: 0 });

    const collections = await shopifyCollections(world);
    expect(collections).toHaveLength(cats.size);
    const online = await publicationId(world, 'Online Store');
    for (const [id] of cats) {
      const c = collections.find((x) => x.customId?.value === String(id));
      expect(c, `collection for CCV category ${id}`).toBeDefined();
      expect(c!.title).toBe(pathTitle(world, id));
      expect(tagConditions(c!)).toEqual([`TAGGED_WITH ccv-cat-${id}`]);
      const link = await world.env.ledger.bySource(world.env.pair, 'category', String(id));
      expect(link?.targetId).toBe(c!.id);
    }
    const heren = collections.find((c) => c.title === 'Kleding > Heren > Jassen')!;
    expect(heren.handle).toBe('kleding-heren-jassen');
    const kleding = collections.find((c) => c.title === 'Kleding')!;
    expect(kleding.descriptionHtml).toBe('<p>Alles voor kleding.</p>');
    // New collections are unpublished in Shopify: Koppel publishes them to the products' channels.
    expect(await isPublished(world, kleding.id, online)).toBe(true);
    expect(await isPublished(world, kleding.id, await publicationId(world, 'Point of Sale'))).toBe(false);

    const rows = (await world.env.activity.query({ flow: 'categories', outcome: 'created' })).items;
    expect(rows).toHaveLength(cats.size);
    expect(rows.find((x) => x.sourceKey === String([...cats].find(([, c]) => c.name === 'Kleding')![0]))!.diff!.map((d) => d.path)).toEqual(['title', 'descriptionHtml', 'handle', 'condition']);
  });

  it('after the products flow, each collection lists exactly the products of its category and its descendants', async () => {
    world = await startWorld({ ccv: { products: 40 }, shopify: { indexLagMs: 0 } });
    await sync(world);
    const p = await syncProducts(world.env, { dryRun: false, trigger: 'manual' });
    expect(p.run.counts.created).toBeGreaterThan(30);
    let nonEmpty = 0;
    let nested = 0;
    for (const [id] of ccvCategories(world)) {
      const link = (await world.env.ledger.bySource(world.env.pair, 'category', String(id)))!;
      const want = await expectedMembers(world, id, true);
      expect(await members(world, link.targetId), `members of CCV category ${id}`).toEqual(want);
      if (want.length) nonEmpty++;
      if (want.length > (await expectedMembers(world, id, false)).length) nested++;
    }
    expect(nonEmpty).toBeGreaterThan(5);
    // Parents list their children's products too (the products flow writes the ancestors' tags).
    expect(nested).toBeGreaterThan(0);
  });

  it('with ancestor tags off, a collection lists only the products directly in its category (order of flows does not matter)', async () => {
    world = await startWorld({ ccv: { products: 40 }, shopify: { indexLagMs: 0 }, yaml: 'flows:\n  products:\n    ancestorCategoryTags: false\n' });
    await syncProducts(world.env, { dryRun: false, trigger: 'manual' });
    await sync(world);
    let differs = 0;
    for (const [id] of ccvCategories(world)) {
      const link = (await world.env.ledger.bySource(world.env.pair, 'category', String(id)))!;
      const direct = await expectedMembers(world, id, false);
      expect(await members(world, link.targetId), `members of CCV category ${id}`).toEqual(direct);
      if (direct.length !== (await expectedMembers(world, id, true)).length) differs++;
    }
    expect(differs).toBeGreaterThan(0);
  });

  it('a second run writes nothing to Shopify; a full run only reads', async () => {
    world = await startWorld();
    await sync(world);
    const before = await shopifyCollections(world);
    const again = await sync(world);
    expect(again.run.counts).toMatchObject({ created: 0, updated: 0, quarantined: 0, failed: 0, skipped: before.length });
    expect(again.run.apiCalls).toBe(0);
    const full = await sync(world, { mode: 'full' });
    expect(full.run.counts).toMatchObject({ created: 0, updated: 0, quarantined: 0, failed: 0, skipped: before.length });
    expect(full.run.apiCalls).toBe(before.length);
    expect(await shopifyCollections(world)).toEqual(before);
  });

  it('a renamed category updates its collection title and its children\'s path titles; handles stay', async () => {
    world = await startWorld();
    await sync(world);
    const heren = [...ccvCategories(world)].find(([, c]) => c.name === 'Heren')![0];
    const children = [...ccvCategories(world)].filter(([, c]) => c.parent === heren).map(([id]) => id);
    expect(children.length).toBeGreaterThan(0);
    const handlesBefore = new Map((await shopifyCollections(world)).map((c) => [c.id, c.handle]));

    await world.env.ccv.patch(`categories/${heren}`, { name: 'Mannen' });
    const r = await sync(world);
    expect(r.run.counts).toMatchObject({ updated: 1 + children.length, created: 0, quarantined: 0 });
    const after = await shopifyCollections(world);
    expect((await collectionOf(world, heren))!.title).toBe('Kleding > Mannen');
    for (const id of children) expect((await collectionOf(world, id))!.title).toBe(pathTitle(world, id));
    expect((await collectionOf(world, children[0]!))!.title).toMatch(/^Kleding > Mannen > /);
    for (const c of after) expect(c.handle).toBe(handlesBefore.get(c.id));

    const rows = (await world.env.activity.query({ flow: 'categories', runId: r.run.id, outcome: 'updated' })).items;
    const row = rows.find((x) => x.sourceKey === String(heren))!;
    expect(row.diff).toEqual([{ path: 'title', before: 'Kleding > Heren', after: 'Kleding > Mannen', masked: false }]);
  });

  it('a dry run writes nothing and shows the plan with field diffs; --json carries the same plan', async () => {
    world = await startWorld();
    const cats = ccvCategories(world);
    const dry = await sync(world, { dryRun: true });
    expect(dry.run.counts).toMatchObject({ created: cats.size, updated: 0 });
    expect(await shopifyCollections(world)).toHaveLength(0);
    expect(await world.env.ledger.count(world.env.pair, 'category')).toBe(0);
    expect((await world.env.activity.query({ flow: 'categories' })).items).toHaveLength(0);
    const kleding = [...cats].find(([, c]) => c.name === 'Kleding')![0];
    const text = dry.lines.join('\n');
    expect(text).toContain('Plan (dry run, nothing written)');
    expect(text).toContain(`create     CCV category ${kleding} "Kleding" → new collection /collections/kleding`);
    expect(text).toContain('condition: — → "products tagged ccv-cat-');
    const data = dry.data as { plan: Array<{ action: string; ccvId: string; title: string; handle?: string }> };
    expect(data.plan).toHaveLength(cats.size);
    expect(data.plan.find((i) => i.ccvId === String(kleding))).toMatchObject({ action: 'create', title: 'Kleding', handle: 'kleding' });

    // After a real sync and a rename, the dry run shows the update with before and after.
    await sync(world);
    await world.env.ccv.patch(`categories/${kleding}`, { name: 'Mode' });
    const count = (await shopifyCollections(world)).map((c) => c.title);
    const dry2 = await sync(world, { dryRun: true });
    expect(dry2.lines.join('\n')).toContain('title: "Kleding" → "Mode"');
    expect(dry2.run.counts.updated).toBeGreaterThan(1);
    expect((await shopifyCollections(world)).map((c) => c.title)).toEqual(count);
  });

  it('bad categories are quarantined with the reason and a fix; the rest goes on', async () => {
    world = await startWorld();
    const cats = ccvCategories(world);
    const leaf = [...cats].find(([id]) => ![...cats.values()].some((c) => c.parent === id))![0];
    await world.env.ccv.patch(`categories/${leaf}`, { name: '   ' });
    const r = await sync(world);
    expect(r.run.counts).toMatchObject({ quarantined: 1, created: cats.size - 1, failed: 0 });
    const q = (await world.env.activity.query({ flow: 'categories', outcome: 'quarantined' })).items;
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ sourceKey: String(leaf), errorCode: 'CATEGORY_NAME_EMPTY', message: `CCV category ${leaf} has an empty name`, hint: 'give the category a name in the source system' });
    expect(await collectionOf(world, leaf)).toBeUndefined();
    const dry = await sync(world, { dryRun: true });
    expect(dry.lines.join('\n')).toContain(`quarantine CCV category ${leaf}`);
    expect(dry.lines.join('\n')).toContain('fix: give the category a name in the source system');

    // Fixed in CCV: the next run creates it.
    await world.env.ccv.patch(`categories/${leaf}`, { name: 'Hersteld' });
    const fixed = await sync(world);
    expect(fixed.run.counts).toMatchObject({ created: 1, quarantined: 0 });
    expect((await collectionOf(world, leaf))!.title).toBe(pathTitle(world, leaf));
  });

  it('field policies: a description only on create, a title edited in Shopify kept, the plain name as title', async () => {
    world = await startWorld();
    configure(world, { title: 'name', fields: { descriptionHtml: { policy: 'create_only' }, title: { policy: 'keep_target_changes' } } });
    await sync(world);
    const cats = [...ccvCategories(world)];
    const jassen = cats.find(([, c]) => c.name === 'Jassen')![0];
    const kleding = cats.find(([, c]) => c.name === 'Kleding')![0];
    expect((await collectionOf(world, jassen))!.title).toBe('Jassen');
    const kc = (await collectionOf(world, kleding))!;
    // A merchant renames the Jassen collection in Shopify.
    const jc = (await collectionOf(world, jassen))!;
    await shopifyGql(world.shopify, 'mutation($c: CollectionUpdateInput!) { collectionUpdate(collection: $c) { userErrors { message } } }', { c: { id: jc.id, title: 'Winterjassen' } });

    await world.env.ccv.patch(`categories/${kleding}`, { description: '<p>Nieuw</p>', name: 'Kleren' });
    await world.env.ccv.patch(`categories/${jassen}`, { name: 'Jacks' });
    const r = await sync(world);
    expect((await collectionOf(world, kleding))!).toMatchObject({ title: 'Kleren', descriptionHtml: kc.descriptionHtml });
    expect((await collectionOf(world, jassen))!.title).toBe('Winterjassen');
    const rows = (await world.env.activity.query({ flow: 'categories', runId: r.run.id })).items;
    expect(rows.find((x) => x.sourceKey === String(kleding))!.message).toContain('descriptionHtml kept as it is in Shopify: it is only written when the collection is created');
    expect(rows.find((x) => x.sourceKey === String(jassen))).toMatchObject({ action: 'skipped', message: 'title kept as it is in Shopify: it was changed in Shopify' });
    // What was kept is remembered: the next run does not look again.
    const again = await sync(world);
    expect(again.run.apiCalls).toBe(0);
  });
});
