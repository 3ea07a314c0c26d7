// POST /webhooks through the real route: every refusal stores and queues nothing; a valid
// delivery is recorded once and queued once, with a job that carries the inbox id only.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callRoute, deliver, inboxCount, inboxRow, jobCounts, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { fixture, sign, webhookHeaders, webhookRequest } from "../helpers/webhooks";
import { uniqueShopDomain } from "../helpers/shops";
import { getQueue, jobIdFor, QUEUE_NAMES, closeQueues } from "../../app/lib/queues.server";
import { env } from "../../app/env.server";

useOwnQueuePrefix();

const order = fixture("orders-create");

async function nothingStoredOrQueued(shop: string) {
  expect(await inboxCount(shop)).toBe(0);
  const counts = await jobCounts();
  expect(counts.waiting + counts.delayed + counts.active).toBe(0);
}

describe("POST /webhooks refusals store nothing", () => {
  beforeAll(async () => {
    await getQueue(QUEUE_NAMES.webhooks).obliterate({ force: true });
  });
  afterAll(async () => {
    await closeQueues();
  });

  it("answers 401 to a bad HMAC (compliance topics included)", async () => {
    const shop = uniqueShopDomain("hmac");
    for (const topic of ["orders/create", "customers/redact", "customers/data_request", "shop/redact"]) {
      const { status } = await deliver({ topic, shop, body: order, secret: "not-the-secret" });
      expect(status).toBe(401);
    }
    await nothingStoredOrQueued(shop);
  });

  it("answers 401 when the body was changed after signing", async () => {
    const shop = uniqueShopDomain("tamper");
    const raw = JSON.stringify(order);
    const headers = webhookHeaders({ topic: "orders/create", shop, body: order }, raw);
    const response = await callRoute(new Request("https://lotkeeper.test/webhooks", { method: "POST", headers, body: raw.replace("1042", "1043") }));
    expect(response.status).toBe(401);
    await nothingStoredOrQueued(shop);
  });

  it.each(["X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-API-Version", "X-Shopify-Webhook-Id", "X-Shopify-Hmac-Sha256"])(
    "answers 400 when %s is missing",
    async (header) => {
      const shop = uniqueShopDomain("headers");
      const raw = JSON.stringify(order);
      const headers = webhookHeaders({ topic: "orders/create", shop, body: order }, raw);
      delete headers[header];
      const response = await callRoute(new Request("https://lotkeeper.test/webhooks", { method: "POST", headers, body: raw }));
      expect(response.status).toBe(400);
      await nothingStoredOrQueued(shop);
    },
  );

  it("answers 400 to a correctly signed body that is not JSON", async () => {
    const shop = uniqueShopDomain("notjson");
    for (const body of ["not json {", "[1,2,3]", '"text"']) {
      const { status } = await deliver({ topic: "orders/create", shop, body });
      expect(status).toBe(400);
    }
    await nothingStoredOrQueued(shop);
  });

  it("answers 400 to JSON that Postgres cannot store (NUL character)", async () => {
    const shop = uniqueShopDomain("nul");
    const { status } = await deliver({ topic: "orders/create", shop, body: '{"id": 1, "note": "a\\u0000b"}' });
    expect(status).toBe(400);
    await nothingStoredOrQueued(shop);
  });

  it("answers 405 to anything but POST", async () => {
    const shop = uniqueShopDomain("method");
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      const raw = JSON.stringify(order);
      const headers = webhookHeaders({ topic: "orders/create", shop, body: order }, raw);
      const response = await callRoute(new Request("https://lotkeeper.test/webhooks", { method, headers, body: raw }));
      expect(response.status).toBe(405);
    }
    const { loader } = await import("../../app/routes/webhooks");
    expect((loader() as Response).status).toBe(405);
    await nothingStoredOrQueued(shop);
  });

  it("answers 413 to a body over WEBHOOK_MAX_BYTES, signed or not", async () => {
    const shop = uniqueShopDomain("big");
    const big = { ...order, note: "x".repeat(env().WEBHOOK_MAX_BYTES) };
    const { status } = await deliver({ topic: "orders/create", shop, body: big });
    expect(status).toBe(413);
    // Without a Content-Length (chunked): the limit holds while streaming.
    const raw = JSON.stringify(big);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < raw.length; i += 65536) controller.enqueue(new TextEncoder().encode(raw.slice(i, i + 65536)));
        controller.close();
      },
    });
    const headers = webhookHeaders({ topic: "orders/create", shop, body: big }, raw);
    const response = await callRoute(new Request("https://lotkeeper.test/webhooks", { method: "POST", headers, body: stream, duplex: "half" } as RequestInit));
    expect(response.status).toBe(413);
    await nothingStoredOrQueued(shop);
  });
});

describe("POST /webhooks accepts a valid delivery once", () => {
  it("records the delivery, queues one job whose data is the inbox id only, answers 200", async () => {
    const shop = uniqueShopDomain("valid");
    const webhookId = randomUUID();
    const { status } = await deliver({ topic: "orders/create", shop, body: order, webhookId });
    expect(status).toBe(200);
    const row = await inboxRow(webhookId);
    expect(row).toMatchObject({ shop_domain: shop, topic: "orders/create", status: "PENDING", attempts: 0 });
    const job = await getQueue(QUEUE_NAMES.webhooks).getJob(jobIdFor("wh", webhookId));
    expect(job?.data).toEqual({ eventId: String(row!.id) });
    expect(JSON.stringify(job?.data)).not.toContain("@");
  });

  it("answers 200 to a duplicate and neither stores nor queues anything new", async () => {
    const shop = uniqueShopDomain("dup");
    const webhookId = randomUUID();
    const first = await deliver({ topic: "orders/create", shop, body: order, webhookId });
    const before = await jobCounts();
    const again = await deliver({ topic: "orders/create", shop, body: order, webhookId });
    const third = await deliver({ topic: "orders/create", shop, body: { ...order, note: "changed" }, webhookId });
    expect([first.status, again.status, third.status]).toEqual([200, 200, 200]);
    expect(await inboxCount(shop)).toBe(1);
    expect(await jobCounts()).toEqual(before);
  });

  it("records and queues once when the same delivery arrives several times at the same moment", async () => {
    const shop = uniqueShopDomain("race");
    const webhookId = randomUUID();
    const before = await jobCounts();
    const statuses = await Promise.all(Array.from({ length: 6 }, () => deliver({ topic: "orders/create", shop, body: order, webhookId })));
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await inboxCount(shop)).toBe(1);
    expect((await jobCounts()).waiting).toBe(before.waiting + 1);
  });

  it("accepts the raw bytes Shopify signed, whatever the key order or spacing", async () => {
    const shop = uniqueShopDomain("raw");
    const raw = '{ "id" : 5821378420099,\n  "name": "#2000" }';
    const headers = { ...webhookHeaders({ topic: "orders/updated", shop, body: raw }, raw), "X-Shopify-Hmac-Sha256": sign(raw) };
    const response = await callRoute(new Request("https://lotkeeper.test/webhooks", { method: "POST", headers, body: raw }));
    expect(response.status).toBe(200);
    expect(await inboxCount(shop)).toBe(1);
  });

  it("records a topic that has no handler yet (nothing is dropped)", async () => {
    const shop = uniqueShopDomain("unhandled");
    const response = await callRoute(webhookRequest({ topic: "inventory_levels/update", shop, body: fixture("inventory-levels-update") }));
    expect(response.status).toBe(200);
    expect(await inboxCount(shop)).toBe(1);
  });
});
