/**
 * Limits of the target systems that force Koppel to refuse or shorten data, with their sources.
 * Where a limit is marked (unverified), it is the commonly documented value that we could not
 * confirm in the Admin schema text; we keep it because exceeding it fails the whole write.
 */
export const SHOPIFY_LIMITS = {
  /** Options per product. Source: Admin API `productSet`/`OptionSetInput` docs ("at most 3"); reference/shopify-api.md §5.2. */
  optionsPerProduct: 3,
  /** Variants per product, for all plans since 2025-10-15. Source: shopify.dev changelog "The product variant limit is now 2048 for all merchants". */
  variantsPerProduct: 2048,
  /** Tags per product. Source: shopify.dev changelog "Product tags now have a limit of 250 per product" (2019-03). */
  tagsPerProduct: 250,
  /** Characters per tag. Source: Admin schema, `OrderCreateUpsertCustomerAttributesInput.tags` ("up to 255 characters"). */
  tagLength: 255,
  /** Tags per customer. Source: same schema description ("up to 250 tags"). */
  tagsPerCustomer: 250,
  /** Product title length (unverified: Shopify admin validation message "Title is too long (maximum is 255 characters)"). */
  productTitle: 255,
  /** Vendor, product type and handle length (unverified, same 255-character string columns). */
  vendor: 255,
  productType: 255,
  /** Option name and option value length (unverified; schema has OPTION_NAME_TOO_LONG / OPTION_VALUE_NAME_TOO_LONG codes). */
  optionName: 255,
  optionValue: 255,
  /** Variant SKU length (unverified). Koppel refuses longer SKUs instead of cutting them. */
  sku: 255,
  /** Barcode length (unverified). */
  barcode: 255,
  /** Collection title length (unverified). */
  collectionTitle: 255,
  /** Metafield namespace 3–255 and key 2–64 characters of [A-Za-z0-9_-]. Source: Admin schema, `MetafieldInput.namespace`/`.key`. */
  metafieldNamespaceMin: 3,
  metafieldNamespaceMax: 255,
  metafieldKeyMin: 2,
  metafieldKeyMax: 64,
  /** Metafields per `metafieldsSet` call. Source: reference/shopify-api.md §6. */
  metafieldsPerSet: 25,
  /** Inventory quantities must stay within ±1,000,000,000. Source: reference/shopify-api.md §8 (`inventorySetQuantities`). */
  inventoryQuantityAbs: 1_000_000_000,
} as const;

export type ShopifyLimits = typeof SHOPIFY_LIMITS;
