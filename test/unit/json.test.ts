import { describe, expect, it } from "vitest";
import { matchShopifyId } from "../../app/lib/json";

describe("Shopify ids typed by a person or sent by a block", () => {
  it("reads digits and GIDs, of the named type only when one is named", () => {
    expect(matchShopifyId("4521")).toBe(4521n);
    expect(matchShopifyId("gid://shopify/Order/4521")).toBe(4521n);
    expect(matchShopifyId("gid://shopify/Order/4521", "Order")).toBe(4521n);
    expect(matchShopifyId("4521", "ProductVariant")).toBe(4521n);
    expect(matchShopifyId("gid://shopify/Order/4521", "ProductVariant")).toBeNull();
    for (const bad of ["", "abc", "-1", "12a", "1".repeat(20), "gid://shopify/Order/", "gid://shopify/4521"]) expect(matchShopifyId(bad)).toBeNull();
  });
});
