// "Move to another lot" from the admin panel (the order view of Trace): the merchant moves all or
// part of an allocation to the lot the units really came from. Balances and the ledger follow; a
// refused move (not enough units, a lot of another variant) says why and changes nothing; an
// allocation of another shop is a 404 for both the list of lots and the move.
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { loader as moveLoader, action as moveAction } from "../../app/routes/app.allocations.$id.move";
import { loader as traceLoader } from "../../app/routes/app.trace";
import { adminGet, adminPost, statusOf } from "../helpers/admin-requests";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, shipToCustomer } from "../helpers/factories";

async function balance(lotId: bigint, locationId: bigint): Promise<number> {
  const r = await pool().query<{ quantity: number }>("select quantity from lot_balances where lot_id = $1 and location_id = $2", [lotId, locationId]);
  return r.rows[0]?.quantity ?? 0;
}

async function snapshot(shopId: number) {
  const [allocations, balances, ledger] = await Promise.all([
    pool().query("select id, lot_id, quantity, returned_quantity, unknown_lot, status from allocations where shop_id = $1 order by id", [shopId]),
    pool().query("select lot_id, location_id, quantity from lot_balances where shop_id = $1 order by lot_id, location_id", [shopId]),
    pool().query("select count(*)::int as n from ledger_entries where shop_id = $1", [shopId]),
  ]);
  return { allocations: allocations.rows, balances: balances.rows, ledger: ledger.rows[0].n };
}

async function setUp(label: string) {
  const shop = await createTestShop(label);
  const location = await createLocation(shop.id, { name: "Warehouse" });
  const variant = await createVariant(shop.id, { productTitle: "Honey" });
  const shipped = await createLot(shop.id, { variantId: variant, lotNumber: "HON-A", quantity: 10, locationId: location, expiresOn: "2027-01-01" });
  const real = await createLot(shop.id, { variantId: variant, lotNumber: "HON-B", quantity: 4, locationId: location, expiresOn: "2027-03-01" });
  const order = await shipToCustomer(shop.id, { name: "#1042", variantId: variant, lotId: shipped, locationId: location, quantity: 6 });
  return { shop, location, variant, shipped, real, order };
}

describe("admin: move an allocation to another lot", () => {
  it("lists the lots it can go to and moves part of it: balances, allocations and ledger follow", async () => {
    const { shop, location, shipped, real, order } = await setUp("move");
    const path = `/app/allocations/${order.allocationId}/move`;
    const params = { id: order.allocationId.toString() };

    // The order view offers the move on this allocation.
    const trace = await traceLoader({ request: adminGet(shop.domain, "/app/trace?q=%231042&by=order"), params: {}, context: {} });
    expect(trace.result?.kind).toBe("order");
    const line = trace.result?.kind === "order" ? trace.result.traced.lines[0] : undefined;
    expect(line?.allocations.map((a) => [a.allocationId, a.lot, a.quantity])).toEqual([[order.allocationId.toString(), "HON-A", 6]]);

    const listed = await moveLoader({ request: adminGet(shop.domain, path), params, context: {} });
    expect(listed.allocation.lotNumber).toBe("HON-A");
    expect(listed.allocation.openQuantity).toBe(6);
    expect(listed.targets.map((t) => [t.lotNumber, t.quantity])).toEqual([["HON-B", 4]]);

    const done = await moveAction({ request: adminPost(shop.domain, path, { lotId: real.toString(), quantity: "3" }), params, context: {} });
    expect(done).toMatchObject({ ok: true, message: "Moved 3 units from HON-A to HON-B; 3 stay on HON-A" });
    expect(await balance(shipped, location)).toBe(10 - 6 + 3);
    expect(await balance(real, location)).toBe(4 - 3);
    const allocations = await pool().query("select lot_id, quantity, status from allocations where shop_id = $1 and line_item_id = $2 order by id", [
      shop.id,
      order.lineItemId,
    ]);
    expect(allocations.rows).toEqual([
      { lot_id: shipped, quantity: 3, status: "ALLOCATED" },
      { lot_id: real, quantity: 3, status: "ALLOCATED" },
    ]);
    const ledger = await pool().query("select lot_id, delta, cause from ledger_entries where shop_id = $1 and kind = 'ALLOCATION_MOVED' order by lot_id", [
      shop.id,
    ]);
    expect(ledger.rows).toEqual([
      { lot_id: shipped, delta: 3, cause: "USER" },
      { lot_id: real, delta: -3, cause: "USER" },
    ]);
    // Each lot's balance is still what its ledger says.
    for (const lotId of [shipped, real]) {
      const sum = await pool().query<{ total: number }>("select coalesce(sum(delta), 0)::int as total from ledger_entries where shop_id = $1 and lot_id = $2", [
        shop.id,
        lotId,
      ]);
      expect(sum.rows[0]!.total).toBe(await balance(lotId, location));
    }
  });

  it("refuses a move the target lot cannot cover, or to a lot of another variant, and changes nothing", async () => {
    const { shop, location, real, order } = await setUp("refuse");
    const path = `/app/allocations/${order.allocationId}/move`;
    const params = { id: order.allocationId.toString() };
    const otherVariant = await createVariant(shop.id, { productTitle: "Jam" });
    const jam = await createLot(shop.id, { variantId: otherVariant, lotNumber: "JAM-1", quantity: 50, locationId: location });
    const before = await snapshot(shop.id);

    const tooMany = await moveAction({ request: adminPost(shop.domain, path, { lotId: real.toString(), quantity: "5" }), params, context: {} });
    expect(tooMany.ok).toBe(false);
    expect(!tooMany.ok && tooMany.error).toMatch(/HON-B does not hold 5 unit/);
    const all = await moveAction({ request: adminPost(shop.domain, path, { lotId: real.toString(), quantity: "" }), params, context: {} });
    expect(!all.ok && all.error).toMatch(/HON-B does not hold 6 unit/);
    const wrongVariant = await moveAction({ request: adminPost(shop.domain, path, { lotId: jam.toString(), quantity: "1" }), params, context: {} });
    expect(!wrongVariant.ok && wrongVariant.error).toMatch(/JAM-1 is a lot of variant/);
    const badQuantity = await moveAction({ request: adminPost(shop.domain, path, { lotId: real.toString(), quantity: "two" }), params, context: {} });
    expect(badQuantity).toMatchObject({ ok: false, errors: { quantity: expect.any(String) } });
    const moreThanShipped = await moveAction({ request: adminPost(shop.domain, path, { lotId: real.toString(), quantity: "7" }), params, context: {} });
    expect(!moreThanShipped.ok && moreThanShipped.error).toMatch(/holds 6 unit/);

    expect(await snapshot(shop.id)).toEqual(before);
  });

  it("answers 404 for an allocation of another shop, and the owner's allocation stays where it was", async () => {
    const mine = await createTestShop("move-mine");
    const theirs = await setUp("move-theirs");
    const path = `/app/allocations/${theirs.order.allocationId}/move`;
    const params = { id: theirs.order.allocationId.toString() };
    const before = await snapshot(theirs.shop.id);

    expect(await statusOf(moveLoader({ request: adminGet(mine.domain, path), params, context: {} }))).toBe(404);
    expect(await statusOf(moveAction({ request: adminPost(mine.domain, path, { lotId: theirs.real.toString(), quantity: "1" }), params, context: {} }))).toBe(
      404,
    );
    expect(await statusOf(moveLoader({ request: adminGet(mine.domain, "/app/allocations/abc/move"), params: { id: "abc" }, context: {} }))).toBe(404);
    expect(await snapshot(theirs.shop.id)).toEqual(before);

    // The owner can: the 404 above is tenancy, not a broken route.
    const own = await moveAction({ request: adminPost(theirs.shop.domain, path, { lotId: theirs.real.toString(), quantity: "1" }), params, context: {} });
    expect(own).toMatchObject({ ok: true, message: "Moved 1 unit from HON-A to HON-B; 5 stay on HON-A" });
  });
});
