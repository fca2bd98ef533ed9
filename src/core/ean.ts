/**
 * EAN / UPC / GTIN barcodes: check-digit validation and normalisation.
 *
 * Accepted: GTIN-8 (EAN-8), GTIN-12 (UPC-A), GTIN-13 (EAN-13) and GTIN-14, digits only, after
 * removing whitespace ("8 712345 678906" → "8712345678906"). Leading zeros are kept: they are
 * part of the code, and UPC-A "012345678905" stays 12 digits. To compare codes of different
 * lengths that denote the same item (UPC-A vs its EAN-13 form), use `sameGtin`.
 *
 * The check digit is the GS1 mod-10 digit: weights 3 and 1 alternate from the right, starting
 * with 3 next to the check digit.
 */
import { problem, type Problem, type ProblemLocation } from './codes.js';
import type { SystemName } from './record.js';

export type GtinType = 'GTIN-8' | 'GTIN-12' | 'GTIN-13' | 'GTIN-14';

const TYPES: Readonly<Record<number, GtinType>> = { 8: 'GTIN-8', 12: 'GTIN-12', 13: 'GTIN-13', 14: 'GTIN-14' };

export type GtinCheck =
  | { kind: 'ok'; gtin: string; type: GtinType }
  | { kind: 'missing' }
  | { kind: 'invalid'; value: string; reason: string };

/** GS1 check digit for the digits before it (any length). */
export function gtinCheckDigit(body: string): number {
  if (!/^\d*$/.test(body)) throw new RangeError('gtinCheckDigit: body must be digits');
  let sum = 0;
  for (let i = body.length - 1, w = 3; i >= 0; i--, w = 4 - w) sum += (body.charCodeAt(i) - 48) * w;
  return (10 - (sum % 10)) % 10;
}

/** Validate and normalise a barcode. Empty/blank is `missing`, not invalid. */
export function checkGtin(raw: unknown): GtinCheck {
  if (raw === null || raw === undefined) return { kind: 'missing' };
  let text: string;
  if (typeof raw === 'string') text = raw;
  else if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) text = String(raw);
  else return { kind: 'invalid', value: String(raw), reason: 'it is not text' };
  const value = text.replace(/\s+/gu, '');
  if (value === '') return { kind: 'missing' };
  if (!/^\d+$/.test(value)) return { kind: 'invalid', value, reason: 'it contains characters other than digits' };
  const type = TYPES[value.length];
  if (type === undefined) return { kind: 'invalid', value, reason: `it has ${value.length} digits (expected 8, 12, 13 or 14)` };
  const expected = gtinCheckDigit(value.slice(0, -1));
  const actual = Number(value.slice(-1));
  if (expected !== actual) return { kind: 'invalid', value, reason: `its check digit is ${actual} but should be ${expected}` };
  return { kind: 'ok', gtin: value, type };
}

export function isValidGtin(raw: unknown): boolean {
  return checkGtin(raw).kind === 'ok';
}

/** Normalised barcode, null when missing, undefined when invalid. */
export function normalizeGtin(raw: unknown): string | null | undefined {
  const c = checkGtin(raw);
  return c.kind === 'ok' ? c.gtin : c.kind === 'missing' ? null : undefined;
}

/** Normalise and report: the barcode (or null) plus a BARCODE_INVALID problem. */
export function gtinWithProblems(raw: unknown, opts: ProblemLocation & { system: SystemName; severity?: 'error' | 'warning' }): { gtin: string | null; problems: Problem[] } {
  const c = checkGtin(raw);
  if (c.kind === 'ok') return { gtin: c.gtin, problems: [] };
  if (c.kind === 'missing') return { gtin: null, problems: [] };
  const at = { field: opts.field ?? 'barcode', ...(opts.record === undefined ? {} : { record: opts.record }), ...(opts.severity ? { severity: opts.severity } : {}) };
  return { gtin: null, problems: [problem('BARCODE_INVALID', { value: c.value.slice(0, 40), reason: c.reason, system: opts.system }, at)] };
}

/** Zero-padded 14-digit form of a valid GTIN. */
export function toGtin14(gtin: string): string {
  return gtin.padStart(14, '0');
}

/** True when two valid GTINs denote the same item (e.g. UPC-A 012345678905 and EAN-13 0012345678905). */
export function sameGtin(a: string, b: string): boolean {
  return isValidGtin(a) && isValidGtin(b) && toGtin14(a) === toGtin14(b);
}
