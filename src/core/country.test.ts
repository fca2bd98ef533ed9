import { describe, expect, it } from 'vitest';
import { KoppelError } from './errors.js';
import { countryCodes, countryFromName, countryName, countryNameKey, normalizeCountryCode, resolveCountry, resolveCountryCode } from './country.js';

describe('country names and codes', () => {
  it('resolves Dutch and English names as CCV delivers them', () => {
    expect(countryFromName('Nederland')).toBe('NL');
    expect(countryFromName('Duitsland')).toBe('DE');
    expect(countryFromName('België')).toBe('BE');
    expect(countryFromName('Belgie')).toBe('BE');
    expect(countryFromName('BELGIË')).toBe('BE');
    expect(countryFromName('Netherlands')).toBe('NL');
    expect(countryFromName('The Netherlands')).toBe('NL');
    expect(countryFromName('Germany')).toBe('DE');
    expect(countryFromName('Frankrijk')).toBe('FR');
    expect(countryFromName('Verenigd Koninkrijk')).toBe('GB');
    expect(countryFromName('United Kingdom')).toBe('GB');
    expect(countryFromName('Curaçao')).toBe('CW');
    expect(countryFromName('Oostenrijk')).toBe('AT');
    expect(countryFromName('  spanje ')).toBe('ES');
  });

  it('knows the common aliases', () => {
    expect(countryFromName('Holland')).toBe('NL');
    expect(countryFromName('Engeland')).toBe('GB');
    expect(countryFromName('USA')).toBe('US');
    expect(countryFromName('Turkey')).toBe('TR');
    expect(countryFromName('Deutschland')).toBe('DE');
  });

  it('accepts codes given in the name field', () => {
    expect(countryFromName('NL')).toBe('NL');
    expect(countryFromName('de')).toBe('DE');
  });

  it('normalises codes, folding deprecated ones and refusing non-countries', () => {
    expect(normalizeCountryCode(' nl ')).toBe('NL');
    expect(normalizeCountryCode('UK')).toBe('GB');
    expect(normalizeCountryCode('EU')).toBeUndefined();
    expect(normalizeCountryCode('ZZ')).toBeUndefined();
    expect(normalizeCountryCode('XX')).toBeUndefined();
    expect(normalizeCountryCode('NLD')).toBeUndefined();
    expect(normalizeCountryCode(31)).toBeUndefined();
  });

  it('builds a set of roughly all ISO countries from Intl, without groupings', () => {
    const codes = countryCodes();
    expect(codes.size).toBeGreaterThan(240);
    expect(codes.size).toBeLessThan(260);
    for (const c of ['NL', 'BE', 'DE', 'FR', 'GB', 'US', 'CW', 'SX', 'BQ', 'AW', 'SR', 'XK']) expect(codes.has(c)).toBe(true);
    for (const c of ['EU', 'UN', 'ZZ', 'UK', 'QO']) expect(codes.has(c)).toBe(false);
  });

  it('maps every code back from its own Dutch and English name', () => {
    for (const code of countryCodes()) {
      expect(countryFromName(countryName(code, 'nl'))).toBe(code);
      expect(countryFromName(countryName(code, 'en'))).toBe(code);
    }
  });

  it('gives names for CCV writes', () => {
    expect(countryName('NL')).toBe('Nederland');
    expect(countryName('DE', 'en')).toBe('Germany');
    expect(() => countryName('XX')).toThrow(KoppelError);
  });

  it('ignores accents, case and punctuation in keys', () => {
    expect(countryNameKey("Côte d’Ivoire")).toBe('cote divoire');
    expect(countryNameKey('Bosnia & Herzegovina')).toBe('bosnia en herzegovina');
  });
});

describe('resolveCountry', () => {
  it('uses the code, the name, or both', () => {
    expect(resolveCountry({ country: 'Nederland', countryCode: 'NL' })).toEqual({ ok: true, code: 'NL', problems: [] });
    expect(resolveCountry({ country: 'Duitsland' })).toEqual({ ok: true, code: 'DE', problems: [] });
    expect(resolveCountry({ countryCode: 'be' })).toEqual({ ok: true, code: 'BE', problems: [] });
    expect(resolveCountry({ country: 'België', countryCode: 'XX' })).toEqual({ ok: true, code: 'BE', problems: [] });
  });

  it('prefers the code when name and code disagree, with a warning', () => {
    const r = resolveCountry({ country: 'Duitsland', countryCode: 'NL' }, { record: 'CCV customer 777', field: 'billing address' });
    expect(r.ok && r.code).toBe('NL');
    expect(r.ok && r.problems[0]?.code).toBe('COUNTRY_CONFLICT');
    expect(r.ok && r.problems[0]?.severity).toBe('warning');
  });

  it('reports an unknown country naming the value and the fix', () => {
    const r = resolveCountry({ country: 'Nederlandt' }, { record: 'CCV customer 777', field: 'billing address' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.code).toBe('COUNTRY_UNKNOWN');
      expect(r.problem.message).toBe('country "Nederlandt" in billing address of CCV customer 777 is not a country Koppel recognises');
      expect(r.problem.hint).toMatch(/Nederland, Duitsland, België/);
    }
    const e = (() => {
      try {
        resolveCountryCode({ countryCode: 'QQ' });
      } catch (err) {
        return err as KoppelError;
      }
      return undefined;
    })();
    expect(e?.code).toBe('COUNTRY_UNKNOWN');
    expect(e?.message).toContain('"QQ"');
  });

  it('falls back to a default country only when both are empty', () => {
    expect(resolveCountry({ country: '', countryCode: null }, { defaultCountry: 'NL' })).toEqual({ ok: true, code: 'NL', problems: [] });
    expect(resolveCountry({}).ok).toBe(false);
    expect(resolveCountry({ country: 'Atlantis' }, { defaultCountry: 'NL' }).ok).toBe(false);
  });
});
