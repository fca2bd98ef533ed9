// `@idempotent(key:)`: the first request with a key runs and its result is kept; a replay with the same
// key and the same parameters returns that result without running again; the same key with other
// parameters is refused (IDEMPOTENCY_KEY_PARAMETER_MISMATCH); a replay while the first is still running
// is refused (IDEMPOTENCY_CONCURRENT_REQUEST); a key whose first attempt crashed cannot be reused
// (IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED). Keys expire after a retention window (Shopify documents a
// finite window without a number; default 24 h here).
import { createHash } from 'node:crypto';

export type IdempotencyOutcome =
  | { kind: 'new' }
  | { kind: 'replay'; result: unknown }
  | { kind: 'mismatch' }
  | { kind: 'concurrent' }
  | { kind: 'failed' };

export interface IdempotencyEntry {
  hash: string;
  status: 'running' | 'done' | 'failed';
  result?: unknown;
  at: number;
}

export function stableHash(value: unknown): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canon(value)) ?? 'undefined').digest('hex');
}

export class IdempotencyStore {
  private readonly entries = new Map<string, IdempotencyEntry>();

  constructor(
    private readonly now: () => number,
    public retentionMs: number,
  ) {}

  private sweep(): void {
    const cutoff = this.now() - this.retentionMs;
    for (const [k, e] of this.entries) if (e.at < cutoff && e.status !== 'running') this.entries.delete(k);
  }

  begin(key: string, parameters: unknown): IdempotencyOutcome {
    this.sweep();
    const hash = stableHash(parameters);
    const e = this.entries.get(key);
    if (!e) {
      this.entries.set(key, { hash, status: 'running', at: this.now() });
      return { kind: 'new' };
    }
    if (e.hash !== hash) return { kind: 'mismatch' };
    if (e.status === 'running') return { kind: 'concurrent' };
    if (e.status === 'failed') return { kind: 'failed' };
    return { kind: 'replay', result: e.result };
  }

  complete(key: string, result: unknown): void {
    const e = this.entries.get(key);
    if (e) {
      e.status = 'done';
      e.result = result;
      e.at = this.now();
    }
  }

  /** Forgets a key whose request was refused before doing anything (bad input): it may be used again. */
  release(key: string): void {
    const e = this.entries.get(key);
    if (e?.status === 'running') this.entries.delete(key);
  }

  fail(key: string): void {
    const e = this.entries.get(key);
    if (e) {
      e.status = 'failed';
      e.at = this.now();
    }
  }

  clear(): void {
    this.entries.clear();
  }

  /** Every key not yet expired, oldest first (for snapshots). */
  list(): [string, IdempotencyEntry][] {
    this.sweep();
    return [...this.entries];
  }

  /** Puts back a key from a snapshot. */
  restore(key: string, entry: IdempotencyEntry): void {
    this.entries.set(key, entry);
  }

  get size(): number {
    return this.entries.size;
  }
}
