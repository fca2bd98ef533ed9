/** Small terminal formatting helpers: aligned tables, durations, times and relative time input. */
import { KoppelError } from '../core/errors.js';

export interface Column<T> {
  header: string;
  value(row: T): string | number | null | undefined;
  align?: 'left' | 'right';
  /** Longer cells are cut with an ellipsis. */
  max?: number;
}

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  return String(v).replace(/\s+/g, ' ');
}

/** Rows as lines of an aligned, plain-text table with a header line. */
export function formatTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string[] {
  const cells = rows.map((r) =>
    columns.map((c) => {
      const s = cell(c.value(r));
      return c.max !== undefined && [...s].length > c.max ? [...s].slice(0, c.max - 1).join('') + '…' : s;
    }),
  );
  const widths = columns.map((c, i) => Math.max([...c.header].length, ...cells.map((r) => [...(r[i] as string)].length)));
  const pad = (s: string, i: number) => {
    const w = widths[i] as number;
    const fill = ' '.repeat(Math.max(0, w - [...s].length));
    return columns[i]?.align === 'right' ? fill + s : s + fill;
  };
  const line = (vals: string[]) => vals.map(pad).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)];
}

export { formatDuration, formatTime } from '../core/format.js';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `30m`, `2h`, `7d`, `1w` (ago) or an ISO date/time. */
export function parseSince(value: string, now = Date.now()): Date {
  const rel = /^(\d+)\s*([mhdw])$/.exec(value.trim());
  if (rel) return new Date(now - Number(rel[1]) * (UNITS[rel[2] as string] as number));
  const abs = Date.parse(value);
  if (!Number.isNaN(abs) && /^\d{4}-\d{2}-\d{2}/.test(value.trim())) return new Date(abs);
  throw new KoppelError({
    code: 'CLI_SINCE_INVALID',
    message: `--since ${JSON.stringify(value)} is not a time`,
    hint: 'use a relative time such as 30m, 2h, 7d or a date such as 2026-11-29 or 2026-11-29T08:00',
    errorClass: 'invalid_input',
  });
}

export function parseLimit(value: string, max = 1000): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new KoppelError({ code: 'CLI_LIMIT_INVALID', message: `--limit ${JSON.stringify(value)} is not a number from 1 to ${max}`, hint: `pass --limit 50 (at most ${max})`, errorClass: 'invalid_input' });
  }
  return n;
}
