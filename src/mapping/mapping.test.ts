import { describe, expect, it } from 'vitest';
import type { KoppelError } from '../core/errors.js';
import { compileExpression } from './expression.js';
import { FieldMapSchema, compileFieldMap, evaluateFieldMap, mayWrite } from './fieldmap.js';

const known = ['title', 'descriptionHtml', 'vendor', 'productType', 'tags'] as const;
const source = { name: '  Polo shirt ', description: '<p>Katoen</p>', brand: { name: 'Acme' }, type: 'shirt', cat: 'Heren > Shirts' };

describe('field maps', () => {
  it('takes values from paths, constants and expressions, with transforms', async () => {
    const map = compileFieldMap(
      { title: { from: 'name', transform: ['trim'] }, descriptionHtml: 'description', vendor: 'brand.name', productType: { value: 'Kleding' } },
      { tags: { expr: '["ccv", $slug(cat)]' } },
      'flows.products.fields',
      known,
    );
    expect(await evaluateFieldMap(map, source)).toEqual({ title: 'Polo shirt', descriptionHtml: '<p>Katoen</p>', vendor: 'Acme', productType: 'Kleding', tags: ['ccv', 'heren-shirts'] });
  });

  it('an override that only sets a policy keeps the default source', async () => {
    const map = compileFieldMap({ descriptionHtml: { expr: 'description' } }, { descriptionHtml: { policy: 'create_only' } }, 'f', known);
    expect(map.get('descriptionHtml')?.policy).toBe('create_only');
    expect(await evaluateFieldMap(map, source)).toEqual({ descriptionHtml: '<p>Katoen</p>' });
  });

  it('applies map, default and truncate transforms in order', async () => {
    const map = compileFieldMap({ productType: { from: 'type', transform: [{ map: { shirt: 'Shirts' }, otherwise: 'Overig' }] }, vendor: { from: 'nope', transform: [{ default: 'Onbekend' }] }, title: { from: 'name', transform: ['trim', { truncate: 4 }] } }, undefined, 'f', known);
    expect(await evaluateFieldMap(map, source)).toEqual({ productType: 'Shirts', vendor: 'Onbekend', title: 'Polo' });
  });

  it('names the setting of a field the flow does not know', () => {
    expect(() => compileFieldMap({}, { titel: 'name' }, 'flows.products.fields', known)).toThrow(/flows\.products\.fields\.titel: not a field/);
  });

  it('validates rules as written in koppel.yaml', () => {
    expect(FieldMapSchema.safeParse({ title: 'name', tags: { expr: '[]', policy: 'always' } }).success).toBe(true);
    expect(FieldMapSchema.safeParse({ title: { from: 'a', expr: 'b' } }).success).toBe(false);
    expect(FieldMapSchema.safeParse({ title: { policy: 'sometimes' } }).success).toBe(false);
  });
});

describe('expressions', () => {
  it('reports a parse error with the setting and position', () => {
    const e = (() => { try { compileExpression('name &', 'flows.products.fields.title'); } catch (x) { return x; } })() as KoppelError;
    expect(e.code).toBe('MAPPING_EXPRESSION_INVALID');
    expect(e.message).toMatch(/flows\.products\.fields\.title.*character 6/);
  });

  it('stops runaway expressions with the guards', async () => {
    await expect(compileExpression('( $f := function($n){ $f($n+1) }; $f(0) )', 'x', { timeoutMs: 50 }).evaluate({})).rejects.toMatchObject({ code: 'MAPPING_EXPRESSION_FAILED' });
    await expect(compileExpression('[1..100000000]', 'x').evaluate({})).rejects.toMatchObject({ code: 'MAPPING_EXPRESSION_FAILED' });
  });

  it('offers the pure helper functions, and no access to the host', async () => {
    expect(await compileExpression('$truncate("😀😀😀", 2)', 'x').evaluate({})).toBe('😀😀');
    expect(await compileExpression('$mapValue({"ideal":"iDEAL"}, m, "other")', 'x').evaluate({ m: 'paypal' })).toBe('other');
    expect(await compileExpression('$stripHtml("<b>a</b>&nbsp;b")', 'x').evaluate({})).toBe('a b');
    await expect(compileExpression('$eval("1")', 'x').evaluate({})).resolves.toBe(1);
    await expect(compileExpression('$process', 'x').evaluate({})).resolves.toBeUndefined();
  });
});

describe('field policies', () => {
  it('always writes on create', () => {
    for (const p of ['always', 'create_only', 'keep_target_changes'] as const) expect(mayWrite(p, { isCreate: true })).toBe(true);
  });
  it('create_only never writes on update', () => {
    expect(mayWrite('create_only', { isCreate: false, lastPushedHash: 'a', targetHash: 'a' })).toBe(false);
  });
  it('keep_target_changes writes only while the target still holds what Koppel pushed', () => {
    expect(mayWrite('keep_target_changes', { isCreate: false, lastPushedHash: 'a', targetHash: 'a' })).toBe(true);
    expect(mayWrite('keep_target_changes', { isCreate: false, lastPushedHash: 'a', targetHash: 'b' })).toBe(false);
    expect(mayWrite('keep_target_changes', { isCreate: false, targetHash: 'b' })).toBe(false);
  });
});
