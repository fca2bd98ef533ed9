// Snapshot file of the Shopify sandbox: the whole shop (every table, the id sequences), the idempotency keys
// and what modules keep outside the tables (`Registry.persist`), so a sandbox restarted on the same file
// answers as before and never hands out a GID twice. One JSON document, written one record per line:
//
//   {"format":"koppel-shopify-sandbox","version":1,"savedAt":"...","idStart":"...","shop":{...},"seq":{...},
//   "idempotency":[...],"parts":{...},"tables":{
//   "products":[
//   {...},
//   {...}
//   ],
//   ...
//   }}
//
// Read back with a plain JSON.parse (an edited or pretty-printed file is fine as long as it is valid).
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomically, writeTable } from '../snapshot-file.js';
import type { IdempotencyEntry } from './idempotency.js';
import type { ViewLoader } from './registry.js';
import type { Record_, ShopRecord } from './state.js';

export const SNAPSHOT_FORMAT = 'koppel-shopify-sandbox';
export const SNAPSHOT_VERSION = 1;

export interface IdempotencyKeyJSON {
  key: string;
  /** Hash of the first request's field and arguments. */
  hash: string;
  status: 'done' | 'failed';
  /** Sandbox time the key was last used (epoch ms): retention counts from here. */
  at: number;
  /** The stored result with record views as `{"$view": typename, "id": gid}` (absent for failed keys). */
  result?: unknown;
}

export interface ShopifySnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  savedAt: string;
  /** First numeric id of a GID type that has none handed out yet. */
  idStart: string;
  shop: ShopRecord;
  /** Next numeric id per GID type (decimal strings: may exceed 2^53). */
  seq: Record<string, string>;
  idempotency: IdempotencyKeyJSON[];
  /** Module state outside the tables, per `Registry.persist` part. */
  parts: Record<string, unknown>;
  tables: Record<string, Record_[]>;
}

const DECIMAL = /^[1-9][0-9]*$/;
const SHOP_STRINGS = ['id', 'name', 'myshopifyDomain', 'email', 'currencyCode', 'ianaTimezone', 'plan', 'createdAt', 'updatedAt', 'appNamespace'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the shape (throws a message saying what is wrong). Records are used as they are: pass freshly parsed JSON. */
export function parseSnapshot(raw: unknown): ShopifySnapshot {
  if (!isObject(raw) || raw.format !== SNAPSHOT_FORMAT) throw new Error(`not a Shopify sandbox snapshot (expected "format": "${SNAPSHOT_FORMAT}")`);
  if (raw.version !== SNAPSHOT_VERSION) throw new Error(`unsupported snapshot version ${JSON.stringify(raw.version)}; this sandbox reads version ${SNAPSHOT_VERSION}`);
  if (typeof raw.idStart !== 'string' || !DECIMAL.test(raw.idStart)) throw new Error('"idStart" must be a positive decimal string');
  const shop = raw.shop;
  if (!isObject(shop)) throw new Error('"shop" must be an object');
  for (const k of SHOP_STRINGS) if (typeof shop[k] !== 'string') throw new Error(`"shop.${k}" must be a string`);
  if (!isObject(raw.seq)) throw new Error('"seq" must be an object');
  for (const [k, v] of Object.entries(raw.seq)) if (typeof v !== 'string' || !DECIMAL.test(v)) throw new Error(`"seq.${k}" must be a positive decimal string, got ${JSON.stringify(v)}`);
  if (!isObject(raw.tables)) throw new Error('"tables" must be an object');
  for (const [name, rows] of Object.entries(raw.tables)) {
    if (!Array.isArray(rows)) throw new Error(`table "${name}" must be a list`);
    const seen = new Set<string>();
    rows.forEach((r: unknown, i) => {
      if (!isObject(r) || typeof r.id !== 'string' || r.id === '') throw new Error(`table "${name}" row ${i} must be an object with a string "id"`);
      if (seen.has(r.id)) throw new Error(`table "${name}" holds id ${r.id} twice`);
      seen.add(r.id);
    });
  }
  if (!Array.isArray(raw.idempotency)) throw new Error('"idempotency" must be a list');
  raw.idempotency.forEach((e: unknown, i) => {
    if (!isObject(e) || typeof e.key !== 'string' || typeof e.hash !== 'string' || (e.status !== 'done' && e.status !== 'failed') || typeof e.at !== 'number') {
      throw new Error(`idempotency key ${i} must be {key, hash, status: "done"|"failed", at, result?}`);
    }
  });
  if (!isObject(raw.parts)) throw new Error('"parts" must be an object');
  return raw as unknown as ShopifySnapshot;
}

/** The snapshot in `file`, undefined when there is no such file; a clear error naming the file when it is unusable. */
export function readSnapshotFile(file: string): ShopifySnapshot | undefined {
  if (!existsSync(file)) return undefined;
  try {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`not valid JSON (${(e as Error).message})`, { cause: e });
    }
    return parseSnapshot(raw);
  } catch (e) {
    throw new Error(`Shopify sandbox snapshot file ${file}: ${(e as Error).message}. Fix or delete the file (the sandbox does not reseed over it).`, { cause: e });
  }
}

/** Writes the line layout atomically: a temp file beside `file`, then a rename. */
export function writeSnapshotFile(file: string, s: ShopifySnapshot): void {
  writeFileAtomically(file, (out) => {
    const { tables, ...head } = s;
    const headText = JSON.stringify(head);
    out(`${headText.slice(0, -1)},"tables":{\n`);
    const names = Object.keys(tables);
    names.forEach((name, ti) => writeTable(out, name, tables[name]!, ti === names.length - 1));
    out('}}\n');
  });
}

// ---- idempotent results: views (objects with resolver functions) stored as references ----

class NotPersistable extends Error {}

/** A stored result as JSON, views replaced by `{$view, id}`; undefined when part of it cannot be stored. */
export function encodeResult(value: unknown, views: ReadonlyMap<string, ViewLoader>): unknown {
  const enc = (v: unknown): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    if (v === undefined) return null;
    if (Array.isArray(v)) return v.map(enc);
    if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.__typename === 'string' && typeof o.id === 'string' && views.has(o.__typename)) return { $view: o.__typename, id: o.id };
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, enc(x)]));
    }
    throw new NotPersistable();
  };
  try {
    return enc(value);
  } catch (e) {
    if (e instanceof NotPersistable) return undefined;
    throw e;
  }
}

/** The inverse of encodeResult; undefined when a referenced record is gone or its type has no loader. */
export function decodeResult(value: unknown, load: (typeName: string, id: string) => unknown): unknown {
  const dec = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(dec);
    if (isObject(v)) {
      if (typeof v.$view === 'string' && typeof v.id === 'string') {
        const view = load(v.$view, v.id);
        if (view === null || view === undefined) throw new NotPersistable();
        return view;
      }
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dec(x)]));
    }
    return v;
  };
  try {
    return dec(value);
  } catch (e) {
    if (e instanceof NotPersistable) return undefined;
    throw e;
  }
}

export function keyToJSON(key: string, e: IdempotencyEntry, views: ReadonlyMap<string, ViewLoader>): IdempotencyKeyJSON | undefined {
  // A request still running when the shop is saved never finishes in the reloaded shop: its key is a failed attempt.
  if (e.status !== 'done') return { key, hash: e.hash, status: 'failed', at: e.at };
  const result = encodeResult(e.result, views);
  return result === undefined ? undefined : { key, hash: e.hash, status: 'done', at: e.at, result };
}
