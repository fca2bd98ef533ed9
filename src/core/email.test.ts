import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidEmail, normalizeEmail } from './email.js';

// Fixed seed, so every run checks the same cases (deterministic tests); set KOPPEL_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.KOPPEL_FC_SEED ?? 20251129) });

describe('e-mail', () => {
  it.each(['jan@example.nl', 'jan.jansen+shop@sub.example.co.uk', "o'brien@example.ie", 'x@xn--bcher-kva.example'])('accepts %s', (e) => {
    expect(isValidEmail(e)).toBe(true);
  });

  it.each(['', 'jan', 'jan@', '@example.nl', 'jan@example', 'jan@@example.nl', 'jan jansen@example.nl', 'jan@exa_mple.nl', 'jan@-example.nl', 'jan..j@example.nl', `${'a'.repeat(65)}@example.nl`, 'jan@example.n'])(
    'refuses %s',
    (e) => {
      expect(isValidEmail(e)).toBe(false);
    },
  );

  it('normalises for matching', () => {
    expect(normalizeEmail(' Jan.Jansen@Example.NL ')).toBe('jan.jansen@example.nl');
    expect(normalizeEmail('')).toBeNull();
    expect(normalizeEmail(null)).toBeNull();
    expect(normalizeEmail('geen')).toBeUndefined();
    expect(normalizeEmail(5)).toBeUndefined();
  });

  it('property: generated addresses are accepted, and normalising twice changes nothing', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (e) => {
        const n = normalizeEmail(e);
        if (typeof n !== 'string') throw new Error(`refused generated address ${e}`);
        expect(normalizeEmail(n)).toBe(n);
        expect(n).toBe(n.toLowerCase());
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]{1,20}(\.[a-z0-9]{1,10})?$/), fc.stringMatching(/^[a-z0-9]{1,20}$/), fc.constantFrom('nl', 'com', 'be', 'de'), (local, domain, tld) => {
        expect(isValidEmail(`${local}@${domain}.${tld}`)).toBe(true);
        expect(isValidEmail(`${local}@${domain}`)).toBe(false);
        expect(isValidEmail(`${local} @${domain}.${tld}`)).toBe(false);
      }),
    );
  });
});
