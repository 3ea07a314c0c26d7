// Allocation test helpers: Shopify-shaped fulfilment/refund/order payloads, delivery through the
// real inbox + processor (recordDelivery, processWebhookEvent: the worker's own code path, minus
// Redis), and the invariants every state must satisfy.
import { randomUUID } from "node:crypto";
import { pool } from "../../app/db.server";
import { recordDelivery } from "../../app/domain/webhooks/inbox.server";
import { processWebhookEvent } from "../../app/domain/webhooks/process-event.server";
import { createLogger } from "../../app/lib/logger.server";

export interface LineSpec {
  lineItemId: bigint;
  variantId: bigint | null;
  quantity: number;
}

export function fulfilmentPayload(attrs: {
  id: bigint;
  orderId: bigint;
  locationId: bigint | null;
  status?: string;
  lines: LineSpec[];
  createdAt?: string;
  updatedAt?: string;
}): Record<string, unknown> {
  return {
    id: Number(attrs.id),
    order_id: Number(attrs.orderId),
    status: attrs.status ?? "success",
    location_id: attrs.locationId === null ? null : Number(attrs.locationId),
    name: `#${attrs.orderId}.1`,
    created_at: attrs.createdAt ?? "2026-11-21T09:02:44-05:00",
    updated_at: attrs.updatedAt ?? attrs.createdAt ?? "2026-11-21T09:02:44-05:00",
    tracking_number: "9400100000000000000001",
    line_items: attrs.lines.map((l) => ({
      id: Number(l.lineItemId),
      variant_id: l.variantId === null ? null : Number(l.variantId),
      quantity: l.quantity,
      sku: "SKU",
      fulfillment_status: "fulfilled",
    })),
  };
}

export function refundPayload(attrs: {
  id: bigint;
  orderId: bigint;
  lines: { id: bigint; lineItemId: bigint; quantity: number; restockType: string; locationId: bigint | null }[];
}): Record<string, unknown> {
  return {
    id: Number(attrs.id),
    order_id: Number(attrs.orderId),
    created_at: "2026-11-25T14:20:11-05:00",
    processed_at: "2026-11-25T14:20:11-05:00",
    restock: true,
    refund_line_items: attrs.lines.map((l) => ({
      id: Number(l.id),
      line_item_id: Number(l.lineItemId),
      quantity: l.quantity,
      restock_type: l.restockType,
      location_id: l.locationId === null ? null : Number(l.locationId),
    })),
  };
}

export function orderPayload(attrs: {
  id: bigint;
  customerId?: bigint | null;
  updatedAt?: string;
  lines: { id: bigint; variantId: bigint | null; quantity: number }[];
  fulfillments?: Record<string, unknown>[];
  refunds?: Record<string, unknown>[];
}): Record<string, unknown> {
  return {
    id: Number(attrs.id),
    name: `#${String(attrs.id).slice(-4)}`,
    email: "maria.lopez@example.com",
    created_at: "2026-11-20T10:14:03-05:00",
    updated_at: attrs.updatedAt ?? "2026-11-20T10:14:05-05:00",
    cancelled_at: null,
    customer: attrs.customerId ? { id: Number(attrs.customerId), email: "maria.lopez@example.com", first_name: "Maria", last_name: "Lopez", phone: null } : null,
    shipping_address: null,
    line_items: attrs.lines.map((l) => ({ id: Number(l.id), variant_id: l.variantId === null ? null : Number(l.variantId), product_id: null, sku: "SKU", title: "Item", quantity: l.quantity })),
    fulfillments: attrs.fulfillments ?? [],
    refunds: attrs.refunds ?? [],
  };
}

const quiet = createLogger({ test: "allocation" });

/** Records the delivery in the inbox and runs the worker's processor on it, as a job would. */
export async function deliver(shopDomain: string, topic: string, payload: unknown, webhookId: string = randomUUID()): Promise<string> {
  const eventId = await recordDelivery({ webhookId, shopDomain, topic, apiVersion: "2026-10", eventId: null, triggeredAt: new Date(), body: JSON.stringify(payload) });
  const id = eventId ?? (await pool().query<{ id: bigint }>("select id from webhook_events where webhook_id = $1", [webhookId])).rows[0]!.id;
  return processWebhookEvent(id, { log: quiet });
}

export async function eventStatus(webhookId: string): Promise<{ status: string; last_error: string | null }> {
  return (await pool().query("select status, last_error from webhook_events where webhook_id = $1", [webhookId])).rows[0];
}

/** Every lot balance of the shop as "lotId@locationId" -> quantity. */
export async function balances(shopId: number): Promise<Record<string, number>> {
  const r = await pool().query<{ lot_id: bigint; location_id: bigint; quantity: number }>(
    "select lot_id, location_id, quantity from lot_balances where shop_id = $1 order by lot_id, location_id",
    [shopId],
  );
  return Object.fromEntries(r.rows.map((b) => [`${b.lot_id}@${b.location_id}`, b.quantity]));
}

export interface AllocationRowView {
  id: bigint;
  fulfillment_id: bigint;
  line_item_id: bigint;
  lot_id: bigint | null;
  unknown_lot: boolean;
  location_id: bigint;
  quantity: number;
  returned_quantity: number;
  status: string;
  customer_id: bigint | null;
}

export async function allocations(shopId: number): Promise<AllocationRowView[]> {
  return (
    await pool().query<AllocationRowView>(
      `select id, fulfillment_id, line_item_id, lot_id, unknown_lot, location_id, quantity, returned_quantity, status, customer_id
       from allocations where shop_id = $1 order by id`,
      [shopId],
    )
  ).rows;
}

/**
 * The invariants of allocation, as a list of violations (empty when all hold):
 * - every fulfilled unit of a lot-tracked line (state ALLOCATED or PENDING) is in exactly one live
 *   allocation; SKIPPED and REVERSED lines have none;
 * - each balance equals the sum of its ledger entries;
 * - each balance equals receipts/adjustments - live allocations + returns (reversals net out);
 * - no balance is negative; no allocation returned more than it shipped.
 */
export async function allocationInvariantViolations(shopId: number): Promise<string[]> {
  const db = pool();
  const violations: string[] = [];
  const lines = await db.query(
    `select fl.fulfillment_id, fl.line_item_id, fl.state, fl.quantity,
            coalesce((select sum(a.quantity) from allocations a where a.shop_id = fl.shop_id and a.fulfillment_id = fl.fulfillment_id
                      and a.line_item_id = fl.line_item_id and a.status = 'ALLOCATED'), 0)::int as allocated
     from fulfillment_lines fl where fl.shop_id = $1`,
    [shopId],
  );
  for (const l of lines.rows) {
    const expected = l.state === "ALLOCATED" || l.state === "PENDING" ? l.quantity : 0;
    if (l.allocated !== expected) violations.push(`line ${l.fulfillment_id}/${l.line_item_id} (${l.state}) has ${l.allocated} allocated units, expected ${expected}`);
  }
  const orphans = await db.query(
    `select a.id from allocations a where a.shop_id = $1 and not exists
       (select 1 from fulfillment_lines fl where fl.shop_id = a.shop_id and fl.fulfillment_id = a.fulfillment_id and fl.line_item_id = a.line_item_id)`,
    [shopId],
  );
  for (const o of orphans.rows) violations.push(`allocation ${o.id} has no fulfilment line`);
  const ledger = await db.query(
    `select b.lot_id, b.location_id, b.quantity,
            coalesce((select sum(e.delta) from ledger_entries e where e.shop_id = b.shop_id and e.lot_id = b.lot_id and e.location_id = b.location_id), 0)::int as ledger_sum,
            coalesce((select sum(e.delta) from ledger_entries e where e.shop_id = b.shop_id and e.lot_id = b.lot_id and e.location_id = b.location_id
                      and e.kind not in ('ALLOCATED', 'ALLOCATION_REVERSED', 'ALLOCATION_MOVED', 'RETURNED')), 0)::int as stock_in,
            coalesce((select sum(a.quantity) from allocations a where a.shop_id = b.shop_id and a.lot_id = b.lot_id and a.location_id = b.location_id
                      and a.status = 'ALLOCATED'), 0)::int as allocated,
            coalesce((select sum(a.returned_quantity) from allocations a where a.shop_id = b.shop_id and a.lot_id = b.lot_id and a.location_id = b.location_id
                      and a.status = 'REVERSED'), 0)::int as reversed_after_return,
            coalesce((select sum(r.quantity) from allocation_returns r join allocations a on a.id = r.allocation_id
                      where r.shop_id = b.shop_id and a.lot_id = b.lot_id and r.location_id = b.location_id), 0)::int as returned
     from lot_balances b where b.shop_id = $1`,
    [shopId],
  );
  for (const b of ledger.rows) {
    if (b.quantity < 0) violations.push(`balance ${b.lot_id}@${b.location_id} is negative (${b.quantity})`);
    if (b.quantity !== b.ledger_sum) violations.push(`balance ${b.lot_id}@${b.location_id} is ${b.quantity} but its ledger sums to ${b.ledger_sum}`);
    const expected = b.stock_in - b.allocated - b.reversed_after_return + b.returned;
    if (b.quantity !== expected) {
      violations.push(
        `balance ${b.lot_id}@${b.location_id} is ${b.quantity}, expected receipts ${b.stock_in} - allocated ${b.allocated} - ${b.reversed_after_return} + returned ${b.returned} = ${expected}`,
      );
    }
  }
  const overReturned = await db.query(
    `select a.id, a.returned_quantity, coalesce(sum(r.quantity), 0)::int as rows_sum from allocations a
     left join allocation_returns r on r.shop_id = a.shop_id and r.allocation_id = a.id
     where a.shop_id = $1 group by a.id having a.returned_quantity <> coalesce(sum(r.quantity), 0)`,
    [shopId],
  );
  for (const o of overReturned.rows) violations.push(`allocation ${o.id} says ${o.returned_quantity} returned, its return rows say ${o.rows_sum}`);
  return violations;
}
