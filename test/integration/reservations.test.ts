// Reservations as a merchant sees them (README "Reservations", docs/decisions/100-reservations.md):
// units held on their lots from orders/create, through the real inbox and processor, released on
// cancel and edit-down, consumed exactly once by the fulfilment, `_lot` winning, and never more
// held than a lot has, even when two orders race for the last units.
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import { moveReservationToLot, orderReservations } from "../../app/domain/reservations/reservations.server";
import { LotNotShippableHereError, NotEnoughAvailableError } from "../../app/domain/reservations/errors";
import { pickListForOrder } from "../../app/domain/picking/pick-list.server";
import { quarantineLot } from "../../app/domain/lots/quarantine.server";
import { createTestShop } from "../helpers/shops";
import { cliJson } from "../helpers/cli";
import { createLocation, createLot, createVariant, newId } from "../helpers/factories";
import { allocationInvariantViolations, allocations, balances, deliver, fulfilmentPayload, orderPayload } from "../helpers/allocation";

function inDays(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

interface LineAttrs {
  id: bigint;
  variantId: bigint;
  quantity: number;
  currentQuantity?: number;
  lot?: string;
}

/** An orders/* payload as Shopify sends it: current_quantity and properties on each line. */
function order(attrs: {
  id: bigint;
  lines: LineAttrs[];
  updatedAt?: string;
  cancelledAt?: string;
  locationId?: bigint;
  fulfillments?: Record<string, unknown>[];
}) {
  const body = orderPayload({ id: attrs.id, updatedAt: attrs.updatedAt, lines: attrs.lines, fulfillments: attrs.fulfillments });
  body.line_items = attrs.lines.map((l, i) => ({
    ...(body.line_items as Record<string, unknown>[])[i],
    current_quantity: l.currentQuantity ?? l.quantity,
    properties: l.lot ? [{ name: "_lot", value: l.lot }] : [],
  }));
  if (attrs.cancelledAt) body.cancelled_at = attrs.cancelledAt;
  if (attrs.locationId) body.location_id = Number(attrs.locationId);
  return body;
}

/** "lotNumber" -> units held, for one order. */
async function held(shopId: number, orderId: bigint): Promise<Record<string, number>> {
  const rows = await orderReservations(pool(), shopId, orderId);
  return Object.fromEntries(rows.map((r) => [r.lotNumber, r.quantity]));
}

/** The allocation invariants (ledger sums to on hand, ...) and reserved = the rows, per balance. */
const invariantViolations = allocationInvariantViolations;

async function reservedOn(lotId: bigint): Promise<number> {
  return (await pool().query<{ reserved: number }>("select sum(reserved)::int as reserved from lot_balances where lot_id = $1", [lotId])).rows[0]!.reserved;
}

async function shopWithOneLocation(label: string) {
  const shop = await createTestShop(label);
  const loc = await createLocation(shop.id);
  const variantId = await createVariant(shop.id);
  return { shop, loc, variantId };
}

describe("reservations", () => {
  it("orders/create reserves the FEFO lot; redelivery and orders/updated change nothing", async () => {
    const { shop, loc, variantId } = await shopWithOneLocation("resv-create");
    await createLot(shop.id, { variantId, lotNumber: "LATE", quantity: 10, locationId: loc, expiresOn: inDays(200) });
    const early = await createLot(shop.id, { variantId, lotNumber: "EARLY", quantity: 3, locationId: loc, expiresOn: inDays(60) });
    const orderId = newId();
    const body = order({ id: orderId, lines: [{ id: newId(), variantId, quantity: 5 }] });

    await deliver(shop.domain, "orders/create", body);
    expect(await held(shop.id, orderId)).toEqual({ EARLY: 3, LATE: 2 });
    const ledgerRows = async () =>
      (await pool().query("select count(*)::int as n from ledger_entries where shop_id = $1 and kind = 'RESERVED'", [shop.id])).rows[0].n;
    expect(await ledgerRows()).toBe(2);

    await deliver(shop.domain, "orders/create", body);
    await deliver(shop.domain, "orders/updated", { ...body, updated_at: "2026-11-20T11:00:00-05:00" });
    expect(await held(shop.id, orderId)).toEqual({ EARLY: 3, LATE: 2 });
    expect(await ledgerRows()).toBe(2);
    expect(await reservedOn(early)).toBe(3);
    // What an operator sees: `lots show` has reserved per balance, `trace order` the held lots.
    const shown = await cliJson<{ balances: { quantity: number; reserved: number }[] }>(["lots", "show", "--shop", shop.domain, "--lot-id", String(early)]);
    expect(shown.balances).toEqual([expect.objectContaining({ quantity: 3, reserved: 3 })]);
    const traced = await cliJson<{ reserved: { lotNumber: string; quantity: number; source: string }[] }>([
      "trace",
      "order",
      "--shop",
      shop.domain,
      "--order",
      String(orderId),
    ]);
    expect(traced.reserved.map((r) => [r.lotNumber, r.quantity, r.source])).toEqual([
      ["LATE", 2, "PLAN"],
      ["EARLY", 3, "PLAN"],
    ]);
    // Reserving moves no units: on hand is what it was.
    expect(Object.values(await balances(shop.id)).sort()).toEqual([10, 3].sort());
    expect(await invariantViolations(shop.id)).toEqual([]);
  });

  it("two orders never reserve the same units: the second gets the next lot, or nothing", async () => {
    const { shop, loc, variantId } = await shopWithOneLocation("resv-two");
    await createLot(shop.id, { variantId, lotNumber: "A", quantity: 4, locationId: loc, expiresOn: inDays(60) });
    await createLot(shop.id, { variantId, lotNumber: "B", quantity: 2, locationId: loc, expiresOn: inDays(90) });
    const [first, second, third] = [newId(), newId(), newId()];
    await deliver(shop.domain, "orders/create", order({ id: first, lines: [{ id: newId(), variantId, quantity: 3 }] }));
    await deliver(shop.domain, "orders/create", order({ id: second, lines: [{ id: newId(), variantId, quantity: 2 }] }));
    await deliver(shop.domain, "orders/create", order({ id: third, lines: [{ id: newId(), variantId, quantity: 2 }] }));
    expect(await held(shop.id, first)).toEqual({ A: 3 });
    expect(await held(shop.id, second)).toEqual({ A: 1, B: 1 });
    expect(await held(shop.id, third)).toEqual({ B: 1 });
    expect(await invariantViolations(shop.id)).toEqual([]);
  });

  it("a cancelled order releases everything; an edited-down line releases what it no longer needs", async () => {
    const { shop, loc, variantId } = await shopWithOneLocation("resv-release");
    const a = await createLot(shop.id, { variantId, lotNumber: "A", quantity: 10, locationId: loc, expiresOn: inDays(60) });
    const [cancelled, edited] = [newId(), newId()];
    const line = newId();
    await deliver(shop.domain, "orders/create", order({ id: cancelled, lines: [{ id: newId(), variantId, quantity: 2 }] }));
    await deliver(shop.domain, "orders/create", order({ id: edited, lines: [{ id: line, variantId, quantity: 5 }] }));
    expect(await reservedOn(a)).toBe(7);

    const cancelledBody = order({ id: cancelled, lines: [{ id: newId(), variantId, quantity: 2 }], updatedAt: "2026-11-21T10:00:00-05:00" });
    await deliver(shop.domain, "orders/cancelled", { ...cancelledBody, cancelled_at: "2026-11-21T10:00:00-05:00" });
    expect(await held(shop.id, cancelled)).toEqual({});

    await deliver(
      shop.domain,
      "orders/updated",
      order({ id: edited, lines: [{ id: line, variantId, quantity: 5, currentQuantity: 2 }], updatedAt: "2026-11-21T10:00:00-05:00" }),
    );
    expect(await held(shop.id, edited)).toEqual({ A: 2 });
    expect(await reservedOn(a)).toBe(2);
    const reasons = await pool().query<{ reason: string }>("select reason from ledger_entries where shop_id = $1 and kind = 'UNRESERVED' order by id", [
      shop.id,
    ]);
    expect(reasons.rows.map((r) => r.reason)).toEqual([
      expect.stringMatching(new RegExp(`^order ${cancelled} line \\d+: released 2 \\(no longer needed here\\)`)),
      expect.stringMatching(new RegExp(`^order ${edited} line ${line}: released 3 \\(no longer needed\\)`)),
    ]);
    expect(await invariantViolations(shop.id)).toEqual([]);
  });

  it("the fulfilment takes the reserved lot (not today's FEFO lot), exactly once, and a cancelled fulfilment reserves again", async () => {
    const { shop, loc, variantId } = await shopWithOneLocation("resv-consume");
    const reservedLot = await createLot(shop.id, { variantId, lotNumber: "R", quantity: 5, locationId: loc, expiresOn: inDays(90) });
    const orderId = newId();
    const line = newId();
    await deliver(shop.domain, "orders/create", order({ id: orderId, lines: [{ id: line, variantId, quantity: 3 }] }));
    // A lot with an earlier expiry arrives after the order: FEFO would take it, the reservation wins.
    const newer = await createLot(shop.id, { variantId, lotNumber: "NEWER", quantity: 5, locationId: loc, expiresOn: inDays(30) });

    const fulfilmentId = newId();
    const f = fulfilmentPayload({ id: fulfilmentId, orderId, locationId: loc, lines: [{ lineItemId: line, variantId, quantity: 3 }] });
    await deliver(shop.domain, "fulfillments/create", f);
    await deliver(shop.domain, "fulfillments/create", f);
    await deliver(
      shop.domain,
      "orders/updated",
      order({ id: orderId, lines: [{ id: line, variantId, quantity: 3 }], updatedAt: "2026-11-21T10:00:00-05:00", fulfillments: [f] }),
    );

    expect((await allocations(shop.id)).map((a) => [a.lot_id, a.quantity, a.status])).toEqual([[reservedLot, 3, "ALLOCATED"]]);
    expect(await held(shop.id, orderId)).toEqual({});
    expect(await reservedOn(reservedLot)).toBe(0);
    expect(await balances(shop.id)).toEqual({ [`${reservedLot}@${loc}`]: 2, [`${newer}@${loc}`]: 5 });

    // The fulfilment is cancelled: units go back, the line is open again and is reserved (FEFO now: NEWER).
    const cancelled = { ...f, status: "cancelled", updated_at: "2026-11-22T10:00:00-05:00" };
    await deliver(shop.domain, "fulfillments/update", cancelled);
    await deliver(
      shop.domain,
      "orders/updated",
      order({ id: orderId, lines: [{ id: line, variantId, quantity: 3 }], updatedAt: "2026-11-22T10:00:00-05:00", fulfillments: [cancelled] }),
    );
    expect(await balances(shop.id)).toEqual({ [`${reservedLot}@${loc}`]: 5, [`${newer}@${loc}`]: 5 });
    expect(await held(shop.id, orderId)).toEqual({ NEWER: 3 });
    expect(await invariantViolations(shop.id)).toEqual([]);
  });

  it("units reserved for one order are not taken by another order's fulfilment", async () => {
    const { shop, loc, variantId } = await shopWithOneLocation("resv-others");
    const a = await createLot(shop.id, { variantId, lotNumber: "A", quantity: 2, locationId: loc, expiresOn: inDays(30) });
    const b = await createLot(shop.id, { variantId, lotNumber: "B", quantity: 5, locationId: loc, expiresOn: inDays(90) });
    const holder = newId();
    await deliver(shop.domain, "orders/create", order({ id: holder, lines: [{ id: newId(), variantId, quantity: 2 }] }));
    // An order that was never reserved (e.g. placed before reservations) ships: it gets B, not A.
    const line = newId();
    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId: newId(), locationId: loc, lines: [{ lineItemId: line, variantId, quantity: 2 }] }),
    );
    expect((await allocations(shop.id)).map((x) => [x.lot_id, x.quantity])).toEqual([[b, 2]]);
    expect(await reservedOn(a)).toBe(2);
    expect(await invariantViolations(shop.id)).toEqual([]);
  });

  it("a lot named by the line's _lot property wins at reservation and at fulfilment; an unknown one falls back to FEFO", async () => {
    const { shop, loc, variantId } = await shopWithOneLocation("resv-lot-prop");
    const fefo = await createLot(shop.id, { variantId, lotNumber: "FEFO-1", quantity: 10, locationId: loc, expiresOn: inDays(30) });
    const named = await createLot(shop.id, { variantId, lotNumber: "L123", quantity: 10, locationId: loc, expiresOn: inDays(300) });
    const [withLot, unknownLot] = [newId(), newId()];
    const [line, unknownLine] = [newId(), newId()];
    await deliver(shop.domain, "orders/create", order({ id: withLot, lines: [{ id: line, variantId, quantity: 2, lot: "L123" }] }));
    await deliver(shop.domain, "orders/create", order({ id: unknownLot, lines: [{ id: unknownLine, variantId, quantity: 1, lot: "NOPE" }] }));
    expect(await held(shop.id, withLot)).toEqual({ L123: 2 });
    expect((await orderReservations(pool(), shop.id, withLot))[0]!.source).toBe("LINE_PROPERTY");
    expect(await held(shop.id, unknownLot)).toEqual({ "FEFO-1": 1 });

    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId: withLot, locationId: loc, lines: [{ lineItemId: line, variantId, quantity: 2 }] }),
    );
    expect((await allocations(shop.id)).map((x) => [x.lot_id, x.quantity])).toEqual([[named, 2]]);
    expect(await reservedOn(fefo)).toBe(1);
    // The unknown `_lot` ships its reserved FEFO lot (the miss is logged, the delivery succeeds).
    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId: unknownLot, locationId: loc, lines: [{ lineItemId: unknownLine, variantId, quantity: 1 }] }),
    );
    expect((await allocations(shop.id)).map((x) => [x.lot_id, x.quantity])).toEqual([
      [named, 2],
      [fefo, 1],
    ]);
    expect(await reservedOn(fefo)).toBe(0);
    expect(await invariantViolations(shop.id)).toEqual([]);
  });

  it("another shop's order and lots are untouched", async () => {
    const mine = await shopWithOneLocation("resv-tenant-a");
    const theirs = await shopWithOneLocation("resv-tenant-b");
    const myLot = await createLot(mine.shop.id, { variantId: mine.variantId, lotNumber: "SAME", quantity: 5, locationId: mine.loc, expiresOn: inDays(60) });
    const theirLot = await createLot(theirs.shop.id, {
      variantId: theirs.variantId,
      lotNumber: "SAME",
      quantity: 5,
      locationId: theirs.loc,
      expiresOn: inDays(60),
    });
    const orderId = newId();
    await deliver(mine.shop.domain, "orders/create", order({ id: orderId, lines: [{ id: newId(), variantId: mine.variantId, quantity: 2, lot: "SAME" }] }));
    // The same order id in another shop is another order: it sees only its own lots.
    await deliver(theirs.shop.domain, "orders/create", order({ id: orderId, lines: [{ id: newId(), variantId: mine.variantId, quantity: 1 }] }));
    expect(await reservedOn(myLot)).toBe(2);
    expect(await reservedOn(theirLot)).toBe(0);
    expect(await held(theirs.shop.id, orderId)).toEqual({});
  });

  it("two orders racing for the last units of the FEFO lot never reserve more than it holds", async () => {
    const { shop, loc, variantId } = await shopWithOneLocation("resv-race");
    const last = await createLot(shop.id, { variantId, lotNumber: "LAST", quantity: 3, locationId: loc, expiresOn: inDays(30) });
    const next = await createLot(shop.id, { variantId, lotNumber: "NEXT", quantity: 20, locationId: loc, expiresOn: inDays(90) });
    for (let round = 0; round < 5; round++) {
      const orders = Array.from({ length: 6 }, () => ({ id: newId(), line: newId() }));
      // Each delivery runs in its own transaction on its own connection, all at once.
      await Promise.all(orders.map((o) => deliver(shop.domain, "orders/create", order({ id: o.id, lines: [{ id: o.line, variantId, quantity: 2 }] }))));
      const rows = await pool().query<{ lot_id: bigint; total: number }>(
        "select lot_id, sum(quantity)::int as total from lot_reservations where shop_id = $1 group by lot_id",
        [shop.id],
      );
      const total = new Map(rows.rows.map((r) => [r.lot_id, r.total]));
      expect(total.get(last)).toBe(3);
      expect(total.get(next)).toBeLessThanOrEqual(20);
      for (const o of orders) expect(Object.values(await held(shop.id, o.id)).reduce((n, q) => n + q, 0)).toBeLessThanOrEqual(2);
      expect(await invariantViolations(shop.id)).toEqual([]);
    }
  });

  it("the pack station's scan moves the line's reservation onto the scanned lot, and refuses a lot that cannot ship", async () => {
    const { shop, loc, variantId } = await shopWithOneLocation("resv-scan");
    await createLot(shop.id, { variantId, lotNumber: "PLANNED", quantity: 5, locationId: loc, expiresOn: inDays(30) });
    const scanned = await createLot(shop.id, { variantId, lotNumber: "SCANNED", quantity: 3, locationId: loc, expiresOn: inDays(90) });
    const otherVariant = await createVariant(shop.id);
    const foreign = await createLot(shop.id, { variantId: otherVariant, lotNumber: "OTHER", quantity: 5, locationId: loc });
    const orderId = newId();
    const line = newId();
    await deliver(shop.domain, "orders/create", order({ id: orderId, lines: [{ id: line, variantId, quantity: 4 }] }));
    const cause = { cause: "USER" as const, ref: "pack station" };

    const moved = await withTransaction((sql) =>
      moveReservationToLot(sql, shop.id, { orderId, lineItemId: line, locationId: loc, lotId: scanned, quantity: 3 }, cause),
    );
    expect(moved.reservedOnLot).toBe(3);
    expect(await held(shop.id, orderId)).toEqual({ PLANNED: 1, SCANNED: 3 });
    await expect(
      withTransaction((sql) => moveReservationToLot(sql, shop.id, { orderId, lineItemId: line, locationId: loc, lotId: foreign, quantity: 1 }, cause)),
    ).rejects.toThrow(LotNotShippableHereError);
    // Another order already holds... nothing on SCANNED is free any more: a further scan is refused.
    const other = newId();
    const otherLine = newId();
    await deliver(shop.domain, "orders/create", order({ id: other, lines: [{ id: otherLine, variantId, quantity: 1 }] }));
    await expect(
      withTransaction((sql) =>
        moveReservationToLot(sql, shop.id, { orderId: other, lineItemId: otherLine, locationId: loc, lotId: scanned, quantity: 1 }, cause),
      ),
    ).rejects.toThrow(NotEnoughAvailableError);

    // The pick list names the reserved lots; the fulfilment ships them.
    const list = await pickListForOrder(shop.id, orderId.toString(), loc);
    expect(list.basis).toBe("reservations");
    expect(list.rows.map((r) => [r.lotNumber, r.quantity]).sort()).toEqual([
      ["PLANNED", 1],
      ["SCANNED", 3],
    ]);
    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId, locationId: loc, lines: [{ lineItemId: line, variantId, quantity: 4 }] }),
    );
    expect(
      (await allocations(shop.id))
        .filter((a) => a.line_item_id === line)
        .map((a) => [a.lot_id, a.quantity])
        .sort(),
    ).toContainEqual([scanned, 3]);
    expect(await held(shop.id, orderId)).toEqual({});
    expect(await invariantViolations(shop.id)).toEqual([]);
  });

  it("with several locations: a POS order reserves at its location_id, an online order reserves nothing (FEFO when it ships)", async () => {
    const shop = await createTestShop("resv-multi");
    const [store, warehouse] = [await createLocation(shop.id), await createLocation(shop.id)];
    const variantId = await createVariant(shop.id);
    const inStore = await createLot(shop.id, { variantId, lotNumber: "STORE", quantity: 5, locationId: store, expiresOn: inDays(60) });
    await createLot(shop.id, { variantId, lotNumber: "WH", quantity: 5, locationId: warehouse, expiresOn: inDays(30) });
    const [pos, online] = [newId(), newId()];
    await deliver(shop.domain, "orders/create", order({ id: pos, locationId: store, lines: [{ id: newId(), variantId, quantity: 2 }] }));
    await deliver(shop.domain, "orders/create", order({ id: online, lines: [{ id: newId(), variantId, quantity: 2 }] }));
    expect(await held(shop.id, pos)).toEqual({ STORE: 2 });
    expect((await orderReservations(pool(), shop.id, pos))[0]!.locationId).toBe(store);
    expect(await reservedOn(inStore)).toBe(2);
    expect(await held(shop.id, online)).toEqual({});
  });

  it("a line shipped from another location releases its reservation; a quarantined lot is re-planned on the next delivery", async () => {
    const { shop, loc, variantId } = await shopWithOneLocation("resv-elsewhere");
    const a = await createLot(shop.id, { variantId, lotNumber: "A", quantity: 5, locationId: loc, expiresOn: inDays(30) });
    const b = await createLot(shop.id, { variantId, lotNumber: "B", quantity: 5, locationId: loc, expiresOn: inDays(90) });
    const elsewhere = newId(); // a location Lotkeeper has no lots at (e.g. a 3PL)
    const [shipped, replanned] = [newId(), newId()];
    const [shippedLine, replannedLine] = [newId(), newId()];
    await deliver(shop.domain, "orders/create", order({ id: shipped, lines: [{ id: shippedLine, variantId, quantity: 2 }] }));
    await deliver(shop.domain, "orders/create", order({ id: replanned, lines: [{ id: replannedLine, variantId, quantity: 2 }] }));
    expect(await reservedOn(a)).toBe(4);

    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId: shipped, locationId: elsewhere, lines: [{ lineItemId: shippedLine, variantId, quantity: 2 }] }),
    );
    expect(await held(shop.id, shipped)).toEqual({});
    expect(await reservedOn(a)).toBe(2);

    await withTransaction((sql) => quarantineLot(sql, { shopId: shop.id, lotId: a, reason: "supplier notice", cause: "USER" }));
    await deliver(
      shop.domain,
      "orders/updated",
      order({ id: replanned, lines: [{ id: replannedLine, variantId, quantity: 2 }], updatedAt: "2026-11-21T10:00:00-05:00" }),
    );
    expect(await held(shop.id, replanned)).toEqual({ B: 2 });
    expect(await reservedOn(a)).toBe(0);
    expect(await reservedOn(b)).toBe(2);
    expect(await invariantViolations(shop.id)).toEqual([]);
  });

  it("a manual-strategy shop reserves nothing by plan, but a scanned lot ships from that lot instead of waiting for the merchant", async () => {
    const shop = await createTestShop("resv-manual", { allocationStrategy: "MANUAL" });
    const loc = await createLocation(shop.id);
    const variantId = await createVariant(shop.id);
    const scanned = await createLot(shop.id, { variantId, lotNumber: "PICKED", quantity: 5, locationId: loc, expiresOn: inDays(60) });
    const orderId = newId();
    const line = newId();
    await deliver(shop.domain, "orders/create", order({ id: orderId, lines: [{ id: line, variantId, quantity: 3 }] }));
    expect(await held(shop.id, orderId)).toEqual({});
    await withTransaction((sql) =>
      moveReservationToLot(sql, shop.id, { orderId, lineItemId: line, locationId: loc, lotId: scanned, quantity: 2 }, { cause: "USER", ref: "pack station" }),
    );
    await deliver(shop.domain, "orders/updated", order({ id: orderId, lines: [{ id: line, variantId, quantity: 3 }], updatedAt: "2026-11-21T10:00:00-05:00" }));
    expect(await held(shop.id, orderId)).toEqual({ PICKED: 2 });

    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId, locationId: loc, lines: [{ lineItemId: line, variantId, quantity: 3 }] }),
    );
    // The 2 scanned units ship from their lot; the third is left to the merchant (unknown lot, for review).
    expect((await allocations(shop.id)).map((a) => [a.lot_id, a.quantity, a.unknown_lot])).toEqual([
      [scanned, 2, false],
      [null, 1, true],
    ]);
    expect(await held(shop.id, orderId)).toEqual({});
    expect(await invariantViolations(shop.id)).toEqual([]);
  });

  it("a reservation racing an unreserved order's fulfilment for the last units never promises a unit twice", async () => {
    const { shop, loc, variantId } = await shopWithOneLocation("resv-race-ship");
    for (let round = 0; round < 5; round++) {
      // Each round its own pair of lots, the earliest one with the last 3 units.
      const last = await createLot(shop.id, { variantId, lotNumber: `LAST-${round}`, quantity: 3, locationId: loc, expiresOn: inDays(10 + round) });
      await createLot(shop.id, { variantId, lotNumber: `NEXT-${round}`, quantity: 10, locationId: loc, expiresOn: inDays(100 + round) });
      const [reserved, shipped] = [newId(), newId()];
      await Promise.all([
        deliver(shop.domain, "orders/create", order({ id: reserved, lines: [{ id: newId(), variantId, quantity: 2 }] })),
        deliver(
          shop.domain,
          "fulfillments/create",
          fulfilmentPayload({ id: newId(), orderId: shipped, locationId: loc, lines: [{ lineItemId: newId(), variantId, quantity: 2 }] }),
        ),
      ]);
      const shippedFromLast = (await allocations(shop.id)).filter((a) => a.lot_id === last).reduce((n, a) => n + a.quantity, 0);
      expect(shippedFromLast + (await reservedOn(last))).toBeLessThanOrEqual(3);
      expect(await invariantViolations(shop.id)).toEqual([]);
    }
  });

  it("a fulfilment that arrives before its order ships the lot its line's _lot names (Shopify repeats the properties on the fulfilment)", async () => {
    const { shop, loc, variantId } = await shopWithOneLocation("resv-lot-early");
    await createLot(shop.id, { variantId, lotNumber: "FEFO-1", quantity: 5, locationId: loc, expiresOn: inDays(30) });
    const named = await createLot(shop.id, { variantId, lotNumber: "L777", quantity: 5, locationId: loc, expiresOn: inDays(300) });
    const line = newId();
    const f = fulfilmentPayload({ id: newId(), orderId: newId(), locationId: loc, lines: [{ lineItemId: line, variantId, quantity: 2 }] });
    (f.line_items as Record<string, unknown>[])[0]!.properties = [{ name: "_lot", value: "L777" }];
    await deliver(shop.domain, "fulfillments/create", f);
    expect((await allocations(shop.id)).map((a) => [a.lot_id, a.quantity])).toEqual([[named, 2]]);
  });
});
