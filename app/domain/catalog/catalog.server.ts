// The variant mapping (variant <-> inventory item <-> product, SKU, barcode, titles) and the
// locations, kept from products/*, inventory_items/* and locations/* webhooks. The merchant's own
// settings on a variant (lot_tracked, strategy_override) are never touched here. A variant deleted
// in Shopify is marked deleted_at, not removed: its lots and allocations still name it.
import type { Sql } from "../../lib/sql.server";
import type { TopicHandler } from "../webhooks/handler";
import { deletedId, inventoryItemSnapshot, locationSnapshot, productSnapshot, type ProductSnapshot } from "./catalog-payloads";

/** Upsert the product's variants unless a newer version of the product is stored; mark the variants it no longer has deleted. */
export async function recordProduct(sql: Sql, shopId: number, product: ProductSnapshot): Promise<"recorded" | "stale"> {
  const newer = await sql.query(
    "select 1 from variants where shop_id = $1 and product_id = $2 and shopify_updated_at > $3 limit 1",
    [shopId, product.id, product.updatedAt],
  );
  if (product.updatedAt && (newer.rowCount ?? 0) > 0) return "stale";
  const v = product.variants;
  if (v.length > 0) {
    await sql.query(
      `insert into variants (shop_id, id, product_id, inventory_item_id, sku, title, product_title, barcode, shopify_updated_at, deleted_at, updated_at)
       select $1, x.id, $2, x.inventory_item_id, x.sku, x.title, $3, x.barcode, $4, null, now()
         from unnest($5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[]) as x(id, inventory_item_id, sku, title, barcode)
       on conflict (shop_id, id) do update set
         product_id = excluded.product_id, inventory_item_id = excluded.inventory_item_id, sku = excluded.sku,
         title = excluded.title, product_title = excluded.product_title, barcode = excluded.barcode,
         shopify_updated_at = excluded.shopify_updated_at, deleted_at = null, updated_at = now()
       where variants.shopify_updated_at is null or excluded.shopify_updated_at is null
          or excluded.shopify_updated_at >= variants.shopify_updated_at`,
      [shopId, product.id, product.title, product.updatedAt, v.map((x) => x.id), v.map((x) => x.inventoryItemId), v.map((x) => x.sku), v.map((x) => x.title), v.map((x) => x.barcode)],
    );
  }
  await sql.query(
    "update variants set deleted_at = now(), updated_at = now() where shop_id = $1 and product_id = $2 and deleted_at is null and not (id = any($3::bigint[]))",
    [shopId, product.id, v.map((x) => x.id)],
  );
  return "recorded";
}

export const recordProductFromWebhook: TopicHandler = async (ctx) => {
  const product = productSnapshot(ctx.payload);
  if ((await recordProduct(ctx.sql, ctx.shopId, product)) === "stale") ctx.log.info("older product delivery ignored", { productId: product.id });
};

export const markProductDeleted: TopicHandler = async (ctx) => {
  const productId = deletedId(ctx.payload, "a product");
  await ctx.sql.query("update variants set deleted_at = now(), updated_at = now() where shop_id = $1 and product_id = $2 and deleted_at is null", [ctx.shopId, productId]);
};

/** inventory_items/create|update: the SKU lives on the inventory item; the variant it belongs to comes with products/*. */
export const recordInventoryItem: TopicHandler = async (ctx) => {
  const item = inventoryItemSnapshot(ctx.payload);
  await ctx.sql.query("update variants set sku = $3, updated_at = now() where shop_id = $1 and inventory_item_id = $2 and sku is distinct from $3", [
    ctx.shopId,
    item.id,
    item.sku,
  ]);
};

export const markInventoryItemDeleted: TopicHandler = async (ctx) => {
  const itemId = deletedId(ctx.payload, "an inventory item");
  await ctx.sql.query("update variants set deleted_at = now(), updated_at = now() where shop_id = $1 and inventory_item_id = $2 and deleted_at is null", [ctx.shopId, itemId]);
};

export const recordLocation: TopicHandler = async (ctx) => {
  const location = locationSnapshot(ctx.payload);
  await ctx.sql.query(
    `insert into locations (shop_id, id, name, active) values ($1, $2, $3, $4)
     on conflict (shop_id, id) do update set name = excluded.name, active = excluded.active`,
    [ctx.shopId, location.id, location.name, location.active],
  );
};
