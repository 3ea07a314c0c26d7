// Deciding what a difference between Shopify and the lots means. Pure: unit-tested.
//
// Shopify's on_hand at a location is compared with the units the lots hold there, after
// discounting the app's own changes Shopify has not applied yet (outbox rows still pending):
//   difference = shopifyOnHand + pendingDelta - lotsOnHand
// An outbox row that was already attempted may or may not have reached Shopify (a timeout after
// Shopify applied it looks the same as one that never arrived); while such a row is in flight
// a difference proves nothing, and reconciliation waits for the row to settle.

export type ReconcileDecision =
  | { action: "none"; difference: 0 }
  | { action: "wait"; difference: number; reason: string }
  | { action: "create-incomplete-lot"; difference: number; units: number }
  | { action: "record-discrepancy"; difference: number; missingUnits: number };

export interface LevelFacts {
  shopifyOnHand: number;
  lotsOnHand: number;
  /** Sum of on_hand deltas of outbox rows never sent (attempts = 0): Shopify surely lacks them. */
  pendingUnsentDelta: number;
  /** Outbox rows attempted but not confirmed: their effect on Shopify is unknown. */
  inFlightRows: number;
  /**
   * Order, fulfilment and refund deliveries of the shop not processed yet: Shopify's on_hand may
   * already reflect a shipment whose allocation has not taken the units from the lots.
   */
  unprocessedStockWebhooks?: number;
  /**
   * The lots' units at this level read before Shopify was: if they moved since (a shipment, return
   * or receipt processed in between), Shopify's figure is from before that change and proves nothing.
   */
  lotsOnHandBefore?: number;
}

export function decideReconciliation(f: LevelFacts): ReconcileDecision {
  const difference = f.shopifyOnHand + f.pendingUnsentDelta - f.lotsOnHand;
  if (difference === 0) return { action: "none", difference: 0 };
  if (f.inFlightRows > 0) return { action: "wait", difference, reason: `${f.inFlightRows} change(s) of the app to this level are being sent to Shopify` };
  if (f.lotsOnHandBefore !== undefined && f.lotsOnHandBefore !== f.lotsOnHand) {
    return { action: "wait", difference, reason: `the lots changed while Shopify was read (${f.lotsOnHandBefore} -> ${f.lotsOnHand} units)` };
  }
  if (f.unprocessedStockWebhooks) return { action: "wait", difference, reason: `${f.unprocessedStockWebhooks} order/fulfilment/refund webhook(s) of the shop are not processed yet` };
  if (difference > 0) return { action: "create-incomplete-lot", difference, units: difference };
  return { action: "record-discrepancy", difference, missingUnits: -difference };
}
