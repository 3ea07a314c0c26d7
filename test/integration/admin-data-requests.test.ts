// Customer data requests in the admin panel: a customers/data_request delivered through the real
// webhook pipeline shows up on the Settings page and the data-requests page (date, customer id,
// email) and downloads as the JSON export; the list pages; another shop's id answers 404.
import { afterAll, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { closeQueues } from "../../app/lib/queues.server";
import { loader as settingsLoader } from "../../app/routes/app.settings";
import { loader as listLoader } from "../../app/routes/app.data-requests._index";
import { loader as downloadLoader } from "../../app/routes/app.data-requests.$id";
import { deliver, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { fixture } from "../helpers/webhooks";
import { createTestShop } from "../helpers/shops";
import { adminGet, statusOf } from "../helpers/admin-requests";
import { createAllocation, createLocation, createLot, createOrder, createVariant } from "../helpers/factories";

useOwnQueuePrefix();
afterAll(() => closeQueues());

const MARIA = 7301188550001n;
const get = adminGet;

/** A shop where Maria received 3 units of lot L-RED, and her data request arrived through the webhook pipeline. */
async function shopWithRequest(label: string) {
  const shop = await createTestShop(label);
  const variantId = await createVariant(shop.id, { sku: "CANDLE-RED-200" });
  const locationId = await createLocation(shop.id);
  const lotId = await createLot(shop.id, { variantId, lotNumber: "L-RED", quantity: 20, locationId });
  const order = await createOrder(shop.id, {
    customerId: MARIA,
    customerName: "Maria Lopez",
    customerEmail: "maria.lopez@example.com",
    lines: [{ variantId, quantity: 3 }],
  });
  await createAllocation(shop.id, { orderId: order.id, lineItemId: order.lineIds[0]!, variantId, lotId, locationId, quantity: 3, customerId: MARIA });
  await deliver({
    topic: "customers/data_request",
    shop: shop.domain,
    body: { ...fixture<Record<string, unknown>>("customers-data-request"), shop_domain: shop.domain },
  });
  await processWebhookQueue();
  return { shop, orderId: order.id };
}

describe("customer data requests in the admin", () => {
  it("are listed on Settings and their page, and download as the JSON export", async () => {
    const { shop, orderId } = await shopWithRequest("datareq-admin");
    const settings = await settingsLoader({ request: get(shop.domain, "/app/settings"), params: {}, context: {} });
    expect(settings.dataRequests.latest).toEqual([
      { id: expect.stringMatching(/^\d+$/), customerId: String(MARIA), email: "maria.lopez@example.com", createdAt: expect.any(String) },
    ]);
    expect(Date.now() - Date.parse(settings.dataRequests.latest[0]!.createdAt)).toBeLessThan(10 * 60_000);
    expect(settings.dataRequests.more).toBe(false);

    const list = await listLoader({ request: get(shop.domain, "/app/data-requests"), params: {}, context: {} });
    expect(list.requests).toEqual([
      {
        id: settings.dataRequests.latest[0]!.id,
        customerId: String(MARIA),
        email: "maria.lopez@example.com",
        createdAt: settings.dataRequests.latest[0]!.createdAt,
        dataRequestId: "9990001",
        orders: 1,
        shipments: 1,
      },
    ]);
    expect(list.nextCursor).toBeNull();

    const id = list.requests[0]!.id;
    const response = (await downloadLoader({ request: get(shop.domain, `/app/data-requests/${id}`), params: { id }, context: {} })) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="data-request-${id}-customer-${MARIA}.json"`);
    const body = (await response.json()) as {
      id: string;
      customerId: string;
      email: string;
      export: { customer: { id: string }; orders: { orderId: string; customerName: string }[]; shipments: { lotNumber: string; quantity: number }[] };
    };
    expect(body).toMatchObject({ id, customerId: String(MARIA), email: "maria.lopez@example.com" });
    expect(body.export.orders.map((o) => [o.orderId, o.customerName])).toEqual([[String(orderId), "Maria Lopez"]]);
    expect(body.export.shipments).toEqual([expect.objectContaining({ lotNumber: "L-RED", quantity: 3 })]);
  });

  it("another shop's request answers 404 and never appears in its lists", async () => {
    const { shop } = await shopWithRequest("datareq-owner");
    const intruder = await createTestShop("datareq-intruder");
    const [{ id }] = (await pool().query<{ id: bigint }>("select id from data_requests where shop_id = $1", [shop.id])).rows as [{ id: bigint }];
    expect(await statusOf(downloadLoader({ request: get(intruder.domain, `/app/data-requests/${id}`), params: { id: String(id) }, context: {} }))).toBe(404);
    expect(await statusOf(downloadLoader({ request: get(intruder.domain, "/app/data-requests/abc"), params: { id: "abc" }, context: {} }))).toBe(404);
    expect((await listLoader({ request: get(intruder.domain, "/app/data-requests"), params: {}, context: {} })).requests).toEqual([]);
    expect((await settingsLoader({ request: get(intruder.domain, "/app/settings"), params: {}, context: {} })).dataRequests.latest).toEqual([]);
    // The owner can download it: the 404 is tenancy.
    expect(await statusOf(downloadLoader({ request: get(shop.domain, `/app/data-requests/${id}`), params: { id: String(id) }, context: {} }))).toBe(200);
  });

  it("pages newest first, 50 at a time; a bad cursor answers 400", async () => {
    const shop = await createTestShop("datareq-pages");
    await pool().query(
      `insert into data_requests (shop_id, customer_id, email, export, created_at)
       select $1, 1000 + g, 'c' || g || '@example.com', '{"orders": [], "shipments": []}'::jsonb, timestamp '2026-01-01' + g * interval '1 minute' from generate_series(1, 55) g`,
      [shop.id],
    );
    const page1 = await listLoader({ request: get(shop.domain, "/app/data-requests"), params: {}, context: {} });
    expect(page1.requests).toHaveLength(50);
    expect(page1.requests[0]!.customerId).toBe("1055");
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await listLoader({ request: get(shop.domain, `/app/data-requests?after=${page1.nextCursor}`), params: {}, context: {} });
    expect(page2.requests.map((r) => r.customerId)).toEqual(["1005", "1004", "1003", "1002", "1001"]);
    expect(page2.nextCursor).toBeNull();
    const settings = await settingsLoader({ request: get(shop.domain, "/app/settings"), params: {}, context: {} });
    expect(settings.dataRequests.latest.map((r) => r.customerId)).toEqual(["1055", "1054", "1053", "1052", "1051"]);
    expect(settings.dataRequests.more).toBe(true);
    expect(await statusOf(listLoader({ request: get(shop.domain, "/app/data-requests?after=nope"), params: {}, context: {} }))).toBe(400);
  });
});
