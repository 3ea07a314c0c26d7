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
  /**
   * A bulk read (decision 082) is minutes old by the time it is applied. Ledger entries of the
   * level's lots written since the lots were recorded for it: Shopify's figure may be from before
   * or after those moves, so it proves nothing (units that moved and came back count too).
   */
  lotMovesSinceRead?: number;
  /** The app's changes to this level that were still unsettled when the bulk read started. */
  appChangesUnsettledAtRead?: number;
}

export function decideReconciliation(f: LevelFacts): ReconcileDecision {
  const difference = f.shopifyOnHand + f.pendingUnsentDelta - f.lotsOnHand;
  if (difference === 0) return { action: "none", difference: 0 };
  if (f.inFlightRows > 0) return { action: "wait", difference, reason: `${f.inFlightRows} change(s) of the app to this level are being sent to Shopify` };
  if (f.lotsOnHandBefore !== undefined && f.lotsOnHandBefore !== f.lotsOnHand) {
    return { action: "wait", difference, reason: `the lots changed while Shopify was read (${f.lotsOnHandBefore} -> ${f.lotsOnHand} units)` };
  }
  if (f.lotMovesSinceRead)
    return {
      action: "wait",
      difference,
      reason: `the lots moved since Shopify's snapshot was taken (${f.lotMovesSinceRead} ledger entr${f.lotMovesSinceRead === 1 ? "y" : "ies"})`,
    };
  if (f.appChangesUnsettledAtRead) {
    return {
      action: "wait",
      difference,
      reason: `${f.appChangesUnsettledAtRead} change(s) of the app to this level were being sent to Shopify while its snapshot was taken`,
    };
  }
  if (f.unprocessedStockWebhooks)
    return { action: "wait", difference, reason: `${f.unprocessedStockWebhooks} order/fulfilment/refund webhook(s) of the shop are not processed yet` };
  if (difference > 0) return { action: "create-incomplete-lot", difference, units: difference };
  return { action: "record-discrepancy", difference, missingUnits: -difference };
}

/**
 * Below this many levels (lot-tracked inventory items x active locations) a full reconciliation
 * pages through Shopify; from it on, one bulk query reads every level (decision 082: at 250 levels
 * paging already needs about a minute of throttle waits on the standard plan, the bulk query
 * about 20 points whatever the size).
 */
export const BULK_RECONCILE_MIN_LEVELS = 250;

export type ReconcileMode = "paging" | "bulk";

export function chooseReconcileMode(estimatedLevels: number, requested: ReconcileMode | "auto" = "auto"): ReconcileMode {
  if (requested !== "auto") return requested;
  return estimatedLevels >= BULK_RECONCILE_MIN_LEVELS ? "bulk" : "paging";
}
