// Orders as Lotkeeper keeps them: the order, its lines and the customer snapshot, written from
// orders/create|updated|cancelled. Shopify delivers out of order and late: a payload whose
// updated_at is older than the stored one changes nothing. An order whose customer asked to be
// redacted stays redacted whatever arrives later.
import type { Db } from "../../lib/sql.server";
import type { TopicHandler } from "../webhooks/handler";
import { orderSnapshot, type OrderSnapshot } from "./order-snapshot";

export type RecordOrderResult = "created" | "updated" | "stale";

/** Upsert the order and its lines unless what is stored is newer; link its allocations to the customer. */
export async function recordOrder(sql: Db, shopId: number, order: OrderSnapshot): Promise<RecordOrderResult> {
  const upserted = await sql.query<{ inserted: boolean }>(
    `insert into orders (shop_id, id, name, email, customer_id, customer_name, customer_email, customer_phone,
                         shipping_address, cancelled_at, shopify_created_at, shopify_updated_at, location_id, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, now())
     on conflict (shop_id, id) do update set
       name = excluded.name,
       customer_id = excluded.customer_id,
       email = case when orders.redacted then null else excluded.email end,
       customer_name = case when orders.redacted then null else excluded.customer_name end,
       customer_email = case when orders.redacted then null else excluded.customer_email end,
       customer_phone = case when orders.redacted then null else excluded.customer_phone end,
       shipping_address = case when orders.redacted then null else excluded.shipping_address end,
       cancelled_at = excluded.cancelled_at,
       location_id = excluded.location_id,
       shopify_created_at = coalesce(excluded.shopify_created_at, orders.shopify_created_at),
       shopify_updated_at = excluded.shopify_updated_at,
       updated_at = now()
     where orders.shopify_updated_at is null
        or excluded.shopify_updated_at >= orders.shopify_updated_at
     returning (xmax = 0) as inserted`,
    [
      shopId,
      order.id,
      order.name,
      order.email,
      order.customerId,
      order.customerName,
      order.customerEmail,
      order.customerPhone,
      order.shippingAddress ? JSON.stringify(order.shippingAddress) : null,
      order.cancelledAt,
      order.createdAt,
      order.updatedAt,
      order.locationId,
    ],
  );
  const row = upserted.rows[0];
  if (!row) return "stale";
  if (order.lines.length > 0) {
    await sql.query(
      `insert into order_lines (shop_id, id, order_id, variant_id, product_id, sku, title, quantity, current_quantity, lot_property)
       select $1, l.id, $2, l.variant_id, l.product_id, l.sku, l.title, l.quantity, l.current_quantity, l.lot_property
         from unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::int[], $9::int[], $10::text[])
              as l(id, variant_id, product_id, sku, title, quantity, current_quantity, lot_property)
       on conflict (shop_id, id) do update set
         order_id = excluded.order_id, variant_id = excluded.variant_id, product_id = excluded.product_id,
         sku = excluded.sku, title = excluded.title, quantity = excluded.quantity,
         current_quantity = excluded.current_quantity, lot_property = excluded.lot_property`,
      [
        shopId,
        order.id,
        order.lines.map((l) => l.id),
        order.lines.map((l) => l.variantId),
        order.lines.map((l) => l.productId),
        order.lines.map((l) => l.sku),
        order.lines.map((l) => l.title),
        order.lines.map((l) => l.quantity),
        order.lines.map((l) => l.currentQuantity),
        order.lines.map((l) => l.lotProperty),
      ],
    );
  }
  // Allocations made before the order was known (or before a guest got a customer id, or an email) follow it.
  await copyCustomerToAllocations(sql, shopId, [order.id]);
  return row.inserted ? "created" : "updated";
}

/**
 * The orders' customer id and recall customer key (orders.customer_key, a generated column: the
 * one definition of the key) onto their allocations, which carry both for recall paging. Called
 * wherever the customer snapshot of stored orders changes: recordOrder (an order that arrives
 * after its fulfilment, a guest who gets an account or changes email) and customers/redact (a
 * guest's key becomes order:<id>, the email must not stay on the allocations either).
 */
export async function copyCustomerToAllocations(sql: Db, shopId: number, orderIds: bigint[]): Promise<void> {
  if (orderIds.length === 0) return;
  await sql.query(
    `update allocations set customer_id = o.customer_id, customer_key = o.customer_key, updated_at = now()
       from orders o
      where o.shop_id = $1 and o.id = any($2::bigint[]) and allocations.shop_id = $1 and allocations.order_id = o.id
        and (allocations.customer_id is distinct from o.customer_id or allocations.customer_key <> o.customer_key)`,
    [shopId, orderIds],
  );
}

/** orders/create, orders/updated, orders/cancelled: the same snapshot, newest wins. */
export const recordOrderFromWebhook: TopicHandler = async (ctx) => {
  const order = orderSnapshot(ctx.payload);
  const result = await recordOrder(ctx.sql, ctx.shopId, order);
  if (result === "stale") ctx.log.info("older order delivery ignored (a newer one is stored)", { orderId: order.id });
};
