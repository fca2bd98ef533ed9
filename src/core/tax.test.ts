import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KoppelError } from './errors.js';
import { money } from './money.js';
import {
  CCV_TAX_TARIFFS,
  DUTCH_TAX_TARIFFS,
  MAX_RATE_BP,
  convertPrice,
  exToIncl,
  formatRateFraction,
  formatRatePercent,
  inclToEx,
  normalizeTaxTariff,
  parseRateFraction,
  parseRatePercent,
  tariffRate,
  taxTariffTable,
  tryParseRatePercent,
  tryTariffRate,
  vatAmount,
} from './tax.js';

// Fixed seed, so every run checks the same cases (deterministic tests); set KOPPEL_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.KOPPEL_FC_SEED ?? 20251129) });

const caught = (f: () => unknown): KoppelError => {
  try {
    f();
  } catch (e) {
    if (e instanceof KoppelError) return e;
    throw e;
  }
  throw new Error('expected a KoppelError');
};

const amount = fc.integer({ min: 0, max: 1e12 });
const signedAmount = fc.integer({ min: -1e12, max: 1e12 });
const rate = fc.integer({ min: 0, max: MAX_RATE_BP });
const commonRate = fc.constantFrom(0, 600, 900, 1200, 1900, 2000, 2100, 2500, 2700);

describe('rates', () => {
  it('parses CCV percentages and Shopify fractions into basis points', () => {
    expect(parseRatePercent(21)).toBe(2100);
    expect(parseRatePercent('9')).toBe(900);
    expect(parseRatePercent(9.5)).toBe(950);
    expect(parseRatePercent('0')).toBe(0);
    expect(parseRateFraction('0.21')).toBe(2100);
    expect(parseRateFraction(0.095)).toBe(950);
  });

  it('refuses negative, above-100 % and over-precise rates with TAX_RATE_INVALID', () => {
    for (const bad of [-1, 101, '21.005', 'abc', null]) {
      const r = tryParseRatePercent(bad, { record: 'CCV order 123' });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.problem.code).toBe('TAX_RATE_INVALID');
        expect(r.problem.message).toContain('CCV order 123');
      }
    }
    expect(caught(() => parseRateFraction('1.5')).code).toBe('TAX_RATE_INVALID');
  });

  it('formats rates for both sides', () => {
    expect(formatRatePercent(2100)).toBe('21');
    expect(formatRatePercent(950)).toBe('9.5');
    expect(formatRatePercent(0)).toBe('0');
    expect(formatRateFraction(2100)).toBe('0.21');
    expect(formatRateFraction(950)).toBe('0.095');
    expect(formatRateFraction(10000)).toBe('1');
    expect(formatRateFraction(0)).toBe('0');
    expect(() => formatRatePercent(-1)).toThrow(KoppelError);
  });

  it('property: format and parse round-trip every rate', () => {
    fc.assert(
      fc.property(rate, (bp) => {
        expect(parseRatePercent(formatRatePercent(bp))).toBe(bp);
        expect(parseRateFraction(formatRateFraction(bp))).toBe(bp);
      }),
    );
  });
});

describe('CCV tax tariffs', () => {
  it('map to the Dutch defaults', () => {
    expect(tariffRate('normal')).toBe(2100);
    expect(tariffRate('low a')).toBe(900);
    expect(tariffRate('low b')).toBe(900);
    expect(tariffRate('zero')).toBe(0);
    expect(CCV_TAX_TARIFFS).toHaveLength(5);
  });

  it('accept harmless spelling variants', () => {
    expect(normalizeTaxTariff(' Low_A ')).toBe('low a');
    expect(normalizeTaxTariff('EXTRA-LOW')).toBe('extra low');
    expect(normalizeTaxTariff('high')).toBeUndefined();
  });

  it('report an unmapped tariff with the fix, and an unknown tariff with the known list', () => {
    const r = tryTariffRate('extra low', DUTCH_TAX_TARIFFS, { record: 'CCV product 555' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.code).toBe('TAX_TARIFF_UNMAPPED');
      expect(r.problem.message).toBe('no VAT rate is configured for CCV tax tariff "extra low", used by CCV product 555');
      expect(r.problem.hint).toMatch(/tax tariff table/);
    }
    const e = caught(() => tariffRate('super', DUTCH_TAX_TARIFFS, { record: 'CCV product 9' }));
    expect(e.code).toBe('TAX_TARIFF_UNKNOWN');
    expect(e.message).toContain('"low a"');
  });

  it('are configurable: overrides in percent, null un-maps', () => {
    const belgian = taxTariffTable({ 'low a': 6, 'low b': '12', 'extra low': null, zero: 0 });
    expect(tariffRate('low a', belgian)).toBe(600);
    expect(tariffRate('low b', belgian)).toBe(1200);
    expect(tariffRate('normal', belgian)).toBe(2100);
    const withExtra = taxTariffTable({ 'extra low': 5.5 });
    expect(tariffRate('extra low', withExtra)).toBe(550);
    expect(tryTariffRate('normal', taxTariffTable({ normal: null })).ok).toBe(false);
    expect(caught(() => taxTariffTable({ hoog: 21 })).code).toBe('TAX_TARIFF_UNKNOWN');
    expect(caught(() => taxTariffTable({ normal: 210 })).code).toBe('TAX_RATE_INVALID');
    expect(DUTCH_TAX_TARIFFS.normal).toBe(2100); // defaults untouched
  });
});

describe('incl ⇄ ex conversion', () => {
  it('follows the documented half-away-from-zero rule on unit prices', () => {
    expect(inclToEx(1000, 2100)).toBe(826); // 8.2644… → 8.26
    expect(inclToEx(2495, 2100)).toBe(2062); // 20.619… → 20.62
    expect(exToIncl(826, 2100)).toBe(999); // 9.9946 → 9.99
    expect(exToIncl(2062, 2100)).toBe(2495); // 24.9502 → 24.95
    expect(exToIncl(50, 900)).toBe(55); // 0.545 → 0.55 (half away from zero)
    expect(exToIncl(-50, 900)).toBe(-55);
    expect(inclToEx(14, 2100)).toBe(12);
    expect(exToIncl(12, 2100)).toBe(15); // the documented 1-cent drift case
  });

  it('convertPrice converts Money and is the identity for the same mode', () => {
    const p = money(2995, 'EUR');
    expect(convertPrice(p, { from: 'incl', to: 'ex', rateBp: 2100 })).toEqual(money(2475, 'EUR'));
    expect(convertPrice(money(2475, 'EUR'), { from: 'ex', to: 'incl', rateBp: 2100 })).toEqual(p);
    expect(convertPrice(p, { from: 'incl', to: 'incl', rateBp: 2100 })).toBe(p);
    expect(() => convertPrice(p, { from: 'incl', to: 'ex', rateBp: 2100.5 })).toThrow(KoppelError);
  });

  it('vatAmount gives the VAT inside or on top of a price', () => {
    expect(vatAmount(money(2995, 'EUR'), { pricesIncludeTax: true, rateBp: 2100 })).toEqual(money(520, 'EUR'));
    expect(vatAmount(money(2475, 'EUR'), { pricesIncludeTax: false, rateBp: 2100 })).toEqual(money(520, 'EUR'));
    expect(vatAmount(money(2995, 'EUR'), { pricesIncludeTax: true, rateBp: 0 })).toEqual(money(0, 'EUR'));
  });

  it('refuses results beyond the safe range', () => {
    expect(caught(() => exToIncl(Number.MAX_SAFE_INTEGER, 2100)).code).toBe('MONEY_OUT_OF_RANGE');
    expect(() => inclToEx(1.5, 2100)).toThrow(RangeError);
  });

  it('property: ex → incl → ex returns the original amount exactly', () => {
    fc.assert(
      fc.property(signedAmount, rate, (ex, bp) => {
        expect(inclToEx(exToIncl(ex, bp), bp)).toBe(ex);
      }),
    );
  });

  it('property: incl → ex → incl stays within one minor unit', () => {
    fc.assert(
      fc.property(signedAmount, rate, (incl, bp) => {
        expect(Math.abs(exToIncl(inclToEx(incl, bp), bp) - incl)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('property: incl → ex never produces a negative value from a non-negative price, and never exceeds it', () => {
    fc.assert(
      fc.property(amount, rate, (incl, bp) => {
        const ex = inclToEx(incl, bp);
        expect(ex).toBeGreaterThanOrEqual(0);
        expect(ex).toBeLessThanOrEqual(incl);
        expect(exToIncl(incl, bp)).toBeGreaterThanOrEqual(incl);
      }),
    );
  });

  it('property: results are safe integers and conversion is sign-symmetric', () => {
    fc.assert(
      fc.property(signedAmount, rate, (a, bp) => {
        for (const v of [inclToEx(a, bp), exToIncl(a, bp)]) {
          expect(Number.isSafeInteger(v)).toBe(true);
          expect(Object.is(v, -0)).toBe(false);
        }
        expect(inclToEx(-a, bp)).toBe(-inclToEx(a, bp) || 0);
        expect(exToIncl(-a, bp)).toBe(-exToIncl(a, bp) || 0);
      }),
    );
  });

  it('property: monotonic in the amount, and in the rate', () => {
    fc.assert(
      fc.property(signedAmount, signedAmount, commonRate, (a, b, bp) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(inclToEx(lo, bp)).toBeLessThanOrEqual(inclToEx(hi, bp));
        expect(exToIncl(lo, bp)).toBeLessThanOrEqual(exToIncl(hi, bp));
      }),
    );
    fc.assert(
      fc.property(amount, rate, rate, (a, r1, r2) => {
        const [lo, hi] = r1 <= r2 ? [r1, r2] : [r2, r1];
        expect(exToIncl(a, lo)).toBeLessThanOrEqual(exToIncl(a, hi));
        expect(inclToEx(a, lo)).toBeGreaterThanOrEqual(inclToEx(a, hi));
      }),
    );
  });

  it('property: matches the exact rational result within half a unit', () => {
    fc.assert(
      fc.property(signedAmount, rate, (a, bp) => {
        // |ex·(10000+bp) − a·10000| ≤ (10000+bp)/2, all in integers
        const ex = BigInt(inclToEx(a, bp));
        const err = ex * BigInt(10_000 + bp) - BigInt(a) * 10_000n;
        expect(2n * (err < 0n ? -err : err) <= BigInt(10_000 + bp)).toBe(true);
      }),
    );
  });
});
