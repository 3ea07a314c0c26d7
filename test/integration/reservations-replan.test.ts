// Re-planning reservations when a lot becomes unusable (README "Reservations", docs/decisions/
// 100-reservations.md "Re-planning"), as a merchant sees it: orders that get no further webhook
// still stop holding units of a recalled, quarantined, expired or counted-down lot — the real
// maintenance worker runs the job the recall / quarantine / count queued (or the daily sweep) —
// and hold the next lot instead, which the pick list then shows.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { orderReservations } from "../../app/domain/reservations/reservations.server";
import {
  queueReservationReplans,
  replanJobId,
  replanReservations,
  REPLAN_RESERVATIONS_JOB,
  SWEEP_RESERVATION_REPLANS_JOB,
} from "../../app/domain/reservations/replan.server";
import { pickListForOrder } from "../../app/domain/picking/pick-list.server";
import { quarantineLot, quarantineLotNow } from "../../app/domain/lots/quarantine.server";
import { countLot } from "../../app/domain/lots/lot-moves.server";
import { updateLot } from "../../app/domain/lots/edit-lot.server";
import { openRecall } from "../../app/domain/recall/recall-case.server";
import { withTransaction } from "../../app/lib/sql.server";
import { createQueueWorker } from "../../workers/main";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId } from "../helpers/factories";
import { allocationInvariantViolations, deliver, orderPayload } from "../helpers/allocation";
import { eventually, useOwnQueuePrefix } from "../helpers/webhook-pipeline";

useOwnQueuePrefix();

const workers: ReturnType<typeof createQueueWorker>[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});
afterAll(async () => {
  for (const name of [QUEUE_NAMES.shopifySync, QUEUE_NAMES.maintenance]) await getQueue(name).obliterate({ force: true });
});

function startMaintenanceWorker() {
  workers.push(createQueueWorker(QUEUE_NAMES.maintenance, { concurrency: 1 }));
}

function inDays(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

/** orders/create for one line, placed at `createdAt` (the order's age decides who keeps units). */
async function placeOrder(shopDomain: string, variantId: bigint, quantity: number, createdAt = "2026-11-20T10:14:03-05:00"): Promise<bigint> {
  const id = newId();
  const body = orderPayload({ id, lines: [{ id: newId(), variantId, quantity }] });
  body.created_at = createdAt;
  body.line_items = (body.line_items as Record<string, unknown>[]).map((l) => ({ ...l, current_quantity: quantity, properties: [] }));
  await deliver(shopDomain, "orders/create", body);
  return id;
}

/** "lotNumber" -> units the order holds. */
async function held(shopId: number, orderId: bigint): Promise<Record<string, number>> {
  const rows = await orderReservations(pool(), shopId, orderId);
  const out: Record<string, number> = {};
  for (const r of rows) out[r.lotNumber] = (out[r.lotNumber] ?? 0) + r.quantity;
  return out;
}

async function reservedOn(lotId: bigint): Promise<number> {
  return (await pool().query<{ n: number }>("select coalesce(sum(reserved), 0)::int as n from lot_balances where lot_id = $1", [lotId])).rows[0]!.n;
}

async function waitFor(shopId: number, orderId: bigint, expected: Record<string, number>, what: string) {
  await eventually(async () => JSON.stringify(await held(shopId, orderId)) === JSON.stringify(expected), what);
}

async function setup(label: string) {
  const shop = await createTestShop(label);
  const loc = await createLocation(shop.id);
  const variantId = await createVariant(shop.id);
  const a = await createLot(shop.id, { variantId, lotNumber: "A", quantity: 6, locationId: loc, expiresOn: inDays(40) });
  const b = await createLot(shop.id, { variantId, lotNumber: "B", quantity: 10, locationId: loc, expiresOn: inDays(120) });
  return { shop, loc, variantId, a, b };
}

describe("re-planning reservations", () => {
  it("a recall moves an order's reservation to the next lot, and the pick list shows that lot", async () => {
    const { shop, loc, variantId, a, b } = await setup("replan-recall");
    const orderId = await placeOrder(shop.domain, variantId, 2);
    expect(await held(shop.id, orderId)).toEqual({ A: 2 });

    startMaintenanceWorker();
    await openRecall(shop.id, { lots: [{ lotNumber: "A" }], reason: "supplier notice", severity: "CLASS_II" });
    await waitFor(shop.id, orderId, { B: 2 }, "the reservation to move to lot B");

    expect(await reservedOn(a)).toBe(0);
    expect(await reservedOn(b)).toBe(2);
    const list = await pickListForOrder(shop.id, orderId.toString(), loc);
    expect(list.rows.map((r) => [r.lotNumber, r.quantity])).toEqual([["B", 2]]);
    const ledger = await pool().query<{ reason: string }>("select reason from ledger_entries where shop_id = $1 and lot_id = $2 and kind = 'UNRESERVED'", [
      shop.id,
      a,
    ]);
    expect(ledger.rows.map((r) => r.reason)).toEqual([expect.stringContaining("lot no longer shippable")]);
    expect(await allocationInvariantViolations(shop.id)).toEqual([]);
  });

  it("a quarantined balance releases the reservation when no other lot can ship; repeated triggers make one job", async () => {
    const shop = await createTestShop("replan-quarantine");
    const loc = await createLocation(shop.id);
    const variantId = await createVariant(shop.id);
    const only = await createLot(shop.id, { variantId, lotNumber: "ONLY", quantity: 5, locationId: loc, expiresOn: inDays(60) });
    const orderId = await placeOrder(shop.domain, variantId, 3);
    expect(await held(shop.id, orderId)).toEqual({ ONLY: 3 });

    // Two triggers for the same lot before any worker runs: one job, holding ids only.
    await quarantineLotNow({ shopId: shop.id, lotId: only, locationId: loc, reason: "damaged pallet", cause: "USER" });
    await queueReservationReplans(shop.id, [{ lotId: only }]);
    const queue = getQueue(QUEUE_NAMES.maintenance);
    const waiting = (await queue.getJobs(["waiting"])).filter((j) => j.name === REPLAN_RESERVATIONS_JOB && j.data.shopId === shop.id);
    expect(waiting.map((j) => [j.id, j.data])).toEqual([[replanJobId(shop.id, { lotId: only }), { shopId: shop.id, lotId: only.toString() }]]);

    startMaintenanceWorker();
    await waitFor(shop.id, orderId, {}, "the reservation to be released");

    expect(await reservedOn(only)).toBe(0);
    const list = await pickListForOrder(shop.id, orderId.toString(), loc);
    expect(list.rows.map((r) => [r.status, r.quantity])).toEqual([["no-lot-available", 3]]);
    expect(await allocationInvariantViolations(shop.id)).toEqual([]);
  });

  it("a count below what is reserved takes units from the newest orders first, which move to the next lot", async () => {
    const { shop, loc, variantId, a, b } = await setup("replan-count");
    const oldest = await placeOrder(shop.domain, variantId, 2, "2026-11-20T09:00:00-05:00");
    const middle = await placeOrder(shop.domain, variantId, 2, "2026-11-20T10:00:00-05:00");
    const newest = await placeOrder(shop.domain, variantId, 2, "2026-11-20T11:00:00-05:00");
    expect(await reservedOn(a)).toBe(6);

    startMaintenanceWorker();
    await countLot(shop.id, { lotId: a, locationId: loc, counted: 3 });
    await waitFor(shop.id, newest, { B: 2 }, "the newest order to move to lot B");
    await waitFor(shop.id, middle, { A: 1, B: 1 }, "the middle order to give up one unit of A");
    expect(await held(shop.id, oldest)).toEqual({ A: 2 });
    expect(await reservedOn(a)).toBe(3);
    expect(await reservedOn(b)).toBe(3);
    expect(await allocationInvariantViolations(shop.id)).toEqual([]);
  });

  it("a lot without dates counted below what is reserved: the newest order loses its units when no other lot has any", async () => {
    const shop = await createTestShop("replan-count-nodate");
    const loc = await createLocation(shop.id);
    const variantId = await createVariant(shop.id);
    const lot = await createLot(shop.id, { variantId, lotNumber: "NODATE", quantity: 4, locationId: loc });
    const older = await placeOrder(shop.domain, variantId, 2, "2026-11-20T09:00:00-05:00");
    const newer = await placeOrder(shop.domain, variantId, 2, "2026-11-20T11:00:00-05:00");

    startMaintenanceWorker();
    await countLot(shop.id, { lotId: lot, locationId: loc, counted: 2 });
    await waitFor(shop.id, newer, {}, "the newer order to give up its units");
    expect(await held(shop.id, older)).toEqual({ NODATE: 2 });
    expect(await reservedOn(lot)).toBe(2);
    expect(await allocationInvariantViolations(shop.id)).toEqual([]);
  });

  it("the daily sweep re-plans orders holding a lot that expired, and a second run changes nothing", async () => {
    const { shop, variantId, a } = await setup("replan-expired");
    const orderId = await placeOrder(shop.domain, variantId, 4);
    expect(await held(shop.id, orderId)).toEqual({ A: 4 });
    // Time passed: lot A's expiry is now yesterday. No event says so; only the sweep notices.
    await pool().query("update lots set expires_on = $2 where id = $1", [a, inDays(-1)]);

    startMaintenanceWorker();
    await getQueue(QUEUE_NAMES.maintenance).add(SWEEP_RESERVATION_REPLANS_JOB, { shopId: shop.id }); // this shop only: other test files share the database
    await waitFor(shop.id, orderId, { B: 4 }, "the sweep to move the reservation to lot B");

    const ledgerCount = async () =>
      (await pool().query<{ n: number }>("select count(*)::int as n from ledger_entries where shop_id = $1 and kind in ('RESERVED', 'UNRESERVED')", [shop.id]))
        .rows[0]!.n;
    const before = await ledgerCount();
    expect(await replanReservations(shop.id, { lotId: a })).toEqual({ orders: 0, reservedUnits: 0, releasedUnits: 0 });
    expect(await replanReservations(shop.id, null)).toEqual({ orders: 0, reservedUnits: 0, releasedUnits: 0 });
    expect(await ledgerCount()).toBe(before);
    expect(await held(shop.id, orderId)).toEqual({ B: 4 });
    expect(await allocationInvariantViolations(shop.id)).toEqual([]);
  });

  it("correcting a lot's expiry to a date within the shop's minimum shelf life moves its reservations", async () => {
    const { shop, variantId, a } = await setup("replan-edit");
    await pool().query("update shops set min_shelf_life_days = 30 where id = $1", [shop.id]);
    const orderId = await placeOrder(shop.domain, variantId, 1);
    expect(await held(shop.id, orderId)).toEqual({ A: 1 });

    startMaintenanceWorker();
    await updateLot(shop.id, a, { expiresOn: inDays(10) }); // the label said 10 days, not 40
    await waitFor(shop.id, orderId, { B: 1 }, "the reservation to move off the short-dated lot");
    expect(await reservedOn(a)).toBe(0);
  });

  it("a shop's re-plan never touches another shop's reservations, even given that shop's lot id", async () => {
    const mine = await setup("replan-mine");
    const other = await setup("replan-other");
    const otherOrder = await placeOrder(other.shop.domain, other.variantId, 2);
    // The other shop's lot is quarantined without a job (as if Redis lost it): its order still holds A.
    await withTransaction((sql) => quarantineLot(sql, { shopId: other.shop.id, lotId: other.a, reason: "hold", cause: "USER" }));

    expect(await replanReservations(mine.shop.id, { lotId: other.a })).toEqual({ orders: 0, reservedUnits: 0, releasedUnits: 0 });
    expect(await replanReservations(mine.shop.id, null)).toEqual({ orders: 0, reservedUnits: 0, releasedUnits: 0 });
    expect(await held(other.shop.id, otherOrder)).toEqual({ A: 2 });

    // Its own re-plan (what the sweep queues) does move it.
    expect(await replanReservations(other.shop.id, { lotId: other.a })).toMatchObject({ orders: 1, reservedUnits: 2, releasedUnits: 2 });
    expect(await held(other.shop.id, otherOrder)).toEqual({ B: 2 });
  });
});
