// Lots written back on the Shopify order (decision 102): webhooks through the worker's processor
// (the real inbox and topic handlers), the outbox row they leave, and what its send writes in
// Shopify (msw behind Shopify's schema checks, test/helpers/order-lots-shopify.ts): the metafield's
// JSON, the "Lots" note attribute beside the merchant's own, one write for many fulfilments, the
// 16 KB limit, a moved allocation, a return, a cancellation, Shopify failing, two shops.
import { afterAll, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { sendOutboxEntry } from "../../app/domain/sync/outbox.server";
import { moveAllocation } from "../../app/domain/allocation/move-allocation.server";
import { processFulfilment } from "../../app/domain/allocation/allocate-fulfilment.server";
import { parseFulfilment } from "../../app/domain/allocation/payloads";
import { METAFIELD_MAX_BYTES, type OrderLotsDocument } from "../../app/domain/writeback/order-lots-rules";
import { requestOrderLotsWriteback } from "../../app/domain/writeback/order-lots.server";
import { createTestShop } from "../helpers/shops";
import { createLot, createVariant, newId } from "../helpers/factories";
import { allocations, deliver, fulfilmentPayload, orderPayload, refundPayload } from "../helpers/allocation";
import { graphql, HttpResponse, server } from "../helpers/shopify-mock";
import { mockOrderStore, type OrderStore } from "../helpers/order-lots-shopify";
import { eventually, useOwnQueuePrefix } from "../helpers/webhook-pipeline";

useOwnQueuePrefix();

afterAll(async () => {
  await getQueue(QUEUE_NAMES.shopifySync).obliterate({ force: true });
});

const LOC = 71240000001n;

interface WritebackRow {
  id: bigint;
  status: string;
  attempts: number;
  last_error: string | null;
  payload: { orderId: string };
}

async function writebackRows(shopId: number): Promise<WritebackRow[]> {
  const r = await pool().query<WritebackRow>(
    "select id, status::text, attempts, last_error, payload from outbox_entries where shop_id = $1 and kind = 'order.lots' order by id",
    [shopId],
  );
  return r.rows;
}

async function sendPending(shopId: number) {
  const outcomes = [];
  for (const row of await writebackRows(shopId)) if (row.status === "PENDING") outcomes.push(await sendOutboxEntry(row.id));
  return outcomes;
}

/** A shop with two lot-tracked products and lots of each at one location. */
async function setup(label: string) {
  const shop = await createTestShop(label);
  const oat = await createVariant(shop.id, { sku: "OAT-1L" });
  const gran = await createVariant(shop.id, { sku: "GRAN-500" });
  const oatEarly = await createLot(shop.id, { variantId: oat, lotNumber: "OAT-0925", quantity: 2, locationId: LOC, expiresOn: "2027-03-31" });
  const oatLate = await createLot(shop.id, { variantId: oat, lotNumber: "OAT-1025", quantity: 20, locationId: LOC, expiresOn: "2027-06-30" });
  const granLot = await createLot(shop.id, { variantId: gran, lotNumber: "GRAN-0925", quantity: 20, locationId: LOC, bestBeforeOn: "2027-01-15" });
  return { shop, oat, gran, oatEarly, oatLate, granLot };
}

/** orders/create with the SKUs as sold (they are what the packing slip prints). */
async function placeOrder(domain: string, orderId: bigint, lines: { id: bigint; variantId: bigint; quantity: number; sku: string }[]) {
  const payload = orderPayload({ id: orderId, lines }) as { line_items: { sku: string }[] };
  lines.forEach((l, i) => (payload.line_items[i]!.sku = l.sku));
  expect(await deliver(domain, "orders/create", payload)).toBe("processed");
}

const metafieldOf = (store: OrderStore, shop: string, orderId: bigint): OrderLotsDocument =>
  JSON.parse(store.order(shop, orderId).metafields["$app.lots"]!.value) as OrderLotsDocument;

describe("lots written back on the order", () => {
  it("an allocated fulfilment leaves one outbox row; its send writes the metafield JSON and the Lots attribute in one orderUpdate", async () => {
    const store = mockOrderStore();
    const { shop, oat, gran } = await setup("wb-basic");
    const orderId = newId();
    const oatLine = newId();
    const granLine = newId();
    await placeOrder(shop.domain, orderId, [
      { id: oatLine, variantId: oat, quantity: 3, sku: "OAT-1L" },
      { id: granLine, variantId: gran, quantity: 1, sku: "GRAN-500" },
    ]);
    expect(await writebackRows(shop.id)).toEqual([]); // nothing shipped yet: nothing to write
    const fulfilment = fulfilmentPayload({
      id: newId(),
      orderId,
      locationId: LOC,
      lines: [
        { lineItemId: oatLine, variantId: oat, quantity: 3 },
        { lineItemId: granLine, variantId: gran, quantity: 1 },
      ],
    });
    expect(await deliver(shop.domain, "fulfillments/create", fulfilment)).toBe("processed");
    // The same shipment again through other topics: already allocated, no second row.
    expect(await deliver(shop.domain, "fulfillments/update", fulfilment)).toBe("processed");
    const rows = await writebackRows(shop.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "PENDING", attempts: 0, payload: { orderId: orderId.toString() } });
    expect(store.writes).toHaveLength(0); // nothing reaches Shopify inside the allocation

    expect(await sendOutboxEntry(rows[0]!.id)).toEqual({ status: "sent", outboxId: rows[0]!.id });
    expect(store.writes).toHaveLength(1);
    const write = store.writes[0]!;
    expect(write.shop).toBe(shop.domain);
    expect(write.input.id).toBe(`gid://shopify/Order/${orderId}`);
    expect(write.input.customAttributes).toEqual([{ key: "Lots", value: "OAT-1L: OAT-0925 x2, OAT-1025 x1; GRAN-500: GRAN-0925 x1" }]);
    expect(write.input.metafields).toHaveLength(1);
    expect(write.input.metafields![0]).toMatchObject({ namespace: "$app", key: "lots", type: "json" });
    expect(JSON.parse(write.input.metafields![0]!.value)).toEqual({
      v: 1,
      lines: [
        {
          lineItemId: oatLine.toString(),
          sku: "OAT-1L",
          lots: [
            { lot: "OAT-0925", qty: 2, expiry: "2027-03-31" },
            { lot: "OAT-1025", qty: 1, expiry: "2027-06-30" },
          ],
        },
        { lineItemId: granLine.toString(), sku: "GRAN-500", lots: [{ lot: "GRAN-0925", qty: 1, bestBefore: "2027-01-15" }] },
      ],
    });
    expect((await writebackRows(shop.id))[0]).toMatchObject({ status: "SENT", attempts: 1, last_error: null });

    // Our own orderUpdate fires orders/updated: processing it changes no lot and writes nothing again.
    const echo = orderPayload({ id: orderId, updatedAt: "2026-11-21T10:00:00-05:00", lines: [], fulfillments: [fulfilment] });
    expect(await deliver(shop.domain, "orders/updated", echo)).toBe("processed");
    expect(await writebackRows(shop.id)).toHaveLength(1);
  });

  it("keeps the merchant's own note attributes (orderUpdate replaces them all) and replaces an old Lots value in place", async () => {
    const store = mockOrderStore();
    const { shop, oat } = await setup("wb-attrs");
    const orderId = newId();
    const line = newId();
    store.order(shop.domain, orderId).customAttributes = [
      { key: "Gift message", value: "Happy birthday, Anna!" },
      { key: "Lots", value: "stale" },
      { key: "Delivery window", value: "9-12" },
      { key: "empty", value: null },
    ];
    await placeOrder(shop.domain, orderId, [{ id: line, variantId: oat, quantity: 1, sku: "OAT-1L" }]);
    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId: line, variantId: oat, quantity: 1 }] }),
    );
    expect(await sendPending(shop.id)).toMatchObject([{ status: "sent" }]);
    expect(store.order(shop.domain, orderId).customAttributes).toEqual([
      { key: "Gift message", value: "Happy birthday, Anna!" },
      { key: "Lots", value: "OAT-1L: OAT-0925 x1" },
      { key: "Delivery window", value: "9-12" },
      { key: "empty", value: "" },
    ]);
  });

  it("ten fulfilments of one order before the send are one row and one write with every lot", async () => {
    const store = mockOrderStore();
    const { shop, oat } = await setup("wb-burst");
    const orderId = newId();
    const line = newId();
    await placeOrder(shop.domain, orderId, [{ id: line, variantId: oat, quantity: 10, sku: "OAT-1L" }]);
    for (let i = 0; i < 10; i++) {
      await deliver(
        shop.domain,
        "fulfillments/create",
        fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId: line, variantId: oat, quantity: 1 }] }),
      );
    }
    expect(await writebackRows(shop.id)).toHaveLength(1);
    await sendPending(shop.id);
    expect(store.writes).toHaveLength(1);
    expect(metafieldOf(store, shop.domain, orderId).lines[0]!.lots).toEqual([
      { lot: "OAT-0925", qty: 2, expiry: "2027-03-31" },
      { lot: "OAT-1025", qty: 8, expiry: "2027-06-30" },
    ]);
    // Sending a row whose lots Shopify already shows (the answer to a write was lost) writes nothing.
    const again = await withTransaction((sql) => requestOrderLotsWriteback(sql, shop.id, orderId));
    expect(await sendOutboxEntry(again)).toMatchObject({ status: "sent" });
    expect(store.writes).toHaveLength(1);
  });

  it("a change joining the row while its send starts is not lost: the send waits for that change's commit and writes it", async () => {
    const store = mockOrderStore();
    const { shop, oat } = await setup("wb-race");
    const orderId = newId();
    const line = newId();
    await placeOrder(shop.domain, orderId, [{ id: line, variantId: oat, quantity: 2, sku: "OAT-1L" }]);
    const one = (id: bigint) => fulfilmentPayload({ id, orderId, locationId: LOC, lines: [{ lineItemId: line, variantId: oat, quantity: 1 }] });
    await deliver(shop.domain, "fulfillments/create", one(newId()));
    const [row] = await writebackRows(shop.id);
    let sending: Promise<unknown> | undefined;
    await withTransaction(async (sql) => {
      await processFulfilment(sql, shop.id, parseFulfilment(one(newId())), { cause: "WEBHOOK", ref: null });
      expect(await requestOrderLotsWriteback(sql, shop.id, orderId)).toBe(row!.id); // joins the untried row
      sending = sendOutboxEntry(row!.id); // the worker picks the row up before this change commits
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect(await sending).toMatchObject({ status: "sent" });
    expect(store.writes).toHaveLength(1);
    expect(store.order(shop.domain, orderId).customAttributes).toEqual([{ key: "Lots", value: "OAT-1L: OAT-0925 x2" }]);
  });

  it("an order too big for 16 KB keeps its first lines whole and says how many are left out (+N more)", async () => {
    const store = mockOrderStore();
    const shop = await createTestShop("wb-huge");
    const orderId = newId();
    const lines: { id: bigint; variantId: bigint; quantity: number; sku: string }[] = [];
    for (let i = 0; i < 220; i++) {
      const sku = `SUPPLEMENT-${String(i).padStart(3, "0")}-60-CAPSULES`;
      const variantId = await createVariant(shop.id, { sku });
      await createLot(shop.id, {
        variantId,
        lotNumber: `BATCH-2026-11-${String(i).padStart(4, "0")}-A`,
        quantity: 1,
        locationId: LOC,
        expiresOn: "2028-01-31",
      });
      await createLot(shop.id, {
        variantId,
        lotNumber: `BATCH-2026-12-${String(i).padStart(4, "0")}-B`,
        quantity: 5,
        locationId: LOC,
        expiresOn: "2028-02-29",
      });
      lines.push({ id: newId(), variantId, quantity: 2, sku });
    }
    await placeOrder(shop.domain, orderId, lines);
    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: lines.map((l) => ({ lineItemId: l.id, variantId: l.variantId, quantity: 2 })) }),
    );
    expect(await sendPending(shop.id)).toMatchObject([{ status: "sent" }]);
    const value = store.writes[0]!.input.metafields![0]!.value;
    expect(Buffer.byteLength(value)).toBeLessThanOrEqual(METAFIELD_MAX_BYTES);
    const doc = JSON.parse(value) as OrderLotsDocument;
    expect(doc.lines.length).toBeGreaterThan(0);
    expect(doc.lines.length + doc.more!).toBe(220);
    // The lines kept are the first ones, whole.
    expect(doc.lines[0]).toEqual({
      lineItemId: [...lines].sort((a, b) => (a.id < b.id ? -1 : 1))[0]!.id.toString(),
      sku: "SUPPLEMENT-000-60-CAPSULES",
      lots: [
        { lot: "BATCH-2026-11-0000-A", qty: 1, expiry: "2028-01-31" },
        { lot: "BATCH-2026-12-0000-B", qty: 1, expiry: "2028-02-29" },
      ],
    });
    const attribute = store.writes[0]!.input.customAttributes!.find((a) => a.key === "Lots")!.value;
    expect(attribute.length).toBeLessThanOrEqual(2000);
    expect(attribute).toMatch(/^SUPPLEMENT-000-60-CAPSULES: BATCH-2026-11-0000-A x1, BATCH-2026-12-0000-B x1; .*; \+\d+ more$/);
  });

  it("a moved allocation writes the order's lots again, with the lot the units really came from", async () => {
    const store = mockOrderStore();
    const { shop, oat, oatLate } = await setup("wb-move");
    const orderId = newId();
    const line = newId();
    await placeOrder(shop.domain, orderId, [{ id: line, variantId: oat, quantity: 1, sku: "OAT-1L" }]);
    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId: line, variantId: oat, quantity: 1 }] }),
    );
    await sendPending(shop.id);
    expect(store.order(shop.domain, orderId).customAttributes).toEqual([{ key: "Lots", value: "OAT-1L: OAT-0925 x1" }]);

    const [allocation] = await allocations(shop.id);
    const moved = await withTransaction((sql) => moveAllocation(sql, { shopId: shop.id, allocationId: allocation!.id, toLotId: oatLate, cause: "USER" }));
    const rows = await writebackRows(shop.id);
    expect(rows.map((r) => r.status)).toEqual(["SENT", "PENDING"]);
    expect(moved.writebackOutboxId).toBe(rows[1]!.id);
    await sendPending(shop.id);
    expect(store.writes).toHaveLength(2);
    expect(store.order(shop.domain, orderId).customAttributes).toEqual([{ key: "Lots", value: "OAT-1L: OAT-1025 x1" }]);
    expect(metafieldOf(store, shop.domain, orderId).lines[0]!.lots).toEqual([{ lot: "OAT-1025", qty: 1, expiry: "2027-06-30" }]);
  });

  it("a return shows as returned in the metafield; a cancelled fulfilment empties the lots and removes the attribute", async () => {
    const store = mockOrderStore();
    const { shop, gran } = await setup("wb-return");
    const orderId = newId();
    const line = newId();
    await placeOrder(shop.domain, orderId, [{ id: line, variantId: gran, quantity: 3, sku: "GRAN-500" }]);
    const fulfilmentId = newId();
    const shipped = fulfilmentPayload({ id: fulfilmentId, orderId, locationId: LOC, lines: [{ lineItemId: line, variantId: gran, quantity: 3 }] });
    await deliver(shop.domain, "fulfillments/create", shipped);
    await sendPending(shop.id);
    store.order(shop.domain, orderId).customAttributes.unshift({ key: "Gift message", value: "Enjoy" });

    await deliver(
      shop.domain,
      "refunds/create",
      refundPayload({ id: newId(), orderId, lines: [{ id: newId(), lineItemId: line, quantity: 1, restockType: "return", locationId: LOC }] }),
    );
    await sendPending(shop.id);
    expect(metafieldOf(store, shop.domain, orderId).lines[0]!.lots).toEqual([{ lot: "GRAN-0925", qty: 3, bestBefore: "2027-01-15", returned: 1 }]);

    await deliver(shop.domain, "fulfillments/update", { ...shipped, status: "cancelled", updated_at: "2026-11-22T09:00:00-05:00" });
    await sendPending(shop.id);
    expect(store.writes).toHaveLength(3);
    expect(metafieldOf(store, shop.domain, orderId)).toEqual({ v: 1, lines: [] });
    expect(store.order(shop.domain, orderId).customAttributes).toEqual([{ key: "Gift message", value: "Enjoy" }]);
  });

  it("Shopify down or throttled: the row stays pending with the reason and is sent on retry; a refusal is FAILED for the merchant", async () => {
    const store = mockOrderStore();
    const { shop, oat } = await setup("wb-retry");
    const orderId = newId();
    const line = newId();
    await placeOrder(shop.domain, orderId, [{ id: line, variantId: oat, quantity: 1, sku: "OAT-1L" }]);
    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId: line, variantId: oat, quantity: 1 }] }),
    );
    const [row] = await writebackRows(shop.id);

    server.use(
      graphql.mutation("LotkeeperOrderLotsUpdate", () => HttpResponse.json({ errors: [{ message: "upstream down" }] }, { status: 503 }), { once: true }),
    );
    const down = await sendOutboxEntry(row!.id);
    expect(down).toMatchObject({ status: "retry", error: `Shopify answered HTTP 503 for ${shop.domain}` });
    expect((await writebackRows(shop.id))[0]).toMatchObject({ status: "PENDING", attempts: 1, last_error: `Shopify answered HTTP 503 for ${shop.domain}` });

    server.use(
      graphql.query(
        "LotkeeperOrderLots",
        () =>
          HttpResponse.json({
            errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
            extensions: {
              cost: { requestedQueryCost: 3, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 100 } },
            },
          }),
        { once: true },
      ),
    );
    const throttled = await sendOutboxEntry(row!.id);
    expect(throttled).toMatchObject({ status: "retry" });
    expect(throttled.status === "retry" && throttled.waitMs).toBeGreaterThan(0);

    expect(await sendOutboxEntry(row!.id)).toMatchObject({ status: "sent" });
    expect(store.order(shop.domain, orderId).customAttributes).toEqual([{ key: "Lots", value: "OAT-1L: OAT-0925 x1" }]);
    expect((await writebackRows(shop.id))[0]).toMatchObject({ status: "SENT", attempts: 3, last_error: null });

    // A later change Shopify refuses (userErrors) is final: FAILED with Shopify's words.
    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId: line, variantId: oat, quantity: 1 }] }),
    );
    server.use(
      graphql.mutation(
        "LotkeeperOrderLotsUpdate",
        () => HttpResponse.json({ data: { orderUpdate: { order: null, userErrors: [{ field: ["id"], message: "Order does not exist" }] } } }),
        { once: true },
      ),
    );
    const [, refused] = await writebackRows(shop.id);
    expect(await sendOutboxEntry(refused!.id)).toMatchObject({ status: "failed", error: "Shopify refused orderUpdate: id Order does not exist" });
  });

  it("through the real shopify-sync worker: the delivery's commit queues the row, held back a moment, and the worker writes it once", async () => {
    const store = mockOrderStore();
    const { shop, oat } = await setup("wb-worker");
    // Only this test's jobs: earlier tests queued jobs for rows they sent by hand.
    await getQueue(QUEUE_NAMES.shopifySync).obliterate({ force: true });
    const { createQueueWorker } = await import("../../workers/main");
    const worker = createQueueWorker(QUEUE_NAMES.shopifySync, { concurrency: 2 });
    try {
      const orderId = newId();
      const line = newId();
      await placeOrder(shop.domain, orderId, [{ id: line, variantId: oat, quantity: 2, sku: "OAT-1L" }]);
      for (let i = 0; i < 2; i++) {
        await deliver(
          shop.domain,
          "fulfillments/create",
          fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId: line, variantId: oat, quantity: 1 }] }),
        );
      }
      await eventually(async () => (await writebackRows(shop.id)).every((r) => r.status === "SENT"), "the write-back to be sent");
      expect(await writebackRows(shop.id)).toHaveLength(1);
      expect(store.writes).toHaveLength(1);
      expect(store.order(shop.domain, orderId).customAttributes).toEqual([{ key: "Lots", value: "OAT-1L: OAT-0925 x2" }]);
    } finally {
      await worker.close();
    }
  });

  it("two shops with the same order id: each write goes to its own shop with its own lots", async () => {
    const store = mockOrderStore();
    const a = await setup("wb-tenant-a");
    const b = await setup("wb-tenant-b");
    const orderId = newId();
    const line = newId();
    await placeOrder(a.shop.domain, orderId, [{ id: line, variantId: a.oat, quantity: 1, sku: "OAT-1L" }]);
    await placeOrder(b.shop.domain, orderId, [{ id: line, variantId: b.gran, quantity: 2, sku: "GRAN-500" }]);
    await deliver(
      a.shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId: line, variantId: a.oat, quantity: 1 }] }),
    );
    await deliver(
      b.shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId: line, variantId: b.gran, quantity: 2 }] }),
    );
    expect(await writebackRows(a.shop.id)).toHaveLength(1);
    expect(await writebackRows(b.shop.id)).toHaveLength(1);
    await sendPending(a.shop.id);
    await sendPending(b.shop.id);
    expect(store.writes.map((w) => w.shop)).toEqual([a.shop.domain, b.shop.domain]);
    expect(store.order(a.shop.domain, orderId).customAttributes).toEqual([{ key: "Lots", value: "OAT-1L: OAT-0925 x1" }]);
    expect(store.order(b.shop.domain, orderId).customAttributes).toEqual([{ key: "Lots", value: "GRAN-500: GRAN-0925 x2" }]);
  });
});
