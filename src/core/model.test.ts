import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashGroups, compareGroupHashes } from './hash.js';
import { PRODUCT_FIELD_GROUPS, completeAddress, stockLevelFromSource, weightKgToGrams, type Address, type Product, type Variant } from './model.js';
import { money } from './money.js';
import { recordKey } from './record.js';

// Fixed seed, so every run checks the same cases (deterministic tests); set KOPPEL_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.KOPPEL_FC_SEED ?? 20251129) });

const eur = (c: number) => money(c, 'EUR');

const variant = (id: string, sku: string, size: string, price = 2495): Variant => ({
  key: recordKey('ccv', id),
  sku,
  barcode: null,
  optionValues: [{ option: 'Maat', value: size }],
  price: eur(price),
  compareAtPrice: null,
  cost: eur(850),
  weightGrams: 200,
  taxable: true,
  inventoryTracked: true,
  inventoryPolicy: 'deny',
});

const product = (): Product => ({
  key: recordKey('ccv', 555),
  title: 'T-shirt',
  descriptionHtml: '<p>Katoen</p>',
  shortDescription: null,
  vendor: 'Koppel Kleding',
  productType: null,
  status: 'active',
  tags: ['zomer', 'katoen'],
  options: [{ name: 'Maat', values: ['S', 'M'] }],
  variants: [variant('9001', 'TSHIRT-01-S', 'S'), variant('9002', 'TSHIRT-01-M', 'M')],
  categoryKeys: [recordKey('ccv', 12), recordKey('ccv', 3)],
  metafields: [],
  pricesIncludeTax: true,
  taxRateBp: 2100,
  updatedAt: '2025-03-01T09:00:00Z',
});

describe('product field groups', () => {
  it('ignore ids and the order of tags, categories and variants', () => {
    const a = product();
    const b: Product = {
      ...a,
      key: recordKey('shopify', 'gid://shopify/Product/1'),
      tags: ['katoen', 'zomer'],
      categoryKeys: [recordKey('ccv', 3), recordKey('ccv', 12)],
      variants: [...a.variants].reverse().map((v, i) => ({ ...v, key: recordKey('shopify', `gid://shopify/ProductVariant/${i}`) })),
      updatedAt: '2026-01-01T00:00:00Z',
    };
    expect(hashGroups(b, PRODUCT_FIELD_GROUPS)).toEqual(hashGroups(a, PRODUCT_FIELD_GROUPS));
  });

  it('tell which group a change belongs to', () => {
    const base = hashGroups(product(), PRODUCT_FIELD_GROUPS);
    const p = product();
    const source = hashGroups({ ...p, variants: p.variants.map((v) => ({ ...v, price: eur(1995) })) }, PRODUCT_FIELD_GROUPS);
    const target = hashGroups({ ...p, descriptionHtml: '<p>Edited in Shopify</p>' }, PRODUCT_FIELD_GROUPS);
    expect(compareGroupHashes({ base, source, target })).toEqual({
      categories: 'unchanged',
      core: 'unchanged',
      description: 'target-changed',
      metafields: 'unchanged',
      pricing: 'source-changed',
      variants: 'unchanged',
    });
  });
});

describe('completeAddress', () => {
  const base: Address = {
    firstName: 'Jan',
    lastName: 'Jansen',
    company: null,
    address1: '',
    address2: null,
    street: null,
    houseNumber: null,
    houseNumberSuffix: null,
    postcode: '1234 AB',
    city: 'Utrecht',
    province: null,
    countryCode: 'NL',
    phone: null,
  };

  it('joins CCV parts into address1', () => {
    expect(completeAddress({ ...base, street: 'Kerkstraat', houseNumber: 1, houseNumberSuffix: 'A' }).address1).toBe('Kerkstraat 1A');
  });

  it('splits a Shopify address1 into parts', () => {
    expect(completeAddress({ ...base, address1: 'Laan 3 bis' })).toMatchObject({ street: 'Laan', houseNumber: 3, houseNumberSuffix: 'bis' });
    expect(completeAddress({ ...base, address1: 'Kerkstraat 12' })).toMatchObject({ houseNumberSuffix: null });
  });

  it('leaves a complete address alone', () => {
    const a = { ...base, address1: 'Kerkstraat 1A', street: 'Kerkstraat', houseNumber: 1, houseNumberSuffix: 'A' };
    expect(completeAddress(a)).toBe(a);
  });
});

describe('weightKgToGrams', () => {
  it('turns CCV kg decimals into whole grams', () => {
    expect(weightKgToGrams(0.2)).toEqual({ grams: 200, problems: [] });
    expect(weightKgToGrams('1.2345')).toEqual({ grams: 1235, problems: [] });
    expect(weightKgToGrams(null)).toEqual({ grams: null, problems: [] });
    expect(weightKgToGrams(-1, { record: 'CCV product 1' }).problems[0]?.code).toBe('WEIGHT_INVALID');
    expect(weightKgToGrams('zwaar').problems[0]?.message).toContain('not a plain decimal');
  });
});

describe('stockLevelFromSource', () => {
  it('keeps whole quantities and computes available', () => {
    expect(stockLevelFromSource({ sku: 'A', quantity: 12, reserved: 2, locationKey: 'shop' })).toEqual({
      level: { sku: 'A', variantKey: null, locationKey: 'shop', onHand: 12, reserved: 2, available: 10, rawQuantity: null },
      problems: [],
    });
    expect(stockLevelFromSource({ sku: 'A', quantity: '7.000' }).level).toMatchObject({ onHand: 7, rawQuantity: null });
  });

  it('rounds fractional stock down and keeps the raw value for the note', () => {
    const r = stockLevelFromSource({ sku: 'KAAS-1', quantity: 2.5 }, { record: 'CCV product 8' });
    expect(r.level).toMatchObject({ onHand: 2, available: 2, rawQuantity: '2.5' });
    expect(r.problems[0]).toMatchObject({ code: 'STOCK_FRACTIONAL', severity: 'warning' });
    expect(r.problems[0]?.message).toBe('stock of CCV product 8 is 2.5; Shopify counts whole units, so 2 was used');
    expect(stockLevelFromSource({ sku: 'A', quantity: -0.5 }).level?.onHand).toBe(-1);
  });

  it('refuses unreadable and out-of-range quantities', () => {
    expect(stockLevelFromSource({ sku: 'A', quantity: 'veel' }).level).toBeNull();
    expect(stockLevelFromSource({ sku: 'A', quantity: 'veel' }).problems[0]?.code).toBe('STOCK_INVALID');
    expect(stockLevelFromSource({ sku: 'A', quantity: 2e9 }).problems[0]?.code).toBe('STOCK_OUT_OF_RANGE');
  });

  it('property: on hand is the floor of the input, and available = on hand − reserved', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e8, max: 1e8 }), fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 1000 }), (whole, milli, reserved) => {
        const q = `${whole}.${String(milli).padStart(3, '0')}`;
        const r = stockLevelFromSource({ sku: 'A', quantity: q, reserved });
        const expected = Math.floor(Number(q));
        expect(r.level?.onHand).toBe(expected);
        expect(r.level?.available).toBe(expected - reserved);
        expect(Number.isSafeInteger(r.level?.onHand)).toBe(true);
        expect(r.level?.rawQuantity).toBe(milli === 0 ? null : q);
      }),
    );
  });
});
