// The simulated store (preview, demo) answers the app's own fulfillment order documents over
// Shopify's schema and front door, consistently with the orders it was told about: routed to a
// location, then moved as Shopify's fulfillmentOrderMove does.
import { afterAll, describe, expect, it } from "vitest";
import {
  executeAdminGraphql,
  moveSimulatedFulfillmentOrder,
  recordSimulatedOrder,
  resetSimulatedStore,
  seedSimulatedStore,
} from "../../app/preview/shopify-simulator.server";
import { FULFILLMENT_ORDER_ORDER_QUERY, FULFILLMENT_ORDERS_QUERY } from "../../app/lib/shopify-admin.server";
import { uniqueShopDomain } from "../helpers/shops";

const shop = uniqueShopDomain("sim-fo");
const other = uniqueShopDomain("sim-fo-other");

describe("the simulator's fulfillment orders", () => {
  afterAll(async () => {
    await resetSimulatedStore(shop);
    await resetSimulatedStore(other);
  });

  it("answers the app's query with the order's routing, and a move closes the original and opens one at the destination", async () => {
    await seedSimulatedStore(shop, {
      locations: [
        { id: "601", name: "Berlin" },
        { id: "602", name: "Hamburg" },
      ],
      variants: [],
    });
    const fo = await recordSimulatedOrder(shop, {
      id: "7001",
      locationId: "601",
      lines: [
        { id: "8001", quantity: 2 },
        { id: "8002", quantity: 1 },
      ],
    });
    const read = () => executeAdminGraphql(shop, { query: FULFILLMENT_ORDERS_QUERY, variables: { id: "gid://shopify/Order/7001", after: null } });
    const before = await read();
    expect(before.errors).toBeUndefined();
    expect(before.data).toMatchObject({
      order: {
        id: "gid://shopify/Order/7001",
        fulfillmentOrders: {
          pageInfo: { hasNextPage: false },
          nodes: [
            {
              id: `gid://shopify/FulfillmentOrder/${fo.id}`,
              status: "OPEN",
              assignedLocation: { location: { id: "gid://shopify/Location/601" } },
              lineItems: {
                nodes: [
                  { totalQuantity: 2, remainingQuantity: 2, lineItem: { id: "gid://shopify/LineItem/8001" } },
                  { totalQuantity: 1, remainingQuantity: 1, lineItem: { id: "gid://shopify/LineItem/8002" } },
                ],
              },
            },
          ],
        },
      },
    });
    expect(before.extensions?.cost).toMatchObject({ requestedQueryCost: 278 });

    const { moved } = await moveSimulatedFulfillmentOrder(shop, fo.id, "602");
    const after = (await read()).data as {
      order: {
        fulfillmentOrders: { nodes: { id: string; status: string; assignedLocation: unknown; lineItems: { nodes: { remainingQuantity: number }[] } }[] };
      };
    };
    expect(after.order.fulfillmentOrders.nodes.map((n) => [n.id, n.status, n.assignedLocation, n.lineItems.nodes.map((l) => l.remainingQuantity)])).toEqual([
      [`gid://shopify/FulfillmentOrder/${fo.id}`, "CLOSED", { location: { id: "gid://shopify/Location/601" } }, [0, 0]],
      [`gid://shopify/FulfillmentOrder/${moved.id}`, "OPEN", { location: { id: "gid://shopify/Location/602" } }, [2, 1]],
    ]);
    const order = await executeAdminGraphql(shop, { query: FULFILLMENT_ORDER_ORDER_QUERY, variables: { id: `gid://shopify/FulfillmentOrder/${moved.id}` } });
    expect(order.data).toEqual({ fulfillmentOrder: { id: `gid://shopify/FulfillmentOrder/${moved.id}`, orderId: "gid://shopify/Order/7001" } });
  });

  it("an order it was not told about, or another shop's, is not found", async () => {
    await recordSimulatedOrder(shop, { id: "7002", locationId: "601", lines: [{ id: "8003", quantity: 1 }] });
    for (const [s, id] of [
      [shop, "7999"],
      [other, "7002"],
    ] as const) {
      const r = await executeAdminGraphql(s, { query: FULFILLMENT_ORDERS_QUERY, variables: { id: `gid://shopify/Order/${id}` } });
      expect(r.data).toEqual({ order: null });
    }
  });
});
