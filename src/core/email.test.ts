import { describe, expect, it } from 'vitest';
import { isValidEmail, normalizeEmail } from './email.js';

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
});
