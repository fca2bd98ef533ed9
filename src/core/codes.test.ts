import { describe, expect, it } from 'vitest';
import { CODES, countWord, hasErrors, isCode, joinAnd, joinOwners, koppelError, listCodes, problem, problemToError, type Code, type CodeDetails } from './codes.js';
import { KoppelError, hasErrorCode } from './errors.js';

/** One realistic example per code; the type makes this fail to compile when a code is added without one. */
const EXAMPLES: { [C in Code]: CodeDetails<C> } = {
  MONEY_INVALID_AMOUNT: { value: '"24,95"', field: 'price', reason: 'it uses a comma' },
  MONEY_OUT_OF_RANGE: { operation: 'adding amounts', currency: 'EUR' },
  MONEY_CURRENCY_MISMATCH: { operation: 'add', left: 'EUR', right: 'USD' },
  CURRENCY_UNKNOWN: { currency: 'EURO' },
  TAX_RATE_INVALID: { value: '121', reason: 'it is above 100 percent' },
  TAX_TARIFF_UNKNOWN: { tariff: 'high', known: ['normal', 'zero'] },
  TAX_TARIFF_UNMAPPED: { tariff: 'extra low' },
  SKU_MISSING: { system: 'ccv' },
  SKU_INVALID: { sku: '"A<U+200B>B"', reason: 'it contains the invisible character U+200B', system: 'ccv' },
  SKU_TOO_LONG: { sku: '"XXXX…"', length: 300, limit: 255, system: 'ccv' },
  SKU_DUPLICATE: { sku: 'TSHIRT-01-M', system: 'ccv', owners: ['product 555', 'product 556'] },
  SKU_NEAR_DUPLICATE: { sku: 'a', owner: 'product 1', other: 'A', otherOwner: 'product 2', system: 'ccv' },
  BARCODE_INVALID: { value: '123', reason: 'it has 3 digits', system: 'ccv' },
  COUNTRY_UNKNOWN: { value: 'Nederlandt', field: 'billing address' },
  COUNTRY_CONFLICT: { name: 'Duitsland', code: 'NL', nameCode: 'DE', field: 'billing address' },
  POSTCODE_INVALID: { value: '12** *', country: 'NL', field: 'billing address' },
  HOUSE_NUMBER_MISSING: { field: 'billing address' },
  EMAIL_INVALID: { masked: 'j***@***', field: 'e-mail address' },
  PHONE_INVALID: { masked: '***', field: 'phone number' },
  CUSTOMER_NO_IDENTITY: {},
  LINK_CONFLICT: { skus: ['TSHIRT-01-M', 'TSHIRT-01-L'], reason: 'those SKUs belong to two Shopify products', target: 'Shopify products 1 and 2' },
  TARGET_DELETED: { target: 'Shopify product 1000000000012' },
  TARGET_REJECTED: { target: 'Shopify', errors: 'variants.0.price: must be positive' },
  TAX_RATE_NEEDED: { from: 'incl.', to: 'excl.' },
  PRODUCT_TITLE_EMPTY: {},
  PRODUCT_NO_VARIANTS: {},
  PRODUCT_TOO_MANY_OPTIONS: { count: 4, limit: 3, names: ['a', 'b', 'c', 'd'] },
  PRODUCT_TOO_MANY_VARIANTS: { count: 3000, limit: 2048 },
  OPTION_INVALID: { option: 'Maat', reason: 'it has no values' },
  VARIANT_OPTIONS_MISMATCH: { variant: 'variant 9001', reason: 'value "XL" is unknown' },
  VARIANT_DUPLICATE_OPTIONS: { values: 'S', variants: ['variant 1', 'variant 2'] },
  PRICE_NEGATIVE: { field: 'price', amount: '-1.00' },
  WEIGHT_INVALID: { value: '-1', reason: 'it is negative' },
  METAFIELD_INVALID: { namespace: 'ccv', key: 'x', reason: 'the key is too short' },
  TEXT_TRUNCATED: { field: 'title', length: 300, limit: 255, target: 'Shopify' },
  TAGS_TRUNCATED: { count: 300, limit: 250 },
  CATEGORY_NAME_EMPTY: {},
  CATEGORY_PARENT_INVALID: { reason: 'it is its own parent' },
  STOCK_INVALID: { value: 'veel', reason: 'it is not a number' },
  STOCK_FRACTIONAL: { raw: '2.5', used: 2 },
  STOCK_OUT_OF_RANGE: { quantity: '2000000000', limit: 1_000_000_000 },
  ORDER_NO_LINES: {},
  ORDER_LINE_QUANTITY_INVALID: { line: '1', quantity: '1.5' },
  ORDER_LINE_SKU_MISSING: { line: '1', title: 'Cadeaubon' },
  ORDER_TOTAL_MISMATCH: { computed: '54.85', stated: '55.00' },
  VALUE_NOT_SERIALISABLE: { path: 'a.b', type: 'Date' },
};

describe('the code catalogue', () => {
  it('renders a message naming the record and a fix hint for every code', () => {
    for (const code of Object.keys(CODES) as Code[]) {
      const p = problem(code, EXAMPLES[code] as never, { record: 'CCV product 555' });
      expect(p.message, code).not.toMatch(/undefined|\[object Object\]|NaN/);
      expect(p.hint, code).not.toMatch(/undefined|\[object Object\]/);
      expect(p.hint.length, code).toBeGreaterThan(10);
      const namesRecord = p.message.includes('CCV product 555') || ['SKU_DUPLICATE', 'SKU_NEAR_DUPLICATE'].includes(code);
      expect(namesRecord, `${code}: ${p.message}`).toBe(true);
    }
  });

  it('has codes in SCREAMING_SNAKE_CASE, each with a one-line title', () => {
    const list = listCodes();
    expect(list.length).toBe(Object.keys(CODES).length);
    for (const c of list) {
      expect(c.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(c.title).toMatch(/^[A-Z].*\.$/);
      expect(['error', 'warning']).toContain(c.severity);
    }
  });

  it('builds problems with location, default and overridden severity', () => {
    const p = problem('SKU_MISSING', { system: 'shopify' }, { record: 'Shopify product 1', field: 'variants[0].sku', subject: 'variant 2 of Shopify product 1' });
    expect(p).toEqual({
      code: 'SKU_MISSING',
      severity: 'error',
      message: 'variant 2 of Shopify product 1 has no SKU in Shopify',
      hint: 'fill in the SKU (article number) in Shopify',
      record: 'Shopify product 1',
      field: 'variants[0].sku',
      details: { system: 'shopify' },
    });
    expect(problem('BARCODE_INVALID', EXAMPLES.BARCODE_INVALID, { severity: 'warning' }).severity).toBe('warning');
    expect(problem('PRODUCT_TITLE_EMPTY', {}).message).toBe('the record has an empty name');
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it('builds KoppelErrors with code, record, field, hint, details and class', () => {
    const cause = new Error('boom');
    const e = koppelError('SKU_DUPLICATE', EXAMPLES.SKU_DUPLICATE, { record: 'CCV product 556', field: 'sku', cause });
    expect(e).toBeInstanceOf(KoppelError);
    expect(e.code).toBe('SKU_DUPLICATE');
    expect(e.message).toBe('SKU TSHIRT-01-M appears on two CCV variants (products 555 and 556)');
    expect(e.hint).toBe('make the SKU unique in CCV');
    expect(e.record).toBe('CCV product 556');
    expect(e.field).toBe('sku');
    expect(e.errorClass).toBe('invalid_input');
    expect(e.cause).toBe(cause);
    expect(e.describe()).toBe('SKU TSHIRT-01-M appears on two CCV variants (products 555 and 556)\n  fix: make the SKU unique in CCV');
    expect(e.toJSON()).toEqual({
      name: 'KoppelError',
      code: 'SKU_DUPLICATE',
      message: e.message,
      hint: e.hint,
      record: 'CCV product 556',
      field: 'sku',
      errorClass: 'invalid_input',
      details: EXAMPLES.SKU_DUPLICATE,
    });
    expect(hasErrorCode(e, 'SKU_DUPLICATE')).toBe(true);
    expect(hasErrorCode(new Error('x'), 'SKU_DUPLICATE')).toBe(false);
    expect(problemToError(problem('PRODUCT_TITLE_EMPTY', {})).record).toBeUndefined();
    expect(koppelError('VALUE_NOT_SERIALISABLE', EXAMPLES.VALUE_NOT_SERIALISABLE).errorClass).toBe('permanent');
  });

  it('tells errors from warnings', () => {
    expect(hasErrors([problem('STOCK_FRACTIONAL', EXAMPLES.STOCK_FRACTIONAL)])).toBe(false);
    expect(hasErrors([problem('STOCK_FRACTIONAL', EXAMPLES.STOCK_FRACTIONAL), problem('SKU_MISSING', { system: 'ccv' })])).toBe(true);
    expect(isCode('SKU_MISSING')).toBe(true);
    expect(isCode('toString')).toBe(false);
  });

  it('writes lists the way people read them', () => {
    expect(countWord(2)).toBe('two');
    expect(countWord(12)).toBe('12');
    expect(joinAnd(['a'])).toBe('a');
    expect(joinAnd(['a', 'b', 'c'])).toBe('a, b and c');
    expect(joinOwners(['product 555', 'product 556', 'product 9'])).toBe('products 555, 556 and 9');
    expect(joinOwners(['product 555', 'variant 9'])).toBe('product 555 and variant 9');
    expect(joinOwners(['product 555'])).toBe('product 555');
  });
});
