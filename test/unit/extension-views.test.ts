// The admin extensions' pure pieces: the id a block sends, the fetch helper's messages, the
// order view's flags and the merchant's local date.
import { describe, expect, it } from "vitest";
import { BadResourceIdError, orderLotsView, resourceId } from "../../app/lib/extension-views";
import { getFromApp, isPast, localToday } from "../../app/lib/extension-api";
import type { OrderTrace } from "../../app/domain/allocation/queries.server";

describe("resourceId", () => {
  it("takes the GID of the right type or the plain number", () => {
    expect(resourceId("gid://shopify/Order/4521", "orderId", "Order")).toBe(4521n);
    expect(resourceId(" 9007199254740993 ", "orderId", "Order")).toBe(9007199254740993n);
    expect(resourceId("gid://shopify/ProductVariant/12", "variantId", "ProductVariant")).toBe(12n);
  });

  it("refuses another type, junk, zero and numbers beyond a bigint, naming the parameter", () => {
    for (const bad of [null, "", "gid://shopify/Product/12", "12abc", "0", "9223372036854775808", "-1", "1.5"]) {
      expect(() => resourceId(bad, "orderId", "Order"), String(bad)).toThrow(BadResourceIdError);
      expect(() => resourceId(bad, "orderId", "Order"), String(bad)).toThrow(/orderId/);
    }
    expect(resourceId("9223372036854775807", "orderId", "Order")).toBe(9223372036854775807n);
  });
});

describe("orderLotsView", () => {
  const base = {
    allocations: [],
    reversed: [],
    sku: null,
    title: null,
    quantity: 1,
    fulfilledQuantity: 0,
    returnedQuantity: 0,
    pendingReturnQuantity: 0,
    variantId: 5n,
  };
  it("flags a line whose every fulfilment line was skipped as not lot-tracked, one shipped without a lot yet, and counts unknown-lot units still out", () => {
    const trace: OrderTrace = {
      orderId: 1n,
      name: "#1",
      customerId: null,
      lineItems: [
        { ...base, lineItemId: 10n, fulfillmentLines: [{ fulfillmentId: 7n, quantity: 1, state: "SKIPPED" }] },
        { ...base, lineItemId: 11n, fulfillmentLines: [] },
        { ...base, lineItemId: 13n, fulfillmentLines: [{ fulfillmentId: 8n, quantity: 2, state: "PENDING" }] },
        {
          ...base,
          lineItemId: 12n,
          fulfillmentLines: [{ fulfillmentId: 7n, quantity: 4, state: "ALLOCATED" }],
          allocations: [
            {
              allocationId: 3n,
              fulfillmentId: 7n,
              lot: null,
              lotId: null,
              expiresOn: null,
              quantity: 4,
              returnedQuantity: 1,
              locationId: 9n,
              unknownLot: true,
              fulfilledAt: new Date(),
            },
          ],
        },
      ],
    };
    const view = orderLotsView(trace);
    expect(view.lineItems.map((i) => i.notLotTracked)).toEqual([true, false, false, false]);
    expect(view.lineItems.map((i) => i.awaitingLots)).toEqual([false, false, true, false]);
    expect(view.unknownLotUnits).toBe(3);
    expect(view.lineItems[3]!.allocations[0]).toMatchObject({ allocationId: "3", locationId: "9", lot: null });
  });
});

describe("getFromApp", () => {
  const answering = (status: number, body: string | null) => (async () => new Response(body, { status })) as unknown as typeof fetch;
  it("gives the data of a 200 and the server's message otherwise", async () => {
    expect(await getFromApp("/x", answering(200, '{"a":1}'))).toEqual({ ok: true, data: { a: 1 } });
    expect(await getFromApp("/x", answering(404, '{"error":"no such order"}'))).toEqual({ ok: false, status: 404, error: "no such order" });
  });
  it("says what to do when the session is refused, the answer is not JSON or the app cannot be reached", async () => {
    expect(await getFromApp("/x", answering(401, ""))).toMatchObject({ ok: false, status: 401, error: expect.stringMatching(/Open Lotkeeper/) });
    expect(await getFromApp("/x", answering(502, "<html>bad gateway</html>"))).toMatchObject({
      ok: false,
      status: 502,
      error: expect.stringMatching(/\(502\)/),
    });
    const down = (async () => {
      throw new TypeError("fetch failed");
    }) as unknown as typeof fetch;
    expect(await getFromApp("/x", down)).toMatchObject({ ok: false, status: 0, error: expect.stringMatching(/could not be reached/) });
  });
});

describe("dates", () => {
  it("compares 'YYYY-MM-DD' dates with the local day", () => {
    expect(localToday(new Date(2027, 0, 5, 23, 59))).toBe("2027-01-05");
    expect(isPast("2027-01-04", "2027-01-05")).toBe(true);
    expect(isPast("2027-01-05", "2027-01-05")).toBe(false);
    expect(isPast(null, "2027-01-05")).toBe(false);
  });
});
