// Delivers a webhook to the app's own /webhooks over HTTP exactly as Shopify does: the raw body
// signed with the app's secret (HMAC-SHA256, base64) and the X-Shopify-* headers.
import { createHmac, randomUUID } from "node:crypto";

export interface Delivery {
  baseUrl: string;
  shop: string;
  secret: string;
  topic: string;
  /** The exact body bytes (a redelivery repeats them). */
  raw: string;
  webhookId?: string;
}

export async function deliverWebhook(d: Delivery): Promise<Response> {
  return fetch(`${d.baseUrl}/webhooks`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": d.topic,
      "X-Shopify-Hmac-Sha256": createHmac("sha256", d.secret).update(d.raw, "utf8").digest("base64"),
      "X-Shopify-Shop-Domain": d.shop,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Webhook-Id": d.webhookId ?? randomUUID(),
      "X-Shopify-Triggered-At": new Date().toISOString(),
      "X-Shopify-Event-Id": randomUUID(),
      "User-Agent": "Shopify-Captain-Hook",
    },
    body: d.raw,
  });
}
