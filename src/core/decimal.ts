/**
 * Exact decimal parsing into scaled integers, the one place where text or JSON numbers become
 * integers (money in minor units, VAT rates in basis points, weights in grams, stock quantities).
 *
 * Why not `Math.round(x * 100)`: binary floats cannot hold most decimals, so `1.005 * 100` is
 * `100.49999999999999` and would round the wrong way. We instead read the *decimal text* of the value
 * (for JSON numbers: the shortest round-trip text, `String(n)`, which is what the API sent) and do the
 * arithmetic on BigInt digits, so the rounding rule applies to the decimal the merchant typed.
 */

/**
 * Rounding rules.
 * - `half-away-from-zero`: commercial rounding ("half-up" for non-negative values, mirrored for
 *   negative ones so that round(-x) = -round(x)); Koppel's default for money and VAT.
 * - `half-even`: banker's rounding.
 * - `floor`, `ceil`, `trunc`: as in Math.
 */
export type Rounding = 'half-away-from-zero' | 'half-even' | 'floor' | 'ceil' | 'trunc';

export type DecimalFailure = 'type' | 'empty' | 'not-finite' | 'comma' | 'format' | 'range';

export type DecimalResult =
  | { readonly ok: true; readonly value: number; /** false when rounding dropped non-zero digits */ readonly exact: boolean }
  | { readonly ok: false; readonly reason: DecimalFailure };

const DECIMAL_RE = /^([+-])?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d{1,4}))?$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Divide `n` by a positive `d`, rounding by `mode`. */
export function divRound(n: bigint, d: bigint, mode: Rounding): bigint {
  if (d <= 0n) throw new RangeError('divRound: divisor must be positive');
  const q = n / d; // truncates toward zero
  const r = n % d; // same sign as n
  if (r === 0n) return q;
  const neg = n < 0n;
  switch (mode) {
    case 'trunc':
      return q;
    case 'floor':
      return neg ? q - 1n : q;
    case 'ceil':
      return neg ? q : q + 1n;
    case 'half-away-from-zero': {
      const twice = (neg ? -r : r) * 2n;
      if (twice >= d) return neg ? q - 1n : q + 1n;
      return q;
    }
    case 'half-even': {
      const twice = (neg ? -r : r) * 2n;
      if (twice > d || (twice === d && q % 2n !== 0n)) return neg ? q - 1n : q + 1n;
      return q;
    }
  }
}

/** 10^n as a BigInt. */
export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/**
 * Parse a decimal given as a JSON number or a string into an integer scaled by 10^scale
 * (scale 2: "24.95" → 2495). Accepts an optional sign, `.5`, `5.` and exponent notation
 * (`1e-7`, what `String()` gives for small floats). Rejects commas, thousands separators,
 * NaN/Infinity, hex, empty strings and results outside the safe-integer range. Surrounding
 * whitespace in strings is ignored.
 */
export function parseScaled(input: unknown, scale: number, rounding: Rounding = 'half-away-from-zero'): DecimalResult {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, reason: 'not-finite' };
    text = String(input);
  } else if (typeof input === 'bigint') {
    text = input.toString();
  } else if (typeof input === 'string') {
    text = input.trim();
    if (text === '') return { ok: false, reason: 'empty' };
  } else {
    return { ok: false, reason: 'type' };
  }
  const m = DECIMAL_RE.exec(text);
  if (!m) return { ok: false, reason: /^[+-]?\d+,\d+$/.test(text) ? 'comma' : 'format' };
  const sign = m[1] === '-' ? -1n : 1n;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? m[4] ?? '';
  const exp = m[5] === undefined ? 0 : Number(m[5]);
  const digits = BigInt((intPart + fracPart).replace(/^0+(?=\d)/, '') || '0');
  const k = exp - fracPart.length + scale;
  let scaled: bigint;
  let exact = true;
  if (k >= 0) {
    scaled = digits * pow10(k);
  } else {
    const div = pow10(-k);
    scaled = divRound(digits, div, 'trunc');
    exact = scaled * div === digits;
    // Round the magnitude with the sign applied so that floor/ceil behave for negatives.
    scaled = divRound(sign * digits, div, rounding) * sign;
  }
  if (scaled > MAX_SAFE) return { ok: false, reason: 'range' };
  const value = Number(sign * scaled);
  return { ok: true, value: value === 0 ? 0 : value, exact };
}

/** Format a scaled integer back to a plain decimal string with exactly `scale` decimals: (2995, 2) → "29.95". */
export function formatScaled(value: number, scale: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`formatScaled: ${value} is not a safe integer`);
  const neg = value < 0;
  const digits = String(Math.abs(value)).padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return neg ? `-${body}` : body;
}

/** Human wording for a parse failure, used in messages. */
export function describeDecimalFailure(reason: DecimalFailure): string {
  switch (reason) {
    case 'type':
      return 'it is not a number or a decimal text';
    case 'empty':
      return 'it is empty';
    case 'not-finite':
      return 'it is not a finite number';
    case 'comma':
      return 'it uses a comma as decimal separator (expected a dot, e.g. 24.95)';
    case 'format':
      return 'it is not a plain decimal number (expected e.g. 24.95)';
    case 'range':
      return 'it is too large to handle exactly';
  }
}
