// The simulated Admin API the preview and the demo run against: it must behave like Shopify where
// the app depends on it (idempotent inventory mutations, userErrors, named quantities), or the demo
// would prove nothing.
import { afterAll, describe, expect, it } from "vitest";
import { executeAdminGraphql, resetSimulatedStore, seedSimulatedStore, simulatedMutations, simulatedQuantity } from "../../app/preview/shopify-simulator.server";
import { uniqueShopDomain } from "../helpers/shops";

const shop = uniqueShopDomain("sim");
const ITEM = "gid://shopify/InventoryItem/501";
const LOCATION = "gid://shopify/Location/601";

const ADJUST = `mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { reason changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}`;
const MOVE = `mutation Move($input: InventoryMoveQuantitiesInput!) {
  inventoryMoveQuantities(input: $input) @idempotent(key: "move-1") { userErrors { message code } }
}`;
const LEVEL = `query Level($item: ID!, $location: ID!) {
  inventoryItem(id: $item) { variant { sku product { title } } inventoryLevel(locationId: $location) { quantities(names: ["available", "quality_control", "on_hand"]) { name quantity } } }
}`;

describe("Shopify simulator", () => {
  afterAll(() => resetSimulatedStore(shop));

  it("applies an inventory adjustment once per idempotency key and answers reads by quantity name", async () => {
    await seedSimulatedStore(shop, {
      locations: [{ id: "601", name: "Depot" }],
      variants: [{ id: "401", productId: "301", productTitle: "Sage honey", title: "Default Title", sku: "HONEY", barcode: null, inventoryItemId: "501" }],
    });
    const input = { reason: "received", name: "available", referenceDocumentUri: "gid://lotkeeper/LedgerEntry/1", changes: [{ delta: 7, inventoryItemId: ITEM, locationId: LOCATION }] };
    const first = await executeAdminGraphql(shop, { query: ADJUST, variables: { input, key: "k-1" } });
    const retry = await executeAdminGraphql(shop, { query: ADJUST, variables: { input, key: "k-1" } });
    expect(first.errors).toBeUndefined();
    expect(first.data).toMatchObject({ inventoryAdjustQuantities: { userErrors: [], inventoryAdjustmentGroup: { changes: [{ name: "available", delta: 7, quantityAfterChange: 7 }] } } });
    expect(retry.data).toMatchObject({ inventoryAdjustQuantities: { userErrors: [] } });
    expect(await simulatedQuantity(shop, "501", "601", "available")).toBe(7);
    expect((await simulatedMutations(shop)).map((m) => m.idempotencyKey)).toEqual(["k-1"]);

    const moveTooMany = await executeAdminGraphql(shop, {
      query: MOVE,
      variables: { input: { reason: "quality_control", referenceDocumentUri: "gid://lotkeeper/Lot/1", changes: [{ inventoryItemId: ITEM, quantity: 9, from: { locationId: LOCATION, name: "available" }, to: { locationId: LOCATION, name: "quality_control" } }] } },
    });
    expect(moveTooMany.data).toMatchObject({ inventoryMoveQuantities: { userErrors: [{ code: "INVALID_QUANTITY" }] } });
    const move = await executeAdminGraphql(shop, {
      query: MOVE,
      variables: { input: { reason: "quality_control", referenceDocumentUri: "gid://lotkeeper/Lot/1", changes: [{ inventoryItemId: ITEM, quantity: 3, from: { locationId: LOCATION, name: "available" }, to: { locationId: LOCATION, name: "quality_control" } }] } },
    });
    expect(move.data).toMatchObject({ inventoryMoveQuantities: { userErrors: [] } });

    const level = await executeAdminGraphql(shop, { query: LEVEL, variables: { item: ITEM, location: LOCATION } });
    expect(level.data).toEqual({
      inventoryItem: {
        variant: { sku: "HONEY", product: { title: "Sage honey" } },
        inventoryLevel: { quantities: [{ name: "available", quantity: 4 }, { name: "quality_control", quantity: 3 }, { name: "on_hand", quantity: 7 }] },
      },
    });
  });

  it("refuses unknown items and fields the way a GraphQL server does", async () => {
    const unknownItem = await executeAdminGraphql(shop, {
      query: ADJUST,
      variables: { input: { reason: "received", name: "available", changes: [{ delta: 1, inventoryItemId: "gid://shopify/InventoryItem/999", locationId: LOCATION }] }, key: "k-2" },
    });
    expect(unknownItem.data).toMatchObject({ inventoryAdjustQuantities: { userErrors: [{ code: "ITEM_NOT_FOUND" }] } });
    const badField = await executeAdminGraphql(shop, { query: "{ shop { notAField } }" });
    expect(badField.errors?.[0]?.message).toMatch(/Cannot query field "notAField"/);
  });
});
