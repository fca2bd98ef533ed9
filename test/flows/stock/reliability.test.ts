/**
 * Reliability: CCV till sales and Shopify-side merchant adjustments interleaved over several rounds,
 * worked by the real job runtime (embedded on SQLite; pg-boss on PostgreSQL when
 * KOPPEL_TEST_DATABASE_URL is set), with Shopify dropping answers after committing. The quantities
 * must end as the formula and the conflict policy say, and no idempotency key may ever apply twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StockSettingsInput } from '../../../src/config/stock.js';
import type { JobRuntime } from '../../../src/engine/runtime/port.js';
import { defineStockJobs, JOBS } from '../../../src/flows/stock/index.js';
import { openHarness, runtimeCases, type RuntimeHarness } from '../../engine/support.js';
import { createWorld, type World } from './support.js';

/** A small seeded PRNG (mulberry32): the same rounds on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function until(what: () => string | null, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: string | null = 'not checked';
  while (Date.now() < end) {
    last = what();
    if (last === null) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out: ${last}`);
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function scenario(h: RuntimeHarness, policy: NonNullable<StockSettingsInput['conflictPolicy']>, seed: number) {
  const stock: StockSettingsInput = {
    conflictPolicy: policy,
    signals: { ordersEvery: '150ms', modifydateEvery: 'off', webhooks: false },
    sweep: { enabled: false },
  };
  const w: World = await createWorld({ store: h.store, products: 14, seed, stock, initial: 60 });
  cleanup.push(() => w.close());
  const runtime: JobRuntime = h.runtime({ concurrency: 4 });
  defineStockJobs(runtime, w.env);
  await runtime.schedule({ name: 'stock.poll:test', job: JOBS.poll, every: '150ms', key: 'poll', lanes: ['ccv:main'] });
  await runtime.start();
  cleanup.push(() => runtime.stop({ graceMs: 2000 }));

  // First push: a reconcile through the runtime.
  const first = await runtime.enqueue(JOBS.reconcile, { trigger: 'startup' }, { key: 'reconcile', lanes: ['ccv:main', 'shopify:main'] });
  expect((await runtime.waitFor(first.id, { timeoutMs: 20_000 })).state).toBe('completed');
  const formula = (key: string) => Math.max(0, Math.floor(w.ccvStock(key)));
  const expected = new Map<string, number>(); // sku → what Shopify must show
  // Products CCV keeps no stock for are left alone; the rest is under test.
  const untracked = new Set(w.catalogue.filter((r) => !r.tracked).flatMap((r) => r.variants.map((v) => v.key)));
  const entries = [...w.skus].filter(([key]) => !untracked.has(key));
  expect(entries.length).toBeGreaterThan(15);
  for (const [key, sku] of entries) {
    expect(w.available(sku), sku).toBe(formula(key));
    expected.set(sku, formula(key));
  }
  // Let the poll set its cursor before the first sale.
  await until(() => (w.calls.length >= 0 ? null : 'x'), 10);
  await new Promise((r) => setTimeout(r, 400));

  // Shopify loses 15 % of the answers to our writes after committing them; the client retries with the same key.
  w.shopifySb.setFaults({ dropAfterCommitRate: 0.15 });
  const rnd = prng(seed);
  let conflictsExpected = 0;
  // The model: what Shopify shows, and what Koppel last knew Shopify had (its compare-and-set value).
  const known = new Map(expected);
  for (let round = 0; round < 6; round++) {
    const roundStart = Date.now();
    const pick = () => entries[Math.floor(rnd() * entries.length)]!;
    const sold = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const [, sku] = pick();
      const q = 100 + Math.floor(rnd() * 50);
      await w.merchantEdit(sku, { quantity: q }); // a Shopify-side adjustment Koppel is not told about
      expected.set(sku, q);
    }
    for (let i = 0; i < 4; i++) {
      const [key, sku] = pick();
      if (sold.has(key) || w.ccvStock(key) < 3) continue; // one sale per variant and round: one change Koppel sees
      w.tillSale({ lines: [{ sku, count: 1 + Math.floor(rnd() * 2) }] });
      sold.add(key);
      if (expected.get(sku) !== known.get(sku)) {
        conflictsExpected++;
        if (policy !== 'ccv_wins') {
          known.set(sku, expected.get(sku)!); // Shopify's figure is kept and becomes Koppel's base
          continue;
        }
      }
      expected.set(sku, formula(key));
      known.set(sku, formula(key));
    }
    await until(() => {
      const off = [...expected].filter(([sku, q]) => w.available(sku) !== q);
      return off.length ? `round ${round}: ${off.map(([s, q]) => `${s} is ${w.available(s)}, want ${q}`).join('; ')}` : null;
    }, 20_000);
    // Each sold variant has been worked (its journal row is there), so no job spills into the next round.
    const seen = new Set<string>();
    const endAt = Date.now() + 20_000;
    while ([...sold].some((k) => !seen.has(k)) && Date.now() < endAt) {
      for (const r of (await w.env.activity.query({ flow: 'stock', since: roundStart, limit: 1000 })).items) if (r.sourceKey) seen.add(r.sourceKey);
      if ([...sold].some((k) => !seen.has(k))) await new Promise((r) => setTimeout(r, 25));
    }
    expect([...sold].filter((k) => !seen.has(k)), `round ${round}: variants never worked`).toEqual([]);
  }
  // Nothing more happens once the signals are worked off.
  await new Promise((r) => setTimeout(r, 500));
  for (const [sku, q] of expected) expect(w.available(sku), sku).toBe(q);

  // The reconcile: with ccv_wins every SKU ends at the formula; otherwise kept conflicts stay.
  w.shopifySb.setFaults({ dropAfterCommitRate: 0 });
  const rec = await runtime.enqueue(JOBS.reconcile, { trigger: 'manual' }, { key: 'reconcile', lanes: ['ccv:main', 'shopify:main'] });
  expect((await runtime.waitFor(rec.id, { timeoutMs: 20_000 })).state).toBe('completed');
  for (const [key, sku] of entries) {
    if (policy === 'ccv_wins') expect(w.available(sku), sku).toBe(formula(key));
    else expect(w.available(sku), sku).toBe(expected.get(sku));
  }

  // Every conflict is in the journal; no key was ever applied twice.
  const journal = (await w.env.activity.query({ flow: 'stock', limit: 1000 })).items;
  const conflictRows = journal.filter((r) => /conflict/.test(r.message ?? '') || r.errorCode === 'STOCK_CONFLICT');
  expect(conflictRows.length).toBeGreaterThanOrEqual(conflictsExpected);
  const sets = w.calls.filter((c) => c.op === 'InventorySet');
  const appliedKeys = new Set(sets.filter((c) => c.groupId).map((c) => c.key));
  const groupsByKey = new Map<string, Set<string>>();
  for (const c of sets) if (c.groupId) groupsByKey.set(c.key!, (groupsByKey.get(c.key!) ?? new Set()).add(c.groupId));
  for (const [key, groups] of groupsByKey) expect(groups.size, `key ${key}`).toBe(1);
  const koppelGroups = [...w.shopifySb.state.table<{ id: string; referenceDocumentUri: string | null }>('inventoryAdjustmentGroups').values()].filter((g) => g.referenceDocumentUri?.startsWith('gid://koppel/'));
  expect(koppelGroups.length).toBe(appliedKeys.size);
  expect(sets.some((c) => c.groupId === undefined || c.groupId === null)).toBe(true); // some answers were really dropped or refused
  return { conflictsExpected };
}

describe.each(runtimeCases())('stock reliability on the $name runtime', (c) => {
  it.skipIf(c.skip)('interleaved sales and Shopify adjustments end as formula and ccv_wins say; keys never apply twice', async () => {
    const h = await openHarness(c);
    cleanup.push(() => h.dispose());
    const r = await scenario(h, 'ccv_wins', 11);
    expect(r.conflictsExpected).toBeGreaterThan(0);
  }, 60_000);

  it.skipIf(c.skip)('the same with shopify_wins: concurrent Shopify changes are kept until CCV changes again', async () => {
    const h = await openHarness(c);
    cleanup.push(() => h.dispose());
    const r = await scenario(h, 'shopify_wins', 5);
    expect(r.conflictsExpected).toBeGreaterThan(0);
  }, 60_000);
});
