// The parts of products/*, inventory_items/* and locations/* payloads Lotkeeper keeps. Pure.
import { z } from "zod";
import { optionalPayloadId as optionalId, parsePayloadAs, payloadId as id, payloadText as text } from "../webhooks/payload";

const time = z
  .string()
  .nullish()
  .transform((v) => {
    const date = v ? new Date(v) : null;
    return date && !Number.isNaN(date.getTime()) ? date : null;
  });

const productSchema = z.object({
  id,
  title: text,
  updated_at: time,
  variants: z.array(z.object({ id, sku: text, inventory_item_id: optionalId, barcode: text, title: text }).passthrough()).default([]),
});

export interface ProductSnapshot {
  id: bigint;
  title: string | null;
  updatedAt: Date | null;
  variants: Array<{ id: bigint; sku: string | null; inventoryItemId: bigint | null; barcode: string | null; title: string | null }>;
}

export function productSnapshot(payload: unknown): ProductSnapshot {
  const p = parsePayloadAs(productSchema, payload, "a product");
  return {
    id: p.id,
    title: p.title,
    updatedAt: p.updated_at,
    variants: p.variants.map((v) => ({ id: v.id, sku: v.sku, inventoryItemId: v.inventory_item_id, barcode: v.barcode, title: v.title })),
  };
}

/** products/delete and inventory_items/delete carry only the id (`what`: "a product", "an inventory item"). */
export function deletedId(payload: unknown, what: string): bigint {
  return parsePayloadAs(z.object({ id }).passthrough(), payload, what).id;
}

export function inventoryItemSnapshot(payload: unknown): { id: bigint; sku: string | null } {
  const p = parsePayloadAs(z.object({ id, sku: text }).passthrough(), payload, "an inventory item");
  return { id: p.id, sku: p.sku };
}

export function locationSnapshot(payload: unknown): { id: bigint; name: string | null; active: boolean } {
  const p = parsePayloadAs(z.object({ id, name: text, active: z.boolean().nullish() }).passthrough(), payload, "a location");
  return { id: p.id, name: p.name, active: p.active ?? true };
}
