/**
 * Request-body validation against small field specs. Errors name the offending property with its path
 * (`orderrows[1].count`), the way a JSON-schema validator would.
 */
import { ApiError, badField, CODES } from './errors.js';

export type FieldType =
  | 'string'
  | 'int'
  | 'number'
  | 'bool'
  | 'any'
  | { enum: readonly (string | number)[] }
  | { object: Spec; open?: boolean }
  | { array: FieldSpec; maxItems?: number };

export interface FieldSpec {
  type: FieldType;
  nullable?: boolean;
  required?: boolean;
  min?: number;
  max?: number;
  maxLength?: number;
  /** Extra check; return a problem text ("must ...") or undefined. */
  check?: (v: unknown) => string | undefined;
}

export type Spec = Record<string, FieldSpec>;

export function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') throw new ApiError(400, CODES.badJson, 'Request body is empty; a JSON object is required');
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new ApiError(400, CODES.badJson, `Request body is not valid JSON: ${(e as Error).message}`);
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function checkValue(path: string, v: unknown, f: FieldSpec, rejectUnknown: boolean): void {
  if (v === null) {
    if (f.nullable) return;
    throw badField(path, 'must not be null');
  }
  const t = f.type;
  if (t === 'any') return;
  if (t === 'string') {
    if (typeof v !== 'string') throw badField(path, `must be a string, got ${typeName(v)}`);
    if (f.maxLength !== undefined && v.length > f.maxLength) throw badField(path, `must be at most ${f.maxLength} characters`);
  } else if (t === 'int' || t === 'number') {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw badField(path, `must be a ${t === 'int' ? 'integer' : 'number'}, got ${typeName(v)}`);
    if (t === 'int' && !Number.isInteger(v)) throw badField(path, `must be an integer, got ${v}`);
    if (f.min !== undefined && v < f.min) throw badField(path, `must be at least ${f.min}, got ${v}`);
    if (f.max !== undefined && v > f.max) throw badField(path, `must be at most ${f.max}, got ${v}`);
  } else if (t === 'bool') {
    if (typeof v !== 'boolean') throw badField(path, `must be a boolean, got ${typeName(v)}`);
  } else if ('enum' in t) {
    if (!t.enum.includes(v as string | number)) throw badField(path, `must be one of ${t.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(v)}`);
  } else if ('object' in t) {
    if (typeof v !== 'object' || Array.isArray(v)) throw badField(path, `must be an object, got ${typeName(v)}`);
    validateObject(v as Record<string, unknown>, t.object, { rejectUnknown: rejectUnknown && !t.open, path });
  } else if ('array' in t) {
    if (!Array.isArray(v)) throw badField(path, `must be an array, got ${typeName(v)}`);
    if (t.maxItems !== undefined && v.length > t.maxItems) throw badField(path, `must have at most ${t.maxItems} items`);
    v.forEach((item, i) => checkValue(`${path}[${i}]`, item, t.array, rejectUnknown));
  }
  const problem = f.check?.(v);
  if (problem) throw badField(path, problem);
}

export function validateObject(
  body: Record<string, unknown>,
  spec: Spec,
  opts: { rejectUnknown: boolean; path?: string; requireAll?: boolean },
): void {
  const prefix = opts.path ? `${opts.path}.` : '';
  for (const [name, f] of Object.entries(spec)) {
    if (f.required && !(name in body)) throw badField(prefix + name, 'is required');
  }
  for (const [name, v] of Object.entries(body)) {
    const f = spec[name];
    if (!f) {
      if (opts.rejectUnknown) throw badField(prefix + name, `is not allowed here; allowed: ${Object.keys(spec).join(', ')}`);
      continue;
    }
    checkValue(prefix + name, v, f, opts.rejectUnknown);
  }
}

/** Validates a request body that must be a JSON object and returns it typed loosely. */
export function validateBody(body: unknown, spec: Spec, rejectUnknown: boolean): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, CODES.badRequest, `Request body must be a JSON object, got ${typeName(body)}`);
  }
  validateObject(body as Record<string, unknown>, spec, { rejectUnknown });
  return body as Record<string, unknown>;
}

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
