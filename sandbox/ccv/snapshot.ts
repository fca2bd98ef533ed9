/**
 * JSON snapshot of the sandbox state: the data set plus id counters.
 *
 * The file is one JSON document, written with one record per line so that a 100k-product shop (~250 MB) can be
 * written and read in a streaming way, without holding the whole text in memory:
 *
 *   {"format":"koppel-ccv-sandbox","version":1,"nextIds":{...},"dataset":{
 *   "webshop":{...},"settings":{...},"merchant":{...},"counters":{...},
 *   "products":[
 *   {...},
 *   {...}
 *   ],
 *   ...
 *   }}
 *
 * A file in any other layout (edited, pretty-printed) is still read, with a plain JSON.parse.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { CcvDataset } from './model.js';
import type { CcvState } from './state.js';
import { writeFileAtomically, writeTable } from '../snapshot-file.js';

export const SNAPSHOT_FORMAT = 'koppel-ccv-sandbox';
export const SNAPSHOT_VERSION = 1;

export interface CcvSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  dataset: CcvDataset;
  nextIds: Record<string, number>;
}

const TABLES = [
  'packages', 'brands', 'paymethods', 'categories', 'productToCategories', 'attributes', 'attributeValues', 'products',
  'productAttributeValues', 'combinations', 'propertyGroups', 'properties', 'propertyOptions', 'productToPropertyGroups',
  'productPropertyValues', 'users', 'orders', 'orderRows', 'webhooks',
] as const satisfies readonly (keyof CcvDataset)[];
const SINGLES = ['webshop', 'settings', 'merchant', 'counters'] as const satisfies readonly (keyof CcvDataset)[];

export function toSnapshot(state: CcvState): CcvSnapshot {
  return { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, dataset: state.dataset(), nextIds: state.nextIds() };
}

/** Checks the envelope and table shapes. The records are loaded as they are: pass freshly parsed JSON. */
export function parseSnapshot(raw: unknown): CcvSnapshot {
  const s = raw as Partial<CcvSnapshot> | null;
  if (!s || typeof s !== 'object' || s.format !== SNAPSHOT_FORMAT) throw new Error(`not a CCV sandbox snapshot (expected format '${SNAPSHOT_FORMAT}')`);
  if (s.version !== SNAPSHOT_VERSION) throw new Error(`unsupported snapshot version ${String(s.version)}; this sandbox reads version ${SNAPSHOT_VERSION}`);
  const d = s.dataset as Partial<CcvDataset> | undefined;
  if (!d || typeof d !== 'object') throw new Error('snapshot has no dataset');
  for (const t of SINGLES) if (!d[t] || typeof d[t] !== 'object') throw new Error(`snapshot dataset lacks '${t}'`);
  for (const t of TABLES) if (!Array.isArray(d[t])) throw new Error(`snapshot dataset table '${t}' must be a list`);
  if (!s.nextIds || typeof s.nextIds !== 'object') s.nextIds = {};
  return s as CcvSnapshot;
}

/** Lines of a file, read in 1 MiB chunks. */
function* lines(file: string): Generator<string> {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    const dec = new StringDecoder('utf8');
    let rest = '';
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const parts = (rest + dec.write(buf.subarray(0, n))).split('\n');
      rest = parts.pop() ?? '';
      yield* parts;
    }
    rest += dec.end();
    if (rest !== '') yield rest;
  } finally {
    closeSync(fd);
  }
}

/** Streaming read of the line layout; undefined when the file is in another layout. */
function readLineLayout(file: string): unknown {
  const it = lines(file);
  const head = it.next();
  if (head.done || !head.value.startsWith(`{"format":"${SNAPSHOT_FORMAT}"`) || !head.value.endsWith('"dataset":{')) return undefined;
  const envelope = JSON.parse(`${head.value}}}`) as { dataset: Record<string, unknown> } & Record<string, unknown>;
  const singles = it.next();
  if (singles.done || !singles.value.endsWith(',')) return undefined;
  Object.assign(envelope.dataset, JSON.parse(`{${singles.value.slice(0, -1)}}`));
  let table: unknown[] | undefined;
  for (const line of it) {
    if (table) {
      if (line === ']' || line === '],') table = undefined;
      else table.push(JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line));
      continue;
    }
    const open = /^"(\w+)":\[$/.exec(line);
    if (open) envelope.dataset[open[1] as string] = table = [];
    else if (line === '}}') return envelope;
    else return undefined;
  }
  return undefined;
}

export function readSnapshotFile(file: string): CcvSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  try {
    let raw: unknown;
    try {
      raw = readLineLayout(file);
    } catch {
      raw = undefined;
    }
    if (raw === undefined) {
      if (statSync(file).size > 400 * 1024 * 1024) throw new Error('file is too large to read in one piece; write it with the sandbox (one record per line)');
      raw = JSON.parse(readFileSync(file, 'utf8'));
    }
    return parseSnapshot(raw);
  } catch (e) {
    throw new Error(`snapshot file ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** Writes the line layout atomically (temp file + rename) without building the whole text in memory. */
export function writeSnapshotFile(file: string, state: CcvState): void {
  writeFileAtomically(file, (out) => {
    const d = state.dataset();
    out(`{"format":"${SNAPSHOT_FORMAT}","version":${SNAPSHOT_VERSION},"nextIds":${JSON.stringify(state.nextIds())},"dataset":{\n`);
    out(`${SINGLES.map((k) => `${JSON.stringify(k)}:${JSON.stringify(d[k])}`).join(',')},\n`);
    TABLES.forEach((t, ti) => writeTable(out, t, d[t] as unknown[], ti === TABLES.length - 1));
    out('}}\n');
  });
}
