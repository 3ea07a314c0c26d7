// The simulated store answers flowTriggerReceive (decision 109) as a shop with Flow does, so the
// demo's recall fires its Flow triggers instead of failing them; the triggers are kept per shop.
import { afterAll, describe, expect, it } from "vitest";
import { executeAdminGraphql, resetSimulatedStore, simulatedFlowTriggers } from "../../app/preview/shopify-simulator.server";
import { FLOW_TRIGGER_RECEIVE_MUTATION } from "../../app/lib/shopify-admin.server";
import { uniqueShopDomain } from "../helpers/shops";

const shop = uniqueShopDomain("sim-flow");
const otherShop = uniqueShopDomain("sim-flow-other");

describe("Shopify simulator: Flow triggers", () => {
  afterAll(async () => {
    await resetSimulatedStore(shop);
    await resetSimulatedStore(otherShop);
  });

  it("accepts the app's trigger document and keeps each trigger for its shop only", async () => {
    const payload = { "Recall reference": "R-7", "Lots in scope": 2 };
    const r = await executeAdminGraphql(shop, { query: FLOW_TRIGGER_RECEIVE_MUTATION, variables: { handle: "recall-opened", payload } });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ flowTriggerReceive: { userErrors: [] } });
    expect(await simulatedFlowTriggers(shop)).toEqual([{ handle: "recall-opened", payload }]);
    expect(await simulatedFlowTriggers(otherShop)).toEqual([]);
  });
});
