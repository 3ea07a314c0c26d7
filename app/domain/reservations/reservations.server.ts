// Reservations (issue #12 item 1, docs/decisions/100-reservations.md): units of a lot at a
// location held for an open order line from orders/create until a fulfilment ships them, the order
// is cancelled or edited down, or the line ships elsewhere. Every change takes the order lock first
// (ORDER_LOCK_SQL, like every other change to the order's allocations), then locks the candidate
// balances in lot-id order (the global order of docs/decisions/030-allocation.md), then writes the
// rows, the balances' `reserved` counter and a delta-0 ledger entry in ONE statement
// (applyReservationChanges), so sum(delta) still equals on hand and reserved = sum(rows).
import type { Db } from "../../lib/sql.server";
import type { AllocationCause } from "../allocation/allocate-fulfilment.server";
import { effectiveStrategy, type AllocationStrategy } from "../allocation/allocation-rules";
import { OrderNotFoundError } from "../allocation/errors";
import { shelfRule } from "../shops/settings.server";
import { lockOrder } from "../allocation/order-lock.server";
import { assignedLocationsOf } from "../fulfillment-orders/assigned-locations.server";
import { SHIPPABLE_BALANCES_SQL, type ShippableBalanceRow } from "../allocation/shippable-balances.server";
import { LotNotShippableHereError, NotEnoughAvailableError, OrderLineNotFoundError, ReservationExceedsOpenQuantityError } from "./errors";
import {
  planReservations,
  type HeldReservation,
  type ReservableLot,
  type ReservationChange,
  type ReservationNeed,
  type ReservationSource,
} from "./reservation-rules";

/** Where and how many units of an order line should be held (see assignmentsForOrder). */
export interface ReservationAssignment {
  lineItemId: bigint;
  locationId: bigint;
  quantity: number;
}

export interface ReserveOutcome {
  /** Units newly reserved / released by this call (0 and 0: it was already up to date). */
  reservedUnits: number;
  releasedUnits: number;
  /** Lines whose `_lot` property named no shippable lot with free units: planned by the strategy, flagged. */
  lotPropertyMisses: { lineItemId: bigint; lotNumber: string }[];
}

/**
 * Units of an order line still to ship, as SQL over `ol` (an order_lines row): the line's quantity
 * minus units refunded with restock type `cancel` (unfulfilled units that will not ship), capped by
 * Shopify's current_quantity (after order edits and refunds; a `return` refund concerns shipped
 * units, so those are added back), minus every fulfilment line that is not reversed. One
 * definition for the reservations and the pick list.
 */
export const OPEN_QUANTITY_SQL = `greatest(0, least(
         ol.quantity - coalesce((select sum(r.quantity) from refund_lines r
                                 where r.shop_id = ol.shop_id and r.line_item_id = ol.id and r.restock_type = 'cancel'), 0),
         coalesce(ol.current_quantity, ol.quantity) + coalesce((select sum(r.quantity) from refund_lines r
                                 where r.shop_id = ol.shop_id and r.line_item_id = ol.id and r.restock_type = 'return'), 0))
       - coalesce((select sum(fl.quantity) from fulfillment_lines fl
                   where fl.shop_id = ol.shop_id and fl.line_item_id = ol.id and fl.state <> 'REVERSED'), 0))::int`;

/**
 * The one place that says where an order's lines are fulfilled from: the locations of the
 * order's fulfillment orders as Shopify assigned them (assignedLocationsOf, decision 101; a line
 * may be split across locations), else the order's own location_id (POS orders), else the shop's
 * only active location, else where the line already holds units (a scan at the pack station),
 * else nowhere (nothing reserved; FEFO at fulfilment as before). Never more than the line's open
 * quantity (OPEN_QUANTITY_SQL). A cancelled order, and lines with nothing left to ship or not
 * lot-tracked, get no assignment.
 */
export async function assignmentsForOrder(sql: Db, shopId: number, orderId: bigint): Promise<ReservationAssignment[]> {
  const r = await sql.query<{ line_item_id: bigint; location_id: bigint | null; open_quantity: number }>(
    `select * from (
       select ol.id as line_item_id,
              coalesce(o.location_id,
                       (select min(l.id) from locations l where l.shop_id = $1 and l.active having count(*) = 1),
                       (select r.location_id from lot_reservations r where r.shop_id = $1 and r.line_item_id = ol.id
                         group by r.location_id order by sum(r.quantity) desc, r.location_id limit 1)) as location_id,
              ${OPEN_QUANTITY_SQL} as open_quantity
       from orders o
       join order_lines ol on ol.shop_id = o.shop_id and ol.order_id = o.id
       left join variants v on v.shop_id = ol.shop_id and v.id = ol.variant_id
       where o.shop_id = $1 and o.id = $2 and o.cancelled_at is null and ol.variant_id is not null and v.lot_tracked is not false
     ) x
     where open_quantity > 0
     order by line_item_id`,
    [shopId, orderId.toString()],
  );
  const assigned = await assignedLocationsOf(sql, shopId, orderId);
  return r.rows.flatMap((row): ReservationAssignment[] => {
    const shopify = assigned.filter((a) => a.lineItemId === BigInt(row.line_item_id));
    if (shopify.length === 0) {
      return row.location_id === null ? [] : [{ lineItemId: row.line_item_id, locationId: row.location_id, quantity: row.open_quantity }];
    }
    let left = row.open_quantity;
    const split: ReservationAssignment[] = [];
    for (const a of shopify) {
      const quantity = Math.min(a.quantity, left);
      if (quantity > 0) split.push({ lineItemId: row.line_item_id, locationId: a.locationId, quantity });
      left -= quantity;
    }
    return split;
  });
}

/** reserveOrder at the order's assignments (assignmentsForOrder): what every caller but the pack station wants. */
export async function reserveAssignedOrder(sql: Db, shopId: number, orderId: bigint, cause: AllocationCause, now = new Date()): Promise<ReserveOutcome> {
  return reserveOrder(sql, shopId, orderId, await assignmentsForOrder(sql, shopId, orderId), cause, now);
}

/**
 * Makes the order's reservations what `assignments` say, in the caller's transaction: holds units
 * for what each assigned line still needs (its `_lot` first, then the shop's strategy over units no
 * order holds) and releases what no assignment covers any more (cancelled order, edited-down line,
 * line fulfilled or moved elsewhere, lot no longer shippable). Idempotent: recomputed from the
 * stored state, so any number of deliveries, in any order, leave the same rows.
 */
export async function reserveOrder(
  sql: Db,
  shopId: number,
  orderId: bigint,
  assignments: readonly ReservationAssignment[],
  cause: AllocationCause,
  now = new Date(),
): Promise<ReserveOutcome> {
  await lockOrder(sql, shopId, orderId);
  const held = await heldReservations(sql, shopId, orderId);
  if (assignments.length === 0 && held.length === 0) return { reservedUnits: 0, releasedUnits: 0, lotPropertyMisses: [] };
  const { strategy, earliestShelfDate } = await shelfRule(sql, shopId, now);
  const lines = await lineFacts(
    sql,
    shopId,
    assignments.map((a) => a.lineItemId),
  );
  const needs: ReservationNeed[] = [];
  for (const a of [...assignments].sort((x, y) => cmp(x.lineItemId, y.lineItemId))) {
    const line = lines.get(a.lineItemId);
    if (!line || line.variantId === null || a.quantity <= 0) continue;
    needs.push({
      lineItemId: a.lineItemId,
      variantId: line.variantId,
      locationId: a.locationId,
      quantity: a.quantity,
      strategy: effectiveStrategy(strategy, line.strategyOverride),
      lotProperty: line.lotProperty,
    });
  }
  const candidates = await lockReservableLots(sql, shopId, needs, earliestShelfDate);
  const plan = planReservations(needs, held, candidates);
  await applyReservationChanges(sql, shopId, orderId, plan.changes, cause);
  return {
    reservedUnits: plan.changes.reduce((n, c) => n + Math.max(0, c.delta), 0),
    releasedUnits: plan.changes.reduce((n, c) => n + Math.max(0, -c.delta), 0),
    lotPropertyMisses: plan.lotPropertyMisses,
  };
}

/** Releases every reservation of the order (e.g. the order is deleted or closed by a person). */
export async function releaseOrderReservations(sql: Db, shopId: number, orderId: bigint, cause: AllocationCause): Promise<number> {
  return (await reserveOrder(sql, shopId, orderId, [], cause)).releasedUnits;
}

export interface MoveReservationRequest {
  orderId: bigint;
  lineItemId: bigint;
  locationId: bigint;
  lotId: bigint;
  quantity: number;
  source?: ReservationSource;
}

export interface MoveReservationOutcome {
  lotId: bigint;
  /** Units the line now holds on the lot at the location. */
  reservedOnLot: number;
  /** Units taken off the line's other reservations at the location to make room. */
  movedFrom: { lotId: bigint; quantity: number }[];
}

/**
 * The pack station scanned `lotId` for `quantity` units of the line: those units are now reserved
 * on that lot (source SCAN unless told), taken off the line's other reservations at the location
 * (the plan's first, the latest in the strategy's order first), so the fulfilment takes exactly
 * the scanned lot. Refuses a lot that is not shippable there for the line's variant
 * (LotNotShippableHereError), fewer free units on it than asked (NotEnoughAvailableError), and more
 * than the line still has to ship (ReservationExceedsOpenQuantityError).
 */
export async function moveReservationToLot(
  sql: Db,
  shopId: number,
  request: MoveReservationRequest,
  cause: AllocationCause,
  now = new Date(),
): Promise<MoveReservationOutcome> {
  const { orderId, lineItemId, locationId, lotId, quantity } = request;
  if (!Number.isInteger(quantity) || quantity <= 0) throw new ReservationExceedsOpenQuantityError(`quantity must be a positive whole number, not ${quantity}`);
  await lockOrder(sql, shopId, orderId);
  const line = await openLine(sql, shopId, orderId, lineItemId);
  const { earliestShelfDate } = await shelfRule(sql, shopId, now);
  const lots = await lockShippable(sql, shopId, locationId, [line.variantId], earliestShelfDate);
  const target = lots.find((l) => l.lotId === lotId);
  if (!target) throw new LotNotShippableHereError(lotId, locationId);
  const held = (await heldReservations(sql, shopId, orderId)).filter((r) => r.lineItemId === lineItemId && r.locationId === locationId);
  const onTarget = held.filter((r) => r.lotId === lotId).reduce((n, r) => n + r.quantity, 0);
  if (onTarget + quantity > line.openQuantity) {
    throw new ReservationExceedsOpenQuantityError(
      `line ${lineItemId} has ${line.openQuantity} units left to ship and ${onTarget} already reserved on this lot: ${quantity} more is too many`,
    );
  }
  // Room on the line: what it holds elsewhere at the location beyond what stays open is moved off.
  const others = held.filter((r) => r.lotId !== lotId).sort((a, b) => Number(b.source === "PLAN") - Number(a.source === "PLAN") || cmp(b.lotId, a.lotId));
  const othersTotal = others.reduce((n, r) => n + r.quantity, 0);
  let toFree = Math.max(0, onTarget + quantity + othersTotal - line.openQuantity);
  const changes: ReservationChange[] = [];
  for (const r of others) {
    if (toFree <= 0) break;
    const n = Math.min(r.quantity, toFree);
    toFree -= n;
    changes.push({ ...r, delta: -n, why: `moved to lot ${lotId}` });
  }
  // Units freed from this line's other lots never free units on the target: the target needs its own.
  const free = Math.max(0, target.quantity - target.reserved);
  if (free < quantity) throw new NotEnoughAvailableError(target.lotNumber, locationId, free, quantity);
  changes.push({ lineItemId, variantId: line.variantId, lotId, locationId, delta: quantity, source: request.source ?? "SCAN", why: "scanned" });
  await applyReservationChanges(sql, shopId, orderId, changes, cause);
  return { lotId, reservedOnLot: onTarget + quantity, movedFrom: changes.filter((c) => c.delta < 0).map((c) => ({ lotId: c.lotId, quantity: -c.delta })) };
}

/** One reserved lot of an order line, as the CLI and the pick list show it. */
export interface OrderReservationView {
  lineItemId: bigint;
  variantId: bigint;
  lotId: bigint;
  lotNumber: string;
  locationId: bigint;
  quantity: number;
  source: ReservationSource;
}

/** The order's open reservations, by line then lot. */
export async function orderReservations(sql: Db, shopId: number, orderId: bigint): Promise<OrderReservationView[]> {
  const r = await sql.query<{
    line_item_id: bigint;
    variant_id: bigint;
    lot_id: bigint;
    lot_number: string;
    location_id: bigint;
    quantity: number;
    source: ReservationSource;
  }>(
    `select r.line_item_id, r.variant_id, r.lot_id, l.lot_number, r.location_id, r.quantity, r.source
     from lot_reservations r join lots l on l.id = r.lot_id and l.shop_id = r.shop_id
     where r.shop_id = $1 and r.order_id = $2 order by r.line_item_id, r.lot_id, r.location_id`,
    [shopId, orderId.toString()],
  );
  return r.rows.map((row) => ({
    lineItemId: row.line_item_id,
    variantId: row.variant_id,
    lotId: row.lot_id,
    lotNumber: row.lot_number,
    locationId: row.location_id,
    quantity: row.quantity,
    source: row.source,
  }));
}

/**
 * Writes reservation changes of one order in ONE statement: rows added to (insert or add), lowered
 * or deleted (a row never stays at 0), each balance's `reserved` moved by the same units, and one
 * ledger entry per change (RESERVED or UNRESERVED, delta 0, balance_after the units on hand, the
 * reason naming order, line and units). The caller holds the order lock and has locked the
 * balances it plans on. The fulfilment uses it for the reservations it consumes.
 */
export async function applyReservationChanges(
  sql: Db,
  shopId: number,
  orderId: bigint,
  changes: readonly ReservationChange[],
  cause: AllocationCause,
): Promise<void> {
  const list = changes.filter((c) => c.delta !== 0);
  if (list.length === 0) return;
  const ref = cause.ref ? ` (${cause.ref})` : "";
  const result = await sql.query<{ balances: number; expected: number }>(
    `with x as (
       select * from unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::int[], $8::text[], $9::text[])
         with ordinality as x(line_item_id, variant_id, lot_id, location_id, delta, source, reason, ord)
     ), agg as (
       select line_item_id, lot_id, location_id, max(variant_id) as variant_id, sum(delta)::int as delta,
              (array_agg(source order by ord desc))[1] as source
       from x group by line_item_id, lot_id, location_id
     ), ins as (
       insert into lot_reservations (shop_id, order_id, line_item_id, variant_id, lot_id, location_id, quantity, source, updated_at)
       select $1, $2, line_item_id, variant_id, lot_id, location_id, delta, source::"ReservationSource", now() from agg where delta > 0
       on conflict (shop_id, line_item_id, lot_id, location_id) do update
         set quantity = lot_reservations.quantity + excluded.quantity, source = excluded.source, updated_at = now()
       returning 1
     ), dec as (
       update lot_reservations r set quantity = r.quantity + agg.delta, updated_at = now()
       from agg
       where agg.delta < 0 and r.shop_id = $1 and r.line_item_id = agg.line_item_id and r.lot_id = agg.lot_id
         and r.location_id = agg.location_id and r.quantity + agg.delta > 0
       returning 1
     ), del as (
       delete from lot_reservations r using agg
       where agg.delta < 0 and r.shop_id = $1 and r.line_item_id = agg.line_item_id and r.lot_id = agg.lot_id
         and r.location_id = agg.location_id and r.quantity + agg.delta = 0
       returning 1
     ), bal as (
       update lot_balances b set reserved = b.reserved + s.delta, updated_at = now()
       from (select lot_id, location_id, sum(delta)::int as delta from agg group by lot_id, location_id) s
       where b.shop_id = $1 and b.lot_id = s.lot_id and b.location_id = s.location_id
       returning b.lot_id, b.location_id, b.quantity
     ), led as (
       insert into ledger_entries (shop_id, lot_id, location_id, kind, delta, balance_after, cause, cause_ref, reason)
       select $1, x.lot_id, x.location_id, (case when x.delta > 0 then 'RESERVED' else 'UNRESERVED' end)::"LedgerKind", 0, bal.quantity,
              $10::"LedgerCause", 'order/' || $2::text, x.reason
       from x join bal on bal.lot_id = x.lot_id and bal.location_id = x.location_id
       order by x.ord
       returning 1
     )
     select (select count(*) from bal)::int as balances,
            (select count(*) from (select distinct lot_id, location_id from agg) k)::int as expected,
            (select count(*) from ins)::int + (select count(*) from dec)::int + (select count(*) from del)::int as rows_written,
            (select count(*) from agg where delta <> 0)::int as rows_expected,
            (select count(*) from led)::int as logged`,
    [
      shopId,
      orderId.toString(),
      list.map((c) => c.lineItemId.toString()),
      list.map((c) => c.variantId.toString()),
      list.map((c) => c.lotId.toString()),
      list.map((c) => c.locationId.toString()),
      list.map((c) => c.delta),
      list.map((c) => c.source),
      list.map((c) => `order ${orderId} line ${c.lineItemId}: ${c.delta > 0 ? "reserved" : "released"} ${Math.abs(c.delta)} (${c.why})${ref}`),
      cause.cause,
    ],
  );
  const row = result.rows[0] as unknown as { balances: number; expected: number; rows_written: number; rows_expected: number };
  // A release of more than a row holds, or a balance that is gone, is a bug: fail the transaction.
  if (row.balances !== row.expected || row.rows_written !== row.rows_expected) {
    throw new Error(`reservation changes of order ${orderId} did not apply (${JSON.stringify(row)})`);
  }
}

async function heldReservations(sql: Db, shopId: number, orderId: bigint): Promise<HeldReservation[]> {
  const r = await sql.query<{ line_item_id: bigint; variant_id: bigint; lot_id: bigint; location_id: bigint; quantity: number; source: ReservationSource }>(
    `select line_item_id, variant_id, lot_id, location_id, quantity, source from lot_reservations
     where shop_id = $1 and order_id = $2 order by line_item_id, lot_id, location_id`,
    [shopId, orderId.toString()],
  );
  return r.rows.map((row) => ({
    lineItemId: row.line_item_id,
    variantId: row.variant_id,
    lotId: row.lot_id,
    locationId: row.location_id,
    quantity: row.quantity,
    source: row.source,
  }));
}

interface LineFacts {
  variantId: bigint | null;
  strategyOverride: AllocationStrategy | null;
  lotProperty: string | null;
}

async function lineFacts(sql: Db, shopId: number, lineItemIds: bigint[]): Promise<Map<bigint, LineFacts>> {
  if (lineItemIds.length === 0) return new Map();
  const r = await sql.query<{ id: bigint; variant_id: bigint | null; strategy_override: AllocationStrategy | null; lot_property: string | null }>(
    `select ol.id, ol.variant_id, v.strategy_override, ol.lot_property
     from order_lines ol left join variants v on v.shop_id = ol.shop_id and v.id = ol.variant_id
     where ol.shop_id = $1 and ol.id = any($2::bigint[])`,
    [shopId, lineItemIds.map(String)],
  );
  return new Map(r.rows.map((row) => [row.id, { variantId: row.variant_id, strategyOverride: row.strategy_override, lotProperty: row.lot_property }]));
}

async function openLine(sql: Db, shopId: number, orderId: bigint, lineItemId: bigint): Promise<{ variantId: bigint; openQuantity: number }> {
  const r = await sql.query<{ variant_id: bigint | null; open_quantity: number; cancelled: boolean }>(
    `select ol.variant_id, ${OPEN_QUANTITY_SQL} as open_quantity, o.cancelled_at is not null as cancelled
     from order_lines ol join orders o on o.shop_id = ol.shop_id and o.id = ol.order_id
     where ol.shop_id = $1 and ol.order_id = $2 and ol.id = $3`,
    [shopId, orderId.toString(), lineItemId.toString()],
  );
  const row = r.rows[0];
  if (!row) {
    const order = await sql.query("select 1 from orders where shop_id = $1 and id = $2 and shopify_updated_at is not null", [shopId, orderId.toString()]);
    if (!order.rowCount) throw new OrderNotFoundError(orderId);
    throw new OrderLineNotFoundError(orderId, lineItemId);
  }
  if (row.variant_id === null) throw new OrderLineNotFoundError(orderId, lineItemId);
  return { variantId: row.variant_id, openQuantity: row.cancelled ? 0 : row.open_quantity };
}

/** Locks the shippable balances of the needs' variants, location by location (ascending), lot id order in each. */
async function lockReservableLots(sql: Db, shopId: number, needs: readonly ReservationNeed[], earliestShelfDate: string): Promise<ReservableLot[]> {
  const variantsAt = new Map<bigint, Set<string>>();
  for (const n of needs) variantsAt.set(n.locationId, (variantsAt.get(n.locationId) ?? new Set()).add(n.variantId.toString()));
  const out: ReservableLot[] = [];
  for (const locationId of [...variantsAt.keys()].sort(cmp)) {
    out.push(...(await lockShippable(sql, shopId, locationId, [...variantsAt.get(locationId)!].map(BigInt), earliestShelfDate)));
  }
  return out;
}

async function lockShippable(sql: Db, shopId: number, locationId: bigint, variantIds: bigint[], earliestShelfDate: string): Promise<ReservableLot[]> {
  const r = await sql.query<ShippableBalanceRow>(`${SHIPPABLE_BALANCES_SQL}\n     for update of b`, [
    shopId,
    locationId.toString(),
    variantIds.map(String),
    earliestShelfDate,
  ]);
  return r.rows.map((row) => ({
    lotId: row.lot_id,
    variantId: row.variant_id,
    locationId,
    quantity: row.quantity,
    reserved: row.reserved,
    shelfDate: row.shelf_date,
    receivedAt: row.received_at,
    lotNumber: row.lot_number,
  }));
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
