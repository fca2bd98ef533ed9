/**
 * Dutch address helpers: CCV stores `street`, `housenumber` (an integer) and
 * `housenumber_suffix` separately; Shopify has one `address1` line. These helpers convert between
 * the two and normalise postcodes.
 *
 * Splitting reads the **last** number in the line as the house number, so street names that
 * contain numbers survive ("2e Hugo de Grootstraat 5", "Plein 1940 12"). What follows the number is
 * the suffix: "12-A", "12A", "12 A" → A; "3 bis" → bis; "100-2" → 2; "5 hs" → hs. A line with no
 * number at the end is tried number-first ("12 High Street"); otherwise the house number is null.
 */
import { problem, type Problem, type ProblemLocation } from './codes.js';
import { maskPostcode } from './privacy.js';

export interface StreetParts {
  street: string;
  houseNumber: number | null;
  /** "" when there is none. */
  suffix: string;
}

const NUMBER_LAST_RE = /^(.*\S)[\s,]+(\d{1,6})(?:\s*[-/]?\s*([\p{L}\d]{1,6}(?:[\s-][\p{L}\d]{1,6})?))?\s*$/u;
const NUMBER_FIRST_RE = /^(\d{1,6})\s*([\p{L}]{0,2})[\s,]+(\p{L}.*)$/u;

/** "Kerkstraat 12-A" → { street: "Kerkstraat", houseNumber: 12, suffix: "A" }. */
export function splitStreet(address1: string): StreetParts {
  const line = address1.trim().replace(/\s+/gu, ' ');
  const last = NUMBER_LAST_RE.exec(line);
  if (last) {
    const street = (last[1] ?? '').replace(/[\s,]+$/, '');
    return { street, houseNumber: Number(last[2]), suffix: last[3] ?? '' };
  }
  const first = NUMBER_FIRST_RE.exec(line);
  if (first) return { street: first[3] ?? '', houseNumber: Number(first[1]), suffix: first[2] ?? '' };
  return { street: line, houseNumber: null, suffix: '' };
}

/**
 * { street: "Kerkstraat", houseNumber: 12, suffix: "A" } → "Kerkstraat 12A". A single-letter
 * suffix is attached ("12A"), a numeric one joined with a dash ("100-2"), a word with a space
 * ("3 bis"). `splitStreet(joinStreet(p))` gives `p` back.
 */
export function joinStreet(parts: { street: string; houseNumber: number | null; suffix?: string | null }): string {
  const street = parts.street.trim().replace(/\s+/gu, ' ');
  if (parts.houseNumber === null) return street;
  const suffix = (parts.suffix ?? '').trim().replace(/^[-/\s]+/, '');
  let number = String(parts.houseNumber);
  if (suffix !== '') {
    if (/^\d/.test(suffix)) number += `-${suffix}`;
    else if (/^\p{L}$/u.test(suffix)) number += suffix;
    else number += ` ${suffix}`;
  }
  return street === '' ? number : `${street} ${number}`;
}

const NL_POSTCODE_RE = /^([1-9]\d{3})\s*([A-Za-z]{2})$/;

/**
 * "1234ab", " 1234 AB " → "1234 AB". Returns null for blank input and undefined when the value is
 * not a Dutch postcode (4 digits not starting with 0, then 2 letters other than SA, SD, SS).
 */
export function normalizeDutchPostcode(raw: unknown): string | null | undefined {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim();
  if (s === '') return null;
  const m = NL_POSTCODE_RE.exec(s);
  if (!m) return undefined;
  const letters = (m[2] ?? '').toUpperCase();
  if (letters === 'SA' || letters === 'SD' || letters === 'SS') return undefined;
  return `${m[1]} ${letters}`;
}

const POSTCODE_RULES: Readonly<Record<string, RegExp>> = {
  BE: /^\d{4}$/,
  DE: /^\d{5}$/,
  FR: /^\d{5}$/,
  LU: /^(?:L-?)?\d{4}$/i,
  AT: /^\d{4}$/,
  DK: /^\d{4}$/,
};

/**
 * Normalise a postcode for its country: NL as above; elsewhere trim, upper-case and single
 * spaces, checking the simple digit formats of BE, DE, FR, LU, AT and DK. Invalid postcodes are
 * passed on unchanged with a POSTCODE_INVALID warning (a wrong postcode should not block an order).
 */
export function normalizePostcode(raw: string | null | undefined, country: string, at: ProblemLocation = {}): { postcode: string | null; problems: Problem[] } {
  if (raw === null || raw === undefined || raw.trim() === '') return { postcode: null, problems: [] };
  const tidy = raw.trim().replace(/\s+/g, ' ').toUpperCase();
  const field = at.field ?? 'address';
  const warn = () => [problem('POSTCODE_INVALID', { value: maskPostcode(tidy), country, field }, { ...at, field })];
  if (country === 'NL') {
    const nl = normalizeDutchPostcode(raw);
    return nl ? { postcode: nl, problems: [] } : { postcode: tidy, problems: warn() };
  }
  const rule = POSTCODE_RULES[country];
  if (rule && !rule.test(tidy)) return { postcode: tidy, problems: warn() };
  return { postcode: tidy, problems: [] };
}
