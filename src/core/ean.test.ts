import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGtin, gtinCheckDigit, gtinWithProblems, isValidGtin, normalizeGtin, sameGtin, toGtin14 } from './ean.js';

// Fixed seed, so every run checks the same cases (deterministic tests); set KOPPEL_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.KOPPEL_FC_SEED ?? 20251129) });

const body = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
const gtin = fc.constantFrom(8, 12, 13, 14).chain((len) => body(len - 1).map((b) => b + String(gtinCheckDigit(b))));

describe('GTIN check digits', () => {
  it('validates known codes of every length', () => {
    expect(checkGtin('8712345678906')).toEqual({ kind: 'ok', gtin: '8712345678906', type: 'GTIN-13' });
    expect(checkGtin('96385074')).toEqual({ kind: 'ok', gtin: '96385074', type: 'GTIN-8' });
    expect(checkGtin('012345678905')).toEqual({ kind: 'ok', gtin: '012345678905', type: 'GTIN-12' });
    expect(checkGtin('10012345678902')).toEqual({ kind: 'ok', gtin: '10012345678902', type: 'GTIN-14' });
    expect(checkGtin('4006381333931')).toMatchObject({ kind: 'ok' });
  });

  it('strips spaces and keeps leading zeros', () => {
    expect(normalizeGtin(' 8 712345 678906 ')).toBe('8712345678906');
    expect(normalizeGtin('0012345678905')).toBe('0012345678905');
  });

  it('treats blank as missing and explains what is wrong otherwise', () => {
    expect(checkGtin('')).toEqual({ kind: 'missing' });
    expect(checkGtin(null)).toEqual({ kind: 'missing' });
    expect(checkGtin('8712345678907')).toEqual({ kind: 'invalid', value: '8712345678907', reason: 'its check digit is 7 but should be 6' });
    expect(checkGtin('871234567890')).toMatchObject({ reason: 'its check digit is 0 but should be 4' });
    expect(checkGtin('87123456789')).toMatchObject({ reason: 'it has 11 digits (expected 8, 12, 13 or 14)' });
    expect(checkGtin('8712-345678906')).toMatchObject({ reason: 'it contains characters other than digits' });
    expect(normalizeGtin('abc')).toBeUndefined();
  });

  it('reports BARCODE_INVALID with the record, optionally as a warning', () => {
    const r = gtinWithProblems('8712345678907', { system: 'ccv', record: 'CCV product 555' });
    expect(r.gtin).toBeNull();
    expect(r.problems[0]?.message).toBe('barcode "8712345678907" of CCV product 555 is not a valid EAN: its check digit is 7 but should be 6');
    expect(r.problems[0]?.severity).toBe('error');
    expect(gtinWithProblems('1', { system: 'ccv', severity: 'warning' }).problems[0]?.severity).toBe('warning');
    expect(gtinWithProblems('', { system: 'ccv' })).toEqual({ gtin: null, problems: [] });
  });

  it('compares UPC-A with its EAN-13 form', () => {
    expect(sameGtin('012345678905', '0012345678905')).toBe(true);
    expect(sameGtin('012345678905', '8712345678906')).toBe(false);
    expect(toGtin14('96385074')).toBe('00000096385074');
  });

  it('property: appending the computed check digit always validates', () => {
    fc.assert(
      fc.property(gtin, (g) => {
        expect(isValidGtin(g)).toBe(true);
      }),
    );
  });

  it('property: changing any single digit is detected', () => {
    fc.assert(
      fc.property(gtin, fc.nat(), fc.integer({ min: 1, max: 9 }), (g, pos, delta) => {
        const i = pos % g.length;
        const changed = g.slice(0, i) + String((Number(g[i]) + delta) % 10) + g.slice(i + 1);
        expect(isValidGtin(changed)).toBe(false);
      }),
    );
  });

  it('property: swapping adjacent digits is detected unless they differ by 5 (a known mod-10 blind spot)', () => {
    fc.assert(
      fc.property(gtin, fc.nat(), (g, pos) => {
        const i = pos % (g.length - 1);
        const a = Number(g[i]);
        const b = Number(g[i + 1]);
        fc.pre(a !== b && Math.abs(a - b) !== 5);
        const swapped = g.slice(0, i) + g[i + 1] + g[i] + g.slice(i + 2);
        expect(isValidGtin(swapped)).toBe(false);
      }),
    );
  });

  it('property: spaces anywhere do not change the result', () => {
    fc.assert(
      fc.property(gtin, fc.array(fc.nat(), { maxLength: 4 }), (g, positions) => {
        let spaced = g;
        for (const p of positions) {
          const i = p % (spaced.length + 1);
          spaced = `${spaced.slice(0, i)} ${spaced.slice(i)}`;
        }
        expect(normalizeGtin(spaced)).toBe(g);
      }),
    );
  });
});
