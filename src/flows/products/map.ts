/**
 * CCV product (canonical, as read) → the product Koppel wants in Shopify (canonical, target-ready):
 * the field map with the merchant's overrides, category tags, extra fields as metafields, prices
 * converted to the shop's tax mode, then fitted to Shopify's limits and validated.
 */
import {
  convertPrice, formatRatePercent, prepareProductForShopify, problem, recordLabel, type Category, type Metafield, type Problem, type Product, type ProductStatus,
} from '../../core/index.js';
import { PRODUCT_TARGET_FIELDS, type ProductsSettings } from '../../config/products.js';
import { compileFieldMap, evaluateFieldMap, type CompiledFieldMap, type FieldPolicy, type FieldRuleInput } from '../../mapping/fieldmap.js';

export type TargetField = (typeof PRODUCT_TARGET_FIELDS)[number];

/** The default field map: Shopify field ← path in the source view (see `sourceView`). */
export const DEFAULT_PRODUCT_FIELDS: Record<TargetField, FieldRuleInput> = {
  title: 'name',
  descriptionHtml: 'description',
  vendor: 'brand',
  productType: 'extra.type',
  status: { expr: 'active ? "active" : "draft"' },
  tags: { value: [] },
};

export function compileProductFieldMap(settings: ProductsSettings): CompiledFieldMap {
  return compileFieldMap(DEFAULT_PRODUCT_FIELDS, settings.fields, 'flows.products.fields', PRODUCT_TARGET_FIELDS);
}

export function fieldPolicies(map: CompiledFieldMap): Record<TargetField, FieldPolicy> {
  const out = {} as Record<TargetField, FieldPolicy>;
  for (const f of PRODUCT_TARGET_FIELDS) out[f] = map.get(f)?.policy ?? 'always';
  return out;
}

export const categoryTag = (ccvCategoryId: string): string => `ccv-cat-${ccvCategoryId}`;

/**
 * What the field map's paths and expressions see: the CCV product in plain words.
 * `extra` holds the CCV extra fields by key (`extra.country_of_origin`, `extra.type`, ...).
 */
export function sourceView(p: Product, categories: ReadonlyMap<string, Category>): Record<string, unknown> {
  const cats = p.categoryKeys.map((k) => categories.get(k.id)).filter((c): c is Category => c !== undefined);
  return {
    id: p.key.id,
    name: p.title,
    description: p.descriptionHtml,
    shortDescription: p.shortDescription,
    brand: p.vendor,
    productType: p.productType,
    active: p.status === 'active',
    taxRate: p.taxRateBp === null ? null : Number(formatRatePercent(p.taxRateBp)),
    categories: cats.map((c) => ({ id: c.key.id, name: c.name, path: c.path.join(' > ') })),
    extra: Object.fromEntries(p.metafields.map((m) => [m.key, m.value])),
    skus: p.variants.map((v) => v.sku).filter((s) => s !== null),
  };
}

export interface MapContext {
  settings: ProductsSettings;
  fieldMap: CompiledFieldMap;
  categories: ReadonlyMap<string, Category>;
  /** Whether the Shopify shop's prices include tax. */
  targetTaxesIncluded: boolean;
}

export interface MappedProduct {
  /** Null when an error prevents building it. */
  product: Product | null;
  problems: Problem[];
}

function tagsFor(p: Product, ctx: MapContext, mapped: unknown): string[] {
  const tags = new Set<string>(Array.isArray(mapped) ? mapped.filter((t): t is string => typeof t === 'string' && t.trim() !== '') : []);
  if (ctx.settings.categoryTags) {
    for (const k of p.categoryKeys) {
      tags.add(categoryTag(k.id));
      if (!ctx.settings.ancestorCategoryTags) continue;
      let parent = ctx.categories.get(k.id)?.parentKey ?? null;
      const seen = new Set<string>();
      while (parent && !seen.has(parent.id)) {
        seen.add(parent.id);
        tags.add(categoryTag(parent.id));
        parent = ctx.categories.get(parent.id)?.parentKey ?? null;
      }
    }
  }
  return [...tags].sort();
}

const STATUSES: readonly ProductStatus[] = ['active', 'draft', 'archived'];

export async function mapProduct(source: Product, ctx: MapContext): Promise<MappedProduct> {
  const record = recordLabel('product', source.key);
  const problems: Problem[] = [];
  const values = await evaluateFieldMap(ctx.fieldMap, sourceView(source, ctx.categories));
  const str = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v));
  const status = str(values.status) ?? 'active';

  const metafields: Metafield[] = [...source.metafields];
  if (ctx.settings.shortDescriptionMetafield && source.shortDescription) {
    metafields.push({ namespace: 'ccv', key: 'short_description', type: 'multi_line_text_field', value: source.shortDescription });
  }

  // Prices to the shop's tax mode.
  let variants = source.variants;
  if (source.pricesIncludeTax !== ctx.targetTaxesIncluded) {
    const from = source.pricesIncludeTax ? 'incl' : 'ex';
    const to = ctx.targetTaxesIncluded ? 'incl' : 'ex';
    if (source.taxRateBp === null) {
      problems.push(problem('TAX_RATE_NEEDED', { from: `${from}.`, to: `${to}.` }, { record, field: 'taxtariff' }));
    } else {
      const rateBp = source.taxRateBp;
      variants = variants.map((v) => ({
        ...v,
        price: convertPrice(v.price, { from, to, rateBp }),
        compareAtPrice: v.compareAtPrice ? convertPrice(v.compareAtPrice, { from, to, rateBp }) : null,
      }));
    }
  }

  const target: Product = {
    ...source,
    title: str(values.title) ?? '',
    descriptionHtml: str(values.descriptionHtml) ?? '',
    vendor: str(values.vendor),
    productType: str(values.productType),
    status: (STATUSES as readonly string[]).includes(status) ? (status as ProductStatus) : 'draft',
    tags: tagsFor(source, ctx, values.tags),
    metafields: metafields.sort((a, b) => (`${a.namespace}.${a.key}` < `${b.namespace}.${b.key}` ? -1 : 1)),
    variants,
    pricesIncludeTax: ctx.targetTaxesIncluded,
  };
  const prepared = prepareProductForShopify(target);
  problems.push(...prepared.problems);
  return { product: prepared.record, problems };
}
