// The recall banner on a customer's order status page (extensions/order-recall-banner, decision
// 110 "Order status banner"): the lots shipped on one order that an open recall covers, for the
// customer who placed it. The shop and the customer come from the verified session token; an order
// of another shop or another customer reads as "no such order", exactly like an unknown one.
import { pool } from "../../db.server";
import type { Db } from "../../lib/sql.server";
import { orderRecallsView, type ShippedRecalledLot } from "./public-check-rules";
import type { OrderRecall } from "../../lib/extension-api";

/** Null when the shop has no such order placed by this customer. */
export async function recallsOnCustomerOrder(shopDomain: string, customerId: bigint, orderId: bigint, db: Db = pool()): Promise<OrderRecall[] | null> {
  const order = await db.query<{ shop_id: number }>(
    `select o.shop_id from shops s join orders o on o.shop_id = s.id
      where s.domain = $1 and o.id = $2 and o.customer_id = $3 and not o.redacted`,
    [shopDomain, orderId, customerId],
  );
  const shopId = order.rows[0]?.shop_id;
  if (shopId === undefined) return null;
  // Lots shipped on the order (cancelled fulfilments are REVERSED) that the customer still holds:
  // units returned to the shop need no action. One row per lot and open recall (direct or
  // downstream, recall_lots); the rules keep the most serious recall per lot.
  const { rows } = await db.query<ShippedRecalledLot>(
    `select l.id as "lotId", l.lot_number as "lotNumber", v.product_title as product,
            r.severity, r.reason, r.opened_at as "openedAt"
       from allocations a
       join lots l on l.shop_id = a.shop_id and l.id = a.lot_id
       left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
       join recall_lots rl on rl.shop_id = l.shop_id and rl.lot_id = l.id
       join recalls r on r.shop_id = rl.shop_id and r.id = rl.recall_id and r.status = 'OPEN'
      where a.shop_id = $1 and a.order_id = $2 and a.status = 'ALLOCATED' and a.lot_id is not null
        and a.quantity > a.returned_quantity`,
    [shopId, orderId],
  );
  return orderRecallsView(rows);
}
