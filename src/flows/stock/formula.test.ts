import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KoppelError } from '../../core/errors.js';
import { compileFormula } from './formula.js';

const inputs = (onHand: number, reserved = 0, buffer = 0) => ({ onHand, reserved, buffer });

describe('stock formula', () => {
  it('computes the default "available minus reservations minus buffer"', () => {
    const f = compileFormula('onHand - reserved - buffer');
    expect(f.evaluate(inputs(12, 2, 1))).toBe(9);
    expect(f.describe(inputs(12, 2, 1))).toBe('onHand - reserved - buffer = 12 - 2 - 1 = 9');
    expect(f.uses).toEqual(['onHand', 'reserved', 'buffer']);
  });

  it('honours precedence, parentheses, unary minus, min and max', () => {
    expect(compileFormula('onHand - reserved * 2').evaluate(inputs(10, 3))).toBe(4);
    expect(compileFormula('(onHand - reserved) * 2').evaluate(inputs(10, 3))).toBe(14);
    expect(compileFormula('-onHand + 5').evaluate(inputs(3))).toBe(2);
    expect(compileFormula('max(0, min(onHand, 50) - reserved)').evaluate(inputs(80, 60))).toBe(0);
    expect(compileFormula('max(0, min(onHand, 50) - reserved)').evaluate(inputs(80, 20))).toBe(30);
    expect(compileFormula('0').describe(inputs(5))).toBe('0 = 0');
  });

  it('divides whole numbers rounding down, like the stock itself', () => {
    expect(compileFormula('onHand / 2').evaluate(inputs(7))).toBe(3);
    expect(compileFormula('onHand / 2').evaluate(inputs(-7))).toBe(-4);
    expect(Object.is(compileFormula('onHand * 0').evaluate(inputs(-7)), 0)).toBe(true);
  });

  it('refuses what it cannot compute, naming the formula', () => {
    const e = (() => {
      try {
        compileFormula('onHand / buffer').evaluate(inputs(5, 0, 0));
      } catch (err) {
        return err as KoppelError;
      }
      throw new Error('expected an error');
    })();
    expect(e.code).toBe('STOCK_FORMULA_FAILED');
    expect(e.message).toMatch(/divides by zero/);
    expect(() => compileFormula('onHand * 9999999999 * 9999999999').evaluate(inputs(9999))).toThrow(/too large/);
  });

  it.each([
    ['onHand - stock', /unknown name stock/, 10],
    ['onHand -', /ends too early/, undefined],
    ['onHand - 1.5', /whole numbers/, 11],
    ['round(onHand)', /unknown function round/, 1],
    ['onHand ) ', /unexpected "\)"/, 8],
    ['onHand; drop', /unexpected ";"/, 7],
    ['', /empty/, undefined],
    ['max(onHand, reserved', /expected "\)"/, undefined],
  ])('rejects %j with a message pointing at the problem', (text, why, at) => {
    try {
      compileFormula(text, 'flows.stock.formula');
      throw new Error('expected an error');
    } catch (e) {
      const k = e as KoppelError;
      expect(k.code).toBe('STOCK_FORMULA_INVALID');
      expect(k.message).toMatch(why);
      expect(k.message).toMatch(/^flows\.stock\.formula: /);
      if (at !== undefined) expect(k.message).toContain(`at character ${at}`);
      expect(k.hint).toMatch(/onHand, reserved, buffer/);
    }
  });

  it('agrees with plain integer arithmetic on random inputs (property)', () => {
    const f = compileFormula('max(0, onHand - reserved - buffer)');
    const g = compileFormula('(onHand + buffer) * 3 - reserved / 4');
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 1000 }), (onHand, reserved, buffer) => {
        expect(f.evaluate({ onHand, reserved, buffer })).toBe(Math.max(0, onHand - reserved - buffer));
        expect(g.evaluate({ onHand, reserved, buffer })).toBe((onHand + buffer) * 3 - Math.floor(reserved / 4));
        expect(Number.isSafeInteger(f.evaluate({ onHand, reserved, buffer }))).toBe(true);
      }),
    );
  });
});
