import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KoppelError } from './errors.js';
import {
  CURRENCY_EXPONENTS,
  addMoney,
  allocateMoney,
  compareMoney,
  currencyExponent,
  displayMoney,
  formatMoney,
  isMoney,
  money,
  multiplyMoney,
  negateMoney,
  normalizeCurrency,
  parseMoney,
  scaleMoney,
  subtractMoney,
  sumMoney,
  tryParseMoney,
  type Money,
} from './money.js';

// Fixed seed, so every run checks the same cases (deterministic tests); set KOPPEL_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.KOPPEL_FC_SEED ?? 20251129) });

const eur = (cents: number): Money => money(cents, 'EUR');
const caught = (f: () => unknown): KoppelError => {
  try {
    f();
  } catch (e) {
    if (e instanceof KoppelError) return e;
    throw e;
  }
  throw new Error('expected a KoppelError');
};

describe('currencies', () => {
  it('knows the minor units of the currencies a Dutch merchant meets', () => {
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('GBP')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('ISK')).toBe(0);
    expect(currencyExponent('HUF')).toBe(2);
    expect(currencyExponent('KWD')).toBe(3); // from Intl, not the table
  });

  it('agrees with Intl for every table entry except the documented HUF/XCG cases', () => {
    const intl = new Set(Intl.supportedValuesOf('currency'));
    for (const [code, exp] of Object.entries(CURRENCY_EXPONENTS)) {
      if (code === 'HUF' || !intl.has(code)) continue;
      const digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits;
      expect(`${code}:${digits}`).toBe(`${code}:${exp}`);
    }
  });

  it('normalises case and rejects unknown codes with CURRENCY_UNKNOWN', () => {
    expect(normalizeCurrency(' eur ')).toBe('EUR');
    expect(normalizeCurrency('EURO')).toBeUndefined();
    expect(normalizeCurrency('QQQ')).toBeUndefined();
    expect(normalizeCurrency(978)).toBeUndefined();
    const e = caught(() => currencyExponent('QQQ'));
    expect(e.code).toBe('CURRENCY_UNKNOWN');
    expect(e.message).toContain('"QQQ"');
    expect(e.hint).toMatch(/EUR/);
  });
});

describe('money()', () => {
  it('only accepts safe integers', () => {
    expect(eur(2995)).toEqual({ amount: 2995, currency: 'EUR' });
    expect(caught(() => money(29.95, 'EUR')).code).toBe('MONEY_INVALID_AMOUNT');
    expect(caught(() => money(2 ** 53, 'EUR')).code).toBe('MONEY_INVALID_AMOUNT');
    expect(Object.is(money(-0, 'EUR').amount, 0)).toBe(true);
  });

  it('isMoney recognises only well-formed values', () => {
    expect(isMoney(eur(1))).toBe(true);
    expect(isMoney({ amount: 1.5, currency: 'EUR' })).toBe(false);
    expect(isMoney({ amount: 1, currency: 'eur' })).toBe(false);
    expect(isMoney(null)).toBe(false);
  });
});

describe('parseMoney / formatMoney', () => {
  it('parses CCV JSON numbers and decimal strings', () => {
    expect(parseMoney(24.95, 'EUR')).toEqual(eur(2495));
    expect(parseMoney('24.95', 'EUR')).toEqual(eur(2495));
    expect(parseMoney(0, 'EUR')).toEqual(eur(0));
    expect(parseMoney('1200', 'JPY')).toEqual(money(1200, 'JPY'));
    expect(parseMoney('1.234', 'KWD')).toEqual(money(1234, 'KWD'));
  });

  it('rounds extra decimals half away from zero on the decimal text', () => {
    expect(parseMoney(8.2645, 'EUR')).toEqual(eur(826)); // ex-VAT price 10.00 / 1.21
    expect(parseMoney(8.265, 'EUR')).toEqual(eur(827));
    expect(parseMoney(-8.265, 'EUR')).toEqual(eur(-827));
    expect(parseMoney(1.005, 'EUR')).toEqual(eur(101));
    expect(parseMoney('1199.5', 'JPY')).toEqual(money(1200, 'JPY'));
    const r = tryParseMoney(8.2645, 'EUR');
    expect(r.ok && r.exact).toBe(false);
  });

  it('names the field and the record when an amount cannot be read', () => {
    const e = caught(() => parseMoney('24,95', 'EUR', { record: 'CCV product 555', field: 'price' }));
    expect(e.code).toBe('MONEY_INVALID_AMOUNT');
    expect(e.record).toBe('CCV product 555');
    expect(e.field).toBe('price');
    expect(e.message).toBe('price of CCV product 555 is "24,95", which is not a usable amount: it uses a comma as decimal separator (expected a dot, e.g. 24.95)');
    expect(e.hint).toMatch(/24\.95/);
    const r = tryParseMoney(null, 'EUR', { field: 'price' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem.code).toBe('MONEY_INVALID_AMOUNT');
    const c = tryParseMoney('1', 'EURO');
    expect(!c.ok && c.problem.code).toBe('CURRENCY_UNKNOWN');
  });

  it('formats for Shopify with exactly the currency decimals', () => {
    expect(formatMoney(eur(2995))).toBe('29.95');
    expect(formatMoney(eur(2990))).toBe('29.90');
    expect(formatMoney(eur(-50))).toBe('-0.50');
    expect(formatMoney(money(1200, 'JPY'))).toBe('1200');
    expect(formatMoney(money(1234, 'KWD'))).toBe('1.234');
  });

  it('displays for people with Intl', () => {
    expect(displayMoney(eur(2995)).replace(/\s/g, ' ')).toBe('€ 29,95');
    expect(displayMoney(eur(2995), 'en')).toBe('€29.95');
    expect(displayMoney(eur(Number.MAX_SAFE_INTEGER), 'en')).toBe('€90,071,992,547,409.91');
  });

  it('property: format → parse round-trips every amount in every table currency', () => {
    const codes = Object.keys(CURRENCY_EXPONENTS);
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(...codes), (amount, currency) => {
        const m = money(amount, currency);
        expect(parseMoney(formatMoney(m), currency)).toEqual(m);
      }),
    );
  });

  it('property: a JSON number with at most 2 decimals parses to exactly those cents', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e13, max: 1e13 }), (cents) => {
        const asJsonNumber = JSON.parse(formatMoney(eur(cents))) as number;
        expect(parseMoney(asJsonNumber, 'EUR').amount).toBe(cents);
      }),
    );
  });
});

describe('arithmetic', () => {
  it('adds, subtracts, sums, multiplies, negates and compares', () => {
    expect(addMoney(eur(1995), eur(495))).toEqual(eur(2490));
    expect(subtractMoney(eur(100), eur(250))).toEqual(eur(-150));
    expect(sumMoney([eur(1), eur(2), eur(3)], 'EUR')).toEqual(eur(6));
    expect(sumMoney([], 'EUR')).toEqual(eur(0));
    expect(multiplyMoney(eur(2495), 3)).toEqual(eur(7485));
    expect(negateMoney(eur(5))).toEqual(eur(-5));
    expect(Object.is(negateMoney(eur(0)).amount, 0)).toBe(true);
    expect(compareMoney(eur(1), eur(2))).toBe(-1);
    expect(compareMoney(eur(2), eur(2))).toBe(0);
    expect(scaleMoney(eur(1999), 15, 100)).toEqual(eur(300)); // 299.85 → 300
    expect(scaleMoney(eur(-1999), 15, 100)).toEqual(eur(-300));
  });

  it('refuses to mix currencies with a clear error', () => {
    const e = caught(() => addMoney(eur(1), money(1, 'USD')));
    expect(e.code).toBe('MONEY_CURRENCY_MISMATCH');
    expect(e.message).toContain('EUR');
    expect(e.message).toContain('USD');
    expect(e.hint).toMatch(/same shop currency/);
    expect(caught(() => compareMoney(eur(1), money(1, 'GBP'))).code).toBe('MONEY_CURRENCY_MISMATCH');
    expect(caught(() => sumMoney([money(1, 'USD')], 'EUR')).code).toBe('MONEY_CURRENCY_MISMATCH');
  });

  it('refuses results beyond the safe-integer range instead of losing cents', () => {
    expect(caught(() => addMoney(eur(Number.MAX_SAFE_INTEGER), eur(1))).code).toBe('MONEY_OUT_OF_RANGE');
    expect(caught(() => multiplyMoney(eur(2 ** 40), 2 ** 20)).code).toBe('MONEY_OUT_OF_RANGE');
    expect(() => multiplyMoney(eur(1), 1.5)).toThrow(RangeError);
  });

  it('property: addition is commutative and subtraction undoes it', () => {
    const amt = fc.integer({ min: -1e14, max: 1e14 });
    fc.assert(
      fc.property(amt, amt, (a, b) => {
        expect(addMoney(eur(a), eur(b))).toEqual(addMoney(eur(b), eur(a)));
        expect(subtractMoney(addMoney(eur(a), eur(b)), eur(b))).toEqual(eur(a));
      }),
    );
  });
});

describe('allocateMoney', () => {
  it('spreads a discount over lines so that the parts add up exactly', () => {
    expect(allocateMoney(eur(100), [1, 1, 1]).map((m) => m.amount)).toEqual([34, 33, 33]);
    expect(allocateMoney(eur(-100), [1, 1, 1]).map((m) => m.amount)).toEqual([-34, -33, -33]);
    expect(allocateMoney(eur(1000), [2495, 0, 495]).map((m) => m.amount)).toEqual([834, 0, 166]);
    expect(() => allocateMoney(eur(1), [])).toThrow(RangeError);
    expect(() => allocateMoney(eur(1), [0, 0])).toThrow(RangeError);
  });

  it('property: parts sum to the total and each is within one unit of its exact share', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 20 }), (total, weights) => {
        fc.pre(weights.some((w) => w > 0));
        const parts = allocateMoney(eur(total), weights);
        expect(parts.reduce((s, p) => s + p.amount, 0)).toBe(total);
        const wsum = weights.reduce((s, w) => s + w, 0);
        parts.forEach((p, i) => {
          expect(Math.abs(p.amount - (total * (weights[i] ?? 0)) / wsum)).toBeLessThan(1);
          expect(Number.isSafeInteger(p.amount)).toBe(true);
        });
      }),
    );
  });
});
