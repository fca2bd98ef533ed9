/**
 * Money: an integer amount of minor units (cents) plus an ISO 4217 currency.
 *
 * Rules (DESIGN §2: money is never a float inside Koppel):
 * - `amount` is always a safe integer (`Number.isSafeInteger`); every constructor checks it.
 * - API decimals (JSON numbers like 24.95 or strings like "24.95") enter through `parseMoney`,
 *   which reads the decimal text exactly. Inputs with more decimals than the currency has
 *   (8.2645 EUR) are rounded **half away from zero** on the decimal digits: 8.2645 → 8.26,
 *   8.265 → 8.27, -8.265 → -8.27, and 1.005 → 1.01 (which float arithmetic gets wrong).
 * - Amounts leave as decimal strings with exactly the currency's decimals via `formatMoney`
 *   ("29.95", "1200" for JPY), which is what Shopify's `Money`/`Decimal` scalars take.
 * - Arithmetic refuses to combine two currencies (MONEY_CURRENCY_MISMATCH) and refuses results
 *   beyond the safe-integer range (MONEY_OUT_OF_RANGE) instead of silently losing cents.
 */
import { koppelError, problem, problemToError, type Problem, type ProblemLocation } from './codes.js';
import { describeDecimalFailure, divRound, formatScaled, parseScaled, type Rounding } from './decimal.js';

export interface Money {
  /** Minor units (cents for EUR), a safe integer. */
  readonly amount: number;
  /** ISO 4217 code, upper case. */
  readonly currency: string;
}

/** The rounding rule for amounts with more decimals than the currency has. */
export const MONEY_ROUNDING: Rounding = 'half-away-from-zero';

/**
 * ISO 4217 minor-unit exponents for the currencies a Dutch merchant meets. For any other code,
 * Intl (CLDR) is asked. The table exists because CLDR's *display* digits differ from the ISO minor
 * unit for some currencies: CLDR shows HUF with 0 decimals while ISO 4217 (and invoices) use 2.
 * Choosing the larger exponent never loses information. XCG (Caribbean guilder, replacing ANG in
 * Curaçao and Sint Maarten from 2025) may be missing from older ICU data, so it is listed too.
 */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = {
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  HUF: 2,
  RON: 2,
  BGN: 2,
  TRY: 2,
  CAD: 2,
  AUD: 2,
  NZD: 2,
  CNY: 2,
  HKD: 2,
  SGD: 2,
  ANG: 2,
  AWG: 2,
  XCG: 2,
  SRD: 2,
  MAD: 2,
  ISK: 0,
  JPY: 0,
  KRW: 0,
};

let intlCurrencies: ReadonlySet<string> | undefined;
function intlCurrencySet(): ReadonlySet<string> {
  intlCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  return intlCurrencies;
}

const exponentCache = new Map<string, number>();

/** Upper-cased, trimmed ISO code if Koppel knows it, else undefined. */
export function normalizeCurrency(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const code = input.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) return undefined;
  if (code in CURRENCY_EXPONENTS || intlCurrencySet().has(code)) return code;
  return undefined;
}

/** Parse a currency code or throw CURRENCY_UNKNOWN. */
export function parseCurrency(input: unknown, at: ProblemLocation = {}): string {
  const code = normalizeCurrency(input);
  if (code === undefined) throw koppelError('CURRENCY_UNKNOWN', { currency: String(input) }, at);
  return code;
}

/** Number of decimals of the currency's minor unit: EUR 2, JPY 0, KWD 3. Throws CURRENCY_UNKNOWN. */
export function currencyExponent(currency: string): number {
  const cached = exponentCache.get(currency);
  if (cached !== undefined) return cached;
  const code = parseCurrency(currency);
  const exp =
    CURRENCY_EXPONENTS[code] ?? new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
  exponentCache.set(currency, exp);
  return exp;
}

/** Build a Money from minor units. Throws if `amount` is not a safe integer. */
export function money(amount: number, currency: string): Money {
  const code = parseCurrency(currency);
  if (!Number.isSafeInteger(amount)) {
    throw koppelError('MONEY_INVALID_AMOUNT', { value: String(amount), field: 'amount', reason: 'minor units must be a whole number' });
  }
  return { amount: amount === 0 ? 0 : amount, currency: code };
}

export function zeroMoney(currency: string): Money {
  return money(0, currency);
}

export function isMoney(value: unknown): value is Money {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.amount === 'number' && Number.isSafeInteger(v.amount) && typeof v.currency === 'string' && normalizeCurrency(v.currency) === v.currency;
}

export type MoneyParseResult = { ok: true; money: Money; /** false when decimals beyond the minor unit were rounded away */ exact: boolean } | { ok: false; problem: Problem };

/**
 * Parse an API decimal into Money without throwing. `field` names the source field in the
 * problem ("price"). Rounding: half away from zero on the decimal digits (see module doc).
 */
export function tryParseMoney(input: unknown, currency: string, at: ProblemLocation = {}): MoneyParseResult {
  const code = normalizeCurrency(currency);
  if (code === undefined) return { ok: false, problem: problem('CURRENCY_UNKNOWN', { currency: String(currency) }, at) };
  const r = parseScaled(input, currencyExponent(code), MONEY_ROUNDING);
  if (!r.ok) {
    const value = typeof input === 'string' ? JSON.stringify(input) : String(input);
    return { ok: false, problem: problem('MONEY_INVALID_AMOUNT', { value, field: at.field ?? 'amount', reason: describeDecimalFailure(r.reason) }, at) };
  }
  return { ok: true, money: { amount: r.value, currency: code }, exact: r.exact };
}

/** Parse an API decimal into Money or throw MONEY_INVALID_AMOUNT / CURRENCY_UNKNOWN. */
export function parseMoney(input: unknown, currency: string, at: ProblemLocation = {}): Money {
  const r = tryParseMoney(input, currency, at);
  if (!r.ok) throw problemToError(r.problem);
  return r.money;
}

/** Decimal string with exactly the currency's decimals: "29.95", "-0.50", "1200" (JPY). */
export function formatMoney(m: Money): string {
  return formatScaled(m.amount, currencyExponent(m.currency));
}

/** For messages: "€ 29,95" (nl-NL) or "€29.95" (en). Never use this for API values. */
export function displayMoney(m: Money, locale = 'nl-NL'): string {
  const exp = currencyExponent(m.currency);
  // The decimal string is formatted exactly (Intl.NumberFormat v3); no float in between.
  const decimal = formatScaled(m.amount, exp) as `${number}`;
  return new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency, minimumFractionDigits: exp, maximumFractionDigits: exp }).format(decimal);
}

function sameCurrency(a: Money, b: Money, operation: string): void {
  if (a.currency !== b.currency) throw koppelError('MONEY_CURRENCY_MISMATCH', { operation, left: a.currency, right: b.currency });
}

function checked(amount: number, currency: string, operation: string): Money {
  if (!Number.isSafeInteger(amount)) throw koppelError('MONEY_OUT_OF_RANGE', { operation, currency });
  return { amount: amount === 0 ? 0 : amount, currency };
}

export function addMoney(a: Money, b: Money): Money {
  sameCurrency(a, b, 'add');
  return checked(a.amount + b.amount, a.currency, 'adding amounts');
}

export function subtractMoney(a: Money, b: Money): Money {
  sameCurrency(a, b, 'subtract');
  return checked(a.amount - b.amount, a.currency, 'subtracting amounts');
}

/** Sum of a list; `currency` is required so an empty list has a well-defined zero. */
export function sumMoney(items: Iterable<Money>, currency: string): Money {
  let total = zeroMoney(currency);
  for (const m of items) total = addMoney(total, m);
  return total;
}

/** Multiply by a whole number (a quantity). */
export function multiplyMoney(m: Money, factor: number): Money {
  if (!Number.isSafeInteger(factor)) throw new RangeError(`multiplyMoney: factor ${factor} must be a whole number`);
  return checked(m.amount * factor, m.currency, 'multiplying an amount');
}

/**
 * Multiply by the fraction numerator/denominator (integers), rounding by `rounding`
 * (default half away from zero): a 15 % discount is `scaleMoney(m, 15, 100)`.
 */
export function scaleMoney(m: Money, numerator: number, denominator: number, rounding: Rounding = MONEY_ROUNDING): Money {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator <= 0) {
    throw new RangeError(`scaleMoney: ${numerator}/${denominator} must be whole numbers with a positive denominator`);
  }
  const v = divRound(BigInt(m.amount) * BigInt(numerator), BigInt(denominator), rounding);
  return checked(Number(v), m.currency, 'scaling an amount');
}

export function negateMoney(m: Money): Money {
  return { amount: m.amount === 0 ? 0 : -m.amount, currency: m.currency };
}

/** -1, 0 or 1. */
export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b, 'compare');
  return a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0;
}

export function equalsMoney(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.amount === b.amount;
}

export function isNegativeMoney(m: Money): boolean {
  return m.amount < 0;
}

export function isZeroMoney(m: Money): boolean {
  return m.amount === 0;
}

/**
 * Split `total` over parts in proportion to non-negative integer `weights` so that the parts add
 * up to exactly `total` (largest-remainder method; ties go to the earlier part). Used to spread an
 * order discount over its lines.
 */
export function allocateMoney(total: Money, weights: readonly number[]): Money[] {
  if (weights.length === 0) throw new RangeError('allocateMoney: needs at least one weight');
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) throw new RangeError('allocateMoney: weights must be non-negative whole numbers');
  const sum = weights.reduce((s, w) => s + BigInt(w), 0n);
  if (sum === 0n) throw new RangeError('allocateMoney: weights must not all be zero');
  const amount = BigInt(total.amount);
  const sign = amount < 0n ? -1n : 1n;
  const abs = amount * sign;
  const base = weights.map((w) => (abs * BigInt(w)) / sum);
  const rema = weights.map((w, i) => ({ i, r: (abs * BigInt(w)) % sum }));
  let left = abs - base.reduce((s, b) => s + b, 0n);
  rema.sort((x, y) => (x.r === y.r ? x.i - y.i : x.r > y.r ? -1 : 1));
  for (const { i } of rema) {
    if (left === 0n) break;
    base[i] = (base[i] ?? 0n) + 1n;
    left -= 1n;
  }
  return base.map((b) => ({ amount: Number(b * sign) === 0 ? 0 : Number(b * sign), currency: total.currency }));
}
