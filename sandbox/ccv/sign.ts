/**
 * CCV request/response signing (reference §3), small and test-oriented. Koppel's own client lives in
 * src/connectors/ccv and is written independently from the reference; this one serves the sandbox and its tests.
 *
 *   x-hash = lowercase hex HMAC-SHA512(secret, PUBLIC|METHOD|URI|BODY|DATE)
 *
 * URI is the path plus query string exactly as sent; BODY is the raw body ('' when none); DATE equals x-date.
 * Responses are signed the same way over the raw response body and the response's own x-date.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Keys { publicKey: string; secretKey: string }

export function ccvHash(secretKey: string, publicKey: string, method: string, uri: string, body: string, date: string): string {
  return createHmac('sha512', secretKey).update(`${publicKey}|${method.toUpperCase()}|${uri}|${body}|${date}`, 'utf8').digest('hex');
}

/** `2025-01-01T10:00:00Z` (no milliseconds), the format the docs show. */
export function ccvDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Path + query of an absolute or relative URL, untouched. */
export function uriOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  const rest = m ? url.slice(m[0].length) : url;
  const noFragment = rest.split('#')[0] ?? '';
  return noFragment.startsWith('/') ? noFragment : `/${noFragment}`;
}

export function signRequest(keys: Keys, method: string, url: string, body = '', dateMs = Date.now()): Record<string, string> {
  const date = ccvDate(dateMs);
  return {
    'x-public': keys.publicKey,
    'x-date': date,
    'x-hash': ccvHash(keys.secretKey, keys.publicKey, method, uriOf(url), body, date),
  };
}

/** True when a response's x-hash matches its body (reference §3 "Response signing"). */
export function verifyResponseSignature(keys: Keys, method: string, url: string, body: string, headers: Headers): boolean {
  const date = headers.get('x-date');
  const hash = headers.get('x-hash');
  if (!date || !hash) return false;
  return sameHash(hash, ccvHash(keys.secretKey, keys.publicKey, method, uriOf(url), body, date));
}

export interface SignedResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
  /** Whether the response signature verified. */
  signed: boolean;
}

/**
 * A minimal signed fetch for tests and scripts: signs, sends, reads the body, verifies the response signature.
 * `fetchImpl` may be a Hono `app.request`-style function so tests need no socket.
 */
export async function ccvFetch<T = unknown>(
  keys: Keys,
  url: string,
  init: { method?: string; body?: unknown; dateMs?: number; headers?: Record<string, string> } = {},
  fetchImpl: (url: string, init: RequestInit) => Promise<Response> = fetch,
): Promise<SignedResponse<T>> {
  const method = (init.method ?? 'GET').toUpperCase();
  const body = init.body === undefined ? '' : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const headers: Record<string, string> = {
    accept: 'application/vnd.verto.webshop+json',
    ...signRequest(keys, method, url, body, init.dateMs),
    ...init.headers,
  };
  if (body !== '') headers['content-type'] = 'application/json';
  const res = await fetchImpl(url, { method, headers, body: body === '' ? undefined : body });
  const text = await res.text();
  let json: unknown = undefined;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, headers: res.headers, text, json: json as T, signed: verifyResponseSignature(keys, method, url, text, res.headers) };
}
