import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEngineStore, sleep } from '../../../test/engine/support.js';
import { dialectCases, type TestStore } from '../../../test/support/db.js';
import { LaneLeases, isDeadLocalOwner } from './lanes.js';

for (const d of dialectCases()) {
  describe.skipIf(d.skip)(`LaneLeases [${d.name}]`, () => {
    let store: TestStore;
    let leases: LaneLeases;
    beforeEach(async () => {
      store = await openEngineStore(d.name);
      leases = new LaneLeases(store.db);
    });
    afterEach(async () => store.dispose());

    it('one owner at a time; all lanes of a request or none', async () => {
      expect(await leases.tryAcquire(['shopify:main'], 'A', 10_000)).toBe(true);
      expect(await leases.tryAcquire(['shopify:main'], 'B', 10_000)).toBe(false);
      // B asks for a free lane and a taken one: it gets neither.
      expect(await leases.tryAcquire(['ccv:main', 'shopify:main'], 'B', 10_000)).toBe(false);
      expect(await leases.holder('ccv:main')).toBeUndefined();
      expect(await leases.tryAcquire(['ccv:main', 'shopify:main'], 'A', 10_000)).toBe(true);
      expect((await leases.list()).map((l) => [l.lane, l.owner])).toEqual([
        ['ccv:main', 'A'],
        ['shopify:main', 'A'],
      ]);
    });

    it('renewal keeps a lease; an expired lease is taken over; renewal then reports the loss', async () => {
      expect(await leases.tryAcquire(['l'], 'A', 300)).toBe(true);
      await sleep(150);
      expect(await leases.renew(['l'], 'A', 300)).toEqual(new Set(['l']));
      await sleep(200);
      expect(await leases.tryAcquire(['l'], 'B', 300)).toBe(false);
      await sleep(400);
      expect(await leases.tryAcquire(['l'], 'B', 300)).toBe(true);
      expect(await leases.renew(['l'], 'A', 300)).toEqual(new Set());
      expect((await leases.holder('l'))?.owner).toBe('B');
    });

    it('release frees only what the owner holds', async () => {
      await leases.tryAcquire(['a'], 'A', 10_000);
      await leases.tryAcquire(['b'], 'B', 10_000);
      await leases.release(['a', 'b'], 'A');
      expect(await leases.holder('a')).toBeUndefined();
      expect((await leases.holder('b'))?.owner).toBe('B');
    });

    it('a lease of a dead process on this host may be taken at once', async () => {
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      const owner = `${hostname()}:${dead}:x`;
      expect(isDeadLocalOwner(owner)).toBe(true);
      expect(isDeadLocalOwner(`${hostname()}:${process.pid}:x`)).toBe(false);
      expect(isDeadLocalOwner(`other-host:${dead}:x`)).toBe(false);
      await leases.tryAcquire(['*'], owner, 60_000);
      expect(await leases.tryAcquire(['*'], 'me', 60_000)).toBe(false);
      expect(await leases.tryAcquire(['*'], 'me', 60_000, { steal: owner })).toBe(true);
    });
  });
}
