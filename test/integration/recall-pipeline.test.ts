// The recall answered from what the webhook pipeline recorded: orders, fulfilments (one arriving
// before its order) and a refund with restock "return", processed by the worker's own code path.
import { describe, expect, it } from "vitest";
import { lookupRecall } from "../../app/domain/recall/recall-lookup.server";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId } from "../helpers/factories";
import { deliver, eventStatus, fulfilmentPayload, orderPayload, refundPayload } from "../helpers/allocation";

describe("recall after real webhook processing", () => {
  it("lists the customers the allocation worker recorded, with the returned unit, and links a fulfilment that came before its order", async () => {
    const shop = await createTestShop("recall-pipeline");
    const variant = await createVariant(shop.id);
    const location = await createLocation(shop.id);
    await createLot(shop.id, { variantId: variant, lotNumber: "P-1", quantity: 10, locationId: location, expiresOn: "2027-01-31" });
    const first = { order: newId(), line: newId(), customer: newId() };
    const second = { order: newId(), line: newId(), customer: newId() };

    const processed: string[] = [];
    const run = async (topic: string, payload: unknown) => {
      const id = `${topic}-${newId()}`;
      await deliver(shop.domain, topic, payload, id);
      processed.push((await eventStatus(id)).status);
    };
    await run("orders/create", orderPayload({ id: first.order, customerId: first.customer, lines: [{ id: first.line, variantId: variant, quantity: 3 }] }));
    await run(
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId: first.order, locationId: location, lines: [{ lineItemId: first.line, variantId: variant, quantity: 3 }] }),
    );
    // The second customer's fulfilment arrives before the order.
    await run(
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId: second.order, locationId: location, lines: [{ lineItemId: second.line, variantId: variant, quantity: 2 }] }),
    );
    await run("orders/create", orderPayload({ id: second.order, customerId: second.customer, lines: [{ id: second.line, variantId: variant, quantity: 2 }] }));
    await run(
      "refunds/create",
      refundPayload({
        id: newId(),
        orderId: first.order,
        lines: [{ id: newId(), lineItemId: first.line, quantity: 1, restockType: "return", locationId: location }],
      }),
    );
    expect(processed).toEqual(["PROCESSED", "PROCESSED", "PROCESSED", "PROCESSED", "PROCESSED"]);

    const recall = await lookupRecall(shop.id, { lotNumber: "P-1" });
    expect(recall.customers.map((c) => [c.customerId, c.units, c.returnedUnits, c.orders.map((o) => o.orderId)])).toEqual(
      [
        [first.customer, 3, 1, [first.order]],
        [second.customer, 2, 0, [second.order]],
      ].sort((a, b) => ((a[0] as bigint) < (b[0] as bigint) ? -1 : 1)),
    );
    expect(recall.totals).toMatchObject({ receivedUnits: 10, shippedUnits: 5, returnedUnits: 1, onHandUnits: 6, customers: 2, orders: 2 });
  });
});
