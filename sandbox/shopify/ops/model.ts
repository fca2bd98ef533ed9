// Records of the catalogue, inventory and publishing part of the shop, and typed table accessors.
// Records are plain JSON (dumped by /__sandbox/state). Money is a decimal string with 2 decimals.
import type { SandboxState, Table } from '../state.js';

export interface LocationRec {
  id: string;
  name: string;
  isActive: boolean;
  fulfillsOnlineOrders: boolean;
  shipsInventory: boolean;
  isPrimary: boolean;
  address: { address1: string | null; address2: string | null; city: string | null; zip: string | null; province: string | null; provinceCode: string | null; country: string | null; countryCode: string | null; phone: string | null };
  createdAt: string;
  updatedAt: string;
}

export interface PublicationRec {
  id: string;
  name: string;
  autoPublish: boolean;
  supportsFuturePublishing: boolean;
}

export interface OptionValueRec {
  id: string;
  name: string;
}

export interface OptionRec {
  id: string;
  name: string;
  position: number;
  values: OptionValueRec[];
}

export type ProductStatus = 'ACTIVE' | 'ARCHIVED' | 'DRAFT' | 'UNLISTED';

export interface ProductRec {
  id: string;
  title: string;
  handle: string;
  descriptionHtml: string;
  vendor: string;
  productType: string;
  status: ProductStatus;
  tags: string[];
  templateSuffix: string | null;
  seoTitle: string | null;
  seoDescription: string | null;
  giftCard: boolean;
  requiresSellingPlan: boolean;
  createdAt: string;
  updatedAt: string;
  options: OptionRec[];
  /** Variant GIDs in position order. */
  variantIds: string[];
  /** Publication GID -> publish date (ISO). */
  publications: Record<string, string>;
}

export interface VariantRec {
  id: string;
  productId: string;
  price: string;
  compareAtPrice: string | null;
  taxable: boolean;
  barcode: string | null;
  inventoryPolicy: 'DENY' | 'CONTINUE';
  /** One option value id per product option, in option order. */
  optionValueIds: string[];
  inventoryItemId: string;
  taxCode: string | null;
  showUnitPrice: boolean;
  requiresComponents: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface InventoryItemRec {
  id: string;
  variantId: string;
  sku: string | null;
  tracked: boolean;
  requiresShipping: boolean;
  unitCost: string | null;
  countryCodeOfOrigin: string | null;
  provinceCodeOfOrigin: string | null;
  harmonizedSystemCode: string | null;
  weight: { value: number; unit: string } | null;
  createdAt: string;
  updatedAt: string;
}

/** Quantity names Shopify knows; `on_hand` = available + committed + the unavailable ones. */
export const UNAVAILABLE_NAMES = ['reserved', 'damaged', 'quality_control', 'safety_stock'] as const;
export const QUANTITY_NAMES = ['available', 'on_hand', 'committed', 'incoming', ...UNAVAILABLE_NAMES] as const;
export type QuantityName = (typeof QUANTITY_NAMES)[number];

export interface InventoryLevelRec {
  /** `${inventoryItemGid}|${locationGid}` */
  id: string;
  itemId: string;
  locationId: string;
  quantities: Record<Exclude<QuantityName, 'on_hand'>, number>;
  quantityUpdatedAt: Partial<Record<QuantityName, string>>;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface AdjustmentChangeRec {
  name: string;
  delta: number;
  quantityAfterChange: number | null;
  itemId: string;
  locationId: string;
  ledgerDocumentUri: string | null;
}

export interface AdjustmentGroupRec {
  id: string;
  reason: string;
  referenceDocumentUri: string | null;
  createdAt: string;
  changes: AdjustmentChangeRec[];
}

export interface MetafieldRec {
  id: string;
  ownerId: string;
  ownerType: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: string;
  updatedAt: string;
}

export interface MetafieldDefinitionRec {
  id: string;
  name: string;
  namespace: string;
  key: string;
  ownerType: string;
  type: string;
  description: string | null;
  uniqueValues: boolean;
  pinnedPosition: number | null;
  createdAt: string;
}

export type ConditionKind =
  | 'productTag'
  | 'productTitle'
  | 'productType'
  | 'productVendor'
  | 'productStatus'
  | 'variantPrice'
  | 'variantCompareAtPrice'
  | 'variantTitle';

export interface ConditionRec {
  id: string;
  kind: ConditionKind;
  matchType: 'ALL' | 'ANY' | null;
  relation: string;
  /** String conditions: the values; price conditions: one decimal amount. */
  values: string[];
}

export interface SelectionRec {
  productId: string;
  variantIds: string[] | null;
}

export interface SourceRec {
  id: string;
  title: string;
  description: string | null;
  targetType: 'PRODUCTS' | 'VARIANTS';
  inclusion: { matchType: 'ALL' | 'ANY' | null; conditions: ConditionRec[]; selections: SelectionRec[] };
  exclusion: { matchType: 'ALL' | 'ANY' | null; conditions: ConditionRec[]; selections: SelectionRec[] } | null;
}

export interface CollectionRec {
  id: string;
  title: string;
  handle: string;
  descriptionHtml: string;
  sortOrder: string;
  templateSuffix: string | null;
  seoTitle: string | null;
  seoDescription: string | null;
  createdAt: string;
  updatedAt: string;
  sources: SourceRec[];
  publications: Record<string, string>;
}

export interface ProductOperationRec {
  id: string;
  status: 'CREATED' | 'ACTIVE' | 'COMPLETE';
  productId: string | null;
  userErrors: { field: string[] | null; message: string; code: string | null }[];
  createdAt: number;
}

export interface JobRec {
  id: string;
  doneAt: number;
}

export const T = {
  locations: (s: SandboxState): Table<LocationRec> => s.table<LocationRec>('locations'),
  publications: (s: SandboxState): Table<PublicationRec> => s.table<PublicationRec>('publications'),
  products: (s: SandboxState): Table<ProductRec> => s.table<ProductRec>('products'),
  variants: (s: SandboxState): Table<VariantRec> => s.table<VariantRec>('productVariants'),
  inventoryItems: (s: SandboxState): Table<InventoryItemRec> => s.table<InventoryItemRec>('inventoryItems'),
  inventoryLevels: (s: SandboxState): Table<InventoryLevelRec> => s.table<InventoryLevelRec>('inventoryLevels'),
  adjustmentGroups: (s: SandboxState): Table<AdjustmentGroupRec> => s.table<AdjustmentGroupRec>('inventoryAdjustmentGroups'),
  metafields: (s: SandboxState): Table<MetafieldRec> => s.table<MetafieldRec>('metafields'),
  metafieldDefinitions: (s: SandboxState): Table<MetafieldDefinitionRec> => s.table<MetafieldDefinitionRec>('metafieldDefinitions'),
  collections: (s: SandboxState): Table<CollectionRec> => s.table<CollectionRec>('collections'),
  productOperations: (s: SandboxState): Table<ProductOperationRec> => s.table<ProductOperationRec>('productOperations'),
  jobs: (s: SandboxState): Table<JobRec> => s.table<JobRec>('jobs'),
};

export function levelKey(itemId: string, locationId: string): string {
  return `${itemId}|${locationId}`;
}

export function onHand(level: InventoryLevelRec): number {
  const q = level.quantities;
  return q.available + q.committed + q.reserved + q.damaged + q.quality_control + q.safety_stock;
}

export function quantityOf(level: InventoryLevelRec, name: string): number {
  if (name === 'on_hand') return onHand(level);
  return (level.quantities as Record<string, number>)[name] ?? 0;
}
