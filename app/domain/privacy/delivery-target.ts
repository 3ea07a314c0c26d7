// Compliance webhooks prove their target before anything is erased or exported. Pure.
// Shopify's HMAC covers the body only: X-Shopify-Topic and X-Shopify-Shop-Domain are not signed,
// so one captured delivery can be replayed under another topic or another shop's header. The
// compliance bodies name their shop themselves (shop_domain, shop_id), and each topic's body has
// its own keys (Shopify's samples: /work/shared/conformance/shopify-payloads), so the body must
// agree with the headers it arrived with (docs/decisions/091).
import { InvalidPayloadError } from "../webhooks/handler";

/** A verified delivery whose body does not prove the topic or shop of its headers: never retried, nothing changed. */
export class RefusedDeliveryError extends InvalidPayloadError {
  override name = "RefusedDeliveryError";
}

export const COMPLIANCE_TOPICS = ["customers/data_request", "customers/redact", "shop/redact"] as const;
export type ComplianceTopic = (typeof COMPLIANCE_TOPICS)[number];

/** Keys that only another compliance topic's body carries (customers/redact: orders_to_redact; data_request: orders_requested, data_request). */
const KEYS_OF_OTHER_TOPICS: Record<ComplianceTopic, Record<string, ComplianceTopic>> = {
  "shop/redact": {
    customer: "customers/redact",
    orders_to_redact: "customers/redact",
    orders_requested: "customers/data_request",
    data_request: "customers/data_request",
  },
  "customers/redact": { orders_requested: "customers/data_request", data_request: "customers/data_request" },
  "customers/data_request": { orders_to_redact: "customers/redact" },
};

function asShopifyId(value: unknown): bigint | null | "invalid" {
  if (value === undefined || value === null) return null;
  if (typeof value === "bigint") return value > 0n ? value : "invalid";
  if (typeof value === "number") return Number.isSafeInteger(value) && value > 0 ? BigInt(value) : "invalid";
  if (typeof value === "string" && /^\d{1,20}$/.test(value) && BigInt(value) > 0n) return BigInt(value);
  return "invalid";
}

/**
 * Why the body of a `topic` delivery does not prove it is for `headerShop`, in plain words, or
 * null when it does: its shop_domain is the header's shop, its shop_id (when present) is that
 * shop's Shopify id (when we know it), and it has none of the keys of another compliance topic.
 */
export function complianceTargetProblem(topic: ComplianceTopic, headerShop: string, payload: unknown, knownShopifyId: bigint | null): string | null {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return "the body is not a JSON object";
  const body = payload as Record<string, unknown>;
  const domain = body.shop_domain;
  if (typeof domain !== "string" || domain.trim() === "") {
    return `the body names no shop (no shop_domain), so it is not a ${topic} body: a delivery of another topic replayed under this topic`;
  }
  if (domain.trim().toLowerCase() !== headerShop.trim().toLowerCase()) {
    return `the body is for ${domain}, but the delivery's X-Shopify-Shop-Domain header names ${headerShop}`;
  }
  const shopId = asShopifyId(body.shop_id);
  if (shopId === "invalid") return `the body's shop_id ${JSON.stringify(String(body.shop_id))} is not a Shopify id`;
  if (shopId !== null && knownShopifyId !== null && shopId !== knownShopifyId) {
    return `the body's shop_id ${shopId} is not the Shopify id of ${headerShop} (${knownShopifyId})`;
  }
  const foreign = Object.keys(KEYS_OF_OTHER_TOPICS[topic]).filter((key) => key in body);
  if (foreign.length > 0) {
    const of = KEYS_OF_OTHER_TOPICS[topic][foreign[0]!]!;
    return `the body carries ${foreign.join(", ")}, so it is a ${of} body replayed as ${topic}`;
  }
  return null;
}

/**
 * Why an app/uninstalled body does not prove it is for `headerShop`, or null when it does: it is
 * the Shop resource, whose myshopify_domain is the header's shop and whose id (when we know the
 * shop's Shopify id) is that id. A replayed body of any other topic names no myshopify_domain.
 */
export function uninstallTargetProblem(headerShop: string, payload: unknown, knownShopifyId: bigint | null): string | null {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return "the body is not a JSON object";
  const body = payload as Record<string, unknown>;
  const domain = body.myshopify_domain;
  if (typeof domain !== "string" || domain.trim() === "") {
    return "the body names no shop (no myshopify_domain), so it is not an app/uninstalled body: a delivery of another topic replayed under this topic";
  }
  if (domain.trim().toLowerCase() !== headerShop.trim().toLowerCase()) {
    return `the body is for ${domain}, but the delivery's X-Shopify-Shop-Domain header names ${headerShop}`;
  }
  const shopId = asShopifyId(body.id);
  if (shopId === "invalid") return `the body's id ${JSON.stringify(String(body.id))} is not a Shopify id`;
  if (shopId !== null && knownShopifyId !== null && shopId !== knownShopifyId) {
    return `the body's id ${shopId} is not the Shopify id of ${headerShop} (${knownShopifyId})`;
  }
  return null;
}
