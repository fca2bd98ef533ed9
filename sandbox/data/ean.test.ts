import { describe, expect, it } from 'vitest';
import { breakCheckDigit, ean13, gtinCheckDigit, isValidGtin } from './ean.js';

describe('GTIN check digits', () => {
  it('computes the check digit of known barcodes', () => {
    // Published GS1 examples and everyday barcodes.
    expect(gtinCheckDigit('871234567890')).toBe(6);
    expect(ean13('400638133393')).toBe('4006381333931');
    expect(isValidGtin('4006381333931')).toBe(true);
    expect(isValidGtin('96385074')).toBe(true);
    expect(isValidGtin('036000291452')).toBe(true);
  });

  it('rejects wrong check digits and malformed codes', () => {
    expect(isValidGtin('4006381333932')).toBe(false);
    expect(isValidGtin('40063813339')).toBe(false);
    expect(isValidGtin('400638133393A')).toBe(false);
  });

  it('breakCheckDigit always yields an invalid code', () => {
    for (let i = 0; i < 200; i++) {
      const code = ean13(String(871000000000 + i * 37));
      expect(isValidGtin(code)).toBe(true);
      expect(isValidGtin(breakCheckDigit(code))).toBe(false);
    }
  });
});
