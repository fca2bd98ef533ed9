import { describe, expect, it } from 'vitest';
import { KoppelError } from '../../core/errors.js';
import { backoffDelay, defaultDecision, resolvePolicy, retryAfterOf, toJobError } from './retry.js';

describe('retry policy', () => {
  it('backs off exponentially up to the cap, without jitter when jitter is 0', () => {
    const p = resolvePolicy({ initialDelayMs: 100, factor: 3, maxDelayMs: 1000, jitter: 0 });
    expect([1, 2, 3, 4].map((a) => backoffDelay(p, a))).toEqual([100, 300, 900, 1000]);
  });

  it('jitter spreads a delay over [delay × (1 − jitter), delay]', () => {
    const p = resolvePolicy({ initialDelayMs: 1000, jitter: 0.5 });
    expect(backoffDelay(p, 1, () => 0)).toBe(1000);
    expect(backoffDelay(p, 1, () => 0.999999)).toBe(500);
    const samples = Array.from({ length: 200 }, () => backoffDelay(p, 2));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(2000);
    expect(new Set(samples).size).toBeGreaterThan(10);
  });

  it('later layers override earlier ones and bad values are refused', () => {
    expect(resolvePolicy({ maxAttempts: 3 }, { maxAttempts: 7, factor: undefined }).maxAttempts).toBe(7);
    expect(() => resolvePolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolvePolicy({ jitter: 2 })).toThrow(/jitter/);
    expect(() => resolvePolicy({ initialDelayMs: 10, maxDelayMs: 5 })).toThrow(/maxDelayMs/);
  });

  it('retries transient, throttled and unknown-outcome errors and anything that is not a KoppelError; parks the rest', () => {
    const k = (errorClass: KoppelError['errorClass']) => new KoppelError({ code: 'X', message: 'x', errorClass });
    expect(['transient', 'throttled', 'outcome_unknown'].map((c) => defaultDecision(k(c as never)))).toEqual(['retry', 'retry', 'retry']);
    expect(['permanent', 'auth', 'not_found', 'invalid_input'].map((c) => defaultDecision(k(c as never)))).toEqual(['park', 'park', 'park', 'park']);
    expect(defaultDecision(new TypeError('boom'))).toBe('retry');
  });

  it('honours a Retry-After carried by the error', () => {
    expect(retryAfterOf(Object.assign(new Error('429'), { retryAfterMs: 1500 }))).toBe(1500);
    expect(retryAfterOf(new KoppelError({ code: 'T', message: 't', details: { retryAfterMs: 20 } }))).toBe(20);
    expect(retryAfterOf(new Error('x'))).toBeUndefined();
  });

  it('stores errors as code, message, hint and class only', () => {
    expect(toJobError(new KoppelError({ code: 'CCV_AUTH', message: 'refused', hint: 'check the key', errorClass: 'auth' }))).toEqual({ code: 'CCV_AUTH', message: 'refused', hint: 'check the key', errorClass: 'auth' });
    expect(toJobError(new TypeError('x is undefined'))).toEqual({ code: 'JOB_FAILED_TYPEERROR', message: 'x is undefined', errorClass: 'transient' });
    expect(toJobError('plain')).toMatchObject({ code: 'JOB_FAILED', message: 'plain' });
  });
});
