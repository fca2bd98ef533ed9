/**
 * Phone numbers to E.164 ("+31612345678"), the format Shopify requires for customer and address
 * phones. CCV stores whatever the customer typed ("06-12345678", "+31 (0)6 1234 5678",
 * "0031 6 12345678").
 *
 * Rules: formatting characters (spaces, dashes, dots, brackets, slashes) are dropped, and so is a
 * "(0)" after a country code; "00" becomes "+"; a national number starting with a single "0" gets
 * the calling code of the default country (only for countries whose trunk prefix is 0, listed in
 * CALLING_CODES). The result must have 8–15 digits (E.164); Dutch numbers exactly 9 after +31.
 * This is a sanity check, not a full numbering-plan validation.
 */
import { problem, type Problem, type ProblemLocation } from './codes.js';
import { maskPhone } from './privacy.js';

/** Calling codes of countries with trunk prefix 0 that a Dutch shop commonly delivers to. */
export const CALLING_CODES: Readonly<Record<string, string>> = {
  NL: '31',
  BE: '32',
  DE: '49',
  FR: '33',
  LU: '352',
  GB: '44',
  AT: '43',
  CH: '41',
  SE: '46',
  FI: '358',
  PL: '48',
  CW: '5999',
  AW: '297',
  SR: '597',
};

/** E.164 form, or undefined when the input cannot be read as a phone number. Blank → null. */
export function normalizePhone(raw: unknown, defaultCountry = 'NL'): string | null | undefined {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'string') return undefined;
  let s = raw.trim();
  if (s === '') return null;
  s = s.replace(/^(\+\d{1,4})\s*\(0\)/, '$1').replace(/[\s\-./()]/g, '');
  let digits: string;
  if (s.startsWith('+')) digits = s.slice(1);
  else if (s.startsWith('00')) digits = s.slice(2);
  else if (/^0[1-9]/.test(s)) {
    const cc = CALLING_CODES[defaultCountry];
    if (cc === undefined) return undefined;
    digits = cc + s.slice(1);
  } else return undefined;
  if (!/^[1-9]\d{7,14}$/.test(digits)) return undefined;
  if (digits.startsWith('31') && digits.length !== 11) return undefined;
  return `+${digits}`;
}

/** Normalise and report: the E.164 number (or null) plus a PHONE_INVALID warning with a masked value. */
export function phoneWithProblems(raw: unknown, defaultCountry: string, at: ProblemLocation = {}): { phone: string | null; problems: Problem[] } {
  const p = normalizePhone(raw, defaultCountry);
  if (p !== undefined) return { phone: p, problems: [] };
  const field = at.field ?? 'phone';
  return { phone: null, problems: [problem('PHONE_INVALID', { masked: maskPhone(String(raw)), field }, { ...at, field })] };
}
