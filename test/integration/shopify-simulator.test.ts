// The simulated Admin API the preview and the demo run against: it must behave like Shopify where
// the app depends on it (idempotent inventory mutations, userErrors, named quantities), or the demo
// would prove nothing.
import { afterAll, describe, expect, it } from "vitest";
import {
  executeAdminGraphql,
  resetSimulatedStore,
  seedSimulatedStore,
  simulatedMutations,
  simulatedQuantity,
  simulatorGate,
} from "../../app/preview/shopify-simulator.server";
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
  inventoryItem(id: $item) { variants(first: 1) { nodes { sku product { title } } } inventoryLevel(locationId: $location) { quantities(names: ["available", "quality_control", "on_hand"]) { name quantity } } }
}`;

describe("Shopify simulator", () => {
  afterAll(() => resetSimulatedStore(shop));

  it("applies an inventory adjustment once per idempotency key and answers reads by quantity name", async () => {
    await seedSimulatedStore(shop, {
      locations: [{ id: "601", name: "Depot" }],
      variants: [{ id: "401", productId: "301", productTitle: "Sage honey", title: "Default Title", sku: "HONEY", barcode: null, inventoryItemId: "501" }],
    });
    const input = {
      reason: "received",
      name: "available",
      referenceDocumentUri: "gid://lotkeeper/LedgerEntry/1",
      changes: [{ delta: 7, changeFromQuantity: null, inventoryItemId: ITEM, locationId: LOCATION }],
    };
    const first = await executeAdminGraphql(shop, { query: ADJUST, variables: { input, key: "k-1" } });
    const retry = await executeAdminGraphql(shop, { query: ADJUST, variables: { input, key: "k-1" } });
    expect(first.errors).toBeUndefined();
    expect(first.data).toMatchObject({
      inventoryAdjustQuantities: { userErrors: [], inventoryAdjustmentGroup: { changes: [{ name: "available", delta: 7, quantityAfterChange: 7 }] } },
    });
    expect(retry.data).toMatchObject({ inventoryAdjustQuantities: { userErrors: [] } });
    expect(await simulatedQuantity(shop, "501", "601", "available")).toBe(7);
    expect((await simulatedMutations(shop)).map((m) => m.idempotencyKey)).toEqual(["k-1"]);

    const moveTooMany = await executeAdminGraphql(shop, {
      query: MOVE,
      variables: {
        input: {
          reason: "quality_control",
          referenceDocumentUri: "gid://lotkeeper/Lot/1",
          changes: [
            {
              inventoryItemId: ITEM,
              quantity: 9,
              from: { locationId: LOCATION, name: "available", changeFromQuantity: null },
              to: { locationId: LOCATION, name: "quality_control", changeFromQuantity: null },
            },
          ],
        },
      },
    });
    expect(moveTooMany.data).toMatchObject({ inventoryMoveQuantities: { userErrors: [{ code: "INVALID_QUANTITY_NEGATIVE" }] } });
    const move = await executeAdminGraphql(shop, {
      query: MOVE,
      variables: {
        input: {
          reason: "quality_control",
          referenceDocumentUri: "gid://lotkeeper/Lot/1",
          changes: [
            {
              inventoryItemId: ITEM,
              quantity: 3,
              from: { locationId: LOCATION, name: "available", changeFromQuantity: null },
              to: { locationId: LOCATION, name: "quality_control", changeFromQuantity: null },
            },
          ],
        },
      },
    });
    expect(move.data).toMatchObject({ inventoryMoveQuantities: { userErrors: [] } });

    const level = await executeAdminGraphql(shop, { query: LEVEL, variables: { item: ITEM, location: LOCATION } });
    expect(level.data).toEqual({
      inventoryItem: {
        variants: { nodes: [{ sku: "HONEY", product: { title: "Sage honey" } }] },
        inventoryLevel: {
          quantities: [
            { name: "available", quantity: 4 },
            { name: "quality_control", quantity: 3 },
            { name: "on_hand", quantity: 7 },
          ],
        },
      },
    });
  });

  it("refuses unknown items and fields the way a GraphQL server does", async () => {
    const unknownItem = await executeAdminGraphql(shop, {
      query: ADJUST,
      variables: {
        input: {
          reason: "received",
          name: "available",
          changes: [{ delta: 1, changeFromQuantity: null, inventoryItemId: "gid://shopify/InventoryItem/999", locationId: LOCATION }],
        },
        key: "k-2",
      },
    });
    expect(unknownItem.data).toMatchObject({ inventoryAdjustQuantities: { userErrors: [{ code: "INVALID_INVENTORY_ITEM" }] } });
    const badField = await executeAdminGraphql(shop, { query: "{ shop { notAField } }" });
    expect(badField.errors?.[0]).toMatchObject({ message: expect.stringMatching(/Cannot query field "notAField"/), extensions: { code: "undefinedField" } });
  });

  // What a real store refuses, the simulator refuses the same way (and applies nothing).
  describe("refuses what Shopify refuses", () => {
    const moveInput = (from: Record<string, unknown>, to: Record<string, unknown>) => ({
      reason: "quality_control",
      referenceDocumentUri: "gid://lotkeeper/Lot/1",
      changes: [
        {
          inventoryItemId: ITEM,
          quantity: 1,
          from: { locationId: LOCATION, name: "available", ...from },
          to: { locationId: LOCATION, name: "quality_control", ...to },
        },
      ],
    });
    const MOVE_WITH_KEY = `mutation Move($input: InventoryMoveQuantitiesInput!, $key: String!) {
      inventoryMoveQuantities(input: $input) @idempotent(key: $key) { userErrors { message code } }
    }`;

    it("a move without changeFromQuantity on from or on to", async () => {
      const before = (await simulatedMutations(shop)).length;
      const noFrom = await executeAdminGraphql(shop, {
        query: MOVE_WITH_KEY,
        variables: { key: "m-from", input: moveInput({}, { changeFromQuantity: null }) },
      });
      expect(noFrom.errors).toEqual([
        {
          message: "Variable $input.changes.0.from: InventoryMoveQuantityTerminalInput must include the following argument: changeFromQuantity",
          extensions: { code: "INVALID_FIELD_ARGUMENTS" },
        },
      ]);
      const noTo = await executeAdminGraphql(shop, { query: MOVE_WITH_KEY, variables: { key: "m-to", input: moveInput({ changeFromQuantity: null }, {}) } });
      expect(noTo.errors?.[0]?.message).toMatch(/changes\.0\.to: InventoryMoveQuantityTerminalInput must include the following argument: changeFromQuantity/);
      expect((await simulatedMutations(shop)).length).toBe(before);
    });

    it("an inventory mutation without @idempotent, or with a blank key", async () => {
      const NO_KEY = `mutation Move($input: InventoryMoveQuantitiesInput!) { inventoryMoveQuantities(input: $input) { userErrors { message } } }`;
      const input = moveInput({ changeFromQuantity: null }, { changeFromQuantity: null });
      const noKey = await executeAdminGraphql(shop, { query: NO_KEY, variables: { input } });
      expect(noKey.errors).toEqual([
        {
          message: "The @idempotent directive is required for this mutation but was not provided.",
          path: ["inventoryMoveQuantities"],
          extensions: { code: "BAD_REQUEST" },
        },
      ]);
      const blank = await executeAdminGraphql(shop, { query: MOVE_WITH_KEY, variables: { key: "  ", input } });
      expect(blank.errors?.[0]?.extensions).toEqual({ code: "BAD_REQUEST" });
    });

    it("a query whose requested cost is over 1,000", async () => {
      const ids = Array.from({ length: 10 }, (_, i) => `gid://shopify/InventoryItem/${i + 1}`);
      const expensive = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on InventoryItem { inventoryLevels(first: 50) { nodes { location { id } quantities(names: ["on_hand"]) { quantity } } } } } }`;
      const refused = await executeAdminGraphql(shop, { query: expensive, variables: { ids } });
      expect(refused.errors?.[0]?.extensions).toEqual({
        code: "MAX_COST_EXCEEDED",
        cost: 1530,
        maxCost: 1000,
        documentation: "https://shopify.dev/api/usage/rate-limits",
      });
    });

    it("a deprecated field, and a connection without first", async () => {
      const deprecated = await executeAdminGraphql(shop, {
        query: `query($id: ID!) { productVariant(id: $id) { id storefrontId } }`,
        variables: { id: "gid://shopify/ProductVariant/401" },
      });
      expect(deprecated.errors?.[0]).toMatchObject({ message: expect.stringMatching(/storefrontId is deprecated/), extensions: { code: "deprecated" } });
      const unsized = await executeAdminGraphql(shop, { query: "{ locations { nodes { id } } }" });
      expect(unsized.errors?.[0]?.message).toMatch(/you must provide one of first or last/);
    });

    it("a spent leaky bucket: THROTTLED with the standard plan's throttleStatus", async () => {
      const spent = uniqueShopDomain("sim-spent");
      simulatorGate.bucket(spent).drain();
      // 2 + 100 x 1 = 102 points: a second's restore at 100 points/s, far more than the test takes.
      const throttled = await executeAdminGraphql(spent, { query: "{ locations(first: 100) { nodes { id } } }" });
      expect(throttled).toEqual({
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: {
          cost: {
            requestedQueryCost: 102,
            actualQueryCost: null,
            throttleStatus: { maximumAvailable: 2000, currentlyAvailable: expect.any(Number), restoreRate: 100 },
          },
        },
      });
      expect(
        (throttled as { extensions: { cost: { throttleStatus: { currentlyAvailable: number } } } }).extensions.cost.throttleStatus.currentlyAvailable,
      ).toBeLessThan(102);
    });

    it("reports the real cost of what it answers", async () => {
      const answered = await executeAdminGraphql(shop, { query: LEVEL, variables: { item: ITEM, location: LOCATION } });
      // inventoryItem 1 + variants (2 + 1 x (variant 1 + product 1)) + inventoryLevel 1 + 3 quantities asked x 1 = 9
      expect(answered.extensions?.cost).toMatchObject({
        requestedQueryCost: 9,
        actualQueryCost: 9,
        throttleStatus: { maximumAvailable: 2000, restoreRate: 100 },
      });
    });
  });
});
