// The route verifies deliveries itself (no session lookup on the hot path, see
// docs/decisions/010-webhook-intake-fast-path.md). This pins that it answers exactly as
// shopify.authenticate.webhook does for every case the library decides, and documents where
// the route goes further (a body that is not JSON: the library throws, we answer 400).
import { describe, expect, it } from "vitest";
import { callRoute, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { webhookHeaders } from "../helpers/webhooks";
import { uniqueShopDomain } from "../helpers/shops";
import { authenticate } from "../../app/shopify.server";

useOwnQueuePrefix();

async function libraryStatus(request: Request): Promise<number | Record<string, unknown>> {
  try {
    const context = await authenticate.webhook(request);
    return { shop: context.shop, topic: context.topic, webhookId: context.webhookId, apiVersion: context.apiVersion };
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    return 500;
  }
}

function build(shop: string, opts: { method?: string; body?: string; secret?: string; drop?: string } = {}) {
  const body = opts.body ?? JSON.stringify({ id: 1, name: "#1" });
  const headers = webhookHeaders(
    { topic: "orders/create", shop, body, secret: opts.secret, webhookId: `parity-${shop}-${opts.drop ?? ""}-${opts.secret ?? ""}-${opts.method ?? ""}` },
    body,
  );
  if (opts.drop) delete headers[opts.drop];
  const method = opts.method ?? "POST";
  return () => new Request("https://lotkeeper.test/webhooks", { method, headers, body: method === "GET" || method === "HEAD" ? undefined : body });
}

describe("the route answers as authenticate.webhook does", () => {
  const shop = uniqueShopDomain("parity");
  const cases: Array<[string, ReturnType<typeof build>]> = [
    ["a bad HMAC", build(shop, { secret: "other" })],
    ["no HMAC header", build(shop, { drop: "X-Shopify-Hmac-Sha256" })],
    ["no topic", build(shop, { drop: "X-Shopify-Topic" })],
    ["no shop domain", build(shop, { drop: "X-Shopify-Shop-Domain" })],
    ["no API version", build(shop, { drop: "X-Shopify-API-Version" })],
    ["no webhook id", build(shop, { drop: "X-Shopify-Webhook-Id" })],
    ["a GET", build(shop, { method: "GET" })],
    ["a PUT", build(shop, { method: "PUT" })],
    ["an empty body", build(shop, { body: "" })],
  ];
  it.each(cases)("for %s", async (_name, make) => {
    const library = await libraryStatus(make());
    const route = (await callRoute(make())).status;
    expect(typeof library).toBe("number");
    expect(route).toBe(library);
  });

  it("accepts what the library accepts, reading the same shop, webhook id and API version", async () => {
    const make = build(uniqueShopDomain("parity-ok"));
    const library = (await libraryStatus(make())) as Record<string, unknown>;
    expect(library).toMatchObject({ topic: "ORDERS_CREATE" });
    const request = make();
    expect((await callRoute(request)).status).toBe(200);
    const { inboxRow } = await import("../helpers/webhook-pipeline");
    const row = await inboxRow(String(library.webhookId));
    expect(row).toMatchObject({ shop_domain: library.shop, topic: "orders/create" });
  });

  it("answers 400 where the library would fail with 500 (signed body that is not JSON)", async () => {
    const make = build(uniqueShopDomain("parity-json"), { body: "not json" });
    expect(await libraryStatus(make())).toBe(500);
    expect((await callRoute(make())).status).toBe(400);
  });
});
