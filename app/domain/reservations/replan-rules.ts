// Pure rules of re-planning (docs/decisions/100-reservations.md, "Re-planning"): which units an
// order gives up when a count or adjustment leaves a balance with fewer units on hand than its
// open reservations hold. The rule: the newest orders lose units first (the oldest orders were
// promised the stock first, and it is the order a merchant would ship them in). No database here.
import type { HeldReservation, ReservationChange } from "./reservation-rules";

export interface OverReservedBalance {
  /** Units on hand (> 0: a balance counted to zero is not shippable, and every holder loses it). */
  quantity: number;
  /** Units every order holds on it (lot_balances.reserved). */
  reserved: number;
  /** Units held on it by orders newer than the one being re-planned. */
  heldByNewerOrders: number;
}

/**
 * How many of its units on the balance this order gives up: the excess (reserved - quantity) that
 * the newer orders' units cannot cover, never more than the order holds. Orders are re-planned
 * oldest first, so a newer order has not given anything up yet when an older one is asked.
 */
export function unitsToGiveUp(balance: OverReservedBalance, heldByThisOrder: number): number {
  const excess = balance.reserved - balance.quantity;
  return Math.max(0, Math.min(heldByThisOrder, excess - balance.heldByNewerOrders));
}

/**
 * The releases that give up `units` of the order's rows on one balance: the plan's rows before a
 * person's choice (a scan, a `_lot`), then the highest line id first. The caller's reserveOrder then
 * plans the units again on lots with free units.
 */
export function releasesOnBalance(rows: readonly HeldReservation[], units: number, why: string): ReservationChange[] {
  const ordered = [...rows].sort(
    (a, b) => Number(b.source === "PLAN") - Number(a.source === "PLAN") || (a.lineItemId < b.lineItemId ? 1 : a.lineItemId > b.lineItemId ? -1 : 0),
  );
  const changes: ReservationChange[] = [];
  let left = units;
  for (const r of ordered) {
    if (left <= 0) break;
    const n = Math.min(r.quantity, left);
    left -= n;
    changes.push({ lineItemId: r.lineItemId, variantId: r.variantId, lotId: r.lotId, locationId: r.locationId, delta: -n, source: r.source, why });
  }
  return changes;
}
