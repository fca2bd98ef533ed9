// Small helpers shared by the operation modules.
import { GraphQLError } from 'graphql';
import type { RequestContext } from '../context.js';
import { parseGid } from '../gid.js';
import { unsupported } from '../registry.js';

export interface UserErrorView {
  field: string[] | null;
  message: string;
  code: string | null;
}

export function userError(field: (string | number)[] | null, message: string, code: string | null = null): UserErrorView {
  return { field: field ? field.map(String) : null, message, code };
}

/** True when the enum exists in the requested version (e.g. codes removed in 2026-10). */
export function enumHas(ctx: RequestContext, enumName: string, value: string): boolean {
  const t = ctx.schema.schema.getType(enumName);
  return !!t && 'getValue' in t && !!(t as { getValue: (v: string) => unknown }).getValue(value);
}

/** A top-level GraphQL error for input the schema allows but Shopify refuses at runtime. */
export function badRequest(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', ...extra } });
}

// ---- money ----

const DEC = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Canonical 2-decimal string ("29.9" -> "29.90"), rounding half up; null when not a decimal. */
export function money(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const m = DEC.exec(String(value).trim());
  if (!m) return null;
  const neg = m[1] === '-';
  const frac = (m[3] ?? '').padEnd(3, '0');
  let cents = BigInt(m[2]!) * 100n + BigInt(frac.slice(0, 2));
  if (Number(frac[2]) >= 5) cents += 1n;
  const abs = cents.toString().padStart(3, '0');
  const out = `${abs.slice(0, -2)}.${abs.slice(-2)}`;
  return neg && cents !== 0n ? `-${out}` : out;
}

export function moneyCents(value: string): bigint {
  const m = money(value);
  if (m === null) throw new Error(`not a money value: ${value}`);
  return BigInt(m.replace('.', ''));
}

export function compareMoney(a: string, b: string): number {
  const x = moneyCents(a);
  const y = moneyCents(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---- handles, tags, text ----

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `base`, or `base-1`, `base-2`, ... whichever is free (Shopify's handle suffixes). */
export function uniqueHandle(base: string, taken: (h: string) => boolean, fallback: string): string {
  const b = base === '' ? fallback : base;
  if (!taken(b)) return b;
  for (let i = 1; ; i++) {
    const h = `${b}-${i}`;
    if (!taken(h)) return h;
  }
}

export const HANDLE_RE = /^[a-z0-9][a-z0-9_-]*$/;

/** Trimmed, de-duplicated case-insensitively (first spelling wins), sorted like Shopify returns them. */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of tags) {
    for (const part of raw.split(',')) {
      const t = part.trim();
      if (t === '') continue;
      const k = t.toLowerCase();
      if (!seen.has(k)) seen.set(k, t);
    }
  }
  return [...seen.values()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()) || (a < b ? -1 : a > b ? 1 : 0));
}

export function validateTags(tags: readonly string[], field: string[]): UserErrorView | null {
  if (tags.length > 250) return userError(field, 'Tags cannot exceed 250 tags.');
  const long = tags.find((t) => t.length > 255);
  if (long) return userError(field, `Tag "${long.slice(0, 40)}..." is too long (maximum is 255 characters).`);
  return null;
}

export function stripHtml(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

export function truncate(text: string, at: number | null | undefined): string {
  if (!at || text.length <= at) return text;
  return `${text.slice(0, Math.max(0, at - 3))}...`;
}

// ---- ids ----

/** The GID if it names a `type`, else null (wrong type and malformed alike). */
export function gidOf(value: unknown, type: string): string | null {
  const p = parseGid(value);
  return p && p.type === type ? (value as string).split('?')[0]! : null;
}

/** Argument sort keys the resolver implements; others are refused, never silently ignored. */
export function requireSortKey(enumName: string, value: unknown, supported: readonly string[]): string {
  const v = typeof value === 'string' ? value : supported[0]!;
  if (!supported.includes(v)) throw unsupported(`${enumName}.${v}`);
  return v;
}

export function numericId(g: string): string {
  return parseGid(g)?.id ?? g;
}
