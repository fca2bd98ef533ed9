// Koppel's Shopify documents for the catalogue, publishing, collection and inventory flows, copied from
// the reference operations (shared/reference/shopify-tools/operations.graphql, validated there against
// 2026-07 and 2026-10). Tests must not read shared/, so they live here.

export const VARIANT_CORE = `
fragment VariantCore on ProductVariant {
  id
  sku
  title
  price
  compareAtPrice
  taxable
  barcode
  inventoryPolicy
  selectedOptions { name value }
  inventoryItem { id tracked sku }
}`;

export const DOCS = {
  ShopInfo: `query ShopInfo {
  shop {
    id
    name
    myshopifyDomain
    currencyCode
    ianaTimezone
    taxesIncluded
    plan { displayName partnerDevelopment shopifyPlus }
  }
}`,
  Locations: `query Locations($after: String) {
  locations(first: 250, after: $after, includeInactive: false) {
    nodes { id name isActive fulfillsOnlineOrders shipsInventory address { countryCode } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  VariantsBySku: `query VariantsBySku($query: String!) {
  productVariants(first: 10, query: $query) {
    nodes {
      ...VariantCore
      product { id handle title status updatedAt }
    }
  }
}${VARIANT_CORE}`,
  ProductByIdentifier: `query ProductByIdentifier($identifier: ProductIdentifierInput!) {
  productByIdentifier(identifier: $identifier) {
    id
    handle
    title
    status
    vendor
    productType
    tags
    descriptionHtml
    updatedAt
    options { id name position optionValues { id name } }
    variants(first: 250) { nodes { ...VariantCore } pageInfo { hasNextPage endCursor } }
    collections(first: 50) { nodes { id handle title } }
    metafields(first: 50, namespace: "ccv") { nodes { id namespace key type value } }
  }
}${VARIANT_CORE}`,
  ProductsUpdatedSince: `query ProductsUpdatedSince($query: String!, $after: String) {
  products(first: 50, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { id handle title status updatedAt variants(first: 100) { nodes { id sku price inventoryItem { id } } } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  ProductSetSync: `mutation ProductSetSync($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product {
      id
      handle
      variants(first: 250) { nodes { ...VariantCore } }
    }
    productSetOperation { id status }
    userErrors { field message code }
  }
}${VARIANT_CORE}`,
  ProductSetAsync: `mutation ProductSetAsync($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: false) {
    productSetOperation { id status userErrors { field message code } }
    userErrors { field message code }
  }
}`,
  ProductSetOperationStatus: `query ProductSetOperationStatus($id: ID!) {
  productOperation(id: $id) {
    status
    product { id handle }
    ... on ProductSetOperation { id userErrors { field message code } }
  }
}`,
  ProductCreate: `mutation ProductCreate($product: ProductCreateInput!) {
  productCreate(product: $product) {
    product { id handle variants(first: 1) { nodes { ...VariantCore } } }
    userErrors { field message }
  }
}${VARIANT_CORE}`,
  ProductUpdate: `mutation ProductUpdate($identifier: ProductUpdateIdentifiers, $product: ProductUpdateInput!) {
  productUpdate(identifier: $identifier, product: $product) {
    product { id handle updatedAt }
    userErrors { field message }
  }
}`,
  VariantsBulkCreate: `mutation VariantsBulkCreate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkCreate(productId: $productId, variants: $variants, strategy: REMOVE_STANDALONE_VARIANT) {
    productVariants { ...VariantCore }
    userErrors { field message code }
  }
}${VARIANT_CORE}`,
  VariantsBulkUpdate: `mutation VariantsBulkUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: false) {
    productVariants { ...VariantCore }
    userErrors { field message code }
  }
}${VARIANT_CORE}`,
  MetafieldsSet: `mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key ownerType value compareDigest }
    userErrors { field message code elementIndex }
  }
}`,
  MetafieldDefinitionCreate: `mutation MetafieldDefinitionCreate($definition: MetafieldDefinitionInput!) {
  metafieldDefinitionCreate(definition: $definition) {
    createdDefinition { id namespace key ownerType type { name } }
    userErrors { field message code }
  }
}`,
  PublishToPublication: `mutation PublishToPublication($id: ID!, $input: [PublicationInput!]!) {
  publishablePublish(id: $id, input: $input) {
    userErrors { field message }
  }
}`,
  Publications: `query Publications {
  publications(first: 50) { nodes { id name } }
}`,
  CollectionByIdentifier: `query CollectionByIdentifier($identifier: CollectionIdentifierInput!) {
  collectionByIdentifier(identifier: $identifier) {
    id
    handle
    title
    updatedAt
    sources {
      __typename
      id
      title
      ... on CollectionConditionsSource {
        targetType
        inclusion { matchType conditions { __typename } selections(first: 10) { nodes { __typename } } }
      }
    }
  }
}`,
  CollectionsByHandle: `query CollectionsByHandle($query: String!) {
  collections(first: 10, query: $query) { nodes { id handle title } }
}`,
  CollectionCreate: `mutation CollectionCreate($collection: CollectionCreateInput!) {
  collectionCreate(collection: $collection) {
    collection { id handle title sources { __typename id title } }
    userErrors { field message }
  }
}`,
  CollectionUpdate: `mutation CollectionUpdate($collection: CollectionUpdateInput!) {
  collectionUpdate(collection: $collection) {
    collection { id handle title }
    job { id done }
    userErrors { field message }
  }
}`,
  InventoryLevelsForItem: `query InventoryLevelsForItem($id: ID!) {
  inventoryItem(id: $id) {
    id
    sku
    tracked
    inventoryLevels(first: 50) {
      nodes { id location { id name } quantities(names: ["available", "on_hand", "committed"]) { name quantity } }
    }
  }
}`,
  InventoryItemsBySku: `query InventoryItemsBySku($query: String!) {
  inventoryItems(first: 10, query: $query) { nodes { id sku tracked variants(first: 5) { nodes { id } } } }
}`,
  InventorySet: `mutation InventorySet($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason referenceDocumentUri changes { name delta quantityAfterChange item { id } location { id } } }
    userErrors { field message code }
  }
}`,
  InventoryAdjust: `mutation InventoryAdjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}`,
  InventoryActivate: `mutation InventoryActivate($inventoryItemId: ID!, $locationId: ID!, $available: Int, $key: String!) {
  inventoryActivate(inventoryItemId: $inventoryItemId, locationId: $locationId, available: $available) @idempotent(key: $key) {
    inventoryLevel { id }
    userErrors { field message }
  }
}`,
  InventoryItemUpdate: `mutation InventoryItemUpdate($id: ID!, $input: InventoryItemInput!) {
  inventoryItemUpdate(id: $id, input: $input) {
    inventoryItem { id tracked sku }
    userErrors { field message }
  }
}`,
} as const;

export type DocName = keyof typeof DOCS;

/**
 * Requested cost of each document by the sandbox's rules (see sandbox/shopify/README.md), computed by hand:
 * VariantCore on a variant = selectedOptions 1 + inventoryItem 1 = 2 (plus the variant object itself).
 */
export const EXPECTED_REQUESTED_COST: Record<DocName, number> = {
  ShopInfo: 2, // shop 1 + plan 1
  Locations: 502, // 2 + 250 x (location 1 + address 1)
  VariantsBySku: 42, // 2 + 10 x (variant 1 + VariantCore 2 + product 1)
  ProductByIdentifier: 859, // product 1 + options (1 + optionValues 1) + variants 2+250x3 + collections 2+50 + metafields 2+50
  ProductsUpdatedSince: 10152, // 2 + 50 x (product 1 + variants 2 + 100 x (1 + inventoryItem 1))
  ProductSetSync: 767, // 10 + product (1 + 2 + 250 x 3) + productSetOperation 1 + userErrors 1 + ceil(2 x 0.2 + 2 x 0.4)
  ProductSetAsync: 15, // 10 + productSetOperation (1 + userErrors 1) + userErrors 1 + ceil(1.2)
  ProductSetOperationStatus: 3, // ProductSetOperation branch: 1 + product 1 + userErrors 1
  ProductCreate: 17, // 10 + product (1 + variants 2 + 1 x 3) + userErrors 1
  ProductUpdate: 12, // 10 + product 1 + userErrors 1
  VariantsBulkCreate: 14, // 10 + productVariants (1 + VariantCore 2) + userErrors 1
  VariantsBulkUpdate: 14,
  MetafieldsSet: 12, // 10 + metafields 1 + userErrors 1
  MetafieldDefinitionCreate: 13, // 10 + createdDefinition (1 + type 1) + userErrors 1
  PublishToPublication: 11, // 10 + userErrors 1
  Publications: 52, // 2 + 50 x 1
  CollectionByIdentifier: 16, // collection 1 + sources (1 + inclusion (1 + conditions 1 + selections 2 + 10 x 1))
  CollectionsByHandle: 12, // 2 + 10 x 1
  CollectionCreate: 13, // 10 + collection (1 + sources 1) + userErrors 1
  CollectionUpdate: 13, // 10 + collection 1 + job 1 + userErrors 1
  InventoryLevelsForItem: 153, // item 1 + levels 2 + 50 x (level 1 + location 1 + quantities 1)
  InventoryItemsBySku: 82, // 2 + 10 x (item 1 + variants 2 + 5 x 1)
  InventorySet: 15, // 10 + group (1 + changes (1 + item 1 + location 1)) + userErrors 1
  InventoryAdjust: 13, // 10 + group (1 + changes 1) + userErrors 1
  InventoryActivate: 12, // 10 + inventoryLevel 1 + userErrors 1
  InventoryItemUpdate: 12, // 10 + inventoryItem 1 + userErrors 1
};
