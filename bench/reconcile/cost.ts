// The benchmark's cost figures, by the one implementation of Shopify's published cost rules
// (app/lib/shopify-contract/query-cost.ts, against Shopify's schema of the pinned API version) and
// the standard plan's bucket (app/lib/shopify-contract/leaky-bucket.ts).
import { parse } from "graphql";
import { adminContract } from "../../app/lib/shopify-contract/admin-schema";
import { STANDARD_PLAN } from "../../app/lib/shopify-contract/leaky-bucket";
import { requestedQueryCost, SINGLE_QUERY_MAX_COST } from "../../app/lib/shopify-contract/query-cost";
import { API_VERSION } from "../../app/lib/shopify-api-version";

export const SHOPIFY_MAX_QUERY_COST = SINGLE_QUERY_MAX_COST;
export const STANDARD_BUCKET = STANDARD_PLAN.maximumAvailable;
export const STANDARD_RESTORE_PER_SECOND = STANDARD_PLAN.restoreRate;

export function requestedCost(document: string, variables: Record<string, unknown> = {}): number {
  return requestedQueryCost(adminContract(API_VERSION).schema, parse(document), { variables });
}

/** Seconds of throttle waits to spend `points` from a full bucket: whatever the bucket does not hold, at the restore rate. */
export function throttleSeconds(points: number, bucket = STANDARD_BUCKET, restorePerSecond = STANDARD_RESTORE_PER_SECOND): number {
  return Math.max(0, points - bucket) / restorePerSecond;
}
