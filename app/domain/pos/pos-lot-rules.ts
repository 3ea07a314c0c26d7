// Pure rules of selling a lot at the point of sale (issue #12 item 5, docs/decisions/103): the
// lots the cashier may sell in the order the allocation would take them (so the suggestion is the
// allocation's own first pick), and why a scanned lot is refused. Which balances may be sold at all
// is decided in one place, SHIPPABLE_BALANCES_SQL; these rules only order them and explain a
// refusal in the cashier's words. No database here: pos-lots.server.ts reads the rows.
import { orderForStrategy, type AllocationStrategy, type CandidateLot } from "../allocation/allocation-rules";

/** A lot balance at the POS location that may be sold (a row of SHIPPABLE_BALANCES_SQL). */
export interface SellableLot extends CandidateLot {
  lotNumber: string;
  bin: string | null;
}

export interface SaleOrder {
  lots: SellableLot[];
  /** The lot the allocation would take first; null under the manual strategy (the cashier chooses). */
  suggestion: SellableLot | null;
}

/**
 * The sellable lots in the order the allocation takes them (orderForStrategy: FEFO, FIFO, LIFO).
 * The manual strategy orders nothing: the lots are listed first-expiry-first so the cashier still
 * sees the urgent one on top, but nothing is suggested.
 */
export function lotsInSaleOrder(strategy: AllocationStrategy, lots: readonly SellableLot[]): SaleOrder {
  if (strategy === "MANUAL") return { lots: orderForStrategy("FEFO", lots), suggestion: null };
  const ordered = orderForStrategy(strategy, lots);
  return { lots: ordered, suggestion: ordered[0] ?? null };
}

/** What the shop knows of a scanned lot of the cart line's variant, for a refusal's wording. */
export interface ScannedLotFacts {
  lotNumber: string;
  status: "ACTIVE" | "QUARANTINED" | "RECALLED";
  expiresOn: string | null;
  bestBeforeOn: string | null;
  /** The lot's balance at the POS location; null when it never had units there. */
  atLocation: { quantity: number; quarantined: boolean } | null;
}

/**
 * Why a lot of this variant that is NOT among the sellable balances may not be sold here, most
 * serious first: recalled, quarantined (the lot or its units at this location), expired or too
 * short-dated for the shop's minimum shelf life, no units at this location. `today` and
 * `earliestShelfDate` are 'YYYY-MM-DD' (earliestAcceptableShelfDate, the allocation's rule).
 */
export function scanRefusal(lot: ScannedLotFacts, today: string, earliestShelfDate: string): string {
  const name = `Lot ${lot.lotNumber}`;
  if (lot.status === "RECALLED") return `${name} is recalled: do not sell it. Set the unit aside and scan another lot.`;
  if (lot.status === "QUARANTINED" || lot.atLocation?.quarantined) return `${name} is quarantined: do not sell it. Set the unit aside and scan another lot.`;
  const shelfDate = lot.expiresOn ?? lot.bestBeforeOn;
  const what = lot.expiresOn ? "expiry" : "best-before date";
  if (shelfDate !== null && shelfDate <= today) return `${name} is past its ${what} (${shelfDate}): do not sell it. Scan another lot.`;
  if (shelfDate !== null && shelfDate < earliestShelfDate) {
    return `${name} has its ${what} on ${shelfDate}, sooner than the shop's minimum shelf life allows. Scan another lot.`;
  }
  if (!lot.atLocation || lot.atLocation.quantity <= 0) return `${name} has no units at this location in Lotkeeper. Check the label, or scan another lot.`;
  return `${name} cannot be sold here. Scan another lot.`;
}
