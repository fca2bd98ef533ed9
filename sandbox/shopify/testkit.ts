// Small helpers for tests that talk to a sandbox handle in-process (no socket).
import type { ShopifySandboxHandle } from './index.js';

export interface GqlResponse<D = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: D | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
    extensions?: { cost?: { requestedQueryCost: number; actualQueryCost: number | null; throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } }; search?: unknown[] };
  };
}

/** POSTs a GraphQL document the way Shopify's clients do. */
export async function gql<D = Record<string, unknown>>(
  sb: Pick<ShopifySandboxHandle, 'fetch' | 'shop' | 'accessToken'>,
  query: string,
  variables: Record<string, unknown> = {},
  opts: { version?: string; token?: string | null } = {},
): Promise<GqlResponse<D>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = opts.token === undefined ? sb.accessToken : opts.token;
  if (token !== null) headers['x-shopify-access-token'] = token;
  const res = await sb.fetch(`https://${sb.shop}/admin/api/${opts.version ?? '2026-10'}/graphql.json`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
}

/** The data of a response that must have succeeded without any top-level error. */
export async function ok<D = Record<string, unknown>>(
  sb: Pick<ShopifySandboxHandle, 'fetch' | 'shop' | 'accessToken'>,
  query: string,
  variables: Record<string, unknown> = {},
  opts: { version?: string; token?: string | null } = {},
): Promise<D> {
  const r = await gql<D>(sb, query, variables, opts);
  if (r.status !== 200 || r.body.errors?.length || !r.body.data) {
    throw new Error(`GraphQL request failed (${r.status}): ${JSON.stringify(r.body.errors ?? r.body)}`);
  }
  return r.body.data;
}

/** A manual clock for tests. */
export function manualClock(start = Date.parse('2026-07-14T10:00:00Z')): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms), set: (ms) => (t = ms) };
}
