// The pure verification rules of POST /webhooks (app/domain/webhooks/verify.ts).
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hmacMatches, verifyDelivery, type DeliveryInput } from "../../app/domain/webhooks/verify";
import { parsePayload } from "../../app/domain/webhooks/payload";

const SECRET = "unit-secret";
const body = Buffer.from('{"id":1,"name":"#1"}');
const sign = (b: Buffer, secret = SECRET) => createHmac("sha256", secret).update(b).digest("base64");

function input(overrides: Partial<DeliveryInput> & { headers?: Record<string, string | undefined> } = {}): DeliveryInput {
  const b = overrides.body ?? body;
  const headers: Record<string, string | undefined> = {
    "x-shopify-hmac-sha256": sign(b),
    "x-shopify-topic": "orders/create",
    "x-shopify-shop-domain": "demo.myshopify.com",
    "x-shopify-api-version": "2026-10",
    "x-shopify-webhook-id": "wh-1",
    "x-shopify-triggered-at": "2026-11-26T10:00:00Z",
    ...overrides.headers,
  };
  return { method: "POST", header: (n) => headers[n.toLowerCase()], body: b, secret: SECRET, maxBytes: 1024, ...overrides };
}

describe("verifyDelivery", () => {
  it("accepts a signed delivery and reads its headers", () => {
    const result = verifyDelivery(input({ headers: { "x-shopify-topic": "ORDERS/Create ", "x-shopify-shop-domain": "Demo.myshopify.com" } }));
    expect(result).toEqual({
      ok: true,
      delivery: {
        webhookId: "wh-1",
        shopDomain: "demo.myshopify.com",
        topic: "orders/create",
        apiVersion: "2026-10",
        eventId: null,
        triggeredAt: new Date("2026-11-26T10:00:00Z"),
        body: body.toString(),
      },
    });
  });

  it.each([
    ["GET", 405],
    ["put", 405],
  ])("refuses method %s with %i", (method, status) => {
    expect(verifyDelivery(input({ method }))).toMatchObject({ ok: false, status });
  });

  it("refuses a body over the limit with 413 before checking anything else", () => {
    const big = Buffer.alloc(1025, "a");
    expect(verifyDelivery(input({ body: big, headers: { "x-shopify-hmac-sha256": "nonsense" } }))).toMatchObject({ ok: false, status: 413 });
    expect(verifyDelivery(input({ body: Buffer.from(`{"a":"${"x".repeat(1015)}"}`) }))).toMatchObject({ ok: true });
  });

  it("answers 401 to a wrong secret, a changed body, or an HMAC of the wrong length", () => {
    expect(verifyDelivery(input({ headers: { "x-shopify-hmac-sha256": sign(body, "other") } }))).toMatchObject({ ok: false, status: 401 });
    expect(verifyDelivery(input({ body: Buffer.from('{"id":2,"name":"#1"}'), headers: { "x-shopify-hmac-sha256": sign(body) } }))).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(verifyDelivery(input({ headers: { "x-shopify-hmac-sha256": "YWJj" } }))).toMatchObject({ ok: false, status: 401 });
  });

  it("answers 400 to an empty body, a missing HMAC, a missing required header, a bad shop domain, or a body that is not a JSON object", () => {
    expect(verifyDelivery(input({ body: Buffer.alloc(0) }))).toMatchObject({ ok: false, status: 400, reason: "empty body" });
    expect(verifyDelivery(input({ headers: { "x-shopify-hmac-sha256": undefined } }))).toMatchObject({ ok: false, status: 400 });
    for (const h of ["x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id"]) {
      expect(verifyDelivery(input({ headers: { [h]: undefined } }))).toMatchObject({ ok: false, status: 400, reason: `missing ${h}` });
    }
    expect(verifyDelivery(input({ headers: { "x-shopify-shop-domain": "../../etc" } }))).toMatchObject({ ok: false, status: 400 });
    for (const text of ["nope", "[]", "null", "42"]) {
      const b = Buffer.from(text);
      expect(verifyDelivery(input({ body: b, headers: { "x-shopify-hmac-sha256": sign(b) } }))).toMatchObject({ ok: false, status: 400 });
    }
  });

  it("checks the HMAC before the other headers, as the library does (an unsigned probe learns nothing)", () => {
    expect(verifyDelivery(input({ headers: { "x-shopify-hmac-sha256": sign(body, "x"), "x-shopify-topic": undefined } }))).toMatchObject({ status: 401 });
  });

  it("ignores a malformed X-Shopify-Triggered-At instead of refusing the delivery", () => {
    const result = verifyDelivery(input({ headers: { "x-shopify-triggered-at": "yesterday" } }));
    expect(result.ok && result.delivery.triggeredAt).toBeNull();
  });

  it("hmacMatches compares the exact bytes", () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0x7d]);
    expect(hmacMatches(bytes, sign(bytes), SECRET)).toBe(true);
    expect(hmacMatches(bytes, sign(Buffer.from(bytes.toString("utf8"))), SECRET)).toBe(false);
  });
});

describe("parsePayload", () => {
  it("keeps integers beyond 2^53 exact as bigint and leaves the rest as JSON.parse does", () => {
    const parsed = parsePayload('{"id": 9007199254740993, "small": 42, "price": "12.99", "ratio": 0.5, "list": [18446744073709551615]}') as Record<
      string,
      unknown
    >;
    expect(parsed).toEqual({ id: 9007199254740993n, small: 42, price: "12.99", ratio: 0.5, list: [18446744073709551615n] });
  });
});
