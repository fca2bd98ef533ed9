/**
 * Declarative field maps: for each target field, where its value comes from (a path in the source
 * record, a constant, or a JSONata expression), optional declarative transforms, and a policy that
 * says when the field may be written. Flows ship a default map; merchants override single fields
 * in koppel.yaml.
 */
import { z } from 'zod';
import { KoppelError } from '../core/errors.js';
import { compileExpression, type CompiledExpression } from './expression.js';

export const FIELD_POLICIES = ['always', 'create_only', 'keep_target_changes'] as const;
export type FieldPolicy = (typeof FIELD_POLICIES)[number];

const TransformSchema = z.union([
  z.enum(['trim', 'upper', 'lower', 'stripHtml', 'emptyToNull']),
  z.strictObject({ truncate: z.number().int().positive() }),
  z.strictObject({ default: z.unknown() }),
  z.strictObject({ map: z.record(z.string(), z.unknown()), otherwise: z.unknown().optional() }),
], { error: 'expected a transform: trim, upper, lower, stripHtml, emptyToNull, {truncate: N}, {default: value} or {map: {...}}' });
export type Transform = z.infer<typeof TransformSchema>;

const policy = z.enum(FIELD_POLICIES, { error: 'expected always, create_only or keep_target_changes' });

/** One field rule as written in koppel.yaml: a bare string is a source path. */
export const FieldRuleSchema = z.union([
  z.string({ error: 'expected a source path, or a rule with from / value / expr' }).min(1),
  z.strictObject({
    from: z.string().min(1).optional().describe('Path in the source record, e.g. brand.name'),
    value: z.unknown().optional().describe('A constant'),
    expr: z.string().min(1).optional().describe('A JSONata expression over the source record'),
    transform: z.array(TransformSchema).optional(),
    policy: policy.optional().describe('always (default), create_only, or keep_target_changes: never overwrite a value edited in the target'),
  }).refine((r) => [r.from, r.value, r.expr].filter((x) => x !== undefined).length <= 1, { error: 'use only one of from, value and expr' }),
]);
export type FieldRuleInput = z.infer<typeof FieldRuleSchema>;

export const FieldMapSchema = z.record(z.string(), FieldRuleSchema);

export interface FieldRule {
  source: { from: string } | { value: unknown } | { expr: CompiledExpression } | { keep: true };
  transform: Transform[];
  policy: FieldPolicy;
}

export type CompiledFieldMap = Map<string, FieldRule>;

/**
 * Merges a flow's default rules with the merchant's overrides and compiles expressions once.
 * `known` lists the target fields the flow understands, so a typo in an override is an error.
 */
export function compileFieldMap(defaults: Record<string, FieldRuleInput>, overrides: Record<string, FieldRuleInput> | undefined, where: string, known: readonly string[]): CompiledFieldMap {
  const out: CompiledFieldMap = new Map();
  const fields = new Set([...Object.keys(defaults), ...Object.keys(overrides ?? {})]);
  for (const field of fields) {
    if (!known.includes(field)) {
      throw new KoppelError({ code: 'MAPPING_UNKNOWN_FIELD', message: `${where}.${field}: not a field this flow writes; known fields: ${known.join(', ')}`, field: `${where}.${field}`, errorClass: 'invalid_input' });
    }
    const base = asObject(defaults[field]);
    const over = asObject(overrides?.[field]);
    // An override that names a source replaces the default's source; one that only sets a policy or transforms keeps it.
    const sourceFrom = over && (over.from !== undefined || over.value !== undefined || over.expr !== undefined) ? over : base;
    const source: FieldRule['source'] = sourceFrom?.expr !== undefined
      ? { expr: compileExpression(sourceFrom.expr, `${where}.${field}`) }
      : sourceFrom?.value !== undefined
        ? { value: sourceFrom.value }
        : sourceFrom?.from !== undefined
          ? { from: sourceFrom.from }
          : { keep: true };
    out.set(field, { source, transform: over?.transform ?? base?.transform ?? [], policy: over?.policy ?? base?.policy ?? 'always' });
  }
  return out;
}

function asObject(rule: FieldRuleInput | undefined): Exclude<FieldRuleInput, string> | undefined {
  return typeof rule === 'string' ? { from: rule } : rule;
}

export function getPath(record: unknown, path: string): unknown {
  let cur: unknown = record;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function applyTransform(v: unknown, t: Transform): unknown {
  if (typeof t === 'string') {
    if (t === 'emptyToNull') return v === '' ? null : v;
    if (typeof v !== 'string') return v;
    switch (t) {
      case 'trim': return v.trim();
      case 'upper': return v.toUpperCase();
      case 'lower': return v.toLowerCase();
      case 'stripHtml': return v.replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ').trim();
    }
  }
  if ('truncate' in t) return typeof v === 'string' ? Array.from(v).slice(0, t.truncate).join('') : v;
  if ('default' in t) return v === undefined || v === null || v === '' ? t.default : v;
  if ('map' in t) {
    const key = v === undefined || v === null ? '' : String(v);
    return Object.prototype.hasOwnProperty.call(t.map, key) ? t.map[key] : 'otherwise' in t && t.otherwise !== undefined ? t.otherwise : v;
  }
  return v;
}

/** Evaluates every rule against one source record. Fields whose rule is `keep` are left out. */
export async function evaluateFieldMap(map: CompiledFieldMap, record: unknown, bindings?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [field, rule] of map) {
    if ('keep' in rule.source) continue;
    let v: unknown = 'from' in rule.source
      ? getPath(record, rule.source.from)
      : 'value' in rule.source
        ? rule.source.value
        : await rule.source.expr.evaluate(record, bindings);
    for (const t of rule.transform) v = applyTransform(v, t);
    out[field] = v;
  }
  return out;
}

/**
 * Whether a field may be written now.
 * - always: every time the source value changes;
 * - create_only: only when the record is created on the target (e.g. a description edited in Shopify afterwards);
 * - keep_target_changes: until someone changes it on the target. "Changed" means the target's value no longer
 *   hashes to what Koppel pushed last; a record linked to an existing target record without a push from Koppel
 *   counts as changed, so a merchant's existing text is never overwritten on the first sync.
 */
export function mayWrite(policy: FieldPolicy, s: { isCreate: boolean; lastPushedHash?: string; targetHash?: string }): boolean {
  if (s.isCreate) return true;
  if (policy === 'always') return true;
  if (policy === 'create_only') return false;
  return s.lastPushedHash !== undefined && s.lastPushedHash === s.targetHash;
}
