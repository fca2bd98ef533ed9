/**
 * The CCV API speaks decimal numbers (24.95). The sandbox stores them as the API shows them and does every sum
 * in integer cents, rounding half away from zero per line, so totals never drift.
 */
export function toCents(amount: number): number {
  return Math.sign(amount) * Math.round(Math.abs(amount) * 100 + 1e-7);
}

export function fromCents(cents: number): number {
  return cents / 100;
}

export function round2(amount: number): number {
  return fromCents(toCents(amount));
}

/** VAT contained in a gross amount (cents), rounded to the cent. */
export function vatOfGross(grossCents: number, ratePercent: number): number {
  if (ratePercent === 0) return 0;
  const v = (grossCents * ratePercent) / (100 + ratePercent);
  return Math.sign(v) * Math.round(Math.abs(v));
}

/** VAT on a net amount (cents), rounded to the cent. */
export function vatOfNet(netCents: number, ratePercent: number): number {
  const v = (netCents * ratePercent) / 100;
  return Math.sign(v) * Math.round(Math.abs(v));
}
