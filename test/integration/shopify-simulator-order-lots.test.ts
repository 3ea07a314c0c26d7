// The simulated store keeps what the app writes back on an order (decision 102), with the app's own
// documents (app/lib/shopify-admin.server.ts): the preview and the demo show the Lots attribute and
// the metafield, orderUpdate replaces the attribute list as Shopify does, and a value Shopify would
// refuse (JSON that does not parse) is refused.
import { afterAll, describe, expect, it } from "vitest";
import { executeAdminGraphql, resetSimulatedStore, setSimulatedOrder, simulatedMutations, simulatedOrder } from "../../app/preview/shopify-simulator.server";
import { ORDER_LOTS_QUERY, ORDER_LOTS_UPDATE_MUTATION } from "../../app/lib/shopify-admin.server";
import { uniqueShopDomain } from "../helpers/shops";

const shop = uniqueShopDomain("sim-lots");
const otherShop = uniqueShopDomain("sim-lots-other");
const ORDER = "gid://shopify/Order/820982911946154508";
const read = (s: string) => executeAdminGraphql(s, { query: ORDER_LOTS_QUERY, variables: { id: ORDER, namespace: "$app", key: "lots" } });

describe("Shopify simulator: lots on the order", () => {
  afterAll(async () => {
    await resetSimulatedStore(shop);
    await resetSimulatedStore(otherShop);
  });

  it("orderUpdate keeps the attributes sent and the metafield; the order query reads them back; other shops see nothing", async () => {
    await setSimulatedOrder(shop, ORDER, { customAttributes: [{ key: "Gift message", value: "Hi" }], metafields: {} });
    expect((await read(shop)).data).toEqual({ order: { id: ORDER, customAttributes: [{ key: "Gift message", value: "Hi" }], metafield: null } });

    const value = JSON.stringify({ v: 1, lines: [{ lineItemId: "1", sku: "OAT-1L", lots: [{ lot: "OAT-0925", qty: 2 }] }] });
    const written = await executeAdminGraphql(shop, {
      query: ORDER_LOTS_UPDATE_MUTATION,
      variables: {
        input: {
          id: ORDER,
          customAttributes: [
            { key: "Gift message", value: "Hi" },
            { key: "Lots", value: "OAT-1L: OAT-0925 x2" },
          ],
          metafields: [{ namespace: "$app", key: "lots", type: "json", value }],
        },
      },
    });
    expect(written.errors).toBeUndefined();
    expect(written.data).toEqual({ orderUpdate: { order: { id: ORDER }, userErrors: [] } });
    expect((await read(shop)).data).toEqual({
      order: {
        id: ORDER,
        customAttributes: [
          { key: "Gift message", value: "Hi" },
          { key: "Lots", value: "OAT-1L: OAT-0925 x2" },
        ],
        metafield: { value },
      },
    });
    expect((await simulatedOrder(shop, "820982911946154508")).metafields["$app.lots"]).toEqual({ type: "json", value });
    expect((await simulatedMutations(shop)).map((m) => m.operation)).toEqual(["orderUpdate"]);
    // Another shop does not have the order at all, as in Shopify.
    expect((await read(otherShop)).data).toEqual({ order: null });
  });

  it("customAttributes replace the whole list (Shopify's OrderInput: overwrites); JSON that does not parse is refused", async () => {
    await executeAdminGraphql(otherShop, {
      query: ORDER_LOTS_UPDATE_MUTATION,
      variables: { input: { id: ORDER, customAttributes: [{ key: "Lots", value: "A: L1 x1" }] } },
    });
    await executeAdminGraphql(otherShop, { query: ORDER_LOTS_UPDATE_MUTATION, variables: { input: { id: ORDER, customAttributes: [] } } });
    expect((await simulatedOrder(otherShop, ORDER)).customAttributes).toEqual([]);
    const refused = await executeAdminGraphql(otherShop, {
      query: ORDER_LOTS_UPDATE_MUTATION,
      variables: { input: { id: ORDER, metafields: [{ namespace: "$app", key: "lots", type: "json", value: "{not json" }] } },
    });
    expect(refused.data).toEqual({ orderUpdate: { order: null, userErrors: [{ field: ["metafields", "value"], message: "Value must be valid JSON." }] } });
  });
});
