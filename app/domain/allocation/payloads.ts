// The subset of Shopify's fulfilment, refund and order payloads allocation reads, validated with
// zod. A payload that fails here can never succeed: the handler turns the message into an
// InvalidPayloadError (the job fails at once and the reason is stored on the inbox row).
import { z } from "zod";
import { describeIssue, optionalPayloadId, payloadId, payloadQuantity } from "../webhooks/payload";
import { lotPropertyOf } from "../orders/order-snapshot";

// Ids and quantities are read the way every payload reads them (app/domain/webhooks/payload.ts):
// ids 1..2^63-1 (exact beyond 2^53), quantities whole and plausible.
const id = payloadId;
const optionalId = optionalPayloadId;
const timestamp = z.union([z.string(), z.null(), z.undefined()]).transform((v, ctx) => {
  if (v === null || v === undefined || v === "") return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a date: ${v}` });
    return z.NEVER;
  }
  return d;
});
const quantity = payloadQuantity;

export const fulfilmentLineSchema = z.object({
  id,
  variant_id: optionalId,
  quantity,
  // The order line's properties, repeated on the fulfilment's line: its `_lot` when the order came later.
  properties: z
    .array(z.object({ name: z.unknown(), value: z.unknown() }).passthrough())
    .nullish()
    .catch(null),
});

export const fulfilmentSchema = z.object({
  id,
  order_id: id,
  status: z.string().min(1),
  location_id: optionalId,
  name: z.string().nullish(),
  created_at: timestamp,
  updated_at: timestamp,
  // A cancellation may come without its lines: the fulfilment's stored lines are reversed anyway.
  line_items: z.array(fulfilmentLineSchema).default([]),
});

export const refundLineSchema = z.object({
  id,
  line_item_id: id,
  quantity,
  location_id: optionalId,
  restock_type: z
    .string()
    .nullish()
    .transform((v) => v ?? "no_restock"),
});

export const refundSchema = z.object({
  id,
  order_id: id,
  created_at: timestamp,
  processed_at: timestamp,
  refund_line_items: z.array(refundLineSchema).default([]),
});

/** Orders carry their fulfilments (and refunds) without order_id on each: it is the order's id. */
export const orderWithFulfilmentsSchema = z.object({
  id,
  fulfillments: z.array(fulfilmentSchema.extend({ order_id: optionalId })).nullish(),
  refunds: z.array(refundSchema.extend({ order_id: optionalId })).nullish(),
});

export interface FulfilmentInput {
  id: bigint;
  orderId: bigint;
  status: string;
  locationId: bigint | null;
  name: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  /** lotProperty: the line's `_lot` property as the fulfilment payload carries it (null: none). */
  lines: { lineItemId: bigint; variantId: bigint | null; quantity: number; lotProperty?: string | null }[];
}

export interface RefundInput {
  id: bigint;
  orderId: bigint;
  createdAt: Date | null;
  lines: { id: bigint; lineItemId: bigint; quantity: number; locationId: bigint | null; restockType: string }[];
}

export class PayloadShapeError extends Error {
  override name = "PayloadShapeError";
}

function explain(what: string, error: z.ZodError): PayloadShapeError {
  return new PayloadShapeError(`${what}: ${describeIssue(error)}`);
}

function toFulfilment(f: z.infer<typeof fulfilmentSchema>, orderId: bigint): FulfilmentInput {
  return {
    id: f.id,
    orderId,
    status: f.status,
    locationId: f.location_id,
    name: f.name ?? null,
    createdAt: f.created_at,
    updatedAt: f.updated_at,
    lines: f.line_items.map((l) => ({ lineItemId: l.id, variantId: l.variant_id, quantity: l.quantity, lotProperty: lotPropertyOf(l.properties) })),
  };
}

function toRefund(r: z.infer<typeof refundSchema>, orderId: bigint): RefundInput {
  return {
    id: r.id,
    orderId,
    createdAt: r.created_at ?? r.processed_at,
    lines: r.refund_line_items.map((l) => ({
      id: l.id,
      lineItemId: l.line_item_id,
      quantity: l.quantity,
      locationId: l.location_id,
      restockType: l.restock_type,
    })),
  };
}

export function parseFulfilment(payload: unknown): FulfilmentInput {
  const parsed = fulfilmentSchema.safeParse(payload);
  if (!parsed.success) throw explain("fulfilment payload", parsed.error);
  return toFulfilment(parsed.data, parsed.data.order_id);
}

export function parseRefund(payload: unknown): RefundInput {
  const parsed = refundSchema.safeParse(payload);
  if (!parsed.success) throw explain("refund payload", parsed.error);
  return toRefund(parsed.data, parsed.data.order_id);
}

/** The fulfilments and refunds an orders/* payload carries (each with the order's id). */
export function parseOrderActivity(payload: unknown): { orderId: bigint; fulfilments: FulfilmentInput[]; refunds: RefundInput[] } {
  const parsed = orderWithFulfilmentsSchema.safeParse(payload);
  if (!parsed.success) throw explain("order payload", parsed.error);
  const order = parsed.data;
  return {
    orderId: order.id,
    fulfilments: (order.fulfillments ?? []).map((f) => toFulfilment({ ...f, order_id: f.order_id ?? order.id }, f.order_id ?? order.id)),
    refunds: (order.refunds ?? []).map((r) => toRefund({ ...r, order_id: r.order_id ?? order.id }, r.order_id ?? order.id)),
  };
}
