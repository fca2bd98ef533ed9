// A small JSON Schema (draft 2020-12) checker for the keywords the `shopify-webhook-schemas` package uses:
// type (one or a list), properties, required, items, anyOf, format (date-time, uri, email). Enough to hold the
// sandbox's webhook payloads to Shopify's example shapes without another dependency.

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  format?: string;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
  uri: (s) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(s),
  email: (s) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s),
};

/**
 * Problems of `value` against `schema` (empty = valid). `nullable` lists paths (like `image` or
 * `line_items[].vendor`) where null is accepted although the inferred schema has no null type.
 */
export function validateJson(schema: JsonSchema, value: unknown, nullable: ReadonlySet<string> = new Set(), path = ''): string[] {
  const here = path || '(root)';
  if (schema.anyOf) {
    const ok = schema.anyOf.some((s) => validateJson(s, value, nullable, path).length === 0);
    return ok ? [] : [`${here}: matches none of anyOf`];
  }
  const problems: string[] = [];
  const t = typeOf(value);
  if (schema.type !== undefined) {
    const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
    const fits = allowed.includes(t) || (t === 'integer' && allowed.includes('number')) || (t === 'null' && nullable.has(path.replace(/\[\d+\]/g, '[]')));
    if (!fits) return [`${here}: ${t} is not ${allowed.join(' or ')}`];
  }
  if (t === 'string' && schema.format && FORMATS[schema.format] && !FORMATS[schema.format]!(value as string)) problems.push(`${here}: "${String(value)}" is not a ${schema.format}`);
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) problems.push(`${path ? `${path}.` : ''}${r}: missing`);
    for (const [k, sub] of Object.entries(schema.properties ?? {})) {
      if (k in obj) problems.push(...validateJson(sub, obj[k], nullable, path ? `${path}.${k}` : k));
    }
  }
  if (t === 'array' && schema.items) (value as unknown[]).forEach((v, i) => problems.push(...validateJson(schema.items!, v, nullable, `${path}[${i}]`)));
  return problems;
}
