/**
 * What Shopify holds after a products sync, read straight from the Shopify sandbox's tables (the
 * ground truth, independent of Koppel's code): products with their SKUs, Koppel's custom id and the
 * sales channels they are published to, and every SKU that is on more than one variant.
 */
import type { SandboxState } from '../../../../sandbox/shopify/state.js';
import { T } from '../../../../sandbox/shopify/ops/model.js';

export interface AuditedProduct {
  productId: string;
  title: string;
  status: string;
  /** SKUs in variant position order (null for a variant without one). */
  skus: Array<string | null>;
  variantIds: string[];
  /** Value of the koppel.ccv_product_id metafield, if any. */
  ccvId: string | null;
  /** Publication GIDs the product is published on. */
  publications: string[];
}

export interface ShopifyAudit {
  products: number;
  variants: number;
  /** SKU → variant GIDs, for SKUs on more than one variant. */
  duplicateSkus: Record<string, string[]>;
  /** CCV product ids on more than one Shopify product. */
  duplicateCcvIds: Record<string, string[]>;
  /** By CCV product id (the custom id). */
  byCcvId: Record<string, AuditedProduct>;
  /** Products without Koppel's custom id. */
  withoutCcvId: AuditedProduct[];
  /** GIDs of every variant that exists. */
  variantIds: string[];
}

export function auditShopify(state: SandboxState): ShopifyAudit {
  const products = T.products(state);
  const variants = T.variants(state);
  const items = T.inventoryItems(state);
  const customIds = new Map<string, string>();
  for (const m of T.metafields(state).values()) {
    if (m.namespace === 'koppel' && m.key === 'ccv_product_id' && m.ownerType === 'PRODUCT') customIds.set(m.ownerId, m.value);
  }
  const bySku = new Map<string, string[]>();
  const byCcvId: Record<string, AuditedProduct> = {};
  const ccvOwners = new Map<string, string[]>();
  const withoutCcvId: AuditedProduct[] = [];
  for (const p of products.values()) {
    const skus: Array<string | null> = [];
    for (const vid of p.variantIds) {
      const v = variants.get(vid);
      const sku = v ? (items.get(v.inventoryItemId)?.sku ?? null) : null;
      skus.push(sku);
      if (sku) bySku.set(sku, [...(bySku.get(sku) ?? []), vid]);
    }
    const a: AuditedProduct = {
      productId: p.id, title: p.title, status: p.status, skus, variantIds: [...p.variantIds],
      ccvId: customIds.get(p.id) ?? null, publications: Object.keys(p.publications).sort(),
    };
    if (a.ccvId === null) withoutCcvId.push(a);
    else {
      byCcvId[a.ccvId] = a;
      ccvOwners.set(a.ccvId, [...(ccvOwners.get(a.ccvId) ?? []), p.id]);
    }
  }
  return {
    products: products.size,
    variants: variants.size,
    duplicateSkus: Object.fromEntries([...bySku].filter(([, v]) => v.length > 1)),
    duplicateCcvIds: Object.fromEntries([...ccvOwners].filter(([, v]) => v.length > 1)),
    byCcvId,
    withoutCcvId,
    variantIds: [...variants.values()].map((v) => v.id),
  };
}
