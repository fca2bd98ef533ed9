/**
 * CCV Shop request and response signatures (HMAC-SHA512, lowercase hex):
 *   request:  x-hash = HMAC(secret, public|METHOD|URI|BODY|x-date)
 *   response: x-hash = HMAC(secret, public|METHOD|URI|RAW_RESPONSE_BODY|response x-date)
 * URI is the path plus query string exactly as sent; BODY is the raw JSON ('' for GET/DELETE).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignInput {
  publicKey: string;
  secretKey: string;
  method: string;
  /** Path and query, e.g. /api/rest/v1/products?start=0&size=250 */
  uri: string;
  body: string;
  date: string;
}

export function ccvHash(i: SignInput): string {
  return createHmac('sha512', i.secretKey)
    .update(`${i.publicKey}|${i.method.toUpperCase()}|${i.uri}|${i.body}|${i.date}`)
    .digest('hex');
}

/** Constant-time comparison of a received x-hash with the expected one. */
export function hashMatches(expected: string, received: string | null | undefined): boolean {
  if (!received) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received.trim().toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The x-date format CCV documents: ISO-8601 UTC without milliseconds (2022-11-26T00:45:54Z). */
export function ccvDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
