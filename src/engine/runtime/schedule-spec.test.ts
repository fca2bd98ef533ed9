import { describe, expect, it } from 'vitest';
import { nextCronRun, nextRun, parseCron, parseInterval } from './schedule-spec.js';

describe('schedule specs', () => {
  it('parses intervals', () => {
    expect([parseInterval('250ms', 's'), parseInterval('30s', 's'), parseInterval('5m', 's'), parseInterval('2h', 's'), parseInterval('1d', 's'), parseInterval(1500, 's')]).toEqual([
      250, 30_000, 300_000, 7_200_000, 86_400_000, 1500,
    ]);
    expect(() => parseInterval('5 minutes', 'poll')).toThrow(/schedule poll: interval "5 minutes" is not a duration/);
    expect(() => parseInterval(0, 'poll')).toThrow(/not a duration/);
  });

  it('validates cron expressions and time zones', () => {
    expect(parseCron(' 0  3 * * * ', undefined, 's')).toBe('0 3 * * *');
    expect(parseCron('*/10 * * * * *', 'Europe/Amsterdam', 's')).toBe('*/10 * * * * *');
    expect(() => parseCron('0 3 * *', undefined, 'nightly')).toThrow(/nightly: cron expression "0 3 \* \*" is invalid: it has 4 fields/);
    expect(() => parseCron('0 25 * * *', undefined, 'nightly')).toThrow(/invalid/);
    expect(() => parseCron('0 3 * * *', 'Nowhere/City', 'nightly')).toThrow(/time zone "Nowhere\/City" is unknown/);
  });

  it('evaluates cron in its time zone', () => {
    // 03:00 in Amsterdam on 29 Nov 2026 (winter time, UTC+1) is 02:00 UTC.
    expect(new Date(nextCronRun('0 3 * * *', 'Europe/Amsterdam', Date.UTC(2026, 10, 29, 0, 0))).toISOString()).toBe('2026-11-29T02:00:00.000Z');
    expect(new Date(nextCronRun('0 3 * * *', 'UTC', Date.UTC(2026, 10, 29, 3, 0))).toISOString()).toBe('2026-11-30T03:00:00.000Z');
  });

  it('after downtime a schedule fires once and continues on its grid, not once per missed run', () => {
    expect(nextRun({ everyMs: 1000, cron: null, tz: null }, 10_000, 10_200)).toBe(11_000);
    expect(nextRun({ everyMs: 1000, cron: null, tz: null }, 10_000, 15_500)).toBe(16_000);
    const due = Date.UTC(2026, 10, 20, 3);
    const now = Date.UTC(2026, 10, 29, 12);
    expect(new Date(nextRun({ everyMs: null, cron: '0 3 * * *', tz: 'UTC' }, due, now)).toISOString()).toBe('2026-11-30T03:00:00.000Z');
  });
});
