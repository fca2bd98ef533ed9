import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePointLength, firstInvisible, showValue, tidyText, truncateText } from './text.js';

// Fixed seed, so every run checks the same cases (deterministic tests); set KOPPEL_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.KOPPEL_FC_SEED ?? 20251129) });

describe('text helpers', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('👍')).toBe(1);
    expect(codePointLength('👍🏽')).toBe(2);
    expect(codePointLength('é')).toBe(1);
  });

  it('shows invisible characters in messages', () => {
    expect(showValue('A\u200bB\u0007')).toBe('"A<U+200B>B<U+0007>"');
    expect(showValue('x'.repeat(100), 5)).toBe('"xxxxx…"');
    expect(firstInvisible('ok')).toBeUndefined();
  });

  it('truncates at grapheme boundaries and trims the cut', () => {
    expect(truncateText('abc', 3)).toEqual({ value: 'abc', truncated: false, length: 3 });
    expect(truncateText('ab 👍🏽', 4)).toEqual({ value: 'ab', truncated: true, length: 5 });
    expect(truncateText('e\u0301e\u0301', 3).value).toBe('e\u0301');
  });

  it('tidies free text but keeps line breaks', () => {
    expect(tidyText('  a \t b\nc  ')).toBe('a b\nc');
  });

  it('property: truncation gives a prefix within the limit, ending on a whole grapheme', () => {
    const seg = new Intl.Segmenter('und', { granularity: 'grapheme' });
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.integer({ min: 0, max: 40 }), (s, limit) => {
        const t = truncateText(s, limit);
        expect(t.truncated).toBe(codePointLength(s) > limit);
        if (!t.truncated) {
          expect(t.value).toBe(s);
          return;
        }
        expect(codePointLength(t.value)).toBeLessThanOrEqual(limit);
        expect(s.startsWith(t.value)).toBe(true);
        const boundaries = new Set([...seg.segment(s)].map((x) => x.index));
        expect(boundaries.has(t.value.length)).toBe(true);
      }),
    );
  });
});
