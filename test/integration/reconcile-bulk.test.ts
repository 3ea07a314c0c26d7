// Reconciliation of a large shop through one Shopify bulk query (decision 082): the query is
// started, Shopify's JSONL result applied once when bulk_operations/finish arrives (signed,
// through the real intake) or when the sweep's poll finds it done, with the paging path's rules.
import { afterAll, describe, expect, it } from "vitest";
import { deliver, eventually, inboxRow, jobCounts, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { createTestShop } from "../helpers/shops";
import { newId } from "../helpers/factories";
import { seedLargeStore, type LargeStore } from "../helpers/large-store";
import { mockBulkOnHand } from "../helpers/bulk-shopify";
import { adminRequests, resetAdminRequests } from "../helpers/shopify-mock";
import { pool } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { moveLotUnitsWithEntries } from "../../app/domain/ledger/ledger.server";
import { listDiscrepancies } from "../../app/domain/reconcile/reconcile.server";
import {
  finishBulkReconciliation,
  getBulkReconciliation,
  runShopReconciliation,
  sweepBulkReconciliations,
} from "../../app/domain/reconcile/bulk-reconcile.server";

useOwnQueuePrefix();

afterAll(async function obliterateOwnQueues() {
  for (const name of [QUEUE_NAMES.webhooks, QUEUE_NAMES.maintenance]) await getQueue(name).obliterate({ force: true });
});

type Level = { inventoryItemId: bigint; locationId: bigint; onHand: number };

/** Shopify agrees with every lot, except where `changes` says otherwise (null: Shopify has no such level). */
function shopifyLevels(store: LargeStore, changes: Map<string, number | null> = new Map(), extra: Level[] = []): Level[] {
  const out: Level[] = [];
  for (const v of store.variants) {
    for (const locationId of store.locations) {
      const change = changes.get(`${v.inventoryItemId}:${locationId}`);
      if (change === null) continue;
      out.push({ inventoryItemId: v.inventoryItemId, locationId, onHand: change ?? store.units });
    }
  }
  return [...out, ...extra];
}

async function largeShop(label: string, items: number, locations: number) {
  const shop = await createTestShop(label);
  const store = await seedLargeStore(pool(), shop.id, { items, locations, idBase: newId() * 1000n });
  return { shop, store };
}

async function incompleteLots(shopId: number) {
  const r = await pool().query<{ variant_id: bigint; location_id: bigint; quantity: number }>(
    `select l.variant_id, b.location_id, b.quantity from lots l join lot_balances b on b.lot_id = l.id where l.shop_id = $1 and l.incomplete order by l.variant_id, b.location_id`,
    [shopId],
  );
  return r.rows.map((x) => [x.variant_id, x.location_id, x.quantity]);
}

async function reconciledEntries(shopId: number): Promise<number> {
  const r = await pool().query<{ n: number }>("select count(*)::int as n from ledger_entries where shop_id = $1 and kind = 'RECONCILED'", [shopId]);
  return r.rows[0]!.n;
}

/** The maintenance worker (the finish job) until the reconciliation is no longer running. */
async function runMaintenanceUntilSettled(shopId: number, bulkId: bigint): Promise<void> {
  const { createQueueWorker } = await import("../../workers/main");
  const worker = createQueueWorker(QUEUE_NAMES.maintenance, { concurrency: 2 });
  await worker.waitUntilReady(); // closing a worker still connecting leaves a rejected promise behind
  try {
    await eventually(
      async () => {
        const bulk = await getBulkReconciliation(shopId, bulkId);
        const counts = await jobCounts(QUEUE_NAMES.maintenance);
        return bulk !== null && ["APPLIED", "FAILED"].includes(bulk.state) && counts.waiting + counts.active + counts.delayed === 0;
      },
      "the bulk reconciliation to be applied",
      60_000,
    );
  } finally {
    await worker.close();
  }
}

async function startBulk(shopId: number, mode: "auto" | "bulk" = "auto") {
  const run = await runShopReconciliation(shopId, mode);
  if (run.mode !== "bulk") throw new Error(`expected a bulk reconciliation, got ${run.mode}`);
  return run.bulk;
}

describe("bulk reconciliation of a large shop", () => {
  it("3,000 levels: one bulk query, the finish webhook, the right lots and discrepancies, and a level that moved meanwhile is not compared", async () => {
    const { shop, store } = await largeShop("bulk-large", 1000, 3);
    const [v1, v2, v3, v4, v5, v6] = store.variants;
    const [l1, l2, l3] = store.locations;
    const elsewhere = newId() * 1000n + 30_000_000n; // a location Shopify stocks v4 at and no lot explains
    const changes = new Map<string, number | null>([
      [`${v1!.inventoryItemId}:${l1}`, 7], // 3 units the lots have and Shopify lacks
      [`${v2!.inventoryItemId}:${l2}`, 14], // 4 units no lot explains
      [`${v3!.inventoryItemId}:${l3}`, null], // Shopify does not stock v3 at l3 any more: 10 missing
      [`${v6!.inventoryItemId}:${l1}`, 8], // Shopify's snapshot saw a shipment of 2, not the return that followed it
    ]);
    const bulkShopify = mockBulkOnHand(shop.domain, () =>
      shopifyLevels(store, changes, [{ inventoryItemId: v4!.inventoryItemId, locationId: elsewhere, onHand: 5 }]),
    );
    resetAdminRequests();

    const bulk = await startBulk(shop.id);
    expect(bulk).toMatchObject({ state: "RUNNING", operationId: bulkShopify.operations[0]!.id });
    // Shopify's snapshot is taken while 2 units of v5 ship and are allocated here: Shopify's figure
    // (10) is from before, the lots (8) from after. Comparing them would invent 2 unexplained units.
    const move = (variantId: bigint, delta: number, kind: "ALLOCATED" | "RETURNED") =>
      withTransaction(async (sql) => {
        const lot = await sql.query<{ id: bigint }>("select id from lots where shop_id = $1 and variant_id = $2", [shop.id, variantId]);
        await moveLotUnitsWithEntries(sql, [{ shopId: shop.id, lotId: lot.rows[0]!.id, locationId: l1!, delta, kind, cause: "WEBHOOK" }]);
      });
    await move(v5!.id, -2, "ALLOCATED");
    // Units that left and came back: the lots hold 10 again, Shopify's snapshot (8) is from between.
    await move(v6!.id, -2, "ALLOCATED");
    await move(v6!.id, 2, "RETURNED");
    const op = bulkShopify.complete();
    const { status } = await deliver({ topic: "bulk_operations/finish", shop: shop.domain, body: bulkShopify.finishPayload(op.id) });
    expect(status).toBe(200);
    await processWebhookQueue();
    await runMaintenanceUntilSettled(shop.id, bulk.id);

    expect(await getBulkReconciliation(shop.id, bulk.id)).toMatchObject({ state: "APPLIED", levelsRead: 3000, acted: 4, waiting: 2 });
    const open = await listDiscrepancies(shop.id);
    expect(open.map((d) => [d.variantId, d.locationId, d.shopifyOnHand, d.lotsOnHand, d.missingUnits]).sort()).toEqual(
      [
        [v1!.id, l1, 7, 10, 3],
        [v3!.id, l3, 0, 10, 10],
      ].sort(),
    );
    expect(await incompleteLots(shop.id)).toEqual([
      [v2!.id, l2, 4],
      [v4!.id, elsewhere, 5],
    ]);
    // Shopify was asked twice: the bulk query and its state (for the result URL); never page by page.
    expect(adminRequests.filter((r) => r.shop === shop.domain).map((r) => r.operationName)).toEqual(["LotkeeperBulkOnHandStart", "LotkeeperBulkOperation"]);
    expect(
      await pool()
        .query("select 1 from reconcile_bulk_levels where bulk_id = $1", [bulk.id])
        .then((r) => r.rowCount),
    ).toBe(0);
  });

  it("a change of the app that was being sent while Shopify's snapshot was taken makes no phantom discrepancy", async () => {
    const { shop, store } = await largeShop("bulk-unsettled", 20, 1);
    const v = store.variants[2]!;
    const location = store.locations[0]!;
    // 5 units received: balance and outbox row written, not sent to Shopify yet.
    await withTransaction(async (sql) => {
      const lot = await sql.query<{ id: bigint }>("select id from lots where shop_id = $1 and variant_id = $2", [shop.id, v.id]);
      await moveLotUnitsWithEntries(sql, [{ shopId: shop.id, lotId: lot.rows[0]!.id, locationId: location, delta: 5, kind: "RECEIVED", cause: "USER" }]);
      await sql.query(`insert into outbox_entries (shop_id, kind, payload, idempotency_key) values ($1, 'inventory.adjust', $2::jsonb, $3)`, [
        shop.id,
        JSON.stringify({ levels: [{ inventoryItemId: String(v.inventoryItemId), locationId: String(location), onHandDelta: 5 }] }),
        `test-unsettled-${shop.id}`,
      ]);
    });
    const bulkShopify = mockBulkOnHand(shop.domain, () => shopifyLevels(store)); // Shopify's snapshot: 10, without the receipt
    const bulk = await startBulk(shop.id, "bulk");
    bulkShopify.complete();
    await pool().query("update outbox_entries set status = 'SENT', attempts = 1, sent_at = now() where shop_id = $1", [shop.id]); // sent after the snapshot
    const outcome = await finishBulkReconciliation(shop.id, bulk.id);
    expect(outcome).toMatchObject({ applied: true, bulk: { acted: 0, waiting: 1 } });
    expect(outcome.applied && outcome.levels[0]!.decision).toMatchObject({ action: "wait", difference: -5 });
    expect(await listDiscrepancies(shop.id)).toEqual([]);
  });

  it("a lost finish webhook: the sweep's poll finds the query completed and applies it", async () => {
    const { shop, store } = await largeShop("bulk-lost", 40, 2);
    const bulkShopify = mockBulkOnHand(shop.domain, () => shopifyLevels(store, new Map([[`${store.variants[0]!.inventoryItemId}:${store.locations[0]}`, 6]])));
    const bulk = await startBulk(shop.id, "bulk");
    // Still running at the first poll: nothing applied, the row waits.
    await pool().query("update reconcile_bulk_operations set polled_at = now() - interval '2 minutes' where id = $1", [bulk.id]);
    await sweepBulkReconciliations();
    expect(await getBulkReconciliation(shop.id, bulk.id)).toMatchObject({ state: "RUNNING", shopifyStatus: "CREATED" });
    expect(await listDiscrepancies(shop.id)).toEqual([]);
    // Shopify completes; the webhook never comes. A shop that uninstalled meanwhile (no session)
    // fails its own poll without holding up this one.
    bulkShopify.complete();
    const gone = await createTestShop("bulk-lost-gone");
    await pool().query(`delete from "Session" where shop = $1`, [gone.domain]);
    const stuck = await pool().query<{ id: bigint }>(
      `insert into reconcile_bulk_operations (shop_id, operation_id, state, polled_at) values ($1, 'gid://shopify/BulkOperation/1', 'RUNNING', now() - interval '2 minutes') returning id`,
      [gone.id],
    );
    await pool().query("update reconcile_bulk_operations set polled_at = now() - interval '2 minutes' where id = $1", [bulk.id]);
    await sweepBulkReconciliations();
    expect(await getBulkReconciliation(shop.id, bulk.id)).toMatchObject({ state: "APPLIED", levelsRead: 80, acted: 1 });
    expect(await getBulkReconciliation(gone.id, stuck.rows[0]!.id)).toMatchObject({
      state: "RUNNING",
      error: expect.stringContaining("no usable Shopify session"),
    });
    // A row Shopify never confirmed (the process died between submitting and storing the id) is
    // given up after 10 minutes, so the next run can start.
    const orphan = await pool().query<{ id: bigint }>(
      `insert into reconcile_bulk_operations (shop_id, created_at) values ($1, now() - interval '11 minutes') returning id`,
      [gone.id],
    );
    await sweepBulkReconciliations();
    expect(await getBulkReconciliation(gone.id, orphan.rows[0]!.id)).toMatchObject({ state: "FAILED", error: expect.stringContaining("never confirmed") });
    expect((await listDiscrepancies(shop.id)).map((d) => d.missingUnits)).toEqual([4]);
  });

  it("a worker that died while applying: its lease runs out and the sweep applies the result", async () => {
    const { shop, store } = await largeShop("bulk-died", 20, 1);
    const bulkShopify = mockBulkOnHand(shop.domain, () => shopifyLevels(store, new Map([[`${store.variants[4]!.inventoryItemId}:${store.locations[0]}`, 13]])));
    const bulk = await startBulk(shop.id, "bulk");
    bulkShopify.complete();
    // Claimed by a worker that then died: while the lease runs, nobody else may apply it.
    await pool().query("update reconcile_bulk_operations set state = 'APPLYING', lease_until = now() + interval '5 minutes' where id = $1", [bulk.id]);
    expect(await finishBulkReconciliation(shop.id, bulk.id)).toMatchObject({ applied: false, reason: "not-claimable" });
    await sweepBulkReconciliations();
    expect(await getBulkReconciliation(shop.id, bulk.id)).toMatchObject({ state: "APPLYING" });
    await pool().query("update reconcile_bulk_operations set lease_until = now() - interval '1 second' where id = $1", [bulk.id]);
    await sweepBulkReconciliations();
    expect(await getBulkReconciliation(shop.id, bulk.id)).toMatchObject({ state: "APPLIED", acted: 1 });
    expect(await incompleteLots(shop.id)).toEqual([[store.variants[4]!.id, store.locations[0], 3]]);
  });

  it("duplicate finish webhooks (redelivered, and with another webhook id) apply the result once", async () => {
    const { shop, store } = await largeShop("bulk-dup", 30, 2);
    const target = `${store.variants[3]!.inventoryItemId}:${store.locations[1]}`;
    const bulkShopify = mockBulkOnHand(shop.domain, () => shopifyLevels(store, new Map([[target, 16]])));
    const bulk = await startBulk(shop.id, "bulk");
    const op = bulkShopify.complete();
    const body = bulkShopify.finishPayload(op.id);
    const first = await deliver({ topic: "bulk_operations/finish", shop: shop.domain, body });
    const redelivered = await deliver({ topic: "bulk_operations/finish", shop: shop.domain, body, webhookId: first.webhookId });
    const another = await deliver({ topic: "bulk_operations/finish", shop: shop.domain, body });
    expect([first.status, redelivered.status, another.status]).toEqual([200, 200, 200]);
    await processWebhookQueue();
    await runMaintenanceUntilSettled(shop.id, bulk.id);
    // And once more, after it was applied.
    await deliver({ topic: "bulk_operations/finish", shop: shop.domain, body });
    await processWebhookQueue();
    await runMaintenanceUntilSettled(shop.id, bulk.id);
    expect(await finishBulkReconciliation(shop.id, bulk.id)).toMatchObject({ applied: false, reason: "not-claimable" });

    expect(await incompleteLots(shop.id)).toEqual([[store.variants[3]!.id, store.locations[1], 6]]);
    expect(await reconciledEntries(shop.id)).toBe(1);
    expect(bulkShopify.downloads).toBe(1);
    expect((await inboxRow(another.webhookId))?.status).toBe("PROCESSED");
  });

  it("a download that breaks off halfway is retried, and the levels applied before the break are not applied twice", async () => {
    const { shop, store } = await largeShop("bulk-cut", 40, 2);
    // Early in the file: 5 units no lot explains, and 3 missing; late in the file: 2 no lot explains.
    const early = store.variants[1]!;
    const late = store.variants[38]!;
    const bulkShopify = mockBulkOnHand(shop.domain, () =>
      shopifyLevels(
        store,
        new Map([
          [`${early.inventoryItemId}:${store.locations[0]}`, 15],
          [`${early.inventoryItemId}:${store.locations[1]}`, 7],
          [`${late.inventoryItemId}:${store.locations[0]}`, 12],
        ]),
      ),
    );
    const bulk = await startBulk(shop.id, "bulk");
    const op = bulkShopify.complete();
    bulkShopify.breakNextDownloadAfter = 20; // items 1-7 of 40 arrive, then the connection drops
    await deliver({ topic: "bulk_operations/finish", shop: shop.domain, body: bulkShopify.finishPayload(op.id) });
    await processWebhookQueue();
    await runMaintenanceUntilSettled(shop.id, bulk.id); // the job fails once, BullMQ retries it
    expect(bulkShopify.downloads).toBe(2);
    expect(await getBulkReconciliation(shop.id, bulk.id)).toMatchObject({ state: "APPLIED" });
    expect(await incompleteLots(shop.id)).toEqual([
      [early.id, store.locations[0], 5],
      [late.id, store.locations[0], 2],
    ]);
    expect(await reconciledEntries(shop.id)).toBe(2);
    expect((await listDiscrepancies(shop.id)).map((d) => [d.variantId, d.missingUnits])).toEqual([[early.id, 3]]);
  });

  it("another shop's operation id cannot finish, fail or read this shop's reconciliation", async () => {
    const a = await largeShop("bulk-iso-a", 10, 1);
    const b = await largeShop("bulk-iso-b", 10, 1);
    const aShopify = mockBulkOnHand(a.shop.domain, () =>
      shopifyLevels(a.store, new Map([[`${a.store.variants[0]!.inventoryItemId}:${a.store.locations[0]}`, 1]])),
    );
    mockBulkOnHand(b.shop.domain, () => shopifyLevels(b.store));
    const bulkA = await startBulk(a.shop.id, "bulk");
    const opA = aShopify.complete();
    // Shop B's delivery naming A's operation.
    const forged = await deliver({ topic: "bulk_operations/finish", shop: b.shop.domain, body: aShopify.finishPayload(opA.id) });
    expect(forged.status).toBe(200);
    await processWebhookQueue();
    expect((await inboxRow(forged.webhookId))?.status).toBe("PROCESSED");
    expect(await finishBulkReconciliation(b.shop.id, bulkA.id)).toEqual({ applied: false, reason: "not-found", bulk: null });
    expect(await getBulkReconciliation(b.shop.id, bulkA.id)).toBeNull();
    expect(await getBulkReconciliation(a.shop.id, bulkA.id)).toMatchObject({ state: "RUNNING" });
    expect(await listDiscrepancies(a.shop.id)).toEqual([]);
    expect(await listDiscrepancies(b.shop.id)).toEqual([]);
    expect(aShopify.downloads).toBe(0);
    // A's own delivery applies A's result, to A only.
    await deliver({ topic: "bulk_operations/finish", shop: a.shop.domain, body: aShopify.finishPayload(opA.id) });
    await processWebhookQueue();
    await runMaintenanceUntilSettled(a.shop.id, bulkA.id);
    expect((await listDiscrepancies(a.shop.id)).map((d) => d.missingUnits)).toEqual([9]);
    expect(await listDiscrepancies(b.shop.id)).toEqual([]);
  });

  it("a failed bulk query changes nothing and lets the next run start a new one; one runs at a time", async () => {
    const { shop, store } = await largeShop("bulk-failed", 20, 1);
    const bulkShopify = mockBulkOnHand(shop.domain, () => shopifyLevels(store, new Map([[`${store.variants[0]!.inventoryItemId}:${store.locations[0]}`, 0]])));
    const bulk = await startBulk(shop.id, "bulk");
    const again = await runShopReconciliation(shop.id, "bulk");
    expect(again).toMatchObject({ mode: "bulk", started: false, bulk: { id: bulk.id } });
    bulkShopify.fail(bulkShopify.operations[0]!.id, "TIMEOUT");
    await deliver({ topic: "bulk_operations/finish", shop: shop.domain, body: bulkShopify.finishPayload() });
    await processWebhookQueue();
    await runMaintenanceUntilSettled(shop.id, bulk.id);
    expect(await getBulkReconciliation(shop.id, bulk.id)).toMatchObject({ state: "FAILED", errorCode: "TIMEOUT" });
    expect(await listDiscrepancies(shop.id)).toEqual([]);
    expect(bulkShopify.downloads).toBe(0);
    const next = await runShopReconciliation(shop.id, "bulk");
    expect(next).toMatchObject({ mode: "bulk", started: true });
    expect(bulkShopify.operations).toHaveLength(2);
  });

  it("Shopify running as many bulk queries as it allows: the run fails retryably and records why, nothing else changes", async () => {
    const { shop, store } = await largeShop("bulk-busy", 10, 1);
    const bulkShopify = mockBulkOnHand(shop.domain, () => shopifyLevels(store));
    for (let i = 0; i < 5; i += 1)
      bulkShopify.operations.push({ id: `gid://shopify/BulkOperation/${i + 1}`, shop: shop.domain, status: "RUNNING", errorCode: null });
    const error = await runShopReconciliation(shop.id, "bulk").catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ShopifyBulkBusyError", retryable: true });
    const rows = await pool().query<{ state: string; error: string }>("select state::text as state, error from reconcile_bulk_operations where shop_id = $1", [
      shop.id,
    ]);
    expect(rows.rows).toEqual([{ state: "FAILED", error: expect.stringContaining("Bulk operations limit reached.") }]);
    expect(
      await pool()
        .query("select 1 from reconcile_bulk_levels where shop_id = $1", [shop.id])
        .then((r) => r.rowCount),
    ).toBe(0);
    expect(await listDiscrepancies(shop.id)).toEqual([]);
  });

  it("lots reconcile starts the bulk query of a large shop and prints it; --bulk with --paging is refused", async () => {
    const { shop, store } = await largeShop("bulk-cli", 100, 3);
    const bulkShopify = mockBulkOnHand(shop.domain, () => shopifyLevels(store));
    const { cliJson, runCli } = await import("../helpers/cli");
    const printed = await cliJson<{ mode: string; started: boolean; bulk: { id: string; state: string; operationId: string } }>([
      "lots",
      "reconcile",
      "--shop",
      shop.domain,
    ]);
    expect(printed).toMatchObject({ mode: "bulk", started: true, bulk: { state: "RUNNING", operationId: bulkShopify.operations[0]!.id } });
    const refused = await runCli(["lots", "reconcile", "--shop", shop.domain, "--bulk", "--paging"]);
    expect((refused.error as Error).message).toBe("--bulk and --paging exclude each other");
    expect(bulkShopify.operations).toHaveLength(1);
  });

  it("a small shop is still read page by page", async () => {
    const { shop } = await largeShop("bulk-small", 3, 2);
    resetAdminRequests();
    const { graphql, HttpResponse, server } = await import("../helpers/shopify-mock");
    server.use(graphql.query("LotkeeperOnHand", ({ variables }) => HttpResponse.json({ data: { nodes: (variables.ids as string[]).map(() => null) } })));
    const run = await runShopReconciliation(shop.id);
    expect(run.mode).toBe("paging");
    expect(adminRequests.filter((r) => r.shop === shop.domain).map((r) => r.operationName)).toEqual(["LotkeeperOnHand"]);
  });
});
