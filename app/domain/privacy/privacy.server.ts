// GDPR/CCPA compliance webhooks. Shopify requires all three; each must be honoured within 30 days.
//  - customers/redact: the customer's personal data goes (name, email, phone, address on every
//    order, their data-request exports, the copies inside stored webhook payloads); ids and
//    quantities stay, so a recall still counts the units that customer received.
//  - customers/data_request: an export of what Lotkeeper holds for the customer, stored in
//    data_requests for the merchant to hand over (listDataRequests, `lotkeeper privacy requests`).
//  - shop/redact (48 h after uninstall): every row of the shop is deleted, in every table.
//  Each first proves its target (proveComplianceTarget, docs/decisions/091): the body names the
//  header's shop and has its own topic's shape; shop/redact acts only on an uninstalled shop.
//    The shop/redact inbox row itself is kept (it holds only the shop's id and domain) as the
//    record that the erasure happened; see docs/decisions/012-shop-redact.md.
import type { Db } from "../../lib/sql.server";
import type { TopicHandler, WebhookContext } from "../webhooks/handler";
import { customerRequest, PERSONAL_PAYLOAD_KEYS, type CustomerRequest } from "./privacy-payloads";
import { complianceTargetProblem, RefusedDeliveryError, type ComplianceTopic } from "./delivery-target";
import { DataRequestCursorError } from "./errors";
import { copyCustomerToAllocations } from "../orders/orders.server";
import { parseId } from "../../lib/ids";

/** SQL condition on `orders o` for the orders of the customer in a request ($1 shop, $2 customer id, $3 email, $4 order ids). */
const CUSTOMER_ORDERS = `o.shop_id = $1 and (o.customer_id = $2 or o.id = any($4::bigint[])
  or ($2::bigint is null and $3::text is not null and lower(coalesce(o.customer_email, o.email)) = $3))`;

export interface RedactionResult {
  orders: number;
  dataRequests: number;
  webhookPayloads: number;
}

export async function redactCustomer(sql: Db, shopId: number, shopDomain: string, request: CustomerRequest): Promise<RedactionResult> {
  const params = [shopId, request.customerId, request.email, request.orderIds];
  // Orders the customer is told about but Lotkeeper has not seen yet: an empty, redacted row, so a
  // late orders/* delivery cannot bring the data back (recordOrder keeps redacted orders empty).
  await sql.query(
    `insert into orders (shop_id, id, customer_id, redacted, updated_at)
     select $1, x, $2, true, now() from unnest($3::bigint[]) as x
     on conflict (shop_id, id) do nothing`,
    [shopId, request.customerId, request.orderIds],
  );
  const orders = await sql.query<{ id: bigint }>(
    `update orders o set email = null, customer_name = null, customer_email = null, customer_phone = null,
            shipping_address = null, redacted = true, updated_at = now()
      where ${CUSTOMER_ORDERS} returning o.id`,
    params,
  );
  const orderIds = orders.rows.map((r) => r.id);
  // Their allocations take the new key (a guest's "email:..." becomes "order:<id>").
  await copyCustomerToAllocations(sql, shopId, orderIds);
  const dataRequests = await sql.query("delete from data_requests where shop_id = $1 and (customer_id = $2 or ($3::text is not null and lower(email) = $3))", [
    shopId,
    request.customerId,
    request.email,
  ]);
  // A guest's recall-list key is their email ("email:..."). Once redacted, the recall lists that
  // guest by order ("order:<id>", app/domain/recall/customer-key.ts): the contact status moves to
  // the key of each of their orders in the recall's scope, so the case keeps where they stand.
  if (request.email) {
    await sql.query(
      `with old as (
         delete from recall_customers where shop_id = $1 and customer_key = 'email:' || $2
         returning recall_id, status
       )
       insert into recall_customers (recall_id, customer_key, shop_id, status, updated_at)
       select distinct old.recall_id, 'order:' || a.order_id, $1::int, old.status, now()
         from old
         join recall_lots rl on rl.shop_id = $1 and rl.recall_id = old.recall_id
         join allocations a on a.shop_id = $1 and a.lot_id = rl.lot_id and a.customer_id is null and a.order_id = any($3::bigint[])
       on conflict (recall_id, customer_key) do nothing`,
      [shopId, request.email, orderIds],
    );
  }
  // Recall notices keep the address they were sent to: erased too; a notice not sent yet never is.
  await sql.query(
    `update recall_notices set email = null, customer_name = null, updated_at = now(),
            status = case when status = 'QUEUED' then 'FAILED'::"RecallNoticeStatus" else status end,
            reason = case when status = 'QUEUED' then 'the customer''s data was erased (customers/redact) before the notice was sent' else reason end
      where shop_id = $1 and (customer_key = $2::bigint::text or customer_key = 'email:' || $3::text
            or customer_key = any(select 'order:' || x from unnest($4::bigint[]) x))`,
    [shopId, request.customerId, request.email, orderIds],
  );
  // Copies of the data inside stored deliveries of this shop (orders/*, fulfilments, refunds, and
  // the compliance requests themselves).
  const ids = orderIds.map(String);
  const payloads = await sql.query(
    `update webhook_events set payload = case
               when jsonb_typeof(payload->'customer') = 'object'
                 then jsonb_set(payload - $5::text[], '{customer}', jsonb_build_object('id', payload->'customer'->'id'))
               else payload - $5::text[] end
      where shop_domain = $1
        and (payload->>'id' = any($2::text[]) or payload->>'order_id' = any($2::text[])
             or ($3::text is not null and payload->'customer'->>'id' = $3)
             or ($4::text is not null and lower(payload->'customer'->>'email') = $4))`,
    [shopDomain, ids, request.customerId?.toString() ?? null, request.email, PERSONAL_PAYLOAD_KEYS.filter((k) => k !== "customer")],
  );
  return { orders: orderIds.length, dataRequests: dataRequests.rowCount ?? 0, webhookPayloads: payloads.rowCount ?? 0 };
}

/**
 * The Shopify id of the shop, when a delivery Shopify signed and we processed has told us: the
 * latest app/uninstalled (the Shop resource: id, myshopify_domain) or compliance delivery (shop_id,
 * shop_domain) whose body named this shop. Null when none has (yet, or past the retention).
 */
export async function knownShopifyShopId(sql: Db, shopDomain: string, exceptWebhookId: string): Promise<bigint | null> {
  const r = await sql.query<{ id: string | null }>(
    `select case when topic = 'app/uninstalled' then payload->>'id' else payload->>'shop_id' end as id
       from webhook_events
      where shop_domain = $1 and status = 'PROCESSED' and webhook_id <> $2
        and ((topic = 'app/uninstalled' and lower(payload->>'myshopify_domain') = lower($1))
          or (topic in ('customers/data_request', 'customers/redact', 'shop/redact') and lower(payload->>'shop_domain') = lower($1)))
        and (case when topic = 'app/uninstalled' then payload->>'id' else payload->>'shop_id' end) ~ '^[0-9]{1,20}$'
      order by received_at desc, id desc limit 1`,
    [shopDomain, exceptWebhookId],
  );
  const id = r.rows[0]?.id;
  return id ? BigInt(id) : null;
}

/**
 * A compliance delivery acts only when its body proves its target (delivery-target.ts) and, for
 * shop/redact, the shop is uninstalled (Shopify sends it 48 hours after app/uninstalled). Otherwise
 * RefusedDeliveryError: the transaction rolls back (nothing changed, not even a shop row the
 * delivery would have created) and the inbox row is FAILED with the reason, never retried.
 */
export async function proveComplianceTarget(ctx: Pick<WebhookContext, "sql" | "shopDomain" | "webhookId" | "payload">, topic: ComplianceTopic): Promise<void> {
  const refuse = (reason: string) => new RefusedDeliveryError(`${topic} refused, nothing changed: ${reason}`);
  const problem = complianceTargetProblem(topic, ctx.shopDomain, ctx.payload, await knownShopifyShopId(ctx.sql, ctx.shopDomain, ctx.webhookId));
  if (problem) throw refuse(problem);
  if (topic !== "shop/redact") return;
  // A row created by this very transaction (the first delivery ever seen for the domain) is not an
  // installation: nothing of the shop is stored, and the erasure only records that it was asked.
  const shop = await ctx.sql.query<{ installed: boolean; seen_before: boolean }>(
    // created_at is DEFAULT CURRENT_TIMESTAMP rounded to milliseconds: the transaction's own insert is within 1 ms of now().
    "select installed, created_at < now() - interval '1 millisecond' as seen_before from shops where domain = $1",
    [ctx.shopDomain],
  );
  const row = shop.rows[0];
  if (row?.installed && row.seen_before) {
    throw refuse(
      `${ctx.shopDomain} is installed; Shopify sends shop/redact only 48 hours after app/uninstalled (if that delivery failed, replay it first, then this one)`,
    );
  }
}

export const redactCustomerFromWebhook: TopicHandler = async (ctx) => {
  await proveComplianceTarget(ctx, "customers/redact");
  const request = customerRequest(ctx.payload, "customers/redact");
  const result = await redactCustomer(ctx.sql, ctx.shopId, ctx.shopDomain, request);
  ctx.log.info("customer redacted", { ...result });
};

export interface CustomerExport {
  customer: { id: string | null; email: string | null; phone: string | null };
  orders: unknown[];
  shipments: unknown[];
  recalls: unknown[];
}

/** What Lotkeeper holds about a customer: orders with the snapshot and lines, lots shipped to them, recalls naming them. */
export async function exportCustomerData(sql: Db, shopId: number, request: CustomerRequest): Promise<CustomerExport> {
  const params = [shopId, request.customerId, request.email, request.orderIds];
  const orders = await sql.query(
    `select o.id::text as "orderId", o.name, o.email, o.customer_id::text as "customerId", o.customer_name as "customerName",
            o.customer_email as "customerEmail", o.customer_phone as "customerPhone", o.shipping_address as "shippingAddress",
            o.shopify_created_at as "createdAt", o.cancelled_at as "cancelledAt", o.redacted,
            coalesce((select json_agg(json_build_object('lineItemId', l.id::text, 'variantId', l.variant_id::text, 'sku', l.sku,
                                                        'title', l.title, 'quantity', l.quantity) order by l.id)
                        from order_lines l where l.shop_id = o.shop_id and l.order_id = o.id), '[]') as lines
       from orders o where ${CUSTOMER_ORDERS} order by o.id`,
    params,
  );
  const shipments = await sql.query(
    `select a.order_id::text as "orderId", a.fulfillment_id::text as "fulfillmentId", a.line_item_id::text as "lineItemId",
            a.variant_id::text as "variantId", lot.lot_number as "lotNumber", lot.expires_on::text as "expiresOn",
            a.unknown_lot as "unknownLot", a.quantity, a.returned_quantity as "returnedQuantity",
            a.location_id::text as "locationId", a.fulfilled_at as "fulfilledAt", a.status::text as status
       from allocations a join orders o on o.shop_id = a.shop_id and o.id = a.order_id
       left join lots lot on lot.id = a.lot_id
      where ${CUSTOMER_ORDERS} order by a.fulfilled_at, a.id`,
    params,
  );
  const keys = [request.customerId?.toString(), request.email ? `email:${request.email}` : undefined].filter((k): k is string => !!k);
  const recalls = await sql.query(
    `select r.reference, r.reason, r.severity::text as severity, r.status::text as status, rc.status::text as "contactStatus", r.opened_at as "openedAt"
       from recall_customers rc join recalls r on r.id = rc.recall_id
      where rc.shop_id = $1 and rc.customer_key = any($2::text[]) order by r.opened_at`,
    [shopId, keys],
  );
  return {
    customer: { id: request.customerId?.toString() ?? null, email: request.email, phone: request.phone },
    orders: orders.rows,
    shipments: shipments.rows,
    recalls: recalls.rows,
  };
}

export const recordDataRequest: TopicHandler = async (ctx) => {
  await proveComplianceTarget(ctx, "customers/data_request");
  const request = customerRequest(ctx.payload, "customers/data_request");
  const data = await exportCustomerData(ctx.sql, ctx.shopId, request);
  await ctx.sql.query("insert into data_requests (shop_id, customer_id, email, export) values ($1, $2, $3, $4::jsonb)", [
    ctx.shopId,
    request.customerId,
    request.email,
    JSON.stringify({ webhookId: ctx.webhookId, dataRequestId: request.dataRequestId?.toString() ?? null, ...data }),
  ]);
  ctx.log.info("customer data request recorded", { orders: data.orders.length, shipments: data.shipments.length });
};

export interface DataRequestSummary {
  id: string;
  customerId: string | null;
  email: string | null;
  createdAt: Date;
  export: unknown;
}

/** The stored data-request exports of a shop, newest first. */
export async function listDataRequests(sql: Db, shopId: number, limit = 100): Promise<DataRequestSummary[]> {
  const r = await sql.query<DataRequestSummary>(
    `select id::text as id, customer_id::text as "customerId", email, created_at as "createdAt", export
       from data_requests where shop_id = $1 order by created_at desc, id desc limit $2`,
    [shopId, limit],
  );
  return r.rows;
}

export interface DataRequestListItem {
  id: bigint;
  customerId: bigint | null;
  email: string | null;
  /** When the request arrived (ISO). */
  createdAt: string;
  /** Shopify's data_request id, when the webhook carried one. */
  dataRequestId: string | null;
  orders: number;
  shipments: number;
}

function encodeDataRequestCursor(createdAt: string, id: bigint): string {
  return Buffer.from(`d:${createdAt}|${id}`, "utf8").toString("base64url");
}

function decodeDataRequestCursor(cursor: string): [string, bigint] {
  const m = /^d:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6})\|(\d{1,19})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  const id = m ? parseId(m[2]) : null;
  if (!m || id === null) throw new DataRequestCursorError(cursor);
  return [m[1]!, id];
}

/**
 * One page of the shop's data requests, newest first, without the exports themselves (the admin
 * list): { requests, nextCursor } (null on the last page). DataRequestCursorError for a bad cursor.
 */
export async function listDataRequestPage(
  db: Db,
  shopId: number,
  options: { cursor?: string | null; limit?: number } = {},
): Promise<{ requests: DataRequestListItem[]; nextCursor: string | null }> {
  const size = Math.min(Math.max(Number.isInteger(options.limit) && options.limit! > 0 ? options.limit! : 50, 1), 500);
  const after = options.cursor ? decodeDataRequestCursor(options.cursor) : null;
  const r = await db.query<{
    id: bigint;
    customer_id: bigint | null;
    email: string | null;
    created_at: Date;
    created_key: string;
    data_request_id: string | null;
    orders: number;
    shipments: number;
  }>(
    `select id, customer_id, email, created_at, to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_key,
            export->>'dataRequestId' as data_request_id,
            coalesce(jsonb_array_length(case when jsonb_typeof(export->'orders') = 'array' then export->'orders' end), 0) as orders,
            coalesce(jsonb_array_length(case when jsonb_typeof(export->'shipments') = 'array' then export->'shipments' end), 0) as shipments
       from data_requests
      where shop_id = $1 and ($2::timestamp is null or (created_at, id) < ($2::timestamp, $3::bigint))
      order by created_at desc, id desc limit $4`,
    [shopId, after?.[0] ?? null, after?.[1] ?? null, size + 1],
  );
  const more = r.rows.length > size;
  if (more) r.rows.length = size;
  const last = r.rows.at(-1);
  return {
    requests: r.rows.map((x) => ({
      id: x.id,
      customerId: x.customer_id,
      email: x.email,
      createdAt: x.created_at.toISOString(),
      dataRequestId: x.data_request_id,
      orders: x.orders,
      shipments: x.shipments,
    })),
    nextCursor: more && last ? encodeDataRequestCursor(last.created_key, last.id) : null,
  };
}

/** One stored data-request export of this shop, or null (another shop's id is null too). */
export async function getDataRequest(
  db: Db,
  shopId: number,
  id: bigint,
): Promise<{ id: bigint; customerId: bigint | null; email: string | null; createdAt: string; export: unknown } | null> {
  const r = await db.query<{ id: bigint; customer_id: bigint | null; email: string | null; created_at: Date; export: unknown }>(
    "select id, customer_id, email, created_at, export from data_requests where shop_id = $1 and id = $2",
    [shopId, id],
  );
  const x = r.rows[0];
  return x ? { id: x.id, customerId: x.customer_id, email: x.email, createdAt: x.created_at.toISOString(), export: x.export } : null;
}

/**
 * Every row of the shop, in every table that has a shop_id (children before parents), its
 * sessions, its inbox rows except `keepWebhookId`, then the shop itself. Tables added later are
 * covered without changing this function.
 */
export async function eraseShop(sql: Db, shopId: number, shopDomain: string, keepWebhookId: string | null): Promise<Record<string, number>> {
  const tables = await shopTablesChildrenFirst(sql);
  const deleted: Record<string, number> = {};
  for (const table of tables) {
    const r = await sql.query(`delete from "${table}" where shop_id = $1`, [shopId]);
    if (r.rowCount) deleted[table] = r.rowCount;
  }
  const sessions = await sql.query(`delete from "Session" where shop = $1`, [shopDomain]);
  if (sessions.rowCount) deleted.Session = sessions.rowCount;
  const events = await sql.query("delete from webhook_events where shop_domain = $1 and webhook_id is distinct from $2", [shopDomain, keepWebhookId]);
  if (events.rowCount) deleted.webhook_events = events.rowCount;
  await sql.query("delete from shops where id = $1", [shopId]);
  return deleted;
}

async function shopTablesChildrenFirst(sql: Db): Promise<string[]> {
  const tables = (
    await sql.query<{ table_name: string }>(
      `select c.table_name from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = current_schema() and c.column_name = 'shop_id' and t.table_type = 'BASE TABLE' and c.table_name <> 'shops'`,
    )
  ).rows.map((r) => r.table_name);
  const edges = (
    await sql.query<{ child: string; parent: string }>(
      `select cl.relname as child, pl.relname as parent from pg_constraint k
         join pg_class cl on cl.oid = k.conrelid join pg_class pl on pl.oid = k.confrelid
         join pg_namespace n on n.oid = cl.relnamespace
        where k.contype = 'f' and n.nspname = current_schema()`,
    )
  ).rows;
  // Depth-first: a table comes after every table that references it.
  const ordered: string[] = [];
  const seen = new Set<string>();
  const visit = (table: string) => {
    if (seen.has(table)) return;
    seen.add(table);
    for (const e of edges) if (e.parent === table && e.child !== table && tables.includes(e.child)) visit(e.child);
    ordered.push(table);
  };
  for (const t of tables.sort()) visit(t);
  return ordered;
}

export const eraseShopFromWebhook: TopicHandler = async (ctx) => {
  await proveComplianceTarget(ctx, "shop/redact");
  const deleted = await eraseShop(ctx.sql, ctx.shopId, ctx.shopDomain, ctx.webhookId);
  ctx.log.info("shop redacted: all of its data deleted", { deleted });
};
