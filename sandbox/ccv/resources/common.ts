/** Helpers shared by the resource modules. */
import type { Ctx } from '../context.js';
import { badField, notFound } from '../errors.js';
import type { CcvState } from '../state.js';
import type { Table } from '../table.js';
import { validateBody, type Spec } from '../validate.js';

export const LIST = ['start', 'size'] as const;
export const LIST_SORTED = ['start', 'size', 'orderby'] as const;

export function need<T extends { id: number }>(table: Table<T>, id: number, what: string): T {
  const r = table.get(id);
  if (!r) throw notFound(what, id);
  return r;
}

export function body(ctx: Ctx, spec: Spec): Record<string, unknown> {
  return validateBody(ctx.body, spec, ctx.b.rejectUnknownFields);
}

/** A referenced id in a body must exist: error names the field. */
export function needRef<T extends { id: number }>(table: Table<T>, id: unknown, field: string, what: string): T {
  const r = typeof id === 'number' ? table.get(id) : undefined;
  if (!r) throw badField(field, `refers to ${what} ${String(id)}, which does not exist`);
  return r;
}

/**
 * Filtered + sorted list cache, keyed on the request's query without paging and on the versions of the tables
 * the list depends on. Paging through 100k products sorts once, not once per page.
 */
const caches = new WeakMap<CcvState, Map<string, { versions: string; items: unknown[] }>>();

export function cachedList<T>(ctx: Ctx, deps: readonly Table<{ id: number }>[] | readonly { version: number }[], compute: () => T[]): T[] {
  let cache = caches.get(ctx.state);
  if (!cache) caches.set(ctx.state, (cache = new Map()));
  const key = `${ctx.path.replace(/\/$/, '')}?${ctx.query.rawPairs.filter((p) => p.key !== 'start' && p.key !== 'size').map((p) => p.raw).sort().join('&')}`;
  const versions = deps.map((d) => d.version).join(',');
  const hit = cache.get(key);
  if (hit && hit.versions === versions) return hit.items as T[];
  const items = compute();
  cache.delete(key);
  cache.set(key, { versions, items });
  while (cache.size > 24) {
    const oldest = cache.keys().next().value as string;
    cache.delete(oldest);
  }
  return items;
}

export function slug(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'item';
}
