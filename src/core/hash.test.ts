import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KoppelError } from './errors.js';
import { changedGroups, compareGroupHashes, contentHash, hashGroups, sha256Hex, stableStringify } from './hash.js';

// Fixed seed, so every run checks the same cases (deterministic tests); set KOPPEL_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.KOPPEL_FC_SEED ?? 20251129) });

const caughtCode = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof KoppelError ? `${e.code} ${e.message}` : 'other';
  }
  return undefined;
};

describe('stableStringify', () => {
  it('sorts keys at every depth and drops undefined properties', () => {
    expect(stableStringify({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(stableStringify([undefined, null])).toBe('[null,null]');
    expect(stableStringify(Object.assign(Object.create(null) as object, { x: 1 }))).toBe('{"x":1}');
  });

  it('writes numbers canonically', () => {
    expect(stableStringify([-0, 0.1, 1e21, 1.5e-7, 100])).toBe('[0,0.1,1e+21,1.5e-7,100]');
  });

  it('refuses values that are not plain data, naming the path', () => {
    expect(caughtCode(() => stableStringify({ a: [1, Number.NaN] }))).toBe('VALUE_NOT_SERIALISABLE value at a[1] of the record is a number, which cannot be stored as JSON');
    expect(caughtCode(() => stableStringify({ d: new Date(0) }))).toMatch(/at d .* is a Date/);
    expect(caughtCode(() => stableStringify({ m: new Map() }))).toMatch(/Map/);
    expect(caughtCode(() => stableStringify({ f: () => 1 }))).toMatch(/function/);
    expect(caughtCode(() => stableStringify(1n))).toMatch(/\(root\) .* bigint/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(caughtCode(() => stableStringify(cyclic))).toMatch(/at self/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(stableStringify({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('property: equals JSON.stringify of the same data with sorted keys, and parses back to equal data', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const s = stableStringify(v);
        expect(JSON.parse(s)).toEqual(JSON.parse(JSON.stringify(v)));
        expect(stableStringify(JSON.parse(s))).toBe(s);
      }),
    );
  });

  it('property: key order never changes the text', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(stableStringify(reversed)).toBe(stableStringify(obj));
      }),
    );
  });
});

describe('contentHash', () => {
  it('is SHA-256 of the canonical text', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(contentHash({ b: 1, a: 2 })).toBe(sha256Hex('{"a":2,"b":1}'));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: '1' }));
  });
});

describe('hashGroups', () => {
  interface P {
    title: string;
    vendor: string;
    descriptionHtml: string;
    tags: string[];
  }
  const groups = {
    core: ['title', 'vendor'],
    description: ['descriptionHtml'],
    tags: (p: P) => [...p.tags].sort(),
  } as const;
  const p: P = { title: 'T-shirt', vendor: 'Koppel', descriptionHtml: '<p>Katoen</p>', tags: ['b', 'a'] };

  it('gives one hash per group and detects which group changed', () => {
    const h1 = hashGroups(p, groups);
    expect(Object.keys(h1)).toEqual(['core', 'description', 'tags']);
    const h2 = hashGroups({ ...p, descriptionHtml: '<p>Wol</p>', tags: ['a', 'b'] }, groups);
    expect(changedGroups(h1, h2)).toEqual(['description']);
    expect(changedGroups(undefined, h2)).toEqual(['core', 'description', 'tags']);
    expect(changedGroups(h1, { core: h1.core ?? '' })).toEqual(['description', 'tags']);
  });

  it('compares three ways: what we pushed, the source now, the target now', () => {
    const base = { core: 'c0', description: 'd0', pricing: 'p0', tags: 't0', categories: 'k0' };
    const source = { core: 'c0', description: 'd1', pricing: 'p1', tags: 't1', categories: 'k0' };
    const target = { core: 'c9', description: 'd0', pricing: 'p2', tags: 't1', categories: 'k0' };
    expect(compareGroupHashes({ base, source, target })).toEqual({
      categories: 'unchanged',
      core: 'target-changed',
      description: 'source-changed',
      pricing: 'conflict',
      tags: 'converged',
    });
    expect(compareGroupHashes({ base: undefined, source, target: undefined }).core).toBe('new');
  });
});
