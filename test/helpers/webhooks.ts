// Webhooks as Shopify sends them: the exact body bytes signed with the app secret (HMAC-SHA256,
// base64) and the X-Shopify-* headers the library requires.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

export const TEST_SECRET = "test-api-secret";

export function sign(body: string, secret = TEST_SECRET): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

export interface WebhookOptions {
  topic: string;
  shop: string;
  body: unknown;
  webhookId?: string;
  secret?: string;
  apiVersion?: string;
  eventId?: string;
  triggeredAt?: string;
  url?: string;
  headers?: Record<string, string>;
}

export function webhookHeaders(options: WebhookOptions, raw: string): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "X-Shopify-Topic": options.topic,
    "X-Shopify-Hmac-Sha256": sign(raw, options.secret),
    "X-Shopify-Shop-Domain": options.shop,
    "X-Shopify-API-Version": options.apiVersion ?? "2026-10",
    "X-Shopify-Webhook-Id": options.webhookId ?? randomUUID(),
    "X-Shopify-Triggered-At": options.triggeredAt ?? new Date().toISOString(),
    "X-Shopify-Event-Id": options.eventId ?? randomUUID(),
    "User-Agent": "Shopify-Captain-Hook",
    ...options.headers,
  };
}

/** A signed webhook Request for calling the route's action directly or fetch() against a server. */
export function webhookRequest(options: WebhookOptions): Request {
  const raw = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  return new Request(options.url ?? "https://lotkeeper.test/webhooks", {
    method: "POST",
    headers: webhookHeaders(options, raw),
    body: raw,
  });
}

const FIXTURES = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "fixtures", "webhooks");

/** A body from ../shared/fixtures/webhooks (or test/fixtures when shared/ is absent). */
export function fixture<T = Record<string, unknown>>(name: string): T {
  const candidates = [path.join(FIXTURES, `${name}.json`), path.resolve(import.meta.dirname, "..", "fixtures", "webhooks", `${name}.json`)];
  for (const file of candidates) {
    try {
      return JSON.parse(readFileSync(file, "utf8")) as T;
    } catch {
      // try the next place
    }
  }
  throw new Error(`fixture ${name} not found`);
}
