/**
 * Stable serialisation and content hashes.
 *
 * `stableStringify` produces one canonical JSON text per value, so equal data always hashes
 * equally, whatever the key order it was built in:
 * - object keys sorted by UTF-16 code units (`Array.prototype.sort` default), at every depth;
 * - properties whose value is `undefined` are left out (as JSON.stringify does); `undefined`
 *   inside arrays becomes `null` (idem);
 * - numbers in ECMAScript's shortest round-trip form (`1`, `0.1`, `1e+21`); `-0` is written `0`;
 *   NaN and ±Infinity are refused;
 * - only plain data: objects (plain or null-prototype), arrays, strings, finite numbers,
 *   booleans, null. Dates, Maps, class instances, functions, symbols, bigints and cycles are
 *   refused with VALUE_NOT_SERIALISABLE naming the path, rather than silently hashed as `{}`.
 *
 * `hashGroups` hashes a record per field group (product core, description, pricing, …). A flow
 * stores the group hashes of what it pushed; at the next run it compares the source's and the
 * target's current group hashes with them (`compareGroupHashes`) to see which groups changed on
 * which side since the last push.
 */
import { createHash } from 'node:crypto';
import { koppelError } from './codes.js';

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  const ctor = (v as { constructor?: { name?: string } }).constructor?.name;
  return ctor && ctor !== 'Object' ? ctor : 'object';
}

function refuse(path: string, v: unknown): never {
  throw koppelError('VALUE_NOT_SERIALISABLE', { path: path === '' ? '(root)' : path, type: typeName(v) });
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function write(v: unknown, path: string, stack: Set<object>, out: string[]): void {
  switch (typeof v) {
    case 'string':
      out.push(JSON.stringify(v));
      return;
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(v)) refuse(path, v);
      out.push(JSON.stringify(v)); // -0 → "0"
      return;
    case 'object':
      break;
    default:
      refuse(path, v);
  }
  if (v === null) {
    out.push('null');
    return;
  }
  if (stack.has(v)) refuse(path, v);
  stack.add(v);
  if (Array.isArray(v)) {
    out.push('[');
    v.forEach((item: unknown, i) => {
      if (i > 0) out.push(',');
      if (item === undefined) out.push('null');
      else write(item, `${path}[${i}]`, stack, out);
    });
    out.push(']');
  } else {
    if (!isPlainObject(v)) refuse(path, v);
    const rec = v as Record<string, unknown>;
    const keys = Object.keys(rec).sort();
    out.push('{');
    let first = true;
    for (const k of keys) {
      const item = rec[k];
      if (item === undefined) continue;
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(k), ':');
      write(item, path === '' ? k : `${path}.${k}`, stack, out);
    }
    out.push('}');
  }
  stack.delete(v);
}

/** Canonical JSON text of plain data (see module doc). Throws VALUE_NOT_SERIALISABLE. */
export function stableStringify(value: unknown): string {
  const out: string[] = [];
  write(value, '', new Set(), out);
  return out.join('');
}

/** Hex SHA-256 of a UTF-8 text. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Hex SHA-256 of the canonical JSON of a value: equal data ⇔ equal hash. */
export function contentHash(value: unknown): string {
  return sha256Hex(stableStringify(value));
}

/**
 * Field groups of a record type: either a list of top-level field names, or a projection that
 * picks (and, for set-like lists, sorts) what belongs to the group.
 */
export type FieldGroups<T> = Readonly<Record<string, readonly (keyof T & string)[] | ((record: T) => unknown)>>;

export type GroupHashes = Readonly<Record<string, string>>;

/** One content hash per group. Fields not in any group do not influence any hash. */
export function hashGroups<T>(record: T, groups: FieldGroups<T>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(groups)) {
    let projection: unknown;
    if (typeof spec === 'function') projection = spec(record);
    else {
      const picked: Record<string, unknown> = {};
      for (const field of spec) picked[field] = (record as Record<string, unknown>)[field];
      projection = picked;
    }
    out[name] = contentHash(projection);
  }
  return out;
}

/** Names of groups whose hash differs (or is new or gone) between two hash sets, sorted. */
export function changedGroups(before: GroupHashes | undefined, after: GroupHashes): string[] {
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  return [...names].filter((n) => before?.[n] !== after[n]).sort();
}

/**
 * What happened to one group since the last push:
 * - `new`: never pushed (no base hash);
 * - `unchanged`: neither side changed;
 * - `source-changed`: only the source changed → push it;
 * - `target-changed`: only the target was edited → leave it, or report, per field policy;
 * - `converged`: both changed to the same content → nothing to do but record the new base;
 * - `conflict`: both changed differently → the flow's conflict policy decides.
 */
export type GroupChange = 'new' | 'unchanged' | 'source-changed' | 'target-changed' | 'converged' | 'conflict';

export interface GroupComparisonInput {
  /** Group hashes of what Koppel pushed last time (from the ledger); undefined if never pushed. */
  base: GroupHashes | undefined;
  /** Group hashes of the source record now. */
  source: GroupHashes;
  /** Group hashes of the target record now (same projection, read back from the target); undefined if absent. */
  target: GroupHashes | undefined;
}

/** Three-way comparison per group (groups named in any of the three inputs). */
export function compareGroupHashes({ base, source, target }: GroupComparisonInput): Record<string, GroupChange> {
  const names = new Set([...Object.keys(base ?? {}), ...Object.keys(source), ...Object.keys(target ?? {})]);
  const out: Record<string, GroupChange> = {};
  for (const n of [...names].sort()) {
    const b = base?.[n];
    const s = source[n];
    const t = target?.[n];
    if (b === undefined) out[n] = 'new';
    else if (s === b && t === b) out[n] = 'unchanged';
    else if (t === b) out[n] = 'source-changed';
    else if (s === b) out[n] = 'target-changed';
    else out[n] = s === t ? 'converged' : 'conflict';
  }
  return out;
}
