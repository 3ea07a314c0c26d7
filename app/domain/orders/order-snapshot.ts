// What Lotkeeper keeps of a Shopify order (orders/create|updated|cancelled payload): the order,
// its lines, and the customer snapshot a recall needs (who received the units, where). Pure.
import { z } from "zod";
import { optionalPayloadId as optionalId, parsePayloadAs, payloadId as id, payloadQuantity, payloadText as text } from "../webhooks/payload";
const time = z
  .string()
  .nullish()
  .transform((v, ctx) => {
    if (!v) return null;
    const date = new Date(v);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a date: ${v}` });
      return z.NEVER;
    }
    return date;
  });

const address = z.record(z.unknown()).nullish();

const orderPayload = z.object({
  id,
  name: text,
  email: text,
  contact_email: text,
  phone: text,
  created_at: time,
  updated_at: time,
  cancelled_at: time,
  // Set on POS orders: the store the order was placed at (where its units are held).
  location_id: optionalId,
  customer: z.object({ id: optionalId, email: text, phone: text, first_name: text, last_name: text }).passthrough().nullish(),
  shipping_address: address,
  line_items: z
    .array(
      z
        .object({
          id,
          variant_id: optionalId,
          product_id: optionalId,
          sku: text,
          title: text,
          quantity: payloadQuantity,
          // Shopify's quantity after order edits and refunds (REST 2024-01+); absent in older payloads.
          current_quantity: payloadQuantity.nullish(),
          properties: z
            .array(z.object({ name: z.unknown(), value: z.unknown() }).passthrough())
            .nullish()
            .catch(null),
        })
        .passthrough(),
    )
    .default([]),
});

export interface OrderLineSnapshot {
  id: bigint;
  variantId: bigint | null;
  productId: bigint | null;
  sku: string | null;
  title: string | null;
  quantity: number;
  /** Quantity after edits and refunds (Shopify's current_quantity); null when not sent. */
  currentQuantity: number | null;
  /** The lot named by the line's `_lot` property (trimmed); null when none. */
  lotProperty: string | null;
}

export interface OrderSnapshot {
  id: bigint;
  name: string | null;
  email: string | null;
  customerId: bigint | null;
  customerName: string | null;
  customerEmail: string | null;
  customerPhone: string | null;
  shippingAddress: Record<string, unknown> | null;
  cancelledAt: Date | null;
  /** The order's location_id (POS orders); null for online orders. */
  locationId: bigint | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  lines: OrderLineSnapshot[];
}

/** The line property a storefront, POS or app sets to name the lot to ship (underscore: hidden from the customer). */
export const LOT_LINE_PROPERTY = "_lot";

/** The `_lot` value of a line's properties ([{name, value}]), trimmed; null when absent or blank. */
export function lotPropertyOf(properties: readonly { name?: unknown; value?: unknown }[] | null | undefined): string | null {
  const found = properties?.find((p) => p.name === LOT_LINE_PROPERTY);
  const value = typeof found?.value === "string" || typeof found?.value === "number" ? String(found.value).trim() : "";
  return value === "" ? null : value;
}

/** The order of an orders/* payload; InvalidPayloadError (no retry) when it is not one. */
export function orderSnapshot(payload: unknown): OrderSnapshot {
  const o = parsePayloadAs(orderPayload, payload, "an order");
  const shipping = o.shipping_address ?? null;
  const shippingName = typeof shipping?.name === "string" ? shipping.name : null;
  const customerName = [o.customer?.first_name, o.customer?.last_name].filter(Boolean).join(" ") || shippingName || null;
  const shippingPhone = typeof shipping?.phone === "string" && shipping.phone ? shipping.phone : null;
  return {
    id: o.id,
    name: o.name,
    email: o.email ?? o.contact_email,
    customerId: o.customer?.id ?? null,
    customerName,
    customerEmail: o.customer?.email ?? o.email ?? o.contact_email,
    customerPhone: o.customer?.phone ?? shippingPhone ?? o.phone,
    shippingAddress: shipping,
    cancelledAt: o.cancelled_at,
    locationId: o.location_id,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
    lines: o.line_items.map((l) => ({
      id: l.id,
      variantId: l.variant_id,
      productId: l.product_id,
      sku: l.sku,
      title: l.title,
      quantity: l.quantity,
      currentQuantity: l.current_quantity ?? null,
      lotProperty: lotPropertyOf(l.properties),
    })),
  };
}
