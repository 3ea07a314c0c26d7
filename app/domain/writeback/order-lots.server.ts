// Lots written back on the Shopify order (docs/decisions/102-lots-on-the-order.md): after a
// fulfilment is allocated or reversed, an allocation moved to another lot, or units returned, the
// order's lots go to Shopify as an app-owned metafield ($app.lots, JSON) and a note attribute
// ("Lots"), so the merchant's packing slip and order page show them.
//
// Through the outbox (decision 020): the change that moves units records an `order.lots` row in its
// own transaction (never a Shopify call there); the row holds only the order id. The send reads the
// order's lots when it runs, so ten fulfilments of one order that arrive before the send are one
// write: a change joins the order's pending row that has not been tried yet (attempts = 0) instead
// of adding one. Rows of one order go out oldest first (outbox.server.ts), each reading the lots
// afresh, so the last write is always the newest state. Throttled or unreachable: the outbox's
// retry and backoff, as for inventory. Shopify refusing the write: the row is FAILED with Shopify's
// reason (`lots sync-status`), and `lots sync-retry` sends the lots as they are then.
import { isDeepStrictEqual } from "node:util";
import { pool } from "../../db.server";
import type { Db } from "../../lib/sql.server";
import { adminGraphql, adminMutation, gid, ORDER_LOTS_QUERY, ORDER_LOTS_UPDATE_MUTATION, ShopifyRejectedError } from "../../lib/shopify-admin.server";
import { queueOutboxEntries, registerOutboxSender, type OutboxRow } from "../sync/outbox.server";
import type { QueryCost } from "../sync/throttle";
import type { WebhookContext } from "../webhooks/handler";
import {
  lotsAttributeValue,
  mergeLotsAttribute,
  ORDER_LOTS_METAFIELD,
  orderLotLines,
  orderLotsDocument,
  sameAttributes,
  type AllocatedUnits,
  type OrderLotLine,
} from "./order-lots-rules";

/** The outbox kind (written as a literal in the SQL below: the partial index outbox_entries_order_lots_idx names it). */
export const ORDER_LOTS_KIND = "order.lots";

/**
 * How long a queued write-back waits before it is sent: the deliveries of one shipment (fulfilment,
 * orders/updated, orders/fulfilled) and a burst of fulfilments of one order join one row meanwhile.
 */
export const WRITEBACK_DELAY_MS = 3000;

/**
 * Records, in the caller's transaction, that the order's lots must be written to Shopify. Joins the
 * order's pending row that has not been tried yet; otherwise adds one. The caller holds the order
 * lock (every change to an order's allocations takes it), so two changes cannot both add a row for
 * the same reason. The joined row stays locked (FOR UPDATE) until the caller commits: the send
 * counts its attempt on that row before it reads the lots, so it waits for this change and reads it;
 * a send that counted first makes the row no longer match (attempts > 0) and a new row is added.
 * Returns the row's id: queue it after commit (queueOrderLotsWriteback).
 */
export async function requestOrderLotsWriteback(sql: Db, shopId: number, orderId: bigint): Promise<bigint> {
  const result = await sql.query<{ id: bigint }>(
    `with open as (
       select id from outbox_entries
       where shop_id = $1 and kind = 'order.lots' and status = 'PENDING' and attempts = 0 and payload->>'orderId' = $2
       order by id desc limit 1
       for update
     ), ins as (
       insert into outbox_entries (shop_id, kind, payload, idempotency_key)
       select $1, 'order.lots', jsonb_build_object('orderId', $2::text), 'shop' || $1 || ':order-lots:' || $2 || ':' || gen_random_uuid()
       where not exists (select 1 from open)
       returning id
     )
     select id from open union all select id from ins`,
    [shopId, orderId.toString()],
  );
  return result.rows[0]!.id;
}

/** Queues write-back rows after commit, held back WRITEBACK_DELAY_MS so a burst is one write. Never throws. */
export async function queueOrderLotsWriteback(ids: readonly bigint[]): Promise<void> {
  await queueOutboxEntries(ids, { delayMs: WRITEBACK_DELAY_MS });
}

/** For topic handlers: records the write-back in the delivery's transaction and queues it once that commits. */
export async function writeBackOrderLots(ctx: WebhookContext, orderId: bigint): Promise<void> {
  const id = await requestOrderLotsWriteback(ctx.sql, ctx.shopId, orderId);
  ctx.afterCommit(() => queueOrderLotsWriteback([id]));
}

/** The order's live allocations (reversed ones shipped nothing), per line item and lot. Scoped by shop. */
export async function loadOrderLotLines(shopId: number, orderId: bigint, db: Db = pool()): Promise<OrderLotLine[]> {
  const r = await db.query<{
    line_item_id: bigint;
    sku: string | null;
    lot_number: string | null;
    expires_on: string | null;
    best_before_on: string | null;
    quantity: number;
    returned_quantity: number;
  }>(
    `select a.line_item_id, coalesce(ol.sku, v.sku) as sku, l.lot_number,
            to_char(l.expires_on, 'YYYY-MM-DD') as expires_on, to_char(l.best_before_on, 'YYYY-MM-DD') as best_before_on,
            a.quantity, a.returned_quantity
     from allocations a
     left join lots l on l.shop_id = a.shop_id and l.id = a.lot_id
     left join order_lines ol on ol.shop_id = a.shop_id and ol.id = a.line_item_id
     left join variants v on v.shop_id = a.shop_id and v.id = a.variant_id
     where a.shop_id = $1 and a.order_id = $2 and a.status = 'ALLOCATED'
     order by a.line_item_id, a.id`,
    [shopId, orderId.toString()],
  );
  const units: AllocatedUnits[] = r.rows.map((x) => ({
    lineItemId: x.line_item_id,
    sku: x.sku,
    lotNumber: x.lot_number,
    expiresOn: x.expires_on,
    bestBeforeOn: x.best_before_on,
    quantity: x.quantity,
    returnedQuantity: x.returned_quantity,
  }));
  return orderLotLines(units);
}

interface OrderLotsRead {
  order: { id: string; customAttributes: { key: string; value: string | null }[]; metafield: { value: string } | null } | null;
}

/** True when the metafield Shopify holds is our document (compared as JSON: Shopify may store it reformatted). */
function sameMetafield(current: { value: string } | null, document: unknown, empty: boolean): boolean {
  if (current === null) return empty;
  try {
    return isDeepStrictEqual(JSON.parse(current.value), document);
  } catch {
    return false;
  }
}

/**
 * The sender of `order.lots` rows: reads the order's lots now, reads the order's attributes and our
 * metafield in Shopify, and writes both with one orderUpdate unless Shopify already shows them (the
 * echo of a write that was applied but whose answer was lost, or a repeat: nothing is sent).
 */
async function sendOrderLots(row: OutboxRow): Promise<QueryCost | undefined> {
  const orderId = BigInt((row.payload as { orderId: string }).orderId);
  const lines = await loadOrderLotLines(row.shopId, orderId);
  const document = orderLotsDocument(lines);
  const attribute = lotsAttributeValue(lines);
  const read = await adminGraphql<OrderLotsRead>(row.shopDomain, ORDER_LOTS_QUERY, {
    id: gid("Order", orderId),
    namespace: ORDER_LOTS_METAFIELD.namespace,
    key: ORDER_LOTS_METAFIELD.key,
  });
  const order = read.data.order;
  if (!order) throw new ShopifyRejectedError(`order ${orderId} is not in Shopify (deleted, or older than the app can read)`, read.data);
  const attributes = mergeLotsAttribute(order.customAttributes, attribute);
  if (sameAttributes(order.customAttributes, attributes) && sameMetafield(order.metafield, document, lines.length === 0)) return read.cost;
  const written = await adminMutation(row.shopDomain, ORDER_LOTS_UPDATE_MUTATION, "orderUpdate", {
    input: {
      id: gid("Order", orderId),
      customAttributes: attributes,
      metafields: [{ ...ORDER_LOTS_METAFIELD, value: JSON.stringify(document) }],
    },
  });
  return written.cost;
}

registerOutboxSender(ORDER_LOTS_KIND, sendOrderLots);
