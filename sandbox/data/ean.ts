/** GS1 check digit for EAN-13 / EAN-8 / GTIN: weights 3,1,3,... from the right of the payload. */
export function gtinCheckDigit(payload: string): number {
  if (!/^\d+$/.test(payload)) throw new Error(`GTIN payload must be digits, got "${payload}"`);
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    const digit = payload.charCodeAt(payload.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidGtin(code: string): boolean {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(code)) return false;
  return gtinCheckDigit(code.slice(0, -1)) === Number(code.slice(-1));
}

/** EAN-13 from a 12-digit payload. */
export function ean13(payload12: string): string {
  if (payload12.length !== 12) throw new Error(`EAN-13 payload must have 12 digits, got ${payload12.length}`);
  // join() builds one flat string; `a + b` would keep a rope node per code (100k-product shops hold ~500k EANs).
  return [payload12, gtinCheckDigit(payload12)].join('');
}

/** The same code with a wrong check digit (dirty data). */
export function breakCheckDigit(code: string): string {
  const last = Number(code.slice(-1));
  return code.slice(0, -1) + String((last + 1 + (last % 3)) % 10);
}
