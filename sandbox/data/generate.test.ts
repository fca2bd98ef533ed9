import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COMBINATION_TYPES } from '../ccv/model.js';
import { combinationKey } from '../ccv/variants.js';
import { isValidGtin } from './ean.js';
import { DATA_BASE_DATE, generateCcvDataset } from './generate.js';

const sha = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex');

describe('generateCcvDataset', () => {
  it('is byte-identical for the same seed, and different for another seed', () => {
    const a = JSON.stringify(generateCcvDataset({ seed: 7, products: 300, dirty: true }));
    const b = JSON.stringify(generateCcvDataset({ seed: 7, products: 300, dirty: true }));
    expect(a).toBe(b);
    expect(sha(generateCcvDataset({ seed: 8, products: 300, dirty: true }))).not.toBe(sha(JSON.parse(a)));
  });

  it('does not read the wall clock: every date lies before the fixed base date', () => {
    const d = generateCcvDataset({ seed: 3, products: 200 });
    for (const p of d.products) {
      expect(p.createdate).toBeLessThanOrEqual(DATA_BASE_DATE);
      expect(p.modifydate).toBeGreaterThanOrEqual(p.createdate);
      expect(p.modifydate).toBeLessThanOrEqual(DATA_BASE_DATE);
    }
    for (const o of d.orders) expect(o.create_date).toBeLessThanOrEqual(DATA_BASE_DATE);
  });

  it('an empty shop keeps only settings, packages and pay methods', () => {
    const d = generateCcvDataset({ products: 0 });
    expect(d.products).toEqual([]);
    expect(d.categories).toEqual([]);
    expect(d.users).toEqual([]);
    expect(d.orders).toEqual([]);
    expect(d.packages.length).toBeGreaterThan(0);
    expect(d.paymethods.length).toBeGreaterThan(0);
  });

  const d = generateCcvDataset({ seed: 1, products: 500 });
  const typeOf = new Map(d.attributes.map((a) => [a.id, a.type]));

  it('builds a category tree of at least three levels', () => {
    const byId = new Map(d.categories.map((c) => [c.id, c]));
    const depth = (id: number): number => {
      const c = byId.get(id);
      return c && c.parent_id !== null ? 1 + depth(c.parent_id) : 1;
    };
    expect(Math.max(...d.categories.map((c) => depth(c.id)))).toBeGreaterThanOrEqual(3);
    for (const c of d.categories) if (c.parent_id !== null) expect(byId.has(c.parent_id)).toBe(true);
  });

  it('has simple and variant products, some with three or more option menus, and consistent combinations', () => {
    const optionsPerProduct = new Map<number, Set<number>>();
    for (const pav of d.productAttributeValues) {
      if (!COMBINATION_TYPES.has(typeOf.get(pav.attribute_id) ?? 'text')) continue;
      let s = optionsPerProduct.get(pav.product_id);
      if (!s) optionsPerProduct.set(pav.product_id, (s = new Set()));
      s.add(pav.attribute_id);
    }
    const counts = [...optionsPerProduct.values()].map((s) => s.size);
    expect(d.products.length - optionsPerProduct.size).toBeGreaterThan(100);
    expect(counts.filter((n) => n >= 3).length).toBeGreaterThan(5);
    // Combinations = cartesian product of each product's option values.
    for (const [productId, attrs] of optionsPerProduct) {
      const valuesPerAttr = [...attrs].map((a) => d.productAttributeValues.filter((p) => p.product_id === productId && p.attribute_id === a).length);
      const expected = valuesPerAttr.reduce((x, y) => x * y, 1);
      const combos = d.combinations.filter((c) => c.product_id === productId);
      expect(combos.length).toBe(expected);
      expect(new Set(combos.map((c) => combinationKey(c.value_ids))).size).toBe(expected);
    }
  });

  it('clean data has valid, unique EANs and unique SKUs', () => {
    const eans = [...d.products.map((p) => p.eannumber), ...d.combinations.map((c) => c.ean_number)].filter(Boolean);
    expect(eans.length).toBeGreaterThan(500);
    for (const e of eans) expect(isValidGtin(e)).toBe(true);
    expect(new Set(eans).size).toBe(eans.length);
    const skus = d.combinations.map((c) => c.sku_number);
    expect(skus.every((s) => s.length > 0)).toBe(true);
    expect(new Set(skus).size).toBe(skus.length);
  });

  it('has zero and negative stock, VAT tariffs, prices with discounts, and extra fields', () => {
    const stocks = [...d.products.filter((p) => p.stocktype === 'product').map((p) => p.stock), ...d.combinations.map((c) => c.stock)];
    expect(stocks.some((s) => s === 0)).toBe(true);
    expect(stocks.some((s) => s < 0)).toBe(true);
    expect(new Set(d.products.map((p) => p.taxtariff))).toEqual(new Set(['normal', 'low a']));
    expect(d.products.some((p) => p.discount > 0)).toBe(true);
    expect(d.productPropertyValues.length).toBeGreaterThan(50);
    expect(d.products.some((p) => p.coo !== null && p.hs_code !== null)).toBe(true);
    expect(d.products.some((p) => p.stock_delivery_number !== null)).toBe(true);
  });

  it('has persons and companies with Dutch addresses, some with a house number suffix', () => {
    const b2b = d.users.filter((u) => u.userinfo.customertype === 'b2b');
    expect(b2b.length).toBeGreaterThan(5);
    for (const u of b2b) {
      expect(u.userinfo.billingaddress?.company).toBeTruthy();
      expect(u.userinfo.btw).toMatch(/^NL\d{9}B\d{2}$/);
      expect(u.userinfo.kvk).toMatch(/^\d{8}$/);
    }
    const nl = d.users.filter((u) => u.userinfo.billingaddress?.country_code === 'NL');
    expect(nl.length).toBeGreaterThan(d.users.length * 0.8);
    for (const u of nl) {
      expect(u.userinfo.billingaddress?.zipcode).toMatch(/^\d{4} ?[A-Z]{2}$/);
      expect(Number.isInteger(u.userinfo.billingaddress?.housenumber)).toBe(true);
    }
    expect(nl.some((u) => (u.userinfo.billingaddress?.housenumber_suffix ?? '') !== '')).toBe(true);
    expect(new Set(d.users.map((u) => u.username)).size).toBe(d.users.length);
  });

  it('has orders of every status, paid and unpaid, unfinished baskets and till sales with variant rows', () => {
    expect(new Set(d.orders.map((o) => o.status).filter((s) => s !== null))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]));
    expect(d.orders.some((o) => o.paid)).toBe(true);
    expect(d.orders.some((o) => !o.paid && o.is_completed)).toBe(true);
    expect(d.orders.some((o) => !o.is_completed && o.ordernumber === null)).toBe(true);
    expect(d.orders.some((o) => o.ordernumber_prefix === 'POS')).toBe(true);
    const skus = new Set(d.combinations.map((c) => c.sku_number));
    const variantRows = d.orderRows.filter((r) => r.sub_sku_number !== '');
    expect(variantRows.length).toBeGreaterThan(20);
    for (const r of variantRows) expect(skus.has(r.sub_sku_number)).toBe(true);
    const orderIds = new Set(d.orders.map((o) => o.id));
    for (const r of d.orderRows) expect(orderIds.has(r.order_id)).toBe(true);
  });

  it('dirty mode adds each kind of bad record', () => {
    const dirty = generateCcvDataset({ seed: 1, products: 300, dirty: true });
    expect(dirty.products.some((p) => p.name.trim() === '')).toBe(true);
    const skus = dirty.combinations.map((c) => c.sku_number).filter((s) => s !== '');
    expect(new Set(skus).size).toBeLessThan(skus.length);
    expect(dirty.combinations.some((c) => c.sku_number === '') || dirty.products.some((p) => p.productnumber === '')).toBe(true);
    const eans = [...dirty.products.map((p) => p.eannumber), ...dirty.combinations.map((c) => c.ean_number)].filter(Boolean);
    expect(eans.some((e) => !isValidGtin(e))).toBe(true);
    expect(new Set(eans).size).toBeLessThan(eans.length);
    expect(dirty.users.some((u) => !/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(u.userinfo.email ?? ''))).toBe(true);
    expect(dirty.users.some((u) => !['NL', 'BE', 'DE'].includes(u.userinfo.billingaddress?.country_code ?? ''))).toBe(true);
  });
});
