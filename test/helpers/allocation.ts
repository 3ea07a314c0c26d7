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
    customer: attrs.customerId
      ? { id: Number(attrs.customerId), email: "maria.lopez@example.com", first_name: "Maria", last_name: "Lopez", phone: null }
      : null,
    shipping_address: null,
    line_items: attrs.lines.map((l) => ({
      id: Number(l.id),
      variant_id: l.variantId === null ? null : Number(l.variantId),
      product_id: null,
      sku: "SKU",
      title: "Item",
      quantity: l.quantity,
    })),
    fulfillments: attrs.fulfillments ?? [],
    refunds: attrs.refunds ?? [],
  };
}

const quiet = createLogger({ test: "allocation" });

/** Records the delivery in the inbox and runs the worker's processor on it, as a job would. */
export async function deliver(shopDomain: string, topic: string, payload: unknown, webhookId: string = randomUUID()): Promise<string> {
  const eventId = await recordDelivery({
    webhookId,
    shopDomain,
    topic,
    apiVersion: "2026-10",
    eventId: null,
    triggeredAt: new Date(),
    body: JSON.stringify(payload),
  });
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

/** The invariants of allocation (app/domain/allocation/invariants.server.ts), as violations. */
export { allocationInvariantViolations } from "../../app/domain/allocation/invariants.server";
