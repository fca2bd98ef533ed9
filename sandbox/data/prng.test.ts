import { describe, expect, it } from 'vitest';
import { hashString, Prng } from './prng.js';

describe('Prng', () => {
  it('repeats the same sequence for the same seed and differs for another seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const seqA = Array.from({ length: 20 }, () => a.u32());
    expect(Array.from({ length: 20 }, () => b.u32())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.u32())).not.toEqual(seqA);
  });

  it('pins the first outputs of seed 1 so a change to the algorithm cannot slip through', () => {
    const r = new Prng(1);
    const first = [r.u32(), r.u32(), r.u32()];
    // Pinned from the implementation: a change here changes every generated data set, so it must be deliberate.
    expect(first).toEqual(FIRST_OF_SEED_1);
  });

  it('keeps int() inside its inclusive bounds and reaches both ends', () => {
    const r = new Prng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.int(-2, 3);
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThanOrEqual(3);
      seen.add(v);
    }
    expect([...seen].sort((x, y) => x - y)).toEqual([-2, -1, 0, 1, 2, 3]);
  });

  it('forks independent, reproducible streams', () => {
    const x = new Prng(5).fork('orders');
    const y = new Prng(5).fork('orders');
    const z = new Prng(5).fork('users');
    expect(x.u32()).toBe(y.u32());
    expect(new Prng(5).fork('orders').u32()).not.toBe(z.u32());
  });

  it('samples distinct items', () => {
    const r = new Prng(9);
    const s = r.sample([1, 2, 3, 4, 5, 6], 4);
    expect(new Set(s).size).toBe(4);
  });

  it('hashes strings with FNV-1a', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c);
  });
});

const FIRST_OF_SEED_1 = [1828152527, 3394835397, 2967886022];
