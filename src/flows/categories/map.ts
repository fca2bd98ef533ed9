/**
 * CCV category (canonical, as read) → the collection Koppel wants in Shopify: the field map with the
 * merchant's overrides (title as the path "Kleding > Heren > Shirts" or the plain name, description),
 * the product tag that drives membership, a handle from the path, then validated and fitted to
 * Shopify's limits. Bad categories (empty name, a parent loop) come back with their problems.
 */
import {
  categoryPaths, fitCategoryForShopify, problem, recordKeyString, recordLabel, validateCategory, validateCategoryTree, type Category, type Problem,
} from '../../core/index.js';
import { CATEGORY_TARGET_FIELDS, type CategoriesSettings } from '../../config/categories.js';
import { collectionHandle, suffixedHandle, type CollectionTarget } from '../../connectors/shopify/collections.js';
import { compileFieldMap, evaluateFieldMap, type CompiledFieldMap, type FieldPolicy, type FieldRuleInput } from '../../mapping/fieldmap.js';
import { categoryTag } from '../products/map.js';

export type CategoryTargetField = (typeof CATEGORY_TARGET_FIELDS)[number];

/** The default field map: collection field ← path in the source view (see `categoryView`). */
export function defaultCategoryFields(settings: Pick<CategoriesSettings, 'title'>): Record<CategoryTargetField, FieldRuleInput> {
  return { title: settings.title === 'name' ? 'name' : 'path', descriptionHtml: 'description' };
}

export function compileCategoryFieldMap(settings: CategoriesSettings): CompiledFieldMap {
  return compileFieldMap(defaultCategoryFields(settings), settings.fields, 'flows.categories.fields', CATEGORY_TARGET_FIELDS);
}

export function categoryPolicies(map: CompiledFieldMap): Record<CategoryTargetField, FieldPolicy> {
  const out = {} as Record<CategoryTargetField, FieldPolicy>;
  for (const f of CATEGORY_TARGET_FIELDS) out[f] = map.get(f)?.policy ?? 'always';
  return out;
}

/**
 * What field-map paths and expressions see: `id`, `name`, `path` (names joined with the separator),
 * `names` (root first), `parentId`, `depth` (1 for a root), `position`, `description`.
 */
export function categoryView(c: Category, names: readonly string[], separator: string): Record<string, unknown> {
  const parts = names.map((n) => n.trim()).filter((n) => n !== '');
  return {
    id: c.key.id,
    name: c.name,
    path: parts.join(separator),
    names: parts,
    parentId: c.parentKey?.id ?? null,
    depth: names.length,
    position: c.position,
    description: c.descriptionHtml ?? '',
  };
}

export interface MappedCategory {
  category: Category;
  /** Names from the root down to this category. */
  names: string[];
  /** Null when an error prevents building it. */
  target: CollectionTarget | null;
  /** The handle a new collection gets (existing collections keep theirs). */
  handle: string;
  problems: Problem[];
}

export interface CategorySet {
  mapped: MappedCategory[];
  byId: Map<string, MappedCategory>;
}

/**
 * Maps every category of one read. Problems across the set (parent loops) are found here, and
 * handles are made unique across the set: when several categories have the same path, the one with
 * the lowest id keeps the plain handle and the others get `-<id>`.
 */
export async function mapCategories(categories: readonly Category[], settings: CategoriesSettings, fieldMap: CompiledFieldMap): Promise<CategorySet> {
  const tree = validateCategoryTree(categories);
  const paths = categoryPaths(categories);
  const mapped: MappedCategory[] = [];
  for (const c of categories) {
    const names = paths.get(recordKeyString(c.key)) ?? c.path;
    mapped.push(await mapCategory(c, names, [...validateCategory(c), ...(tree.get(recordKeyString(c.key)) ?? [])], settings, fieldMap));
  }
  const byBase = new Map<string, MappedCategory[]>();
  for (const m of mapped) {
    const list = byBase.get(m.handle) ?? [];
    list.push(m);
    byBase.set(m.handle, list);
  }
  for (const list of byBase.values()) {
    if (list.length < 2) continue;
    list.sort((a, b) => compareIds(a.category.key.id, b.category.key.id));
    for (const m of list.slice(1)) m.handle = suffixedHandle(m.handle, m.category.key.id);
  }
  return { mapped, byId: new Map(mapped.map((m) => [m.category.key.id, m])) };
}

function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

async function mapCategory(c: Category, names: readonly string[], problems: Problem[], settings: CategoriesSettings, fieldMap: CompiledFieldMap): Promise<MappedCategory> {
  const id = c.key.id;
  const handle = collectionHandle(names) || `ccv-category-${collectionHandle([id]) || 'x'}`;
  const base: MappedCategory = { category: c, names: [...names], target: null, handle, problems };
  if (problems.some((p) => p.severity === 'error')) return base;
  const values = await evaluateFieldMap(fieldMap, categoryView(c, names, settings.pathSeparator));
  const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
  const record = recordLabel('category', c.key);
  let title = str(values.title).trim();
  if (title === '') {
    return { ...base, problems: [...problems, problem('CATEGORY_NAME_EMPTY', {}, { record, field: 'title' })] };
  }
  // Shopify's collection title limit; fitCategoryForShopify fits the name, so the title travels as the name.
  const fitted = fitCategoryForShopify({ ...c, name: title });
  title = fitted.record.name;
  return {
    ...base,
    target: { categoryId: id, title, descriptionHtml: str(values.descriptionHtml), tag: categoryTag(id) },
    problems: [...problems, ...fitted.notes],
  };
}
