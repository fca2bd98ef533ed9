import { describe, expect, it } from 'vitest';
import type { SignedResponse } from '../sign.js';
import { testSandbox } from '../testing.js';

interface Page { href: string; start: number; size: number; first: string; previous: string | null; next: string | null; items: { id: number }[] }

const customer = {
  email: 'klant@example.nl',
  customertype: 'b2b',
  btw: 'NL123456789B01',
  kvk: '12345678',
  billingaddress: { first_name: 'Jan', last_name: 'Jansen', company: 'Jansen B.V.', street: 'Kerkstraat', housenumber: 12, housenumber_suffix: 'A', zipcode: '3511AB', city: 'Utrecht', country: 'Nederland', country_code: 'NL' },
};

function variantWithSku(sb: ReturnType<typeof testSandbox>) {
  return [...sb.core.state.combinations.rows.values()].find((c) => c.sku_number !== '' && c.active)!;
}

describe('orders', () => {
  it('creates an order with a customer and rows; rows carry the variant identifiers; stock is taken out', async () => {
    const sb = testSandbox({ products: 40 });
    const combo = variantWithSku(sb);
    const stockBefore = combo.stock;
    const r = await sb.api('POST', 'orders', { customer, orderrows: [{ count: 2, attribute_combination_id: combo.id }, { count: 1, product_name: 'Cadeaubon', price: 10, tax: 0, package_id: 1 }] });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ is_completed: true, status: 1, paid: false, ordernumber_prefix: 'WEB', customer: { email: 'klant@example.nl', btw: 'NL123456789B01' } });
    expect(r.json.ordernumber_full).toBe(`WEB-${r.json.ordernumber}`);
    expect(r.json).not.toHaveProperty('orderrows.collection');
    const rows = (await sb.api('GET', `orders/${r.json.id}/orderrows`)).json.items;
    expect(rows[0]).toMatchObject({ sub_sku_number: combo.sku_number, sub_ean_number: combo.ean_number, product_id: combo.product_id, count: 2 });
    expect(rows[0].attributes.length).toBe(combo.value_ids.length);
    expect(rows[0]).not.toHaveProperty('attribute_combination_id');
    expect(sb.core.state.combinations.get(combo.id)!.stock).toBe(stockBefore - 2);
    // Totals: rows incl. VAT, computed in cents.
    const expected = Math.round(rows[0].total_price_with_attributes * 100) + 1000 + Math.round(r.json.total_shipping * 100);
    expect(Math.round(r.json.total_price * 100)).toBe(expected);
  });

  it('requires customer and orderrows and names bad row fields with their index', async () => {
    const sb = testSandbox({ products: 10 });
    expect((await sb.api('POST', 'orders', { orderrows: [{ count: 1, product_id: 1001 }] })).json.developermessage).toContain("'customer' is required");
    expect((await sb.api('POST', 'orders', { customer })).json.developermessage).toContain("'orderrows' is required");
    expect((await sb.api('POST', 'orders', { customer, orderrows: [{ count: 1, product_id: 1001 }, { product_id: 1001 }] })).json.developermessage).toContain("'orderrows[1].count' is required");
    expect((await sb.api('POST', 'orders', { customer, orderrows: [{ count: 1, product_name: 'x', price: 1 }] })).json.developermessage).toContain("'orderrows[0].package_id'");
    expect((await sb.api('POST', 'orders', { customer: { ...customer, email: 'jan@' }, orderrows: [{ count: 1, product_id: 1001 }] })).json.developermessage).toContain("'customer.email'");
    expect((await sb.api('POST', 'orders', { customer, currency: 'USD', orderrows: [{ count: 1, product_id: 1001 }] })).json.developermessage).toContain("'currency'");
    expect(sb.core.state.orders.all().every((o) => o.customer?.email !== 'klant@example.nl')).toBe(true);
  });

  it('leaves stock alone for API orders when apiOrderStock is never, and for unfinished orders', async () => {
    const sb = testSandbox({ products: 40, apiOrderStock: 'never' });
    const combo = variantWithSku(sb);
    const before = combo.stock;
    await sb.api('POST', 'orders', { customer, orderrows: [{ count: 1, attribute_combination_id: combo.id }] });
    expect(combo.stock).toBe(before);
    const sb2 = testSandbox({ products: 40 });
    const c2 = variantWithSku(sb2);
    const b2 = c2.stock;
    const open = await sb2.api('POST', 'orders', { customer, is_completed: false, orderrows: [{ count: 1, attribute_combination_id: c2.id }] });
    expect(open.json).toMatchObject({ is_completed: false, status: null, ordernumber: null, ordernumber_prefix: null });
    expect(open.json.basket_href).toContain(String(open.json.id));
    expect(c2.stock).toBe(b2);
  });

  it('patches status (1-14) with 204, restocking cancelled orders only when configured', async () => {
    for (const cancelRestocks of [false, true]) {
      const sb = testSandbox({ products: 40, cancelRestocks });
      const combo = variantWithSku(sb);
      const before = combo.stock;
      const o = (await sb.api('POST', 'orders', { customer, orderrows: [{ count: 3, attribute_combination_id: combo.id }] })).json;
      expect((await sb.api('PATCH', `orders/${o.id}`, { status: 15 })).status).toBe(400);
      expect((await sb.api('PATCH', `orders/${o.id}`, { is_completed: true })).json.developermessage).toContain("'is_completed' is not allowed");
      expect((await sb.api('PATCH', `orders/${o.id}`, { status: 8, mail: false })).status).toBe(204);
      expect((await sb.api('GET', `orders/${o.id}`)).json.status).toBe(8);
      expect(combo.stock).toBe(cancelRestocks ? before : before - 3);
    }
  });

  it('allows row edits only on unfinished orders and replaces rows with PUT', async () => {
    const sb = testSandbox({ products: 10 });
    const done = (await sb.api('POST', 'orders', { customer, orderrows: [{ count: 1, product_id: 1002 }] })).json;
    const row = (await sb.api('GET', `orders/${done.id}/orderrows`)).json.items[0];
    expect((await sb.api('PATCH', `orderrows/${row.id}`, { count: 5 })).status).toBe(405);
    expect((await sb.api('PUT', `orders/${done.id}/orderrows`, { orderrows: [{ count: 4, product_id: 1003 }] })).status).toBe(204);
    const rows = (await sb.api('GET', `orders/${done.id}/orderrows`)).json.items;
    expect(rows.map((r: { product_id: number; count: number }) => [r.product_id, r.count])).toEqual([[1003, 4]]);
    const open = (await sb.api('POST', 'orders', { customer, is_completed: false, orderrows: [{ count: 1, product_id: 1002 }] })).json;
    const openRow = (await sb.api('GET', `orders/${open.id}/orderrows`)).json.items[0];
    expect((await sb.api('PATCH', `orderrows/${openRow.id}`, { count: 5 })).status).toBe(204);
    expect((await sb.api('GET', `orderrows/${openRow.id}`)).json.count).toBe(5);
  });

  it('filters by status, payment and create date', async () => {
    const sb = testSandbox({ products: 200 });
    const all = sb.core.state.orders.all().filter((o) => o.is_completed);
    const list = async (q: string) => {
      const out: { id: number }[] = [];
      let url: string | null = `orders?size=250&${q}`;
      while (url) {
        const r: SignedResponse<Page> = await sb.api<Page>('GET', url);
        expect(r.status, r.text).toBe(200);
        out.push(...r.json.items);
        url = r.json.next;
      }
      return out.map((o) => o.id);
    };
    expect(await list('status=5')).toEqual(all.filter((o) => o.status === 5).map((o) => o.id));
    expect(await list('is_paid=0')).toEqual(all.filter((o) => !o.paid).map((o) => o.id));
    const mid = all[Math.floor(all.length / 2)]!;
    const day = new Date(mid.create_date * 1000).toISOString().slice(0, 10);
    const dayStart = Date.parse(`${day}T00:00:00Z`) / 1000;
    expect(await list(`min_create_date=${day}`)).toEqual(all.filter((o) => o.create_date >= dayStart).map((o) => o.id));
    // A bare max date stops at 00:00:00 of that day (strict default).
    expect(await list(`max_create_date=${day}`)).toEqual(all.filter((o) => o.create_date <= dayStart).map((o) => o.id));
    const sorted = await list('orderby=create_date_desc');
    expect(sorted).toEqual([...all].sort((a, b) => b.create_date - a.create_date || b.id - a.id).map((o) => o.id));
    expect((await sb.api('GET', 'orders?min_create_date=gisteren')).json.developermessage).toContain("'min_create_date'");
    expect((await sb.api('GET', 'orders?status=0')).status).toBe(400);
  });

  it('includes the whole max_create_date day when maxCreateDateInclusiveDay is on', async () => {
    const sb = testSandbox({ products: 100, maxCreateDateInclusiveDay: true });
    const o = sb.core.state.orders.all().find((x) => x.is_completed && x.create_date % 86400 > 3600)!;
    const day = new Date(o.create_date * 1000).toISOString().slice(0, 10);
    const r = await sb.api('GET', `orders?max_create_date=${day}&min_create_date=${day}`);
    expect(r.json.items.map((x: { id: number }) => x.id)).toContain(o.id);
  });
});
