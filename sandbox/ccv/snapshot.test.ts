import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateCcvDataset } from '../data/generate.js';
import { readSnapshotFile, toSnapshot, writeSnapshotFile } from './snapshot.js';
import { CcvState } from './state.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ccv-snapshot-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('snapshot files', () => {
  const state = new CcvState();
  state.load(generateCcvDataset({ products: 30, dirty: true }));

  it('writes one valid JSON document with a record per line, and reads it back identically', () => {
    const file = join(tmp(), 's.json');
    writeSnapshotFile(file, state);
    const text = readFileSync(file, 'utf8');
    const parsed = JSON.parse(text);
    expect(parsed).toEqual(JSON.parse(JSON.stringify(toSnapshot(state))));
    expect(text.split('\n').length).toBeGreaterThan(state.products.size);
    expect(readSnapshotFile(file)).toEqual(parsed);
  });

  it('reads a snapshot in another layout (pretty-printed) and rejects foreign or broken files', () => {
    const d = tmp();
    const pretty = join(d, 'pretty.json');
    writeFileSync(pretty, JSON.stringify(toSnapshot(state), null, 2));
    expect(readSnapshotFile(pretty)?.dataset.products.length).toBe(state.products.size);
    const foreign = join(d, 'foreign.json');
    writeFileSync(foreign, '{"hello":"world"}');
    expect(() => readSnapshotFile(foreign)).toThrow(/not a CCV sandbox snapshot/);
    const broken = join(d, 'broken.json');
    writeFileSync(broken, readFileSync(pretty, 'utf8').slice(0, 500));
    expect(() => readSnapshotFile(broken)).toThrow(/broken\.json/);
    expect(readSnapshotFile(join(d, 'missing.json'))).toBeUndefined();
  });
});
