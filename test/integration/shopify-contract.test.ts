// The msw handlers answer as Shopify does, so the app's real calls meet Shopify's contract in every
// integration test (test/helpers/shopify-mock.ts, app/lib/shopify-contract/admin-gate.ts). Here:
// the recall's and the quarantine's moves are accepted; the same move without changeFromQuantity,
// a mutation without @idempotent, a query over 1,000 points and a spent bucket are refused the way
// Shopify refuses them, and the app reacts to each as it must (FAILED with Shopify's reason, or
// PENDING until the bucket has refilled).
import { afterAll, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { receiveLot } from "../../app/domain/lots/receive-lot.server";
import { quarantineLotNow } from "../../app/domain/lots/quarantine.server";
import { openRecall } from "../../app/domain/recall/recall-case.server";
import { sendOutboxEntry } from "../../app/domain/sync/outbox.server";
import { throttleWaitMs } from "../../app/domain/sync/throttle";
import { adminGraphql, fetchOnHand, ON_HAND_QUERY, ShopifyRejectedError, ShopifyThrottledError } from "../../app/lib/shopify-admin.server";
import { adminRequests, graphql, HttpResponse, server, shopifyGate } from "../helpers/shopify-mock";
import { mockOnHand, shopWithTwoLocations } from "../helpers/lots-shopify";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";

useOwnQueuePrefix();

afterAll(async () => {
  await getQueue(QUEUE_NAMES.shopifySync).obliterate({ force: true });
});

const setup = (label: string) => shopWithTwoLocations(label, "OAT-1L");

async function pendingMoves(shopId: number): Promise<bigint[]> {
  const r = await pool().query<{ id: bigint }>(
    "select id from outbox_entries where shop_id = $1 and status = 'PENDING' and kind = 'inventory.move' order by id",
    [shopId],
  );
  return r.rows.map((x) => x.id);
}

async function outboxRow(id: bigint) {
  const r = await pool().query<{ status: string; last_error: string | null }>("select status::text, last_error from outbox_entries where id = $1", [id]);
  return r.rows[0]!;
}

const nullSides = { from: { changeFromQuantity: null }, to: { changeFromQuantity: null } };

describe("the app's inventory moves meet Shopify's contract", () => {
  it("a recall's quarantine is accepted: changeFromQuantity on both sides of every change, @idempotent with the row's key", async () => {
    const { shop, variant, main, annex, sent } = await setup("contract-recall");
    for (const [locationId, quantity] of [
      [main.id, 9],
      [annex.id, 4],
    ] as const) {
      const received = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "OAT-7", quantity, locationId });
      expect(await sendOutboxEntry(received.outboxId!)).toMatchObject({ status: "sent" });
    }
    await openRecall(shop.id, { lots: [{ lotNumber: "OAT-7" }], reason: "Seal may leak", severity: "CLASS_II", reference: "RC-OAT" });
    const [moveId] = await pendingMoves(shop.id);
    expect(await sendOutboxEntry(moveId!)).toEqual({ status: "sent", outboxId: moveId });
    const move = sent.find((m) => m.operation === "inventoryMoveQuantities")!;
    expect(move.query).toContain("@idempotent(key: $idempotencyKey)");
    const changes = (move.variables.input as { changes: { quantity: number }[] }).changes;
    expect(changes.map((c) => c.quantity).sort()).toEqual([4, 9]);
    for (const change of changes) expect(change).toMatchObject(nullSides);
  });

  it("the same move without changeFromQuantity is refused as Shopify refuses it: FAILED with its reason, nothing applied", async () => {
    const { shop, variant, main, sent } = await setup("contract-nocas");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "Q-1", quantity: 5, locationId: main.id });
    await sendOutboxEntry(r.outboxId!);
    sent.length = 0;
    await quarantineLotNow({ shopId: shop.id, lotId: r.lotId, reason: "smell", cause: "USER" });
    const [moveId] = await pendingMoves(shop.id);
    // What the app sent before this fix: no changeFromQuantity on `from`.
    await pool().query("update outbox_entries set payload = payload #- '{input,changes,0,from,changeFromQuantity}' where id = $1", [moveId]);
    const outcome = await sendOutboxEntry(moveId!);
    const reason =
      "Shopify refused the request: Variable $input.changes.0.from: InventoryMoveQuantityTerminalInput must include the following argument: changeFromQuantity";
    expect(outcome).toEqual({ status: "failed", outboxId: moveId, error: reason });
    expect(await outboxRow(moveId!)).toEqual({ status: "FAILED", last_error: reason });
    expect(sent).toEqual([]);
  });

  it("an inventory mutation without @idempotent is refused (BAD_REQUEST)", async () => {
    const { shop, variant, main, sent } = await setup("contract-nokey");
    const unkeyed = `mutation LotkeeperInventoryMove($input: InventoryMoveQuantitiesInput!) { inventoryMoveQuantities(input: $input) { userErrors { field message code } } }`;
    const input = {
      reason: "quality_control",
      referenceDocumentUri: "gid://lotkeeper/Lot/1",
      changes: [
        {
          inventoryItemId: `gid://shopify/InventoryItem/${variant.inventoryItemId}`,
          quantity: 1,
          from: { locationId: `gid://shopify/Location/${main.id}`, name: "available", changeFromQuantity: null },
          to: {
            locationId: `gid://shopify/Location/${main.id}`,
            name: "quality_control",
            changeFromQuantity: null,
            ledgerDocumentUri: "gid://lotkeeper/Lot/1",
          },
        },
      ],
    };
    const refused = await adminGraphql(shop.domain, unkeyed, { input }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ShopifyRejectedError);
    expect((refused as ShopifyRejectedError).details).toEqual([
      {
        message: "The @idempotent directive is required for this mutation but was not provided.",
        path: ["inventoryMoveQuantities"],
        extensions: { code: "BAD_REQUEST" },
      },
    ]);
    expect(sent).toEqual([]);
  });

  it("a document invalid against Shopify's schema, or using a deprecated field, is refused before any handler answers", async () => {
    const { shop } = await setup("contract-invalid");
    const typo = await adminGraphql(shop.domain, "query LotkeeperLocation($id: ID!) { location(id: $id) { id nam } }", {
      id: "gid://shopify/Location/1",
    }).catch((error: unknown) => error);
    expect((typo as ShopifyRejectedError).details).toMatchObject([
      { message: 'Cannot query field "nam" on type "Location". Did you mean "name"?', extensions: { code: "undefinedField" } },
    ]);
    const deprecated = await adminGraphql(shop.domain, "query LotkeeperVariant($id: ID!) { productVariant(id: $id) { id storefrontId } }", {
      id: "gid://shopify/ProductVariant/1",
    }).catch((error: unknown) => error);
    expect((deprecated as ShopifyRejectedError).details).toMatchObject([{ extensions: { code: "deprecated" } }]);
  });

  it("a query over 1,000 requested points is refused (MAX_COST_EXCEEDED), the app's own read is not", async () => {
    const { shop, variant, main } = await setup("contract-cost");
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: main.id, onHand: 5 }]);
    const ids = Array.from({ length: 10 }, (_, i) => `gid://shopify/InventoryItem/${variant.inventoryItemId + BigInt(i)}`);
    const old = ON_HAND_QUERY.replace("inventoryLevels(first: 25)", "inventoryLevels(first: 50)");
    const refused = await adminGraphql(shop.domain, old, { ids }).catch((error: unknown) => error);
    expect((refused as ShopifyRejectedError).details).toMatchObject([{ extensions: { code: "MAX_COST_EXCEEDED", cost: 1530, maxCost: 1000 } }]);
    const levels = await fetchOnHand(
      shop.domain,
      ids.map((g) => BigInt(g.split("/").pop()!)),
    );
    expect(levels).toEqual([{ inventoryItemId: variant.inventoryItemId, locationId: main.id, locationName: "Shopify location", onHand: 5 }]);
  });
});

describe("a spent leaky bucket", () => {
  it("THROTTLED carries extensions.cost.throttleStatus; the outbox keeps the change PENDING for as long as the bucket needs", async () => {
    const { shop, variant, main, sent } = await setup("contract-throttle");
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "T-1", quantity: 2, locationId: main.id });
    // A bucket that refills 1 point a second, so the 10 points of a mutation stay out of reach
    // for the whole test however slow the machine (the standard plan's figures: the simulator test).
    shopifyGate.setPlan(shop.domain, { maximumAvailable: 2000, restoreRate: 1 });
    shopifyGate.bucket(shop.domain).drain();
    const outcome = await sendOutboxEntry(r.outboxId!);
    expect(outcome).toMatchObject({ status: "retry", error: `Shopify throttled ${shop.domain} (query cost)` });
    expect(await outboxRow(r.outboxId!)).toMatchObject({ status: "PENDING" });
    expect(sent).toEqual([]);
    // The wait comes from the reported bucket: (10 requested - under 1 left) / 1 point per second,
    // about 10 s, where backoff without a status would have been about 1 s.
    expect(outcome.status === "retry" && outcome.waitMs).toBeGreaterThan(9000);

    const thrown = await adminGraphql(shop.domain, "query LotkeeperLocation($id: ID!) { location(id: $id) { id name isActive } }", {
      id: `gid://shopify/Location/${main.id}`,
    }).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(ShopifyThrottledError);
    const cost = (thrown as ShopifyThrottledError).cost!;
    expect(cost).toMatchObject({
      requestedQueryCost: 1,
      actualQueryCost: null,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 1 },
    });
    expect(throttleWaitMs(cost, 1)).toBe(1000);
  });

  it("reconciliation's read waits for the bucket to hold its requested points, then reads once more", async () => {
    const { shop, variant, main } = await setup("contract-read-wait");
    mockOnHand([{ inventoryItemId: variant.inventoryItemId, locationId: main.id, onHand: 3 }]);
    shopifyGate.bucket(shop.domain).drain(); // one item asks 78 points: 0.78 s of restore at 100 points/s
    const before = adminRequests.filter((q) => q.shop === shop.domain && q.operationName === "LotkeeperOnHand").length;
    const levels = await fetchOnHand(shop.domain, [variant.inventoryItemId]);
    expect(levels).toEqual([{ inventoryItemId: variant.inventoryItemId, locationId: main.id, locationName: "Shopify location", onHand: 3 }]);
    expect(adminRequests.filter((q) => q.shop === shop.domain && q.operationName === "LotkeeperOnHand").length - before).toBe(2);
  });

  it("an answer a test writes itself is passed on as written", async () => {
    const { shop } = await setup("contract-passthrough");
    server.use(graphql.query("LotkeeperLocation", () => HttpResponse.json({ data: { location: null }, extensions: { cost: { requestedQueryCost: 1 } } })));
    const { data, cost } = await adminGraphql<{ location: null }>(shop.domain, "query LotkeeperLocation($id: ID!) { location(id: $id) { id name isActive } }", {
      id: "gid://shopify/Location/1",
    });
    expect(data).toEqual({ location: null });
    // Data answers get the real cost: 1 requested, 0 actual (the location was null).
    expect(cost).toMatchObject({ requestedQueryCost: 1, actualQueryCost: 0, throttleStatus: { maximumAvailable: 2000, restoreRate: 100 } });
  });
});
