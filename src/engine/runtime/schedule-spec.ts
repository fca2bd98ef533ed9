/** Parsing of schedule specs (intervals and cron expressions) and their next run time. */
import { CronExpressionParser } from 'cron-parser';
import { KoppelError, errorMessage } from '../../core/errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `30s`, `5m`, `2h`, `1d` or a number of milliseconds. */
export function parseInterval(value: number | string, schedule: string): number {
  let ms: number | undefined;
  if (typeof value === 'number') ms = value;
  else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
    if (m) ms = Number(m[1]) * (UNITS[m[2] as string] as number);
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < 1 || !Number.isInteger(Math.round(ms))) {
    throw new KoppelError({
      code: 'SCHEDULE_INTERVAL_INVALID',
      message: `schedule ${schedule}: interval ${JSON.stringify(value)} is not a duration`,
      hint: 'write the interval as a number of milliseconds or like 30s, 5m, 2h, 1d',
      errorClass: 'invalid_input',
    });
  }
  return Math.round(ms);
}

export function assertTimeZone(tz: string, schedule: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new KoppelError({
      code: 'SCHEDULE_TIMEZONE_INVALID',
      message: `schedule ${schedule}: time zone ${JSON.stringify(tz)} is unknown`,
      hint: 'use an IANA time zone name such as Europe/Amsterdam or UTC',
      errorClass: 'invalid_input',
    });
  }
}

/** Validates a cron expression (5 fields, or 6 with seconds first) and returns it normalised. */
export function parseCron(expr: string, tz: string | undefined, schedule: string): string {
  const fields = expr.trim().split(/\s+/);
  const fail = (why: string): never => {
    throw new KoppelError({
      code: 'SCHEDULE_CRON_INVALID',
      message: `schedule ${schedule}: cron expression ${JSON.stringify(expr)} is invalid: ${why}`,
      hint: 'write five fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * *" for 03:00 every day',
      errorClass: 'invalid_input',
    });
  };
  if (fields.length !== 5 && fields.length !== 6) fail(`it has ${fields.length} fields`);
  if (tz) assertTimeZone(tz, schedule);
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: tz ?? 'UTC', strict: false }).next();
  } catch (e) {
    fail(errorMessage(e));
  }
  return fields.join(' ');
}

/** The first cron occurrence strictly after `after` (epoch ms). */
export function nextCronRun(expr: string, tz: string | null, after: number): number {
  const it = CronExpressionParser.parse(expr, { tz: tz ?? 'UTC', currentDate: new Date(after) });
  let next = it.next().getTime();
  // cron-parser's currentDate has second precision: make sure we move strictly forward.
  while (next <= after) next = it.next().getTime();
  return next;
}

/**
 * The next run after a run that was due at `due`, evaluated at `now`. Runs missed while no worker
 * was up are not repeated: an interval continues on its grid after `now`, a cron expression at its
 * next occurrence after `now`.
 */
export function nextRun(spec: { everyMs: number | null; cron: string | null; tz: string | null }, due: number, now: number): number {
  if (spec.everyMs !== null) {
    const every = spec.everyMs;
    if (due + every > now) return due + every;
    return due + (Math.floor((now - due) / every) + 1) * every;
  }
  if (spec.cron !== null) return nextCronRun(spec.cron, spec.tz, Math.max(due, now));
  throw new Error('schedule has neither an interval nor a cron expression');
}
