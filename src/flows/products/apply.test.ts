import { describe, expect, it } from 'vitest';
import { bulkShare } from './apply.js';

describe('bulkShare: the publish backlog split between regular calls and bulk operations at the end of a bulk load', () => {
  it('leaves a small backlog to fast regular calls (a bulk operation would end later)', () => {
    // Plus: ~90 publishes/s through the bucket; one operation does 20 lines/s.
    expect(bulkShare(300, 90, 20)).toBe(0);
  });

  it('hands most of a large backlog to bulk operations when the bucket is slow, keeping the split that ends first', () => {
    // Standard plan: ~9 publishes/s. 900 in bulk (5 parts: 5 s + 9 s) and 100 regular (11 s) beat 1000 in bulk (15 s).
    expect(bulkShare(1000, 9, 20)).toBe(900);
  });

  it('uses bulk for the whole backlog when regular calls have not run yet, and never below one minimal chunk', () => {
    expect(bulkShare(450, 0, 20)).toBe(450);
    expect(bulkShare(60, 0, 20)).toBe(0);
  });

  it('plans with the slots that are free: one free slot takes one part', () => {
    // 1000 left, 9/s regular: one operation of 500 (5 s + 25 s) against 500 regular (56 s) is worse than 700 (40 s) with 300 regular (33 s).
    expect(bulkShare(1000, 9, 20, 1)).toBe(700);
    expect(bulkShare(1000, 9, 20, 0)).toBe(0);
  });

  it('hands nothing to bulk operations whose speed is unknown', () => {
    expect(bulkShare(5000, 9, 0)).toBe(0);
  });
});
