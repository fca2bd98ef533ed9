// Shopify global ids: `gid://shopify/<Type>/<numeric id>[?query]`.
// Numeric ids are kept as decimal strings everywhere (never JS numbers), so ids beyond 2^53 keep every digit.

const GID_RE = /^gid:\/\/shopify\/([A-Za-z][A-Za-z0-9]*)\/([0-9]+)(\?[^#]*)?$/;

export interface ParsedGid {
  type: string;
  id: string;
  params: URLSearchParams;
}

export function gid(type: string, id: string | bigint, params?: Record<string, string>): string {
  const base = `gid://shopify/${type}/${id.toString()}`;
  if (!params || Object.keys(params).length === 0) return base;
  return `${base}?${new URLSearchParams(params).toString()}`;
}

export function parseGid(value: unknown): ParsedGid | null {
  if (typeof value !== 'string') return null;
  const m = GID_RE.exec(value);
  if (!m) return null;
  return { type: m[1]!, id: m[2]!, params: new URLSearchParams(m[3] ? m[3].slice(1) : '') };
}

/** The numeric part of a GID of the given type, or null when `value` is not such a GID. */
export function gidNumber(value: unknown, type: string): string | null {
  const p = parseGid(value);
  return p && p.type === type ? p.id : null;
}

export function isGidOf(value: unknown, type: string): value is string {
  return gidNumber(value, type) !== null;
}

/** Compares two decimal id strings numerically without converting to Number. */
export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares two GIDs by their numeric part (same type assumed). */
export function compareGids(a: string, b: string): number {
  const pa = parseGid(a);
  const pb = parseGid(b);
  if (!pa || !pb) return a < b ? -1 : a > b ? 1 : 0;
  return compareIds(pa.id, pb.id);
}
