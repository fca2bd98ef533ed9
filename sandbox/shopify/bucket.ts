// Shopify's calculated-cost leaky bucket, per app x shop. The requested cost is taken before execution,
// the difference to the actual cost is refunded afterwards. Time comes from an injectable clock.

export type PlanName = 'standard' | 'advanced' | 'plus' | 'enterprise';

/** Restore rates from shopify.dev; bucket sizes: standard observed in real responses, others 20 x rate (unverified). */
export const PLAN_LIMITS: Record<PlanName, { restoreRate: number; maximumAvailable: number; displayName: string }> = {
  standard: { restoreRate: 100, maximumAvailable: 2000, displayName: 'Basic' },
  advanced: { restoreRate: 200, maximumAvailable: 4000, displayName: 'Advanced' },
  plus: { restoreRate: 1000, maximumAvailable: 20000, displayName: 'Shopify Plus' },
  enterprise: { restoreRate: 2000, maximumAvailable: 40000, displayName: 'Commerce Components' },
};

export function isPlanName(v: unknown): v is PlanName {
  return typeof v === 'string' && v in PLAN_LIMITS;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class LeakyBucket {
  private level: number;
  private lastMs: number;
  private plan: PlanName;

  constructor(
    plan: PlanName,
    /** Multiplies the restore rate (time compression for tests and demos); the bucket size is unchanged. */
    private rateScale: number,
    private readonly now: () => number,
  ) {
    if (!(rateScale > 0)) throw new Error(`rateScale must be a positive number, got ${rateScale}`);
    this.plan = plan;
    this.level = PLAN_LIMITS[plan].maximumAvailable;
    this.lastMs = now();
  }

  get restoreRate(): number {
    return PLAN_LIMITS[this.plan].restoreRate * this.rateScale;
  }

  get maximumAvailable(): number {
    return PLAN_LIMITS[this.plan].maximumAvailable;
  }

  get planName(): PlanName {
    return this.plan;
  }

  private refill(): void {
    const t = this.now();
    if (t > this.lastMs) {
      this.level = Math.min(this.maximumAvailable, this.level + ((t - this.lastMs) / 1000) * this.restoreRate);
    }
    this.lastMs = Math.max(this.lastMs, t);
  }

  available(): number {
    this.refill();
    return this.level;
  }

  /** Takes `cost` points if the bucket holds that many; returns false (and takes nothing) otherwise. */
  tryTake(cost: number): boolean {
    this.refill();
    if (cost > this.level) return false;
    this.level -= cost;
    return true;
  }

  refund(points: number): void {
    if (points <= 0) return;
    this.refill();
    this.level = Math.min(this.maximumAvailable, this.level + points);
  }

  /** Fault injection: removes points as if other callers had spent them (never below zero). */
  drain(points: number): void {
    this.refill();
    this.level = Math.max(0, this.level - points);
  }

  setPlan(plan: PlanName, rateScale?: number): void {
    this.refill();
    this.plan = plan;
    if (rateScale !== undefined) {
      if (!(rateScale > 0)) throw new Error(`rateScale must be a positive number, got ${rateScale}`);
      this.rateScale = rateScale;
    }
    this.level = Math.min(this.level, this.maximumAvailable);
  }

  reset(): void {
    this.level = this.maximumAvailable;
    this.lastMs = this.now();
  }

  status(): ThrottleStatus {
    this.refill();
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.level),
      restoreRate: this.restoreRate,
    };
  }
}
