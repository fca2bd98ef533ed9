import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openHarness, runtimeCases, type RuntimeHarness } from '../../test/engine/support.js';
import { WebhookInbox, type ReceiveInput } from './inbox.js';
import type { JobRuntime } from './runtime/port.js';

for (const c of runtimeCases()) {
  describe.skipIf(c.skip)(`WebhookInbox [${c.name}]`, () => {
    let h: RuntimeHarness;
    let rt: JobRuntime;
    let inbox: WebhookInbox;
    const handled: Array<{ data: unknown; jobId: string }> = [];
    beforeEach(async () => {
      h = await openHarness(c);
      rt = h.runtime();
      handled.length = 0;
      rt.define({ name: 'stock.webhook', perKey: 'coalesce', handler: async (data, ctx) => void handled.push({ data, jobId: ctx.jobId }) });
      inbox = new WebhookInbox(h.store.db, rt);
    });
    afterEach(async () => h.dispose());

    const delivery = (over: Partial<ReceiveInput> = {}): ReceiveInput => ({
      source: 'shopify:main',
      deliveryId: 'evt-1:inventory_levels/update',
      topic: 'inventory_levels/update',
      verify: () => true,
      resourceId: 'gid://shopify/InventoryItem/7',
      payloadHash: 'a'.repeat(64),
      job: { name: 'stock.webhook', data: { inventoryItem: 'gid://shopify/InventoryItem/7' }, key: 'ii:7', lanes: ['shopify:main'] },
      ...over,
    });

    it('stores a verified delivery once, enqueues its job once, and the job runs', async () => {
      const first = await inbox.receive(delivery());
      expect(first.status).toBe('accepted');
      const jobId = (first as { jobId: string }).jobId;
      expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await inbox.receive(delivery())).toEqual({ status: 'duplicate', jobId });
      const stored = await inbox.get('shopify:main', 'evt-1:inventory_levels/update');
      expect(stored).toMatchObject({ topic: 'inventory_levels/update', resourceId: 'gid://shopify/InventoryItem/7', status: 'enqueued', jobId, payloadHash: 'a'.repeat(64) });
      await rt.start();
      expect((await rt.waitFor(jobId)).state).toBe('completed');
      expect(handled).toEqual([{ data: { inventoryItem: 'gid://shopify/InventoryItem/7' }, jobId }]);
    });

    it('stores nothing and enqueues nothing when the signature check fails', async () => {
      expect(await inbox.receive(delivery({ verify: () => false }))).toEqual({ status: 'rejected', reason: 'signature' });
      expect(await inbox.receive(delivery({ verify: async () => false }))).toEqual({ status: 'rejected', reason: 'signature' });
      expect(await inbox.get('shopify:main', 'evt-1:inventory_levels/update')).toBeUndefined();
      // A later genuine delivery of the same id is still accepted.
      expect((await inbox.receive(delivery())).status).toBe('accepted');
    });

    it('keeps no payload: the table has no column that could hold one', async () => {
      await inbox.receive(delivery());
      const row = await h.store.db.selectFrom('webhook_delivery').selectAll().executeTakeFirstOrThrow();
      expect(Object.keys(row).sort()).toEqual(['delivery_id', 'id', 'job_id', 'payload_hash', 'received_at', 'resource_id', 'source', 'status', 'topic']);
    });

    it('the same delivery id from another source is another delivery; a job-less delivery is stored as ignored', async () => {
      expect((await inbox.receive(delivery())).status).toBe('accepted');
      expect((await inbox.receive(delivery({ source: 'shopify:second', job: { name: 'stock.webhook', data: {}, key: 'other' } }))).status).toBe('accepted');
      expect(await inbox.receive(delivery({ deliveryId: 'evt-2', job: null }))).toEqual({ status: 'accepted', jobId: null });
      expect((await inbox.get('shopify:main', 'evt-2'))?.status).toBe('ignored');
      expect(await inbox.countSince(0)).toEqual({ 'shopify:main': 2, 'shopify:second': 1 });
    });

    it('a burst of deliveries for one item coalesces into one waiting job', async () => {
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await inbox.receive(delivery({ deliveryId: `evt-${i}` })));
      const ids = new Set(results.map((r) => (r as { jobId: string }).jobId));
      expect(results.every((r) => r.status === 'accepted')).toBe(true);
      expect(ids.size).toBe(1);
      await rt.start();
      await rt.waitFor([...ids][0]!);
      expect(handled).toHaveLength(1);
    });

    it('rejects a delivery without an id with a clear error', async () => {
      await expect(inbox.receive(delivery({ deliveryId: '' }))).rejects.toMatchObject({ code: 'WEBHOOK_DELIVERY_INVALID', message: expect.stringContaining('delivery id') });
    });

    it('if enqueueing fails the delivery is not stored, so the sender retry is processed', async () => {
      await expect(inbox.receive(delivery({ job: { name: 'not.defined', data: {} } }))).rejects.toMatchObject({ code: 'JOB_UNKNOWN' });
      expect(await inbox.get('shopify:main', 'evt-1:inventory_levels/update')).toBeUndefined();
      expect((await inbox.receive(delivery())).status).toBe('accepted');
    });

    it('purges deliveries past their retention', async () => {
      const now = Date.now();
      await inbox.receive(delivery({ deliveryId: 'old', receivedAt: now - 20 * 86_400_000, job: null }));
      await inbox.receive(delivery({ deliveryId: 'new', receivedAt: now, job: null }));
      expect(await inbox.purge({ now })).toBe(1);
      expect(await inbox.get('shopify:main', 'old')).toBeUndefined();
      expect(await inbox.get('shopify:main', 'new')).toBeDefined();
    });
  });
}
