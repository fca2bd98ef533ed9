import { describe, expect, it } from 'vitest';
import { recordKey, type Category } from '../../core/index.js';
import { categoriesSettings, type CategoriesSettingsInput } from '../../config/categories.js';
import { collectionHandle } from '../../connectors/shopify/collections.js';
import { compileCategoryFieldMap, mapCategories } from './map.js';

function cat(id: number, name: string, parent: number | null, extra: Partial<Category> = {}): Category {
  return { key: recordKey('ccv', id), name, parentKey: parent === null ? null : recordKey('ccv', parent), path: [name], descriptionHtml: null, position: null, ...extra };
}

async function map(categories: Category[], s: CategoriesSettingsInput = {}) {
  const settings = categoriesSettings({ categories: s });
  return mapCategories(categories, settings, compileCategoryFieldMap(settings));
}

const TREE = [cat(1, 'Kleding', null, { descriptionHtml: '<p>Alles</p>' }), cat(2, 'Heren', 1), cat(3, 'T-shirts', 2)];

describe('categories → collections: mapping', () => {
  it('titles are the path from the root (paths come from the parent links, not the reader\'s path)', async () => {
    const set = await map(TREE);
    expect(set.byId.get('3')!.target).toEqual({ categoryId: '3', title: 'Kleding > Heren > T-shirts', descriptionHtml: '', tag: 'ccv-cat-3' });
    expect(set.byId.get('1')!.target!.descriptionHtml).toBe('<p>Alles</p>');
    expect(set.byId.get('3')!.handle).toBe('kleding-heren-t-shirts');
  });

  it('the title may be the plain name, another separator, or a field-map expression', async () => {
    expect((await map(TREE, { title: 'name' })).byId.get('3')!.target!.title).toBe('T-shirts');
    expect((await map(TREE, { pathSeparator: ' / ' })).byId.get('3')!.target!.title).toBe('Kleding / Heren / T-shirts');
    const expr = await map(TREE, { fields: { title: { expr: 'depth > 1 ? names[-1] & " (" & names[0] & ")" : name' } } });
    expect(expr.byId.get('3')!.target!.title).toBe('T-shirts (Kleding)');
    expect(expr.byId.get('1')!.target!.title).toBe('Kleding');
  });

  it('an empty name and a parent loop are quarantined with the reason and a fix; their neighbours are not', async () => {
    const set = await map([...TREE, cat(4, '  ', 1), cat(5, 'A', 6), cat(6, 'B', 5), cat(7, 'Zelf', 7)]);
    const empty = set.byId.get('4')!;
    expect(empty.target).toBeNull();
    expect(empty.problems.map((p) => [p.code, p.message, p.hint])).toEqual([['CATEGORY_NAME_EMPTY', 'CCV category 4 has an empty name', 'give the category a name in the source system']]);
    for (const id of ['5', '6']) {
      const m = set.byId.get(id)!;
      expect(m.target).toBeNull();
      expect(m.problems[0]!.code).toBe('CATEGORY_PARENT_INVALID');
      expect(m.problems[0]!.message).toMatch(/its parents form a loop/);
      expect(m.problems[0]!.hint).toBe('move the category to a proper parent in the source system');
    }
    expect(set.byId.get('7')!.problems[0]!.message).toBe('CCV category 7 has an invalid parent category: it is its own parent');
    expect(set.byId.get('3')!.target).not.toBeNull();
  });

  it('a field map that yields an empty title quarantines the category', async () => {
    const set = await map(TREE, { fields: { title: { expr: 'depth > 2 ? "" : name' } } });
    expect(set.byId.get('3')!.problems.map((p) => [p.code, p.field])).toEqual([['CATEGORY_NAME_EMPTY', 'title']]);
    expect(set.byId.get('2')!.target!.title).toBe('Heren');
  });

  it('a title longer than Shopify allows is shortened with a note', async () => {
    const long = 'x'.repeat(300);
    const set = await map([cat(1, long, null)]);
    const m = set.byId.get('1')!;
    expect(Array.from(m.target!.title)).toHaveLength(255);
    expect(m.problems.map((p) => [p.code, p.severity])).toEqual([['TEXT_TRUNCATED', 'warning']]);
  });

  it('categories with the same path get distinct handles: the lowest id keeps the plain one', async () => {
    const set = await map([cat(40, 'Sale', null), cat(9, 'Sale', null), cat(12, 'SALE!', null)]);
    expect(set.byId.get('9')!.handle).toBe('sale');
    expect(set.byId.get('12')!.handle).toBe('sale-12');
    expect(set.byId.get('40')!.handle).toBe('sale-40');
  });

  it('handles: accents folded, punctuation dropped, nothing usable falls back to the id', async () => {
    expect(collectionHandle(['Boeken & Media', 'Crème brûlée'])).toBe('boeken-media-creme-brulee');
    expect(collectionHandle(['🎁'])).toBe('');
    expect((await map([cat(8, '🎁 ✨', null)])).byId.get('8')!.handle).toBe('ccv-category-8');
    expect(collectionHandle(['a'.repeat(300)])).toHaveLength(200);
  });

  it('settings are checked with the setting named', () => {
    expect(categoriesSettings(undefined)).toMatchObject({ enabled: false, title: 'path', pathSeparator: ' > ', onDelete: 'keep' });
    expect(() => categoriesSettings({ categories: { title: 'full' } })).toThrow(/flows\.categories\.title: expected "path" \(Kleding > Heren > Shirts\) or "name"/);
    expect(() => categoriesSettings({ categories: { onDelete: 'delete' } })).toThrow(/flows\.categories\.onDelete: expected "keep" or "unpublish"/);
    expect(() => categoriesSettings({ categories: { tittle: 'name' } })).toThrow(/flows\.categories/);
    const settings = categoriesSettings({ categories: { fields: { handle: 'name' } } });
    expect(() => compileCategoryFieldMap(settings)).toThrow(/flows\.categories\.fields\.handle: not a field this flow writes; known fields: title, descriptionHtml/);
  });
});
