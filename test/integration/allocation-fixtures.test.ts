// The shared fixture story (order #1042) as Shopify delivers it: signed requests through the real
// route, processed by the real webhooks worker. Products, order, fulfilment, a refund with a
// return, then the fulfilment cancelled; once in order, once in reverse order.
import { afterAll, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { closeQueues } from "../../app/lib/queues.server";
import { traceOrder } from "../../app/domain/allocation/queries.server";
import { deliver, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { fixture } from "../helpers/webhooks";
import { createTestShop } from "../helpers/shops";
import { createLot } from "../helpers/factories";
import { allocationInvariantViolations, allocations, balances } from "../helpers/allocation";

useOwnQueuePrefix();
afterAll(() => closeQueues());

const CANDLE = 46120033440001n; // in products-create.json
const LOCATION = 71230000001n;
const ORDER = 5821378420001n;
const story = [
  ["products/create", "products-create"],
  ["orders/create", "orders-create"],
  ["fulfillments/create", "fulfillments-create"],
  ["refunds/create", "refunds-create"],
  ["fulfillments/update", "fulfillments-update-cancelled"],
] as const;

async function stockedShop(label: string) {
  const shop = await createTestShop(label);
  const early = await createLot(shop.id, { variantId: CANDLE, lotNumber: "WAX-EARLY", quantity: 5, locationId: LOCATION, expiresOn: "2027-03-01" });
  const late = await createLot(shop.id, { variantId: CANDLE, lotNumber: "WAX-LATE", quantity: 5, locationId: LOCATION, expiresOn: "2028-03-01" });
  return { shop, early, late };
}

describe("order #1042 through the route and the worker", () => {
  it("in order: shipped from the earliest lot to Maria, one unit returned into it, then the cancellation puts the other back", async () => {
    const { shop, early, late } = await stockedShop("fixture-story");
    const [products, order, fulfilment, refund, cancel] = story;
    for (const [topic, name] of [products, order, fulfilment]) expect((await deliver({ topic, shop: shop.domain, body: fixture(name) })).status).toBe(200);
    await processWebhookQueue();
    const shipped = await allocations(shop.id);
    expect(shipped.map((a) => [a.lot_id, a.quantity, a.customer_id, a.status])).toEqual([[early, 2, 7301188550001n, "ALLOCATED"]]);
    expect(await balances(shop.id)).toEqual({ [`${early}@${LOCATION}`]: 3, [`${late}@${LOCATION}`]: 5 });

    await deliver({ topic: refund[0], shop: shop.domain, body: fixture(refund[1]) });
    await processWebhookQueue();
    const trace = await traceOrder(shop.id, ORDER);
    const candleLine = trace.lineItems.find((l) => l.variantId === CANDLE)!;
    expect(candleLine.allocations.map((a) => [a.lot, a.quantity, a.returnedQuantity, a.locationId, a.unknownLot])).toEqual([
      ["WAX-EARLY", 2, 1, LOCATION, false],
    ]);
    expect(trace.name).toBe("#1042");
    expect(await balances(shop.id)).toEqual({ [`${early}@${LOCATION}`]: 4, [`${late}@${LOCATION}`]: 5 });

    await deliver({ topic: cancel[0], shop: shop.domain, body: fixture(cancel[1]) });
    await processWebhookQueue();
    expect((await allocations(shop.id)).map((a) => [a.status, a.returned_quantity])).toEqual([["REVERSED", 1]]);
    expect(await balances(shop.id)).toEqual({ [`${early}@${LOCATION}`]: 5, [`${late}@${LOCATION}`]: 5 });
    expect(await allocationInvariantViolations(shop.id)).toEqual([]);
  });

  it("in reverse order, all at once: the same stock in the end, nothing allocated, nothing failed", async () => {
    const { shop, early, late } = await stockedShop("fixture-reverse");
    for (const [topic, name] of [...story].reverse()) expect((await deliver({ topic, shop: shop.domain, body: fixture(name) })).status).toBe(200);
    await processWebhookQueue();
    const events = await pool().query("select topic, status::text from webhook_events where shop_domain = $1 order by topic", [shop.domain]);
    expect(events.rows.every((e) => e.status === "PROCESSED")).toBe(true);
    expect(events.rows).toHaveLength(5);
    expect((await allocations(shop.id)).filter((a) => a.status === "ALLOCATED")).toEqual([]);
    expect(await balances(shop.id)).toEqual({ [`${early}@${LOCATION}`]: 5, [`${late}@${LOCATION}`]: 5 });
    const line = await pool().query("select state from fulfillment_lines where shop_id = $1", [shop.id]);
    expect(line.rows).toEqual([{ state: "REVERSED" }]);
    expect(await allocationInvariantViolations(shop.id)).toEqual([]);
  });
});
