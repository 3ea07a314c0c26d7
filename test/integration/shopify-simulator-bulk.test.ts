// The demo's Shopify answers reconciliation's bulk query as Shopify does: the app's own documents,
// an operation id scoped to the shop, and a JSONL result the app's parser reads.
import { afterAll, describe, expect, it } from "vitest";
import {
  changeSimulatedQuantity,
  executeAdminGraphql,
  resetSimulatedStore,
  seedSimulatedStore,
  simulatedBulkResultResponse,
} from "../../app/preview/shopify-simulator.server";
import { BULK_ON_HAND_QUERY, BULK_ON_HAND_START_MUTATION, BULK_OPERATION_QUERY, parseBulkOnHandLine } from "../../app/lib/shopify-admin.server";
import { uniqueShopDomain } from "../helpers/shops";

const shop = uniqueShopDomain("sim-bulk");
const other = uniqueShopDomain("sim-bulk-other");

describe("Shopify simulator: bulk query of on_hand", () => {
  afterAll(async () => {
    await resetSimulatedStore(shop);
    await resetSimulatedStore(other);
  });

  it("runs bulkOperationRunQuery, reports it COMPLETED with a URL, and serves the levels as JSONL", async () => {
    await seedSimulatedStore(shop, {
      locations: [
        { id: "601", name: "Depot" },
        { id: "602", name: "Shop" },
      ],
      variants: [
        { id: "401", productId: "301", productTitle: "Sage honey", title: "Default Title", sku: "HONEY", barcode: null, inventoryItemId: "501" },
        { id: "402", productId: "302", productTitle: "Oat milk", title: "Default Title", sku: "OAT", barcode: null, inventoryItemId: "502" },
      ],
    });
    await changeSimulatedQuantity(shop, "501", "601", "available", 7);
    await changeSimulatedQuantity(shop, "501", "601", "quality_control", 2);
    await changeSimulatedQuantity(shop, "502", "602", "available", 4);
    const started = await executeAdminGraphql(shop, { query: BULK_ON_HAND_START_MUTATION, variables: { query: BULK_ON_HAND_QUERY } });
    expect(started.errors).toBeUndefined();
    const operation = (started.data as { bulkOperationRunQuery: { bulkOperation: { id: string; status: string }; userErrors: unknown[] } })
      .bulkOperationRunQuery;
    expect(operation).toMatchObject({ userErrors: [], bulkOperation: { status: "CREATED" } });
    expect(operation.bulkOperation.id).toMatch(/^gid:\/\/shopify\/BulkOperation\/\d+$/);

    const state = await executeAdminGraphql(shop, { query: BULK_OPERATION_QUERY, variables: { id: operation.bulkOperation.id } });
    const view = (state.data as { bulkOperation: { status: string; url: string; objectCount: string } }).bulkOperation;
    expect(view).toMatchObject({ status: "COMPLETED", objectCount: "6" });
    const response = await simulatedBulkResultResponse(view.url);
    expect(response.status).toBe(200);
    const levels = (await response.text())
      .split("\n")
      .filter(Boolean)
      .map((line, i) => parseBulkOnHandLine(line, i + 1))
      .filter((l) => l !== null);
    expect(levels.map((l) => [l.inventoryItemId, l.locationId, l.onHand])).toEqual([
      [501n, 601n, 9],
      [501n, 602n, 0],
      [502n, 601n, 0],
      [502n, 602n, 4],
    ]);

    // Another shop cannot see the operation or its result.
    const foreign = await executeAdminGraphql(other, { query: BULK_OPERATION_QUERY, variables: { id: operation.bulkOperation.id } });
    expect(foreign.data).toEqual({ bulkOperation: null });
    expect((await simulatedBulkResultResponse(view.url.replace(encodeURIComponent(shop), encodeURIComponent(other)))).status).toBe(404);
  });

  it("refuses a bulk query it does not simulate", async () => {
    const started = await executeAdminGraphql(shop, { query: BULK_ON_HAND_START_MUTATION, variables: { query: "{ products { edges { node { id } } } }" } });
    expect(started.data).toMatchObject({ bulkOperationRunQuery: { bulkOperation: null, userErrors: [{ code: "INVALID" }] } });
  });
});
