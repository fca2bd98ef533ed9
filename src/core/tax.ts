/**
 * VAT (BTW) rates and price conversion between "incl. VAT" and "ex. VAT".
 *
 * Rates are integer **basis points**: 2100 = 21 %, 900 = 9 %, 950 = 9.5 %. CCV gives rates as
 * percentages (order row `tax`: 21.0); Shopify tax lines take a fraction (`rate: 0.21`).
 *
 * Rounding rule (one rule, everywhere): convert the **unit price once**, to the currency's minor
 * unit, rounding **half away from zero**, with exact integer arithmetic; line totals are then
 * unit price × quantity. Consequences (property-tested in tax.test.ts):
 * - ex → incl → ex returns the original amount exactly, for every rate ≥ 0;
 * - incl → ex → incl comes back within 1 minor unit, for every rate up to 100 % (the highest
 *   accepted): ex prices have whole cents only, so some incl prices are reachable from no ex price
 *   (at 21 %: 1.00 → 0.83 → 1.00 is exact, but 0.14 → 0.12 → 0.15 and 0.26 → 0.21 → 0.25 are not);
 * - conversions are monotonic, integer, sign-symmetric, and never turn a non-negative price negative.
 *
 * CCV tax tariffs (`taxtariff` on a product: `normal`, `low a`, `low b`, `extra low`, `zero`) are
 * labels, not rates: the rate behind each is a shop setting. `DUTCH_TAX_TARIFFS` gives the
 * defaults for a Dutch shop and is meant to be overridden from the Koppel settings:
 *   normal → 21 %   (algemeen tarief)
 *   low a  → 9 %    (verlaagd tarief)
 *   low b  → 9 %    (CCV's second reduced slot; the Netherlands has one reduced rate)
 *   zero   → 0 %
 *   extra low → not mapped (the Netherlands has no super-reduced rate); a product using it is
 *               quarantined with TAX_TARIFF_UNMAPPED until a rate is configured.
 */
import { koppelError, problem, problemToError, type Problem, type ProblemLocation } from './codes.js';
import { describeDecimalFailure, divRound, formatScaled, parseScaled, type Rounding } from './decimal.js';
import type { Money } from './money.js';

/** Integer VAT rate in hundredths of a percent: 2100 = 21 %. */
export type BasisPoints = number;

export const VAT_ROUNDING: Rounding = 'half-away-from-zero';
/** 100 % — the highest rate Koppel accepts. */
export const MAX_RATE_BP: BasisPoints = 10_000;

export type TaxRateResult = { ok: true; rateBp: BasisPoints } | { ok: false; problem: Problem };

function rateProblem(input: unknown, reason: string, at: ProblemLocation): TaxRateResult {
  return { ok: false, problem: problem('TAX_RATE_INVALID', { value: typeof input === 'string' ? JSON.stringify(input) : String(input), reason }, at) };
}

function checkRate(input: unknown, bp: number, exact: boolean, at: ProblemLocation): TaxRateResult {
  if (!exact) return rateProblem(input, 'it has more precision than 0.01 percent', at);
  if (bp < 0) return rateProblem(input, 'it is negative', at);
  if (bp > MAX_RATE_BP) return rateProblem(input, 'it is above 100 percent', at);
  return { ok: true, rateBp: bp };
}

/** "21", 21, 9.5 → 2100, 2100, 950. Percentages with more than 2 decimals are refused, not rounded. */
export function tryParseRatePercent(input: unknown, at: ProblemLocation = {}): TaxRateResult {
  const r = parseScaled(input, 2);
  if (!r.ok) return rateProblem(input, describeDecimalFailure(r.reason), at);
  return checkRate(input, r.value, r.exact, at);
}

/** Shopify-style fraction "0.21" → 2100. */
export function tryParseRateFraction(input: unknown, at: ProblemLocation = {}): TaxRateResult {
  const r = parseScaled(input, 4);
  if (!r.ok) return rateProblem(input, describeDecimalFailure(r.reason), at);
  return checkRate(input, r.value, r.exact, at);
}

export function parseRatePercent(input: unknown, at: ProblemLocation = {}): BasisPoints {
  const r = tryParseRatePercent(input, at);
  if (!r.ok) throw problemToError(r.problem);
  return r.rateBp;
}

export function parseRateFraction(input: unknown, at: ProblemLocation = {}): BasisPoints {
  const r = tryParseRateFraction(input, at);
  if (!r.ok) throw problemToError(r.problem);
  return r.rateBp;
}

function assertRate(rateBp: BasisPoints): void {
  if (!Number.isSafeInteger(rateBp) || rateBp < 0 || rateBp > MAX_RATE_BP) {
    throw koppelError('TAX_RATE_INVALID', { value: String(rateBp), reason: 'a rate must be whole basis points between 0 and 10000' });
  }
}

/** 2100 → "21", 950 → "9.5", 0 → "0". */
export function formatRatePercent(rateBp: BasisPoints): string {
  assertRate(rateBp);
  return trimZeros(formatScaled(rateBp, 2));
}

/** 2100 → "0.21", 950 → "0.095" (Shopify `TaxLine.rate`). */
export function formatRateFraction(rateBp: BasisPoints): string {
  assertRate(rateBp);
  return trimZeros(formatScaled(rateBp, 4));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

// ── CCV tariffs ─────────────────────────────────────────────────────────────────────────────

export const CCV_TAX_TARIFFS = ['normal', 'low a', 'low b', 'extra low', 'zero'] as const;
export type CcvTaxTariff = (typeof CCV_TAX_TARIFFS)[number];

/** Tariff → rate. A tariff missing from the table is "not configured". */
export type TaxTariffTable = Readonly<Partial<Record<CcvTaxTariff, BasisPoints>>>;

/** Defaults for a shop in the Netherlands (see module doc for the reasoning per tariff). */
export const DUTCH_TAX_TARIFFS: TaxTariffTable = Object.freeze({ normal: 2100, 'low a': 900, 'low b': 900, zero: 0 });

/** "Low A", " low_a ", "LOW-A" → "low a"; anything else → undefined. */
export function normalizeTaxTariff(input: unknown): CcvTaxTariff | undefined {
  if (typeof input !== 'string') return undefined;
  const t = input.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
  return (CCV_TAX_TARIFFS as readonly string[]).includes(t) ? (t as CcvTaxTariff) : undefined;
}

/**
 * Build a tariff table from the Dutch defaults plus overrides from the settings. Override values
 * are percentages (21, "9", 6) or `null` to un-map a tariff. Throws on unknown tariffs or bad rates.
 */
export function taxTariffTable(overridesPercent: Readonly<Record<string, number | string | null>> = {}, base: TaxTariffTable = DUTCH_TAX_TARIFFS): TaxTariffTable {
  const out: Partial<Record<CcvTaxTariff, BasisPoints>> = { ...base };
  for (const [name, value] of Object.entries(overridesPercent)) {
    const tariff = normalizeTaxTariff(name);
    if (tariff === undefined) throw koppelError('TAX_TARIFF_UNKNOWN', { tariff: name, known: CCV_TAX_TARIFFS }, { field: 'tax tariff table' });
    if (value === null) delete out[tariff];
    else out[tariff] = parseRatePercent(value, { record: `tax tariff ${JSON.stringify(tariff)}` });
  }
  return Object.freeze(out);
}

export type TariffRateResult = { ok: true; tariff: CcvTaxTariff; rateBp: BasisPoints } | { ok: false; problem: Problem };

/** The rate behind a CCV tariff, or a TAX_TARIFF_UNKNOWN / TAX_TARIFF_UNMAPPED problem. */
export function tryTariffRate(tariffInput: unknown, table: TaxTariffTable = DUTCH_TAX_TARIFFS, at: ProblemLocation = {}): TariffRateResult {
  const tariff = normalizeTaxTariff(tariffInput);
  if (tariff === undefined) return { ok: false, problem: problem('TAX_TARIFF_UNKNOWN', { tariff: String(tariffInput), known: CCV_TAX_TARIFFS }, at) };
  const rateBp = table[tariff];
  if (rateBp === undefined) return { ok: false, problem: problem('TAX_TARIFF_UNMAPPED', { tariff }, at) };
  return { ok: true, tariff, rateBp };
}

export function tariffRate(tariffInput: unknown, table: TaxTariffTable = DUTCH_TAX_TARIFFS, at: ProblemLocation = {}): BasisPoints {
  const r = tryTariffRate(tariffInput, table, at);
  if (!r.ok) throw problemToError(r.problem);
  return r.rateBp;
}

// ── conversion ──────────────────────────────────────────────────────────────────────────────

function checkAmount(amount: number): void {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`VAT conversion needs whole minor units, got ${amount}`);
}

/** Unit price incl. VAT → ex. VAT, in minor units: round(incl × 10000 / (10000 + rate)). */
export function inclToEx(amountIncl: number, rateBp: BasisPoints): number {
  checkAmount(amountIncl);
  assertRate(rateBp);
  const v = Number(divRound(BigInt(amountIncl) * 10_000n, BigInt(10_000 + rateBp), VAT_ROUNDING));
  return v === 0 ? 0 : v;
}

/** Unit price ex. VAT → incl. VAT, in minor units: round(ex × (10000 + rate) / 10000). */
export function exToIncl(amountEx: number, rateBp: BasisPoints, currency = 'minor units'): number {
  checkAmount(amountEx);
  assertRate(rateBp);
  const v = Number(divRound(BigInt(amountEx) * BigInt(10_000 + rateBp), 10_000n, VAT_ROUNDING));
  if (!Number.isSafeInteger(v)) throw koppelError('MONEY_OUT_OF_RANGE', { operation: 'adding VAT', currency });
  return v === 0 ? 0 : v;
}

export type TaxMode = 'incl' | 'ex';

export interface ConvertPriceOptions {
  from: TaxMode;
  to: TaxMode;
  rateBp: BasisPoints;
}

/** Convert a unit price between incl. and ex. VAT (identity when `from === to`). */
export function convertPrice(price: Money, { from, to, rateBp }: ConvertPriceOptions): Money {
  assertRate(rateBp);
  if (from === to) return price;
  const amount = from === 'incl' ? inclToEx(price.amount, rateBp) : exToIncl(price.amount, rateBp, price.currency);
  return { amount, currency: price.currency };
}

/** The VAT contained in (incl) or added to (ex) a unit price, rounded by the same rule. */
export function vatAmount(price: Money, { pricesIncludeTax, rateBp }: { pricesIncludeTax: boolean; rateBp: BasisPoints }): Money {
  const amount = pricesIncludeTax ? price.amount - inclToEx(price.amount, rateBp) : exToIncl(price.amount, rateBp, price.currency) - price.amount;
  return { amount: amount === 0 ? 0 : amount, currency: price.currency };
}
