/**
 * Typed errors of the Shopify client. Every failure a caller sees is a `KoppelError` with one of
 * these codes and an `errorClass` that tells a flow what to do:
 *
 *   transient        retry later (the client already retried with jitter)
 *   throttled        the rate budget did not free up in time (rare: throttles are normally waited out)
 *   outcome_unknown  a non-idempotent write may or may not have happened: look before retrying
 *   auth             credentials or scopes: an operator must act
 *   not_found        shop or API version unknown
 *   invalid_input    the request itself is wrong (e.g. too expensive: page smaller)
 *   permanent        anything else that retrying will not fix
 */
import { KoppelError, type ErrorClass } from '../../core/errors.js';

export const SHOPIFY_ERROR_CODES = {
  /** THROTTLED kept coming back beyond `maxThrottleRetries`. */
  THROTTLED: 'SHOPIFY_THROTTLED',
  /** The requested cost is above Shopify's single-query cap: page smaller. details: requestedCost, maxCost */
  MAX_COST_EXCEEDED: 'SHOPIFY_MAX_COST_EXCEEDED',
  /** The app lacks a scope (or protected-data access). details: scopes */
  ACCESS_DENIED: 'SHOPIFY_ACCESS_DENIED',
  /** HTTP 401 even after fetching a fresh token (or with a static token). */
  UNAUTHORIZED: 'SHOPIFY_UNAUTHORIZED',
  /** The client-credentials grant was refused. */
  TOKEN_REJECTED: 'SHOPIFY_TOKEN_REJECTED',
  /** The token endpoint could not be reached or answered 5xx. */
  TOKEN_UNAVAILABLE: 'SHOPIFY_TOKEN_UNAVAILABLE',
  /** A non-idempotent mutation was sent but no answer came back. */
  OUTCOME_UNKNOWN: 'SHOPIFY_OUTCOME_UNKNOWN',
  /** HTTP 5xx or INTERNAL_SERVER_ERROR. */
  SERVER_ERROR: 'SHOPIFY_SERVER_ERROR',
  /** The connection failed or dropped. */
  NETWORK_ERROR: 'SHOPIFY_NETWORK_ERROR',
  /** No answer within the per-request timeout. */
  TIMEOUT: 'SHOPIFY_TIMEOUT',
  /** The caller's signal aborted the call. */
  ABORTED: 'SHOPIFY_ABORTED',
  /** An answer that is not the JSON GraphQL response it should be. */
  BAD_RESPONSE: 'SHOPIFY_BAD_RESPONSE',
  /** GraphQL errors (validation, unknown fields, bad variables). */
  GRAPHQL_ERROR: 'SHOPIFY_GRAPHQL_ERROR',
  /** Another HTTP 4xx (400, 403, 406, 422, 430 …). */
  HTTP_ERROR: 'SHOPIFY_HTTP_ERROR',
  /** HTTP 404: the shop or API version does not exist. */
  NOT_FOUND: 'SHOPIFY_NOT_FOUND',
  /** HTTP 402 / 423: the shop is frozen, paused or locked. */
  SHOP_UNAVAILABLE: 'SHOPIFY_SHOP_UNAVAILABLE',
  /** An @idempotent write with the same key is still running at Shopify. */
  IDEMPOTENCY_IN_PROGRESS: 'SHOPIFY_IDEMPOTENCY_IN_PROGRESS',
  /** A bulk operation could not be started, failed, or its result could not be read. */
  BULK_FAILED: 'SHOPIFY_BULK_FAILED',
  /** A bulk upload was refused by the staged-upload target. */
  BULK_UPLOAD_FAILED: 'SHOPIFY_BULK_UPLOAD_FAILED',
  /** Bad input to a client helper (not sent). */
  INVALID_ARGUMENT: 'SHOPIFY_INVALID_ARGUMENT',
} as const;

export type ShopifyErrorCode = (typeof SHOPIFY_ERROR_CODES)[keyof typeof SHOPIFY_ERROR_CODES];

export interface ShopifyErrorInit {
  code: ShopifyErrorCode;
  errorClass: ErrorClass;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export function shopifyError(init: ShopifyErrorInit): KoppelError {
  return new KoppelError({
    code: init.code,
    errorClass: init.errorClass,
    message: init.message,
    ...(init.hint !== undefined ? { hint: init.hint } : {}),
    ...(init.details !== undefined ? { details: init.details } : {}),
    ...(init.cause !== undefined ? { cause: init.cause } : {}),
  });
}

/** True for the typed error a caller answers by asking for a smaller page. */
export function isMaxCostExceeded(e: unknown): e is KoppelError {
  return e instanceof KoppelError && e.code === SHOPIFY_ERROR_CODES.MAX_COST_EXCEEDED;
}

/** True when a write may have happened: look it up before sending it again. */
export function isOutcomeUnknown(e: unknown): e is KoppelError {
  return e instanceof KoppelError && e.errorClass === 'outcome_unknown';
}

/** Scope names (read_products, write_inventory …) mentioned in an ACCESS_DENIED error. */
export function scopesIn(text: string): string[] {
  const found = text.match(/\b(?:unauthenticated_)?(?:read|write)_[a-z_]+\b/g) ?? [];
  return [...new Set(found)];
}
