/** Retry policy, backoff with jitter and the transient/permanent decision, shared by both adapters. */
import { KoppelError, errorMessage, type ErrorClass } from '../../core/errors.js';
import type { FailureDecision, JobError, RetryPolicy } from './port.js';

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 1000,
  factor: 2,
  maxDelayMs: 5 * 60_000,
  jitter: 0.5,
};

export function resolvePolicy(...layers: Array<Partial<RetryPolicy> | undefined>): RetryPolicy {
  const p: RetryPolicy = { ...DEFAULT_RETRY };
  for (const l of layers) if (l) Object.assign(p, Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)));
  const bad = (field: string, rule: string): never => {
    throw new KoppelError({
      code: 'JOB_RETRY_POLICY_INVALID',
      message: `retry policy field ${field} must be ${rule}`,
      hint: `correct retry.${field} in the job definition or runtime options`,
    });
  };
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1) bad('maxAttempts', 'an integer of at least 1');
  if (!(p.initialDelayMs >= 0)) bad('initialDelayMs', '0 or more');
  if (!(p.factor >= 1)) bad('factor', '1 or more');
  if (!(p.maxDelayMs >= p.initialDelayMs)) bad('maxDelayMs', 'at least initialDelayMs');
  if (!(p.jitter >= 0 && p.jitter <= 1)) bad('jitter', 'between 0 and 1');
  return p;
}

/**
 * Delay before the next attempt after attempt `attempt` (1-based) failed: exponential, capped,
 * with the `jitter` fraction randomised downwards so that retries of many jobs spread out.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = policy.initialDelayMs * Math.pow(policy.factor, Math.max(0, attempt - 1));
  const base = Math.min(policy.maxDelayMs, exp);
  return Math.round(base * (1 - policy.jitter * random()));
}

const RETRYABLE: ReadonlySet<ErrorClass> = new Set<ErrorClass>(['transient', 'throttled', 'outcome_unknown']);

/** Transient errors are retried; permanent ones are parked. An error that is not a KoppelError counts as transient. */
export function defaultDecision(error: unknown): FailureDecision {
  if (error instanceof KoppelError) return RETRYABLE.has(error.errorClass) ? 'retry' : 'park';
  return 'retry';
}

/** A `retryAfterMs` the error carries (e.g. from a Retry-After header), if any. */
export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null) {
    const v = (error as { retryAfterMs?: unknown }).retryAfterMs;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
    const d = (error as { details?: { retryAfterMs?: unknown } }).details?.retryAfterMs;
    if (typeof d === 'number' && Number.isFinite(d) && d >= 0) return d;
  }
  return undefined;
}

const MAX_MESSAGE = 2000;

/** The stored form of an error: code, message, hint and class; never a stack or a payload. */
export function toJobError(error: unknown): JobError {
  if (error instanceof KoppelError) {
    const out: JobError = { code: error.code, message: error.message.slice(0, MAX_MESSAGE), errorClass: error.errorClass };
    if (error.hint) out.hint = error.hint;
    return out;
  }
  const name = error instanceof Error ? error.name : 'Error';
  return { code: name === 'Error' ? 'JOB_FAILED' : `JOB_FAILED_${name.toUpperCase()}`.slice(0, 100), message: errorMessage(error).slice(0, MAX_MESSAGE), errorClass: 'transient' };
}
