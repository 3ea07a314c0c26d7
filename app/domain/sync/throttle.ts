// How long to wait before asking Shopify again, from the cost the Admin GraphQL API reports
// (extensions.cost.throttleStatus: a leaky bucket per app and shop). Pure: unit-tested.

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}

/**
 * Milliseconds until the bucket holds `needed` points again (at least `minimumMs`). Without a
 * reported status (an HTTP 429 or an outage), falls back to exponential backoff by attempt.
 */
export function throttleWaitMs(cost: QueryCost | undefined, attempt: number, options: { minimumMs?: number; maximumMs?: number } = {}): number {
  const minimum = options.minimumMs ?? 1000;
  const maximum = options.maximumMs ?? 10 * 60_000;
  const status = cost?.throttleStatus;
  if (status && status.restoreRate > 0) {
    const needed = Math.min(cost?.requestedQueryCost ?? 10, status.maximumAvailable);
    const missing = Math.max(0, needed - status.currentlyAvailable);
    return clamp(Math.ceil((missing / status.restoreRate) * 1000), minimum, maximum);
  }
  return exponentialBackoffMs(attempt, minimum, maximum);
}

/** 1 s, 2 s, 4 s ... capped, with +/-20 % jitter so shops retrying together spread out. */
export function exponentialBackoffMs(attempt: number, baseMs = 1000, maximumMs = 10 * 60_000, random: () => number = Math.random): number {
  const raw = baseMs * 2 ** Math.max(0, attempt - 1);
  const jitter = 0.8 + random() * 0.4;
  return clamp(Math.round(raw * jitter), baseMs, maximumMs);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
