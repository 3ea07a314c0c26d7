// Pure rules of reservations (docs/decisions/100-reservations.md): given what each open order line
// still needs at its location, what the order already holds, and the location's shippable lot
// balances (with what every order has reserved on them), decide which reservations to add and
// which to release. The lot choice is the allocation's own (planAllocation / orderForStrategy in
// allocation-rules.ts): one place for the strategy. No database here.
import { orderForStrategy, planAllocation, type AllocationStrategy, type CandidateLot } from "../allocation/allocation-rules";

export type ReservationSource = "PLAN" | "SCAN" | "LINE_PROPERTY" | "MANUAL";

/** What one order line should hold at one location. */
export interface ReservationNeed {
  lineItemId: bigint;
  variantId: bigint;
  locationId: bigint;
  /** Units still to ship from this location (open quantity, never negative). */
  quantity: number;
  /** The effective strategy (the product's override, else the shop's). MANUAL: the plan adds nothing. */
  strategy: AllocationStrategy;
  /** The lot named on the line (`_lot` property), reserved first when it is shippable here. */
  lotProperty: string | null;
}

/** An open reservation row of the order. */
export interface HeldReservation {
  lineItemId: bigint;
  variantId: bigint;
  lotId: bigint;
  locationId: bigint;
  quantity: number;
  source: ReservationSource;
}

/** A shippable balance (SHIPPABLE_BALANCES_SQL, locked by the caller) with every order's reserved units on it. */
export interface ReservableLot extends CandidateLot {
  variantId: bigint;
  locationId: bigint;
  lotNumber: string;
  reserved: number;
}

/** Units added to (delta > 0) or released from (delta < 0) one reservation (line, lot, location). */
export interface ReservationChange {
  lineItemId: bigint;
  variantId: bigint;
  lotId: bigint;
  locationId: bigint;
  delta: number;
  source: ReservationSource;
  /** Why, for the ledger's reason: "planned", "no longer needed", "lot no longer shippable", ... */
  why: string;
}

export interface ReservationPlan {
  changes: ReservationChange[];
  /** Lines whose `_lot` named no shippable lot with free units here: planned without it. */
  lotPropertyMisses: { lineItemId: bigint; lotNumber: string }[];
}

const keyOf = (lotId: bigint, locationId: bigint) => `${lotId}:${locationId}`;

/**
 * Recomputes the order's reservations: the result depends only on the inputs, so any number of
 * deliveries (in any order) converges on the same rows. A held reservation is kept while its line
 * still needs units at that location and its lot is still shippable there; a person's choice
 * (SCAN, LINE_PROPERTY, MANUAL) is kept before the plan's, then the strategy's order decides. What
 * a line needs beyond what it keeps comes from units no order holds: its `_lot` first, then the
 * strategy (planAllocation), lines in the given order sharing the free units.
 */
export function planReservations(needs: readonly ReservationNeed[], held: readonly HeldReservation[], candidates: readonly ReservableLot[]): ReservationPlan {
  const plan: ReservationPlan = { changes: [], lotPropertyMisses: [] };
  const lotsAt = new Map<string, ReservableLot[]>();
  const lotByKey = new Map<string, ReservableLot>();
  for (const lot of candidates) {
    const at = `${lot.variantId}@${lot.locationId}`;
    lotsAt.set(at, [...(lotsAt.get(at) ?? []), lot]);
    lotByKey.set(keyOf(lot.lotId, lot.locationId), lot);
  }
  const needOf = new Map(needs.map((n) => [`${n.lineItemId}@${n.locationId}`, n]));
  const released = new Map<string, number>();
  const release = (r: HeldReservation, quantity: number, why: string) => {
    if (quantity <= 0) return;
    plan.changes.push({ lineItemId: r.lineItemId, variantId: r.variantId, lotId: r.lotId, locationId: r.locationId, delta: -quantity, source: r.source, why });
    released.set(keyOf(r.lotId, r.locationId), (released.get(keyOf(r.lotId, r.locationId)) ?? 0) + quantity);
  };

  // 1. What is held and still wanted: per line and location, up to the need, people's choices first.
  const kept = new Map<string, number>();
  const heldByNeed = new Map<string, HeldReservation[]>();
  for (const r of held) {
    const need = needOf.get(`${r.lineItemId}@${r.locationId}`);
    if (!need) release(r, r.quantity, "no longer needed here");
    else if (!lotByKey.has(keyOf(r.lotId, r.locationId))) release(r, r.quantity, "lot no longer shippable");
    else heldByNeed.set(`${r.lineItemId}@${r.locationId}`, [...(heldByNeed.get(`${r.lineItemId}@${r.locationId}`) ?? []), r]);
  }
  for (const [key, list] of heldByNeed) {
    const need = needOf.get(key)!;
    const rank = strategyRank(need.strategy, lotsAt.get(`${need.variantId}@${need.locationId}`) ?? []);
    const ordered = [...list].sort((a, b) => Number(a.source === "PLAN") - Number(b.source === "PLAN") || rank(a.lotId) - rank(b.lotId));
    let left = need.quantity;
    for (const r of ordered) {
      const keep = Math.min(r.quantity, left);
      left -= keep;
      release(r, r.quantity - keep, "no longer needed");
    }
    kept.set(key, need.quantity - left);
  }

  // 2. Units nobody holds (after this plan's releases), shared by the lines in order.
  const freeByLocation = new Map<bigint, Map<bigint, number>>();
  const freeAt = (lot: ReservableLot) => Math.max(0, lot.quantity - (lot.reserved - (released.get(keyOf(lot.lotId, lot.locationId)) ?? 0)));
  const adds = new Map<string, ReservationChange>();
  const add = (need: ReservationNeed, lotId: bigint, quantity: number, source: ReservationSource) => {
    if (quantity <= 0) return;
    const key = `${need.lineItemId}:${lotId}:${need.locationId}`;
    const existing = adds.get(key);
    if (existing) existing.delta += quantity;
    else adds.set(key, { lineItemId: need.lineItemId, variantId: need.variantId, lotId, locationId: need.locationId, delta: quantity, source, why: "planned" });
  };
  for (const need of needs) {
    const lots = lotsAt.get(`${need.variantId}@${need.locationId}`) ?? [];
    // One map per location: planAllocation keys units by lot id, and a lot has a balance per location.
    const free = freeByLocation.get(need.locationId) ?? new Map<bigint, number>();
    freeByLocation.set(need.locationId, free);
    for (const lot of lots) if (!free.has(lot.lotId)) free.set(lot.lotId, freeAt(lot));
    let rest = need.quantity - (kept.get(`${need.lineItemId}@${need.locationId}`) ?? 0);
    if (rest <= 0) continue;
    if (need.lotProperty) {
      const named = lots.find((l) => l.lotNumber === need.lotProperty);
      const n = named ? Math.min(free.get(named.lotId)!, rest) : 0;
      if (named && n > 0) {
        free.set(named.lotId, free.get(named.lotId)! - n);
        add(need, named.lotId, n, "LINE_PROPERTY");
        rest -= n;
      } else {
        plan.lotPropertyMisses.push({ lineItemId: need.lineItemId, lotNumber: need.lotProperty });
      }
    }
    if (rest <= 0 || need.strategy === "MANUAL") continue;
    for (const t of planAllocation(need.strategy, lots, rest, free).takes) add(need, t.lotId, t.quantity, "PLAN");
  }
  plan.changes.push(...adds.values());
  return plan;
}

/** Position of each lot in the strategy's order (MANUAL ranks like FEFO: a person chose, the date breaks ties). */
function strategyRank(strategy: AllocationStrategy, lots: readonly CandidateLot[]): (lotId: bigint) => number {
  const rank = new Map(orderForStrategy(strategy === "MANUAL" ? "FEFO" : strategy, lots).map((l, i) => [l.lotId, i]));
  return (lotId) => rank.get(lotId) ?? Number.MAX_SAFE_INTEGER;
}
