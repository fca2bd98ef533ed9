/** The stock flow as `koppel start` runs it: its schedules on the embedded runtime, and its locations. */
import { afterEach, describe, expect, it } from 'vitest';
import { stockSettings } from '../../../src/config/stock.js';
import { createRuntime } from '../../../src/engine/runtime/index.js';
import { stockFlow, stockSchedules, JOBS } from '../../../src/flows/stock/index.js';
import { LazyRun } from '../../../src/flows/stock/lazy-run.js';
import { StockService } from '../../../src/flows/stock/service.js';
import { createWorld, type World, type WorldOptions } from './support.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function world(o: WorldOptions): Promise<World> {
  const w = await createWorld(o);
  cleanup.push(() => w.close());
  return w;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the stock flow on the job runtime', () => {
  it('starts with a reconcile, then sweeps in a chain that finds a back-office correction; the poll finds a sale', async () => {
    const w = await world({
      products: 30,
      stock: { signals: { ordersEvery: '100ms', modifydateEvery: '100ms' }, sweep: { minCycle: '300ms' }, reconcile: { every: '1h' } },
    });
    const runtime = createRuntime(w.store, { pollIntervalMs: 20, scheduleTickMs: 50 });
    stockFlow.define(runtime, w.env);
    const specs = stockFlow.schedules(w.env);
    expect(specs.map((s) => s.job).sort()).toEqual([JOBS.delta, JOBS.poll, JOBS.reconcile, JOBS.sweep].sort());
    for (const s of specs) await runtime.schedule(s);
    await runtime.start();
    cleanup.push(() => runtime.stop({ graceMs: 2000 }));

    // No stock state yet: the sweep hands over to a reconcile, which pushes everything.
    const [key, sku] = [...w.skus].find(([k]) => w.ccvStock(k) > 2 && w.catalogue.find((r) => r.productId === Number(k.split('/')[0]))!.tracked)!;
    await until(() => w.available(sku) === Math.floor(w.ccvStock(key)), 15_000, 'first reconcile');
    const cp = await w.env.checkpoints.get('stock', 'reconcile');
    expect(cp).toBeDefined();

    // A correction no other signal reports: the sweep.
    w.setStock({ sku, stock: 91 });
    await until(() => w.available(sku) === 91, 15_000, 'the sweep to find the correction');
    const cursor = JSON.parse((await w.env.checkpoints.get('stock', 'ccv:sweep'))!.cursor) as { cycle: number };
    expect(cursor.cycle).toBeGreaterThan(1);

    // A till sale: the poll.
    w.tillSale({ lines: [{ sku, count: 4 }] });
    await until(() => w.available(sku) === 87, 15_000, 'the poll to find the sale');
    const journal = (await w.env.activity.query({ flow: 'stock', key, limit: 10 })).items;
    expect(journal.map((r) => r.message?.split(':')[0])).toEqual(['order', 'sweep', 'reconcile']);
  });

  it('koppel sync stock queues one full pass as a job and its run is found by the job id', async () => {
    const w = await world({ products: 8 });
    const runtime = createRuntime(w.store, { pollIntervalMs: 20, scheduleTickMs: 50 });
    stockFlow.define(runtime, w.env);
    await runtime.start();
    cleanup.push(() => runtime.stop({ graceMs: 2000 }));
    const full = await stockFlow.enqueue!(runtime, { mode: 'full', trigger: 'manual' });
    expect((await runtime.waitFor(full.id, { timeoutMs: 10_000 })).state).toBe('completed');
    const run = await w.env.runs.byJob(full.id);
    expect(run).toMatchObject({ flow: 'stock', trigger: 'manual', status: 'succeeded' });
    expect(run!.counts.updated).toBeGreaterThan(0);
    const delta = await stockFlow.enqueue!(runtime, { mode: 'delta', trigger: 'manual' });
    expect((await runtime.waitFor(delta.id, { timeoutMs: 10_000 })).state).toBe('completed');
    expect((await w.env.runs.byJob(delta.id))!.counts.updated).toBe(0); // nothing changed since
  });

  it('refuses to start with a formula that does not parse, naming the setting', async () => {
    const w = await world({ products: 3, seedShopify: false, stock: { formula: 'onHand - reserverd' } });
    const runtime = createRuntime(w.store, {});
    expect(() => stockFlow.define(runtime, w.env)).toThrow(/flows\.stock\.formula: .*unknown name reserverd/);
  });

  it('schedules what the settings ask for, and nothing while the flow is switched off', () => {
    expect(stockSchedules(stockSettings({ stock: { enabled: false } }))).toEqual([]);
    expect(stockSchedules(stockSettings({}))).toEqual([]);
    const s = stockSchedules(stockSettings({ stock: { enabled: true, schedule: '15 * * * *', signals: { modifydateEvery: 'off' }, sweep: { enabled: false } } }));
    expect(s.map((x) => [x.job, x.every ?? x.cron])).toEqual([[JOBS.poll, '5s'], [JOBS.reconcile, '15 * * * *']]);
  });
});

describe('target locations', () => {
  it('pushes to several locations, each with its own formula', async () => {
    const w = await world({ products: 6, stock: { locations: [{ name: 'Winkel Utrecht' }, { name: 'Magazijn Amersfoort', formula: 'max(0, onHand - 2) / 2' }] } });
    const svc = new StockService(w.env, stockSettings(w.config.flows));
    const run = new LazyRun(w.env, { flow: 'stock', direction: 'ccv_to_shopify', trigger: 'manual', jobId: 'j' });
    await svc.fullPass({ jobId: crypto.randomUUID(), trigger: 'manual', run, mode: 'reconcile' });
    await run.finish();
    const utrecht = w.locations.find((l) => l.name === 'Winkel Utrecht')!.id;
    const magazijn = w.locations.find((l) => l.name === 'Magazijn Amersfoort')!.id;
    const [key, sku] = [...w.skus].find(([k]) => w.ccvStock(k) > 6 && w.catalogue.find((r) => r.productId === Number(k.split('/')[0]))!.tracked)!;
    const onHand = Math.floor(w.ccvStock(key));
    expect(w.available(sku, utrecht)).toBe(onHand);
    expect(w.available(sku, magazijn)).toBe(Math.floor(Math.max(0, onHand - 2) / 2));
  });

  it('names the locations Shopify has when a configured one does not exist', async () => {
    const w = await world({ products: 3, stock: { location: 'Winkel Amsterdam' } });
    const svc = new StockService(w.env, stockSettings(w.config.flows));
    await expect(svc.locations.resolve()).rejects.toMatchObject({
      code: 'STOCK_LOCATION_UNKNOWN',
      message: 'Shopify has no active location named "Winkel Amsterdam"',
      hint: expect.stringContaining('"Winkel Utrecht"'),
    });
    const inactive = await world({ products: 3, stock: { location: 'Pop-up Zwolle' } });
    await expect(new StockService(inactive.env, stockSettings(inactive.config.flows)).locations.resolve()).rejects.toThrow(/no active location named "Pop-up Zwolle"/);
  });
});
