/**
 * Every GraphQL document Koppel sends to Shopify. Adapted from the reference operation list
 * (reference/shopify-tools/operations.graphql, written for this project); documents.test.ts validates
 * each against the vendored 2026-10 and 2026-07 Admin schemas and rejects deprecated fields.
 *
 * Page sizes are variables with defaults chosen so the requested cost of one call stays well under
 * Shopify's single-query cap of 1,000 points (documents.test.ts checks it); on MAX_COST_EXCEEDED a
 * caller passes a smaller `first`.
 */
import type * as T from './documents.types.js';
import { gql } from './gql.js';

// ---------- shop / locations ----------

export const ShopInfo = gql<T.ShopInfoData, T.ShopInfoVariables>`
  query ShopInfo {
    shop {
      id
      name
      myshopifyDomain
      currencyCode
      ianaTimezone
      taxesIncluded
      plan { publicDisplayName partnerDevelopment shopifyPlus }
    }
  }
`;

export const Locations = gql<T.LocationsData, T.LocationsVariables>`
  query Locations($first: Int = 100, $after: String) {
    locations(first: $first, after: $after, includeInactive: false) {
      nodes { id name isActive fulfillsOnlineOrders shipsInventory address { countryCode } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

// ---------- products ----------

export const VariantCore = gql`
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
  }
`;

export const VariantsBySku = gql<T.VariantsBySkuData, T.VariantsBySkuVariables>`
  query VariantsBySku($query: String!, $first: Int = 10) {
    productVariants(first: $first, query: $query) {
      nodes {
        ...VariantCore
        product { id handle title status updatedAt }
      }
    }
  }
  ${VariantCore}
`;

export const ProductByIdentifier = gql<T.ProductByIdentifierData, T.ProductByIdentifierVariables>`
  query ProductByIdentifier($identifier: ProductIdentifierInput!, $variants: Int = 250) {
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
      variants(first: $variants) { nodes { ...VariantCore } pageInfo { hasNextPage endCursor } }
      collections(first: 25) { nodes { id handle title } }
      metafields(first: 25, namespace: "ccv") { nodes { id namespace key type value } }
    }
  }
  ${VariantCore}
`;

export const ProductVariantsPage = gql<T.ProductVariantsPageData, T.ProductVariantsPageVariables>`
  query ProductVariantsPage($id: ID!, $first: Int = 250, $after: String) {
    product(id: $id) {
      id
      variants(first: $first, after: $after) { nodes { ...VariantCore } pageInfo { hasNextPage endCursor } }
    }
  }
  ${VariantCore}
`;

export const ProductsUpdatedSince = gql<T.ProductsUpdatedSinceData, T.ProductsUpdatedSinceVariables>`
  query ProductsUpdatedSince($query: String!, $first: Int = 10, $variants: Int = 40, $after: String) {
    products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {
        id handle title status updatedAt
        variants(first: $variants) { nodes { id sku price inventoryItem { id } } pageInfo { hasNextPage endCursor } }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

/**
 * Product upsert for the products flow: `$variants` is the product's variant count, so the requested
 * cost (reserved against the bucket before the call) matches what comes back.
 */
export const ProductUpsert = gql<T.ProductUpsertData, T.ProductUpsertVariables>`
  mutation ProductUpsert($identifier: ProductSetIdentifiers, $input: ProductSetInput!, $variants: Int!) {
    productSet(identifier: $identifier, input: $input, synchronous: true) {
      product {
        id
        handle
        variants(first: $variants) { nodes { id sku inventoryItem { id } selectedOptions { name value } } }
      }
      userErrors { field message code }
    }
  }
`;

/** The same upsert for bulk operations (one JSONL line per product; the whole product comes back). */
export const ProductUpsertBulk = gql<T.ProductUpsertBulkData, T.ProductUpsertBulkVariables>`
  mutation ProductUpsertBulk($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
    productSet(identifier: $identifier, input: $input, synchronous: true) {
      product {
        id
        handle
        variants(first: 250) { nodes { id sku inventoryItem { id } selectedOptions { name value } } }
      }
      userErrors { field message code }
    }
  }
`;

/** What Shopify holds for a product, read back to detect edits made in Shopify and to explain a record. */
export const ProductSnapshot = gql<T.ProductSnapshotData, T.ProductSnapshotVariables>`
  query ProductSnapshot($identifier: ProductIdentifierInput!, $variants: Int = 100, $metafields: Int = 25) {
    productByIdentifier(identifier: $identifier) {
      id
      handle
      title
      status
      vendor
      productType
      tags
      descriptionHtml
      options { name position optionValues { name } }
      variants(first: $variants) {
        nodes {
          id sku price compareAtPrice taxable barcode inventoryPolicy
          selectedOptions { name value }
          inventoryItem { id tracked unitCost { amount } measurement { weight { value unit } } }
        }
        pageInfo { hasNextPage }
      }
      metafields(first: $metafields) { nodes { namespace key type value } }
    }
  }
`;

/** Every variant in the store with its SKU, options and product: the linking report's view of Shopify. */
export const CatalogVariants = gql<T.CatalogVariantsData, T.CatalogVariantsVariables>`
  query CatalogVariants($first: Int = 200, $after: String) {
    productVariants(first: $first, after: $after) {
      nodes { id sku selectedOptions { name value } product { id handle title } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

/**
 * Every product's id and variant count: what a full products run checks its ledger against (a product
 * missing here, or with fewer variants than Koppel linked, is read directly). Requested cost per page:
 * 2 + 250 x (1 + variantsCount 1) = 502, about 2 points per product.
 */
export const CatalogProducts = gql<T.CatalogProductsData, T.CatalogProductsVariables>`
  query CatalogProducts($first: Int = 250, $after: String) {
    products(first: $first, after: $after) {
      nodes { id variantsCount { count } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

/** Publishes a product (new products are unpublished) to the configured sales channels. */
export const ProductPublish = gql<T.ProductPublishData, T.ProductPublishVariables>`
  mutation ProductPublish($id: ID!, $input: [PublicationInput!]!) {
    publishablePublish(id: $id, input: $input) {
      userErrors { field message }
    }
  }
`;

export const ProductSetSync = gql<T.ProductSetSyncData, T.ProductSetSyncVariables>`
  mutation ProductSetSync($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
    productSet(identifier: $identifier, input: $input, synchronous: true) {
      product {
        id
        handle
        variants(first: 250) { nodes { ...VariantCore } }
      }
      productSetOperation { id status }
      userErrors { field message code }
    }
  }
  ${VariantCore}
`;

export const ProductSetAsync = gql<T.ProductSetAsyncData, T.ProductSetAsyncVariables>`
  mutation ProductSetAsync($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
    productSet(identifier: $identifier, input: $input, synchronous: false) {
      productSetOperation { id status userErrors { field message code } }
      userErrors { field message code }
    }
  }
`;

export const ProductSetOperationStatus = gql<T.ProductSetOperationStatusData, T.ProductSetOperationStatusVariables>`
  query ProductSetOperationStatus($id: ID!) {
    productOperation(id: $id) {
      status
      product { id handle }
      ... on ProductSetOperation { id userErrors { field message code } }
    }
  }
`;

export const ProductCreate = gql<T.ProductCreateData, T.ProductCreateVariables>`
  mutation ProductCreate($product: ProductCreateInput!) {
    productCreate(product: $product) {
      product { id handle variants(first: 1) { nodes { ...VariantCore } } }
      userErrors { field message }
    }
  }
  ${VariantCore}
`;

export const ProductUpdate = gql<T.ProductUpdateData, T.ProductUpdateVariables>`
  mutation ProductUpdate($identifier: ProductUpdateIdentifiers, $product: ProductUpdateInput!) {
    productUpdate(identifier: $identifier, product: $product) {
      product { id handle updatedAt }
      userErrors { field message }
    }
  }
`;

export const VariantsBulkCreate = gql<T.VariantsBulkCreateData, T.VariantsBulkCreateVariables>`
  mutation VariantsBulkCreate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
    productVariantsBulkCreate(productId: $productId, variants: $variants, strategy: REMOVE_STANDALONE_VARIANT) {
      productVariants { ...VariantCore }
      userErrors { field message code }
    }
  }
  ${VariantCore}
`;

export const VariantsBulkUpdate = gql<T.VariantsBulkUpdateData, T.VariantsBulkUpdateVariables>`
  mutation VariantsBulkUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
    productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: false) {
      productVariants { ...VariantCore }
      userErrors { field message code }
    }
  }
  ${VariantCore}
`;

export const MetafieldsSet = gql<T.MetafieldsSetData, T.MetafieldsSetVariables>`
  mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { id namespace key ownerType value compareDigest }
      userErrors { field message code elementIndex }
    }
  }
`;

/** One-time setup: an `id`-typed definition has unique values, usable as `customId`. */
export const MetafieldDefinitionCreate = gql<T.MetafieldDefinitionCreateData, T.MetafieldDefinitionCreateVariables>`
  mutation MetafieldDefinitionCreate($definition: MetafieldDefinitionInput!) {
    metafieldDefinitionCreate(definition: $definition) {
      createdDefinition { id namespace key ownerType type { name } }
      userErrors { field message code }
    }
  }
`;

export const PublishToPublication = gql<T.PublishToPublicationData, T.PublishToPublicationVariables>`
  mutation PublishToPublication($id: ID!, $input: [PublicationInput!]!) {
    publishablePublish(id: $id, input: $input) {
      userErrors { field message }
    }
  }
`;

export const Publications = gql<T.PublicationsData, T.PublicationsVariables>`
  query Publications {
    publications(first: 50) { nodes { id autoPublish catalog { id title } } }
  }
`;

// ---------- collections (2026-07 "sources" model) ----------

export const CollectionByIdentifier = gql<T.CollectionByIdentifierData, T.CollectionByIdentifierVariables>`
  query CollectionByIdentifier($identifier: CollectionIdentifierInput!) {
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
  }
`;

export const CollectionsByHandle = gql<T.CollectionsByHandleData, T.CollectionsByHandleVariables>`
  query CollectionsByHandle($query: String!) {
    collections(first: 10, query: $query) { nodes { id handle title } }
  }
`;

export const CollectionCreate = gql<T.CollectionCreateData, T.CollectionCreateVariables>`
  mutation CollectionCreate($collection: CollectionCreateInput!) {
    collectionCreate(collection: $collection) {
      collection { id handle title sources { __typename id title } }
      userErrors { field message }
    }
  }
`;

export const CollectionUpdate = gql<T.CollectionUpdateData, T.CollectionUpdateVariables>`
  mutation CollectionUpdate($collection: CollectionUpdateInput!) {
    collectionUpdate(collection: $collection) {
      collection { id handle title }
      job { id done }
      userErrors { field message }
    }
  }
`;

/** A collection as the categories flow compares it: the fields Koppel writes, its Koppel id, its tag conditions. */
export const CollectionSnapshot = gql<T.CollectionSnapshotData, T.CollectionSnapshotVariables>`
  query CollectionSnapshot($identifier: CollectionIdentifierInput!, $namespace: String!, $key: String!) {
    collectionByIdentifier(identifier: $identifier) {
      id
      handle
      title
      descriptionHtml
      customId: metafield(namespace: $namespace, key: $key) { value }
      sources {
        __typename
        id
        ... on CollectionConditionsSource {
          inclusion { conditions { __typename id ... on CollectionSourceInclusionConditionProductTag { relation values } } }
        }
      }
    }
  }
`;

/** Takes a product or collection off sales channels (e.g. a collection whose CCV category was deleted). */
export const PublishableUnpublish = gql<T.PublishableUnpublishData, T.PublishableUnpublishVariables>`
  mutation PublishableUnpublish($id: ID!, $input: [PublicationInput!]!) {
    publishableUnpublish(id: $id, input: $input) {
      userErrors { field message }
    }
  }
`;

// ---------- inventory ----------

export const InventoryLevelsForItem = gql<T.InventoryLevelsForItemData, T.InventoryLevelsForItemVariables>`
  query InventoryLevelsForItem($id: ID!) {
    inventoryItem(id: $id) {
      id
      sku
      tracked
      inventoryLevels(first: 50) {
        nodes { id location { id name } quantities(names: ["available", "on_hand", "committed"]) { name quantity } }
      }
    }
  }
`;

export const InventoryItemsBySku = gql<T.InventoryItemsBySkuData, T.InventoryItemsBySkuVariables>`
  query InventoryItemsBySku($query: String!) {
    inventoryItems(first: 10, query: $query) { nodes { id sku tracked variants(first: 5) { nodes { id } } } }
  }
`;

export const InventorySet = gql<T.InventorySetData, T.InventorySetVariables>`
  mutation InventorySet($input: InventorySetQuantitiesInput!, $key: String!) {
    inventorySetQuantities(input: $input) @idempotent(key: $key) {
      inventoryAdjustmentGroup { id reason referenceDocumentUri changes { name delta quantityAfterChange item { id } location { id } } }
      userErrors { field message code }
    }
  }
`;

export const InventoryAdjust = gql<T.InventoryAdjustData, T.InventoryAdjustVariables>`
  mutation InventoryAdjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
    inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
      inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
      userErrors { field message code }
    }
  }
`;

export const InventoryActivate = gql<T.InventoryActivateData, T.InventoryActivateVariables>`
  mutation InventoryActivate($inventoryItemId: ID!, $locationId: ID!, $available: Int, $key: String!) {
    inventoryActivate(inventoryItemId: $inventoryItemId, locationId: $locationId, available: $available) @idempotent(key: $key) {
      inventoryLevel { id }
      userErrors { field message }
    }
  }
`;

export const InventoryItemUpdate = gql<T.InventoryItemUpdateData, T.InventoryItemUpdateVariables>`
  mutation InventoryItemUpdate($id: ID!, $input: InventoryItemInput!) {
    inventoryItemUpdate(id: $id, input: $input) {
      inventoryItem { id tracked sku }
      userErrors { field message }
    }
  }
`;

// ---------- customers ----------

export const CustomerCore = gql`
  fragment CustomerCore on Customer {
    id
    firstName
    lastName
    defaultEmailAddress { emailAddress }
    defaultPhoneNumber { phoneNumber }
    tags
    note
    taxExempt
    updatedAt
    defaultAddress { id address1 address2 city zip countryCodeV2 provinceCode company phone }
    companyContactProfiles { id company { id name externalId } }
  }
`;

export const CustomerByEmail = gql<T.CustomerByEmailData, T.CustomerByEmailVariables>`
  query CustomerByEmail($email: String!) {
    customerByIdentifier(identifier: { emailAddress: $email }) { ...CustomerCore }
  }
  ${CustomerCore}
`;

export const CustomersSearch = gql<T.CustomersSearchData, T.CustomersSearchVariables>`
  query CustomersSearch($query: String!, $first: Int = 5) {
    customers(first: $first, query: $query) { nodes { ...CustomerCore } }
  }
  ${CustomerCore}
`;

export const CustomersUpdatedSince = gql<T.CustomersUpdatedSinceData, T.CustomersUpdatedSinceVariables>`
  query CustomersUpdatedSince($query: String!, $first: Int = 100, $after: String) {
    customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes { ...CustomerCore }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${CustomerCore}
`;

export const CustomerSet = gql<T.CustomerSetData, T.CustomerSetVariables>`
  mutation CustomerSet($identifier: CustomerSetIdentifiers, $input: CustomerSetInput!) {
    customerSet(identifier: $identifier, input: $input) {
      customer { ...CustomerCore }
      userErrors { field message code }
    }
  }
  ${CustomerCore}
`;

export const CustomerCreate = gql<T.CustomerCreateData, T.CustomerCreateVariables>`
  mutation CustomerCreate($input: CustomerInput!) {
    customerCreate(input: $input) {
      customer { ...CustomerCore }
      userErrors { field message }
    }
  }
  ${CustomerCore}
`;

export const CustomerUpdate = gql<T.CustomerUpdateData, T.CustomerUpdateVariables>`
  mutation CustomerUpdate($input: CustomerInput!) {
    customerUpdate(input: $input) {
      customer { ...CustomerCore }
      userErrors { field message }
    }
  }
  ${CustomerCore}
`;

export const CustomerAddressCreate = gql<T.CustomerAddressCreateData, T.CustomerAddressCreateVariables>`
  mutation CustomerAddressCreate($customerId: ID!, $address: MailingAddressInput!) {
    customerAddressCreate(customerId: $customerId, address: $address, setAsDefault: true) {
      address { id }
      userErrors { field message }
    }
  }
`;

// ---------- B2B ----------

export const CompanyByExternalId = gql<T.CompanyByExternalIdData, T.CompanyByExternalIdVariables>`
  query CompanyByExternalId($query: String!) {
    companies(first: 1, query: $query) {
      nodes {
        id name externalId
        locations(first: 10) { nodes { id name externalId } }
        contactRoles(first: 10) { nodes { id name } }
        contacts(first: 50) { nodes { id customer { id } } }
      }
    }
  }
`;

export const CompanyCreate = gql<T.CompanyCreateData, T.CompanyCreateVariables>`
  mutation CompanyCreate($input: CompanyCreateInput!) {
    companyCreate(input: $input) {
      company { id name externalId locations(first: 1) { nodes { id } } contactRoles(first: 10) { nodes { id name } } }
      userErrors { field message code }
    }
  }
`;

export const CompanyAssignCustomerAsContact = gql<T.CompanyAssignCustomerAsContactData, T.CompanyAssignCustomerAsContactVariables>`
  mutation CompanyAssignCustomerAsContact($companyId: ID!, $customerId: ID!) {
    companyAssignCustomerAsContact(companyId: $companyId, customerId: $customerId) {
      companyContact { id }
      userErrors { field message code }
    }
  }
`;

export const CompanyContactAssignRole = gql<T.CompanyContactAssignRoleData, T.CompanyContactAssignRoleVariables>`
  mutation CompanyContactAssignRole($companyContactId: ID!, $companyContactRoleId: ID!, $companyLocationId: ID!) {
    companyContactAssignRole(companyContactId: $companyContactId, companyContactRoleId: $companyContactRoleId, companyLocationId: $companyLocationId) {
      companyContactRoleAssignment { id }
      userErrors { field message code }
    }
  }
`;

export const CompanyLocationCreate = gql<T.CompanyLocationCreateData, T.CompanyLocationCreateVariables>`
  mutation CompanyLocationCreate($companyId: ID!, $input: CompanyLocationInput!) {
    companyLocationCreate(companyId: $companyId, input: $input) {
      companyLocation { id }
      userErrors { field message code }
    }
  }
`;

// ---------- orders ----------

export const OrderForPos = gql`
  fragment OrderForPos on Order {
    id
    name
    createdAt
    updatedAt
    processedAt
    cancelledAt
    test
    sourceName
    sourceIdentifier
    tags
    note
    email
    currencyCode
    taxesIncluded
    displayFinancialStatus
    displayFulfillmentStatus
    paymentGatewayNames
    totalPriceSet { shopMoney { amount currencyCode } }
    totalTaxSet { shopMoney { amount currencyCode } }
    totalShippingPriceSet { shopMoney { amount currencyCode } }
    totalDiscountsSet { shopMoney { amount currencyCode } }
    customer { id firstName lastName defaultEmailAddress { emailAddress } }
    purchasingEntity { __typename ... on PurchasingCompany { company { id externalId } location { id externalId } } }
    billingAddress { firstName lastName company address1 address2 zip city countryCodeV2 phone }
    shippingAddress { firstName lastName company address1 address2 zip city countryCodeV2 phone }
    shippingLines(first: 3) { nodes { title code originalPriceSet { shopMoney { amount } } } }
    taxLines { title rate priceSet { shopMoney { amount } } }
    transactions(first: 5) { id kind status gateway formattedGateway amountSet { shopMoney { amount currencyCode } } processedAt }
    lineItems(first: $lines) {
      nodes {
        id sku name title variantTitle quantity currentQuantity taxable
        variant { id sku }
        originalUnitPriceSet { shopMoney { amount } }
        discountedUnitPriceAfterAllDiscountsSet { shopMoney { amount } }
        taxLines { title rate priceSet { shopMoney { amount } } }
      }
      pageInfo { hasNextPage endCursor }
    }
    metafield(namespace: "ccv", key: "pos_order_id") { value }
  }
`;

/**
 * Orders to import into the POS. An order costs about 16 + 11 x `lines` points, so the defaults
 * (4 orders x 20 lines) request about 970; an order with more lines than `lines` reports
 * `lineItems.pageInfo.hasNextPage` and its remaining lines come from OrderLineItemsPage.
 */
export const OrdersForPosImport = gql<T.OrdersForPosImportData, T.OrdersForPosImportVariables>`
  query OrdersForPosImport($query: String!, $first: Int = 4, $lines: Int = 20, $after: String) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes { ...OrderForPos }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${OrderForPos}
`;

export const OrderLineItemsPage = gql<T.OrderLineItemsPageData, T.OrderLineItemsPageVariables>`
  query OrderLineItemsPage($id: ID!, $first: Int = 80, $after: String) {
    order(id: $id) {
      id
      lineItems(first: $first, after: $after) {
        nodes {
          id sku name title variantTitle quantity currentQuantity taxable
          variant { id sku }
          originalUnitPriceSet { shopMoney { amount } }
          discountedUnitPriceAfterAllDiscountsSet { shopMoney { amount } }
          taxLines { title rate priceSet { shopMoney { amount } } }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;

export const OrderBySourceIdentifier = gql<T.OrderBySourceIdentifierData, T.OrderBySourceIdentifierVariables>`
  query OrderBySourceIdentifier($query: String!) {
    orders(first: 1, query: $query) { nodes { id name sourceIdentifier tags } }
  }
`;

export const OrderByCustomId = gql<T.OrderByCustomIdData, T.OrderByCustomIdVariables>`
  query OrderByCustomId($identifier: OrderIdentifierInput!) {
    orderByIdentifier(identifier: $identifier) { id name sourceIdentifier }
  }
`;

export const OrderCreate = gql<T.OrderCreateData, T.OrderCreateVariables>`
  mutation OrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
    orderCreate(order: $order, options: $options) {
      order { id name sourceIdentifier displayFinancialStatus createdAt }
      userErrors { field message code }
    }
  }
`;

export const TagsAdd = gql<T.TagsAddData, T.TagsAddVariables>`
  mutation TagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      node { id }
      userErrors { field message }
    }
  }
`;

// ---------- bulk operations ----------

export const BulkRunQuery = gql<T.BulkRunQueryData, T.BulkRunQueryVariables>`
  mutation BulkRunQuery($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: false) {
      bulkOperation { id status type createdAt }
      userErrors { field message code }
    }
  }
`;

/**
 * Full catalogue export for reconciliation, run only as a bulk query (ShopifyBulk.runQuery): bulk
 * queries take no page sizes. Variants come as separate lines carrying `__parentId`.
 */
export const BulkProductsExport = gql<T.BulkProductsExportData, T.BulkProductsExportVariables>`
  query BulkProductsExport {
    products {
      edges {
        node {
          id handle title status updatedAt
          variants { edges { node { id sku price compareAtPrice barcode inventoryItem { id } } } }
        }
      }
    }
  }
`;

export const StagedUploadsCreate = gql<T.StagedUploadsCreateData, T.StagedUploadsCreateVariables>`
  mutation StagedUploadsCreate($input: [StagedUploadInput!]!) {
    stagedUploadsCreate(input: $input) {
      stagedTargets { url resourceUrl parameters { name value } }
      userErrors { field message }
    }
  }
`;

export const BulkRunMutation = gql<T.BulkRunMutationData, T.BulkRunMutationVariables>`
  mutation BulkRunMutation($mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String) {
    bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath, clientIdentifier: $clientIdentifier) {
      bulkOperation { id status type createdAt }
      userErrors { field message code }
    }
  }
`;

export const BulkOperationById = gql<T.BulkOperationByIdData, T.BulkOperationByIdVariables>`
  query BulkOperationById($id: ID!) {
    bulkOperation(id: $id) {
      id status type errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl query
    }
  }
`;

export const BulkOperationsActive = gql<T.BulkOperationsActiveData, T.BulkOperationsActiveVariables>`
  query BulkOperationsActive {
    bulkOperations(first: 10, query: "status:running OR status:created") {
      nodes { id status type createdAt objectCount }
    }
  }
`;

export const BulkCancel = gql<T.BulkCancelData, T.BulkCancelVariables>`
  mutation BulkCancel($id: ID!) {
    bulkOperationCancel(id: $id) {
      bulkOperation { id status }
      userErrors { field message }
    }
  }
`;

// ---------- webhooks ----------

export const WebhookSubscriptionCreate = gql<T.WebhookSubscriptionCreateData, T.WebhookSubscriptionCreateVariables>`
  mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
    webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
      webhookSubscription { id topic uri format filter includeFields apiVersion { handle } }
      userErrors { field message }
    }
  }
`;

export const WebhookSubscriptions = gql<T.WebhookSubscriptionsData, T.WebhookSubscriptionsVariables>`
  query WebhookSubscriptions($first: Int = 100, $after: String) {
    webhookSubscriptions(first: $first, after: $after) {
      nodes { id topic uri format filter includeFields }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export const WebhookSubscriptionDelete = gql<T.WebhookSubscriptionDeleteData, T.WebhookSubscriptionDeleteVariables>`
  mutation WebhookSubscriptionDelete($id: ID!) {
    webhookSubscriptionDelete(id: $id) {
      deletedWebhookSubscriptionId
      userErrors { field message }
    }
  }
`;
