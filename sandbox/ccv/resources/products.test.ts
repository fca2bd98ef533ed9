import { describe, expect, it } from 'vitest';
import { testSandbox } from '../testing.js';

const minimal = { name: 'Testmok', price: 12.95, discount: 0, package_id: 1, taxtariff: 'normal' };

describe('products', () => {
  it('creates a product (201 with the resource) and reads it back', async () => {
    const sb = testSandbox({ products: 5 });
    const r = await sb.api('POST', 'products', { ...minimal, productnumber: 'MOK-1', eannumber: '8712345678906', stock: 7, active: true });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ name: 'Testmok', price: 12.95, productnumber: 'MOK-1', stock: 7, is_active: true, vatrate: 21 });
    expect(r.json.createdate).toBe('2025-06-02T09:00:00Z');
    const again = await sb.api('GET', `products/${r.json.id}`);
    expect(again.json).toEqual(r.json);
  });

  it('requires name, price, discount, package_id and a tax tariff, naming the missing field', async () => {
    const sb = testSandbox({ products: 1 });
    for (const field of ['name', 'price', 'discount', 'package_id']) {
      const body: Record<string, unknown> = { ...minimal };
      delete body[field];
      const r = await sb.api('POST', 'products', body);
      expect(r.status, field).toBe(400);
      expect(r.json.developermessage).toContain(`'${field}'`);
    }
    const noTax: Record<string, unknown> = { ...minimal };
    delete noTax['taxtariff'];
    expect((await sb.api('POST', 'products', noTax)).json.developermessage).toContain("'taxtariff'");
    expect((await sb.api('POST', 'products', { ...noTax, vatrate: 9 })).json.taxtariff).toBe('low a');
    expect((await sb.api('POST', 'products', { ...noTax, vatrate: 17 })).json.developermessage).toContain("'vatrate'");
  });

  it('rejects wrong types, unknown fields, bad references and broken JSON', async () => {
    const sb = testSandbox({ products: 1 });
    expect((await sb.api('POST', 'products', { ...minimal, price: '12.95' })).json.developermessage).toContain("'price' must be a number");
    expect((await sb.api('POST', 'products', { ...minimal, is_active: true })).json.developermessage).toContain("'is_active' is not allowed");
    expect((await sb.api('POST', 'products', { ...minimal, package_id: 99 })).json.developermessage).toContain("'package_id'");
    expect((await sb.api('POST', 'products', { ...minimal, taxtariff: 'high' })).json.developermessage).toContain("'taxtariff'");
    const broken = await sb.api('POST', 'products', '{"name":');
    expect(broken.status).toBe(400);
    expect(broken.json.code).toBe('400.30');
  });

  it('patches fields (204), bumping modifydate; stock-only patches leave it alone by default', async () => {
    const sb = testSandbox({ products: 5 });
    const before = (await sb.api('GET', 'products/1001')).json.modifydate;
    sb.advance(3_600_000);
    expect((await sb.api('PATCH', 'products/1001', { stock: 42 })).status).toBe(204);
    let p = (await sb.api('GET', 'products/1001')).json;
    expect(p.stock).toBe(42);
    expect(p.modifydate).toBe(before);
    expect((await sb.api('PATCH', 'products/1001', { name: 'Nieuwe naam', meta_description: 'meta' })).status).toBe(204);
    p = (await sb.api('GET', 'products/1001')).json;
    expect(p.name).toBe('Nieuwe naam');
    expect(p.meta_description).toBe('meta');
    expect(p.modifydate).toBe('2025-06-02T10:00:00Z');
  });

  it('bumps modifydate on stock changes when stockChangeBumpsModifydate is on', async () => {
    const sb = testSandbox({ products: 5, stockChangeBumpsModifydate: true });
    sb.advance(60_000);
    await sb.api('PATCH', 'products/1001', { stock: 1 });
    expect((await sb.api('GET', 'products/1001')).json.modifydate).toBe('2025-06-02T09:01:00Z');
  });

  it('deletes a product with its variants and links', async () => {
    const sb = testSandbox({ products: 40 });
    const combo = [...sb.core.state.combinations.rows.values()][0]!;
    expect((await sb.api('DELETE', `products/${combo.product_id}`)).status).toBe(204);
    expect((await sb.api('GET', `products/${combo.product_id}`)).json.code).toBe('404.10');
    expect((await sb.api('GET', `attributecombinations/${combo.id}`)).status).toBe(404);
    expect(sb.core.state.productToCategories.by('product', combo.product_id)).toEqual([]);
  });

  it('filters the list', async () => {
    const sb = testSandbox({ products: 60 });
    const all = [...sb.core.state.products.rows.values()];
    const target = all[7]!;
    const byNumber = await sb.api('GET', `products?productnumber=${target.productnumber}`);
    expect(byNumber.json.items.map((p: { id: number }) => p.id)).toEqual([target.id]);
    const cheap = await sb.api('GET', 'products?maxprice=20&size=250');
    expect(cheap.json.items.every((p: { price: number }) => p.price <= 20)).toBe(true);
    expect(cheap.json.items).toHaveLength(all.filter((p) => p.price <= 20).length);
    const inactive = await sb.api('GET', 'products?active=0&size=250');
    expect(inactive.json.items).toHaveLength(all.filter((p) => !p.is_active).length);
    expect((await sb.api('GET', 'products?productname=ab')).json.developermessage).toContain("'productname'");
    const word = target.name.split(' ').pop()!.toLowerCase();
    const named = await sb.api('GET', `products?productname=${encodeURIComponent(word)}&size=250`);
    expect(named.json.items.length).toBe(all.filter((p) => p.name.toLowerCase().includes(word)).length);
    expect((await sb.api('GET', 'products?minstock=abc')).status).toBe(400);
  });

  it('finds a variant by SKU through productqueries, with only that combination', async () => {
    const sb = testSandbox({ products: 40 });
    const combo = [...sb.core.state.combinations.rows.values()][3]!;
    const r = await sb.api('GET', `productqueries?skunumber=${encodeURIComponent(combo.sku_number)}`);
    expect(r.json.items).toHaveLength(1);
    expect(r.json.items[0].id).toBe(combo.product_id);
    expect(r.json.items[0].attributecombinations.collection.map((c: { id: number }) => c.id)).toEqual([combo.id]);
    expect((await sb.api('GET', 'productqueries')).status).toBe(400);
  });

  it('enforces the product limit with 500.60', async () => {
    const sb = testSandbox({ products: 2 });
    sb.core.state.webshop.product_limit = 2;
    const r = await sb.api('POST', 'products', minimal);
    expect(r.status).toBe(500);
    expect(r.json.code).toBe('500.60');
    expect((await sb.api('GET', 'webshops/1')).json.product_limit_left).toBe(0);
  });

  it('models extra fields as property groups, country of origin and delivery time', async () => {
    const sb = testSandbox({ products: 60 });
    const link = [...sb.core.state.productToPropertyGroups.rows.values()][0]!;
    const p = await sb.api('GET', `products/${link.product_id}?expand=producttopropertygroups`);
    const values = p.json.producttopropertygroups.collection[0].values.collection;
    expect(values.length).toBeGreaterThan(0);
    const props = await sb.api('GET', `productpropertygroups/${link.group_id}/productproperties`);
    expect(props.json.items.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['Land van herkomst', 'Type', 'Materiaal']));
    const withCoo = [...sb.core.state.products.rows.values()].find((x) => x.coo !== null)!;
    expect((await sb.api('GET', `products/${withCoo.id}`)).json.tradecodesystem).toMatchObject({ coo: withCoo.coo, code: withCoo.hs_code });
    // Writing a value needs the group link first, and option properties take an option id.
    const created = await sb.api('POST', 'products', minimal);
    const countryProp = props.json.items.find((x: { name: string }) => x.name === 'Land van herkomst');
    const early = await sb.api('POST', 'productpropertyvalues', { product_id: created.json.id, product_property_id: countryProp.id, value: 'PT' });
    expect(early.json.developermessage).toContain('producttopropertygroups');
    expect((await sb.api('POST', 'producttopropertygroups', { product_id: created.json.id, product_property_group_id: link.group_id })).status).toBe(201);
    expect((await sb.api('POST', 'productpropertyvalues', { product_id: created.json.id, product_property_id: countryProp.id, value: 'PT' })).status).toBe(201);
    const typeProp = props.json.items.find((x: { name: string }) => x.name === 'Type');
    expect((await sb.api('POST', 'productpropertyvalues', { product_id: created.json.id, product_property_id: typeProp.id, value: 'Nieuw' })).json.developermessage).toContain('option');
  });
});
