// The app's side of the Shopify contract, measured against Shopify's own published Admin schema of
// the pinned API version (@shopify/dev-mcp): every document the app sends is valid, uses nothing
// deprecated, and requests at most the 1,000 points Shopify allows a query; the rules Shopify states
// in the schema's descriptions are found; the cost function follows Shopify's published rules.
import { readFileSync } from "node:fs";
import { markdownDiscountInput, markdownTitle } from "../../app/domain/expiry/markdown-rules";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { parse, type IntrospectionQuery } from "graphql";
import { describe, expect, it } from "vitest";
import * as admin from "../../app/lib/shopify-admin.server";
import { API_VERSION } from "../../app/lib/shopify-api-version";
import { adminContract, adminSchemaFile, statedRules } from "../../app/lib/shopify-contract/admin-schema";
import { checkAdminRequest } from "../../app/lib/shopify-contract/admin-gate";
import { LeakyBucket, STANDARD_PLAN } from "../../app/lib/shopify-contract/leaky-bucket";
import { actualQueryCost, requestedQueryCost, SINGLE_QUERY_MAX_COST } from "../../app/lib/shopify-contract/query-cost";
import { adjustPayload, movePayload } from "../../app/domain/sync/inventory-changes";
import { ORDER_LOTS_METAFIELD } from "../../app/domain/writeback/order-lots-rules";

const contract = adminContract(API_VERSION);
const cost = (query: string, variables: Record<string, unknown> = {}) => requestedQueryCost(contract.schema, parse(query), { variables });

/** Every query and mutation the app sends lives in shopify-admin.server.ts as an exported *_QUERY / *_MUTATION string. */
const documents: [string, string][] = Object.entries(admin as Record<string, unknown>).flatMap(([name, value]) =>
  typeof value === "string" && /_(QUERY|MUTATION)$/.test(name) ? [[name, value] as [string, string]] : [],
);
const batchIds = Array.from({ length: admin.ON_HAND_BATCH }, (_, i) => `gid://shopify/InventoryItem/${1000 + i}`);
const move = movePayload({
  direction: "quarantine",
  referenceDocumentUri: "gid://lotkeeper/LedgerEntry/1",
  changes: [{ inventoryItemId: 1n, locationId: 2n, quantity: 3 }],
});
const adjust = adjustPayload({
  reason: "received",
  referenceDocumentUri: "gid://lotkeeper/LedgerEntry/2",
  changes: [{ inventoryItemId: 1n, locationId: 2n, delta: 4 }],
});
/** The largest variables the app sends with each document (the cost of nodes(ids:) grows with the ids). */
const appVariables: Record<string, Record<string, unknown>> = {
  VARIANT_QUERY: { id: "gid://shopify/ProductVariant/1" },
  SHOP_PROFILE_QUERY: {},
  LOCATION_QUERY: { id: "gid://shopify/Location/1" },
  ON_HAND_QUERY: { ids: batchIds },
  ON_HAND_PAGE_QUERY: { id: batchIds[0], after: "cursor" },
  LEVEL_ON_HAND_QUERY: { id: batchIds[0], locationId: "gid://shopify/Location/1" },
  INVENTORY_ADJUST_MUTATION: { input: adjust.input, idempotencyKey: "6b1d1c2e-0000-5000-8000-000000000001" },
  INVENTORY_MOVE_MUTATION: { input: move.input, idempotencyKey: "6b1d1c2e-0000-5000-8000-000000000002" },
  TAGS_ADD_MUTATION: { id: "gid://shopify/Order/1", tags: ["Recall R-1"] },
  FLOW_TRIGGER_RECEIVE_MUTATION: { handle: "recall-opened", payload: { "Recall reference": "R-1", "Lots in scope": 1 } },
  BULK_ON_HAND_START_MUTATION: { query: admin.BULK_ON_HAND_QUERY },
  BULK_OPERATION_QUERY: { id: "gid://shopify/BulkOperation/1" },
  MARKDOWN_FIND_QUERY: { query: `title:'${markdownTitle(1n)}'` },
  MARKDOWN_CREATE_MUTATION: { automaticBasicDiscount: markdownDiscountInput(1n, 20, "2026-12-04T06:00:00Z") },
  MARKDOWN_UPDATE_MUTATION: { id: "gid://shopify/DiscountAutomaticNode/1", automaticBasicDiscount: markdownDiscountInput(1n, 40) },
  MARKDOWN_DELETE_MUTATION: { id: "gid://shopify/DiscountAutomaticNode/1" },
  ORDER_LOTS_QUERY: { id: "gid://shopify/Order/1", namespace: ORDER_LOTS_METAFIELD.namespace, key: ORDER_LOTS_METAFIELD.key },
  ORDER_LOTS_UPDATE_MUTATION: {
    input: {
      id: "gid://shopify/Order/1",
      customAttributes: [
        { key: "Gift note", value: "Happy birthday" },
        { key: "Lots", value: "OAT-1L: OAT-0925 x2" },
      ],
      metafields: [{ ...ORDER_LOTS_METAFIELD, value: JSON.stringify({ lines: [] }) }],
    },
  },
  FULFILLMENT_ORDERS_QUERY: { id: "gid://shopify/Order/1", after: "cursor" },
  FULFILLMENT_ORDER_LINES_QUERY: { id: "gid://shopify/FulfillmentOrder/1", after: "cursor" },
  FULFILLMENT_ORDER_ORDER_QUERY: { id: "gid://shopify/FulfillmentOrder/1" },
};
// Travels only as bulkOperationRunQuery's `query` variable: checked inside BULK_ON_HAND_START_MUTATION.
const bulkOnly = new Set(["BULK_ON_HAND_QUERY"]);

describe(`the app's Admin GraphQL documents against Shopify's schema ${API_VERSION}`, () => {
  it("finds every document the app sends", () => {
    expect(documents.map(([name]) => name).sort()).toEqual([...Object.keys(appVariables), ...bulkOnly].sort());
  });

  it.each(documents.filter(([name]) => !bulkOnly.has(name)))(
    "%s is accepted: valid, nothing deprecated, changeFromQuantity and @idempotent where required, cost <= 1,000",
    (name, query) => {
      const checked = checkAdminRequest(contract, { query, variables: appVariables[name] });
      expect(checked.ok ? "accepted" : checked.body).toBe("accepted");
      expect(checked.ok && checked.requestedCost).toBeLessThanOrEqual(SINGLE_QUERY_MAX_COST);
    },
  );

  it("the bulk query is checked as bulkOperationRunQuery's variable, and a broken one is refused the way Shopify does", () => {
    const broken = checkAdminRequest(contract, {
      query: admin.BULK_ON_HAND_START_MUTATION,
      variables: { query: admin.BULK_ON_HAND_QUERY.replace("quantity }", "quantity notAField }") },
    });
    expect(broken).toMatchObject({
      ok: false,
      body: {
        data: {
          bulkOperationRunQuery: { bulkOperation: null, userErrors: [{ field: ["query"], message: expect.stringMatching(/Cannot query field "notAField"/) }] },
        },
      },
    });
    const tooDeep = `{ products { edges { node { variants { edges { node { inventoryItem { inventoryLevels { edges { node { id } } } } } } } } } } }`;
    expect(checkAdminRequest(contract, { query: admin.BULK_ON_HAND_START_MUTATION, variables: { query: tooDeep } })).toMatchObject({
      ok: false,
      body: { data: { bulkOperationRunQuery: { userErrors: [{ message: "Bulk queries cannot contain connections with a nesting depth greater than 2." }] } } },
    });
  });

  it("the reconciliation read asks 78 points per item, 780 per batch; the old first: 50 asked 1,530 and is refused", () => {
    expect(cost(admin.ON_HAND_QUERY, { ids: batchIds.slice(0, 1) })).toBe(78);
    expect(cost(admin.ON_HAND_QUERY, { ids: batchIds })).toBe(780);
    expect(cost(admin.ON_HAND_PAGE_QUERY, { id: batchIds[0] })).toBe(153);
    const old = admin.ON_HAND_QUERY.replace("inventoryLevels(first: 25)", "inventoryLevels(first: 50)");
    expect(checkAdminRequest(contract, { query: old, variables: { ids: batchIds } })).toMatchObject({
      ok: false,
      body: { errors: [{ extensions: { code: "MAX_COST_EXCEEDED", cost: 1530, maxCost: 1000 } }] },
    });
  });

  it("the fulfillment orders read asks 278 points an order, its line pages 203; each the largest it can be under 1,000", () => {
    expect(cost(admin.FULFILLMENT_ORDERS_QUERY, { id: "gid://shopify/Order/1" })).toBe(278);
    expect(cost(admin.FULFILLMENT_ORDER_LINES_QUERY, { id: "gid://shopify/FulfillmentOrder/1" })).toBe(203);
    expect(cost(admin.FULFILLMENT_ORDER_ORDER_QUERY, { id: "gid://shopify/FulfillmentOrder/1" })).toBe(1);
    // Ten fulfillment orders of 50 lines in one page would ask 1,053: refused on a real store.
    const greedy = admin.FULFILLMENT_ORDERS_QUERY.replace("fulfillmentOrders(first: 5", "fulfillmentOrders(first: 10").replace(
      "lineItems(first: 25)",
      "lineItems(first: 50)",
    );
    expect(checkAdminRequest(contract, { query: greedy, variables: { id: "gid://shopify/Order/1" } })).toMatchObject({
      ok: false,
      body: { errors: [{ extensions: { code: "MAX_COST_EXCEEDED", cost: 1053 } }] },
    });
  });

  it("a move without changeFromQuantity on either side, and a mutation without @idempotent, are refused", () => {
    const { changeFromQuantity: _dropped, ...to } = move.input.changes[0]!.to;
    const withoutTo = { ...move.input, changes: [{ ...move.input.changes[0]!, to }] };
    expect(
      checkAdminRequest(contract, { query: admin.INVENTORY_MOVE_MUTATION, variables: { ...appVariables.INVENTORY_MOVE_MUTATION, input: withoutTo } }),
    ).toMatchObject({
      ok: false,
      body: {
        errors: [
          {
            message: "Variable $input.changes.0.to: InventoryMoveQuantityTerminalInput must include the following argument: changeFromQuantity",
            extensions: { code: "INVALID_FIELD_ARGUMENTS" },
          },
        ],
      },
    });
    const literal = `mutation { inventoryAdjustQuantities(input: { name: "available", reason: "correction", changes: [{ delta: 1, inventoryItemId: "gid://shopify/InventoryItem/1", locationId: "gid://shopify/Location/1" }] }) @idempotent(key: "k") { userErrors { message } } }`;
    expect(checkAdminRequest(contract, { query: literal })).toMatchObject({
      ok: false,
      body: { errors: [{ message: "InventoryChangeInput must include the following argument: changeFromQuantity" }] },
    });
    const noKey = admin.INVENTORY_ADJUST_MUTATION.replace(" @idempotent(key: $idempotencyKey)", "").replace(", $idempotencyKey: String!", "");
    expect(checkAdminRequest(contract, { query: noKey, variables: { input: adjust.input } })).toMatchObject({
      ok: false,
      body: { errors: [{ message: "The @idempotent directive is required for this mutation but was not provided.", extensions: { code: "BAD_REQUEST" } }] },
    });
  });
});

describe("the rules Shopify states in the schema's descriptions", () => {
  it("@idempotent is required on the inventory mutations and changeFromQuantity is mandatory on every inventory change", () => {
    expect([...contract.idempotentMutations]).toEqual(
      expect.arrayContaining(["inventoryAdjustQuantities", "inventoryMoveQuantities", "inventorySetQuantities"]),
    );
    expect(contract.mandatoryInputFields.get("InventoryChangeInput")).toEqual(["changeFromQuantity"]);
    expect(contract.mandatoryInputFields.get("InventoryMoveQuantityTerminalInput")).toEqual(["changeFromQuantity"]);
  });

  it('2025-10 predates both rules (its descriptions say "as of 2026-04"): read from the descriptions, not hard-coded', () => {
    const older = JSON.parse(gunzipSync(readFileSync(adminSchemaFile("2025-10"))).toString("utf8")) as { data: IntrospectionQuery };
    const rules = statedRules(older.data, "2025-10");
    expect(rules.idempotentMutations.has("inventoryMoveQuantities")).toBe(false);
    expect(rules.mandatoryInputFields.has("InventoryMoveQuantityTerminalInput")).toBe(false);
  });

  it("the schema is Shopify's own file for the pinned version", () => {
    expect(path.basename(adminSchemaFile(API_VERSION))).toBe(`admin_${API_VERSION}.json.gz`);
    expect(contract.schema.getDirective("idempotent")?.args.map((a) => a.name)).toEqual(["key"]);
  });
});

describe("Shopify's published cost calculation", () => {
  it("scalars 0, objects 1, connections 2 + first x node, lists sized by their list argument, mutations 10", () => {
    expect(cost("{ shop { id name } }")).toBe(1);
    // The published example: 2 + 10 x (1 + (2 + 5 x 1)) = 82.
    expect(cost("{ products(first: 10) { edges { node { title variants(first: 5) { edges { node { price } } } } } } }")).toBe(82);
    expect(cost("{ products(last: 3) { nodes { id } pageInfo { hasNextPage } } }")).toBe(5);
    expect(cost("query($n: Int!) { locations(first: $n) { nodes { id } } }", { n: 7 })).toBe(9);
    expect(cost(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: ["a", "b", "c"] })).toBe(3);
    expect(
      cost(
        `mutation { a: tagsAdd(id: "gid://shopify/Order/1", tags: ["x"]) { node { id } } b: tagsAdd(id: "gid://shopify/Order/2", tags: ["x"]) { node { id } } }`,
      ),
    ).toBe(20);
  });

  it("an interface or union costs its most expensive possible selection", () => {
    const q = `query($id: ID!) { node(id: $id) { id ... on Product { variants(first: 4) { nodes { id } } } ... on Location { address { city } } } }`;
    expect(cost(q, { id: "x" })).toBe(1 + 2 + 4);
  });

  it("the actual cost counts what came back: a short page, a null object", () => {
    const q = "{ locations(first: 50) { nodes { id } } shop { id } }";
    const doc = parse(q);
    expect(requestedQueryCost(contract.schema, doc)).toBe(53);
    expect(actualQueryCost(contract.schema, doc, { locations: { nodes: [{ id: "1" }, { id: "2" }] }, shop: { id: "s" } })).toBe(2 + 2 + 1);
    expect(actualQueryCost(contract.schema, doc, { locations: { nodes: [] }, shop: null })).toBe(2);
  });

  it("a connection needs first or last, at most 250", () => {
    expect(checkAdminRequest(contract, { query: "{ locations { nodes { id } } }" })).toMatchObject({
      ok: false,
      body: { errors: [{ message: expect.stringMatching(/you must provide one of first or last/) }] },
    });
    expect(checkAdminRequest(contract, { query: "{ locations(first: 251) { nodes { id } } }" })).toMatchObject({
      ok: false,
      body: { errors: [{ message: expect.stringMatching(/first cannot exceed 250/) }] },
    });
  });
});

describe("the leaky bucket of the standard plan", () => {
  it("holds 2,000 points, refills 100 a second, refuses a request it cannot cover and refunds the unused cost", () => {
    const bucket = new LeakyBucket(STANDARD_PLAN, 0);
    expect(bucket.status(0)).toEqual({ maximumAvailable: 2000, currentlyAvailable: 2000, restoreRate: 100 });
    expect(bucket.take(780, 0)).toBe(true);
    expect(bucket.take(780, 0)).toBe(true);
    expect(bucket.take(780, 0)).toBe(false); // 440 left
    expect(bucket.status(0).currentlyAvailable).toBe(440);
    expect(bucket.take(780, 3400)).toBe(true); // 440 + 3.4 s x 100 = 780
    bucket.refund(700, 3400);
    expect(bucket.status(3400).currentlyAvailable).toBe(700);
    expect(bucket.status(60_000).currentlyAvailable).toBe(2000); // never above the maximum
  });
});
