/**
 * The Shopify connector's client layer (the only code that talks to Shopify's Admin API).
 *
 *   const shopify = new ShopifyClient({ shop: 'koppel-demo', auth: { clientId, clientSecret } });
 *   const r = await shopify.query(docs.VariantsBySku, { query: 'sku:"ABC-1"' }, { lane: 'stock' });
 *   const w = await shopify.mutate(docs.InventorySet, { input, key }, { lane: 'stock' });
 *   if (!w.ok) for (const e of w.userErrors) ...            // typed, never thrown
 *   // thrown: KoppelError with a SHOPIFY_* code and errorClass (see errors.ts)
 */
export { ShopifyClient, DEFAULT_API_VERSION, collectUserErrors } from './client.js';
export type { ShopifyClientOptions, CallOptions, MutateOptions, CostInfo, UserError, QueryResult, MutationResult, ClientStats } from './client.js';
export { CostLimiter, LANES, isLane } from './limiter.js';
export type { Lane, LimiterOptions, LimiterStats, Permit, ThrottleStatus } from './limiter.js';
export { ClientCredentials, StaticToken, tokenProvider } from './auth.js';
export type { ShopifyCredentials, TokenProvider, ClientCredentialsOptions } from './auth.js';
export { ShopifyBulk, BULK_MAX_CONCURRENT, BULK_MAX_UPLOAD_BYTES } from './bulk.js';
export type { BulkInput, BulkLineResult, BulkOperationInfo, BulkOptions, BulkRun, BulkRunOptions, BulkStatus } from './bulk.js';
export { verifyWebhookHmac, signWebhook, readWebhookHeaders, topicEnum, ensureWebhookSubscriptions, listWebhookSubscriptions } from './webhooks.js';
export type { DesiredSubscription, EnsureOptions, EnsureResult, ExistingSubscription, WebhookHeaders } from './webhooks.js';
export { SHOPIFY_ERROR_CODES, isMaxCostExceeded, isOutcomeUnknown, shopifyError } from './errors.js';
export type { ShopifyErrorCode } from './errors.js';
export { CostModel, estimateCost, variableShape, SINGLE_QUERY_MAX_COST } from './cost.js';
export { gql, registeredOperations, operationByName } from './gql.js';
export type { GqlDocument, DataOf, VariablesOf } from './gql.js';
export { systemClock, FakeClock, sleep } from './clock.js';
export type { Clock } from './clock.js';
export * as docs from './documents.js';
