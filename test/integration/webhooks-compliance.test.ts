// The three compliance topics through the real route and worker, and tenant isolation: what is
// done for shop A never touches shop B. Captured deliveries replayed under another topic or shop
// header (the HMAC covers the body only) change nothing and are recorded as refused.
import { afterAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { callRoute, deliver, inboxCount, inboxRow, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { fixture, sign, webhookRequest } from "../helpers/webhooks";
import { createTestShop, uniqueShopDomain } from "../helpers/shops";
import { createAllocation, createLocation, createLot, createVariant, newId } from "../helpers/factories";
import { pool, prisma } from "../../app/db.server";
import { closeQueues } from "../../app/lib/queues.server";
import { listDataRequests } from "../../app/domain/privacy/privacy.server";
import { failureInPlainWords, replayEvent } from "../../app/domain/webhooks/events.server";

useOwnQueuePrefix();
afterAll(() => closeQueues());

const CUSTOMER_ID = 7301188550001n;

/** A compliance fixture as Shopify would send it to `shop` (the body names its own shop). */
function bodyFor<T extends Record<string, unknown> = Record<string, unknown>>(name: string, shop: { domain: string }, extra: Record<string, unknown> = {}): T {
  return { ...fixture<T>(name), shop_domain: shop.domain, ...extra };
}

/** A shop where customer 7301188550001 (Maria) received 3 units of lot L-RED, plus another customer's order. */
async function shopWithShipments(label: string) {
  const shop = await createTestShop(label);
  const variantId = await createVariant(shop.id, { sku: "CANDLE-RED-200" });
  const locationId = await createLocation(shop.id);
  const lotId = await createLot(shop.id, { variantId, lotNumber: "L-RED", quantity: 20, locationId });
  const order = { ...fixture<Record<string, unknown> & { line_items: Array<{ id: number }> }>("orders-create"), id: String(newId()) };
  await deliver({ topic: "orders/create", shop: shop.domain, body: order });
  const other = {
    ...order,
    id: String(newId()),
    email: "sam@example.com",
    contact_email: "sam@example.com",
    billing_address: { name: "Sam Other", address1: "1 Other St", city: "Elsewhere" },
    customer: { id: 999, email: "sam@example.com", first_name: "Sam", last_name: "Other", phone: null },
    shipping_address: { name: "Sam Other", address1: "1 Other St", city: "Elsewhere" },
  };
  await deliver({ topic: "orders/create", shop: shop.domain, body: other });
  await processWebhookQueue();
  const lineItemId = BigInt(order.line_items[0]!.id);
  await createAllocation(shop.id, { orderId: BigInt(order.id), lineItemId, variantId, lotId, locationId, quantity: 3, customerId: CUSTOMER_ID });
  await createAllocation(shop.id, { orderId: BigInt(other.id), lineItemId: newId(), variantId, lotId, locationId, quantity: 1, customerId: 999n });
  return { shop, orderId: order.id, otherOrderId: other.id, lotId };
}

async function snapshot(shopId: number) {
  const orders = await pool().query(
    "select id, customer_id, customer_name, customer_email, customer_phone, shipping_address, email, redacted from orders where shop_id = $1 order by id",
    [shopId],
  );
  const allocations = await pool().query("select order_id, customer_id, lot_id, quantity from allocations where shop_id = $1 order by id", [shopId]);
  return { orders: orders.rows, allocations: allocations.rows };
}

describe("customers/data_request", () => {
  it("stores an export of what the app holds for the customer, listed for the merchant", async () => {
    const { shop, orderId } = await shopWithShipments("datareq");
    const { webhookId } = await deliver({ topic: "customers/data_request", shop: shop.domain, body: bodyFor("customers-data-request", shop) });
    await processWebhookQueue();
    expect((await inboxRow(webhookId))?.status).toBe("PROCESSED");
    const requests = await listDataRequests(pool(), shop.id);
    expect(requests).toHaveLength(1);
    const exported = requests[0]!.export as { orders: Array<Record<string, unknown>>; shipments: Array<Record<string, unknown>> };
    expect(requests[0]).toMatchObject({ customerId: String(CUSTOMER_ID), email: "maria.lopez@example.com" });
    expect(exported.orders.map((o) => o.orderId)).toEqual([orderId]);
    expect(exported.orders[0]).toMatchObject({ customerName: "Maria Lopez", customerEmail: "maria.lopez@example.com" });
    expect(exported.shipments).toEqual([expect.objectContaining({ orderId, lotNumber: "L-RED", quantity: 3 })]);
    expect(JSON.stringify(exported)).not.toContain("sam@example.com");
  });
});

describe("customers/redact", () => {
  it("removes the customer's personal data everywhere; ids and quantities stay so a recall still counts the units", async () => {
    const { shop, orderId, otherOrderId } = await shopWithShipments("redact");
    await deliver({ topic: "customers/data_request", shop: shop.domain, body: bodyFor("customers-data-request", shop) });
    await processWebhookQueue();
    const redact = bodyFor("customers-redact", shop, { orders_to_redact: [orderId] });
    const { webhookId } = await deliver({ topic: "customers/redact", shop: shop.domain, body: redact });
    await processWebhookQueue();
    expect((await inboxRow(webhookId))?.status).toBe("PROCESSED");
    const after = await snapshot(shop.id);
    const mine = after.orders.find((o) => String(o.id) === orderId);
    expect(mine).toEqual({
      id: BigInt(orderId),
      customer_id: CUSTOMER_ID,
      customer_name: null,
      customer_email: null,
      customer_phone: null,
      shipping_address: null,
      email: null,
      redacted: true,
    });
    const other = after.orders.find((o) => String(o.id) === otherOrderId);
    expect(other).toMatchObject({ customer_name: "Sam Other", customer_email: "sam@example.com", redacted: false });
    expect(after.allocations.map((a) => [a.customer_id, a.quantity])).toEqual([
      [CUSTOMER_ID, 3],
      [999n, 1],
    ]);
    expect(await listDataRequests(pool(), shop.id)).toEqual([]);
    // Nothing of Maria is left in stored webhook payloads.
    const payloads = await pool().query("select payload::text as p from webhook_events where shop_domain = $1", [shop.domain]);
    for (const { p } of payloads.rows) {
      expect(p).not.toContain("maria.lopez@example.com");
      expect(p).not.toContain("Lopez");
    }
    // A late orders/updated for that order does not bring the data back.
    const late = { ...fixture<Record<string, unknown>>("orders-create"), id: orderId, updated_at: "2030-01-01T00:00:00Z" };
    await deliver({ topic: "orders/updated", shop: shop.domain, body: late });
    await processWebhookQueue();
    expect((await snapshot(shop.id)).orders.find((o) => String(o.id) === orderId)).toMatchObject({ customer_email: null, customer_name: null, redacted: true });
  });
});

describe("shop/redact", () => {
  it("deletes every row of the shop in every table and keeps only the shop/redact record; another shop is untouched", async () => {
    const a = await shopWithShipments("redact-a");
    const b = await shopWithShipments("redact-b");
    await deliver({ topic: "customers/data_request", shop: b.shop.domain, body: bodyFor("customers-data-request", b.shop) });
    await processWebhookQueue();
    const bBefore = await snapshot(b.shop.id);
    const bEvents = await inboxCount(b.shop.domain);
    await deliver({
      topic: "app/uninstalled",
      shop: a.shop.domain,
      body: { ...fixture<Record<string, unknown>>("app-uninstalled"), myshopify_domain: a.shop.domain },
    });
    await processWebhookQueue();
    const { webhookId } = await deliver({ topic: "shop/redact", shop: a.shop.domain, body: bodyFor("shop-redact", a.shop) });
    await processWebhookQueue();
    expect((await inboxRow(webhookId))?.status).toBe("PROCESSED");

    const tables = await pool().query<{ table_name: string }>(
      "select table_name from information_schema.columns where table_schema = current_schema() and column_name = 'shop_id'",
    );
    for (const { table_name } of tables.rows) {
      const left = await pool().query(`select count(*)::int as n from "${table_name}" where shop_id = $1`, [a.shop.id]);
      expect({ table: table_name, rows: left.rows[0].n }).toEqual({ table: table_name, rows: 0 });
    }
    expect(await prisma.shop.count({ where: { id: a.shop.id } })).toBe(0);
    expect(await prisma.session.count({ where: { shop: a.shop.domain } })).toBe(0);
    const events = await pool().query("select topic from webhook_events where shop_domain = $1", [a.shop.domain]);
    expect(events.rows).toEqual([{ topic: "shop/redact" }]);

    expect(await snapshot(b.shop.id)).toEqual(bBefore);
    expect(await inboxCount(b.shop.domain)).toBe(bEvents);
    expect(await listDataRequests(pool(), b.shop.id)).toHaveLength(1);
    expect(await prisma.session.count({ where: { shop: b.shop.domain } })).toBe(1);
    expect(await prisma.shop.findUniqueOrThrow({ where: { id: b.shop.id } })).toMatchObject({ installed: true });

    // A late delivery for the erased shop leaves no data behind.
    const late = await deliver({
      topic: "orders/updated",
      shop: a.shop.domain,
      body: { ...fixture<Record<string, unknown>>("orders-create"), id: String(newId()) },
    });
    await processWebhookQueue();
    expect(await prisma.shop.count({ where: { domain: a.shop.domain } })).toBe(0);
    const lateRow = await pool().query("select status::text, payload::text from webhook_events where webhook_id = $1", [late.webhookId]);
    expect(lateRow.rows[0]).toEqual({ status: "PROCESSED", payload: "{}" });
  });

  it("customers/redact of shop A leaves the same customer's data in shop B", async () => {
    const a = await shopWithShipments("cust-a");
    const b = await shopWithShipments("cust-b");
    const bBefore = await snapshot(b.shop.id);
    await deliver({ topic: "customers/redact", shop: a.shop.domain, body: bodyFor("customers-redact", a.shop, { orders_to_redact: [a.orderId] }) });
    await processWebhookQueue();
    expect((await snapshot(a.shop.id)).orders.find((o) => String(o.id) === a.orderId)?.redacted).toBe(true);
    expect(await snapshot(b.shop.id)).toEqual(bBefore);
  });
});

/** A delivery as it went over the wire: the exact body bytes and Shopify's HMAC of them. */
interface Captured {
  raw: string;
  hmac: string;
}

/** Deliver `body` as Shopify would (signed) and keep what an eavesdropper would have captured. */
async function captureDelivery(topic: string, shop: string, body: unknown): Promise<Captured & { webhookId: string }> {
  const raw = JSON.stringify(body);
  const { status, webhookId } = await deliver({ topic, shop, body: raw });
  expect(status).toBe(200);
  return { raw, hmac: sign(raw), webhookId };
}

/** The captured bytes and HMAC sent again under another topic and shop header (headers are not signed). */
async function replay(captured: Captured, topic: string, shop: string): Promise<string> {
  const webhookId = `replay-${randomUUID()}`;
  const request = webhookRequest({ topic, shop, body: captured.raw, webhookId, headers: { "X-Shopify-Hmac-Sha256": captured.hmac } });
  const response = await callRoute(request);
  // Verified (the HMAC is right for the bytes) and recorded: the refusal is the worker's, on the record.
  expect(response.status).toBe(200);
  return webhookId;
}

/** Everything of a shop a forged compliance delivery could change. */
async function everything(shopId: number, domain: string) {
  const counts: Record<string, number> = {};
  const tables = await pool().query<{ table_name: string }>(
    "select table_name from information_schema.columns where table_schema = current_schema() and column_name = 'shop_id' order by table_name",
  );
  for (const { table_name } of tables.rows) {
    counts[table_name] = (await pool().query(`select count(*)::int as n from "${table_name}" where shop_id = $1`, [shopId])).rows[0].n;
  }
  const shop = await pool().query("select domain, installed from shops where id = $1", [shopId]);
  const sessions = await pool().query(`select id, "accessToken" from "Session" where shop = $1 order by id`, [domain]);
  const events = await pool().query(
    "select webhook_id, status::text, payload::text from webhook_events where shop_domain = $1 and webhook_id not like 'replay-%' order by id",
    [domain],
  );
  return { counts, shop: shop.rows, sessions: sessions.rows, events: events.rows, ...(await snapshot(shopId)) };
}

async function expectRefused(webhookId: string, reason: RegExp) {
  const row = await inboxRow(webhookId);
  expect(row).toMatchObject({ status: "FAILED", attempts: 1 });
  expect(row!.last_error).toMatch(/^RefusedDeliveryError: \S+ refused, nothing changed: /);
  expect(row!.last_error).toMatch(reason);
  expect(failureInPlainWords(row!.last_error)).toMatch(/^Refused as not proven to be Shopify's: /);
}

describe("captured deliveries replayed under another topic or shop", () => {
  it("an orders/create body replayed as shop/redact of an installed shop erases nothing", async () => {
    const a = await shopWithShipments("replay-order");
    const order = { ...fixture<Record<string, unknown>>("orders-create"), id: String(newId()) };
    const captured = await captureDelivery("orders/create", a.shop.domain, order);
    await processWebhookQueue();
    const before = await everything(a.shop.id, a.shop.domain);
    expect(before.sessions).toHaveLength(1);

    const forged = await replay(captured, "shop/redact", a.shop.domain);
    await processWebhookQueue();
    await expectRefused(forged, /the body names no shop \(no shop_domain\)/);
    expect(await everything(a.shop.id, a.shop.domain)).toEqual(before);
  });

  it("an orders/create body replayed as customers/redact (it has a customer) redacts no one", async () => {
    const a = await shopWithShipments("replay-cust");
    const captured = await captureDelivery("orders/create", a.shop.domain, { ...fixture<Record<string, unknown>>("orders-create"), id: a.orderId });
    await processWebhookQueue();
    const before = await everything(a.shop.id, a.shop.domain);
    const forged = await replay(captured, "customers/redact", a.shop.domain);
    await processWebhookQueue();
    await expectRefused(forged, /no shop_domain/);
    expect(await everything(a.shop.id, a.shop.domain)).toEqual(before);
    expect(before.orders.find((o) => String(o.id) === a.orderId)).toMatchObject({ customer_email: "maria.lopez@example.com", redacted: false });
  });

  it("shop B's genuine shop/redact replayed with shop A's header erases neither shop", async () => {
    const a = await shopWithShipments("replay-a");
    const b = await shopWithShipments("replay-b");
    // A is uninstalled too: only the body's shop decides, not the header.
    for (const shop of [a.shop, b.shop])
      await deliver({
        topic: "app/uninstalled",
        shop: shop.domain,
        body: { ...fixture<Record<string, unknown>>("app-uninstalled"), myshopify_domain: shop.domain },
      });
    await processWebhookQueue();
    const aBefore = await everything(a.shop.id, a.shop.domain);
    const bBefore = await everything(b.shop.id, b.shop.domain);
    // Captured on its way to B (it is not processed here: the test only needs its bytes).
    const captured = { raw: JSON.stringify(bodyFor("shop-redact", b.shop)), hmac: "" };
    captured.hmac = sign(captured.raw);
    const forged = await replay(captured, "shop/redact", a.shop.domain);
    await processWebhookQueue();
    await expectRefused(forged, new RegExp(`the body is for ${b.shop.domain}, but the delivery's X-Shopify-Shop-Domain header names ${a.shop.domain}`));
    expect(await everything(a.shop.id, a.shop.domain)).toEqual(aBefore);
    expect(await everything(b.shop.id, b.shop.domain)).toEqual(bBefore);
  });

  it("a customers/data_request body replayed as customers/redact of the same shop redacts nothing", async () => {
    const a = await shopWithShipments("replay-dr");
    const captured = await captureDelivery(
      "customers/data_request",
      a.shop.domain,
      bodyFor("customers-data-request", a.shop, { orders_requested: [Number(a.orderId)] }),
    );
    await processWebhookQueue();
    expect((await inboxRow(captured.webhookId))?.status).toBe("PROCESSED");
    const before = await everything(a.shop.id, a.shop.domain);
    const forged = await replay(captured, "customers/redact", a.shop.domain);
    await processWebhookQueue();
    await expectRefused(forged, /carries orders_requested, data_request, so it is a customers\/data_request body replayed as customers\/redact/);
    expect(await everything(a.shop.id, a.shop.domain)).toEqual(before);
    expect(await listDataRequests(pool(), a.shop.id)).toHaveLength(1);
  });

  it("a customers/redact body of shop B replayed for shop A (the same customer id) leaves A's customer alone", async () => {
    const a = await shopWithShipments("replay-ca");
    const b = await shopWithShipments("replay-cb");
    const captured = await captureDelivery("customers/redact", b.shop.domain, bodyFor("customers-redact", b.shop, { orders_to_redact: [] }));
    await processWebhookQueue();
    const before = await everything(a.shop.id, a.shop.domain);
    const forged = await replay(captured, "customers/redact", a.shop.domain);
    const forgedExport = await replay(captured, "customers/data_request", a.shop.domain);
    await processWebhookQueue();
    await expectRefused(forged, new RegExp(`the body is for ${b.shop.domain}`));
    await expectRefused(forgedExport, new RegExp(`the body is for ${b.shop.domain}`));
    expect(await everything(a.shop.id, a.shop.domain)).toEqual(before);
  });

  it("a forged shop/redact naming a shop never seen creates no shop row", async () => {
    const domain = uniqueShopDomain("replay-new");
    const forged = await replay({ raw: JSON.stringify(fixture("orders-create")), hmac: sign(JSON.stringify(fixture("orders-create"))) }, "shop/redact", domain);
    await processWebhookQueue();
    await expectRefused(forged, /no shop_domain/);
    expect(await prisma.shop.count({ where: { domain } })).toBe(0);
  });
});

describe("shop/redact acts only on an uninstalled shop whose Shopify id it names", () => {
  it("is refused while the shop is installed, and erases once app/uninstalled is processed and it is replayed", async () => {
    const a = await shopWithShipments("installed");
    const before = await everything(a.shop.id, a.shop.domain);
    const { webhookId } = await deliver({ topic: "shop/redact", shop: a.shop.domain, body: bodyFor("shop-redact", a.shop) });
    await processWebhookQueue();
    await expectRefused(webhookId, new RegExp(`${a.shop.domain} is installed; Shopify sends shop/redact only 48 hours after app/uninstalled`));
    const after = await everything(a.shop.id, a.shop.domain);
    expect({ ...after, events: after.events.filter((e) => e.webhook_id !== webhookId) }).toEqual(before);

    // The operator's way out when app/uninstalled was late: process it, replay the refused event.
    await deliver({
      topic: "app/uninstalled",
      shop: a.shop.domain,
      body: { ...fixture<Record<string, unknown>>("app-uninstalled"), myshopify_domain: a.shop.domain },
    });
    await processWebhookQueue();
    await replayEvent(webhookId);
    await processWebhookQueue();
    expect((await inboxRow(webhookId))?.status).toBe("PROCESSED");
    expect(await prisma.shop.count({ where: { id: a.shop.id } })).toBe(0);
  });

  it("is refused when its shop_id is not the Shopify id app/uninstalled gave for the shop", async () => {
    const a = await shopWithShipments("shopid");
    await deliver({
      topic: "app/uninstalled",
      shop: a.shop.domain,
      body: { ...fixture<Record<string, unknown>>("app-uninstalled"), id: 7460001, myshopify_domain: a.shop.domain },
    });
    await processWebhookQueue();
    const before = await everything(a.shop.id, a.shop.domain);
    const wrong = await deliver({ topic: "shop/redact", shop: a.shop.domain, body: bodyFor("shop-redact", a.shop, { shop_id: 7460002 }) });
    await processWebhookQueue();
    await expectRefused(wrong.webhookId, new RegExp(`the body's shop_id 7460002 is not the Shopify id of ${a.shop.domain} \\(7460001\\)`));
    const after = await everything(a.shop.id, a.shop.domain);
    expect({ ...after, events: after.events.filter((e) => e.webhook_id !== wrong.webhookId) }).toEqual(before);

    const right = await deliver({ topic: "shop/redact", shop: a.shop.domain, body: bodyFor("shop-redact", a.shop, { shop_id: 7460001 }) });
    await processWebhookQueue();
    expect((await inboxRow(right.webhookId))?.status).toBe("PROCESSED");
    expect(await prisma.shop.count({ where: { id: a.shop.id } })).toBe(0);
  });
});
