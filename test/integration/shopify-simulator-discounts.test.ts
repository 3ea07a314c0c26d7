// The simulated store answers the markdown documents (decision 113) as Shopify does, so a preview
// shop with markdowns on gets its automatic discounts instead of failed changes.
import { afterAll, describe, expect, it } from "vitest";
import { executeAdminGraphql, resetSimulatedStore, simulatedDiscounts } from "../../app/preview/shopify-simulator.server";
import { MARKDOWN_CREATE_MUTATION, MARKDOWN_DELETE_MUTATION, MARKDOWN_FIND_QUERY, MARKDOWN_UPDATE_MUTATION } from "../../app/lib/shopify-admin.server";
import { markdownDiscountInput, markdownTitle } from "../../app/domain/expiry/markdown-rules";
import { uniqueShopDomain } from "../helpers/shops";

const shop = uniqueShopDomain("sim-discounts");
const otherShop = uniqueShopDomain("sim-discounts-other");

describe("Shopify simulator: automatic discounts", () => {
  afterAll(async () => {
    await resetSimulatedStore(shop);
    await resetSimulatedStore(otherShop);
  });

  it("creates, finds by title, updates and deletes a variant's markdown, for its shop only", async () => {
    const run = async (query: string, variables: Record<string, unknown>) => {
      const r = await executeAdminGraphql(shop, { query, variables });
      expect(r.errors).toBeUndefined();
      return r.data as Record<string, { automaticDiscountNode?: { id: string }; nodes?: { id: string }[]; userErrors?: unknown[] }>;
    };
    const created = await run(MARKDOWN_CREATE_MUTATION, { automaticBasicDiscount: markdownDiscountInput(7n, 20, "2026-12-04T06:00:00Z") });
    const id = created.discountAutomaticBasicCreate!.automaticDiscountNode!.id;
    const found = await run(MARKDOWN_FIND_QUERY, { query: `title:'${markdownTitle(7n)}'` });
    expect(found.discountNodes!.nodes!.map((n) => n.id)).toEqual([id]);
    await run(MARKDOWN_UPDATE_MUTATION, { id, automaticBasicDiscount: markdownDiscountInput(7n, 40) });
    expect(await simulatedDiscounts(shop)).toEqual([{ id, title: markdownTitle(7n), percentage: 0.4, variants: ["gid://shopify/ProductVariant/7"] }]);
    expect(await simulatedDiscounts(otherShop)).toEqual([]);
    await run(MARKDOWN_DELETE_MUTATION, { id });
    expect(await simulatedDiscounts(shop)).toEqual([]);
  });
});
