import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialectCases, openTestStore, type TestStore } from '../../test/support/db.js';
import { KvRepository } from './kv.js';
import { migrateToLatest } from './db.js';

for (const d of dialectCases()) {
  describe.skipIf(d.skip)(`KvRepository [${d.name}]`, () => {
    let store: TestStore;
    let kv: KvRepository;
    beforeEach(async () => {
      store = await openTestStore(d.name);
      kv = new KvRepository(store.db);
    });
    afterEach(async () => store.dispose());

    it('reports the dialect it runs on', () => {
      expect(store.dialect).toBe(d.name);
    });

    it('returns undefined for a key never set', async () => {
      expect(await kv.get('nope')).toBeUndefined();
    });

    it('overwrites a value on set and reads it back', async () => {
      await kv.set('a', '1', 1000);
      await kv.set('a', '2', 2000);
      expect(await kv.get('a')).toBe('2');
      const row = await store.db.selectFrom('kv').selectAll().where('key', '=', 'a').executeTakeFirstOrThrow();
      expect(row.updated_at).toBe(2000);
      expect(typeof row.updated_at).toBe('number');
    });

    it('setIfAbsent writes once and reports whether it wrote', async () => {
      expect(await kv.setIfAbsent('seeded', 'yes')).toBe(true);
      expect(await kv.setIfAbsent('seeded', 'again')).toBe(false);
      expect(await kv.get('seeded')).toBe('yes');
    });

    it('deletes a key and reports whether it existed', async () => {
      await kv.set('x', 'y');
      expect(await kv.delete('x')).toBe(true);
      expect(await kv.delete('x')).toBe(false);
    });

    it('running the migrations again changes nothing', async () => {
      expect(await migrateToLatest(store)).toEqual([]);
    });
  });
}
