// The parts of products/*, inventory_items/* and locations/* payloads Lotkeeper keeps. Pure.
import { z } from "zod";
import { InvalidPayloadError } from "../webhooks/handler";

const id = z.union([z.number().int().positive(), z.bigint().positive(), z.string().regex(/^\d+$/)]).transform((v) => BigInt(v));
const optionalId = z.union([id, z.null(), z.undefined()]).transform((v) => v ?? null);
const text = z.string().nullish().transform((v) => (v && v.trim() !== "" ? v : null));
const time = z
  .string()
  .nullish()
  .transform((v) => {
    const date = v ? new Date(v) : null;
    return date && !Number.isNaN(date.getTime()) ? date : null;
  });

function parse<T extends z.ZodTypeAny>(schema: T, payload: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidPayloadError(`not a ${what} payload: ${issue.path.join(".") || "(root)"} ${issue.message}`);
  }
  return parsed.data;
}

const productSchema = z.object({
  id,
  title: text,
  updated_at: time,
  variants: z
    .array(z.object({ id, sku: text, inventory_item_id: optionalId, barcode: text, title: text }).passthrough())
    .default([]),
});

export interface ProductSnapshot {
  id: bigint;
  title: string | null;
  updatedAt: Date | null;
  variants: Array<{ id: bigint; sku: string | null; inventoryItemId: bigint | null; barcode: string | null; title: string | null }>;
}

export function productSnapshot(payload: unknown): ProductSnapshot {
  const p = parse(productSchema, payload, "product");
  return {
    id: p.id,
    title: p.title,
    updatedAt: p.updated_at,
    variants: p.variants.map((v) => ({ id: v.id, sku: v.sku, inventoryItemId: v.inventory_item_id, barcode: v.barcode, title: v.title })),
  };
}

/** products/delete and inventory_items/delete carry only the id. */
export function deletedId(payload: unknown, what: string): bigint {
  return parse(z.object({ id }).passthrough(), payload, what).id;
}

export function inventoryItemSnapshot(payload: unknown): { id: bigint; sku: string | null } {
  const p = parse(z.object({ id, sku: text }).passthrough(), payload, "inventory item");
  return { id: p.id, sku: p.sku };
}

export function locationSnapshot(payload: unknown): { id: bigint; name: string | null; active: boolean } {
  const p = parse(z.object({ id, name: text, active: z.boolean().nullish() }).passthrough(), payload, "location");
  return { id: p.id, name: p.name, active: p.active ?? true };
}
