// Koppel's Shopify documents for customers, B2B, orders, tags, bulk operations and webhooks, copied from the
// reference operations (shared/reference/shopify-tools/operations.graphql, validated there against 2026-07 and
// 2026-10), with the example variables' shapes from examples.json. Tests must not read shared/, so they live here.

export const CUSTOMER_CORE = `
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
}`;

export const ORDER_FOR_POS = `
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
  shippingLines(first: 5) { nodes { title code originalPriceSet { shopMoney { amount } } } }
  taxLines { title rate priceSet { shopMoney { amount } } }
  transactions(first: 20) { id kind status gateway formattedGateway amountSet { shopMoney { amount currencyCode } } processedAt }
  lineItems(first: 100) {
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
}`;

export const CRM_DOCS = {
  CustomerByEmail: `query CustomerByEmail($email: String!) {
  customerByIdentifier(identifier: { emailAddress: $email }) { ...CustomerCore }
}${CUSTOMER_CORE}`,
  CustomersSearch: `query CustomersSearch($query: String!) {
  customers(first: 5, query: $query) { nodes { ...CustomerCore } }
}${CUSTOMER_CORE}`,
  CustomerSet: `mutation CustomerSet($identifier: CustomerSetIdentifiers, $input: CustomerSetInput!) {
  customerSet(identifier: $identifier, input: $input) {
    customer { ...CustomerCore }
    userErrors { field message code }
  }
}${CUSTOMER_CORE}`,
  CustomerCreate: `mutation CustomerCreate($input: CustomerInput!) {
  customerCreate(input: $input) {
    customer { ...CustomerCore }
    userErrors { field message }
  }
}${CUSTOMER_CORE}`,
  CustomerUpdate: `mutation CustomerUpdate($input: CustomerInput!) {
  customerUpdate(input: $input) {
    customer { ...CustomerCore }
    userErrors { field message }
  }
}${CUSTOMER_CORE}`,
  CustomerAddressCreate: `mutation CustomerAddressCreate($customerId: ID!, $address: MailingAddressInput!) {
  customerAddressCreate(customerId: $customerId, address: $address, setAsDefault: true) {
    address { id }
    userErrors { field message }
  }
}`,
  CompanyByExternalId: `query CompanyByExternalId($query: String!) {
  companies(first: 1, query: $query) {
    nodes {
      id name externalId
      locations(first: 10) { nodes { id name externalId } }
      contactRoles(first: 10) { nodes { id name } }
      contacts(first: 50) { nodes { id customer { id } } }
    }
  }
}`,
  CompanyCreate: `mutation CompanyCreate($input: CompanyCreateInput!) {
  companyCreate(input: $input) {
    company { id name externalId locations(first: 1) { nodes { id } } contactRoles(first: 10) { nodes { id name } } }
    userErrors { field message code }
  }
}`,
  CompanyAssignCustomerAsContact: `mutation CompanyAssignCustomerAsContact($companyId: ID!, $customerId: ID!) {
  companyAssignCustomerAsContact(companyId: $companyId, customerId: $customerId) {
    companyContact { id }
    userErrors { field message code }
  }
}`,
  CompanyContactAssignRole: `mutation CompanyContactAssignRole($companyContactId: ID!, $companyContactRoleId: ID!, $companyLocationId: ID!) {
  companyContactAssignRole(companyContactId: $companyContactId, companyContactRoleId: $companyContactRoleId, companyLocationId: $companyLocationId) {
    companyContactRoleAssignment { id }
    userErrors { field message code }
  }
}`,
  CompanyLocationCreate: `mutation CompanyLocationCreate($companyId: ID!, $input: CompanyLocationInput!) {
  companyLocationCreate(companyId: $companyId, input: $input) {
    companyLocation { id }
    userErrors { field message code }
  }
}`,
  OrdersForPosImport: `query OrdersForPosImport($query: String!, $after: String) {
  orders(first: 25, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { ...OrderForPos }
    pageInfo { hasNextPage endCursor }
  }
}${ORDER_FOR_POS}`,
  OrderBySourceIdentifier: `query OrderBySourceIdentifier($query: String!) {
  orders(first: 1, query: $query) { nodes { id name sourceIdentifier tags } }
}`,
  OrderByCustomId: `query OrderByCustomId($identifier: OrderIdentifierInput!) {
  orderByIdentifier(identifier: $identifier) { id name sourceIdentifier }
}`,
  OrderCreate: `mutation OrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id name sourceIdentifier displayFinancialStatus createdAt }
    userErrors { field message code }
  }
}`,
  TagsAdd: `mutation TagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}`,
  BulkRunQuery: `mutation BulkRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status type createdAt }
    userErrors { field message code }
  }
}`,
  StagedUploadsCreate: `mutation StagedUploadsCreate($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}`,
  BulkRunMutation: `mutation BulkRunMutation($mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath, clientIdentifier: $clientIdentifier) {
    bulkOperation { id status type createdAt }
    userErrors { field message code }
  }
}`,
  BulkOperationById: `query BulkOperationById($id: ID!) {
  bulkOperation(id: $id) {
    id status type errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl query
  }
}`,
  BulkOperationsActive: `query BulkOperationsActive {
  bulkOperations(first: 10, query: "status:running OR status:created") {
    nodes { id status type createdAt objectCount }
  }
}`,
  BulkCancel: `mutation BulkCancel($id: ID!) {
  bulkOperationCancel(id: $id) {
    bulkOperation { id status }
    userErrors { field message }
  }
}`,
  WebhookSubscriptionCreate: `mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri format filter includeFields apiVersion { handle } }
    userErrors { field message }
  }
}`,
  WebhookSubscriptions: `query WebhookSubscriptions($after: String) {
  webhookSubscriptions(first: 100, after: $after) {
    nodes { id topic uri format filter }
    pageInfo { hasNextPage endCursor }
  }
}`,
  WebhookSubscriptionDelete: `mutation WebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}`,
} as const;

export type CrmDocName = keyof typeof CRM_DOCS;

/**
 * Requested cost of each document by the sandbox's rules (see sandbox/shopify/README.md), computed by hand.
 * CustomerCore on a customer = defaultEmailAddress 1 + defaultPhoneNumber 1 + defaultAddress 1 +
 * companyContactProfiles (a list without `first`: 1 + company 1) = 5, plus the customer object itself.
 * OrderForPos = 4 money bags x 2 + customer 2 + purchasingEntity 3 (the PurchasingCompany branch) + 2 addresses
 * + shippingLines 2+5x3 + taxLines 3 + transactions 20x3 + lineItems 2+100x9 + metafield 1 = 998.
 */
export const CRM_EXPECTED_COST: Record<CrmDocName, number> = {
  CustomerByEmail: 6,
  CustomersSearch: 32, // 2 + 5 x 6
  CustomerSet: 17, // 10 + customer 6 + userErrors 1
  CustomerCreate: 17,
  CustomerUpdate: 17,
  CustomerAddressCreate: 12, // 10 + address 1 + userErrors 1
  CompanyByExternalId: 129, // 2 + 1 x (1 + locations 2+10 + contactRoles 2+10 + contacts 2+50x2)
  CompanyCreate: 27, // 10 + company (1 + locations 2+1 + contactRoles 2+10) + userErrors 1
  CompanyAssignCustomerAsContact: 12,
  CompanyContactAssignRole: 12,
  CompanyLocationCreate: 12,
  OrdersForPosImport: 24977, // 2 + 25 x (1 + 998): refused (MAX_COST_EXCEEDED), as Shopify refuses it
  OrderBySourceIdentifier: 3, // 2 + 1 x 1
  OrderByCustomId: 1,
  OrderCreate: 12, // 10 + order 1 + userErrors 1
  TagsAdd: 12, // 10 + node 1 + userErrors 1
  BulkRunQuery: 12,
  StagedUploadsCreate: 13, // 10 + stagedTargets (1 + parameters 1) + userErrors 1
  BulkRunMutation: 12,
  BulkOperationById: 1,
  BulkOperationsActive: 12, // 2 + 10 x 1
  BulkCancel: 12,
  WebhookSubscriptionCreate: 13, // 10 + webhookSubscription (1 + apiVersion 1) + userErrors 1
  WebhookSubscriptions: 102, // 2 + 100 x 1
  WebhookSubscriptionDelete: 11,
};
