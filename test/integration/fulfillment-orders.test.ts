// Where Shopify will fulfil each line (decision 101): orders/create and the fulfillment_orders/*
// topics, delivered signed through the real route and worker, queue a read of the order's
// fulfillment orders that the real maintenance worker stores; the reservations read the result
// with assignedLocationsOf. Shopify is the msw store of test/helpers/fulfillment-orders-shopify.ts,
// behind Shopify's front door (schema, cost, leaky bucket).
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { deliver, eventually, jobCounts, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { createTestShop } from "../helpers/shops";
import { newId } from "../helpers/factories";
import { fixture } from "../helpers/webhooks";
import { shopifySampleBody, webhookApiVersion } from "../helpers/shopify-samples";
import { adminRequests, graphql, HttpResponse, resetAdminRequests, server } from "../helpers/shopify-mock";
import { mockFulfillmentOrders, type FulfillmentOrderStore, type MockFulfillmentOrder } from "../helpers/fulfillment-orders-shopify";
import { pool, prisma } from "../../app/db.server";
import { closeQueues, getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import {
  FULFILLMENT_ORDERS_REFRESH_JOB,
  refreshFulfillmentOrders,
  sweepFulfillmentOrderRequests,
} from "../../app/domain/fulfillment-orders/fulfillment-orders.server";
import { assignedLocationsOf } from "../../app/domain/fulfillment-orders/assigned-locations.server";

useOwnQueuePrefix();
afterAll(async () => {
  await getQueue(QUEUE_NAMES.maintenance).obliterate({ force: true });
  await closeQueues();
});

const store: FulfillmentOrderStore = new Map();
beforeEach(() => {
  mockFulfillmentOrders(store);
  resetAdminRequests();
});

/** Runs the real worker of the maintenance queue until nothing is waiting there; fails on a failed job. */
async function processMaintenanceQueue(): Promise<void> {
  const { createQueueWorker } = await import("../../workers/main");
  const worker = createQueueWorker(QUEUE_NAMES.maintenance, { concurrency: 2 });
  try {
    await eventually(async () => {
      const c = await jobCounts(QUEUE_NAMES.maintenance);
      return c.waiting + c.active + c.delayed + c.prioritized === 0;
    }, "the maintenance queue to drain").catch(async (e: unknown) => {
      const jobs = await getQueue(QUEUE_NAMES.maintenance).getJobs(["waiting", "active", "delayed", "prioritized", "failed"]);
      throw new Error(
        `${(e as Error).message}: ${JSON.stringify(await Promise.all(jobs.map(async (j) => [j.name, await j.getState(), j.failedReason, j.data])))}`,
      );
    });
  } finally {
    await worker.close();
  }
  const failed = await getQueue(QUEUE_NAMES.maintenance).getJobs(["failed"]);
  expect(failed.map((j) => j.failedReason)).toEqual([]);
}

function orderBody(orderId: bigint, lineIds: bigint[]) {
  const base = fixture<Record<string, unknown> & { line_items: Record<string, unknown>[] }>("orders-create");
  return { ...base, id: Number(orderId), line_items: base.line_items.map((l, i) => ({ ...l, id: Number(lineIds[i]) })) };
}

function fo(
  orderId: bigint,
  locationId: bigint | null,
  lines: [lineItemId: bigint, total: number, remaining?: number][],
  more: Partial<MockFulfillmentOrder> = {},
) {
  return {
    id: newId(),
    orderId,
    locationId,
    status: "OPEN" as const,
    updatedAt: "2026-12-04T09:00:00Z",
    lines: lines.map(([lineItemId, total, remaining]) => ({ id: newId(), lineItemId, total, remaining: remaining ?? total })),
    ...more,
  };
}

async function storedOf(shopId: number, orderId: bigint) {
  const r = await pool().query<{ id: bigint; location: bigint | null; status: string; lines: number }>(
    `select f.id, f.assigned_location_id as location, f.status, (select count(*)::int from fulfillment_order_lines l where l.shop_id = f.shop_id and l.fulfillment_order_id = f.id) as lines
     from fulfillment_orders f where f.shop_id = $1 and f.order_id = $2 order by f.id`,
    [shopId, orderId],
  );
  return r.rows;
}

async function requestsOf(shopId: number): Promise<number> {
  const r = await pool().query<{ n: number }>("select count(*)::int as n from fulfillment_order_requests where shop_id = $1", [shopId]);
  return r.rows[0]!.n;
}

/** Shopify's own sample body of a topic with our ids put into it (the shape as Shopify sends it). */
function sample(topic: string, replace: Record<string, string>): string {
  let text = shopifySampleBody(topic, webhookApiVersion()).text;
  for (const [from, to] of Object.entries(replace)) text = text.replaceAll(from, to);
  return text;
}

describe("an order's fulfillment orders, read on orders/create", () => {
  it("stores where Shopify will fulfil each line, split lines per location; the reservations read the open units", async () => {
    const shop = await createTestShop("fo-create");
    const [orderId, line1, line2, berlin, munich] = [newId(), newId(), newId(), newId(), newId()];
    // Line 1 (2 units) is split: 1 at Berlin, 1 at Munich; line 2 at Berlin. A closed and a cancelled one plan nothing.
    store.set(shop.domain, [
      fo(orderId, berlin, [
        [line1, 1],
        [line2, 1],
      ]),
      fo(orderId, munich, [[line1, 1]], { status: "IN_PROGRESS" }),
      fo(orderId, munich, [[line2, 1, 0]], { status: "CLOSED" }),
      fo(orderId, newId(), [[line2, 1]], { status: "CANCELLED" }),
    ]);
    const { status } = await deliver({ topic: "orders/create", shop: shop.domain, body: orderBody(orderId, [line1, line2]) });
    expect(status).toBe(200);
    await processWebhookQueue();
    await processMaintenanceQueue();

    expect((await storedOf(shop.id, orderId)).map((f) => [f.location, f.status, f.lines])).toEqual([
      [berlin, "OPEN", 2],
      [munich, "IN_PROGRESS", 1],
      [munich, "CLOSED", 1],
      [expect.any(BigInt), "CANCELLED", 1],
    ]);
    expect(await assignedLocationsOf(pool(), shop.id, orderId)).toEqual([
      { lineItemId: line1, locationId: berlin, quantity: 1 },
      { lineItemId: line1, locationId: munich, quantity: 1 },
      { lineItemId: line2, locationId: berlin, quantity: 1 },
    ]);
    expect(adminRequests.map((r) => r.operationName)).toEqual(["LotkeeperFulfillmentOrders"]);
    expect(await requestsOf(shop.id)).toBe(0); // the request went with the stored read
  });

  it("pages on past 5 fulfillment orders and past 25 lines of one", async () => {
    const shop = await createTestShop("fo-pages");
    const orderId = newId();
    const location = newId();
    const many = Array.from({ length: 30 }, () => [newId(), 1] as [bigint, number]);
    const fos = [fo(orderId, location, many), ...Array.from({ length: 6 }, () => fo(orderId, newId(), [[newId(), 2]]))];
    store.set(shop.domain, fos);
    await refreshFulfillmentOrders(shop.id, { orderId });
    expect((await storedOf(shop.id, orderId)).map((f) => f.lines)).toEqual([30, 1, 1, 1, 1, 1, 1]);
    expect((await assignedLocationsOf(pool(), shop.id, orderId)).length).toBe(36);
    expect(adminRequests.map((r) => r.operationName)).toEqual(["LotkeeperFulfillmentOrders", "LotkeeperFulfillmentOrderLines", "LotkeeperFulfillmentOrders"]);
  });

  it("an order Shopify does not know (deleted, older than 60 days) stores nothing: the location stays unknown", async () => {
    const shop = await createTestShop("fo-unknown");
    const orderId = newId();
    expect(await refreshFulfillmentOrders(shop.id, { orderId })).toMatchObject({ outcome: "unknown" });
    expect(await assignedLocationsOf(pool(), shop.id, orderId)).toEqual([]);
  });

  it("a shop that is not installed queues no read (it has no token to read with)", async () => {
    const shop = await createTestShop("fo-uninstalled");
    await prisma.shop.update({ where: { id: shop.id }, data: { installed: false } });
    await deliver({ topic: "orders/create", shop: shop.domain, body: orderBody(newId(), [newId(), newId()]) });
    await processWebhookQueue();
    const jobs = await getQueue(QUEUE_NAMES.maintenance).getJobs(["waiting", "delayed", "prioritized"]);
    expect(jobs.filter((j) => j.data?.shopId === shop.id)).toEqual([]);
  });
});

describe("fulfillment_orders/* webhooks re-read the order", () => {
  it("moved (Shopify's sample shape): the line now plans at the destination location", async () => {
    const shop = await createTestShop("fo-moved");
    const [orderId, line, berlin, hamburg] = [newId(), newId(), newId(), newId()];
    const original = fo(orderId, berlin, [[line, 3]]);
    store.set(shop.domain, [original]);
    await refreshFulfillmentOrders(shop.id, { orderId });
    expect(await assignedLocationsOf(pool(), shop.id, orderId)).toEqual([{ lineItemId: line, locationId: berlin, quantity: 3 }]);

    // The merchant moves the line to Hamburg: Shopify closes the original and opens a new one there.
    const moved = fo(orderId, hamburg, [[line, 3]], { updatedAt: "2026-12-04T10:00:00Z" });
    store.set(shop.domain, [{ ...original, status: "CLOSED", updatedAt: "2026-12-04T10:00:00Z", lines: [{ ...original.lines[0]!, remaining: 0 }] }, moved]);
    const body = sample("fulfillment_orders/moved", {
      "gid://shopify/FulfillmentOrder/1": `gid://shopify/FulfillmentOrder/${original.id}`,
      "gid://shopify/FulfillmentOrder/2": `gid://shopify/FulfillmentOrder/${moved.id}`,
      "gid://shopify/Location/0": `gid://shopify/Location/${berlin}`,
      "gid://shopify/Location/1": `gid://shopify/Location/${hamburg}`,
    });
    expect((await deliver({ topic: "fulfillment_orders/moved", shop: shop.domain, body })).status).toBe(200);
    await processWebhookQueue();
    await processMaintenanceQueue();

    expect(await assignedLocationsOf(pool(), shop.id, orderId)).toEqual([{ lineItemId: line, locationId: hamburg, quantity: 3 }]);
    expect((await storedOf(shop.id, orderId)).map((f) => [f.id, f.location, f.status])).toEqual([
      [original.id, berlin, "CLOSED"],
      [moved.id, hamburg, "OPEN"],
    ]);
    // The original was stored: its order came from the table, not from another call to Shopify.
    expect(adminRequests.map((r) => r.operationName)).toEqual(["LotkeeperFulfillmentOrders", "LotkeeperFulfillmentOrders"]);
  });

  it("split of a fulfillment order the app has not seen: Shopify is asked for its order first", async () => {
    const shop = await createTestShop("fo-split");
    const [orderId, line, berlin] = [newId(), newId(), newId()];
    const first = fo(orderId, berlin, [[line, 2, 1]]);
    const remaining = fo(orderId, berlin, [[line, 1]], { status: "SCHEDULED" });
    store.set(shop.domain, [first, remaining]);
    const body = sample("fulfillment_orders/split", {
      "gid://shopify/FulfillmentOrder/1": `gid://shopify/FulfillmentOrder/${first.id}`,
      "gid://shopify/FulfillmentOrder/2": `gid://shopify/FulfillmentOrder/${remaining.id}`,
      "gid://shopify/FulfillmentOrder/3": `gid://shopify/FulfillmentOrder/${newId()}`,
    });
    await deliver({ topic: "fulfillment_orders/split", shop: shop.domain, body });
    await processWebhookQueue();
    await processMaintenanceQueue();
    expect(await assignedLocationsOf(pool(), shop.id, orderId)).toEqual([{ lineItemId: line, locationId: berlin, quantity: 2 }]);
    expect(adminRequests.map((r) => r.operationName)).toEqual(["LotkeeperFulfillmentOrderOrder", "LotkeeperFulfillmentOrders"]);
  });

  it("a payload naming no fulfillment order is refused without retries", async () => {
    const shop = await createTestShop("fo-bad");
    const { webhookId } = await deliver({ topic: "fulfillment_orders/cancelled", shop: shop.domain, body: { something: "else" } });
    await processWebhookQueue();
    const row = await pool().query<{ status: string; last_error: string }>("select status::text, last_error from webhook_events where webhook_id = $1", [
      webhookId,
    ]);
    expect(row.rows[0]).toMatchObject({ status: "FAILED", last_error: expect.stringMatching(/names no fulfillment order/) });
  });
});

describe("duplicates and out-of-order deliveries", () => {
  it("a read older than the stored one changes nothing; the same read twice stores the same", async () => {
    const shop = await createTestShop("fo-order");
    const [orderId, line, berlin, munich] = [newId(), newId(), newId(), newId()];
    const newer = fo(orderId, munich, [[line, 2]], { updatedAt: "2026-12-04T11:00:00Z" });
    store.set(shop.domain, [newer]);
    await refreshFulfillmentOrders(shop.id, { orderId });
    // A job that read Shopify before the move commits after: its older updatedAt loses.
    store.set(shop.domain, [{ ...newer, locationId: berlin, updatedAt: "2026-12-04T10:59:59Z", lines: [{ ...newer.lines[0]!, remaining: 1 }] }]);
    expect(await refreshFulfillmentOrders(shop.id, { orderId })).toMatchObject({ outcome: "stored", written: 0 });
    expect(await assignedLocationsOf(pool(), shop.id, orderId)).toEqual([{ lineItemId: line, locationId: munich, quantity: 2 }]);
    // The current read again (a duplicate job): the same rows.
    store.set(shop.domain, [newer]);
    await refreshFulfillmentOrders(shop.id, { orderId });
    await refreshFulfillmentOrders(shop.id, { orderId });
    expect((await storedOf(shop.id, orderId)).map((f) => [f.location, f.lines])).toEqual([[munich, 1]]);
    expect(await assignedLocationsOf(pool(), shop.id, orderId)).toEqual([{ lineItemId: line, locationId: munich, quantity: 2 }]);
  });

  it("one webhook delivered twice queues one read; fulfilment progress (remaining 0) plans nothing more", async () => {
    const shop = await createTestShop("fo-dup");
    const [orderId, line, berlin] = [newId(), newId(), newId()];
    const open = fo(orderId, berlin, [[line, 2]]);
    store.set(shop.domain, [open]);
    const body = sample("fulfillment_orders/hold_released", { "gid://shopify/FulfillmentOrder/1": `gid://shopify/FulfillmentOrder/${open.id}` });
    const first = await deliver({ topic: "fulfillment_orders/hold_released", shop: shop.domain, body });
    await deliver({ topic: "fulfillment_orders/hold_released", shop: shop.domain, body, webhookId: first.webhookId });
    await processWebhookQueue();
    await processMaintenanceQueue();
    expect(adminRequests.map((r) => r.operationName)).toEqual(["LotkeeperFulfillmentOrderOrder", "LotkeeperFulfillmentOrders"]);
    expect(await assignedLocationsOf(pool(), shop.id, orderId)).toEqual([{ lineItemId: line, locationId: berlin, quantity: 2 }]);

    store.set(shop.domain, [{ ...open, status: "CLOSED", updatedAt: "2026-12-04T12:00:00Z", lines: [{ ...open.lines[0]!, remaining: 0 }] }]);
    await refreshFulfillmentOrders(shop.id, { orderId });
    expect(await assignedLocationsOf(pool(), shop.id, orderId)).toEqual([]);
  });
});

describe("tenancy", () => {
  it("two shops with the same order and fulfillment order ids each keep their own; a webhook never reads the other shop's row", async () => {
    const [a, b] = [await createTestShop("fo-tenant-a"), await createTestShop("fo-tenant-b")];
    const [orderId, line, locA, locB] = [newId(), newId(), newId(), newId()];
    const inA = fo(orderId, locA, [[line, 1]]);
    store.set(a.domain, [inA]);
    store.set(b.domain, [{ ...inA, locationId: locB, lines: [{ ...inA.lines[0]!, total: 4, remaining: 4 }] }]);
    await refreshFulfillmentOrders(a.id, { orderId });
    // Shop B's webhook names the same fulfillment order id: A's stored row must not answer for B.
    await deliver({
      topic: "fulfillment_orders/order_routing_complete",
      shop: b.domain,
      body: sample("fulfillment_orders/order_routing_complete", { "gid://shopify/FulfillmentOrder/1": `gid://shopify/FulfillmentOrder/${inA.id}` }),
    });
    await processWebhookQueue();
    await processMaintenanceQueue();
    expect(adminRequests.filter((r) => r.shop === b.domain).map((r) => r.operationName)).toEqual([
      "LotkeeperFulfillmentOrderOrder",
      "LotkeeperFulfillmentOrders",
    ]);
    expect(await assignedLocationsOf(pool(), a.id, orderId)).toEqual([{ lineItemId: line, locationId: locA, quantity: 1 }]);
    expect(await assignedLocationsOf(pool(), b.id, orderId)).toEqual([{ lineItemId: line, locationId: locB, quantity: 4 }]);
  });
});

describe("a read whose job Redis lost", () => {
  it("is queued again by the sweep from its request row, stored, and the row goes", async () => {
    const shop = await createTestShop("fo-sweep");
    const [orderId, line, berlin] = [newId(), newId(), newId()];
    store.set(shop.domain, [fo(orderId, berlin, [[line, 1]])]);
    // What the orders/create handler committed, with the job never reaching Redis.
    await pool().query("insert into fulfillment_order_requests (shop_id, order_id, created_at) values ($1, $2, now() - interval '5 minutes')", [
      shop.id,
      orderId,
    ]);
    const swept = await sweepFulfillmentOrderRequests();
    expect(swept.requeued).toBeGreaterThanOrEqual(1);
    await processMaintenanceQueue();
    expect(await assignedLocationsOf(pool(), shop.id, orderId)).toEqual([{ lineItemId: line, locationId: berlin, quantity: 1 }]);
    expect(await requestsOf(shop.id)).toBe(0);
  });

  it("an unknown order's request is dropped, not retried forever", async () => {
    const shop = await createTestShop("fo-sweep-unknown");
    await pool().query("insert into fulfillment_order_requests (shop_id, order_id, created_at) values ($1, $2, now() - interval '5 minutes')", [
      shop.id,
      newId(),
    ]);
    await sweepFulfillmentOrderRequests();
    await processMaintenanceQueue();
    expect(await requestsOf(shop.id)).toBe(0);
  });
});

describe("a read Shopify refuses", () => {
  it("fails the job at once, without retries, and the sweep does not ask again", async () => {
    const shop = await createTestShop("fo-denied");
    server.use(
      graphql.query("LotkeeperFulfillmentOrders", () =>
        HttpResponse.json({ errors: [{ message: "Access denied for fulfillmentOrders field.", extensions: { code: "ACCESS_DENIED" } }] }),
      ),
    );
    await deliver({ topic: "orders/create", shop: shop.domain, body: orderBody(newId(), [newId(), newId()]) });
    await processWebhookQueue();
    const { createQueueWorker } = await import("../../workers/main");
    const worker = createQueueWorker(QUEUE_NAMES.maintenance, { concurrency: 1 });
    try {
      await eventually(async () => (await getQueue(QUEUE_NAMES.maintenance).getJobs(["failed"])).some((j) => j.data?.shopId === shop.id), "the job to fail");
    } finally {
      await worker.close();
    }
    const failed = (await getQueue(QUEUE_NAMES.maintenance).getJobs(["failed"])).filter((j) => j.data?.shopId === shop.id);
    expect(failed.map((j) => [j.attemptsMade, j.failedReason])).toEqual([[1, expect.stringMatching(/Access denied/)]]);
    expect(await requestsOf(shop.id)).toBe(0);
    await getQueue(QUEUE_NAMES.maintenance).clean(0, 100, "failed");
  });
});

describe("the job", () => {
  it("is registered on the maintenance queue under its name", async () => {
    const { processors } = await import("../../workers/registry");
    expect(Object.keys(processors[QUEUE_NAMES.maintenance])).toContain(FULFILLMENT_ORDERS_REFRESH_JOB);
  });
});
