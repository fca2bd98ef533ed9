import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../store/dialect.js';
import { openEngineStore } from '../../test/engine/support.js';
import { dialectCases, type TestStore } from '../../test/support/db.js';
import { IdentityLedger, type LinkInput } from './ledger.js';

const PAIR = 'ccv:main>shopify:main';
const variant = (over: Partial<LinkInput> = {}): LinkInput => ({
  pair: PAIR,
  entity: 'variant',
  sourceKey: '555/9012',
  targetId: 'gid://shopify/ProductVariant/1',
  refs: { product: 'gid://shopify/Product/1', inventoryItem: 'gid://shopify/InventoryItem/1' },
  sku: 'TSHIRT-01-M',
  direction: 'source_to_target',
  ...over,
});

for (const d of dialectCases()) {
  describe.skipIf(d.skip)(`IdentityLedger [${d.name}]`, () => {
    let store: TestStore;
    let ledger: IdentityLedger;
    beforeEach(async () => {
      store = await openEngineStore(d.name);
      ledger = new IdentityLedger(store.db);
    });
    afterEach(async () => store.dispose());

    it('links a source key to target ids and finds it by source key, by any target id and by SKU', async () => {
      const link = await ledger.link(variant({ hashes: { price: 'h1' } }), 1000);
      expect(link).toMatchObject({ sourceKey: '555/9012', targetId: 'gid://shopify/ProductVariant/1', sku: 'TSHIRT-01-M', hashes: { price: 'h1' }, direction: 'source_to_target' });
      expect(link.pushedAt?.getTime()).toBe(1000);
      expect((await ledger.bySource(PAIR, 'variant', '555/9012'))?.id).toBe(link.id);
      expect((await ledger.byTarget(PAIR, 'variant', 'gid://shopify/ProductVariant/1'))?.id).toBe(link.id);
      expect((await ledger.byTarget(PAIR, 'variant', 'gid://shopify/InventoryItem/1'))?.sourceKey).toBe('555/9012');
      expect((await ledger.bySku(PAIR, 'variant', 'TSHIRT-01-M')).map((l) => l.id)).toEqual([link.id]);
      expect(await ledger.bySource(PAIR, 'product', '555/9012')).toBeUndefined();
      expect(await ledger.bySource('ccv:main>shopify:other', 'variant', '555/9012')).toBeUndefined();
      expect(await ledger.count(PAIR, 'variant')).toBe(1);
    });

    it('linking the same pair again is an upsert: refs, SKU and hashes are updated, not duplicated', async () => {
      const first = await ledger.link(variant({ hashes: { price: 'h1', stock: 's1' } }), 1000);
      const again = await ledger.link(variant({ refs: { product: 'gid://shopify/Product/1', inventoryItem: 'gid://shopify/InventoryItem/2' }, sku: 'TSHIRT-01-M2', hashes: { price: 'h2' } }), 2000);
      expect(again.id).toBe(first.id);
      expect(again.hashes).toEqual({ price: 'h2', stock: 's1' });
      expect(again.sku).toBe('TSHIRT-01-M2');
      expect(again.createdAt.getTime()).toBe(1000);
      expect(again.updatedAt.getTime()).toBe(2000);
      expect(await ledger.byTarget(PAIR, 'variant', 'gid://shopify/InventoryItem/1')).toBeUndefined();
      expect((await ledger.byTarget(PAIR, 'variant', 'gid://shopify/InventoryItem/2'))?.id).toBe(first.id);
      expect(await ledger.count(PAIR, 'variant')).toBe(1);
    });

    it('refuses a second source for a target id, in both directions, naming the record and the fix', async () => {
      await ledger.link(variant());
      // Another source onto the same primary target.
      await expect(ledger.link(variant({ sourceKey: '556/1', refs: {} }))).rejects.toMatchObject({
        code: 'LEDGER_DOUBLE_LINK',
        record: 'variant 556/1',
        message: expect.stringContaining('already linked to source 555/9012'),
      });
      // Another source onto a secondary target id (the inventory item).
      await expect(ledger.link(variant({ sourceKey: '556/1', targetId: 'gid://shopify/ProductVariant/2', refs: { inventoryItem: 'gid://shopify/InventoryItem/1' } }))).rejects.toMatchObject({
        code: 'LEDGER_DOUBLE_LINK',
      });
      // The same source onto another target.
      await expect(ledger.link(variant({ targetId: 'gid://shopify/ProductVariant/9', refs: {} }))).rejects.toMatchObject({ code: 'LEDGER_SOURCE_LINKED' });
      expect(await ledger.count(PAIR, 'variant')).toBe(1);
      expect(await ledger.bySource(PAIR, 'variant', '556/1')).toBeUndefined();
      // The same ids in another pair or entity are independent.
      await ledger.link(variant({ pair: 'ccv:main>shopify:other' }));
      await ledger.link(variant({ entity: 'other' }));
    });

    it('the database itself refuses double links (unique constraints), whatever the code does', async () => {
      const link = await ledger.link(variant());
      const row = { pair: PAIR, entity: 'variant', target_refs: '{}', sku: null, direction: 'source_to_target', hashes: '{}', created_at: 1, updated_at: 1, pushed_at: null };
      const dupSource = await store.db.insertInto('ledger_link').values({ ...row, source_key: '555/9012', target_id: 'gid://x/1' }).execute().catch((e: unknown) => e);
      expect(isUniqueViolation(dupSource)).toBe(true);
      const dupTarget = await store.db.insertInto('ledger_link').values({ ...row, source_key: 'other', target_id: 'gid://shopify/ProductVariant/1' }).execute().catch((e: unknown) => e);
      expect(isUniqueViolation(dupTarget)).toBe(true);
      const other = await store.db.insertInto('ledger_link').values({ ...row, source_key: 'other', target_id: 'gid://x/2' }).returning('id').executeTakeFirstOrThrow();
      const dupRef = await store.db
        .insertInto('ledger_ref')
        .values({ pair: PAIR, entity: 'variant', ref_id: 'gid://shopify/InventoryItem/1', role: 'inventoryItem', link_id: Number(other.id) })
        .execute()
        .catch((e: unknown) => e);
      expect(isUniqueViolation(dupRef)).toBe(true);
      expect((await ledger.byTarget(PAIR, 'variant', 'gid://shopify/InventoryItem/1'))?.id).toBe(link.id);
    });

    it('two writers linking different sources to one target at the same moment: exactly one wins', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => new IdentityLedger(store.db).link(variant({ sourceKey: `s${i}`, refs: {} }))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'LEDGER_DOUBLE_LINK' });
      expect(await ledger.count(PAIR, 'variant')).toBe(1);
    });

    it('relink points an existing link at a new target and frees the old ids', async () => {
      const first = await ledger.link(variant());
      const moved = await ledger.relink(variant({ targetId: 'gid://shopify/ProductVariant/7', refs: { inventoryItem: 'gid://shopify/InventoryItem/7' } }));
      expect(moved.id).toBe(first.id);
      expect(await ledger.byTarget(PAIR, 'variant', 'gid://shopify/ProductVariant/1')).toBeUndefined();
      expect((await ledger.byTarget(PAIR, 'variant', 'gid://shopify/InventoryItem/7'))?.id).toBe(first.id);
      // The freed id may now be linked to another source.
      await ledger.link(variant({ sourceKey: 'new', refs: {} }));
    });

    it('records pushes per field group and recognises its own echo (loop prevention)', async () => {
      await ledger.link(variant({ direction: 'two_way' }));
      await ledger.recordPush(PAIR, 'variant', '555/9012', { stock: 'abc' }, 5000);
      expect(await ledger.isOwnEcho({ pair: PAIR, entity: 'variant', targetId: 'gid://shopify/InventoryItem/1', group: 'stock', hash: 'abc' })).toBe(true);
      expect(await ledger.isOwnEcho({ pair: PAIR, entity: 'variant', sourceKey: '555/9012', group: 'stock', hash: 'abd' })).toBe(false);
      expect(await ledger.isOwnEcho({ pair: PAIR, entity: 'variant', sourceKey: '555/9012', group: 'price', hash: 'abc' })).toBe(false);
      expect(await ledger.isOwnEcho({ pair: PAIR, entity: 'variant', sourceKey: 'unknown', group: 'stock', hash: 'abc' })).toBe(false);
      const l = await ledger.bySource(PAIR, 'variant', '555/9012');
      expect(l?.pushedAt?.getTime()).toBe(5000);
      await expect(ledger.recordPush(PAIR, 'variant', 'nope', { stock: 'x' })).rejects.toMatchObject({ code: 'LEDGER_LINK_MISSING' });
    });

    it('rejects bad input with a clear message', async () => {
      await expect(ledger.link(variant({ sourceKey: '' }))).rejects.toMatchObject({ code: 'LEDGER_INPUT_INVALID', message: expect.stringContaining('sourceKey') });
      await expect(ledger.link(variant({ direction: 'sideways' as never }))).rejects.toMatchObject({ code: 'LEDGER_INPUT_INVALID' });
      await expect(ledger.link(variant({ refs: { inventoryItem: 'gid://shopify/ProductVariant/1' } }))).rejects.toMatchObject({ code: 'LEDGER_INPUT_INVALID', message: expect.stringContaining('twice') });
    });

    it('unlinks and lists with paging', async () => {
      for (let i = 0; i < 5; i++) await ledger.link(variant({ sourceKey: `k${i}`, targetId: `t${i}`, refs: {}, sku: null }));
      const page1 = await ledger.list(PAIR, 'variant', { limit: 3 });
      const page2 = await ledger.list(PAIR, 'variant', { afterId: page1[2]!.id, limit: 3 });
      expect([...page1, ...page2].map((l) => l.sourceKey)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
      expect(await ledger.unlink(PAIR, 'variant', 'k1')).toBe(true);
      expect(await ledger.unlink(PAIR, 'variant', 'k1')).toBe(false);
      expect(await ledger.byTarget(PAIR, 'variant', 't1')).toBeUndefined();
      await ledger.link(variant({ sourceKey: 'k9', targetId: 't1', refs: {}, sku: null }));
    });

    it('works inside a caller transaction and rolls back with it', async () => {
      await store.db
        .transaction()
        .execute(async (tx) => {
          await ledger.with(tx).link(variant());
          throw new Error('rollback');
        })
        .catch(() => undefined);
      expect(await ledger.count(PAIR, 'variant')).toBe(0);
      await store.db.transaction().execute(async (tx) => ledger.with(tx).link(variant()));
      expect(await ledger.count(PAIR, 'variant')).toBe(1);
    });
  });
}
