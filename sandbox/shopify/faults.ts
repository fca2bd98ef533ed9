// Fault injection, deterministic for tests: counters ("the next 2 requests") and seeded probabilities.

export interface FaultConfig {
  /** Probability (0..1) that a GraphQL request fails with `errorStatus` before anything runs. */
  errorRate: number;
  /** The next N GraphQL requests fail with `errorStatus` before anything runs. */
  failNext: number;
  /** HTTP status of injected failures (502, 503, 504, 500). */
  errorStatus: number;
  /** Processing time added to every GraphQL request (inside execution, after idempotency keys are taken). */
  latencyMs: number;
  /** Extra random latency, 0..latencyJitterMs. */
  latencyJitterMs: number;
  /** Probability that a request commits and then the connection is dropped without an answer. */
  dropAfterCommitRate: number;
  /** The next N GraphQL requests commit and then drop the connection. */
  dropAfterCommitNext: number;
}

export const NO_FAULTS: FaultConfig = {
  errorRate: 0,
  failNext: 0,
  errorStatus: 503,
  latencyMs: 0,
  latencyJitterMs: 0,
  dropAfterCommitRate: 0,
  dropAfterCommitNext: 0,
};

/** mulberry32: small, seedable, good enough for fault dice. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  config: FaultConfig = { ...NO_FAULTS };
  private random: () => number;

  constructor(private seed = 42) {
    this.random = rng(seed);
  }

  set(partial: Partial<FaultConfig>): FaultConfig {
    for (const [k, v] of Object.entries(partial)) {
      if (!(k in NO_FAULTS)) throw new Error(`unknown fault setting "${k}"; known: ${Object.keys(NO_FAULTS).join(', ')}`);
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`fault setting "${k}" must be a non-negative number`);
      if (k.endsWith('Rate') && v > 1) throw new Error(`fault setting "${k}" is a probability between 0 and 1`);
    }
    this.config = { ...this.config, ...partial };
    return this.config;
  }

  reset(): void {
    this.config = { ...NO_FAULTS };
    this.random = rng(this.seed);
  }

  /** The HTTP status to fail this request with, or null. */
  failure(): number | null {
    if (this.config.failNext > 0) {
      this.config.failNext -= 1;
      return this.config.errorStatus;
    }
    if (this.config.errorRate > 0 && this.random() < this.config.errorRate) return this.config.errorStatus;
    return null;
  }

  dropAfterCommit(): boolean {
    if (this.config.dropAfterCommitNext > 0) {
      this.config.dropAfterCommitNext -= 1;
      return true;
    }
    return this.config.dropAfterCommitRate > 0 && this.random() < this.config.dropAfterCommitRate;
  }

  latency(): number {
    const { latencyMs, latencyJitterMs } = this.config;
    return latencyMs + (latencyJitterMs > 0 ? Math.floor(this.random() * latencyJitterMs) : 0);
  }
}
