// Relay connections the way Shopify pages them: keyset cursors over a sort tuple, first/last/after/before,
// reverse, and a pageInfo that tells the truth in both directions.
import { GraphQLError } from 'graphql';

export type SortValue = string | number | boolean | null;
export type SortTuple = SortValue[];

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}

export interface ConnectionView<V = unknown> {
  edges: { cursor: string; node: V }[];
  nodes: V[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const DIGITS = /^-?\d+$/;

export function compareValues(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a ? 1 : -1;
  const x = String(a);
  const y = String(b);
  if (DIGITS.test(x) && DIGITS.test(y)) {
    const bx = BigInt(x);
    const by = BigInt(y);
    return bx < by ? -1 : bx > by ? 1 : 0;
  }
  const ci = x.toLowerCase().localeCompare(y.toLowerCase());
  return ci !== 0 ? ci : x < y ? -1 : x > y ? 1 : 0;
}

export function compareTuples(a: SortTuple, b: SortTuple): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = compareValues(a[i] ?? null, b[i] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

export function encodeCursor(key: SortTuple): string {
  return Buffer.from(JSON.stringify({ k: key }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): SortTuple {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown };
    if (Array.isArray(parsed.k)) return parsed.k as SortTuple;
  } catch {
    // fall through
  }
  throw new GraphQLError(`Invalid cursor for current pagination sort: ${JSON.stringify(cursor)}`, {
    extensions: { code: 'BAD_REQUEST' },
  });
}

/**
 * Pages `items` (any order) by `key` (a sort tuple ending with the numeric id so it is unique).
 * `view` turns an item into the node the schema expects.
 */
export function paginate<T, V>(items: Iterable<T>, args: PageArgs, key: (item: T) => SortTuple, view: (item: T) => V): ConnectionView<V> {
  const dir = args.reverse ? -1 : 1;
  const rows = [...items].map((item) => ({ item, key: key(item) }));
  rows.sort((a, b) => dir * compareTuples(a.key, b.key));
  let lo = 0;
  let hi = rows.length;
  if (args.after) {
    const k = decodeCursor(args.after);
    while (lo < hi && dir * compareTuples(rows[lo]!.key, k) <= 0) lo++;
  }
  if (args.before) {
    const k = decodeCursor(args.before);
    while (hi > lo && dir * compareTuples(rows[hi - 1]!.key, k) >= 0) hi--;
  }
  let start = lo;
  let end = hi;
  if (typeof args.first === 'number') end = Math.min(end, start + args.first);
  if (typeof args.last === 'number') start = Math.max(start, end - args.last);
  const window = rows.slice(start, end);
  const edges = window.map((r) => ({ cursor: encodeCursor(r.key), node: view(r.item) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: end < rows.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/** Shopify's `Count` object. */
export function countView(count: number): { count: number; precision: 'EXACT' } {
  return { count, precision: 'EXACT' };
}
