import { describe, expect, it } from 'vitest';
import { diffRecords } from './diff.js';

describe('diffRecords', () => {
  it('lists changed leaves as dotted paths', () => {
    expect(diffRecords({ a: 1, b: { c: 'x', d: [1, 2] } }, { a: 1, b: { c: 'y', d: [1, 3] }, e: true })).toEqual([
      { path: 'b.c', before: 'x', after: 'y' },
      { path: 'b.d', before: [1, 2], after: [1, 3] },
      { path: 'e', before: null, after: true },
    ]);
  });

  it('matches list items by a key field', () => {
    const before = { variants: [{ sku: 'A', price: 1 }, { sku: 'B', price: 2 }] };
    const after = { variants: [{ sku: 'B', price: 3 }, { sku: 'C', price: 4 }] };
    expect(diffRecords(before, after, { listKeys: { variants: 'sku' } })).toEqual([
      { path: 'variants[A]', before: { sku: 'A', price: 1 }, after: null },
      { path: 'variants[B].price', before: 2, after: 3 },
      { path: 'variants[C]', before: null, after: { sku: 'C', price: 4 } },
    ]);
  });

  it('reports nothing for equal records, whatever the key order', () => {
    expect(diffRecords({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } })).toEqual([]);
  });

  it('stops at the limit', () => {
    expect(diffRecords({ a: 1, b: 1, c: 1 }, { a: 2, b: 2, c: 2 }, { limit: 2 })).toHaveLength(2);
  });
});
