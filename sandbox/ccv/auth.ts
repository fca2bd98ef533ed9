/** Request authentication (reference §3, §8.1). */
import { ApiError, CODES } from './errors.js';
import type { Keys } from './sign.js';
import { ccvHash, sameHash } from './sign.js';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses the ISO-8601 forms clients send: `...Z`, `...+00:00` (Carbon 'c'), `...+0000` (PHP ISO8601), optional
 * fractional seconds. Anything else (RFC 1123 dates, epoch numbers, missing zone) is rejected.
 */
export function parseCcvDate(s: string): number | undefined {
  const m = DATE_RE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, zone] = m as unknown as [string, string, string, string, string, string, string, string];
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(se) > 59) return undefined;
  let ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(se));
  if (new Date(ms).getUTCDate() !== day) return undefined;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    ms -= sign * offsetMin * 60_000;
  }
  return ms;
}

export interface AuthInput {
  method: string;
  uri: string;
  body: string;
  header: (name: string) => string | undefined;
}

/** Throws an ApiError (status per `failureStatus`) when the request is not properly signed. */
export function authenticate(keys: Keys, input: AuthInput, nowMs: number, windowSeconds: number, failureStatus: number): void {
  const pub = input.header('x-public');
  const date = input.header('x-date');
  const hash = input.header('x-hash');
  const missing = [['x-public', pub], ['x-date', date], ['x-hash', hash]].filter(([, v]) => v === undefined || v === '').map(([k]) => k);
  if (missing.length > 0) {
    throw new ApiError(failureStatus, CODES.authMissing, `Missing authentication header(s): ${missing.join(', ')}`);
  }
  if (pub !== keys.publicKey) throw new ApiError(failureStatus, CODES.authPublic, 'Unknown x-public key');
  const when = parseCcvDate(date as string);
  if (when === undefined) {
    throw new ApiError(failureStatus, CODES.authDate, `x-date '${date}' is not an ISO-8601 UTC timestamp such as 2025-01-01T10:00:00Z`);
  }
  const skew = Math.abs(nowMs - when) / 1000;
  if (skew > windowSeconds) {
    throw new ApiError(failureStatus, CODES.authDate, `x-date is ${Math.round(skew)} s away from server time; at most ${windowSeconds} s is allowed`);
  }
  const expected = ccvHash(keys.secretKey, keys.publicKey, input.method, input.uri, input.body, date as string);
  if (!sameHash((hash as string).toLowerCase() === hash ? (hash as string) : '', expected)) {
    throw new ApiError(failureStatus, CODES.authHash, 'x-hash does not match: expected lowercase hex HMAC-SHA512 over public|METHOD|uri|body|x-date');
  }
}
