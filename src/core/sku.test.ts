import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SkuDuplicateDetector, checkSku, isMissingSku, normalizeSku, skuFoldKey, skuWithProblems } from './sku.js';

// Fixed seed, so every run checks the same cases (deterministic tests); set KOPPEL_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.KOPPEL_FC_SEED ?? 20251129) });

describe('checkSku', () => {
  it('trims, collapses inner whitespace and NFC-normalises, preserving case', () => {
    expect(checkSku('  TSHIRT-01-M\t')).toEqual({ kind: 'ok', sku: 'TSHIRT-01-M' });
    expect(checkSku('ABC \t  123')).toEqual({ kind: 'ok', sku: 'ABC 123' });
    expect(checkSku('ABC\u00a0123')).toEqual({ kind: 'ok', sku: 'ABC 123' });
    expect(checkSku('\ufeffABC')).toEqual({ kind: 'ok', sku: 'ABC' });
    expect(checkSku('Cafe\u0301')).toEqual({ kind: 'ok', sku: 'Café' });
    expect(checkSku('tshirt-01-m')).toEqual({ kind: 'ok', sku: 'tshirt-01-m' });
    expect(checkSku(12345)).toEqual({ kind: 'ok', sku: '12345' });
  });

  it('detects missing SKUs', () => {
    for (const v of [null, undefined, '', '   ', '\n\t']) expect(isMissingSku(v)).toBe(true);
    expect(isMissingSku('0')).toBe(false);
    expect(normalizeSku(null)).toBeNull();
  });

  it('refuses inner line breaks and invisible characters, naming them', () => {
    expect(checkSku('ABC\n123')).toMatchObject({ kind: 'invalid', reason: 'it contains a line break' });
    expect(checkSku('ABC\u200b123')).toEqual({ kind: 'invalid', reason: 'it contains the invisible character U+200B', shown: '"ABC<U+200B>123"' });
    expect(checkSku('A\u0007B')).toMatchObject({ kind: 'invalid' });
    expect(checkSku({})).toMatchObject({ kind: 'invalid', reason: 'it is a object, not text' });
    expect(normalizeSku('A\u200bB')).toBeUndefined();
  });

  it('skuWithProblems turns each outcome into a typed problem naming the record', () => {
    const at = { system: 'ccv' as const, record: 'CCV product 555', field: 'variants[0].sku' };
    expect(skuWithProblems(' X1 ', at)).toEqual({ sku: 'X1', problems: [] });
    const missing = skuWithProblems('', at);
    expect(missing.problems[0]).toMatchObject({ code: 'SKU_MISSING', severity: 'error', record: 'CCV product 555', field: 'variants[0].sku' });
    expect(missing.problems[0]?.message).toBe('CCV product 555 has no SKU in CCV');
    expect(missing.problems[0]?.hint).toBe('fill in the SKU (article number) in CCV');
    expect(skuWithProblems('', { ...at, required: false }).problems).toEqual([]);
    expect(skuWithProblems('A\u200bB', at).problems[0]?.code).toBe('SKU_INVALID');
    const long = skuWithProblems('X'.repeat(256), at);
    expect(long.sku).toBeNull();
    expect(long.problems[0]).toMatchObject({ code: 'SKU_TOO_LONG', details: { length: 256, limit: 255 } });
  });

  it('property: normalisation is idempotent and never leaves edge or double whitespace', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const c = checkSku(s);
        if (c.kind !== 'ok') return;
        expect(checkSku(c.sku)).toEqual(c);
        expect(c.sku).toBe(c.sku.trim());
        expect(c.sku).not.toMatch(/\s\s/);
        expect(c.sku.normalize('NFC')).toBe(c.sku);
      }),
    );
  });

  it('property: surrounding whitespace never changes the SKU', () => {
    const ws = fc.constantFrom(' ', '\t', '\u00a0', '\n', '\u3000');
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _./-]{0,20}[A-Za-z0-9]$/), fc.array(ws), fc.array(ws), (sku, pre, post) => {
        expect(normalizeSku(pre.join('') + sku + post.join(''))).toBe(sku.replace(/ +/g, ' '));
      }),
    );
  });
});

describe('SkuDuplicateDetector', () => {
  it('reports an exact duplicate naming both owners, as in the house example', () => {
    const d = new SkuDuplicateDetector('ccv');
    expect(d.add('TSHIRT-01-M', 'product 555')).toEqual([]);
    const [p] = d.add('TSHIRT-01-M', 'product 556');
    expect(p?.code).toBe('SKU_DUPLICATE');
    expect(p?.severity).toBe('error');
    expect(p?.message).toBe('SKU TSHIRT-01-M appears on two CCV variants (products 555 and 556)');
    expect(p?.hint).toBe('make the SKU unique in CCV');
    expect(p?.record).toBe('CCV product 556');
  });

  it('reports case-only differences as warnings, once per spelling', () => {
    const d = new SkuDuplicateDetector('ccv');
    d.add('TSHIRT-01-M', 'product 555');
    const [w] = d.add('tshirt-01-m', 'product 556');
    expect(w?.code).toBe('SKU_NEAR_DUPLICATE');
    expect(w?.severity).toBe('warning');
    expect(w?.message).toBe('SKU tshirt-01-m (product 556) and SKU TSHIRT-01-M (product 555) differ only in upper/lower case in CCV');
    expect(d.add('ＴＳＨＩＲＴ-01-M', 'product 557')[0]?.code).toBe('SKU_NEAR_DUPLICATE');
    // a third owner of the lower-case spelling is an exact duplicate, not another warning
    expect(d.add('tshirt-01-m', 'product 558').map((p) => p.code)).toEqual(['SKU_DUPLICATE']);
  });

  it('lists every duplicate group with all owners at the end of the stream', () => {
    const d = new SkuDuplicateDetector('shopify');
    for (const [sku, owner] of [
      ['A', 'product 1'],
      ['B', 'product 2'],
      ['A', 'product 3'],
      ['A', 'product 4'],
      ['C', 'product 5'],
    ] as const)
      d.add(sku, owner);
    expect(d.size).toBe(3);
    expect([...d.duplicates()]).toEqual([['A', ['product 1', 'product 3', 'product 4']]]);
    expect(d.duplicateProblems()[0]?.message).toBe('SKU A appears on three Shopify variants (products 1, 3 and 4)');
  });

  it('property: a duplicate is reported exactly when a SKU repeats', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('A', 'B', 'C', 'a', 'D-1', 'd-1'), { maxLength: 30 }), (skus) => {
        const d = new SkuDuplicateDetector('ccv');
        const seen = new Set<string>();
        skus.forEach((sku, i) => {
          const codes = d.add(sku, `product ${i}`).map((p) => p.code);
          expect(codes.includes('SKU_DUPLICATE')).toBe(seen.has(sku));
          if (codes.includes('SKU_NEAR_DUPLICATE')) expect([...seen].some((s) => s !== sku && skuFoldKey(s) === skuFoldKey(sku))).toBe(true);
          seen.add(sku);
        });
        const total = [...d.duplicates().values()].reduce((s, o) => s + o.length, 0);
        expect(total - d.duplicates().size).toBe(skus.length - seen.size);
      }),
    );
  });
});
