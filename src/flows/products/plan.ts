/**
 * Per product: what Koppel would do in Shopify and why. Compares the target-ready product with
 * what the ledger says was last processed and pushed, applies the field policies, and lists the
 * field-level changes. Nothing here writes.
 */
import { contentHash, formatMoney, type Product, type Variant } from '../../core/index.js';
import type { FieldChange } from '../../core/privacy.js';
import type { ProductField } from '../../connectors/shopify/products.js';
import { mayWrite, type FieldPolicy } from '../../mapping/fieldmap.js';

/** Product-level fields Koppel writes, each with its own hash and policy. */
export const POLICY_FIELDS: readonly ProductField[] = ['title', 'descriptionHtml', 'vendor', 'productType', 'status', 'tags', 'metafields'];

const structureOf = (p: Product) => ({
  options: p.options,
  variants: [...p.variants].sort(byKey).map((v) => ({ key: v.key.id, optionValues: v.optionValues })),
});
const attrsOf = (p: Product) =>
  [...p.variants].sort(byKey).map((v) => ({
    key: v.key.id, sku: v.sku, price: v.price, compareAtPrice: v.compareAtPrice, barcode: v.barcode, cost: v.cost,
    weightGrams: v.weightGrams, taxable: v.taxable, inventoryTracked: v.inventoryTracked, inventoryPolicy: v.inventoryPolicy,
  }));
function byKey(a: Variant, b: Variant): number {
  return a.key.id < b.key.id ? -1 : a.key.id > b.key.id ? 1 : 0;
}

export function fieldValue(p: Product, f: ProductField): unknown {
  if (f === 'tags') return [...p.tags].sort();
  if (f === 'metafields') return p.metafields.map((m) => ({ namespace: m.namespace, key: m.key, type: m.type, value: m.value }));
  return p[f];
}

/** Hashes stored in the ledger: `s:<field>` what the source asked for, `f:<field>` what was pushed, `g:structure` / `g:variants`. */
export function sourceHashes(p: Product): Record<string, string> {
  const out: Record<string, string> = { 'g:structure': contentHash(structureOf(p)), 'g:variants': contentHash(attrsOf(p)) };
  for (const f of POLICY_FIELDS) out[`s:${f}`] = contentHash(fieldValue(p, f) ?? null);
  return out;
}

export function pushedHashes(p: Product, fields: Iterable<ProductField>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) out[`f:${f}`] = contentHash(fieldValue(p, f) ?? null);
  return out;
}

export interface Changes {
  /** Source fields that differ from what the ledger last saw. */
  fields: ProductField[];
  structure: boolean;
  variants: boolean;
}

/** What changed in the source since the ledger's hashes (everything when there are none). */
export function sourceChanges(p: Product, previous: Readonly<Record<string, string>> | undefined): Changes {
  const now = sourceHashes(p);
  const prev = previous ?? {};
  return {
    fields: POLICY_FIELDS.filter((f) => prev[`s:${f}`] !== now[`s:${f}`]),
    structure: prev['g:structure'] !== now['g:structure'],
    variants: prev['g:variants'] !== now['g:variants'],
  };
}

export interface FieldDecision {
  write: Set<ProductField>;
  /** Fields that changed in the source but stay as they are in Shopify, with the reason. */
  kept: Array<{ field: ProductField; reason: string }>;
}

/**
 * Applies the policies to changed fields of an existing Shopify product. `targetHash(field)` hashes
 * Shopify's current value; it is only called for keep_target_changes fields (it may cost a read).
 */
export async function decideFields(
  changed: readonly ProductField[],
  policies: Readonly<Record<string, FieldPolicy>>,
  pushed: Readonly<Record<string, string>>,
  targetHash: (f: ProductField) => Promise<string>,
): Promise<FieldDecision> {
  const write = new Set<ProductField>();
  const kept: FieldDecision['kept'] = [];
  for (const f of changed) {
    const policy = policies[f] ?? 'always';
    if (policy === 'keep_target_changes') {
      const ok = mayWrite(policy, { isCreate: false, lastPushedHash: pushed[`f:${f}`], targetHash: await targetHash(f) });
      if (ok) write.add(f);
      else kept.push({ field: f, reason: pushed[`f:${f}`] === undefined ? 'Shopify already had its own value when the products were linked' : 'it was changed in Shopify' });
    } else if (mayWrite(policy, { isCreate: false })) {
      write.add(f);
    } else {
      kept.push({ field: f, reason: 'it is only written when the product is created' });
    }
  }
  return { write, kept };
}

/** The field-level diff shown in the activity log and the dry run. `before` is null when unknown. */
export function describeChanges(target: Product, fields: Iterable<ProductField>, opts: { structure: boolean; variants: boolean; before?: Product }): FieldChange[] {
  const out: FieldChange[] = [];
  for (const f of fields) out.push({ path: f, before: opts.before ? fieldValue(opts.before, f) ?? null : null, after: fieldValue(target, f) ?? null });
  if (opts.structure) {
    out.push({ path: 'options', before: opts.before?.options ?? null, after: target.options });
    out.push({ path: 'variants', before: opts.before ? opts.before.variants.map((v) => v.sku) : null, after: target.variants.map((v) => v.sku) });
  }
  if (opts.variants && !opts.structure) {
    for (const v of target.variants) {
      const b = opts.before?.variants.find((x) => x.sku === v.sku);
      out.push({ path: `variants[${v.sku ?? v.key.id}]`, before: b ? variantSummary(b) : null, after: variantSummary(v) });
    }
  }
  return out;
}

function variantSummary(v: Variant): Record<string, unknown> {
  return { price: formatMoney(v.price), compareAtPrice: v.compareAtPrice ? formatMoney(v.compareAtPrice) : null, barcode: v.barcode, weightGrams: v.weightGrams };
}
