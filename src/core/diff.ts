/**
 * Field-level differences between two plain records, as dotted paths (`variants[SKU-1].price`).
 * Lists of objects that carry a key field are matched by that key, other lists by position.
 */
import type { FieldChange } from './privacy.js';
import { stableStringify } from './hash.js';

export interface DiffOptions {
  /** For a list at this path (without indexes), the field that identifies its items, e.g. `{ variants: 'sku' }`. */
  listKeys?: Readonly<Record<string, string>>;
  /** Stop after this many changes (the journal keeps a summary, not a payload). */
  limit?: number;
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => a === b || stableStringify(a ?? null) === stableStringify(b ?? null);

export function diffRecords(before: unknown, after: unknown, opts: DiffOptions = {}): FieldChange[] {
  const out: FieldChange[] = [];
  const limit = opts.limit ?? 200;
  const walk = (a: unknown, b: unknown, path: string, schemaPath: string) => {
    if (out.length >= limit || same(a, b)) return;
    if (isPlain(a) && isPlain(b)) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        walk(a[k], b[k], path ? `${path}.${k}` : k, schemaPath ? `${schemaPath}.${k}` : k);
      }
      return;
    }
    const keyField = opts.listKeys?.[schemaPath];
    if (Array.isArray(a) && Array.isArray(b) && keyField && [...a, ...b].every((x) => isPlain(x) && x[keyField] !== undefined)) {
      const index = (xs: unknown[]) => new Map(xs.map((x) => [String((x as Record<string, unknown>)[keyField]), x]));
      const ia = index(a);
      const ib = index(b);
      for (const k of [...new Set([...ia.keys(), ...ib.keys()])]) walk(ia.get(k), ib.get(k), `${path}[${k}]`, schemaPath);
      return;
    }
    out.push({ path: path || '.', before: a ?? null, after: b ?? null });
  };
  walk(before, after, '', '');
  return out;
}
