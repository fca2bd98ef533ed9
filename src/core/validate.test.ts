import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasErrors, type Problem } from './codes.js';
import type { Address, Category, Customer, Order, OrderLine, Product, Variant } from './model.js';
import { money } from './money.js';
import { recordKey } from './record.js';
import {
  categoryPaths,
  fitCustomerForShopify,
  fitProductForShopify,
  metafieldValueProblem,
  prepareProductForShopify,
  validateCategory,
  validateCategoryTree,
  validateCustomer,
  validateOrder,
  validateProduct,
  validateStockLevel,
} from './validate.js';

// Fixed seed, so every run checks the same cases (deterministic tests); set KOPPEL_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.KOPPEL_FC_SEED ?? 20251129) });

const eur = (c: number) => money(c, 'EUR');
const codes = (ps: readonly Problem[]) => ps.map((p) => p.code);

const variant = (id: string, sku: string | null, values: string[], price = 2495): Variant => ({
  key: recordKey('ccv', id),
  sku,
  barcode: null,
  optionValues: values.map((value, i) => ({ option: ['Maat', 'Kleur', 'Stof', 'Pasvorm'][i] ?? `o${i}`, value })),
  price: eur(price),
  compareAtPrice: null,
  cost: null,
  weightGrams: 200,
  taxable: true,
  inventoryTracked: true,
  inventoryPolicy: 'deny',
});

const product = (over: Partial<Product> = {}): Product => ({
  key: recordKey('ccv', 555),
  title: 'T-shirt',
  descriptionHtml: '<p>Katoen</p>',
  shortDescription: null,
  vendor: null,
  productType: null,
  status: 'active',
  tags: [],
  options: [{ name: 'Maat', values: ['S', 'M'] }],
  variants: [variant('9001', 'TSHIRT-01-S', ['S']), variant('9002', 'TSHIRT-01-M', ['M'])],
  categoryKeys: [],
  metafields: [],
  pricesIncludeTax: true,
  taxRateBp: 2100,
  updatedAt: null,
  ...over,
});

describe('validateProduct', () => {
  it('accepts a sound product', () => {
    expect(validateProduct(product())).toEqual([]);
  });

  it('quarantines an empty name and a product without variants', () => {
    expect(codes(validateProduct(product({ title: '  ' })))).toEqual(['PRODUCT_TITLE_EMPTY']);
    expect(validateProduct(product({ title: '' }))[0]?.message).toBe('CCV product 555 has an empty name');
    expect(codes(validateProduct(product({ options: [], variants: [] })))).toEqual(['PRODUCT_NO_VARIANTS']);
  });

  it('names the variant when a SKU is missing or duplicated', () => {
    const p = product({ variants: [variant('9001', null, ['S']), variant('9002', 'X', ['M'])] });
    const [missing] = validateProduct(p);
    expect(missing).toMatchObject({ code: 'SKU_MISSING', record: 'CCV product 555', field: 'variants[0].sku' });
    expect(missing?.message).toBe('variant 9001 of CCV product 555 has no SKU in CCV');
    const dup = validateProduct(product({ variants: [variant('9001', 'X', ['S']), variant('9002', 'X', ['M'])] }));
    expect(dup[0]?.message).toBe('SKU X appears on two CCV variants (variants 9001 and 9002)');
    expect(codes(validateProduct(product({ variants: [variant('9001', ' X', ['S']), variant('9002', 'Y', ['M'])] })))).toEqual(['SKU_INVALID']);
  });

  it('quarantines more than 3 options and more than 2048 variants', () => {
    const opts = ['Maat', 'Kleur', 'Stof', 'Pasvorm'].map((name) => ({ name, values: ['a'] }));
    const four = validateProduct(product({ options: opts, variants: [variant('1', 'A', ['a', 'a', 'a', 'a'])] }));
    expect(codes(four)).toEqual(['PRODUCT_TOO_MANY_OPTIONS']);
    expect(four[0]?.message).toBe('CCV product 555 has 4 options (Maat, Kleur, Stof and Pasvorm); Shopify allows at most 3');
    const values = Array.from({ length: 2049 }, (_, i) => `v${i}`);
    const many = product({ options: [{ name: 'Maat', values }], variants: values.map((v, i) => variant(String(i), `SKU-${i}`, [v])) });
    expect(codes(validateProduct(many))).toEqual(['PRODUCT_TOO_MANY_VARIANTS']);
  });

  it('quarantines negative prices, naming the amount', () => {
    const [p] = validateProduct(product({ variants: [variant('9001', 'A', ['S'], -100), variant('9002', 'B', ['M'])] }));
    expect(p?.code).toBe('PRICE_NEGATIVE');
    expect(p?.message).toBe('price of variant 9001 of CCV product 555 is negative (-1.00)');
  });

  it('quarantines invalid barcodes, or only notes them when configured', () => {
    const v = { ...variant('9001', 'A', ['S']), barcode: '8712345678907' };
    const p = product({ variants: [v, variant('9002', 'B', ['M'])] });
    expect(validateProduct(p)[0]).toMatchObject({ code: 'BARCODE_INVALID', severity: 'error' });
    expect(validateProduct(p, { barcodeSeverity: 'warning' })[0]?.severity).toBe('warning');
    expect(hasErrors(validateProduct(p, { barcodeSeverity: 'warning' }))).toBe(false);
  });

  it('checks options and the variants against them', () => {
    expect(codes(validateProduct(product({ options: [{ name: 'Maat', values: ['S', 's'] }] })))).toContain('OPTION_INVALID');
    expect(codes(validateProduct(product({ options: [{ name: 'Maat', values: ['S', 'M'] }, { name: 'maat', values: ['x'] }], variants: [variant('1', 'A', ['S', 'x'])] })))).toContain('OPTION_INVALID');
    const wrongValue = validateProduct(product({ variants: [variant('9001', 'A', ['XL']), variant('9002', 'B', ['M'])] }));
    expect(wrongValue[0]?.message).toBe('variant 9001 of CCV product 555 cannot be matched to the product\'s options: value "XL" is not one of the values of option "Maat"');
    const dupCombo = validateProduct(product({ variants: [variant('9001', 'A', ['S']), variant('9002', 'B', ['S'])] }));
    expect(codes(dupCombo)).toEqual(['VARIANT_DUPLICATE_OPTIONS']);
    expect(dupCombo[0]?.message).toBe('variants 9001 and 9002 of CCV product 555 have the same option values (S)');
    const noOptions = validateProduct(product({ options: [], variants: [variant('1', 'A', []), variant('2', 'B', [])] }));
    expect(noOptions[0]?.message).toBe("the variants of CCV product 555 cannot be matched to the product's options: there are 2 of them but no options to tell them apart");
  });

  it('refuses mixed currencies and bad weights', () => {
    const v = { ...variant('9002', 'B', ['M']), price: money(100, 'USD') };
    expect(codes(validateProduct(product({ variants: [variant('9001', 'A', ['S']), v] })))).toEqual(['MONEY_CURRENCY_MISMATCH']);
    const w = { ...variant('9002', 'B', ['M']), weightGrams: 0.5 };
    expect(codes(validateProduct(product({ variants: [variant('9001', 'A', ['S']), w] })))).toEqual(['WEIGHT_INVALID']);
  });

  it('checks metafields against Shopify rules', () => {
    const ok = { namespace: 'ccv', key: 'article_id', type: 'id' as const, value: '555' };
    expect(validateProduct(product({ metafields: [ok] }))).toEqual([]);
    const bad = validateProduct(product({ metafields: [ok, ok, { namespace: 'c', key: 'x y', type: 'number_integer', value: '1.5' }] }));
    expect(bad.map((p) => p.details)).toEqual([
      { namespace: 'ccv', key: 'article_id', reason: 'the same namespace and key appear twice' },
      { namespace: 'c', key: 'x y', reason: 'the namespace must be 3-255 letters, digits, - or _' },
      { namespace: 'c', key: 'x y', reason: 'the key must be 2-64 letters, digits, - or _' },
      { namespace: 'c', key: 'x y', reason: 'it is not a whole number (type number_integer)' },
    ]);
    expect(metafieldValueProblem({ type: '$app:x' as never, value: 'a' })).toBeUndefined();
    expect(metafieldValueProblem({ type: 'boolean', value: 'ja' })).toBe('it must be true or false');
    expect(metafieldValueProblem({ type: 'url', value: 'javascript:alert(1)' })).toBe('the URL scheme is not allowed');
    expect(metafieldValueProblem({ type: 'list.single_line_text_field', value: '["a"]' })).toBeUndefined();
    expect(metafieldValueProblem({ type: 'date', value: '2025-13-45' })).toBe('it is not a date such as 2025-03-01');
    expect(metafieldValueProblem({ type: 'single_line_text_field', value: '' })).toBe('its value is empty');
  });
});

describe('fitProductForShopify', () => {
  it('keeps HTML and emoji intact and only cuts what a limit forces, with a note', () => {
    const title = `${'Zomer '.repeat(50)}👍🏽 shirt`; // > 255 code points
    const p = product({ title, descriptionHtml: `<p>${'x'.repeat(100_000)}</p>`, vendor: 'Koppel 🧵' });
    const { record, notes } = fitProductForShopify(p);
    expect([...record.title].length).toBeLessThanOrEqual(255);
    expect(title.startsWith(record.title)).toBe(true);
    expect(record.descriptionHtml).toBe(p.descriptionHtml);
    expect(record.vendor).toBe('Koppel 🧵');
    expect(notes.map((n) => [n.code, n.severity, n.field])).toEqual([['TEXT_TRUNCATED', 'warning', 'title']]);
    expect(notes[0]?.message).toMatch(/^title of CCV product 555 is 3\d\d characters; Shopify allows 255, so it was shortened$/);
  });

  it('never splits an emoji when cutting at the limit', () => {
    const title = `${'a'.repeat(254)}👍🏽`; // the emoji is 2 code points and does not fit
    const { record } = fitProductForShopify(product({ title }));
    expect(record.title).toBe('a'.repeat(254));
  });

  it('renames long option values on the variants too, and limits tags', () => {
    const long = 'L'.repeat(300);
    const p = product({ options: [{ name: 'Maat', values: ['S', long] }], variants: [variant('1', 'A', ['S']), variant('2', 'B', [long])], tags: Array.from({ length: 260 }, (_, i) => `t${i}`) });
    const { record, notes } = fitProductForShopify(p);
    expect(record.options[0]?.values[1]).toHaveLength(255);
    expect(record.variants[1]?.optionValues[0]?.value).toHaveLength(255);
    expect(record.tags).toHaveLength(250);
    expect(codes(notes)).toEqual(['TEXT_TRUNCATED', 'TAGS_TRUNCATED']);
    expect(validateProduct(record)).toEqual([]);
  });

  it('prepareProductForShopify returns the fitted record with problems and notes', () => {
    const r = prepareProductForShopify(product({ title: 'x'.repeat(300), variants: [variant('1', null, ['S']), variant('2', 'B', ['M'])] }));
    expect(codes(r.problems)).toEqual(['SKU_MISSING', 'TEXT_TRUNCATED']);
  });

  it('property: fitted text is within the limit and a prefix of the original', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (title) => {
        fc.pre(title.trim() !== '');
        const { record, notes } = fitProductForShopify(product({ title }));
        expect([...record.title].length).toBeLessThanOrEqual(255);
        expect(title.startsWith(record.title)).toBe(true);
        expect(notes.length > 0).toBe(record.title !== title);
      }),
    );
  });
});

describe('categories', () => {
  const cat = (id: number, name: string, parent: number | null): Category => ({
    key: recordKey('ccv', id),
    name,
    parentKey: parent === null ? null : recordKey('ccv', parent),
    path: [name],
    descriptionHtml: null,
    position: null,
  });

  it('validates single categories', () => {
    expect(validateCategory(cat(1, 'Kleding', null))).toEqual([]);
    expect(codes(validateCategory(cat(1, '', null)))).toEqual(['CATEGORY_NAME_EMPTY']);
    expect(codes(validateCategory(cat(1, 'Kleding', 1)))).toEqual(['CATEGORY_PARENT_INVALID']);
  });

  it('computes paths and finds parent loops across the tree', () => {
    const tree = [cat(1, 'Kleding', null), cat(2, 'Heren', 1), cat(3, 'T-shirts', 2), cat(7, 'A', 8), cat(8, 'B', 7)];
    expect(categoryPaths(tree).get('ccv:3')).toEqual(['Kleding', 'Heren', 'T-shirts']);
    const loops = validateCategoryTree(tree);
    expect([...loops.keys()]).toEqual(['ccv:7', 'ccv:8']);
    expect(loops.get('ccv:7')?.[0]?.message).toBe('CCV category 7 has an invalid parent category: its parents form a loop (A → B → A)');
  });
});

describe('validateStockLevel', () => {
  it('accepts consistent integer levels and refuses the rest', () => {
    const s = { sku: 'A', variantKey: null, locationKey: null, onHand: 5, reserved: 2, available: 3, rawQuantity: null };
    expect(validateStockLevel(s)).toEqual([]);
    expect(codes(validateStockLevel({ ...s, onHand: 2.5 }))).toEqual(['STOCK_INVALID']);
    expect(codes(validateStockLevel({ ...s, available: 4 }))).toEqual(['STOCK_INVALID']);
    expect(codes(validateStockLevel({ ...s, sku: '' }))).toEqual(['SKU_MISSING']);
    expect(codes(validateStockLevel({ ...s, onHand: 2e9, available: 2e9 - 2 }))).toEqual(['STOCK_OUT_OF_RANGE', 'STOCK_OUT_OF_RANGE']);
  });
});

const address = (over: Partial<Address> = {}): Address => ({
  firstName: 'Jan',
  lastName: 'Jansen',
  company: null,
  address1: 'Kerkstraat 1A',
  address2: null,
  street: 'Kerkstraat',
  houseNumber: 1,
  houseNumberSuffix: 'A',
  postcode: '1234 AB',
  city: 'Utrecht',
  province: null,
  countryCode: 'NL',
  phone: null,
  ...over,
});

describe('validateCustomer', () => {
  const customer = (over: Partial<Customer> = {}): Customer => ({
    key: recordKey('ccv', 777),
    kind: 'person',
    email: 'jan@example.nl',
    firstName: 'Jan',
    lastName: 'Jansen',
    company: null,
    phone: '+31612345678',
    addresses: [address()],
    tags: [],
    locale: 'nl',
    note: null,
    ...over,
  });

  it('accepts a sound customer', () => {
    expect(validateCustomer(customer())).toEqual([]);
  });

  it('quarantines invalid e-mail without leaking it', () => {
    const [p] = validateCustomer(customer({ email: 'jan.jansen@@example' }));
    expect(p?.code).toBe('EMAIL_INVALID');
    expect(p?.message).not.toContain('jansen');
    expect(p?.message).toMatch(/^e-mail address of CCV customer 777 is not a valid e-mail address \(/);
  });

  it('quarantines a customer with nothing to identify them', () => {
    expect(codes(validateCustomer(customer({ email: null, phone: null, firstName: null, lastName: ' ', addresses: [] })))).toEqual(['CUSTOMER_NO_IDENTITY']);
    expect(validateCustomer(customer({ email: null, phone: null, firstName: null, lastName: null, company: { name: 'Jansen BV', vatNumber: null, cocNumber: null } }))).toEqual([]);
  });

  it('checks addresses: country, Dutch postcode, house number, phone', () => {
    const ps = validateCustomer(
      customer({
        addresses: [
          address({ countryCode: null }),
          address({ postcode: '1234ab' }),
          address({ address1: 'Kerkstraat', street: null, houseNumber: null }),
          address({ phone: '0612345678' }),
        ],
      }),
    );
    expect(ps.map((p) => [p.code, p.severity, p.field])).toEqual([
      ['COUNTRY_UNKNOWN', 'error', 'addresses[0]'],
      ['POSTCODE_INVALID', 'warning', 'addresses[1]'],
      ['HOUSE_NUMBER_MISSING', 'warning', 'addresses[2]'],
      ['PHONE_INVALID', 'warning', 'addresses[3]'],
    ]);
  });

  it('limits customer tags for Shopify', () => {
    const { record, notes } = fitCustomerForShopify(customer({ tags: Array.from({ length: 251 }, (_, i) => `t${i}`) }));
    expect(record.tags).toHaveLength(250);
    expect(codes(notes)).toEqual(['TAGS_TRUNCATED']);
  });
});

describe('validateOrder', () => {
  const line = (over: Partial<OrderLine> = {}): OrderLine => ({
    key: recordKey('ccv', 1),
    sku: 'TSHIRT-01-M',
    title: 'T-shirt',
    variantTitle: 'M',
    quantity: 2,
    unitPrice: eur(2495),
    taxRateBp: 2100,
    discount: eur(0),
    ...over,
  });
  const order = (over: Partial<Order> = {}): Order => ({
    key: recordKey('ccv', 123456),
    number: 'WEB-1001',
    createdAt: '2025-03-01T10:15:00Z',
    processedAt: null,
    financialStatus: 'paid',
    cancelled: false,
    currency: 'EUR',
    pricesIncludeTax: true,
    lines: [line()],
    shipping: { title: 'PostNL', price: eur(495), taxRateBp: 2100 },
    paymentMethodKey: 'ccv_ideal',
    customerKey: null,
    customer: { kind: 'person', email: 'jan@example.nl', firstName: 'Jan', lastName: 'Jansen', company: null, phone: null },
    billingAddress: address(),
    shippingAddress: null,
    totals: { lines: eur(4990), shipping: eur(495), extraCosts: eur(0), discounts: eur(0), tax: eur(952), total: eur(5485) },
    note: null,
    tags: [],
    ...over,
  });

  it('accepts a sound order, and an anonymous till sale', () => {
    expect(validateOrder(order())).toEqual([]);
    expect(validateOrder(order({ customer: null, billingAddress: null }))).toEqual([]);
    expect(validateOrder(order({ customer: { kind: 'person', email: null, firstName: null, lastName: null, company: null, phone: null } }))).toEqual([]);
  });

  it('quarantines empty orders and fractional quantities', () => {
    expect(codes(validateOrder(order({ lines: [], totals: { ...order().totals, lines: eur(0), total: eur(495) } })))).toEqual(['ORDER_NO_LINES']);
    const [p] = validateOrder(order({ lines: [line({ quantity: 1.5 })] }));
    expect(p?.message).toBe('line 1 of CCV order 123456 has quantity 1.5; Shopify needs a positive whole number');
  });

  it('notes lines without SKU and totals that do not add up', () => {
    expect(validateOrder(order({ lines: [line({ sku: null })] }))[0]).toMatchObject({ code: 'ORDER_LINE_SKU_MISSING', severity: 'warning' });
    const [m] = validateOrder(order({ totals: { ...order().totals, total: eur(5500) } }));
    expect(m?.message).toBe('the total of CCV order 123456 is 55.00, but its lines, shipping and discounts add up to 54.85');
    expect(validateOrder(order({ totals: { ...order().totals, total: eur(5486) } }))).toEqual([]); // within one cent per line
  });

  it('adds tax to the total for ex-VAT orders', () => {
    const ex = order({ pricesIncludeTax: false, lines: [line({ unitPrice: eur(2062) })], shipping: { title: 'PostNL', price: eur(409), taxRateBp: 2100 } });
    const totals = { lines: eur(4124), shipping: eur(409), extraCosts: eur(0), discounts: eur(0), tax: eur(952), total: eur(5485) };
    expect(validateOrder({ ...ex, totals })).toEqual([]);
  });

  it('refuses mixed currencies and unknown countries', () => {
    expect(codes(validateOrder(order({ lines: [line({ unitPrice: money(2495, 'USD') })] })))).toEqual(['MONEY_CURRENCY_MISMATCH']);
    expect(codes(validateOrder(order({ shippingAddress: address({ countryCode: 'XX' }) })))).toEqual(['COUNTRY_UNKNOWN']);
    expect(codes(validateOrder(order({ customer: { ...order().customer!, email: 'geen e-mail' } })))).toEqual(['EMAIL_INVALID']);
  });
});
