/**
 * The categories flow's identity: never a second collection for one category (crash between create
 * and ledger write, a lost answer), handles that never take over a merchant's collection, categories
 * deleted in CCV, collections or conditions deleted in Shopify.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ShopifyClient } from '../../../src/connectors/shopify/client.js';
import { silentLogger } from '../../../src/obs/log.js';
import { dialectCases } from '../../support/db.js';
import { shopifyGql, startWorld as startSandboxes, type FlowWorld } from '../../support/flows.js';
import { ccvCategories, collectionOf, configure, isPublished, pathTitle, publicationId, shopifyCollections, sync } from './support.js';

let world: FlowWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const byName = (w: FlowWorld, name: string): number => [...ccvCategories(w)].find(([, c]) => c.name === name)![0];

for (const dialect of dialectCases()) {
  describe.skipIf(dialect.skip)(`categories flow: one collection per category, whatever happens [${dialect.name}]`, () => {
    const startWorld = () => startSandboxes({ dialect: dialect.name });
    it('no duplicate collection after a crash between create and ledger write: the collection is found by its Koppel id and linked', async () => {
      world = await startWorld();
      await sync(world);
      const before = await shopifyCollections(world);
      const id = byName(world, 'Truien');
      const link = (await world.env.ledger.bySource(world.env.pair, 'category', String(id)))!;
      // What a crash right after collectionCreate leaves behind: the collection, no ledger link.
      await world.env.ledger.unlink(world.env.pair, 'category', String(id));
      await world.env.ccv.patch(`categories/${id}`, { name: 'Truien & vesten' });

      const r = await sync(world);
      expect(r.run.counts).toMatchObject({ created: 0, updated: 1, quarantined: 0, failed: 0 });
      const after = await shopifyCollections(world);
      expect(after).toHaveLength(before.length);
      expect((await world.env.ledger.bySource(world.env.pair, 'category', String(id)))!.targetId).toBe(link.targetId);
      expect((await collectionOf(world, id))!.title).toBe(pathTitle(world, id));
      const row = (await world.env.activity.query({ flow: 'categories', runId: r.run.id, outcome: 'updated' })).items[0]!;
      expect(row.message).toContain(`linked to the existing Shopify collection`);
      // Linked again with its hashes: the next run is idle.
      expect((await sync(world)).run.apiCalls).toBe(0);
    });

    it('with 5xx errors and lost answers injected, runs converge on exactly one collection per category, matching the ledger', async () => {
      world = await startSandboxes({ dialect: dialect.name, shopify: { seed: 11 } });
      world.shopify.setFaults({ errorRate: 0.08, dropAfterCommitRate: 0.15 });
      let runs = 0;
      for (; runs < 6; runs++) {
        const r = await sync(world).catch(() => undefined);
        if (r && r.run.counts.failed === 0 && r.run.counts.created === 0 && r.run.counts.updated === 0) break;
      }
      expect(runs).toBeLessThan(6);
      world.shopify.setFaults({ errorRate: 0, dropAfterCommitRate: 0 });
      const cats = ccvCategories(world);
      const all = await shopifyCollections(world);
      expect(all).toHaveLength(cats.size);
      for (const [id] of cats) {
        const c = all.filter((x) => x.customId?.value === String(id));
        expect(c, `collections of CCV category ${id}`).toHaveLength(1);
        expect(c[0]!.title).toBe(pathTitle(world, id));
        expect(c[0]!.sources).toHaveLength(1);
        expect((await world.env.ledger.bySource(world.env.pair, 'category', String(id)))!.targetId).toBe(c[0]!.id);
        expect(await isPublished(world, c[0]!.id, await publicationId(world, 'Online Store'))).toBe(true);
      }
    });

    it('a Shopify read that keeps failing marks that category failed (with the error) and the next run picks it up', async () => {
      world = await startWorld();
      await sync(world);
      // A client without retries, so the injected 503 is final at once.
      (world.env as { shopify: ShopifyClient }).shopify = new ShopifyClient({ shop: world.shopify.shop, apiVersion: '2026-10', auth: { accessToken: world.shopify.accessToken }, endpoint: world.shopify.origin, retries: 0, logger: silentLogger });
      const id = byName(world, 'Sneakers');
      await world.env.ccv.patch(`categories/${id}`, { name: 'Sportschoenen' });
      world.shopify.setFaults({ failNext: 1 });
      const r = await sync(world);
      expect(r.run.counts).toMatchObject({ failed: 1, updated: 0 });
      const failed = (await world.env.activity.query({ flow: 'categories', runId: r.run.id, outcome: 'failed' })).items;
      expect(failed.map((x) => [x.sourceKey, x.errorCode])).toEqual([[String(id), 'SHOPIFY_SERVER_ERROR']]);
      const next = await sync(world);
      expect(next.run.counts).toMatchObject({ failed: 0, updated: 1 });
      expect((await collectionOf(world, id))!.title).toBe('Schoenen > Sportschoenen');
    });

    it('a create whose answer is lost is looked up by its Koppel id, not sent again', async () => {
      world = await startWorld();
      await sync(world);
      const n = (await shopifyCollections(world)).length;
      const created = await world.env.ccv.post<{ id: number }>('categories', { name: 'Cadeaus' });
      world.shopify.setFaults({ dropAfterCommitNext: 1 });
      const r = await sync(world);
      expect(r.run.counts).toMatchObject({ created: 0, updated: 1, failed: 0, quarantined: 0 });
      const all = await shopifyCollections(world);
      expect(all).toHaveLength(n + 1);
      expect(all.filter((c) => c.customId?.value === String(created!.id))).toHaveLength(1);
      const row = (await world.env.activity.query({ flow: 'categories', runId: r.run.id, outcome: 'updated' })).items[0]!;
      expect(row.message).toContain('the answer to the create was lost');
      expect((await world.env.ledger.bySource(world.env.pair, 'category', String(created!.id)))!.targetId).toBe(all.find((c) => c.title === 'Cadeaus')!.id);
      expect(await isPublished(world, all.find((c) => c.title === 'Cadeaus')!.id, await publicationId(world, 'Online Store'))).toBe(true);
    });

    it('handles: a merchant\'s collection keeps its handle and is left alone; categories with the same path get -<id>', async () => {
      world = await startWorld();
      const mine = await shopifyGql<{ collectionCreate: { collection: { id: string } } }>(world.shopify,
        'mutation { collectionCreate(collection: { title: "Sale (eigen)", handle: "sale", descriptionHtml: "van de winkel" }) { collection { id } userErrors { message } } }');
      const second = await world.env.ccv.post<{ id: number }>('categories', { name: 'Sale' });
      const first = byName(world, 'Sale');
      const dry = await sync(world, { dryRun: true });
      expect((dry.data as { plan: Array<{ ccvId: string; handle?: string }> }).plan.filter((i) => i.handle?.startsWith('sale')).map((i) => [i.ccvId, i.handle]))
        .toEqual([[String(first), `sale-${first}`], [String(second!.id), `sale-${second!.id}`]]);
      expect(dry.lines.join('\n')).toContain(`the handle sale belongs to another collection, so this one gets sale-${first}`);
      const r = await sync(world);
      expect(r.run.counts.failed).toBe(0);
      const a = (await collectionOf(world, first))!;
      const b = (await collectionOf(world, second!.id))!;
      expect(a.handle).toBe(`sale-${first}`);
      expect(b.handle).toBe(`sale-${second!.id}`);
      const row = (await world.env.activity.query({ flow: 'categories', outcome: 'created' })).items.find((x) => x.sourceKey === String(first))!;
      expect(row.message).toContain(`the handle sale belongs to another collection, so this one is sale-${first}`);
      const merchant = await shopifyGql<{ collection: { title: string; handle: string; descriptionHtml: string; sources: unknown[] } }>(world.shopify,
        'query($id: ID!) { collection(id: $id) { title handle descriptionHtml sources { __typename } } }', { id: mine.collectionCreate.collection.id });
      expect(merchant.collection).toEqual({ title: 'Sale (eigen)', handle: 'sale', descriptionHtml: 'van de winkel', sources: [] });
    });

    it('a category deleted in CCV keeps its collection and is reported once', async () => {
      world = await startWorld();
      await sync(world);
      const id = byName(world, 'Nieuw binnen');
      const collection = (await collectionOf(world, id))!;
      await world.env.ccv.delete(`categories/${id}`);
      const r = await sync(world);
      expect(r.run.counts).toMatchObject({ created: 0, updated: 0, quarantined: 0, failed: 0 });
      const rows = (await world.env.activity.query({ flow: 'categories', runId: r.run.id, outcome: 'skipped' })).items.filter((x) => x.sourceKey === String(id));
      expect(rows).toHaveLength(1);
      expect(rows[0]!.message).toContain(`CCV category ${id} no longer exists in CCV; its Shopify collection`);
      expect(rows[0]!.message).toContain('set flows.categories.onDelete: unpublish');
      expect(await collectionOf(world, id)).toEqual(collection);
      expect(r.lines.join('\n')).toContain(`deleted in CCV: category ${id}`);
      const again = await sync(world);
      expect((await world.env.activity.query({ flow: 'categories', runId: again.run.id })).items.filter((x) => x.sourceKey === String(id))).toHaveLength(0);
      expect(again.run.apiCalls).toBe(0);

      // A tree that comes back empty is not taken as "every category deleted".
      const kleding = byName(world, 'Kleding');
      for (const root of world.ccv.state.categories.all().filter((c) => c.parent_id === null)) await world.env.ccv.delete(`categories/${root.id}`);
      const empty = await sync(world);
      expect(empty.run.counts).toMatchObject({ skipped: 0, created: 0, updated: 0 });
      expect(empty.lines.join('\n')).toContain('CCV returned no categories at all while');
      expect((await world.env.ledger.bySource(world.env.pair, 'category', String(kleding)))!.hashes['x:removed']).not.toBe('1');
    });

    it('with onDelete: unpublish, the collection of a deleted category leaves the sales channels (and a subtree goes with its parent)', async () => {
      world = await startWorld();
      configure(world, { onDelete: 'unpublish' });
      await sync(world);
      const online = await publicationId(world, 'Online Store');
      const schoenen = byName(world, 'Schoenen');
      const subtree = [schoenen, ...[...ccvCategories(world)].filter(([, c]) => c.parent === schoenen).map(([i]) => i)];
      expect(subtree.length).toBeGreaterThan(1);
      await world.env.ccv.delete(`categories/${schoenen}`);
      const dry = await sync(world, { dryRun: true });
      expect((dry.data as { plan: Array<{ action: string }> }).plan.filter((i) => i.action === 'removed')).toHaveLength(subtree.length);
      const r = await sync(world);
      for (const id of subtree) {
        const c = (await collectionOf(world, id))!;
        expect(await isPublished(world, c.id, online)).toBe(false);
      }
      const rows = (await world.env.activity.query({ flow: 'categories', runId: r.run.id })).items;
      expect(rows.filter((x) => x.message?.includes('it was unpublished from Online Store'))).toHaveLength(subtree.length);
      expect(await isPublished(world, (await collectionOf(world, byName(world, 'Kleding')))!.id, online)).toBe(true);
    });

    it('a full run restores a tag condition and a collection deleted in Shopify; a delta run does not look', async () => {
      world = await startWorld();
      await sync(world);
      const a = byName(world, 'Jurken');
      const b = byName(world, 'Tassen');
      const ca = (await collectionOf(world, a))!;
      const cb = (await collectionOf(world, b))!;
      await shopifyGql(world.shopify, 'mutation($c: CollectionUpdateInput!) { collectionUpdate(collection: $c) { userErrors { message } } }', { c: { id: ca.id, sourcesToDelete: [ca.sources[0]!.id] } });
      await shopifyGql(world.shopify, 'mutation($id: ID!) { collectionDelete(input: { id: $id }) { userErrors { message } } }', { id: cb.id });

      expect((await sync(world)).run.apiCalls).toBe(0);
      const full = await sync(world, { mode: 'full' });
      expect(full.run.counts).toMatchObject({ created: 1, updated: 1, failed: 0 });
      const ra = (await collectionOf(world, a))!;
      expect(ra.id).toBe(ca.id);
      expect(ra.sources.flatMap((s) => s.inclusion?.conditions ?? []).map((c) => c.values)).toEqual([[`ccv-cat-${a}`]]);
      const rb = (await collectionOf(world, b))!;
      expect(rb.id).not.toBe(cb.id);
      expect((await world.env.ledger.bySource(world.env.pair, 'category', String(b)))!.targetId).toBe(rb.id);
      const rows = (await world.env.activity.query({ flow: 'categories', runId: full.run.id })).items;
      expect(rows.find((x) => x.sourceKey === String(b))!.message).toContain('no longer exists in Shopify, so it is created again');
      expect(rows.find((x) => x.sourceKey === String(a))!.diff!.map((d) => d.path)).toEqual(['condition']);
      expect((await sync(world, { mode: 'full' })).run.counts).toMatchObject({ created: 0, updated: 0 });
    });
  });
}
