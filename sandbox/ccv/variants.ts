/**
 * Attribute combinations = cartesian product of a product's option-menu values (reference §7.5 A.4).
 * Pure functions, shared by the live state and the data generator.
 *
 * Identity rule: a combination is identified by the SET of attribute value ids it combines. When a product's
 * option values change, combinations whose set still exists survive with their id, sku/ean/product number, stock,
 * note and flags; only their value order and extra price are refreshed. Combinations whose set disappears are
 * deleted; new sets get new ids, empty sku/ean/product number and the stock given with the productattributevalue
 * POST (0 when none was given). Consequence: adding or removing a whole option menu replaces every combination.
 */
import type { AttributeType, CombinationRec, ProductAttributeValueRec } from './model.js';
import { COMBINATION_TYPES } from './model.js';

export function combinationKey(valueIds: readonly number[]): string {
  return [...valueIds].sort((a, b) => a - b).join(',');
}

/**
 * Option-menu value groups of one product, in option order (optionposition, then attribute id), each group's values
 * in value order (position, then id). Non-option attributes (text, additional menus) do not generate combinations.
 */
export function optionGroups(
  pavs: readonly ProductAttributeValueRec[],
  typeOf: (attributeId: number) => AttributeType | undefined,
): ProductAttributeValueRec[][] {
  const groups = new Map<number, ProductAttributeValueRec[]>();
  for (const pav of pavs) {
    const t = typeOf(pav.attribute_id);
    if (t === undefined || !COMBINATION_TYPES.has(t)) continue;
    let g = groups.get(pav.attribute_id);
    if (!g) groups.set(pav.attribute_id, (g = []));
    g.push(pav);
  }
  const list = [...groups.values()];
  for (const g of list) g.sort((a, b) => a.position - b.position || a.id - b.id);
  const optionPos = (g: ProductAttributeValueRec[]): number => Math.min(...g.map((p) => p.optionposition));
  list.sort((a, b) => optionPos(a) - optionPos(b) || (a[0] as ProductAttributeValueRec).attribute_id - (b[0] as ProductAttributeValueRec).attribute_id);
  return list;
}

/** Number of combinations the groups produce (0 when the product has no option menus). */
export function combinationCount(groups: readonly (readonly unknown[])[]): number {
  if (groups.length === 0) return 0;
  let n = 1;
  for (const g of groups) n *= g.length;
  return n;
}

/** Every tuple of value ids, first option varying slowest. */
export function cartesian(groups: readonly (readonly ProductAttributeValueRec[])[]): number[][] {
  if (groups.length === 0) return [];
  let out: number[][] = [[]];
  for (const g of groups) {
    const next: number[][] = [];
    for (const prefix of out) for (const pav of g) next.push([...prefix, pav.value_id]);
    out = next;
  }
  return out;
}

export interface RegenerationPlan {
  /** Surviving combinations with their refreshed value order. */
  keep: { combination: CombinationRec; value_ids: number[] }[];
  /** Value tuples that need a new combination. */
  create: number[][];
  /** Combinations to delete. */
  remove: CombinationRec[];
}

export function planRegeneration(existing: readonly CombinationRec[], tuples: readonly number[][]): RegenerationPlan {
  const byKey = new Map<string, CombinationRec>();
  for (const c of existing) byKey.set(combinationKey(c.value_ids), c);
  const keep: RegenerationPlan['keep'] = [];
  const create: number[][] = [];
  const seen = new Set<string>();
  for (const t of tuples) {
    const key = combinationKey(t);
    seen.add(key);
    const c = byKey.get(key);
    if (c) keep.push({ combination: c, value_ids: t });
    else create.push(t);
  }
  const remove = existing.filter((c) => !seen.has(combinationKey(c.value_ids)));
  return { keep, create, remove };
}

export function newCombination(id: number, productId: number, valueIds: number[], stock: number): CombinationRec {
  return {
    id,
    product_id: productId,
    value_ids: valueIds,
    note: '',
    stock,
    ordering_without_stock: 'global_setting',
    product_number: '',
    ean_number: '',
    sku_number: '',
    delivery_time: null,
    delivery_time_type: null,
    delivery_default_text: true,
    active: true,
  };
}
