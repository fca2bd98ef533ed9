/**
 * What Shopify must hold after syncing a clean CCV catalogue, worked out from the CCV sandbox's tables
 * without Koppel's code: one product per CCV product that Shopify can take, titled by its name, with
 * one variant per active attribute combination (SKU = sku_number, else product_number) or, for a
 * product without combinations, one variant with the product number as SKU.
 *
 * Shopify takes at most 3 options: a product with more option menus is quarantined by Koppel and
 * must not appear. Other reasons to refuse a product only occur in `dirty` data, which these tests
 * do not use; `expectedCatalog` throws when it meets one, so a changed generator cannot silently
 * shrink the expectation.
 */
import type { CcvSandbox } from '../../../../sandbox/ccv/index.js';

export interface ExpectedProduct {
  ccvId: string;
  title: string;
  /** Sorted. */
  skus: string[];
}

export interface ExpectedCatalog {
  /** By CCV product id. */
  valid: Map<string, ExpectedProduct>;
  /** CCV ids of products with more than 3 option menus. */
  tooManyOptions: Set<string>;
}

export function expectedCatalog(ccv: CcvSandbox): ExpectedCatalog {
  const valid = new Map<string, ExpectedProduct>();
  const tooManyOptions = new Set<string>();
  const owners = new Map<string, string>();
  for (const p of ccv.state.products.all()) {
    const id = String(p.id);
    const combos = ccv.state.combinations.by('product', p.id).filter((c) => c.active);
    const options = combos[0]?.value_ids.length ?? 0;
    if (options > 3) {
      tooManyOptions.add(id);
      continue;
    }
    const skus = combos.length === 0 ? [p.productnumber.trim()] : combos.map((c) => (c.sku_number.trim() || c.product_number.trim()));
    const title = p.name.trim();
    if (title === '' || skus.some((s) => s === '') || new Set(skus).size !== skus.length || p.price < 0) {
      throw new Error(`CCV product ${id} is not clean (title ${JSON.stringify(title)}, SKUs ${skus.join(', ')}, price ${p.price}); these tests expect generated data without dirt`);
    }
    for (const s of skus) {
      const other = owners.get(s);
      if (other !== undefined) throw new Error(`SKU ${s} is on CCV products ${other} and ${id}; these tests expect generated data without dirt`);
      owners.set(s, id);
    }
    valid.set(id, { ccvId: id, title, skus: [...skus].sort() });
  }
  return { valid, tooManyOptions };
}
