import { afterAll, describe, expect, it } from "vitest";
import { eventually, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { createTestShop } from "../helpers/shops";
import { graphql, HttpResponse, server } from "../helpers/shopify-mock";
import { mockInventoryMutations, shopWithTwoLocations } from "../helpers/lots-shopify";
import { pool } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../app/lib/queues.server";
import { receiveLot } from "../../app/domain/lots/receive-lot.server";
import { adjustLot, countLot, transferLot } from "../../app/domain/lots/lot-moves.server";
import { quarantineLotNow, releaseLotNow } from "../../app/domain/lots/quarantine.server";
import { getLotDetail } from "../../app/domain/lots/lot-queries.server";
import {
  addOutboxEntry,
  listUnsentOutbox,
  outboxSummary,
  retryFailedOutbox,
  sendOutboxEntry,
  shopifyIdempotencyKey,
  sweepPendingOutbox,
} from "../../app/domain/sync/outbox.server";

useOwnQueuePrefix();

afterAll(async () => {
  await getQueue(QUEUE_NAMES.shopifySync).obliterate({ force: true });
});

const setup = (label: string) => shopWithTwoLocations(label, "TEA-RED");

async function pendingIds(shopId: number): Promise<bigint[]> {
  const r = await pool().query<{ id: bigint }>("select id from outbox_entries where shop_id = $1 and status = 'PENDING' order by id", [shopId]);
  return r.rows.map((x) => x.id);
}

async function sendAll(shopId: number) {
  const outcomes = [];
  for (const id of await pendingIds(shopId)) outcomes.push(await sendOutboxEntry(id));
  return outcomes;
}

async function outboxRow(id: bigint) {
  const r = await pool().query<{ status: string; attempts: number; last_error: string | null; idempotency_key: string }>(
    "select status::text, attempts, last_error, idempotency_key from outbox_entries where id = $1",
    [id],
  );
  return r.rows[0]!;
}

const item = (id: bigint) => `gid://shopify/InventoryItem/${id}`;
const loc = (id: bigint) => `gid://shopify/Location/${id}`;

describe("Shopify sync through the outbox: the exact mutations", () => {
  it("a receipt sends inventoryAdjustQuantities (received) with @idempotent and the ledger entry as reference", async () => {
    const { shop, variant, main, sent } = await setup("sync-recv");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "R1", quantity: 12, locationId: main.id });
    const [outcome] = await sendAll(shop.id);
    expect(outcome).toEqual({ status: "sent", outboxId: r.outboxId });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.shop).toBe(shop.domain);
    expect(sent[0]!.query).toContain("inventoryAdjustQuantities(input: $input) @idempotent(key: $idempotencyKey)");
    const row = await outboxRow(r.outboxId!);
    expect(sent[0]!.variables).toEqual({
      idempotencyKey: shopifyIdempotencyKey(row.idempotency_key),
      input: {
        name: "available",
        reason: "received",
        referenceDocumentUri: `gid://lotkeeper/LedgerEntry/${r.ledgerEntryId}`,
        changes: [{ delta: 12, changeFromQuantity: null, inventoryItemId: item(variant.inventoryItemId), locationId: loc(main.id) }],
      },
    });
    expect(sent[0]!.variables.idempotencyKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row).toMatchObject({ status: "SENT", attempts: 1, last_error: null });
    // Sending a sent row again does nothing.
    expect(await sendOutboxEntry(r.outboxId!)).toMatchObject({ status: "already-done" });
    expect(sent).toHaveLength(1);
  });

  it("adjustment, count and transfer send their deltas with the matching reasons", async () => {
    const { shop, variant, main, annex, sent } = await setup("sync-moves");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "M1", quantity: 20, locationId: main.id });
    await adjustLot(shop.id, { lotId: r.lotId, locationId: main.id, delta: "-2", reason: "damaged", note: "crushed box" });
    const counted = await countLot(shop.id, { lotId: r.lotId, locationId: main.id, counted: 15 });
    expect(counted).toMatchObject({ previous: 18, difference: -3 });
    await transferLot(shop.id, { lotId: r.lotId, fromLocationId: main.id, toLocationId: annex.id, quantity: 5 });
    await sendAll(shop.id);
    expect(sent.map((m) => m.operation)).toEqual(Array(4).fill("inventoryAdjustQuantities"));
    const inputs = sent.map((m) => m.variables.input as { reason: string; changes: { delta: number; locationId: string }[] });
    expect(inputs.map((i) => [i.reason, i.changes.map((c) => [c.delta, c.locationId])])).toEqual([
      ["received", [[20, loc(main.id)]]],
      ["damaged", [[-2, loc(main.id)]]],
      ["cycle_count_available", [[-3, loc(main.id)]]],
      [
        "movement_updated",
        [
          [-5, loc(main.id)],
          [5, loc(annex.id)],
        ],
      ],
    ]);
    const keys = new Set(sent.map((m) => m.variables.idempotencyKey));
    expect(keys.size).toBe(4);
    const detail = await getLotDetail(shop.id, r.lotId);
    expect(detail.balances.map((b) => [b.locationId, b.quantity])).toEqual(
      [
        [main.id, 10],
        [annex.id, 5],
      ].sort((a, b) => ((a[0] as bigint) < (b[0] as bigint) ? -1 : 1)),
    );
    expect(detail.ledger.entries.map((e) => e.kind).reverse()).toEqual(["RECEIVED", "ADJUSTED", "COUNTED", "TRANSFERRED", "TRANSFERRED"]);
  });

  it("a count that matches records the count and sends nothing; taking more than the lot holds changes nothing", async () => {
    const { shop, variant, main, sent } = await setup("sync-count0");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "C1", quantity: 4, locationId: main.id });
    const same = await countLot(shop.id, { lotId: r.lotId, locationId: main.id, counted: 4 });
    expect(same).toMatchObject({ difference: 0, outboxId: null });
    await expect(adjustLot(shop.id, { lotId: r.lotId, locationId: main.id, delta: -5 })).rejects.toThrow(/cannot remove that many units/);
    await sendAll(shop.id);
    expect(sent).toHaveLength(1);
    const detail = await getLotDetail(shop.id, r.lotId);
    expect(detail.totals.onHand).toBe(4);
    expect(detail.ledger.entries.map((e) => [e.kind, e.delta])).toEqual([
      ["COUNTED", 0],
      ["RECEIVED", 4],
    ]);
  });

  it("quarantine moves units available -> quality_control per location, release moves them back", async () => {
    const { shop, variant, main, annex, sent } = await setup("sync-qc");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "Q1", quantity: 8, locationId: main.id });
    await receiveLot(shop.id, { variantId: variant.id, lotNumber: "Q1", quantity: 3, locationId: annex.id });
    await sendAll(shop.id);
    sent.length = 0;

    const q = await quarantineLotNow({ shopId: shop.id, lotId: r.lotId, reason: "supplier complaint", cause: "USER" });
    expect(q.status).toBe("QUARANTINED");
    const again = await quarantineLotNow({ shopId: shop.id, lotId: r.lotId, reason: "twice", cause: "USER" });
    expect(again.outboxIds).toEqual([]);
    await sendAll(shop.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.operation).toBe("inventoryMoveQuantities");
    expect(sent[0]!.query).toContain("inventoryMoveQuantities(input: $input) @idempotent(key: $idempotencyKey)");
    const uri = (sent[0]!.variables.input as { referenceDocumentUri: string }).referenceDocumentUri;
    expect(uri).toMatch(/^gid:\/\/lotkeeper\/LedgerEntry\/\d+$/);
    const [first, second] = [main, annex].sort((a, b) => (a.id < b.id ? -1 : 1));
    const quantityOf = (l: { id: bigint }) => (l.id === main.id ? 8 : 3);
    expect(sent[0]!.variables.input).toEqual({
      reason: "quality_control",
      referenceDocumentUri: uri,
      changes: [first!, second!].map((l) => ({
        inventoryItemId: item(variant.inventoryItemId),
        quantity: quantityOf(l),
        // changeFromQuantity present on both sides, as null (Shopify refuses the move without it).
        from: { locationId: loc(l.id), name: "available", changeFromQuantity: null },
        to: { locationId: loc(l.id), name: "quality_control", changeFromQuantity: null, ledgerDocumentUri: uri },
      })),
    });
    let detail = await getLotDetail(shop.id, r.lotId);
    expect(detail.status).toBe("QUARANTINED");
    expect(detail.balances.every((b) => b.quarantined)).toBe(true);

    // Units received into a quarantined lot go straight to quality_control.
    sent.length = 0;
    await receiveLot(shop.id, { variantId: variant.id, lotNumber: "Q1", quantity: 2, locationId: main.id });
    await sendAll(shop.id);
    expect(sent[0]!.variables.input).toMatchObject({
      name: "quality_control",
      changes: [{ delta: 2, ledgerDocumentUri: expect.stringMatching(/^gid:\/\/lotkeeper\//) }],
    });

    sent.length = 0;
    const released = await releaseLotNow({ shopId: shop.id, lotId: r.lotId, locationId: annex.id, reason: "checked", cause: "USER" });
    expect(released.locations).toEqual([{ locationId: annex.id, quantity: 3 }]);
    await sendAll(shop.id);
    expect(sent[0]!.variables.input).toMatchObject({
      changes: [
        {
          quantity: 3,
          from: { locationId: loc(annex.id), name: "quality_control", changeFromQuantity: null },
          to: { locationId: loc(annex.id), name: "available", changeFromQuantity: null },
        },
      ],
    });
    detail = await getLotDetail(shop.id, r.lotId);
    expect(detail.balances.find((b) => b.locationId === annex.id)!.quarantined).toBe(false);
    expect(detail.balances.find((b) => b.locationId === main.id)!.quarantined).toBe(true);
  });
});

describe("Shopify sync: throttles, outages and refusals never lose a change", () => {
  it("throttled: stays PENDING with a wait computed from the reported cost, then sends with the same key", async () => {
    const { shop, variant, main, sent } = await setup("sync-throttle");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "T1", quantity: 3, locationId: main.id });
    const keys: unknown[] = [];
    server.use(
      graphql.mutation("LotkeeperInventoryAdjust", ({ variables }) => {
        keys.push(variables.idempotencyKey);
        return HttpResponse.json({
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
          extensions: {
            cost: { requestedQueryCost: 250, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 50, restoreRate: 100 } },
          },
        });
      }),
    );
    const outcome = await sendOutboxEntry(r.outboxId!);
    // (250 needed - 50 available) / 100 per second = 2 s
    expect(outcome).toEqual({ status: "retry", outboxId: r.outboxId, waitMs: 2000, error: `Shopify throttled ${shop.domain} (query cost)` });
    expect(await outboxRow(r.outboxId!)).toMatchObject({ status: "PENDING", attempts: 1, last_error: `Shopify throttled ${shop.domain} (query cost)` });

    mockInventoryMutations(sent);
    expect(await sendOutboxEntry(r.outboxId!)).toMatchObject({ status: "sent" });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.variables.idempotencyKey).toBe(keys[0]);
    expect(await outboxRow(r.outboxId!)).toMatchObject({ status: "SENT", attempts: 2, last_error: null });
  });

  it("outage (HTTP 503, network error): PENDING with backoff; Shopify refusing (userErrors): FAILED with the reason", async () => {
    const { shop, variant, main } = await setup("sync-outage");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "O1", quantity: 3, locationId: main.id });
    server.use(graphql.mutation("LotkeeperInventoryAdjust", () => HttpResponse.json({ errors: [{ message: "upstream down" }] }, { status: 503 })));
    const first = await sendOutboxEntry(r.outboxId!);
    expect(first).toMatchObject({ status: "retry", error: `Shopify answered HTTP 503 for ${shop.domain}` });
    server.use(graphql.mutation("LotkeeperInventoryAdjust", () => HttpResponse.error()));
    const second = await sendOutboxEntry(r.outboxId!);
    expect(second).toMatchObject({ status: "retry", error: expect.stringContaining("Shopify could not be reached") });
    expect(second.status === "retry" && first.status === "retry" && second.waitMs > first.waitMs * 1.2).toBe(true);
    expect(await outboxRow(r.outboxId!)).toMatchObject({ status: "PENDING", attempts: 2 });

    server.use(
      graphql.mutation("LotkeeperInventoryAdjust", () =>
        HttpResponse.json({
          data: {
            inventoryAdjustQuantities: {
              inventoryAdjustmentGroup: null,
              userErrors: [{ field: ["input", "changes", "0", "locationId"], message: "The location is not active", code: "INVALID_LOCATION" }],
            },
          },
        }),
      ),
    );
    expect(await sendOutboxEntry(r.outboxId!)).toMatchObject({
      status: "failed",
      error: "Shopify refused inventoryAdjustQuantities: input.changes.0.locationId The location is not active",
    });
    expect(await outboxRow(r.outboxId!)).toMatchObject({
      status: "FAILED",
      last_error: "Shopify refused inventoryAdjustQuantities: input.changes.0.locationId The location is not active",
    });
  });

  it("a refused change can be sent again after the merchant fixed the cause", async () => {
    const { shop, variant, main, sent } = await setup("sync-retry");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "RF", quantity: 2, locationId: main.id });
    server.use(
      graphql.mutation("LotkeeperInventoryAdjust", () =>
        HttpResponse.json({
          data: { inventoryAdjustQuantities: { inventoryAdjustmentGroup: null, userErrors: [{ field: ["input"], message: "The location is not active" }] } },
        }),
      ),
    );
    expect(await sendOutboxEntry(r.outboxId!)).toMatchObject({ status: "failed" });
    expect(await listUnsentOutbox(shop.id)).toMatchObject([
      { id: r.outboxId, status: "FAILED", lastError: "Shopify refused inventoryAdjustQuantities: input The location is not active" },
    ]);
    const other = await createTestShop("sync-retry-other");
    expect(await retryFailedOutbox(other.id)).toEqual([]);
    expect(await retryFailedOutbox(shop.id)).toEqual([r.outboxId]);
    mockInventoryMutations(sent);
    expect(await sendOutboxEntry(r.outboxId!)).toMatchObject({ status: "sent" });
    expect(sent).toHaveLength(1);
    expect(await outboxSummary(shop.id)).toEqual({ pending: 0, failed: 0, oldestPendingAt: null });
  });

  it("does not try to send for an uninstalled shop, and keeps the change", async () => {
    const { shop, variant, main, sent } = await setup("sync-uninstalled");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "U1", quantity: 2, locationId: main.id });
    await pool().query("update shops set installed = false where id = $1", [shop.id]);
    expect(await sendOutboxEntry(r.outboxId!)).toEqual({
      status: "retry",
      outboxId: r.outboxId,
      waitMs: 3600_000,
      error: "the app is uninstalled from this shop",
    });
    expect(sent).toHaveLength(0);
    expect(await outboxRow(r.outboxId!)).toMatchObject({ status: "PENDING", attempts: 0 });
  });

  it("keeps the order of changes to one inventory level: a newer row waits for an older pending one", async () => {
    const { shop, variant, main, sent } = await setup("sync-order");
    const a = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "A", quantity: 3, locationId: main.id });
    const b = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "B", quantity: 4, locationId: main.id });
    expect(await sendOutboxEntry(b.outboxId!)).toMatchObject({ status: "retry", error: "an older change to the same inventory level is still pending" });
    expect(sent).toHaveLength(0);
    await sendOutboxEntry(a.outboxId!);
    await sendOutboxEntry(b.outboxId!);
    expect(sent.map((m) => (m.variables.input as { changes: { delta: number }[] }).changes[0]!.delta)).toEqual([3, 4]);
  });

  it("addOutboxEntry is idempotent on its key, and the sweep queues rows whose job was lost", async () => {
    const { shop } = await setup("sync-sweep");
    const ids = await withTransaction(async (sql) => [
      await addOutboxEntry(sql, {
        shopId: shop.id,
        kind: "tags.add",
        payload: { id: "gid://shopify/Order/1", tags: ["recall-R1"] },
        idempotencyKey: "recall:1:order:1",
      }),
      await addOutboxEntry(sql, {
        shopId: shop.id,
        kind: "tags.add",
        payload: { id: "gid://shopify/Order/1", tags: ["recall-R1"] },
        idempotencyKey: "recall:1:order:1",
      }),
    ]);
    expect(ids[0]).toBe(ids[1]);
    const queue = getQueue(QUEUE_NAMES.shopifySync);
    expect(await queue.getJob(jobIdFor("outbox", ids[0]!))).toBeUndefined();
    expect(await sweepPendingOutbox({ olderThanMs: 0, shopId: shop.id })).toBe(1);
    const job = await queue.getJob(jobIdFor("outbox", ids[0]!));
    expect(job?.data).toEqual({ outboxId: String(ids[0]) });
    // A second sweep finds the job waiting and adds nothing.
    expect(await sweepPendingOutbox({ olderThanMs: 0, shopId: shop.id })).toBe(0);
  });

  it("tags.add rows send tagsAdd (the kind helper D's recall uses)", async () => {
    const { shop } = await setup("sync-tags");
    const id = await withTransaction((sql) =>
      addOutboxEntry(sql, {
        shopId: shop.id,
        kind: "tags.add",
        payload: { id: "gid://shopify/Customer/77", tags: ["lotkeeper-recall-R9"] },
        idempotencyKey: "recall:9:customer:77",
      }),
    );
    const calls: unknown[] = [];
    server.use(
      graphql.mutation("LotkeeperTagsAdd", ({ variables }) => {
        calls.push(variables);
        return HttpResponse.json({ data: { tagsAdd: { node: { id: "gid://shopify/Customer/77" }, userErrors: [] } } });
      }),
    );
    expect(await sendOutboxEntry(id)).toMatchObject({ status: "sent" });
    expect(calls).toEqual([{ id: "gid://shopify/Customer/77", tags: ["lotkeeper-recall-R9"] }]);
  });
});

describe("Shopify sync through the real worker", () => {
  it("a throttled change is delayed by the worker and then applied exactly once", async () => {
    const { shop, variant, main } = await setup("sync-worker");
    let calls = 0;
    const applied: unknown[] = [];
    server.use(
      graphql.mutation("LotkeeperInventoryAdjust", ({ variables }) => {
        calls++;
        if (calls === 1) {
          return HttpResponse.json({
            errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
            extensions: { cost: { requestedQueryCost: 20, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 100 } } },
          });
        }
        applied.push(variables);
        return HttpResponse.json({
          data: { inventoryAdjustQuantities: { inventoryAdjustmentGroup: { id: "gid://shopify/InventoryAdjustmentGroup/1" }, userErrors: [] } },
        });
      }),
    );
    // Only this test's job: earlier tests queued jobs for rows they sent (or left) by hand.
    await getQueue(QUEUE_NAMES.shopifySync).obliterate({ force: true });
    const { createQueueWorker } = await import("../../workers/main");
    const worker = createQueueWorker(QUEUE_NAMES.shopifySync, { concurrency: 2 });
    try {
      const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "W1", quantity: 6, locationId: main.id });
      await eventually(async () => (await outboxRow(r.outboxId!)).status === "SENT", "the outbox row to be sent");
      expect(calls).toBe(2);
      expect(applied).toHaveLength(1);
      expect(await outboxRow(r.outboxId!)).toMatchObject({ status: "SENT", attempts: 2 });
    } finally {
      await worker.close();
    }
  });
});
