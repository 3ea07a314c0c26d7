import { afterAll, describe, expect, it } from "vitest";
import { deliver, eventually, jobCounts, useOwnQueuePrefix, processWebhookQueue } from "../helpers/webhook-pipeline";
import { createTestShop } from "../helpers/shops";
import { newId } from "../helpers/factories";
import { mockCatalog, mockInventoryMutations, mockOnHand, type SentMutation } from "../helpers/lots-shopify";
import { graphql, HttpResponse, server } from "../helpers/shopify-mock";
import { pool } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import { moveLotUnitsWithEntries } from "../../app/domain/ledger/ledger.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { receiveLot } from "../../app/domain/lots/receive-lot.server";
import { getLotDetail, listLots } from "../../app/domain/lots/lot-queries.server";
import { sendOutboxEntry } from "../../app/domain/sync/outbox.server";
import { listDiscrepancies, reconcileLevel, reconcileShop } from "../../app/domain/reconcile/reconcile.server";
import { RECONCILE_LEVEL_JOB, RECONCILE_SHOP_JOB } from "../../app/domain/reconcile/inventory-level-webhook.server";

useOwnQueuePrefix();

// This file's queue prefix is its own: drop what its receipts queued.
afterAll(async function obliterateOwnQueues() {
  for (const name of [QUEUE_NAMES.shopifySync, QUEUE_NAMES.maintenance]) await getQueue(name).obliterate({ force: true });
});

async function setup(label: string) {
  const shop = await createTestShop(label);
  const variant = { id: newId(), inventoryItemId: newId(), sku: "WAX-RED" };
  const location = { id: newId(), name: "Main" };
  mockCatalog([variant], [location]);
  const sent: SentMutation[] = [];
  mockInventoryMutations(sent);
  return { shop, variant, location, sent };
}

async function counts(shopId: number) {
  const r = await pool().query<{ lots: number; discrepancies: number; outbox: number }>(
    `select (select count(*) from lots where shop_id = $1)::int as lots,
            (select count(*) from discrepancies where shop_id = $1 and status = 'OPEN')::int as discrepancies,
            (select count(*) from outbox_entries where shop_id = $1)::int as outbox`,
    [shopId],
  );
  return r.rows[0]!;
}

describe("reconciliation against Shopify's on_hand", () => {
  it("the echo of the app's own adjustment creates nothing, before and after it is applied", async () => {
    const { shop, variant, location } = await setup("rec-echo");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "E1", quantity: 10, locationId: location.id });
    // Not sent yet: Shopify still shows 0, the pending row explains the 10.
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 0 }]);
    expect((await reconcileLevel(shop.id, variant.inventoryItemId, location.id))!.decision).toEqual({ action: "none", difference: 0 });
    // Sent and applied: Shopify shows 10.
    await sendOutboxEntry(r.outboxId!);
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 10 }]);
    expect((await reconcileLevel(shop.id, variant.inventoryItemId, location.id))!.decision.action).toBe("none");
    expect(await counts(shop.id)).toEqual({ lots: 1, discrepancies: 0, outbox: 1 });
  });

  it("waits while a change of the app may or may not have reached Shopify", async () => {
    const { shop, variant, location } = await setup("rec-inflight");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "F1", quantity: 10, locationId: location.id });
    await pool().query("update outbox_entries set attempts = 1 where id = $1", [r.outboxId]); // sent once, answer lost
    // Shopify did not get it (0): not a discrepancy yet, the row is still being retried.
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 0 }]);
    const result = await reconcileLevel(shop.id, variant.inventoryItemId, location.id);
    expect(result!.decision).toMatchObject({ action: "wait", difference: -10 });
    // Shopify did get it (10): balanced.
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 10 }]);
    expect((await reconcileLevel(shop.id, variant.inventoryItemId, location.id))!.decision.action).toBe("none");
    expect(await counts(shop.id)).toEqual({ lots: 1, discrepancies: 0, outbox: 1 });
  });

  it("a shipment processed while Shopify is being read makes no phantom lot", async () => {
    const { shop, variant, location } = await setup("rec-moving");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "M1", quantity: 10, locationId: location.id });
    await sendOutboxEntry(r.outboxId!);
    // Shopify answers 10 (before 2 units shipped there); meanwhile the worker allocates those 2 from the lot.
    let first = true;
    server.use(
      graphql.query("LotkeeperLevelOnHand", async ({ variables }) => {
        const quantity = first ? 10 : 8;
        if (first) {
          first = false;
          await withTransaction((sql) =>
            moveLotUnitsWithEntries(sql, [{ shopId: shop.id, lotId: r.lotId, locationId: location.id, delta: -2, kind: "ALLOCATED", cause: "WEBHOOK" }]),
          );
        }
        return HttpResponse.json({ data: { inventoryItem: { id: variables.id, inventoryLevel: { quantities: [{ name: "on_hand", quantity }] } } } });
      }),
    );
    const result = await reconcileLevel(shop.id, variant.inventoryItemId, location.id);
    expect(result!.decision).toMatchObject({ action: "wait", reason: "the lots changed while Shopify was read (10 -> 8 units)" });
    expect(await counts(shop.id)).toEqual({ lots: 1, discrepancies: 0, outbox: 1 });
    // The retry reads 8 against 8.
    expect((await reconcileLevel(shop.id, variant.inventoryItemId, location.id))!.decision.action).toBe("none");
  });

  it("waits while a fulfilment of the shop is recorded but not yet allocated", async () => {
    const { shop, variant, location } = await setup("rec-fulfil");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "F2", quantity: 10, locationId: location.id });
    await sendOutboxEntry(r.outboxId!);
    await pool().query("insert into webhook_events (webhook_id, shop_domain, topic, payload) values ($1, $2, 'fulfillments/create', '{}'::jsonb)", [
      `rec-fulfil-${newId()}`,
      shop.domain,
    ]);
    // Shopify already shipped 2; the allocation that takes them from the lot has not run yet.
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 8 }]);
    expect((await reconcileLevel(shop.id, variant.inventoryItemId, location.id))!.decision).toMatchObject({ action: "wait", difference: -2 });
    expect(await listDiscrepancies(shop.id)).toEqual([]);
    await pool().query("update webhook_events set status = 'PROCESSED' where shop_domain = $1", [shop.domain]);
    expect((await reconcileLevel(shop.id, variant.inventoryItemId, location.id))!.decision.action).toBe("record-discrepancy");
  });

  it("units Shopify has that no lot explains become an incomplete lot named from the date, without a Shopify change", async () => {
    const { shop, variant, location } = await setup("rec-extra");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "G1", quantity: 10, locationId: location.id });
    await sendOutboxEntry(r.outboxId!);
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 16 }]);
    const utcDay = () => new Date().toISOString().slice(0, 10).replace(/-/g, "");
    const dayBefore = utcDay();
    const result = await reconcileLevel(shop.id, variant.inventoryItemId, location.id);
    // The date of the run: the day before or after the call (a run at midnight UTC may see either).
    const today = [dayBefore, utcDay()].find((day) => result?.lotNumber === `UNLOTTED-${day}`) ?? dayBefore;
    expect(result).toMatchObject({ decision: { action: "create-incomplete-lot", units: 6 }, lotNumber: `UNLOTTED-${today}` });
    const detail = await getLotDetail(shop.id, result!.lotId!);
    expect(detail).toMatchObject({ incomplete: true, totals: { onHand: 6 }, balances: [{ locationId: location.id, quantity: 6 }] });
    expect(detail.ledger.entries.map((e) => [e.kind, e.delta, e.cause])).toEqual([["RECONCILED", 6, "JOB"]]);
    expect((await listLots(shop.id, { status: "INCOMPLETE" })).lots.map((l) => l.lotNumber)).toEqual([`UNLOTTED-${today}`]);
    expect(await counts(shop.id)).toEqual({ lots: 2, discrepancies: 0, outbox: 1 });
    // Running again finds the level balanced.
    expect((await reconcileLevel(shop.id, variant.inventoryItemId, location.id))!.decision.action).toBe("none");
  });

  it("units the lots have and Shopify lacks become one open discrepancy, resolved when the level agrees again", async () => {
    const { shop, variant, location } = await setup("rec-missing");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "H1", quantity: 10, locationId: location.id });
    await sendOutboxEntry(r.outboxId!);
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 7 }]);
    expect((await reconcileLevel(shop.id, variant.inventoryItemId, location.id))!.decision).toEqual({
      action: "record-discrepancy",
      difference: -3,
      missingUnits: 3,
    });
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 6 }]);
    await reconcileLevel(shop.id, variant.inventoryItemId, location.id);
    const open = await listDiscrepancies(shop.id);
    expect(open).toMatchObject([
      { variantId: variant.id, sku: "WAX-RED", locationId: location.id, locationName: "Main", shopifyOnHand: 6, lotsOnHand: 10, missingUnits: 4 },
    ]);
    expect(await counts(shop.id)).toEqual({ lots: 1, discrepancies: 1, outbox: 1 });
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 10 }]);
    await reconcileLevel(shop.id, variant.inventoryItemId, location.id);
    expect(await listDiscrepancies(shop.id)).toEqual([]);
  });

  it("the periodic run covers every level of the shop, including lots at a location Shopify has no stock at", async () => {
    const { shop, variant, location } = await setup("rec-shop");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "P1", quantity: 5, locationId: location.id });
    await sendOutboxEntry(r.outboxId!);
    const other = newId();
    // Shopify: 5 at the lot's location (balanced) and 2 at another location no lot explains.
    mockOnHand([
      { inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 5 },
      { inventoryItemId: variant.inventoryItemId, locationId: other, onHand: 2 },
    ]);
    const acted = await reconcileShop(shop.id);
    expect(acted.map((a) => [a.locationId, a.decision.action])).toEqual([[other, "create-incomplete-lot"]]);
  });
});

describe("location names", () => {
  it("a location received while Shopify did not answer gets its name from the next periodic run", async () => {
    const { shop, variant, location } = await setup("rec-names");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "N1", quantity: 3, locationId: location.id });
    await sendOutboxEntry(r.outboxId!);
    await pool().query("update locations set name = null where shop_id = $1 and id = $2", [shop.id, location.id]); // as if Shopify had been down
    const renamed = newId();
    await pool().query("insert into locations (shop_id, id, name, active) values ($1, $2, 'Our name', true)", [shop.id, renamed]);
    mockOnHand([
      { inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 3, locationName: "Warehouse Berlin" },
      { inventoryItemId: variant.inventoryItemId, locationId: renamed, onHand: 0, locationName: "Shopify's name" },
    ]);
    await reconcileShop(shop.id);
    const names = await pool().query<{ id: bigint; name: string | null }>("select id, name from locations where shop_id = $1 order by name", [shop.id]);
    // The unnamed one is named; a name we have is left to locations/update.
    expect(names.rows.map((l) => l.name)).toEqual(["Our name", "Warehouse Berlin"]);
    expect((await getLotDetail(shop.id, r.lotId)).balances).toMatchObject([{ locationName: "Warehouse Berlin", quantity: 3 }]);
  });
});

describe("reconciliation from the CLI", () => {
  it("lots reconcile, lots discrepancies and lots resolve-discrepancy", async () => {
    const { shop, variant, location } = await setup("rec-cli");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "CL", quantity: 5, locationId: location.id });
    await sendOutboxEntry(r.outboxId!);
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 2 }]);
    const { cliJson } = await import("../helpers/cli");
    const run = (...argv: string[]) => cliJson<Record<string, unknown>>(argv);
    const reconciled = await run("lots", "reconcile", "--shop", shop.domain);
    expect(reconciled).toMatchObject({
      levels: [{ locationId: String(location.id), shopifyOnHand: 2, lotsOnHand: 5, decision: { action: "record-discrepancy", missingUnits: 3 } }],
    });
    const listed = (await run("lots", "discrepancies", "--shop", shop.domain)) as { discrepancies: { id: string; missingUnits: number }[] };
    expect(listed.discrepancies).toMatchObject([{ missingUnits: 3, sku: "WAX-RED", locationName: "Main" }]);
    expect(await run("lots", "resolve-discrepancy", "--shop", shop.domain, "--id", listed.discrepancies[0]!.id)).toEqual({
      resolved: listed.discrepancies[0]!.id,
    });
    expect(await listDiscrepancies(shop.id)).toEqual([]);
    expect(await run("lots", "sync-status", "--shop", shop.domain)).toMatchObject({ pending: 0, failed: 0, entries: [] });
  });
});

describe("reading Shopify's levels", () => {
  it("pages through an item stocked at more than 50 locations", async () => {
    const { shop, variant, location } = await setup("rec-pages");
    await receiveLot(shop.id, { variantId: variant.id, lotNumber: "PG", quantity: 1, locationId: location.id });
    await pool().query("update outbox_entries set status = 'SENT' where shop_id = $1", [shop.id]);
    const far = newId();
    const level = (id: bigint, onHand: number) => ({ location: { id: `gid://shopify/Location/${id}` }, quantities: [{ name: "on_hand", quantity: onHand }] });
    const first = [level(location.id, 1), ...Array.from({ length: 49 }, () => level(newId(), 0))];
    const pages: unknown[] = [];
    server.use(
      graphql.query("LotkeeperOnHand", ({ variables }) =>
        HttpResponse.json({
          data: {
            nodes: (variables.ids as string[]).map((id) => ({ id, inventoryLevels: { pageInfo: { hasNextPage: true, endCursor: "c50" }, nodes: first } })),
          },
        }),
      ),
      graphql.query("LotkeeperOnHandPage", ({ variables }) => {
        pages.push(variables);
        return HttpResponse.json({
          data: { inventoryItem: { id: variables.id, inventoryLevels: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [level(far, 3)] } } },
        });
      }),
    );
    const acted = await reconcileShop(shop.id);
    expect(pages).toEqual([{ id: `gid://shopify/InventoryItem/${variant.inventoryItemId}`, after: "c50" }]);
    expect(acted.map((a) => [a.locationId, a.decision.action, a.shopifyOnHand])).toEqual([[far, "create-incomplete-lot", 3]]);
  });
});

describe("inventory_levels/update webhook", () => {
  it("queues a delayed reconciliation of that level for a lot-tracked variant only", async () => {
    const { shop, variant, location } = await setup("rec-hook");
    await receiveLot(shop.id, { variantId: variant.id, lotNumber: "W1", quantity: 1, locationId: location.id });
    const maintenance = getQueue(QUEUE_NAMES.maintenance);
    await maintenance.obliterate({ force: true });
    const payload = {
      inventory_item_id: Number(variant.inventoryItemId),
      location_id: Number(location.id),
      available: 37,
      updated_at: "2026-11-21T09:02:45-05:00",
    };
    const tracked = await deliver({ topic: "inventory_levels/update", shop: shop.domain, body: payload });
    const untracked = await deliver({ topic: "inventory_levels/update", shop: shop.domain, body: { ...payload, inventory_item_id: 123 } });
    expect([tracked.status, untracked.status]).toEqual([200, 200]);
    await processWebhookQueue();
    const jobs = await maintenance.getJobs(["delayed", "waiting"]);
    expect(jobs.map((j) => [j.name, j.data])).toEqual([
      [RECONCILE_LEVEL_JOB, { shopId: shop.id, inventoryItemId: String(variant.inventoryItemId), locationId: String(location.id) }],
    ]);
    expect((await jobCounts(QUEUE_NAMES.webhooks)).failed).toBe(0);
    await maintenance.obliterate({ force: true });
  });

  it("the maintenance worker runs the reconcile job through the registry", async () => {
    const { shop, variant, location } = await setup("rec-worker");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "J1", quantity: 4, locationId: location.id });
    await sendOutboxEntry(r.outboxId!);
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 9 }]);
    const maintenance = getQueue(QUEUE_NAMES.maintenance);
    await maintenance.obliterate({ force: true });
    await maintenance.add(RECONCILE_LEVEL_JOB, { shopId: shop.id, inventoryItemId: String(variant.inventoryItemId), locationId: String(location.id) });
    const { createQueueWorker } = await import("../../workers/main");
    const worker = createQueueWorker(QUEUE_NAMES.maintenance, { concurrency: 1 });
    try {
      await eventually(async () => (await listLots(shop.id, { status: "INCOMPLETE" })).lots.length === 1, "the incomplete lot");
    } finally {
      await worker.close();
    }
    expect((await listLots(shop.id, { status: "INCOMPLETE" })).lots[0]).toMatchObject({ onHand: 5, incomplete: true });
  });

  it("the periodic job fans out one reconcile-shop job per installed shop, which the worker runs", async () => {
    const { shop, variant, location } = await setup("rec-fanout");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "FO", quantity: 4, locationId: location.id });
    await sendOutboxEntry(r.outboxId!);
    const gone = await createTestShop("rec-fanout-uninstalled", { installed: false });
    const maintenance = getQueue(QUEUE_NAMES.maintenance);
    await maintenance.obliterate({ force: true });
    const { processReconcileShops } = await import("../../workers/processors/lots-maintenance");
    const ctx = { log: { info: () => undefined } } as unknown as Parameters<typeof processReconcileShops>[1];
    await processReconcileShops({ timestamp: Date.now() } as Parameters<typeof processReconcileShops>[0], ctx);
    const queued = (await maintenance.getJobs(["waiting"])).map((j) => j.data.shopId as number);
    expect(queued).toContain(shop.id);
    expect(queued).not.toContain(gone.id);
    // Run only this shop's job (other test files' shops share the database).
    await maintenance.obliterate({ force: true });
    await maintenance.add(RECONCILE_SHOP_JOB, { shopId: shop.id });
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: location.id, onHand: 1 }]);
    const { createQueueWorker } = await import("../../workers/main");
    const worker = createQueueWorker(QUEUE_NAMES.maintenance, { concurrency: 1 });
    try {
      await eventually(async () => (await listDiscrepancies(shop.id)).length === 1, "the discrepancy");
    } finally {
      await worker.close();
    }
    expect((await listDiscrepancies(shop.id))[0]).toMatchObject({ shopifyOnHand: 1, lotsOnHand: 4 });
  });
});
