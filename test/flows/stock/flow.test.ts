/** The stock flow's behaviour against both sandboxes: formula, writes, conflicts, problems, signals. */
import { afterEach, describe, expect, it } from 'vitest';
import { stockSettings, type StockSettingsInput } from '../../../src/config/stock.js';
import { StockService } from '../../../src/flows/stock/service.js';
import { LazyRun } from '../../../src/flows/stock/lazy-run.js';
import { stockFlow } from '../../../src/flows/stock/index.js';
import { compileFormula } from '../../../src/flows/stock/formula.js';
import type { EnqueueOptions, JobData } from '../../../src/engine/runtime/port.js';
import { countOps, createWorld, type World, type WorldOptions } from './support.js';

let worlds: World[] = [];
/** Runs buffer their journal rows like a job's run does until it finishes. */
let runs: LazyRun[] = [];
afterEach(async () => {
  runs = [];
  for (const w of worlds) await w.close();
  worlds = [];
});

async function setup(o: WorldOptions = {}) {
  const w = await createWorld(o);
  worlds.push(w);
  const queued: Array<{ name: string; data: JobData; opts?: EnqueueOptions }> = [];
  const runtime = { enqueue: async (name: string, data: JobData, opts?: EnqueueOptions) => (queued.push({ name, data, ...(opts ? { opts } : {}) }), { id: `job-${queued.length}`, status: 'queued' as const }) };
  const settings = stockSettings(w.config.flows);
  const svc = new StockService(w.env, settings, runtime);
  let n = 0;
  const op = (trigger: string, extra: { dryRun?: boolean; jobId?: string } = {}) => {
    const jobId = extra.jobId ?? `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    const run = new LazyRun(w.env, { flow: 'stock', direction: 'ccv_to_shopify', trigger, jobId });
    runs.push(run);
    return { jobId, trigger, run, dryRun: extra.dryRun ?? false };
  };
  const expected = (key: string, formula = settings.formula) => {
    const raw = w.ccvStock(key);
    let onHand = Math.floor(raw);
    if (onHand < 0 && settings.negativeStock === 'zero') onHand = 0;
    const q = compileFormula(formula).evaluate({ onHand, reserved: 0, buffer: settings.safetyBuffer });
    return settings.floorAtZero ? Math.max(0, q) : q;
  };
  /** Runs the queued product refreshes like the runtime would. */
  const drain = async () => {
    while (queued.length) {
      const j = queued.shift()!;
      if (j.name === 'stock.product') await svc.refreshProduct(j.data.productId as number, op(j.data.trigger as string));
    }
  };
  return { w, svc, settings, op, expected, queued, drain };
}

/**
 * The journal, newest record first. Runs write their rows in batches (at least every 2 s), so the
 * journal's own order (by row id) interleaves runs that are open at the same time: order by when
 * each row was recorded.
 */
const activity = async (w: World, key?: string) => {
  for (const r of runs.splice(0)) await r.finish();
  const items = (await w.env.activity.query({ flow: 'stock', ...(key ? { key } : {}), limit: 1000 })).items;
  return items.map((r, i) => ({ r, i })).sort((a, b) => b.r.at.getTime() - a.r.at.getTime() || a.i - b.i).map((x) => x.r);
};

describe('stock flow: reconcile and zero writes', () => {
  it('the first reconcile sets every linked SKU to the formula; a second one writes nothing', async () => {
    const { w, svc, op, expected } = await setup({ products: 25 });
    const first = await svc.fullPass({ ...op('reconcile'), mode: 'reconcile' });
    expect(first.written).toBeGreaterThan(20);
    for (const [key, sku] of w.skus) expect(w.available(sku), sku).toBe(expected(key));
    // Drift activity carries before and after.
    const rows = await activity(w);
    expect(rows.find((r) => r.action === 'updated')?.diff?.[0]).toMatchObject({ before: 1000 });
    w.calls.length = 0;
    const second = await svc.fullPass({ ...op('reconcile'), mode: 'reconcile' });
    expect(second.written).toBe(0);
    expect(countOps(w.calls).InventorySet ?? 0).toBe(0);
    // A delta pass against what Koppel knows writes nothing either, and reads nothing from Shopify.
    w.calls.length = 0;
    const delta = await svc.fullPass({ ...op('manual'), mode: 'state' });
    expect(delta.planned).toEqual([]);
    expect(w.calls).toEqual([]);
  });
});

describe('stock flow: signals', () => {
  it('a till sale reaches Shopify through the order poll: one product read, one write', async () => {
    const { w, svc, op, queued, drain, expected } = await setup({ products: 20 });
    await svc.fullPass({ ...op('reconcile'), mode: 'reconcile' });
    await svc.pollOrders(op('order')); // first look: remembers the newest order
    const [key, sku] = [...w.skus].find(([k]) => w.ccvStock(k) > 3)!;
    const before = w.available(sku)!;
    w.tillSale({ lines: [{ sku, count: 2 }] });
    w.calls.length = 0;
    const polled = await svc.pollOrders(op('order'));
    expect(polled.orders).toBe(1);
    expect(queued.map((q) => [q.name, q.opts?.key])).toEqual([['stock.product', `product:${key.split('/')[0]}`]]);
    await drain();
    expect(w.available(sku)).toBe(before - 2);
    expect(w.available(sku)).toBe(expected(key));
    expect(countOps(w.calls)).toEqual({ InventorySet: 1 });
    const row = (await activity(w, key))[0]!;
    expect(row).toMatchObject({ action: 'updated', targetId: w.items.get(sku) });
    expect(row.message).toMatch(/^order: onHand - reserved - buffer = /);
  });

  it('a back-office correction (no order, no modifydate, no webhook) is found by the sweep', async () => {
    const { w, svc, op } = await setup({ products: 20 });
    await svc.fullPass({ ...op('reconcile'), mode: 'reconcile' });
    const [key, sku] = [...w.skus][3]!;
    w.setStock({ sku, stock: 77 });
    expect(await svc.delta(op('modifydate'))).toBeUndefined(); // first look only sets the cursor
    expect(await svc.delta(op('modifydate'))).toBeUndefined(); // the sandbox does not move modifydate on stock
    const r = await svc.sweepPage(op('sweep'));
    expect(r.cursor.cycle).toBe(2); // 20 products: one page, cycle done
    expect(r.delayMs).toBeGreaterThan(0); // a small catalogue waits for minCycle
    expect(r.summary.written).toBe(1);
    expect(w.available(sku)).toBe(77);
    expect((await activity(w, key))[0]!.message).toMatch(/^sweep: onHand - reserved - buffer = 77 - 0 - 0 = 77/);
  });

  it('the modifydate delta picks up product changes when CCV moves modifydate on stock changes', async () => {
    const { w, svc, op } = await setup({ products: 15, ccv: { stockChangeBumpsModifydate: true } });
    await svc.fullPass({ ...op('reconcile'), mode: 'reconcile' });
    await svc.delta(op('modifydate'));
    const [, sku] = [...w.skus][2]!;
    await new Promise((r) => setTimeout(r, 1100)); // modifydate has whole seconds
    w.setStock({ sku, stock: 5 });
    const sum = await svc.delta(op('modifydate'));
    expect(sum?.written).toBe(1);
    expect(w.available(sku)).toBe(5);
  });
});

describe('stock flow: compare-and-set conflicts', () => {
  async function conflict(policy: StockSettingsInput['conflictPolicy']) {
    const s = await setup({ products: 10, stock: { conflictPolicy: policy } });
    await s.svc.fullPass({ ...s.op('reconcile'), mode: 'reconcile' });
    const [key, sku] = [...s.w.skus].find(([k]) => s.w.ccvStock(k) > 5)!;
    const pushed = s.w.available(sku)!;
    await s.w.merchantEdit(sku, { quantity: 500 }); // a concurrent change in Shopify
    s.w.setStock({ sku, stock: 3 });
    s.w.calls.length = 0;
    await s.svc.refreshProduct(Number(key.split('/')[0]), s.op('webhook'));
    return { ...s, key, sku, pushed };
  }

  it('ccv_wins: re-reads Shopify, writes CCV\'s figure with a new key and journals the conflict', async () => {
    const { w, key, sku } = await conflict('ccv_wins');
    expect(w.available(sku)).toBe(3);
    const sets = w.calls.filter((c) => c.op === 'InventorySet');
    expect(sets.map((c) => c.userErrors)).toEqual([['CHANGE_FROM_QUANTITY_STALE'], []]);
    expect(sets[0]!.key).not.toBe(sets[1]!.key);
    expect(w.calls.map((c) => c.op)).toContain('StockItemLevel');
    const row = (await activity(w, key))[0]!;
    expect(row.action).toBe('updated');
    expect(row.diff?.[0]).toMatchObject({ before: 500, after: 3 });
    expect(row.message).toMatch(/conflict: Shopify's figure changed from \d+ to 500 .*CCV wins/);
  });

  it('shopify_wins: keeps the merchant\'s figure until CCV changes, and says so', async () => {
    const { w, svc, op, key, sku } = await conflict('shopify_wins');
    expect(w.available(sku)).toBe(500);
    const row = (await activity(w, key))[0]!;
    expect(row).toMatchObject({ action: 'skipped' });
    expect(row.message).toMatch(/conflict: .* changed from \d+ to 500 .*shopify_wins/);
    // Unchanged CCV: nothing is written, not even by the reconcile.
    w.calls.length = 0;
    await svc.refreshProduct(Number(key.split('/')[0]), op('sweep'));
    await svc.fullPass({ ...op('reconcile'), mode: 'reconcile' });
    expect(countOps(w.calls).InventorySet ?? 0).toBe(0);
    expect(w.available(sku)).toBe(500);
    // CCV changes again: now CCV's new figure goes through.
    w.setStock({ sku, stock: 8 });
    await svc.refreshProduct(Number(key.split('/')[0]), op('webhook'));
    expect(w.available(sku)).toBe(8);
  });

  it('report_only: keeps Shopify\'s figure and quarantines with STOCK_CONFLICT', async () => {
    const { w, key, sku } = await conflict('report_only');
    expect(w.available(sku)).toBe(500);
    const row = (await activity(w, key))[0]!;
    expect(row).toMatchObject({ action: 'quarantined', errorCode: 'STOCK_CONFLICT' });
    expect(row.hint).toMatch(/conflictPolicy/);
  });

  it('recognises its own earlier write (answer lost) and does not call it a conflict', async () => {
    const { w, svc, op } = await setup({ products: 10 });
    await svc.fullPass({ ...op('reconcile'), mode: 'reconcile' });
    const [key, sku] = [...w.skus][1]!;
    w.setStock({ sku, stock: 11 });
    // The write lands in Shopify but its answer never comes back (and the client gives up).
    w.shopifySb.setFaults({ dropAfterCommitNext: 5 });
    const attempt1 = op('webhook');
    await expect(svc.refreshProduct(Number(key.split('/')[0]), attempt1)).rejects.toMatchObject({ errorClass: 'transient' });
    w.shopifySb.setFaults({ dropAfterCommitNext: 0 });
    expect(w.available(sku)).toBe(11);
    w.setStock({ sku, stock: 12 }); // CCV moves on before the retry
    await svc.refreshProduct(Number(key.split('/')[0]), { ...op('webhook'), jobId: attempt1.jobId });
    expect(w.available(sku)).toBe(12);
    const rows = await activity(w, key);
    expect(rows[0]!.message).not.toMatch(/conflict/);
  });
});

describe('stock flow: idempotency', () => {
  it('a replay of the same job with the same figures never applies twice, even after a merchant edit', async () => {
    const { w, svc, op } = await setup({ products: 10 });
    await svc.fullPass({ ...op('reconcile'), mode: 'reconcile' });
    const [key, sku] = [...w.skus][2]!;
    w.calls.length = 0;
    w.setStock({ sku, stock: 21 });
    w.shopifySb.setFaults({ dropAfterCommitNext: 5 });
    const attempt1 = op('webhook');
    await expect(svc.refreshProduct(Number(key.split('/')[0]), attempt1)).rejects.toBeDefined();
    w.shopifySb.setFaults({ dropAfterCommitNext: 0 });
    expect(w.available(sku)).toBe(21);
    await w.merchantEdit(sku, { quantity: 40 }); // after our (lost) write
    // The job is retried: same job id, same CCV figure → same key → Shopify replays, changes nothing.
    await svc.refreshProduct(Number(key.split('/')[0]), { ...op('webhook'), jobId: attempt1.jobId });
    expect(w.available(sku)).toBe(40);
    const sets = w.calls.filter((c) => c.op === 'InventorySet' && c.variables && JSON.stringify(c.variables).includes(w.items.get(sku)!));
    expect(new Set(sets.map((c) => c.key)).size).toBe(1);
    const groups = [...w.shopifySb.state.table<{ id: string; referenceDocumentUri: string | null }>('inventoryAdjustmentGroups').values()].filter((g) => g.referenceDocumentUri === `gid://koppel/StockSync/${attempt1.jobId}`);
    expect(groups).toHaveLength(1);
    // The next reconcile sees the merchant's figure as drift and (ccv_wins) repairs it, journaled.
    await svc.fullPass({ ...op('reconcile'), mode: 'reconcile' });
    expect(w.available(sku)).toBe(21);
    expect((await activity(w, key))[0]!.message).toMatch(/drift: Shopify had 40/);
  });
});

describe('stock flow: bad input', () => {
  it('reports a SKU unknown to the ledger and to Shopify once, and picks it up once it exists', async () => {
    const { w, svc, op } = await setup({ products: 12, skipSkus: (s) => s.endsWith('2') || s === 'KL-000002' });
    const missing = w.catalogue.flatMap((r) => r.variants).find((v) => v.sku === 'KL-000002' || (v.sku ?? '').endsWith('2'))!;
    for (let i = 0; i < 3; i++) await svc.refreshProduct(Number(missing.key.split('/')[0]), op('order'));
    await svc.fullPass({ ...op('reconcile'), mode: 'reconcile' });
    await svc.fullPass({ ...op('manual'), mode: 'state' });
    const rows = (await activity(w, missing.key)).filter((r) => r.errorCode === 'STOCK_SKU_UNKNOWN');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.message).toContain(`SKU ${missing.sku} (CCV variant ${missing.key}) is not in Shopify`);
    expect(rows[0]!.hint).toMatch(/reported once/);
    // Lookups are not repeated on every poll either.
    w.calls.length = 0;
    await svc.refreshProduct(Number(missing.key.split('/')[0]), op('order'));
    expect(countOps(w.calls).StockVariantsBySkus ?? 0).toBe(0);
  });

  it('finds an unlinked SKU in Shopify by exact SKU, links it in the ledger and pushes', async () => {
    const { w, svc, op } = await setup({ products: 8 });
    const [key, sku] = [...w.skus][0]!;
    await w.env.ledger.unlink(w.env.pair, 'variant', key);
    await svc.refreshProduct(Number(key.split('/')[0]), op('order'));
    expect(w.available(sku)).toBe(Math.max(0, Math.floor(w.ccvStock(key))));
    const link = await w.env.ledger.bySource(w.env.pair, 'variant', key);
    expect(link).toMatchObject({ sku, refs: { inventoryItem: w.items.get(sku) } });
  });

  it('rounds fractional stock down with a note, and counts negative stock as 0', async () => {
    const { w, svc, op } = await setup({ products: 10 });
    await svc.fullPass({ ...op('reconcile'), mode: 'reconcile' });
    const [[k1, s1], [k2, s2]] = [...w.skus].slice(0, 2) as [[string, string], [string, string]];
    w.setStock({ sku: s1, stock: 4.75 });
    w.setStock({ sku: s2, stock: -6 });
    await svc.refreshProduct(Number(k1.split('/')[0]), op('webhook'));
    await svc.refreshProduct(Number(k2.split('/')[0]), op('webhook'));
    expect(w.available(s1)).toBe(4);
    expect(w.available(s2)).toBe(0);
    expect((await activity(w, k1))[0]!.message).toContain('stock 4.75 rounded down to 4');
    expect((await activity(w, k2))[0]!.message).toContain('stock -6 is negative; counted as 0');
  });

  it('keeps negative stock when configured', async () => {
    const { w, svc, op } = await setup({ products: 6, stock: { negativeStock: 'keep', floorAtZero: false } });
    await svc.fullPass({ ...op('reconcile'), mode: 'reconcile' });
    const [key, sku] = [...w.skus][0]!;
    w.setStock({ sku, stock: -2 });
    await svc.refreshProduct(Number(key.split('/')[0]), op('webhook'));
    expect(w.available(sku)).toBe(-2);
  });
});

describe('koppel sync stock', () => {
  it('--dry-run prints the planned quantity changes with their inputs and writes nothing', async () => {
    const { w } = await setup({ products: 8 });
    w.calls.length = 0;
    const report = await stockFlow.sync(w.env, { dryRun: true, trigger: 'manual', mode: 'full' });
    expect(countOps(w.calls).InventorySet ?? 0).toBe(0);
    expect(report.run.dryRun).toBe(true);
    expect(report.lines[0]).toMatch(/stock plan \(dry run: nothing written\), compared with Shopify now: 8 CCV products/);
    const [key, sku] = [...w.skus][0]!;
    const line = report.lines.find((l) => l.includes(sku))!;
    expect(line).toMatch(new RegExp(`${sku}\\s+.*: 1000 → ${Math.max(0, Math.floor(w.ccvStock(key)))} +\\(first push; onHand - reserved - buffer = `));
    expect(line).toMatch(/stock -?\d+(\.\d+)?, reserved 0/);
    expect(await w.env.activity.query({ flow: 'stock' })).toMatchObject({ items: [] });
    // Then for real.
    const real = await stockFlow.sync(w.env, { dryRun: false, trigger: 'manual', mode: 'full' });
    expect(real.run.counts.updated).toBeGreaterThan(0);
    expect(w.available(sku)).toBe(Math.max(0, Math.floor(w.ccvStock(key))));
  });
});
