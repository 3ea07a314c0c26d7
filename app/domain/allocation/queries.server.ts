// Read side of allocation: the review queue (units on an unknown lot, waiting for the merchant) and
// the backward trace of one order (each line item with the lots it shipped from). Plain reads on
// the SQL pool; keyset pagination by allocation id.
import { pool } from "../../db.server";
import { OrderNotFoundError } from "./errors";
import type { Db } from "../../lib/sql.server";

export interface ReviewItem {
  allocationId: bigint;
  /** "manual": the product's strategy leaves the lot to the merchant; "no-lot": no lot could cover the units. */
  reason: "manual" | "no-lot";
  orderId: bigint;
  orderName: string | null;
  fulfillmentId: bigint;
  lineItemId: bigint;
  variantId: bigint;
  sku: string | null;
  title: string | null;
  locationId: bigint;
  quantity: number;
  returnedQuantity: number;
  fulfilledAt: Date;
}

export interface ReviewPage {
  items: ReviewItem[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Units on an unknown lot (still shipped, not reversed), oldest first. */
export async function listAllocationsForReview(shopId: number, cursor?: string | null, options: { limit?: number; db?: Db } = {}): Promise<ReviewPage> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const after = cursor && /^\d+$/.test(cursor) ? cursor : "0";
  const db = options.db ?? pool();
  const result = await db.query(
    `select a.id, a.order_id, o.name as order_name, a.fulfillment_id, a.line_item_id, a.variant_id, v.sku,
            coalesce(v.product_title || ' - ' || v.title, ol.title, v.title) as title, a.location_id, a.quantity, a.returned_quantity,
            a.fulfilled_at, fl.state as line_state
     from allocations a
     left join orders o on o.shop_id = a.shop_id and o.id = a.order_id
     left join variants v on v.shop_id = a.shop_id and v.id = a.variant_id
     left join order_lines ol on ol.shop_id = a.shop_id and ol.id = a.line_item_id
     left join fulfillment_lines fl on fl.shop_id = a.shop_id and fl.fulfillment_id = a.fulfillment_id and fl.line_item_id = a.line_item_id
     where a.shop_id = $1 and a.unknown_lot and a.status = 'ALLOCATED' and a.id > $2
     order by a.id
     limit $3`,
    [shopId, after, limit + 1],
  );
  const rows = result.rows.slice(0, limit);
  return {
    items: rows.map((r) => ({
      allocationId: r.id,
      reason: r.line_state === "PENDING" ? "manual" : "no-lot",
      orderId: r.order_id,
      orderName: r.order_name,
      fulfillmentId: r.fulfillment_id,
      lineItemId: r.line_item_id,
      variantId: r.variant_id,
      sku: r.sku,
      title: r.title,
      locationId: r.location_id,
      quantity: r.quantity,
      returnedQuantity: r.returned_quantity,
      fulfilledAt: r.fulfilled_at,
    })),
    nextCursor: result.rows.length > limit ? String(rows[rows.length - 1]!.id) : null,
  };
}

export interface TracedAllocation {
  allocationId: bigint;
  fulfillmentId: bigint;
  /** The lot number, null for units on an unknown lot. */
  lot: string | null;
  lotId: bigint | null;
  expiresOn: string | null;
  quantity: number;
  returnedQuantity: number;
  locationId: bigint;
  unknownLot: boolean;
  fulfilledAt: Date;
}

export interface TracedLineItem {
  lineItemId: bigint;
  variantId: bigint | null;
  sku: string | null;
  title: string | null;
  /** Ordered quantity (null when only fulfilments/refunds have named the line so far). */
  quantity: number | null;
  fulfilledQuantity: number;
  returnedQuantity: number;
  /** Shipped units by lot (live allocations). */
  allocations: TracedAllocation[];
  /** Allocations undone by a cancelled fulfilment, kept for the record. */
  reversed: TracedAllocation[];
  /** Fulfilment lines not lot-tracked (SKIPPED) or left for the merchant (PENDING). */
  fulfillmentLines: { fulfillmentId: bigint; quantity: number; state: string }[];
  /** Units of `return` refund lines not yet put back (their fulfilment has not been allocated yet). */
  pendingReturnQuantity: number;
}

export interface OrderTrace {
  orderId: bigint;
  name: string | null;
  customerId: bigint | null;
  lineItems: TracedLineItem[];
}

/**
 * Backward trace of one order: each line item with the lots its units came from.
 * The full allocation record (CLI `trace order`, `allocations list --order`, order-lots extension):
 * reversed allocations, fulfilment lines and pending returns too; throws OrderNotFoundError.
 * lotsForOrder in app/domain/trace/trace.server.ts is the lighter read for the Trace page (live
 * allocations only, null when unknown, sku from the variant for lines not yet in order_lines,
 * allocations by fulfilment time); building one on the other would change one side's output.
 */
export async function traceOrder(shopId: number, orderId: bigint, options: { db?: Db } = {}): Promise<OrderTrace> {
  const db = options.db ?? pool();
  const order = await db.query("select id, name, customer_id from orders where shop_id = $1 and id = $2", [shopId, orderId.toString()]);
  const [lines, allocations, fulfilmentLines, pendingReturns] = await Promise.all([
    db.query("select id, variant_id, sku, title, quantity from order_lines where shop_id = $1 and order_id = $2 order by id", [shopId, orderId.toString()]),
    db.query(
      `select a.id, a.fulfillment_id, a.line_item_id, a.variant_id, a.lot_id, l.lot_number, l.expires_on, a.quantity, a.returned_quantity,
              a.location_id, a.unknown_lot, a.status, a.fulfilled_at
       from allocations a left join lots l on l.id = a.lot_id and l.shop_id = a.shop_id
       where a.shop_id = $1 and a.order_id = $2 order by a.line_item_id, a.id`,
      [shopId, orderId.toString()],
    ),
    db.query(
      `select fl.fulfillment_id, fl.line_item_id, fl.variant_id, fl.quantity, fl.state
       from fulfillment_lines fl join fulfillments f on f.shop_id = fl.shop_id and f.id = fl.fulfillment_id
       where fl.shop_id = $1 and f.order_id = $2 order by fl.line_item_id, fl.fulfillment_id`,
      [shopId, orderId.toString()],
    ),
    db.query(
      `select line_item_id, sum(quantity - returned_quantity)::int as pending from refund_lines
       where shop_id = $1 and order_id = $2 and restock_type = 'return' and returned_quantity < quantity group by line_item_id`,
      [shopId, orderId.toString()],
    ),
  ]);
  if (!order.rows[0] && allocations.rows.length === 0) throw new OrderNotFoundError(orderId);

  const byId = new Map<string, TracedLineItem>();
  const lineItem = (id: bigint, variantId: bigint | null): TracedLineItem => {
    const key = id.toString();
    let item = byId.get(key);
    if (!item) {
      item = {
        lineItemId: id,
        variantId,
        sku: null,
        title: null,
        quantity: null,
        fulfilledQuantity: 0,
        returnedQuantity: 0,
        allocations: [],
        reversed: [],
        fulfillmentLines: [],
        pendingReturnQuantity: 0,
      };
      byId.set(key, item);
    }
    return item;
  };
  for (const l of lines.rows) Object.assign(lineItem(l.id, l.variant_id), { sku: l.sku, title: l.title, quantity: l.quantity });
  for (const a of allocations.rows) {
    const item = lineItem(a.line_item_id, a.variant_id);
    const traced: TracedAllocation = {
      allocationId: a.id,
      fulfillmentId: a.fulfillment_id,
      lot: a.lot_number ?? null,
      lotId: a.lot_id,
      expiresOn: a.expires_on ?? null,
      quantity: a.quantity,
      returnedQuantity: a.returned_quantity,
      locationId: a.location_id,
      unknownLot: a.unknown_lot,
      fulfilledAt: a.fulfilled_at,
    };
    if (a.status === "ALLOCATED") {
      item.allocations.push(traced);
      item.fulfilledQuantity += a.quantity;
      item.returnedQuantity += a.returned_quantity;
    } else {
      item.reversed.push(traced);
    }
  }
  for (const fl of fulfilmentLines.rows) {
    lineItem(fl.line_item_id, fl.variant_id).fulfillmentLines.push({ fulfillmentId: fl.fulfillment_id, quantity: fl.quantity, state: fl.state });
  }
  for (const p of pendingReturns.rows) lineItem(p.line_item_id, null).pendingReturnQuantity = p.pending;
  const o = order.rows[0];
  return {
    orderId,
    name: o?.name ?? null,
    customerId: o?.customer_id ?? null,
    lineItems: [...byId.values()].sort((a, b) => (a.lineItemId < b.lineItemId ? -1 : a.lineItemId > b.lineItemId ? 1 : 0)),
  };
}

export interface MoveTarget {
  lotId: bigint;
  lotNumber: string;
  expiresOn: string | null;
  status: string;
  /** Units at the allocation's location (what a move can take). */
  quantity: number;
  quarantined: boolean;
}

/**
 * The lots an allocation can be moved to (same variant, another lot, units at the allocation's
 * location), earliest expiry first: what the admin panel offers next to "move".
 */
export async function listMoveTargets(shopId: number, allocationId: bigint, options: { db?: Db } = {}): Promise<MoveTarget[]> {
  const db = options.db ?? pool();
  const result = await db.query(
    `select l.id, l.lot_number, coalesce(l.expires_on, l.best_before_on) as expires_on, l.status, b.quantity, b.quarantined
     from allocations a
     join lot_balances b on b.shop_id = a.shop_id and b.variant_id = a.variant_id and b.location_id = a.location_id and b.quantity > 0
     join lots l on l.id = b.lot_id and l.shop_id = a.shop_id
     where a.shop_id = $1 and a.id = $2 and b.lot_id is distinct from a.lot_id
     order by coalesce(l.expires_on, l.best_before_on) nulls last, l.received_at, l.id`,
    [shopId, allocationId.toString()],
  );
  return result.rows.map((r) => ({
    lotId: r.id,
    lotNumber: r.lot_number,
    expiresOn: r.expires_on,
    status: r.status,
    quantity: r.quantity,
    quarantined: r.quarantined,
  }));
}

export interface MovableAllocation {
  id: bigint;
  variantId: bigint;
  lotId: bigint | null;
  lotNumber: string | null;
  unknownLot: boolean;
  locationId: bigint;
  /** Units not yet returned: the most a move can take. */
  openQuantity: number;
  status: string;
}

/** One allocation of the shop, as the move form shows it; null when the shop has no such allocation. */
export async function findAllocationForMove(shopId: number, allocationId: bigint, options: { db?: Db } = {}): Promise<MovableAllocation | null> {
  const db = options.db ?? pool();
  const result = await db.query(
    `select a.id, a.variant_id, a.lot_id, l.lot_number, a.unknown_lot, a.location_id, a.quantity - a.returned_quantity as open_quantity, a.status
     from allocations a left join lots l on l.shop_id = a.shop_id and l.id = a.lot_id
     where a.shop_id = $1 and a.id = $2`,
    [shopId, allocationId.toString()],
  );
  const r = result.rows[0];
  if (!r) return null;
  return {
    id: r.id,
    variantId: r.variant_id,
    lotId: r.lot_id,
    lotNumber: r.lot_number,
    unknownLot: r.unknown_lot,
    locationId: r.location_id,
    openQuantity: r.open_quantity,
    status: r.status,
  };
}
