// Pure rules of allocation ("fulfil by lot"): which lots may ship, in which order they are taken,
// and how a quantity is split across them. No database here: allocate-fulfilment.server.ts locks
// the candidate balances and asks planFulfilment (planAllocation per line) what to take.

import { addDays, type Day } from "../shops/shop-day";

export type AllocationStrategy = "FEFO" | "FIFO" | "LIFO" | "MANUAL";

export const ALLOCATION_STRATEGIES: readonly AllocationStrategy[] = ["FEFO", "FIFO", "LIFO", "MANUAL"];

/** The product's own choice wins over the shop's default. */
export function effectiveStrategy(shopStrategy: AllocationStrategy, override: AllocationStrategy | null | undefined): AllocationStrategy {
  return override ?? shopStrategy;
}

/** A lot balance at the fulfilment's location that may be taken from (already filtered for status). */
export interface CandidateLot {
  lotId: bigint;
  /** Units on hand at this location (locked by the caller). */
  quantity: number;
  /** 'YYYY-MM-DD': the expiry, else the best-before date; null when the lot has neither. */
  shelfDate: string | null;
  receivedAt: Date;
  /**
   * Units of the balance held by open reservations (any order; docs/decisions/100-reservations.md).
   * The strategy only takes `quantity - reserved`; a line takes its own reservations first.
   */
  reserved?: number;
  /** The lot's number, matched against a line's `_lot` property. */
  lotNumber?: string;
}

/** Units of a locked candidate balance held for one order line (a lot_reservations row). */
export interface LineReservation {
  lineItemId: bigint;
  lotId: bigint;
  quantity: number;
}

export interface AllocationPlan {
  takes: { lotId: bigint; quantity: number }[];
  /** Units no lot could cover: an explicit unknown-lot allocation flagged for review. */
  unknown: number;
}

/**
 * The last date a lot may expire on and still be shipped today is `today + minShelfLifeDays`; a
 * lot expiring today (or earlier) never ships, since the customer would receive it expired. `today`
 * is the shop's day (app/domain/shops/shop-day.ts), not UTC's. Returns the earliest acceptable
 * shelf date (inclusive).
 */
export function earliestAcceptableShelfDate(today: Day, minShelfLifeDays: number): Day {
  return addDays(today, Math.max(1, Math.floor(minShelfLifeDays)));
}

/** Whether a lot's date still leaves enough shelf life (lots without any date always do). */
export function hasEnoughShelfLife(shelfDate: string | null, earliestAcceptable: string): boolean {
  return shelfDate === null || shelfDate >= earliestAcceptable;
}

function byReceipt(a: CandidateLot, b: CandidateLot): number {
  const t = a.receivedAt.getTime() - b.receivedAt.getTime();
  if (t !== 0) return t;
  return a.lotId < b.lotId ? -1 : a.lotId > b.lotId ? 1 : 0;
}

/**
 * Candidates in the order the strategy takes them. FEFO: earliest shelf date first, lots without a
 * date after every dated lot, ties by receipt (then lot id). FIFO: oldest receipt first. LIFO:
 * newest receipt first. MANUAL: none (the merchant picks).
 */
export function orderForStrategy<T extends CandidateLot>(strategy: AllocationStrategy, candidates: readonly T[]): T[] {
  const list = [...candidates];
  switch (strategy) {
    case "FEFO":
      return list.sort((a, b) => {
        if (a.shelfDate !== b.shelfDate) {
          if (a.shelfDate === null) return 1;
          if (b.shelfDate === null) return -1;
          return a.shelfDate < b.shelfDate ? -1 : 1;
        }
        return byReceipt(a, b);
      });
    case "FIFO":
      return list.sort(byReceipt);
    case "LIFO":
      return list.sort((a, b) => byReceipt(b, a));
    case "MANUAL":
      return [];
  }
}

/**
 * Takes `quantity` units greedily in the strategy's order, splitting across lots; what is left is
 * unknown-lot. `available` holds what earlier lines of the same fulfilment already took (it is
 * updated), so two lines of one variant never take the same unit twice.
 */
export function planAllocation(
  strategy: AllocationStrategy,
  candidates: readonly CandidateLot[],
  quantity: number,
  available: Map<bigint, number> = new Map(),
): AllocationPlan {
  let left = quantity;
  const takes: AllocationPlan["takes"] = [];
  for (const lot of orderForStrategy(strategy, candidates)) {
    if (left <= 0) break;
    const onHand = available.get(lot.lotId) ?? lot.quantity;
    const take = Math.min(onHand, left);
    if (take <= 0) continue;
    takes.push({ lotId: lot.lotId, quantity: take });
    available.set(lot.lotId, onHand - take);
    left -= take;
  }
  return { takes, unknown: left };
}

/** A fulfilment line this transaction claimed (inserted), with what the shop knows of its variant. */
export interface ClaimedLine {
  lineItemId: bigint;
  /** null: a custom item without a variant. */
  variantId: bigint | null;
  quantity: number;
  /** null: the variant is not known yet (no products webhook): treated as lot-tracked. */
  lotTracked: boolean | null;
  strategyOverride: AllocationStrategy | null;
  /** The lot named on the order line (`_lot` property): taken first when it is a candidate. */
  lotProperty?: string | null;
}

/**
 * Whether a line's units are assigned to lots: an unknown variant (no products webhook yet) counts
 * as lot-tracked, so its units are recorded (unknown-lot when no lot exists) rather than ignored.
 */
export function needsLots(line: ClaimedLine): line is ClaimedLine & { variantId: bigint } {
  return line.variantId !== null && line.lotTracked !== false;
}

/**
 * The variants whose lot balances must be locked before planning: every lot-tracked line's, once
 * each, in line order. Manual-strategy lines too: a reserved lot (scanned at the pack station) or a
 * `_lot` named on the line ships from that lot instead of waiting for the merchant.
 */
export function variantsToLock(lines: readonly ClaimedLine[]): bigint[] {
  const out = new Map<string, bigint>();
  for (const line of lines) if (needsLots(line)) out.set(line.variantId.toString(), line.variantId);
  return [...out.values()];
}

export interface FulfilmentPlan {
  /** Allocation rows to insert; lotId null = unknown lot (manual line, or units no lot covered). */
  allocations: { lineItemId: bigint; variantId: bigint; lotId: bigint | null; quantity: number }[];
  /** Units leaving each locked balance, with the balance after (candidates' quantity minus takes so far). */
  movements: { lineItemId: bigint; lotId: bigint; delta: number; balanceAfter: number }[];
  states: { lineItemId: bigint; state: "ALLOCATED" | "PENDING" | "SKIPPED" }[];
  /** Reserved units the lines took from their own reservations (the reservation shrinks by as much). */
  consumed: LineReservation[];
  /** Lines whose `_lot` property named no candidate lot with units left: planned without it, flagged. */
  lotPropertyMisses: { lineItemId: bigint; lotNumber: string }[];
  allocatedLines: number;
  pendingLines: number;
  skippedLines: number;
  unknownUnits: number;
}

/**
 * Plans every claimed line of one fulfilment, in the given order, against the locked candidate
 * balances per variant: lines that are not lot-tracked are SKIPPED; the others take, in this order,
 * the lot their `_lot` property names (its own reservation there, then free units), their own
 * reservations (`reservations`), then greedily by strategy (planAllocation) from the units nobody
 * reserved (`quantity - reserved`). A `_lot` lot gives its units even when other orders hold them
 * (the line says which lot left the shelf); nothing else takes units another order holds. Manual-strategy lines take only the first two; what is left
 * gets one unknown-lot allocation and the line stays PENDING. What no lot covers is unknown-lot.
 * Lines of one variant share the candidates' units (never twice).
 */
export function planFulfilment(
  lines: readonly ClaimedLine[],
  shopStrategy: AllocationStrategy,
  candidates: ReadonlyMap<bigint, readonly CandidateLot[]>,
  reservations: readonly LineReservation[] = [],
): FulfilmentPlan {
  const plan: FulfilmentPlan = {
    allocations: [],
    movements: [],
    states: [],
    consumed: [],
    lotPropertyMisses: [],
    allocatedLines: 0,
    pendingLines: 0,
    skippedLines: 0,
    unknownUnits: 0,
  };
  const onHand = new Map<bigint, number>();
  const free = new Map<bigint, number>();
  for (const list of candidates.values()) {
    for (const lot of list) {
      onHand.set(lot.lotId, lot.quantity);
      free.set(lot.lotId, Math.max(0, lot.quantity - (lot.reserved ?? 0)));
    }
  }
  const held = new Map<bigint, LineReservation[]>();
  for (const r of reservations) held.set(r.lineItemId, [...(held.get(r.lineItemId) ?? []), { ...r }]);

  for (const line of lines) {
    if (!needsLots(line)) {
      plan.states.push({ lineItemId: line.lineItemId, state: "SKIPPED" });
      plan.skippedLines++;
      continue;
    }
    const strategy = effectiveStrategy(shopStrategy, line.strategyOverride);
    const lots = candidates.get(line.variantId) ?? [];
    let left = line.quantity;
    const take = (lotId: bigint, quantity: number) => {
      const after = onHand.get(lotId)! - quantity;
      onHand.set(lotId, after);
      // A free unit never stays counted above what is on hand.
      free.set(lotId, Math.min(free.get(lotId)!, after));
      // Reserved and free units of one lot make one allocation (and one movement) for the line.
      const same = plan.movements.find((m) => m.lineItemId === line.lineItemId && m.lotId === lotId);
      if (same) {
        plan.allocations.find((a) => a.lineItemId === line.lineItemId && a.lotId === lotId)!.quantity += quantity;
        same.delta -= quantity;
        same.balanceAfter = after;
      } else {
        plan.allocations.push({ lineItemId: line.lineItemId, variantId: line.variantId, lotId, quantity });
        plan.movements.push({ lineItemId: line.lineItemId, lotId, delta: -quantity, balanceAfter: after });
      }
      left -= quantity;
    };
    const takeReserved = (r: LineReservation) => {
      const n = Math.min(r.quantity, left, onHand.get(r.lotId) ?? 0);
      if (n <= 0) return;
      r.quantity -= n;
      plan.consumed.push({ lineItemId: line.lineItemId, lotId: r.lotId, quantity: n });
      take(r.lotId, n);
    };
    const own = (held.get(line.lineItemId) ?? []).filter((r) => onHand.has(r.lotId));

    if (line.lotProperty) {
      const named = lots.find((l) => l.lotNumber === line.lotProperty);
      const before = left;
      if (named) {
        for (const r of own.filter((r) => r.lotId === named.lotId)) takeReserved(r);
        const n = Math.min(free.get(named.lotId)!, left);
        if (n > 0) {
          free.set(named.lotId, free.get(named.lotId)! - n);
          take(named.lotId, n);
        }
        // The line says which lot left the shelf (a scan, the POS): that is a fact, even when the
        // units were promised to other orders; their reservations are re-planned (decision 100).
        const promised = Math.min(onHand.get(named.lotId)!, left);
        if (promised > 0) take(named.lotId, promised);
      }
      if (left === before && left > 0) plan.lotPropertyMisses.push({ lineItemId: line.lineItemId, lotNumber: line.lotProperty });
    }
    // Own reservations in the strategy's order (FEFO: the earliest expiry first).
    const rank = new Map(orderForStrategy(strategy === "MANUAL" ? "FEFO" : strategy, lots).map((l, i) => [l.lotId, i]));
    for (const r of [...own].sort((a, b) => (rank.get(a.lotId) ?? 0) - (rank.get(b.lotId) ?? 0))) takeReserved(r);

    if (strategy === "MANUAL") {
      if (left > 0) plan.allocations.push({ lineItemId: line.lineItemId, variantId: line.variantId, lotId: null, quantity: left });
      plan.states.push({ lineItemId: line.lineItemId, state: left > 0 ? "PENDING" : "ALLOCATED" });
      if (left > 0) plan.pendingLines++;
      else plan.allocatedLines++;
      continue;
    }
    if (left > 0) {
      const taken = planAllocation(strategy, lots, left, free);
      for (const t of taken.takes) take(t.lotId, t.quantity);
    }
    if (left > 0) {
      plan.allocations.push({ lineItemId: line.lineItemId, variantId: line.variantId, lotId: null, quantity: left });
      plan.unknownUnits += left;
    }
    plan.states.push({ lineItemId: line.lineItemId, state: "ALLOCATED" });
    plan.allocatedLines++;
  }
  return plan;
}

/** Fulfilment statuses (Shopify) under which units left the warehouse, and those that undo it. */
export type FulfilmentEffect = "allocate" | "reverse" | "none";

export function fulfilmentEffect(status: string): FulfilmentEffect {
  switch (status.toLowerCase()) {
    case "success":
      return "allocate";
    case "cancelled":
    case "failure":
    case "error":
      return "reverse";
    default:
      return "none"; // pending, open: nothing shipped yet
  }
}

/**
 * Refund restock types that put fulfilled units back into their lots: only `return`. `cancel`
 * concerns unfulfilled units and `no_restock` keeps nothing; the deprecated `legacy_restock` cannot
 * tell fulfilled from unfulfilled units, so it is recorded without a lot effect (docs/decisions/030).
 */
export function restocksIntoLots(restockType: string): boolean {
  return restockType === "return";
}

/**
 * Splits `quantity` returned units over a line item's allocations: known lots first (in allocation
 * order), then unknown-lot ones, never more than each still holds (quantity - returned).
 */
export function planReturn(
  allocations: readonly { id: bigint; lotId: bigint | null; open: number }[],
  quantity: number,
): { allocationId: bigint; lotId: bigint | null; quantity: number }[] {
  const ordered = [...allocations].sort((a, b) => {
    if ((a.lotId === null) !== (b.lotId === null)) return a.lotId === null ? 1 : -1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  let left = quantity;
  const out: { allocationId: bigint; lotId: bigint | null; quantity: number }[] = [];
  for (const a of ordered) {
    if (left <= 0) break;
    const take = Math.min(a.open, left);
    if (take <= 0) continue;
    out.push({ allocationId: a.id, lotId: a.lotId, quantity: take });
    left -= take;
  }
  return out;
}
