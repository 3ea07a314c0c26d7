// The three compliance topics through the real route and worker, and tenant isolation: what is
// done for shop A never touches shop B.
import { afterAll, describe, expect, it } from "vitest";
import { deliver, inboxCount, inboxRow, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { fixture } from "../helpers/webhooks";
import { createTestShop } from "../helpers/shops";
import { createAllocation, createLocation, createLot, createVariant, newId } from "../helpers/factories";
import { pool, prisma } from "../../app/db.server";
import { closeQueues } from "../../app/lib/queues.server";
import { listDataRequests } from "../../app/domain/privacy/privacy.server";

useOwnQueuePrefix();
afterAll(() => closeQueues());

const CUSTOMER_ID = 7301188550001n;

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
  const orders = await pool().query("select id, customer_id, customer_name, customer_email, customer_phone, shipping_address, email, redacted from orders where shop_id = $1 order by id", [shopId]);
  const allocations = await pool().query("select order_id, customer_id, lot_id, quantity from allocations where shop_id = $1 order by id", [shopId]);
  return { orders: orders.rows, allocations: allocations.rows };
}

describe("customers/data_request", () => {
  it("stores an export of what the app holds for the customer, listed for the merchant", async () => {
    const { shop, orderId } = await shopWithShipments("datareq");
    const { webhookId } = await deliver({ topic: "customers/data_request", shop: shop.domain, body: fixture("customers-data-request") });
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
    await deliver({ topic: "customers/data_request", shop: shop.domain, body: fixture("customers-data-request") });
    await processWebhookQueue();
    const redact = { ...fixture<Record<string, unknown>>("customers-redact"), orders_to_redact: [orderId] };
    const { webhookId } = await deliver({ topic: "customers/redact", shop: shop.domain, body: redact });
    await processWebhookQueue();
    expect((await inboxRow(webhookId))?.status).toBe("PROCESSED");
    const after = await snapshot(shop.id);
    const mine = after.orders.find((o) => String(o.id) === orderId);
    expect(mine).toEqual({ id: BigInt(orderId), customer_id: CUSTOMER_ID, customer_name: null, customer_email: null, customer_phone: null, shipping_address: null, email: null, redacted: true });
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
    await deliver({ topic: "customers/data_request", shop: b.shop.domain, body: fixture("customers-data-request") });
    await processWebhookQueue();
    const bBefore = await snapshot(b.shop.id);
    const bEvents = await inboxCount(b.shop.domain);
    const { webhookId } = await deliver({ topic: "shop/redact", shop: a.shop.domain, body: { ...fixture<Record<string, unknown>>("shop-redact"), shop_domain: a.shop.domain } });
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

    // A late delivery for the erased shop leaves no data behind.
    const late = await deliver({ topic: "orders/updated", shop: a.shop.domain, body: { ...fixture<Record<string, unknown>>("orders-create"), id: String(newId()) } });
    await processWebhookQueue();
    expect(await prisma.shop.count({ where: { domain: a.shop.domain } })).toBe(0);
    const lateRow = await pool().query("select status::text, payload::text from webhook_events where webhook_id = $1", [late.webhookId]);
    expect(lateRow.rows[0]).toEqual({ status: "PROCESSED", payload: "{}" });
  });

  it("customers/redact of shop A leaves the same customer's data in shop B", async () => {
    const a = await shopWithShipments("cust-a");
    const b = await shopWithShipments("cust-b");
    const bBefore = await snapshot(b.shop.id);
    await deliver({ topic: "customers/redact", shop: a.shop.domain, body: { ...fixture<Record<string, unknown>>("customers-redact"), orders_to_redact: [a.orderId] } });
    await processWebhookQueue();
    expect((await snapshot(a.shop.id)).orders.find((o) => String(o.id) === a.orderId)?.redacted).toBe(true);
    expect(await snapshot(b.shop.id)).toEqual(bBefore);
  });
});
