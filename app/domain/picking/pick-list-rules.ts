// Pure rules of a pick list: what the picker takes for open orders at one location, lot by lot.
// The plan is the allocation's own (planFulfilment in allocation-rules.ts: the shop's strategy,
// FEFO by default, the product's override, manual lines left to the merchant) run over a copy of
// the location's lot balances, so the pick list names the lots the allocation would take when the
// units ship. Nothing is locked (docs/decisions/098-pick-lists.md). With reservations
// (docs/decisions/100-reservations.md) a line's reserved units are its rows, exactly as the
// fulfilment will take them, and the strategy plans the rest over units no order holds.
import { planFulfilment, type AllocationStrategy, type CandidateLot, type ClaimedLine, type LineReservation } from "../allocation/allocation-rules";

/** An order line that still has units to pick (line quantity minus what fulfilments already took). */
export interface OpenLine {
  orderId: bigint;
  orderName: string | null;
  lineItemId: bigint;
  variantId: bigint | null;
  sku: string | null;
  title: string | null;
  /** Units not fulfilled yet. */
  quantity: number;
  /** null: the variant is not known yet, treated as lot-tracked (as the allocation does). */
  lotTracked: boolean | null;
  strategyOverride: AllocationStrategy | null;
  /** The lot named by the line's `_lot` property (picked first when it is here). */
  lotProperty?: string | null;
}

/** A lot balance that may be picked from, with what the picker reads on the label. */
export interface PickableLot extends CandidateLot {
  variantId: bigint;
  lotNumber: string;
  /** The expiry, else the best-before date ('YYYY-MM-DD'). */
  expiresOn: string | null;
  /** The balance's bin at the location (null: none given). */
  bin: string | null;
}

/**
 * pick: take `quantity` from the lot; no-lot-available: no lot at the location covers these units
 * (the shortfall); manual: the product's strategy is manual, the merchant chooses the lot;
 * not-lot-tracked: pick any unit, no lot is recorded for it.
 */
export type PickStatus = "pick" | "no-lot-available" | "manual" | "not-lot-tracked";

/** The line's own fields, as on the open line, then what to take for it. */
export interface PickRow extends Pick<OpenLine, "orderId" | "orderName" | "lineItemId" | "variantId" | "sku" | "title"> {
  lotId: bigint | null;
  lotNumber: string | null;
  expiresOn: string | null;
  /** The bin the lot sits in at the location (null: none given, or no lot to pick). */
  bin: string | null;
  quantity: number;
  status: PickStatus;
}

/**
 * Plans the orders one after another, oldest first as given, against one running copy of the
 * balances: units planned for an order are not planned again for the next one. Within an order,
 * planFulfilment already shares units between lines of one variant.
 */
export function planPickList(
  lines: readonly OpenLine[],
  shopStrategy: AllocationStrategy,
  lots: readonly PickableLot[],
  reservations: readonly LineReservation[] = [],
): PickRow[] {
  const running = new Map(lots.map((l) => [l.lotId, l.quantity]));
  const reserved = new Map(lots.map((l) => [l.lotId, l.reserved ?? 0]));
  const lotById = new Map(lots.map((l) => [l.lotId, l]));
  const rows: PickRow[] = [];
  for (const orderLines of byOrder(lines)) {
    const candidates = new Map<bigint, CandidateLot[]>();
    for (const lot of lots) {
      const left = running.get(lot.lotId) ?? 0;
      if (left <= 0) continue;
      const list = candidates.get(lot.variantId) ?? [];
      list.push({
        lotId: lot.lotId,
        quantity: left,
        reserved: reserved.get(lot.lotId),
        shelfDate: lot.shelfDate,
        receivedAt: lot.receivedAt,
        lotNumber: lot.lotNumber,
      });
      candidates.set(lot.variantId, list);
    }
    const ids = new Set(orderLines.map((l) => l.lineItemId));
    const plan = planFulfilment(
      orderLines.map(asClaimedLine),
      shopStrategy,
      candidates,
      reservations.filter((r) => ids.has(r.lineItemId)),
    );
    for (const c of plan.consumed) reserved.set(c.lotId, (reserved.get(c.lotId) ?? 0) - c.quantity);
    const stateOf = new Map(plan.states.map((s) => [s.lineItemId, s.state]));
    const lineOf = new Map(orderLines.map((l) => [l.lineItemId, l]));
    for (const line of orderLines) {
      if (stateOf.get(line.lineItemId) === "SKIPPED") rows.push(row(line, null, line.quantity, "not-lot-tracked"));
    }
    for (const a of plan.allocations) {
      const line = lineOf.get(a.lineItemId)!;
      if (a.lotId === null) {
        rows.push(row(line, null, a.quantity, stateOf.get(a.lineItemId) === "PENDING" ? "manual" : "no-lot-available"));
        continue;
      }
      running.set(a.lotId, (running.get(a.lotId) ?? 0) - a.quantity);
      rows.push(row(line, lotById.get(a.lotId)!, a.quantity, "pick"));
    }
  }
  return rows;
}

function byOrder(lines: readonly OpenLine[]): OpenLine[][] {
  const groups = new Map<bigint, OpenLine[]>();
  for (const line of lines) {
    const list = groups.get(line.orderId) ?? [];
    list.push(line);
    groups.set(line.orderId, list);
  }
  return [...groups.values()];
}

function asClaimedLine(l: OpenLine): ClaimedLine {
  return {
    lineItemId: l.lineItemId,
    variantId: l.variantId,
    quantity: l.quantity,
    lotTracked: l.lotTracked,
    strategyOverride: l.strategyOverride,
    lotProperty: l.lotProperty ?? null,
  };
}

function row(line: OpenLine, lot: PickableLot | null, quantity: number, status: PickStatus): PickRow {
  return {
    orderId: line.orderId,
    orderName: line.orderName,
    lineItemId: line.lineItemId,
    variantId: line.variantId,
    sku: line.sku,
    title: line.title,
    lotId: lot?.lotId ?? null,
    lotNumber: lot?.lotNumber ?? null,
    expiresOn: lot?.expiresOn ?? null,
    bin: lot?.bin ?? null,
    quantity,
    status,
  };
}

/** The rows of one lot (lotId null: the rows without a lot to pick from). */
export interface PickLotGroup {
  lotId: bigint | null;
  lotNumber: string | null;
  expiresOn: string | null;
  bin: string | null;
  totalQuantity: number;
  rows: PickRow[];
}

export interface GroupedPickList {
  /** Every row in walking order: by bin, then lot number, then SKU (blanks last each time). */
  rows: PickRow[];
  lots: PickLotGroup[];
  totals: { quantity: number; toPick: number; noLotAvailable: number; manual: number; notLotTracked: number };
}

function compareBlankLast(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts the rows for the walk (bin, lot, SKU, then order as planned) and totals them per lot and overall. */
export function groupPickRows(rows: readonly PickRow[]): GroupedPickList {
  const sorted = rows
    .map((r, i) => ({ r, i }))
    .sort((x, y) => compareBlankLast(x.r.bin, y.r.bin) || compareBlankLast(x.r.lotNumber, y.r.lotNumber) || compareBlankLast(x.r.sku, y.r.sku) || x.i - y.i)
    .map((x) => x.r);
  const lots: PickLotGroup[] = [];
  const byKey = new Map<string, PickLotGroup>();
  for (const r of sorted) {
    const key = r.lotId === null ? "none" : r.lotId.toString();
    let group = byKey.get(key);
    if (!group) {
      group = { lotId: r.lotId, lotNumber: r.lotNumber, expiresOn: r.expiresOn, bin: r.bin, totalQuantity: 0, rows: [] };
      byKey.set(key, group);
      lots.push(group);
    }
    group.totalQuantity += r.quantity;
    group.rows.push(r);
  }
  const sum = (status: PickStatus) => sorted.filter((r) => r.status === status).reduce((n, r) => n + r.quantity, 0);
  const totals = {
    quantity: sorted.reduce((n, r) => n + r.quantity, 0),
    toPick: sum("pick"),
    noLotAvailable: sum("no-lot-available"),
    manual: sum("manual"),
    notLotTracked: sum("not-lot-tracked"),
  };
  return { rows: sorted, lots, totals };
}

/** The CSV columns, in order (README "Pick lists"). */
export const PICK_LIST_CSV_COLUMNS = ["order_name", "line_item_id", "sku", "title", "lot_number", "expiry_date", "bin", "quantity", "status"] as const;
