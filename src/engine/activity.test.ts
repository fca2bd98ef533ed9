import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KoppelError } from '../core/errors.js';
import { openEngineStore } from '../../test/engine/support.js';
import { dialectCases, type TestStore } from '../../test/support/db.js';
import { ActivityJournal, type ActivityEntry } from './activity.js';
import { Checkpoints } from './checkpoints.js';
import { IdentityLedger } from './ledger.js';
import { RunRepository } from './runs.js';
import { WebhookInbox } from './inbox.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);

const entry = (over: Partial<ActivityEntry> = {}): ActivityEntry => ({
  runId: 'run-1',
  flow: 'customers',
  direction: 'shopify_to_ccv',
  entity: 'customer',
  sourceKey: 'gid://shopify/Customer/1',
  targetId: '9001',
  action: 'updated',
  ...over,
});

for (const d of dialectCases()) {
  describe.skipIf(d.skip)(`ActivityJournal [${d.name}]`, () => {
    let store: TestStore;
    let journal: ActivityJournal;
    beforeEach(async () => {
      store = await openEngineStore(d.name);
      journal = new ActivityJournal(store.db);
    });
    afterEach(async () => store.dispose());

    it('stores a field-level diff with personal data masked, never the raw values', async () => {
      await journal.record(
        entry({
          diff: [
            { path: 'email', before: 'jan.jansen@example.nl', after: 'j.jansen@example.nl' },
            { path: 'addresses[0].postcode', before: '1234 AB', after: '1234 AC' },
            { path: 'tags', before: ['vip'], after: ['vip', 'b2b'] },
            { path: 'loyaltyCode', before: 'LC-123456', after: 'LC-654321' },
          ],
          personal: ['loyaltyCode'],
        }),
        NOW,
      );
      const [row] = (await journal.query()).items;
      const byPath = Object.fromEntries(row!.diff!.map((c) => [c.path, c]));
      expect(byPath.email!.masked).toBe(true);
      expect(byPath.email!.before).not.toContain('jansen');
      expect(String(byPath.email!.before)).toContain('***');
      expect(byPath['addresses[0].postcode']!.masked).toBe(true);
      expect(byPath['addresses[0].postcode']!.after).not.toBe('1234 AC');
      expect(byPath.tags).toEqual({ path: 'tags', before: ['vip'], after: ['vip', 'b2b'], masked: false });
      expect(byPath.loyaltyCode!.masked).toBe(true);
      const raw = await store.db.selectFrom('activity').select('diff').executeTakeFirstOrThrow();
      for (const secret of ['jan.jansen', 'j.jansen@', '1234 AB', '1234 AC', 'LC-123456', 'LC-654321']) expect(raw.diff).not.toContain(secret);
    });

    it('accepts a custom masking hook', async () => {
      const custom = new ActivityJournal(store.db, { mask: (diff) => diff.map((c) => ({ ...c, before: 'X', after: 'X', masked: true })) });
      await custom.record(entry({ diff: [{ path: 'title', before: 'a', after: 'b' }] }));
      expect((await custom.query()).items[0]!.diff).toEqual([{ path: 'title', before: 'X', after: 'X', masked: true }]);
    });

    it('keeps a diff a summary: long values are clipped, long diffs cut', async () => {
      const long = 'x'.repeat(5000);
      const diff = Array.from({ length: 60 }, (_, i) => ({ path: `f${i}`, before: i === 0 ? long : i, after: i + 1 }));
      await journal.record(entry({ diff }));
      const stored = (await journal.query()).items[0]!.diff!;
      expect(stored).toHaveLength(51);
      expect(String(stored[0]!.before).length).toBeLessThan(400);
      expect(stored[50]).toMatchObject({ path: '…', after: '10 more changes' });
    });

    it('records problems with code, message and fix hint (a KoppelError fits)', async () => {
      const problem = new KoppelError({ code: 'SKU_DUPLICATE', message: 'SKU TSHIRT-01-M appears on two CCV variants', hint: 'make it unique in CCV', record: 'variant 555/9012' });
      await journal.record(entry({ action: 'quarantined', error: problem }));
      const [row] = (await journal.query({ outcome: 'quarantined' })).items;
      expect(row).toMatchObject({ action: 'quarantined', errorCode: 'SKU_DUPLICATE', message: 'SKU TSHIRT-01-M appears on two CCV variants', hint: 'make it unique in CCV' });
      await expect(journal.record(entry({ action: 'exploded' as never }))).rejects.toMatchObject({ code: 'ACTIVITY_INVALID' });
    });

    it('queries by flow, time range, outcome and key, newest first, with cursor paging', async () => {
      const rows: ActivityEntry[] = [];
      for (let i = 0; i < 25; i++) {
        rows.push(
          entry({
            flow: i % 2 === 0 ? 'customers' : 'orders',
            action: i % 5 === 0 ? 'failed' : 'updated',
            sourceKey: `s${i}`,
            targetId: `t${i}`,
            at: NOW - (25 - i) * 60_000,
          }),
        );
      }
      await journal.record(rows);
      const customers = await journal.query({ flow: 'customers' });
      expect(customers.items).toHaveLength(13);
      expect(customers.items[0]!.sourceKey).toBe('s24');
      expect((await journal.query({ outcome: 'failed' })).items.map((r) => r.sourceKey)).toEqual(['s20', 's15', 's10', 's5', 's0']);
      expect((await journal.query({ outcome: ['failed', 'skipped'], flow: 'orders' })).items.map((r) => r.sourceKey)).toEqual(['s15', 's5']);
      expect((await journal.query({ key: 's7' })).items.map((r) => r.targetId)).toEqual(['t7']);
      expect((await journal.query({ key: 't8' })).items.map((r) => r.sourceKey)).toEqual(['s8']);
      const window = await journal.query({ since: NOW - 10 * 60_000, until: NOW - 5 * 60_000 });
      expect(window.items.map((r) => r.sourceKey)).toEqual(['s19', 's18', 's17', 's16', 's15']);
      // Paging visits every row exactly once.
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await journal.query({ limit: 7, cursor });
        seen.push(...page.items.map((r) => r.sourceKey!));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(25);
      expect(new Set(seen).size).toBe(25);
      await expect(journal.query({ cursor: 'abc' })).rejects.toMatchObject({ code: 'ACTIVITY_QUERY_INVALID' });
      await expect(journal.query({ outcome: 'nope' as never })).rejects.toMatchObject({ code: 'ACTIVITY_QUERY_INVALID' });
      expect(await journal.countsForRun('run-1')).toEqual({ created: 0, updated: 20, skipped: 0, quarantined: 0, failed: 5 });
    });

    it('the retention purge deletes activity older than 14 days, and nothing else', async () => {
      // Activity around the cutoff, plus rows in every other engine table.
      await journal.record([
        entry({ sourceKey: 'old-1', at: NOW - 30 * DAY }),
        entry({ sourceKey: 'old-2', at: NOW - 14 * DAY - 1 }),
        entry({ sourceKey: 'edge', at: NOW - 14 * DAY }),
        entry({ sourceKey: 'recent', at: NOW - 1 * DAY }),
      ]);
      await new IdentityLedger(store.db).link({ pair: 'p', entity: 'customer', sourceKey: 'old-1', targetId: '9001', direction: 'two_way' }, NOW - 60 * DAY);
      await new Checkpoints(store.db).commit({ flow: 'customers', stream: 's', cursor: 'c' }, NOW - 60 * DAY);
      const run = await new RunRepository(store.db).start({ flow: 'customers', trigger: 'schedule' }, NOW - 60 * DAY);
      await run.finish({}, NOW - 60 * DAY);
      await new WebhookInbox(store.db, { enqueue: async () => ({ id: '', status: 'queued' }) }).receive({
        source: 'shopify',
        deliveryId: 'e1',
        topic: 'customers/update',
        verify: () => true,
        job: null,
        receivedAt: NOW - 60 * DAY,
      });
      await store.db.insertInto('kv').values({ key: 'k', value: 'v', updated_at: NOW - 60 * DAY }).execute();
      const counts = async () => {
        const out: Record<string, number> = {};
        for (const t of ['activity', 'ledger_link', 'ledger_ref', 'checkpoint', 'run', 'webhook_delivery', 'kv', 'job', 'job_schedule'] as const) {
          out[t] = Number((await store.db.selectFrom(t).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n);
        }
        return out;
      };
      const before = await counts();

      expect(await journal.purge({ now: NOW })).toBe(2);
      expect((await journal.query()).items.map((r) => r.sourceKey).sort()).toEqual(['edge', 'recent']);
      expect(await counts()).toEqual({ ...before, activity: 2 });
      // Again: nothing more to delete. A shorter retention takes more.
      expect(await journal.purge({ now: NOW })).toBe(0);
      expect(await journal.purge({ now: NOW, retentionDays: 0.5 })).toBe(2);
      await expect(journal.purge({ retentionDays: 0 })).rejects.toMatchObject({ code: 'ACTIVITY_RETENTION_INVALID' });
    });

    it('purges in batches when there is a lot to delete', async () => {
      await journal.record(Array.from({ length: 6001 }, (_, i) => entry({ sourceKey: `k${i}`, at: NOW - 20 * DAY })));
      await journal.record(entry({ sourceKey: 'keep', at: NOW }));
      expect(await journal.purge({ now: NOW })).toBe(6001);
      expect((await journal.query()).items.map((r) => r.sourceKey)).toEqual(['keep']);
    });
  });
}
