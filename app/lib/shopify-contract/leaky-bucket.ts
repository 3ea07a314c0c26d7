// Shopify's leaky bucket per app and shop for the GraphQL Admin API: a query must find its
// requested cost in the bucket before it runs, the difference to its actual cost is refunded after,
// and the bucket refills continuously at the plan's restore rate. Pure (time is passed in).
// Figures: docs/decisions/080-shopify-contract.md.
import type { ThrottleStatus } from "../../domain/sync/throttle";

export interface PlanLimits {
  maximumAvailable: number;
  restoreRate: number;
}

/** Standard plans: 100 points/second restore (published), a 2,000-point bucket (what Shopify reports as maximumAvailable). */
export const STANDARD_PLAN: PlanLimits = { maximumAvailable: 2000, restoreRate: 100 };

export class LeakyBucket {
  private available: number;
  private at: number;

  constructor(
    readonly limits: PlanLimits = STANDARD_PLAN,
    now = Date.now(),
  ) {
    this.available = limits.maximumAvailable;
    this.at = now;
  }

  /** The bucket as Shopify reports it in extensions.cost.throttleStatus. */
  status(now = Date.now()): ThrottleStatus {
    this.refill(now);
    return { maximumAvailable: this.limits.maximumAvailable, currentlyAvailable: Math.floor(this.available), restoreRate: this.limits.restoreRate };
  }

  /** Takes the requested cost, or nothing when the bucket holds less (Shopify answers THROTTLED). */
  take(points: number, now = Date.now()): boolean {
    this.refill(now);
    if (points > this.available) return false;
    this.available -= points;
    return true;
  }

  /** Gives back what a query did not use (requested minus actual). */
  refund(points: number, now = Date.now()): void {
    this.refill(now);
    this.available = Math.min(this.limits.maximumAvailable, this.available + Math.max(0, points));
  }

  /** Empties the bucket (a test that needs a spent bucket). */
  drain(now = Date.now()): void {
    this.refill(now);
    this.available = 0;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.at) / 1000;
    this.available = Math.min(this.limits.maximumAvailable, this.available + elapsed * this.limits.restoreRate);
    this.at = Math.max(this.at, now);
  }
}
