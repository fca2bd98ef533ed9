/** JSON snapshot of the sandbox state: the data set plus id counters. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { CcvDataset } from './model.js';
import type { CcvState } from './state.js';

export const SNAPSHOT_FORMAT = 'koppel-ccv-sandbox';
export const SNAPSHOT_VERSION = 1;

export interface CcvSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  dataset: CcvDataset;
  nextIds: Record<string, number>;
}

export function toSnapshot(state: CcvState): CcvSnapshot {
  return { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, dataset: state.dataset(), nextIds: state.nextIds() };
}

const REQUIRED_TABLES: (keyof CcvDataset)[] = [
  'packages', 'brands', 'paymethods', 'categories', 'productToCategories', 'attributes', 'attributeValues', 'products',
  'productAttributeValues', 'combinations', 'propertyGroups', 'properties', 'propertyOptions', 'productToPropertyGroups',
  'productPropertyValues', 'users', 'orders', 'orderRows', 'webhooks',
];

/** Checks the envelope and table shapes; returns a deep copy safe to load. */
export function parseSnapshot(raw: unknown): CcvSnapshot {
  const s = raw as Partial<CcvSnapshot> | null;
  if (!s || typeof s !== 'object' || s.format !== SNAPSHOT_FORMAT) throw new Error(`not a CCV sandbox snapshot (expected format '${SNAPSHOT_FORMAT}')`);
  if (s.version !== SNAPSHOT_VERSION) throw new Error(`unsupported snapshot version ${String(s.version)}; this sandbox reads version ${SNAPSHOT_VERSION}`);
  const d = s.dataset as Partial<CcvDataset> | undefined;
  if (!d || typeof d !== 'object') throw new Error('snapshot has no dataset');
  for (const t of ['webshop', 'settings', 'merchant', 'counters'] as const) if (!d[t] || typeof d[t] !== 'object') throw new Error(`snapshot dataset lacks '${t}'`);
  for (const t of REQUIRED_TABLES) if (!Array.isArray(d[t])) throw new Error(`snapshot dataset table '${t}' must be a list`);
  return structuredClone(s as CcvSnapshot);
}

export function readSnapshotFile(file: string): CcvSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`snapshot file ${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  try {
    return parseSnapshot(raw);
  } catch (e) {
    throw new Error(`snapshot file ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** Writes atomically (temp file + rename) so a crash never leaves half a snapshot. */
export function writeSnapshotFile(file: string, state: CcvState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(toSnapshot(state)));
  renameSync(tmp, file);
}
