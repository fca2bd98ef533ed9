import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompiledSearch, parseSearch, SearchIndex } from './search.js';
import type { SearchSpec } from './search.js';

const spec: SearchSpec = {
  fields: { sku: 'text', title: 'text', tag: 'keyword', tag_not: 'keyword_not', updated_at: 'date', price: 'number', id: 'id', status: 'keyword', gift_card: 'boolean' },
  negates: { tag_not: 'tag' },
  prefixes: { 'metafields.': 'keyword' },
  defaultFields: ['title', 'sku'],
};

const doc = {
  id: 'gid://shopify/Product/9007199254740993',
  sku: 'CCV-1001-RED-M',
  title: 'Polo shirt cotton',
  tag: ['ccv', 'ccv-cat-12'],
  updated_at: '2026-07-14T10:00:00Z',
  price: ['29.95', '31.00'],
  status: 'active',
  gift_card: false,
  'metafields.ccv.article_id': '1001',
};

const m = (q: string, d: Record<string, unknown> = doc) => new CompiledSearch(q, spec).matches(d as never);

describe('search syntax', () => {
  it('matches field:value, quoted phrases and tokenised SKUs (which are not exact)', () => {
    expect(m('sku:"CCV-1001-RED-M"')).toBe(true);
    expect(m('sku:CCV-1001')).toBe(true); // tokenised: a prefix-like SKU also matches, callers must post-filter
    expect(m('sku:"ccv-1001-red-m"')).toBe(true); // case-insensitive
    expect(m('sku:"CCV-1001-BLU-M"')).toBe(false);
    expect(m("sku:'CCV-1001-RED-M'")).toBe(true);
    expect(m('sku:CCV-10*')).toBe(true);
  });

  it('compares dates with > < >= <= and treats a bare date as the whole day', () => {
    expect(m("updated_at:>'2026-07-14T09:59:59Z'")).toBe(true);
    expect(m("updated_at:>'2026-07-14T10:00:00Z'")).toBe(false);
    expect(m("updated_at:>='2026-07-14T10:00:00Z'")).toBe(true);
    expect(m('updated_at:<2026-07-14')).toBe(false);
    expect(m('updated_at:2026-07-14')).toBe(true);
    expect(m('updated_at:>2026-07-13')).toBe(true);
    expect(m('updated_at:<=2026-07-14')).toBe(true);
  });

  it('supports AND, OR, NOT, -field, parentheses and implicit AND', () => {
    expect(m('tag:ccv AND tag:ccv-cat-12')).toBe(true);
    expect(m('tag:ccv tag:other')).toBe(false);
    expect(m('tag:other OR tag:ccv')).toBe(true);
    expect(m('NOT tag:ccv')).toBe(false);
    expect(m('-tag:ccv')).toBe(false);
    expect(m('-tag:other')).toBe(true);
    expect(m('(tag:other OR tag:ccv) AND status:active')).toBe(true);
    expect(m('(tag:other OR tag:nope) AND status:active')).toBe(false);
    expect(m('tag_not:ccv')).toBe(false);
    expect(m('tag_not:other')).toBe(true);
  });

  it('compares numbers and ids without losing precision beyond 2^53', () => {
    expect(m('price:>30')).toBe(true);
    expect(m('price:<29')).toBe(false);
    expect(m('id:9007199254740993')).toBe(true);
    expect(m('id:9007199254740992')).toBe(false);
    expect(m('id:>9007199254740992')).toBe(true);
    expect(m('metafields.ccv.article_id:1001')).toBe(true);
    expect(m('gift_card:false')).toBe(true);
  });

  it('matches bare words against the default fields', () => {
    expect(m('polo')).toBe(true);
    expect(m('"shirt cotton"')).toBe(true);
    expect(m('"cotton shirt"')).toBe(false);
  });

  it('ignores an unknown field with a warning instead of narrowing the result', () => {
    const s = new CompiledSearch('colour:red', spec);
    expect(s.matches(doc as never)).toBe(true);
    expect(s.warnings).toEqual([{ field: 'colour', message: 'Invalid search field for this query.' }]);
    const s2 = new CompiledSearch('colour:red tag:other', spec);
    expect(s2.matches(doc as never)).toBe(false);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (q) => {
        parseSearch(q);
        new CompiledSearch(q, spec).matches(doc as never);
      }),
      { numRuns: 400 },
    );
  });
});

describe('search index lag', () => {
  it('shows writes only after the lag, and deletions too', () => {
    let now = 1000;
    const idx = new SearchIndex(() => now, 500);
    idx.put('P', 'a', { title: 'one' });
    expect([...idx.visible('P')]).toEqual([]);
    now = 1500;
    expect([...idx.visible('P')]).toEqual([['a', { title: 'one' }]]);
    idx.put('P', 'a', { title: 'two' });
    now = 1700;
    expect([...idx.visible('P')].map(([, d]) => d.title)).toEqual(['one']);
    now = 2000;
    expect([...idx.visible('P')].map(([, d]) => d.title)).toEqual(['two']);
    idx.remove('P', 'a');
    expect([...idx.visible('P')]).toHaveLength(1);
    now = 2500;
    expect([...idx.visible('P')]).toHaveLength(0);
  });
});

describe('single document lookups', () => {
  it('respect the lag like full scans', () => {
    let now = 0;
    const idx = new SearchIndex(() => now, 100);
    idx.put('P', 'a', { title: 'one' });
    expect(idx.visibleDoc('P', 'a')).toBeNull();
    now = 100;
    expect(idx.visibleDoc('P', 'a')).toEqual({ title: 'one' });
    expect(idx.visibleDoc('P', 'b')).toBeNull();
  });
});
