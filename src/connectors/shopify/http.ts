/** Small HTTP helpers shared by the Shopify client, auth and bulk modules. */

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** `koppel-demo` → `koppel-demo.myshopify.com`; strips a scheme, path and trailing dot. */
export function normaliseShop(shop: string): string {
  const s = shop.trim().replace(/^https?:\/\//i, '').replace(/\/.*$/, '').replace(/\.$/, '').toLowerCase();
  if (!s || !/^[a-z0-9][a-z0-9.-]*(:\d+)?$/.test(s)) {
    throw new TypeError(`"${shop}" is not a shop domain; use the shop's myshopify.com domain, e.g. koppel-demo.myshopify.com`);
  }
  return s.includes('.') || s.includes(':') ? s : `${s}.myshopify.com`;
}

/** The origin requests to `https://{shop}` really go to: the shop itself or a configured endpoint (sandbox). */
export function endpointOrigin(shop: string, endpoint: string | undefined): string {
  if (!endpoint) return `https://${shop}`;
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch (e) {
    throw new TypeError(`endpoint "${endpoint}" is not a URL; use an origin such as http://127.0.0.1:8081`, { cause: e });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`endpoint "${endpoint}" must be http or https`);
  return u.origin;
}

/** Rewrites `https://{shop}/…` to `{origin}/…`; other URLs are left alone. */
export function rewriteToOrigin(url: string, shop: string, origin: string): string {
  const from = `https://${shop}`;
  if (origin === from) return url;
  if (url === from || url.startsWith(`${from}/`) || url.startsWith(`${from}?`)) return origin + url.slice(from.length);
  return url;
}

/** Error codes that prove the request never left this machine (no connection was made). */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The `code` of an error or of any error in its `cause` chain. */
export function errorCodes(e: unknown): string[] {
  const out: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 6 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') out.push(code);
    cur = (cur as { cause?: unknown }).cause;
  }
  return out;
}

/** True when a fetch failure shows the request cannot have reached the server. */
export function neverSent(e: unknown): boolean {
  return errorCodes(e).some((c) => NEVER_SENT_CODES.has(c));
}

/** Reads at most `max` characters of a response body (for error messages); never throws. */
export async function bodySnippet(res: Response, max = 500): Promise<string> {
  try {
    const t = await res.text();
    return t.length > max ? `${t.slice(0, max)}…` : t;
  } catch {
    return '';
  }
}

/** Seconds of a Retry-After header as ms (HTTP-date form too), or undefined. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return Math.round(s * 1000);
  const d = Date.parse(value);
  if (Number.isFinite(d)) return Math.max(0, d - now);
  return undefined;
}
