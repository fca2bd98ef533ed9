/**
 * Small text helpers shared by the normalisers and validators: making invisible characters
 * visible in messages, counting characters the way the targets do, and cutting text to a target
 * limit without breaking a character, an emoji or an accented letter apart.
 */

/** Unicode "other" characters that are stable across Node versions (unassigned code points excluded). */
const INVISIBLE_RE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u;
const INVISIBLE_GLOBAL_RE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;

/** U+200B style name of a code point. */
export function codePointName(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** First control/format/private-use/surrogate character in `s`, if any. */
export function firstInvisible(s: string): string | undefined {
  return INVISIBLE_RE.exec(s)?.[0];
}

/** Quote a value for a message, showing invisible characters as <U+200B>. */
export function showValue(s: string, maxLength = 80): string {
  const shown = s.replace(INVISIBLE_GLOBAL_RE, (ch) => `<${codePointName(ch)}>`);
  const cut = [...shown].length > maxLength ? `${[...shown].slice(0, maxLength).join('')}…` : shown;
  return `"${cut}"`;
}

/**
 * Length in Unicode code points: how Shopify (Ruby) and MySQL utf8mb4 count "characters". An
 * emoji like 👍 is 1 (2 in UTF-16 `.length`); a family emoji built with joiners counts each part.
 */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

let segmenter: Intl.Segmenter | undefined;

export interface Truncated {
  value: string;
  truncated: boolean;
  /** Length of the input in code points. */
  length: number;
}

/**
 * Cut `s` to at most `limit` code points, only at grapheme boundaries (never between a letter and
 * its accent, inside an emoji sequence or a surrogate pair), dropping trailing whitespace at the
 * cut. Text within the limit comes back unchanged. Not for HTML: cutting markup breaks it, and no
 * target limit forces Koppel to cut HTML.
 */
export function truncateText(s: string, limit: number): Truncated {
  const length = codePointLength(s);
  if (length <= limit) return { value: s, truncated: false, length };
  segmenter ??= new Intl.Segmenter('und', { granularity: 'grapheme' });
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(s)) {
    const n = codePointLength(segment);
    if (used + n > limit) break;
    out += segment;
    used += n;
  }
  return { value: out.trimEnd(), truncated: true, length };
}

/** Trim, NFC-normalise and collapse runs of spaces/tabs; line breaks are kept (for free text, not identifiers). */
export function tidyText(s: string): string {
  return s
    .normalize('NFC')
    .replace(/[\t \p{Zs}]+/gu, ' ')
    .trim();
}
