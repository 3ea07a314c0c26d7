import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { complianceTargetProblem, uninstallTargetProblem } from "./delivery-target";

// Shopify's own sample bodies (their shop_domain is the placeholder "{shop}.myshopify.com").
const SAMPLES = path.resolve(import.meta.dirname, "..", "..", "..", "..", "shared", "conformance", "shopify-payloads");
const sample = (name: string) => JSON.parse(readFileSync(path.join(SAMPLES, `${name}.json`), "utf8")) as Record<string, unknown>;
const SHOP = "{shop}.myshopify.com";

describe("complianceTargetProblem", () => {
  it("accepts each of Shopify's sample bodies under its own topic and shop", () => {
    expect(complianceTargetProblem("shop/redact", SHOP, sample("shop-redact"), null)).toBeNull();
    expect(complianceTargetProblem("customers/redact", SHOP, sample("customers-redact"), 954889n)).toBeNull();
    expect(complianceTargetProblem("customers/data_request", SHOP.toUpperCase(), sample("customers-data_request"), null)).toBeNull();
  });

  it("refuses every sample body of another topic, and a body of another shop", () => {
    for (const other of ["orders-create", "app-uninstalled", "customers-redact", "customers-data_request"]) {
      expect(complianceTargetProblem("shop/redact", SHOP, sample(other), null), other).not.toBeNull();
    }
    expect(complianceTargetProblem("customers/redact", SHOP, sample("customers-data_request"), null)).toMatch(
      /customers\/data_request body replayed as customers\/redact/,
    );
    expect(complianceTargetProblem("customers/data_request", SHOP, sample("customers-redact"), null)).toMatch(/customers\/redact body replayed/);
    expect(complianceTargetProblem("customers/redact", SHOP, sample("orders-create"), null)).toMatch(/no shop_domain/);
    expect(complianceTargetProblem("shop/redact", "other.myshopify.com", sample("shop-redact"), null)).toMatch(/the body is for \{shop\}\.myshopify\.com/);
  });

  it("checks shop_id against the shop's known Shopify id, exactly beyond 2^53", () => {
    const big = { shop_domain: SHOP, shop_id: 9007199254740993n };
    expect(complianceTargetProblem("shop/redact", SHOP, big, 9007199254740993n)).toBeNull();
    expect(complianceTargetProblem("shop/redact", SHOP, big, 9007199254740992n)).toMatch(/shop_id 9007199254740993 is not the Shopify id/);
    expect(complianceTargetProblem("shop/redact", SHOP, { shop_domain: SHOP, shop_id: "12x" }, null)).toMatch(/is not a Shopify id/);
    expect(complianceTargetProblem("shop/redact", SHOP, { shop_domain: SHOP, shop_id: 1.5 }, null)).toMatch(/is not a Shopify id/);
  });
});

describe("uninstallTargetProblem", () => {
  const shopResource: Record<string, unknown> = { ...sample("app-uninstalled"), myshopify_domain: SHOP };

  it("accepts the Shop resource of the header's shop (Shopify's sample, with the domain a real delivery carries)", () => {
    expect(uninstallTargetProblem(SHOP, shopResource, null)).toBeNull();
    expect(uninstallTargetProblem(SHOP.toUpperCase(), shopResource, BigInt(shopResource.id as number))).toBeNull();
  });

  it("refuses a body of every other topic, another shop's resource, and an id that is not the shop's", () => {
    for (const other of ["orders-create", "fulfillments-create", "shop-redact", "customers-redact", "inventory_levels-update"]) {
      expect(uninstallTargetProblem(SHOP, sample(other), null), other).toMatch(/no myshopify_domain/);
    }
    expect(uninstallTargetProblem("other.myshopify.com", shopResource, null)).toMatch(/the body is for \{shop\}\.myshopify\.com/);
    expect(uninstallTargetProblem(SHOP, shopResource, 1n)).toMatch(/is not the Shopify id of/);
    expect(uninstallTargetProblem(SHOP, [], null)).toMatch(/not a JSON object/);
  });
});
