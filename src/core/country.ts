/**
 * Countries: turn what CCV delivers (`country` as a full name in Dutch or English such as
 * "Nederland", "Duitsland", "België", "Netherlands", and/or `country_code`) into an ISO 3166-1
 * alpha-2 code, and back into a name.
 *
 * No hand-written country table: the set of codes and the reverse name index are built once from
 * `Intl.DisplayNames` (region names in nl and en, long/short/narrow styles) by asking for every
 * two-letter code AA–ZZ. Deprecated codes are folded onto their successors by ICU's canonical
 * form ("UK" → GB). Kept out of the set: groupings and pseudo-regions (EU, EZ, UN, QO, XA, XB, ZZ)
 * and exceptionally reserved codes that Shopify does not accept (CP, CQ, DG, EA, IC).
 * A short alias list adds common names Intl lacks ("Holland", "Engeland", "USA", older English
 * names like "Turkey" that newer ICU versions renamed).
 *
 * Names are matched ignoring case, accents, punctuation and a leading "the"; "België", "Belgie" and
 * "BELGIË" are the same.
 */
import { koppelError, problem, problemToError, type Problem, type ProblemLocation } from './codes.js';

/** ISO 3166-1 alpha-2, upper case. */
export type CountryCode = string;

export const EXCLUDED_REGION_CODES: readonly string[] = ['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ', 'CP', 'CQ', 'DG', 'EA', 'IC'];

/** Names people and systems use that Intl does not give (or no longer gives) for a code. */
export const COUNTRY_ALIASES: Readonly<Record<string, CountryCode>> = {
  holland: 'NL',
  'nederland nl': 'NL',
  'the netherlands': 'NL',
  engeland: 'GB',
  england: 'GB',
  'great britain': 'GB',
  'groot brittannie': 'GB',
  schotland: 'GB',
  scotland: 'GB',
  wales: 'GB',
  usa: 'US',
  amerika: 'US',
  america: 'US',
  'united states of america': 'US',
  'verenigde staten van amerika': 'US',
  deutschland: 'DE',
  belgique: 'BE',
  belgien: 'BE',
  turkey: 'TR',
  'czech republic': 'CZ',
  'tsjechische republiek': 'CZ',
  macedonia: 'MK',
  swaziland: 'SZ',
  'ivory coast': 'CI',
};

interface Index {
  codes: ReadonlySet<CountryCode>;
  byName: ReadonlyMap<string, CountryCode>;
}

let index: Index | undefined;

/** Lookup key for a name: no accents, no case, no punctuation, single spaces, no leading "the". */
export function countryNameKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' en ')
    .replace(/[.'’‘"()]/g, '')
    .replace(/[-_,\s]+/g, ' ')
    .trim()
    .replace(/^the /, '');
}

function canonicalRegion(code: string): string | undefined {
  try {
    const tag = Intl.getCanonicalLocales(`und-${code}`)[0];
    const region = tag?.slice(4);
    return region && /^[A-Z]{2}$/.test(region) ? region : undefined;
  } catch {
    return undefined;
  }
}

function buildIndex(): Index {
  const excluded = new Set(EXCLUDED_REGION_CODES);
  const en = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const codes = new Set<CountryCode>();
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (excluded.has(code) || en.of(code) === undefined || canonicalRegion(code) !== code) continue;
      codes.add(code);
    }
  }
  const byName = new Map<string, CountryCode>();
  const ambiguous = new Set<string>();
  for (const locale of ['nl', 'en']) {
    for (const style of ['long', 'short', 'narrow'] as const) {
      const names = new Intl.DisplayNames([locale], { type: 'region', style, fallback: 'none' });
      for (const code of codes) {
        const name = names.of(code);
        if (name === undefined) continue;
        const key = countryNameKey(name);
        const prev = byName.get(key);
        if (prev !== undefined && prev !== code) ambiguous.add(key);
        else byName.set(key, code);
      }
    }
  }
  for (const key of ambiguous) byName.delete(key);
  for (const [alias, code] of Object.entries(COUNTRY_ALIASES)) if (!byName.has(alias)) byName.set(alias, code);
  return { codes, byName };
}

function getIndex(): Index {
  index ??= buildIndex();
  return index;
}

/** All country codes Koppel accepts. */
export function countryCodes(): ReadonlySet<CountryCode> {
  return getIndex().codes;
}

/** "nl", " NL ", "uk" → "NL", "NL", "GB"; undefined when not a country code. */
export function normalizeCountryCode(input: unknown): CountryCode | undefined {
  if (typeof input !== 'string') return undefined;
  const raw = input.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(raw)) return undefined;
  const code = canonicalRegion(raw);
  return code !== undefined && getIndex().codes.has(code) ? code : undefined;
}

/** "Nederland", "Duitsland", "België", "Netherlands", "Holland" → code; undefined when unknown. */
export function countryFromName(name: unknown): CountryCode | undefined {
  if (typeof name !== 'string') return undefined;
  const key = countryNameKey(name);
  if (key === '') return undefined;
  return getIndex().byName.get(key) ?? normalizeCountryCode(name);
}

/** The country's name in `locale` ("Nederland" for NL in nl). */
export function countryName(code: CountryCode, locale = 'nl'): string {
  const c = normalizeCountryCode(code);
  if (c === undefined) throw koppelError('COUNTRY_UNKNOWN', { value: String(code), field: 'country code' });
  return new Intl.DisplayNames([locale], { type: 'region' }).of(c) ?? c;
}

export interface CountryInput {
  /** Full name as CCV delivers it (`country`). */
  country?: string | null | undefined;
  /** ISO code as CCV delivers it (`country_code`). */
  countryCode?: string | null | undefined;
}

export interface ResolveCountryOptions extends ProblemLocation {
  /** Used when neither a name nor a code is present (e.g. the shop's own country). */
  defaultCountry?: CountryCode;
}

export type CountryResult = { ok: true; code: CountryCode; problems: Problem[] } | { ok: false; problem: Problem };

const blank = (s: string | null | undefined): s is null | undefined => s === null || s === undefined || s.trim() === '';

/**
 * Resolve a name and/or code to an ISO code. The code wins when both are valid but disagree
 * (with a COUNTRY_CONFLICT warning); a valid name rescues an invalid code; nothing usable gives
 * COUNTRY_UNKNOWN naming the value.
 */
export function resolveCountry(input: CountryInput, opts: ResolveCountryOptions = {}): CountryResult {
  const field = opts.field ?? 'address';
  const at = { ...opts, field };
  const fromCode = blank(input.countryCode) ? undefined : normalizeCountryCode(input.countryCode);
  const fromName = blank(input.country) ? undefined : countryFromName(input.country);
  if (fromCode !== undefined) {
    const problems: Problem[] = [];
    if (fromName !== undefined && fromName !== fromCode) {
      problems.push(problem('COUNTRY_CONFLICT', { name: String(input.country), code: fromCode, nameCode: fromName, field }, at));
    }
    return { ok: true, code: fromCode, problems };
  }
  if (fromName !== undefined) return { ok: true, code: fromName, problems: [] };
  if (blank(input.country) && blank(input.countryCode)) {
    const fallback = opts.defaultCountry === undefined ? undefined : normalizeCountryCode(opts.defaultCountry);
    if (fallback !== undefined) return { ok: true, code: fallback, problems: [] };
    return { ok: false, problem: problem('COUNTRY_UNKNOWN', { value: '', field }, at) };
  }
  const value = blank(input.country) ? String(input.countryCode) : String(input.country);
  return { ok: false, problem: problem('COUNTRY_UNKNOWN', { value: value.trim().slice(0, 60), field }, at) };
}

/** Like resolveCountry, but throws COUNTRY_UNKNOWN. */
export function resolveCountryCode(input: CountryInput, opts: ResolveCountryOptions = {}): CountryCode {
  const r = resolveCountry(input, opts);
  if (!r.ok) throw problemToError(r.problem);
  return r.code;
}
