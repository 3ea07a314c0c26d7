// Verifying a webhook delivery the way @shopify/shopify-api's `webhooks.validate` (used by
// `authenticate.webhook`) does, on the raw bytes, without the offline-session lookup that
// authenticate.webhook adds (see docs/decisions/010-webhook-intake-fast-path.md). Pure: no I/O.
//
// Order of checks and answers (the library's, plus what it leaves to the route):
//   not POST -> 405 · body over the limit -> 413 · empty body or no HMAC header -> 400 ·
//   HMAC mismatch -> 401 · a required X-Shopify-* header missing -> 400 · body nested deeper than
//   MAX_JSON_DEPTH or not a JSON object -> 400.
import { createHmac, timingSafeEqual } from "node:crypto";

/** Headers the library requires on a webhook (besides the HMAC). */
export const REQUIRED_WEBHOOK_HEADERS = ["x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id"] as const;

export interface WebhookDelivery {
  webhookId: string;
  shopDomain: string;
  /** REST form, lower case: "orders/create". */
  topic: string;
  apiVersion: string;
  eventId: string | null;
  triggeredAt: Date | null;
  /** The exact body as received (stored as the payload). */
  body: string;
}

export type Verification = { ok: true; delivery: WebhookDelivery } | { ok: false; status: 400 | 401 | 405 | 413; reason: string };

export interface DeliveryInput {
  method: string;
  /** Header lookup, case-insensitive (Headers#get or a node IncomingMessage wrapper). */
  header(name: string): string | null | undefined;
  body: Buffer;
  secret: string;
  maxBytes: number;
}

/** True when the HMAC header is the base64 HMAC-SHA256 of the body keyed by the secret. */
export function hmacMatches(body: Buffer, hmacHeader: string, secret: string): boolean {
  const expected = createHmac("sha256", secret).update(body).digest();
  const given = Buffer.from(hmacHeader.trim(), "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/i;

/** Shopify sends the REST form ("orders/create"); the library's enum form ("ORDERS_CREATE") is not accepted here. */
export function normaliseTopic(topic: string): string {
  return topic.trim().toLowerCase();
}

export function verifyDelivery(input: DeliveryInput): Verification {
  if (input.method.toUpperCase() !== "POST") return { ok: false, status: 405, reason: "only POST is accepted" };
  if (input.body.length > input.maxBytes) return { ok: false, status: 413, reason: `body over ${input.maxBytes} bytes` };
  if (input.body.length === 0) return { ok: false, status: 400, reason: "empty body" };
  const hmac = input.header("x-shopify-hmac-sha256");
  if (!hmac) return { ok: false, status: 400, reason: "missing X-Shopify-Hmac-Sha256" };
  if (!hmacMatches(input.body, hmac, input.secret)) return { ok: false, status: 401, reason: "HMAC does not match" };
  const missing = REQUIRED_WEBHOOK_HEADERS.filter((name) => !input.header(name));
  if (missing.length > 0) return { ok: false, status: 400, reason: `missing ${missing.join(", ")}` };
  const shopDomain = input.header("x-shopify-shop-domain")!.trim().toLowerCase();
  if (!SHOP_DOMAIN.test(shopDomain)) return { ok: false, status: 400, reason: "X-Shopify-Shop-Domain is not a shop domain" };
  const body = input.body.toString("utf8");
  if (jsonDepthOver(body, MAX_JSON_DEPTH)) return { ok: false, status: 400, reason: `body nested deeper than ${MAX_JSON_DEPTH} levels` };
  if (!isJsonObject(body)) return { ok: false, status: 400, reason: "body is not a JSON object" };
  const triggered = input.header("x-shopify-triggered-at");
  const triggeredAt = triggered ? new Date(triggered) : null;
  return {
    ok: true,
    delivery: {
      webhookId: input.header("x-shopify-webhook-id")!.trim(),
      shopDomain,
      topic: normaliseTopic(input.header("x-shopify-topic")!),
      apiVersion: input.header("x-shopify-api-version")!.trim(),
      eventId: input.header("x-shopify-event-id")?.trim() || null,
      triggeredAt: triggeredAt && !Number.isNaN(triggeredAt.getTime()) ? triggeredAt : null,
      body,
    },
  };
}

/**
 * How deep a webhook body may nest. Shopify's deepest payloads (an order's line_items[].
 * tax_lines[].price_set.shop_money) are under 10 levels. A body of 300,000 nested arrays is
 * valid JSON that Postgres cannot store as jsonb ("stack depth limit exceeded"): refused as a bad
 * request (400, never retried) instead of an inbox outage (503, retried by Shopify for hours).
 */
export const MAX_JSON_DEPTH = 64;

/** True when the JSON text opens more than `max` arrays/objects at once (brackets in strings do not count). */
export function jsonDepthOver(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
