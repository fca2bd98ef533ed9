import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST, openHarness, runtimeCases, until, type RuntimeHarness } from '../../test/engine/support.js';
import { ACTIVITY_PURGE_JOB, createEngine, HOUSEKEEPING_JOB, type Engine } from './index.js';

for (const c of runtimeCases()) {
  describe.skipIf(c.skip)(`createEngine [${c.name}]`, () => {
    let h: RuntimeHarness;
    let engine: Engine | undefined;
    beforeEach(async () => {
      h = await openHarness(c);
    });
    afterEach(async () => {
      await engine?.stop({ graceMs: 0 });
      await h.dispose();
    });

    it('wires the runtime and repositories on one store, schedules housekeeping, and purges old activity', async () => {
      engine = createEngine(h.store, { ...FAST, pgbossSchema: h.pgbossSchema, activityRetentionDays: 14 });
      expect(engine.runtime.kind).toBe(c.name);
      await engine.activity.record([
        { runId: 'r', flow: 'stock', direction: 'ccv_to_shopify', sourceKey: 'old', action: 'skipped', at: Date.now() - 20 * 86_400_000 },
        { runId: 'r', flow: 'stock', direction: 'ccv_to_shopify', sourceKey: 'new', action: 'skipped' },
      ]);
      await engine.start();
      expect((await engine.runtime.listSchedules()).map((s) => s.name).sort()).toEqual([ACTIVITY_PURGE_JOB, HOUSEKEEPING_JOB]);
      // Run the purge now instead of waiting an hour.
      const { id } = await engine.runtime.enqueue(ACTIVITY_PURGE_JOB, {}, { key: 'purge-now' });
      expect((await engine.runtime.waitFor(id)).state).toBe('completed');
      await until(async () => (await engine!.activity.query()).items.length === 1, 5000, 'purge');
      expect((await engine.activity.query()).items[0]!.sourceKey).toBe('new');
    });
  });
}
