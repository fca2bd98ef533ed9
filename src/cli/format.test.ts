import { describe, expect, it } from 'vitest';
import { formatDuration, formatTable, formatTime, parseLimit, parseSince } from './format.js';

describe('formatTable', () => {
  it('aligns columns, right-aligns numbers, cuts long cells and keeps one line per row', () => {
    const lines = formatTable(
      [
        { header: 'NAME', value: (r: { n: string; c: number }) => r.n, max: 8 },
        { header: 'COUNT', value: (r) => r.c, align: 'right' },
      ],
      [
        { n: 'stock', c: 5 },
        { n: 'a very long\nname', c: 12345 },
      ],
    );
    expect(lines).toEqual(['NAME      COUNT', 'stock         5', 'a very …  12345']);
  });
});

describe('formatting values', () => {
  it('durations', () => {
    expect([formatDuration(950), formatDuration(12_345), formatDuration(245_000), formatDuration(7_380_000)]).toEqual(['950 ms', '12.3 s', '4m 05s', '2h 03m']);
  });
  it('times', () => {
    expect(formatTime(new Date(Date.UTC(2026, 10, 29, 13, 5, 9)), true)).toBe('2026-11-29 13:05:09');
  });
  it('--since: relative and absolute times, and a clear error otherwise', () => {
    const now = Date.UTC(2026, 10, 29, 12);
    expect(parseSince('2h', now).getTime()).toBe(now - 7_200_000);
    expect(parseSince('7d', now).getTime()).toBe(now - 7 * 86_400_000);
    expect(parseSince('2026-11-28T08:00:00Z').toISOString()).toBe('2026-11-28T08:00:00.000Z');
    expect(() => parseSince('yesterday')).toThrow(expect.objectContaining({ code: 'CLI_SINCE_INVALID', hint: expect.stringContaining('relative time such as 30m') }));
  });
  it('--limit', () => {
    expect(parseLimit('25')).toBe(25);
    expect(() => parseLimit('0')).toThrow(/from 1 to 1000/);
    expect(() => parseLimit('ten')).toThrow(/--limit/);
  });
});
