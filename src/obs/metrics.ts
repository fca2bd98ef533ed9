/**
 * Prometheus metrics for the API clients and the engine. One registry per process; clients label
 * their series by api ("ccv" | "shopify") and connection name, never by record or customer.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();

export const apiRequests = new Counter({
  name: 'koppel_api_requests_total',
  help: 'API requests sent, by outcome (ok, throttled, client_error, server_error, network_error, outcome_unknown)',
  labelNames: ['api', 'connection', 'operation', 'outcome'] as const,
  registers: [registry],
});

export const apiLatency = new Histogram({
  name: 'koppel_api_request_seconds',
  help: 'API request latency',
  labelNames: ['api', 'connection'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  registers: [registry],
});

export const apiRetries = new Counter({
  name: 'koppel_api_retries_total',
  help: 'Requests retried after a transient failure or a throttle',
  labelNames: ['api', 'connection', 'reason'] as const,
  registers: [registry],
});

export const apiThrottleWait = new Counter({
  name: 'koppel_api_throttle_wait_seconds_total',
  help: 'Time spent waiting for rate budget (pacing and throttle back-off)',
  labelNames: ['api', 'connection'] as const,
  registers: [registry],
});

export const apiBudgetAvailable = new Gauge({
  name: 'koppel_api_budget_available',
  help: 'Budget left: Shopify cost points available, CCV requests left in the current minute (per bucket)',
  labelNames: ['api', 'connection', 'bucket'] as const,
  registers: [registry],
});
