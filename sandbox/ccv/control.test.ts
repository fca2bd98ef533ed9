import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLoopback } from './control.js';
import { startCcvSandbox } from './index.js';
import { testSandbox } from './testing.js';

const variant = (sb: ReturnType<typeof testSandbox>) => [...sb.core.state.combinations.rows.values()].find((c) => c.sku_number !== '' && c.ean_number !== '')!;

describe('/__sandbox/ endpoints', () => {
  it('records a till sale the way SalesPOS does: completed, paid, rows with variant SKU, stock decremented', async () => {
    const sb = testSandbox({ products: 40 });
    const combo = variant(sb);
    const simple = [...sb.core.state.products.rows.values()].find((p) => p.stocktype === 'product' && p.eannumber !== '' && p.stockenabled)!;
    const [cStock, pStock] = [combo.stock, simple.stock];
    const r = await sb.control('POST', 'till-sale', { lines: [{ sku: combo.sku_number, count: 2 }, { ean: simple.eannumber }], paymethod: 'cash' });
    expect(r.status).toBe(201);
    expect(r.json.order).toMatchObject({ is_completed: true, paid: true, status: 7, ordernumber_prefix: 'POS', paymethod: 'salespos_cash', deliver_method: 'pickup' });
    expect(r.json.order.customer.email).toBeNull();
    expect(r.json.orderrows[0]).toMatchObject({ sub_sku_number: combo.sku_number, count: 2 });
    expect(r.json.orderrows[1]).toMatchObject({ product_id: simple.id, sub_sku_number: '' });
    expect(combo.stock).toBe(cStock - 2);
    expect(simple.stock).toBe(pStock - 1);
    // The sale is visible through the signed API like any order.
    const listed = await sb.api('GET', `orders?ordernumber=${r.json.order.ordernumber}`);
    expect(listed.json.items.map((o: { id: number }) => o.id)).toEqual([r.json.order.id]);
  });

  it('refuses ambiguous or unknown scans with a message naming the line', async () => {
    const sb = testSandbox({ products: 40, dirty: true });
    const counts = new Map<string, number>();
    const st = sb.core.state;
    const codes = [
      ...[...st.combinations.rows.values()].map((c) => c.sku_number),
      ...[...st.products.rows.values()].filter((p) => st.combinations.by('product', p.id).length === 0).map((p) => p.productnumber),
    ];
    for (const code of codes) if (code) counts.set(code, (counts.get(code) ?? 0) + 1);
    const dup = [...counts.entries()].find(([, n]) => n > 1)?.[0];
    expect(dup).toBeDefined();
    const amb = await sb.control('POST', 'till-sale', { lines: [{ sku: dup }] });
    expect(amb.status).toBe(400);
    expect(amb.json.error).toContain("'lines[0].sku'");
    expect(amb.json.error).toContain('ambiguous');
    expect((await sb.control('POST', 'till-sale', { lines: [{ sku: 'BESTAAT-NIET' }] })).json.error).toContain('matches no product');
    expect((await sb.control('POST', 'till-sale', { lines: [] })).status).toBe(400);
  });

  it('corrects stock without an order (absolute or delta) and edits products as the back office', async () => {
    const sb = testSandbox({ products: 40 });
    const combo = variant(sb);
    const ordersBefore = sb.core.state.orders.size;
    expect((await sb.control('POST', 'stock', { sku: combo.sku_number, stock: 12 })).json).toMatchObject({ attribute_combination_id: combo.id, stock: 12 });
    expect((await sb.control('POST', 'stock', { attribute_combination_id: combo.id, delta: -5 })).json.stock).toBe(7);
    expect((await sb.control('POST', 'stock', { attribute_combination_id: combo.id })).status).toBe(400);
    expect(sb.core.state.orders.size).toBe(ordersBefore);
    sb.advance(5_000);
    const edited = await sb.control('PATCH', 'products/1001', { name: 'Aangepast in backoffice' });
    expect(edited.json).toMatchObject({ name: 'Aangepast in backoffice', modifydate: '2025-06-02T09:00:05Z' });
    expect((await sb.control('PATCH', 'products/1001', { bogus: 1 })).status).toBe(400);
    expect((await sb.control('PATCH', `attributecombinations/${combo.id}`, { sku_number: 'BO-1' })).json.sku_number).toBe('BO-1');
  });

  it('dumps, loads and resets state; the same seed gives byte-identical dumps', async () => {
    const a = testSandbox({ products: 30, seed: 4 });
    const b = testSandbox({ products: 30, seed: 4 });
    const dumpA = await a.fetch(new Request('http://ccv.test/__sandbox/state')).then((r) => r.text());
    const dumpB = await b.fetch(new Request('http://ccv.test/__sandbox/state')).then((r) => r.text());
    expect(dumpA).toBe(dumpB);
    await a.api('PATCH', 'products/1001', { name: 'Gewijzigd' });
    const changed = await a.control('GET', 'state');
    expect((await b.control('PUT', 'state', changed.json)).status).toBe(200);
    expect((await b.api('GET', 'products/1001')).json.name).toBe('Gewijzigd');
    // New ids continue after the loaded ones.
    const created = await b.api('POST', 'products', { name: 'Na load', price: 1, discount: 0, package_id: 1, taxtariff: 'zero' });
    expect(created.json.id).toBe(Math.max(...a.core.state.products.all().map((p) => p.id)) + 1);
    expect((await b.control('PUT', 'state', { format: 'iets anders' })).status).toBe(400);
    expect((await a.control('POST', 'reset', { products: 5, seed: 9 })).json).toMatchObject({ reset: true, products: 5 });
    expect((await a.api('GET', 'products/1001')).json.name).not.toBe('Gewijzigd');
    expect((await a.control('POST', 'reset', { products: -1 })).status).toBe(400);
  });

  it('writes the snapshot file and a new sandbox starts from it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccv-snap-'));
    const file = join(dir, 'ccv.json');
    try {
      const first = await startCcvSandbox({ port: 0, products: 10, snapshotFile: file });
      first.patchProduct(1003, { name: 'Bewaard' });
      await first.close();
      expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe('koppel-ccv-sandbox');
      const second = await startCcvSandbox({ port: 0, products: 500, snapshotFile: file });
      expect(second.state.products.size).toBe(10);
      expect(second.state.products.get(1003)!.name).toBe('Bewaard');
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers only loopback clients', async () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('192.168.1.20')).toBe(false);
    expect(isLoopback('::ffff:10.0.0.1')).toBe(false);
    const sb = await startCcvSandbox({ port: 0, products: 2 });
    try {
      const r = await fetch(`${sb.origin}/__sandbox/`);
      expect(r.status).toBe(200);
      expect(((await r.json()) as { endpoints: string[] }).endpoints.length).toBeGreaterThan(5);
    } finally {
      await sb.close();
    }
  });

  it('keeps a request log and exposes limit usage', async () => {
    const sb = testSandbox({ products: 2 });
    await sb.api('GET', 'products?size=1');
    await sb.api('GET', 'nope');
    const log = (await sb.control('GET', 'requests')).json.requests;
    expect(log.map((e: { uri: string; status: number }) => [e.uri, e.status])).toEqual([['/api/rest/v1/products?size=1', 200], ['/api/rest/v1/nope', 404]]);
    const limits = (await sb.control('GET', 'limits')).json;
    expect(limits.buckets).toEqual([{ key: 'products GET', limit: 150, used: 1 }]);
    expect((await sb.control('GET', 'unknown')).status).toBe(404);
  });
});
