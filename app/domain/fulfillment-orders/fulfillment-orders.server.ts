// Where Shopify will fulfil each order line (decision 101): the order's fulfillment orders read
// over GraphQL and stored, so the reservations (decision 099) plan each line's open units at the
// location Shopify assigned, without asking Shopify on their hot path.
//   1. A webhook names the order (orders/create) or one of its fulfillment orders (the
//      fulfillment_orders/* topics that change an assignment; their payloads carry no order id).
//      The handler records a request row and queues a job: reading Shopify must not happen inside
//      the inbox transaction. A sweep queues again a request whose job Redis lost.
//   2. The job reads ALL the order's fulfillment orders from Shopify (whatever the webhook said,
//      the read is the truth now) and stores them under the order lock: per fulfillment order,
//      the newer `updatedAt` wins, so duplicates and late or out-of-order jobs change nothing.
//   3. assignedLocationsOf answers the reservations from the stored rows.
import { pool } from "../../db.server";
import { withTransaction, type Db } from "../../lib/sql.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import { fetchFulfillmentOrderOrderId, fetchFulfillmentOrders, ShopifyAdminError, type ShopifyFulfillmentOrder } from "../../lib/shopify-admin.server";
import { lockOrder } from "../allocation/order-lock.server";
import { shopDomain } from "../reconcile/reconcile.server";
import { InvalidPayloadError, type TopicHandler, type WebhookContext } from "../webhooks/handler";
import { parsePayloadAs, payloadId } from "../webhooks/payload";
import { z } from "zod";
import { fulfillmentOrderIdsOf } from "./fulfillment-order-rules";
import { reserveAssignedOrder } from "../reservations/reservations.server";

export const FULFILLMENT_ORDERS_REFRESH_JOB = "fulfillment-orders-refresh";
export const SWEEP_FULFILLMENT_ORDER_REQUESTS_JOB = "sweep-fulfillment-order-requests";

/** Job data: ids only (the request row holds what to read; BullMQ data is JSON, so a decimal string). */
export interface FulfillmentOrdersRefreshJob {
  shopId: number;
  requestId: string;
}

/** What to read: the order, or the fulfillment orders a webhook named (the job finds their order). */
export interface FulfillmentOrdersTarget {
  orderId?: bigint | null;
  fulfillmentOrderIds?: bigint[];
}

// ---------------------------------------------------------------------------------------------
// 1. Webhooks: record the request, queue the read

const orderPayload = z.object({ id: payloadId }).passthrough();

/** orders/create: read where Shopify routed the new order's lines. */
export const queueFulfillmentOrdersOfOrder: TopicHandler = async (ctx) => {
  const { id } = parsePayloadAs(orderPayload, ctx.payload, "an order");
  await requestRead(ctx, { orderId: id });
};

/** fulfillment_orders/moved|split|merged|cancelled|hold_released|order_routing_complete: read the order again. */
export const queueFulfillmentOrdersOfWebhook: TopicHandler = async (ctx) => {
  const named = z.array(payloadId).min(1).safeParse(fulfillmentOrderIdsOf(ctx.payload));
  if (!named.success) throw new InvalidPayloadError(`${ctx.topic} payload names no fulfillment order`);
  await requestRead(ctx, { fulfillmentOrderIds: named.data });
};

/**
 * The request is a row of the webhook's own transaction, so a job Redis loses (down when the
 * transaction commits) is queued again by the sweep: the inbox row is PROCESSED by then and
 * would not bring it back.
 */
async function requestRead(ctx: WebhookContext, target: FulfillmentOrdersTarget) {
  // A shop that is not installed (uninstalled since, or never: webhooks can come either way) has
  // no token to read Shopify with.
  const installed = await ctx.sql.query("select 1 from shops where id = $1 and installed", [ctx.shopId]);
  if (!installed.rowCount) return;
  const row = await ctx.sql.query<{ id: string }>(
    "insert into fulfillment_order_requests (shop_id, order_id, fulfillment_order_ids) values ($1, $2, $3::bigint[]) returning id::text",
    [ctx.shopId, target.orderId?.toString() ?? null, (target.fulfillmentOrderIds ?? []).map(String)],
  );
  const data: FulfillmentOrdersRefreshJob = { shopId: ctx.shopId, requestId: row.rows[0]!.id };
  ctx.afterCommit(async () => {
    await getQueue(QUEUE_NAMES.maintenance).add(FULFILLMENT_ORDERS_REFRESH_JOB, data, { jobId: jobIdFor("fulfillment-orders", data.requestId) });
  });
}

/** A request whose job has not stored it after this long was lost (or keeps failing): queue it again. */
const REQUEST_SWEEP_AFTER_MS = 60_000;
/** Past this, a request is given up (Shopify unreachable for a day; the next webhook asks again). */
const REQUEST_GIVE_UP_MS = 24 * 3600_000;

/** Repeatable: queues the requests of installed shops whose job was lost; drops those past REQUEST_GIVE_UP_MS. */
export async function sweepFulfillmentOrderRequests(options: { olderThanMs?: number } = {}): Promise<{ requeued: number; dropped: number }> {
  const dropped = await pool().query("delete from fulfillment_order_requests where created_at < now() - $1::int * interval '1 millisecond'", [
    REQUEST_GIVE_UP_MS,
  ]);
  const rows = await pool().query<{ id: string; shop_id: number }>(
    `select r.id::text, r.shop_id from fulfillment_order_requests r join shops s on s.id = r.shop_id and s.installed
     where r.created_at < now() - $1::int * interval '1 millisecond' order by r.id limit 1000`,
    [options.olderThanMs ?? REQUEST_SWEEP_AFTER_MS],
  );
  const queue = getQueue(QUEUE_NAMES.maintenance);
  let requeued = 0;
  for (const r of rows.rows) {
    const jobId = jobIdFor("fulfillment-orders", r.id);
    const job = await queue.getJob(jobId);
    if (job) {
      const state = await job.getState();
      if (state === "failed") {
        await job.retry();
        requeued++;
        continue;
      }
      if (state !== "completed" && state !== "unknown") continue; // waiting, delayed or active: it will run
      await job.remove();
    }
    await queue.add(FULFILLMENT_ORDERS_REFRESH_JOB, { shopId: r.shop_id, requestId: r.id } satisfies FulfillmentOrdersRefreshJob, { jobId });
    requeued++;
  }
  return { requeued, dropped: dropped.rowCount ?? 0 };
}

// ---------------------------------------------------------------------------------------------
// 2. The job

export type RefreshOutcome =
  { outcome: "stored"; orderId: bigint; fulfillmentOrders: number; written: number } | { outcome: "unknown"; reason: string } | { outcome: "done-already" };

/** The job: reads what the request asks for; the request row goes in the transaction that stores the read. */
export async function runFulfillmentOrdersRequest(shopId: number, requestId: bigint): Promise<RefreshOutcome> {
  const r = await pool().query<{ order_id: string | null; fulfillment_order_ids: string[] }>(
    "select order_id::text, coalesce(fulfillment_order_ids, array[]::bigint[])::text[] as fulfillment_order_ids from fulfillment_order_requests where shop_id = $1 and id = $2",
    [shopId, requestId],
  );
  const request = r.rows[0];
  if (!request) return { outcome: "done-already" }; // a duplicate job, or the sweep's twin
  const target = { orderId: request.order_id === null ? null : BigInt(request.order_id), fulfillmentOrderIds: request.fulfillment_order_ids.map(BigInt) };
  const drop = () => pool().query("delete from fulfillment_order_requests where shop_id = $1 and id = $2", [shopId, requestId]);
  let outcome: RefreshOutcome;
  try {
    outcome = await refreshFulfillmentOrders(shopId, target, { requestId });
  } catch (error) {
    // Shopify refused the read itself (ACCESS_DENIED while the merchant has not approved the
    // fulfillment order scopes, say): asking again cannot help, so the sweep must not either.
    // The processor fails the job without retries.
    if (error instanceof ShopifyAdminError && !error.retryable) await drop();
    throw error;
  }
  if (outcome.outcome === "unknown") await drop();
  return outcome;
}

/** Reads the order's fulfillment orders from Shopify and stores what is newer than what is stored. */
export async function refreshFulfillmentOrders(shopId: number, target: FulfillmentOrdersTarget, options: { requestId?: bigint } = {}): Promise<RefreshOutcome> {
  const shop = await shopDomain(shopId);
  const named = target.fulfillmentOrderIds ?? [];
  const orderId = target.orderId ?? (await orderOfFulfillmentOrders(shop, shopId, named));
  if (orderId === null)
    return { outcome: "unknown", reason: `Shopify has no fulfillment order ${named[0] ?? "(none named)"} of this shop (or no access to it)` };
  const read = await fetchFulfillmentOrders(shop, orderId);
  if (read === null) return { outcome: "unknown", reason: `Shopify has no order ${orderId} (deleted, or older than the 60 days readable)` };
  return withTransaction(async (sql) => {
    // The order lock (030): the reservations of this order change under it, and they will
    // follow the assignment in this same transaction.
    await lockOrder(sql, shopId, orderId);
    const written = await storeFulfillmentOrders(sql, shopId, orderId, read);
    // The reservations follow the assignment in this transaction, under the order lock (decision 100).
    await reserveAssignedOrder(sql, shopId, orderId, { cause: "JOB", ref: "fulfillment orders read" });
    if (options.requestId !== undefined) await sql.query("delete from fulfillment_order_requests where shop_id = $1 and id = $2", [shopId, options.requestId]);
    return { outcome: "stored" as const, orderId, fulfillmentOrders: read.length, written };
  });
}

/** The order of the first named fulfillment order the shop has stored, else Shopify's answer for the first named. */
async function orderOfFulfillmentOrders(shop: string, shopId: number, named: bigint[]): Promise<bigint | null> {
  if (named.length === 0) return null;
  const stored = await pool().query<{ order_id: bigint }>(
    "select order_id from fulfillment_orders where shop_id = $1 and id = any($2::bigint[]) order by array_position($2::bigint[], id) limit 1",
    [shopId, named.map(String)],
  );
  return stored.rows[0]?.order_id ?? (await fetchFulfillmentOrderOrderId(shop, named[0]!));
}

/**
 * Stores a read of the order's fulfillment orders; returns how many it wrote. Per fulfillment
 * order, a read whose `updatedAt` is older than the stored one changes nothing (a late or
 * out-of-order job); an equal one writes the same again (a duplicate). The lines of each written
 * fulfillment order are replaced as a whole. A stored fulfillment order missing from the read is
 * kept: Shopify lists closed and moved-away ones too (displayable: false), so only a read older
 * than its creation can miss it, and that read is the stale one.
 */
export async function storeFulfillmentOrders(sql: Db, shopId: number, orderId: bigint, read: ShopifyFulfillmentOrder[]): Promise<number> {
  if (read.length === 0) return 0;
  const written = await sql.query<{ id: string }>(
    `insert into fulfillment_orders (shop_id, id, order_id, assigned_location_id, status, shopify_updated_at, fetched_at)
     select $1, t.id, $2, t.location_id, t.status, t.updated_at, now()
     from unnest($3::bigint[], $4::bigint[], $5::text[], $6::timestamptz[]) as t(id, location_id, status, updated_at)
     on conflict (shop_id, id) do update
       set order_id = excluded.order_id, assigned_location_id = excluded.assigned_location_id, status = excluded.status,
           shopify_updated_at = excluded.shopify_updated_at, fetched_at = now()
       where fulfillment_orders.shopify_updated_at <= excluded.shopify_updated_at
     returning id::text`,
    [
      shopId,
      orderId,
      read.map((f) => f.id.toString()),
      read.map((f) => f.assignedLocationId?.toString() ?? null),
      read.map((f) => f.status),
      read.map((f) => f.updatedAt.toISOString()),
    ],
  );
  const accepted = written.rows.map((r) => r.id);
  if (accepted.length === 0) return 0;
  const lines = read.filter((f) => accepted.includes(f.id.toString())).flatMap((f) => f.lines.map((l) => ({ ...l, fulfillmentOrderId: f.id })));
  // Two statements: in one, the insert would not see the delete (one snapshot) and collide.
  await sql.query("delete from fulfillment_order_lines where shop_id = $1 and fulfillment_order_id = any($2::bigint[])", [shopId, accepted]);
  await sql.query(
    `insert into fulfillment_order_lines (shop_id, fulfillment_order_id, id, line_item_id, total_quantity, remaining_quantity)
     select $1, t.fo, t.id, t.line_item_id, t.total, t.remaining
     from unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::int[], $6::int[]) as t(fo, id, line_item_id, total, remaining)`,
    [
      shopId,
      lines.map((l) => l.fulfillmentOrderId.toString()),
      lines.map((l) => l.id.toString()),
      lines.map((l) => l.lineItemId.toString()),
      lines.map((l) => l.totalQuantity),
      lines.map((l) => l.remainingQuantity),
    ],
  );
  return accepted.length;
}
