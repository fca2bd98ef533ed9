import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePhone, phoneWithProblems } from './phone.js';

// Fixed seed, so every run checks the same cases (deterministic tests); set KOPPEL_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.KOPPEL_FC_SEED ?? 20251129) });

describe('normalizePhone', () => {
  it.each([
    ['0612345678', '+31612345678'],
    ['06-12345678', '+31612345678'],
    ['06 1234 5678', '+31612345678'],
    ['+31 (0)6 1234 5678', '+31612345678'],
    ['0031 6 12345678', '+31612345678'],
    ['+31612345678', '+31612345678'],
    ['020-1234567', '+31201234567'],
    ['(030) 123 45 67', '+31301234567'],
    ['+49 30 1234567', '+49301234567'],
  ])('%s → %s', (input, e164) => {
    expect(normalizePhone(input)).toBe(e164);
  });

  it('uses the default country for national numbers', () => {
    expect(normalizePhone('0470 12 34 56', 'BE')).toBe('+32470123456');
    expect(normalizePhone('030 1234567', 'DE')).toBe('+49301234567');
    expect(normalizePhone('0612345678', 'US')).toBeUndefined();
  });

  it('refuses what is not a phone number', () => {
    for (const bad of ['abc', '12345', '+31 6 1234', '+31 6 123456789', '612345678', '+0123456789', 'tel: 0612345678']) {
      expect(normalizePhone(bad)).toBeUndefined();
    }
    expect(normalizePhone('')).toBeNull();
    expect(normalizePhone(null)).toBeNull();
    expect(normalizePhone(612345678)).toBeUndefined();
  });

  it('reports a masked PHONE_INVALID warning', () => {
    const r = phoneWithProblems('06-1234', 'NL', { record: 'CCV customer 777', field: 'billing address phone' });
    expect(r.phone).toBeNull();
    expect(r.problems[0]).toMatchObject({ code: 'PHONE_INVALID', severity: 'warning' });
    expect(r.problems[0]?.message).not.toContain('1234');
  });

  it('property: Dutch mobile numbers in any common notation give the same E.164', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{8}$/), fc.constantFrom('06', '06-', '06 ', '+316', '+31 6 ', '+31 (0)6 ', '00316'), (rest, prefix) => {
        expect(normalizePhone(prefix + rest)).toBe(`+316${rest}`);
      }),
    );
  });

  it('property: output is always "+" and 8–15 digits, and normalising again changes nothing', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9+ ()\-.]{0,20}$/), (s) => {
        const p = normalizePhone(s);
        if (typeof p !== 'string') return;
        expect(p).toMatch(/^\+[1-9]\d{7,14}$/);
        expect(normalizePhone(p)).toBe(p);
      }),
    );
  });
});
