// Payloads no real shop sends, refused at once (#18.6): implausible quantities and ids past a
// BIGINT fail on the first attempt with the reason on the inbox row (never 8 retries, never a
// database error); a 300,000-deep body is a 400, not a 503 Shopify retries for hours; sums of
// large but valid stock do not overflow on Home or the variant block; and a shop that never
// installed gets its deliveries recorded but no installed shop row.
import { afterAll, describe, expect, it } from "vitest";
import { callRoute, deliver, inboxCount, inboxRow, jobCounts, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { webhookRequest } from "../helpers/webhooks";
import { exactJson, shopifySampleBody, webhookApiVersion } from "../helpers/shopify-samples";
import { createTestShop, uniqueShopDomain } from "../helpers/shops";
import { createAllocation, createLocation, createLot, createOrder, createVariant, newId } from "../helpers/factories";
import { pool } from "../../app/db.server";
import { closeQueues, getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { withTransaction } from "../../app/lib/sql.server";
import { moveLotUnits } from "../../app/domain/ledger/ledger.server";
import { attentionFor } from "../../app/domain/overview/attention.server";
import { listVariantLots } from "../../app/domain/lots/variant-lots.server";
import { queueShopReconciliations } from "../../app/domain/reconcile/reconcile.server";
import { parsePayload } from "../../app/domain/webhooks/payload";

useOwnQueuePrefix();
afterAll(() => closeQueues());

/** Shopify's sample of `topic` (exact ids), to change one field of. */
const sample = <T = Record<string, unknown> & { line_items: Record<string, unknown>[] }>(topic: string) =>
  parsePayload(shopifySampleBody(topic, webhookApiVersion()).text) as T;

/** Deliver the exact text (bigints as bare integers), process, and return the inbox row. */
async function deliverAndProcess(topic: string, shop: string, body: unknown) {
  const { webhookId } = await deliver({ topic, shop, body: exactJson(body) });
  await processWebhookQueue();
  return inboxRow(webhookId);
}

describe("implausible quantities and ids in payloads", () => {
  it.each([
    ["1e9", 1e9],
    ["3e9", 3e9],
    ["-1", -1],
    ["1.5", 1.5],
  ])("an order line of %s units fails at once, the reason stored, no order kept", async (_label, quantity) => {
    const shop = await createTestShop("qty");
    const order = sample("orders/create");
    order.line_items[0]!.quantity = quantity;
    const before = await jobCounts();
    const row = await deliverAndProcess("orders/create", shop.domain, order);
    expect(row).toMatchObject({ status: "FAILED", attempts: 1 });
    expect(row?.last_error).toMatch(
      /^InvalidPayloadError: not an order payload: line_items\.0\.quantity is not a plausible quantity \(a whole number from 0 to 100000000\)/,
    );
    expect((await jobCounts()).failed).toBe(before.failed + 1); // BullMQ failed it for good: nothing delayed for a retry
    expect((await jobCounts()).delayed).toBe(0);
    expect((await pool().query("select 1 from orders where shop_id = $1", [shop.id])).rowCount).toBe(0);
  });

  it("a fulfilment of 3e9 units and a refund line with an id past 2^63-1 fail at once", async () => {
    const shop = await createTestShop("qty-f");
    const fulfilment = sample("fulfillments/create");
    (fulfilment.line_items[0] as Record<string, unknown>).quantity = 3e9;
    const f = await deliverAndProcess("fulfillments/create", shop.domain, fulfilment);
    expect(f).toMatchObject({ status: "FAILED", attempts: 1 });
    expect(f?.last_error).toContain("line_items.0.quantity is not a plausible quantity");
    const refund = sample<Record<string, unknown> & { refund_line_items: Record<string, unknown>[] }>("refunds/create");
    refund.refund_line_items[0]!.line_item_id = 9223372036854775808n;
    const r = await deliverAndProcess("refunds/create", shop.domain, refund);
    expect(r).toMatchObject({ status: "FAILED", attempts: 1 });
    expect(r?.last_error).toContain("refund_line_items.0.line_item_id is not a Shopify id (a whole number from 1 to 9223372036854775807): 9223372036854775808");
  });

  it("inventory_levels/update with an inventory_item_id past 2^63-1 fails at once, not after 8 database errors", async () => {
    const shop = await createTestShop("id-level");
    const row = await deliverAndProcess("inventory_levels/update", shop.domain, {
      ...sample<Record<string, unknown>>("inventory_levels/update"),
      inventory_item_id: 99999999999999999999n,
    });
    expect(row).toMatchObject({ status: "FAILED", attempts: 1 });
    expect(row?.last_error).toBe(
      "InvalidPayloadError: not an inventory level payload: inventory_item_id is not a Shopify id (a whole number from 1 to 9223372036854775807): 99999999999999999999",
    );
  });

  it("products/create with a variant id past 2^63-1 fails at once and keeps no variant", async () => {
    const shop = await createTestShop("id-product");
    const product = sample<Record<string, unknown> & { variants: Record<string, unknown>[] }>("products/create");
    product.variants[0]!.id = 9223372036854775808n;
    const row = await deliverAndProcess("products/create", shop.domain, product);
    expect(row).toMatchObject({ status: "FAILED", attempts: 1 });
    expect((await pool().query("select 1 from variants where shop_id = $1", [shop.id])).rowCount).toBe(0);
  });
});

describe("a body nested 300,000 deep", () => {
  it("is a 400 from the webhook route, recorded nowhere (Shopify does not retry a 400)", async () => {
    const shop = await createTestShop("deep");
    const body = `{"a":${"[".repeat(300_000)}${"]".repeat(300_000)}}`;
    const response = await callRoute(webhookRequest({ topic: "orders/create", shop: shop.domain, body }));
    expect(response.status).toBe(400);
    expect(await inboxCount(shop.domain)).toBe(0);
  });
});

describe("sums of large stock", () => {
  it("Home and the variant block add three billion units without an integer overflow", async () => {
    const shop = await createTestShop("sums");
    const variant = await createVariant(shop.id, { productTitle: "Screws" });
    const locations = [await createLocation(shop.id), await createLocation(shop.id), await createLocation(shop.id)];
    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    const lot = await createLot(shop.id, { variantId: variant, lotNumber: "BIG", quantity: 1_000_000_000, locationId: locations[0]!, expiresOn: soon });
    await withTransaction((sql) =>
      moveLotUnits(
        sql,
        locations.slice(1).map((locationId) => ({
          shopId: shop.id,
          lotId: lot,
          locationId,
          delta: 1_000_000_000,
          kind: "RECEIVED" as const,
          cause: "USER" as const,
          causeRef: "test",
        })),
      ),
    );
    for (let i = 0; i < 3; i++) {
      const order = await createOrder(shop.id, { lines: [{ variantId: variant, quantity: 1_000_000_000 }] });
      await createAllocation(shop.id, {
        orderId: order.id,
        lineItemId: order.lineIds[0]!,
        variantId: variant,
        lotId: null,
        locationId: locations[0]!,
        quantity: 1_000_000_000,
      });
    }
    const attention = await attentionFor(pool(), shop.id, shop.domain);
    expect(attention.expiringSoon.lots).toMatchObject([{ lotNumber: "BIG", onHand: 3_000_000_000 }]);
    expect(attention.unknownLotUnits).toEqual({ units: 3_000_000_000, allocations: 3 });
    const block = await listVariantLots(shop.id, variant);
    expect(block).toMatchObject({ onHand: 3_000_000_000, unknownLotUnits: 3_000_000_000, lots: [{ lotNumber: "BIG", onHand: 3_000_000_000 }] });
  });
});

describe("a shop that never installed", () => {
  it("has its webhook recorded and processed, but gets no installed shop row (no reconciliation, no Shopify calls)", async () => {
    const domain = uniqueShopDomain("never-installed");
    const row = await deliverAndProcess("products/create", domain, sample("products/create"));
    expect(row?.status).toBe("PROCESSED");
    const shops = await pool().query<{ id: number; installed: boolean }>("select id, installed from shops where domain = $1", [domain]);
    expect(shops.rows).toEqual([{ id: expect.any(Number), installed: false }]);
    // The periodic reconciliation fans out to installed shops only.
    await queueShopReconciliations(Number(newId() % 1_000_000n));
    const jobs = await getQueue(QUEUE_NAMES.maintenance).getJobs(["waiting", "delayed", "prioritized"]);
    expect(jobs.filter((j) => j.data?.shopId === shops.rows[0]!.id)).toEqual([]);
    await getQueue(QUEUE_NAMES.maintenance).obliterate({ force: true });
    // An installed shop's webhook still finds its row as it was.
    const installed = await createTestShop("installed");
    await deliverAndProcess("locations/create", installed.domain, sample("locations/create"));
    expect((await pool().query("select installed from shops where id = $1", [installed.id])).rows).toEqual([{ installed: true }]);
  });
});
