import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divRound, formatScaled, parseScaled, type Rounding } from './decimal.js';

// Fixed seed, so every run checks the same cases (deterministic tests); set KOPPEL_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.KOPPEL_FC_SEED ?? 20251129) });

const ok = (input: unknown, scale: number, rounding?: Rounding) => {
  const r = parseScaled(input, scale, rounding);
  if (!r.ok) throw new Error(`expected ok for ${String(input)}, got ${r.reason}`);
  return r;
};

describe('parseScaled', () => {
  it('reads JSON numbers by their decimal text, not their binary value', () => {
    expect(ok(24.95, 2).value).toBe(2495);
    expect(ok(1.005, 2).value).toBe(101); // Math.round(1.005 * 100) would give 100
    expect(ok(0.1 + 0.2, 2).value).toBe(30);
    expect(ok(8.2645, 2)).toEqual({ ok: true, value: 826, exact: false });
  });

  it('reads strings with sign, leading dot, trailing dot and exponent', () => {
    expect(ok('24.95', 2).value).toBe(2495);
    expect(ok(' -3.5 ', 2).value).toBe(-350);
    expect(ok('+1', 2).value).toBe(100);
    expect(ok('.5', 2).value).toBe(50);
    expect(ok('5.', 2).value).toBe(500);
    expect(ok('1e-7', 2)).toEqual({ ok: true, value: 0, exact: false });
    expect(ok(1e15, 0).value).toBe(1_000_000_000_000_000);
    expect(ok(1.5e-3, 3).value).toBe(2);
    expect(ok('2.5E1', 0).value).toBe(25);
    expect(ok('007.10', 2).value).toBe(710);
  });

  it('rounds half away from zero by default, symmetric for negatives', () => {
    expect(ok('8.265', 2).value).toBe(827);
    expect(ok('-8.265', 2).value).toBe(-827);
    expect(ok('8.2649999', 2).value).toBe(826);
    expect(ok('-0.004', 2).value).toBe(0);
    expect(Object.is(ok('-0.004', 2).value, -0)).toBe(false);
  });

  it('supports the other rounding rules', () => {
    expect(ok('2.5', 0, 'half-even').value).toBe(2);
    expect(ok('3.5', 0, 'half-even').value).toBe(4);
    expect(ok('-2.5', 0, 'floor').value).toBe(-3);
    expect(ok('-2.5', 0, 'ceil').value).toBe(-2);
    expect(ok('2.9', 0, 'trunc').value).toBe(2);
    expect(ok('2.1', 0, 'ceil').value).toBe(3);
  });

  it('rejects what is not a plain decimal, with a reason', () => {
    const reason = (v: unknown) => {
      const r = parseScaled(v, 2);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason('24,95')).toBe('comma');
    expect(reason('1.234,56')).toBe('format');
    expect(reason('')).toBe('empty');
    expect(reason('   ')).toBe('empty');
    expect(reason('abc')).toBe('format');
    expect(reason('0x10')).toBe('format');
    expect(reason('1.2.3')).toBe('format');
    expect(reason('Infinity')).toBe('format');
    expect(reason(Number.NaN)).toBe('not-finite');
    expect(reason(Number.POSITIVE_INFINITY)).toBe('not-finite');
    expect(reason(null)).toBe('type');
    expect(reason({})).toBe('type');
    expect(reason('90071992547409.92')).toBe('range');
    expect(reason(1e21)).toBe('range');
  });

  it('accepts the largest safe value exactly', () => {
    expect(ok('90071992547409.91', 2).value).toBe(Number.MAX_SAFE_INTEGER);
    expect(ok('-90071992547409.91', 2).value).toBe(-Number.MAX_SAFE_INTEGER);
  });

  it('property: format then parse is the identity on safe integers', () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 6 }), (v, scale) => {
        const r = parseScaled(formatScaled(v, scale), scale);
        expect(r).toEqual({ ok: true, value: v, exact: true });
      }),
    );
  });

  it('property: results are always safe integers and never -0', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 4 }), (x, scale) => {
        const r = parseScaled(x, scale);
        if (!r.ok) return;
        expect(Number.isSafeInteger(r.value)).toBe(true);
        expect(Object.is(r.value, -0)).toBe(false);
      }),
    );
  });

  it('property: rounding error is at most half a unit, and exact iff nothing was dropped', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 0, max: 6 }), (units, extra) => {
        // units is the value in 10^-(2+extra); parse at scale 2.
        const text = formatScaled(Number(units), 2 + extra);
        const r = ok(text, 2);
        const back = BigInt(r.value) * 10n ** BigInt(extra);
        const diff = back - units;
        const half = 10n ** BigInt(extra);
        expect(diff * 2n <= half && diff * 2n >= -half).toBe(true);
        expect(r.exact).toBe(diff === 0n);
      }),
    );
  });

  it('property: parsing is monotonic', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: -1e9, max: 1e9 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(ok(formatScaled(lo, 4), 2).value).toBeLessThanOrEqual(ok(formatScaled(hi, 4), 2).value);
      }),
    );
  });
});

describe('divRound', () => {
  it('agrees with the definition of each rule', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), (n, d) => {
        const floor = divRound(n, d, 'floor');
        expect(floor * d <= n && (floor + 1n) * d > n).toBe(true);
        expect(divRound(n, d, 'ceil')).toBe(n % d === 0n ? floor : floor + 1n);
        const h = divRound(n, d, 'half-away-from-zero');
        expect(divRound(-n, d, 'half-away-from-zero')).toBe(-h);
        const err = h * d - n;
        expect(2n * (err < 0n ? -err : err) <= d).toBe(true);
        const e = divRound(n, d, 'half-even');
        const errE = e * d - n;
        expect(2n * (errE < 0n ? -errE : errE) <= d).toBe(true);
        if (2n * (errE < 0n ? -errE : errE) === d) expect(e % 2n).toBe(0n);
      }),
    );
  });

  it('refuses a non-positive divisor', () => {
    expect(() => divRound(1n, 0n, 'floor')).toThrow(RangeError);
  });
});

describe('formatScaled', () => {
  it('pads and signs', () => {
    expect(formatScaled(2995, 2)).toBe('29.95');
    expect(formatScaled(5, 2)).toBe('0.05');
    expect(formatScaled(-50, 2)).toBe('-0.50');
    expect(formatScaled(1200, 0)).toBe('1200');
    expect(formatScaled(1, 3)).toBe('0.001');
    expect(() => formatScaled(1.5, 2)).toThrow(RangeError);
  });
});
