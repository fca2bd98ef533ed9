import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEngineStore } from '../../test/engine/support.js';
import { dialectCases, type TestStore } from '../../test/support/db.js';
import { ActivityJournal } from './activity.js';
import { Checkpoints } from './checkpoints.js';
import { IdentityLedger } from './ledger.js';

for (const d of dialectCases()) {
  describe.skipIf(d.skip)(`Checkpoints [${d.name}]`, () => {
    let store: TestStore;
    let cp: Checkpoints;
    beforeEach(async () => {
      store = await openEngineStore(d.name);
      cp = new Checkpoints(store.db);
    });
    afterEach(async () => store.dispose());

    it('stores one cursor per flow and stream, and resets them', async () => {
      expect(await cp.get('products', 'ccv:products')).toBeUndefined();
      await cp.commit({ flow: 'products', stream: 'ccv:products', cursor: 'offset=100', runId: 'r1' }, 1000);
      await cp.commit({ flow: 'products', stream: 'ccv:products', cursor: 'offset=200', runId: 'r2' }, 2000);
      await cp.commit({ flow: 'stock', stream: 'ccv:stock', cursor: '2026-11-29T10:00:00Z' });
      expect(await cp.get('products', 'ccv:products')).toEqual({ flow: 'products', stream: 'ccv:products', cursor: 'offset=200', runId: 'r2', updatedAt: new Date(2000) });
      expect((await cp.list()).map((c) => `${c.flow}/${c.stream}`)).toEqual(['products/ccv:products', 'stock/ccv:stock']);
      expect(await cp.reset('products')).toBe(1);
      expect(await cp.get('products', 'ccv:products')).toBeUndefined();
      expect(await cp.get('stock', 'ccv:stock')).toBeDefined();
    });

    it('commitAfter moves the cursor together with the batch writes, and not at all when they fail', async () => {
      const ledger = new IdentityLedger(store.db);
      const activity = new ActivityJournal(store.db);
      const key = { flow: 'products', stream: 'ccv:products' };
      await cp.commitAfter({ ...key, cursor: 'page-1', runId: 'r1' }, async (tx) => {
        await ledger.with(tx).link({ pair: 'p', entity: 'product', sourceKey: '1', targetId: 'gid://1', direction: 'source_to_target' });
        await activity.with(tx).record({ runId: 'r1', flow: 'products', direction: 'ccv_to_shopify', sourceKey: '1', targetId: 'gid://1', action: 'created' });
      });
      expect((await cp.get(key.flow, key.stream))?.cursor).toBe('page-1');

      // The second batch fails half-way: neither its link nor its cursor is kept.
      await expect(
        cp.commitAfter({ ...key, cursor: 'page-2', runId: 'r1' }, async (tx) => {
          await ledger.with(tx).link({ pair: 'p', entity: 'product', sourceKey: '2', targetId: 'gid://2', direction: 'source_to_target' });
          await ledger.with(tx).link({ pair: 'p', entity: 'product', sourceKey: '3', targetId: 'gid://1', direction: 'source_to_target' });
        }),
      ).rejects.toMatchObject({ code: 'LEDGER_DOUBLE_LINK' });
      expect((await cp.get(key.flow, key.stream))?.cursor).toBe('page-1');
      expect(await ledger.bySource('p', 'product', '2')).toBeUndefined();
      expect((await activity.query({ flow: 'products' })).items).toHaveLength(1);
    });

    it('rejects a checkpoint without flow or stream', async () => {
      await expect(cp.commit({ flow: '', stream: 's', cursor: 'x' })).rejects.toMatchObject({ code: 'CHECKPOINT_INVALID' });
      await expect(cp.commit({ flow: 'f', stream: '', cursor: 'x' })).rejects.toMatchObject({ code: 'CHECKPOINT_INVALID' });
    });
  });
}
