import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinStreet, normalizeDutchPostcode, normalizePostcode, splitStreet } from './address.js';

// Fixed seed, so every run checks the same cases (deterministic tests); set KOPPEL_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.KOPPEL_FC_SEED ?? 20251129) });

describe('splitStreet', () => {
  it.each([
    ['Kerkstraat 12-A', 'Kerkstraat', 12, 'A'],
    ['Kerkstraat 12A', 'Kerkstraat', 12, 'A'],
    ['Kerkstraat 12 A', 'Kerkstraat', 12, 'A'],
    ['Kerkstraat 12', 'Kerkstraat', 12, ''],
    ['Laan 3 bis', 'Laan', 3, 'bis'],
    ['Hoofdweg 100-2', 'Hoofdweg', 100, '2'],
    ['Dorpsstraat 5 hs', 'Dorpsstraat', 5, 'hs'],
    ['Kade 7/III', 'Kade', 7, 'III'],
    ['2e Hugo de Grootstraat 5', '2e Hugo de Grootstraat', 5, ''],
    ['Plein 1940 12', 'Plein 1940', 12, ''],
    ['Van Baerlestraat, 27', 'Van Baerlestraat', 27, ''],
    ['  Kerkstraat   12-A ', 'Kerkstraat', 12, 'A'],
    ['12 High Street', 'High Street', 12, ''],
    ['Postbus 1234', 'Postbus', 1234, ''],
  ])('%s', (line, street, houseNumber, suffix) => {
    expect(splitStreet(line)).toEqual({ street, houseNumber, suffix });
  });

  it('keeps a line without a house number as the street', () => {
    expect(splitStreet('Kerkstraat')).toEqual({ street: 'Kerkstraat', houseNumber: null, suffix: '' });
    expect(splitStreet('')).toEqual({ street: '', houseNumber: null, suffix: '' });
  });
});

describe('joinStreet', () => {
  it('writes Dutch house numbers the usual way', () => {
    expect(joinStreet({ street: 'Kerkstraat', houseNumber: 12, suffix: 'A' })).toBe('Kerkstraat 12A');
    expect(joinStreet({ street: 'Laan', houseNumber: 3, suffix: 'bis' })).toBe('Laan 3 bis');
    expect(joinStreet({ street: 'Hoofdweg', houseNumber: 100, suffix: '2' })).toBe('Hoofdweg 100-2');
    expect(joinStreet({ street: 'Kerkstraat', houseNumber: 1, suffix: '-A' })).toBe('Kerkstraat 1A');
    expect(joinStreet({ street: 'Kerkstraat', houseNumber: 1, suffix: null })).toBe('Kerkstraat 1');
    expect(joinStreet({ street: 'Kerkstraat', houseNumber: null })).toBe('Kerkstraat');
  });

  it('property: split(join(parts)) gives the parts back', () => {
    const word = fc.stringMatching(/^[A-Z][a-zé]{1,12}$/);
    const street = fc.oneof(
      word,
      fc.tuple(word, word).map(([a, b]) => `${a} ${b}`),
      fc.tuple(fc.integer({ min: 1, max: 3 }), word).map(([n, w]) => `${n}e ${w}`),
      fc.tuple(word, fc.integer({ min: 1, max: 2000 })).map(([w, n]) => `${w} ${n}`),
    );
    const suffix = fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Z]$/), fc.constantFrom('bis', 'hs', 'III', 'rd'), fc.integer({ min: 1, max: 99 }).map(String));
    fc.assert(
      fc.property(street, fc.integer({ min: 1, max: 99999 }), suffix, (s, n, x) => {
        expect(splitStreet(joinStreet({ street: s, houseNumber: n, suffix: x }))).toEqual({ street: s, houseNumber: n, suffix: x });
      }),
    );
  });
});

describe('postcodes', () => {
  it('normalises Dutch postcodes', () => {
    expect(normalizeDutchPostcode('1234ab')).toBe('1234 AB');
    expect(normalizeDutchPostcode(' 1234  AB ')).toBe('1234 AB');
    expect(normalizeDutchPostcode('')).toBeNull();
    expect(normalizeDutchPostcode('0123 AB')).toBeUndefined();
    expect(normalizeDutchPostcode('1234 SS')).toBeUndefined();
    expect(normalizeDutchPostcode('12345')).toBeUndefined();
  });

  it('property: every valid Dutch postcode normalises to "9999 XX" whatever its spacing and case', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 9999 }), fc.stringMatching(/^[A-Za-z]{2}$/), fc.constantFrom('', ' ', '  '), (n, l, sp) => {
        fc.pre(!['SA', 'SD', 'SS'].includes(l.toUpperCase()));
        expect(normalizeDutchPostcode(`${n}${sp}${l}`)).toBe(`${n} ${l.toUpperCase()}`);
      }),
    );
  });

  it('passes invalid postcodes on with a masked warning', () => {
    expect(normalizePostcode('1234ab', 'NL')).toEqual({ postcode: '1234 AB', problems: [] });
    const bad = normalizePostcode('123 AB', 'NL', { record: 'CCV order 1', field: 'shipping address' });
    expect(bad.postcode).toBe('123 AB');
    expect(bad.problems[0]).toMatchObject({ code: 'POSTCODE_INVALID', severity: 'warning' });
    expect(bad.problems[0]?.message).toBe('postcode 12* ** in shipping address of CCV order 1 is not a valid NL postcode');
    expect(normalizePostcode('1000', 'BE').problems).toEqual([]);
    expect(normalizePostcode('1000 A', 'BE').problems).toHaveLength(1);
    expect(normalizePostcode('sw1a 1aa', 'GB')).toEqual({ postcode: 'SW1A 1AA', problems: [] });
    expect(normalizePostcode(null, 'NL')).toEqual({ postcode: null, problems: [] });
  });
});
