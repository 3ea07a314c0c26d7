// Where Shopify will fulfil each open order line (decision 101), read by the reservations
// (app/domain/reservations/reservations.server.ts assignmentsForOrder). Kept apart from the
// refresh (fulfillment-orders.server.ts), which calls the reservations, so no import cycle.
import type { Db } from "../../lib/sql.server";
import { PLANNING_STATUSES, type AssignedLocation } from "./fulfillment-order-rules";

/**
 * Open units of each order line per assigned location, from the stored fulfillment orders:
 * remaining quantities of fulfillment orders Shopify still plans to fulfil (PLANNING_STATUSES) at
 * a known location. Empty when the order's fulfillment orders are not known (yet): the caller
 * decides what to do without a location.
 */
export async function assignedLocationsOf(sql: Db, shopId: number, orderId: bigint): Promise<AssignedLocation[]> {
  const r = await sql.query<{ line_item_id: bigint; location_id: bigint; quantity: number }>(
    `select l.line_item_id, f.assigned_location_id as location_id, sum(l.remaining_quantity)::int as quantity
     from fulfillment_orders f
     join fulfillment_order_lines l on l.shop_id = f.shop_id and l.fulfillment_order_id = f.id
     where f.shop_id = $1 and f.order_id = $2 and f.status = any($3::text[]) and f.assigned_location_id is not null and l.remaining_quantity > 0
     group by l.line_item_id, f.assigned_location_id
     order by l.line_item_id, f.assigned_location_id`,
    [shopId, orderId, [...PLANNING_STATUSES]],
  );
  return r.rows.map((x) => ({ lineItemId: BigInt(x.line_item_id), locationId: BigInt(x.location_id), quantity: x.quantity }));
}
