// Allocation through the worker's processor (inbox row -> topic handlers -> one transaction),
// against the real Postgres: strategies, skips, splits, unknown-lot, exactly-once across topics,
// cancellation (also before creation), returns (also before the fulfilment), manual moves, trace.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import { InsufficientStockError } from "../../app/domain/ledger/ledger.server";
import { moveAllocation } from "../../app/domain/allocation/move-allocation.server";
import { listAllocationsForReview, listMoveTargets, traceOrder } from "../../app/domain/allocation/queries.server";
import { AllocationNotFoundError, LotVariantMismatchError } from "../../app/domain/allocation/errors";
import { InvalidPayloadError } from "../../app/domain/webhooks/handler";
import { createTestShop } from "../helpers/shops";
import { createLot, createVariant, newId } from "../helpers/factories";
import {
  allocationInvariantViolations,
  allocations,
  balances,
  deliver,
  eventStatus,
  fulfilmentPayload,
  orderPayload,
  refundPayload,
} from "../helpers/allocation";

const LOC = 71230000001n;
const OTHER_LOC = 71230000002n;

async function setup(label: string, settings: Record<string, unknown> = {}) {
  const shop = await createTestShop(label, settings);
  const variantId = await createVariant(shop.id);
  return { shop, shopId: shop.id, domain: shop.domain, variantId };
}

const live = (rows: Awaited<ReturnType<typeof allocations>>) => rows.filter((a) => a.status === "ALLOCATED");
const lotsOf = (rows: Awaited<ReturnType<typeof allocations>>) => live(rows).map((a) => [a.lot_id, a.quantity]);

describe("allocation by strategy", () => {
  it("FEFO splits a line across lots, earliest expiry first, and puts what no lot covers on an unknown lot", async () => {
    const { shopId, domain, variantId } = await setup("fefo");
    const late = await createLot(shopId, { variantId, lotNumber: "LATE", quantity: 10, locationId: LOC, expiresOn: "2028-06-01" });
    const early = await createLot(shopId, { variantId, lotNumber: "EARLY", quantity: 2, locationId: LOC, expiresOn: "2027-06-01" });
    const undated = await createLot(shopId, { variantId, lotNumber: "UNDATED", quantity: 1, locationId: LOC, receivedAt: new Date("2020-01-01") });
    const orderId = newId();
    const lineItemId = newId();
    const status = await deliver(
      domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId, variantId, quantity: 15 }] }),
    );
    expect(status).toBe("processed");
    const rows = await allocations(shopId);
    expect(lotsOf(rows)).toEqual([
      [early, 2],
      [late, 10],
      [undated, 1],
      [null, 2],
    ]);
    expect(rows.find((a) => a.lot_id === null)!.unknown_lot).toBe(true);
    expect(await balances(shopId)).toMatchObject({ [`${early}@${LOC}`]: 0, [`${late}@${LOC}`]: 0, [`${undated}@${LOC}`]: 0 });
    const ledger = await pool().query(
      "select lot_id, kind, delta, balance_after, cause from ledger_entries where shop_id = $1 and kind = 'ALLOCATED' order by lot_id",
      [shopId],
    );
    expect(ledger.rows.map((e) => [e.lot_id, e.delta, e.balance_after, e.cause])).toEqual(
      [
        [late, -10, 0, "WEBHOOK"],
        [early, -2, 0, "WEBHOOK"],
        [undated, -1, 0, "WEBHOOK"],
      ].sort((a, b) => Number((a[0] as bigint) - (b[0] as bigint))),
    );
    const review = await listAllocationsForReview(shopId);
    expect(review.items.map((i) => [i.reason, i.quantity, i.lineItemId])).toEqual([["no-lot", 2, lineItemId]]);
    expect(await allocationInvariantViolations(shopId)).toEqual([]);
  });

  it("FIFO and LIFO follow receipt order; a product's override wins over the shop's strategy", async () => {
    const { shopId, domain, variantId } = await setup("fifo", { allocationStrategy: "FIFO" });
    const lifoVariant = await createVariant(shopId);
    await pool().query("update variants set strategy_override = 'LIFO' where shop_id = $1 and id = $2", [shopId, lifoVariant]);
    const old = await createLot(shopId, {
      variantId,
      lotNumber: "OLD",
      quantity: 5,
      locationId: LOC,
      receivedAt: new Date("2026-01-01"),
      expiresOn: "2029-01-01",
    });
    await createLot(shopId, { variantId, lotNumber: "NEW", quantity: 5, locationId: LOC, receivedAt: new Date("2026-06-01"), expiresOn: "2027-01-01" });
    await createLot(shopId, { variantId: lifoVariant, lotNumber: "OLD", quantity: 5, locationId: LOC, receivedAt: new Date("2026-01-01") });
    const lifoNew = await createLot(shopId, { variantId: lifoVariant, lotNumber: "NEW", quantity: 5, locationId: LOC, receivedAt: new Date("2026-06-01") });
    const [a, b] = [newId(), newId()];
    await deliver(
      domain,
      "fulfillments/create",
      fulfilmentPayload({
        id: newId(),
        orderId: newId(),
        locationId: LOC,
        lines: [
          { lineItemId: a, variantId, quantity: 3 },
          { lineItemId: b, variantId: lifoVariant, quantity: 3 },
        ],
      }),
    );
    const rows = live(await allocations(shopId));
    expect(rows.filter((r) => r.line_item_id === a).map((r) => [r.lot_id, r.quantity])).toEqual([[old, 3]]); // FIFO ignores the earlier expiry
    expect(rows.filter((r) => r.line_item_id === b).map((r) => [r.lot_id, r.quantity])).toEqual([[lifoNew, 3]]);
  });

  it("skips expired, short-dated, quarantined and recalled lots and lots at other locations", async () => {
    const { shopId, domain, variantId } = await setup("skips", { minShelfLifeDays: 30 });
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await createLot(shopId, { variantId, lotNumber: "EXPIRED", quantity: 5, locationId: LOC, expiresOn: "2020-01-01" });
    await createLot(shopId, { variantId, lotNumber: "SHORT", quantity: 5, locationId: LOC, expiresOn: soon });
    await createLot(shopId, { variantId, lotNumber: "RECALLED", quantity: 5, locationId: LOC, status: "RECALLED" });
    await createLot(shopId, { variantId, lotNumber: "QLOT", quantity: 5, locationId: LOC, status: "QUARANTINED" });
    const held = await createLot(shopId, { variantId, lotNumber: "HELD", quantity: 5, locationId: LOC });
    await pool().query("update lot_balances set quarantined = true where lot_id = $1", [held]);
    await createLot(shopId, { variantId, lotNumber: "ELSEWHERE", quantity: 5, locationId: OTHER_LOC });
    const good = await createLot(shopId, { variantId, lotNumber: "GOOD", quantity: 1, locationId: LOC, expiresOn: "2030-01-01" });
    // Shipped today: SHORT (10 days left) is short-dated against today, whatever day the test runs.
    const shippedToday = new Date().toISOString();
    await deliver(
      domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId: newId(), locationId: LOC, createdAt: shippedToday, lines: [{ lineItemId: newId(), variantId, quantity: 3 }] }),
    );
    expect(lotsOf(await allocations(shopId))).toEqual([
      [good, 1],
      [null, 2],
    ]);
    expect(await allocationInvariantViolations(shopId)).toEqual([]);
  });

  it("a delivery that arrives late judges shelf life on the day the units shipped", async () => {
    const { shopId, domain, variantId } = await setup("late-delivery");
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const lot = await createLot(shopId, { variantId, lotNumber: "WAS-FRESH", quantity: 5, locationId: LOC, expiresOn: day(-5) });
    const shippedAt = new Date(Date.now() - 10 * 86_400_000).toISOString();
    await deliver(
      domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId: newId(), locationId: LOC, createdAt: shippedAt, lines: [{ lineItemId: newId(), variantId, quantity: 1 }] }),
    );
    expect(lotsOf(await allocations(shopId))).toEqual([[lot, 1]]);
  });

  it("leaves variants that are not lot-tracked and custom items alone; an unknown variant goes to unknown-lot", async () => {
    const { shopId, domain } = await setup("untracked");
    const untracked = await createVariant(shopId, { lotTracked: false });
    const unknownVariant = newId(); // no products webhook yet
    const [l1, l2, l3] = [newId(), newId(), newId()];
    const fulfillmentId = newId();
    await deliver(
      domain,
      "fulfillments/create",
      fulfilmentPayload({
        id: fulfillmentId,
        orderId: newId(),
        locationId: LOC,
        lines: [
          { lineItemId: l1, variantId: untracked, quantity: 2 },
          { lineItemId: l2, variantId: null, quantity: 1 },
          { lineItemId: l3, variantId: unknownVariant, quantity: 4 },
        ],
      }),
    );
    const states = await pool().query("select line_item_id, state from fulfillment_lines where shop_id = $1 order by line_item_id", [shopId]);
    expect(states.rows.map((r) => [r.line_item_id, r.state])).toEqual([
      [l1, "SKIPPED"],
      [l2, "SKIPPED"],
      [l3, "ALLOCATED"],
    ]);
    expect(live(await allocations(shopId)).map((a) => [a.line_item_id, a.lot_id, a.quantity])).toEqual([[l3, null, 4]]);
  });

  it("manual strategy leaves the line PENDING on an unknown lot for the merchant, who resolves it with a move", async () => {
    const { shopId, domain, variantId } = await setup("manual", { allocationStrategy: "MANUAL" });
    const lot = await createLot(shopId, { variantId, lotNumber: "PICKED", quantity: 5, locationId: LOC });
    const fulfillmentId = newId();
    const lineItemId = newId();
    await deliver(
      domain,
      "fulfillments/create",
      fulfilmentPayload({ id: fulfillmentId, orderId: newId(), locationId: LOC, lines: [{ lineItemId, variantId, quantity: 3 }] }),
    );
    const [pending] = await allocations(shopId);
    expect(pending).toMatchObject({ lot_id: null, unknown_lot: true, quantity: 3 });
    const review = await listAllocationsForReview(shopId);
    expect(review.items.map((i) => i.reason)).toEqual(["manual"]);
    expect((await balances(shopId))[`${lot}@${LOC}`]).toBe(5);

    const result = await withTransaction((sql) => moveAllocation(sql, { shopId, allocationId: pending!.id, toLotId: lot, cause: "CLI", causeRef: "test" }));
    expect(result.moved).toMatchObject({ id: pending!.id, lotId: lot, unknownLot: false, quantity: 3 });
    expect((await balances(shopId))[`${lot}@${LOC}`]).toBe(2);
    const line = await pool().query("select state from fulfillment_lines where shop_id = $1", [shopId]);
    expect(line.rows[0].state).toBe("ALLOCATED");
    expect((await listAllocationsForReview(shopId)).items).toEqual([]);
    expect(await allocationInvariantViolations(shopId)).toEqual([]);
  });
});

describe("exactly once", () => {
  it("the same fulfilment through fulfillments/create, fulfillments/update, orders/fulfilled and orders/updated, redelivered, allocates once", async () => {
    const { shopId, domain, variantId } = await setup("once");
    const lot = await createLot(shopId, { variantId, lotNumber: "L1", quantity: 10, locationId: LOC });
    const orderId = newId();
    const lineItemId = newId();
    const f = fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId, variantId, quantity: 4 }] });
    const order = orderPayload({ id: orderId, customerId: 7301188550001n, lines: [{ id: lineItemId, variantId, quantity: 4 }], fulfillments: [f] });
    const webhookId = randomUUID();
    await deliver(domain, "fulfillments/create", f, webhookId);
    await deliver(domain, "fulfillments/create", f, webhookId); // Shopify's retry: same webhook id
    await deliver(domain, "fulfillments/create", f); // the same event delivered again with another id
    await deliver(domain, "fulfillments/update", f);
    await deliver(domain, "orders/fulfilled", order);
    await deliver(domain, "orders/updated", order);
    expect(lotsOf(await allocations(shopId))).toEqual([[lot, 4]]);
    expect((await balances(shopId))[`${lot}@${LOC}`]).toBe(6);
    const ledger = await pool().query("select count(*)::int as n from ledger_entries where shop_id = $1 and kind = 'ALLOCATED'", [shopId]);
    expect(ledger.rows[0].n).toBe(1);
    // The order arrived after the fulfilment: the customer is linked.
    expect((await allocations(shopId))[0]!.customer_id).toBe(7301188550001n);
  });

  it("an order payload whose fulfilment cannot be used is still recorded; the fulfilment's own topic allocates it", async () => {
    const { shopId, domain, variantId } = await setup("order-odd");
    const lot = await createLot(shopId, { variantId, lotNumber: "L1", quantity: 10, locationId: LOC });
    const orderId = newId();
    const lineItemId = newId();
    const spec = { id: newId(), orderId, locationId: LOC, lines: [{ lineItemId, variantId, quantity: 1 }] };
    const noLocation = fulfilmentPayload({ ...spec, locationId: null });
    expect(
      await deliver(
        domain,
        "orders/updated",
        orderPayload({ id: orderId, customerId: 5n, lines: [{ id: lineItemId, variantId, quantity: 1 }], fulfillments: [noLocation] }),
      ),
    ).toBe("processed");
    expect((await pool().query("select customer_id from orders where shop_id = $1 and id = $2", [shopId, orderId])).rows[0].customer_id).toBe(5n);
    expect(await allocations(shopId)).toEqual([]);
    await deliver(domain, "fulfillments/create", fulfilmentPayload(spec));
    expect(lotsOf(await allocations(shopId))).toEqual([[lot, 1]]);
  });

  it("a fulfilment for an order already known takes the order's customer at once", async () => {
    const { shopId, domain, variantId } = await setup("customer");
    await createLot(shopId, { variantId, lotNumber: "L1", quantity: 10, locationId: LOC });
    const orderId = newId();
    const lineItemId = newId();
    await deliver(domain, "orders/create", orderPayload({ id: orderId, customerId: 99n, lines: [{ id: lineItemId, variantId, quantity: 1 }] }));
    await deliver(domain, "fulfillments/create", fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId, variantId, quantity: 1 }] }));
    expect((await allocations(shopId))[0]!.customer_id).toBe(99n);
  });
});

describe("pending fulfilments", () => {
  it("a fulfilment created pending allocates nothing until an update says it succeeded", async () => {
    const { shopId, domain, variantId } = await setup("pending");
    const lot = await createLot(shopId, { variantId, lotNumber: "L1", quantity: 5, locationId: LOC });
    const spec = { id: newId(), orderId: newId(), locationId: LOC, lines: [{ lineItemId: newId(), variantId, quantity: 2 }] };
    await deliver(domain, "fulfillments/create", fulfilmentPayload({ ...spec, status: "pending" }));
    expect(await allocations(shopId)).toEqual([]);
    expect((await pool().query("select count(*)::int as n from fulfillment_lines where shop_id = $1", [shopId])).rows[0].n).toBe(0);
    await deliver(domain, "fulfillments/update", fulfilmentPayload({ ...spec, status: "success", updatedAt: "2026-11-21T10:00:00-05:00" }));
    expect(lotsOf(await allocations(shopId))).toEqual([[lot, 2]]);
    // An older "pending" delivered late neither undoes nor repeats it.
    await deliver(domain, "fulfillments/update", fulfilmentPayload({ ...spec, status: "pending" }));
    expect(lotsOf(await allocations(shopId))).toEqual([[lot, 2]]);
    expect((await pool().query("select status from fulfillments where shop_id = $1", [shopId])).rows[0].status).toBe("success");
  });
});

describe("cancellation", () => {
  it("a cancelled fulfilment puts the units back into their lots and marks everything reversed", async () => {
    const { shopId, domain, variantId } = await setup("cancel");
    const lot = await createLot(shopId, { variantId, lotNumber: "L1", quantity: 3, locationId: LOC });
    const spec = { id: newId(), orderId: newId(), locationId: LOC, lines: [{ lineItemId: newId(), variantId, quantity: 5 }] };
    await deliver(domain, "fulfillments/create", fulfilmentPayload(spec));
    expect((await balances(shopId))[`${lot}@${LOC}`]).toBe(0);
    await deliver(domain, "fulfillments/update", fulfilmentPayload({ ...spec, status: "cancelled", updatedAt: "2026-11-21T11:30:00-05:00" }));
    await deliver(domain, "fulfillments/update", fulfilmentPayload({ ...spec, status: "cancelled", updatedAt: "2026-11-21T11:30:00-05:00" }));
    expect((await balances(shopId))[`${lot}@${LOC}`]).toBe(3);
    expect((await allocations(shopId)).map((a) => a.status)).toEqual(["REVERSED", "REVERSED"]);
    const f = await pool().query(
      "select f.status, fl.state from fulfillments f join fulfillment_lines fl on fl.shop_id = f.shop_id and fl.fulfillment_id = f.id where f.shop_id = $1",
      [shopId],
    );
    expect(f.rows).toEqual([{ status: "cancelled", state: "REVERSED" }]);
    const reversal = await pool().query("select delta from ledger_entries where shop_id = $1 and kind = 'ALLOCATION_REVERSED'", [shopId]);
    expect(reversal.rows.map((r) => r.delta)).toEqual([3]);
    // A late "success" (e.g. an older orders/updated) does not allocate again.
    await deliver(domain, "fulfillments/create", fulfilmentPayload(spec));
    expect((await balances(shopId))[`${lot}@${LOC}`]).toBe(3);
    expect(await allocationInvariantViolations(shopId)).toEqual([]);
  });

  it("a cancellation that arrives before the creation means the creation allocates nothing", async () => {
    const { shopId, domain, variantId } = await setup("cancel-first");
    const lot = await createLot(shopId, { variantId, lotNumber: "L1", quantity: 3, locationId: LOC });
    const spec = { id: newId(), orderId: newId(), locationId: LOC, lines: [{ lineItemId: newId(), variantId, quantity: 2 }] };
    await deliver(domain, "fulfillments/update", fulfilmentPayload({ ...spec, status: "cancelled", updatedAt: "2026-11-21T11:30:00-05:00" }));
    await deliver(domain, "fulfillments/create", fulfilmentPayload(spec));
    expect(await allocations(shopId)).toEqual([]);
    expect((await balances(shopId))[`${lot}@${LOC}`]).toBe(3);
    const f = await pool().query("select status from fulfillments where shop_id = $1", [shopId]);
    expect(f.rows[0].status).toBe("cancelled");
  });

  it("a cancellation without its lines, arriving first, still keeps the creation from allocating", async () => {
    const { shopId, domain, variantId } = await setup("cancel-bare");
    const lot = await createLot(shopId, { variantId, lotNumber: "L1", quantity: 3, locationId: LOC });
    const spec = { id: newId(), orderId: newId(), locationId: LOC, lines: [{ lineItemId: newId(), variantId, quantity: 2 }] };
    const bare = { ...fulfilmentPayload({ ...spec, status: "cancelled", updatedAt: "2026-11-21T11:30:00-05:00" }), line_items: undefined };
    await deliver(domain, "fulfillments/update", bare);
    await deliver(domain, "fulfillments/create", fulfilmentPayload(spec));
    expect(await allocations(shopId)).toEqual([]);
    expect((await balances(shopId))[`${lot}@${LOC}`]).toBe(3);
    const lines = await pool().query("select state from fulfillment_lines where shop_id = $1", [shopId]);
    expect(lines.rows).toEqual([{ state: "REVERSED" }]);
  });
});

describe("refunds", () => {
  it("a return puts units back into the lot they left, at the refund's location; cancel and no_restock change no lot; redelivery returns nothing twice", async () => {
    const { shopId, domain, variantId } = await setup("refund");
    const a = await createLot(shopId, { variantId, lotNumber: "A", quantity: 2, locationId: LOC, expiresOn: "2027-01-01" });
    const b = await createLot(shopId, { variantId, lotNumber: "B", quantity: 5, locationId: LOC, expiresOn: "2028-01-01" });
    const orderId = newId();
    const lineItemId = newId();
    await deliver(domain, "fulfillments/create", fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId, variantId, quantity: 4 }] }));
    const refund = refundPayload({
      id: newId(),
      orderId,
      lines: [
        { id: newId(), lineItemId, quantity: 3, restockType: "return", locationId: OTHER_LOC },
        { id: newId(), lineItemId, quantity: 1, restockType: "no_restock", locationId: null },
        { id: newId(), lineItemId, quantity: 1, restockType: "cancel", locationId: LOC },
      ],
    });
    await deliver(domain, "refunds/create", refund);
    await deliver(domain, "refunds/create", refund);
    await deliver(domain, "orders/updated", orderPayload({ id: orderId, lines: [{ id: lineItemId, variantId, quantity: 4 }], refunds: [refund] }));
    const rows = live(await allocations(shopId));
    expect(rows.map((r) => [r.lot_id, r.quantity, r.returned_quantity])).toEqual([
      [a, 2, 2],
      [b, 2, 1],
    ]);
    expect(await balances(shopId)).toEqual({ [`${a}@${LOC}`]: 0, [`${a}@${OTHER_LOC}`]: 2, [`${b}@${LOC}`]: 3, [`${b}@${OTHER_LOC}`]: 1 });
    const returned = await pool().query("select count(*)::int as n, sum(delta)::int as units from ledger_entries where shop_id = $1 and kind = 'RETURNED'", [
      shopId,
    ]);
    expect(returned.rows[0]).toEqual({ n: 2, units: 3 });
    const trace = await traceOrder(shopId, orderId);
    expect(trace.lineItems[0]).toMatchObject({ lineItemId, fulfilledQuantity: 4, returnedQuantity: 3 });
    expect(trace.lineItems[0]!.allocations.map((x) => [x.lot, x.quantity, x.returnedQuantity, x.locationId, x.unknownLot])).toEqual([
      ["A", 2, 2, LOC, false],
      ["B", 2, 1, LOC, false],
    ]);
    expect(await allocationInvariantViolations(shopId)).toEqual([]);
  });

  it("a return that arrives before its fulfilment is applied when the fulfilment is allocated", async () => {
    const { shopId, domain, variantId } = await setup("refund-first");
    const lot = await createLot(shopId, { variantId, lotNumber: "A", quantity: 5, locationId: LOC });
    const orderId = newId();
    const lineItemId = newId();
    await deliver(
      domain,
      "refunds/create",
      refundPayload({ id: newId(), orderId, lines: [{ id: newId(), lineItemId, quantity: 1, restockType: "return", locationId: LOC }] }),
    );
    expect(await balances(shopId)).toEqual({ [`${lot}@${LOC}`]: 5 });
    expect((await traceOrder(shopId, orderId)).lineItems.map((l) => [l.lineItemId, l.pendingReturnQuantity])).toEqual([[lineItemId, 1]]);
    await deliver(domain, "fulfillments/create", fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId, variantId, quantity: 2 }] }));
    expect(live(await allocations(shopId)).map((r) => [r.lot_id, r.quantity, r.returned_quantity])).toEqual([[lot, 2, 1]]);
    expect(await balances(shopId)).toEqual({ [`${lot}@${LOC}`]: 4 });
    expect((await traceOrder(shopId, orderId)).lineItems[0]!.pendingReturnQuantity).toBe(0);
    expect(await allocationInvariantViolations(shopId)).toEqual([]);
  });
});

describe("manual override", () => {
  it("moves part of an allocation to another lot of the same variant; balances and ledger follow", async () => {
    const { shopId, domain, variantId } = await setup("move");
    const a = await createLot(shopId, { variantId, lotNumber: "A", quantity: 5, locationId: LOC, expiresOn: "2027-01-01" });
    const b = await createLot(shopId, { variantId, lotNumber: "B", quantity: 5, locationId: LOC, expiresOn: "2028-01-01" });
    await deliver(
      domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId: newId(), locationId: LOC, lines: [{ lineItemId: newId(), variantId, quantity: 4 }] }),
    );
    const [alloc] = await allocations(shopId);
    expect((await listMoveTargets(shopId, alloc!.id)).map((t) => [t.lotId, t.quantity])).toEqual([[b, 5]]);
    const result = await withTransaction((sql) =>
      moveAllocation(sql, { shopId, allocationId: alloc!.id, toLotId: b, quantity: 1, cause: "USER", causeRef: "user 1" }),
    );
    expect(result.remainder).toMatchObject({ id: alloc!.id, lotId: a, quantity: 3 });
    expect(result.moved).toMatchObject({ lotId: b, quantity: 1 });
    expect(await balances(shopId)).toEqual({ [`${a}@${LOC}`]: 2, [`${b}@${LOC}`]: 4 });
    const moved = await pool().query("select lot_id, delta from ledger_entries where shop_id = $1 and kind = 'ALLOCATION_MOVED' order by lot_id", [shopId]);
    expect(moved.rows.map((r) => [r.lot_id, r.delta])).toEqual([
      [a, 1],
      [b, -1],
    ]);
    expect(await allocationInvariantViolations(shopId)).toEqual([]);
  });

  it("refuses a lot of another variant, more units than the lot holds, and another shop's allocation, changing nothing", async () => {
    const { shopId, domain, variantId } = await setup("move-bad");
    const other = await createVariant(shopId);
    await createLot(shopId, { variantId, lotNumber: "A", quantity: 5, locationId: LOC });
    const small = await createLot(shopId, { variantId, lotNumber: "SMALL", quantity: 1, locationId: LOC });
    const wrong = await createLot(shopId, { variantId: other, lotNumber: "W", quantity: 5, locationId: LOC });
    await deliver(
      domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId: newId(), locationId: LOC, lines: [{ lineItemId: newId(), variantId, quantity: 3 }] }),
    );
    const [alloc] = await allocations(shopId);
    const before = await balances(shopId);
    await expect(withTransaction((sql) => moveAllocation(sql, { shopId, allocationId: alloc!.id, toLotId: wrong, cause: "CLI" }))).rejects.toBeInstanceOf(
      LotVariantMismatchError,
    );
    await expect(withTransaction((sql) => moveAllocation(sql, { shopId, allocationId: alloc!.id, toLotId: small, quantity: 2, cause: "CLI" }))).rejects.toThrow(
      InsufficientStockError,
    );
    const intruder = await createTestShop("move-intruder");
    await expect(
      withTransaction((sql) => moveAllocation(sql, { shopId: intruder.id, allocationId: alloc!.id, toLotId: small, cause: "CLI" })),
    ).rejects.toBeInstanceOf(AllocationNotFoundError);
    expect(await balances(shopId)).toEqual(before);
    expect((await allocations(shopId))[0]).toEqual(alloc);
  });
});

describe("tenancy and bad input", () => {
  it("never takes another shop's lot of the same variant id", async () => {
    const { shopId: aId, variantId } = await setup("tenant-a");
    const b = await createTestShop("tenant-b");
    const aLot = await createLot(aId, { variantId, lotNumber: "A", quantity: 5, locationId: LOC });
    await deliver(
      b.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId: newId(), locationId: LOC, lines: [{ lineItemId: newId(), variantId, quantity: 2 }] }),
    );
    expect(live(await allocations(b.id)).map((r) => [r.lot_id, r.quantity])).toEqual([[null, 2]]);
    expect(await balances(aId)).toEqual({ [`${aLot}@${LOC}`]: 5 });
    // Shop A's review queue and traces do not see shop B's records.
    expect((await listAllocationsForReview(aId)).items).toEqual([]);
    expect((await listAllocationsForReview(b.id)).items).toHaveLength(1);
    const bOrder = (await allocations(b.id))[0]!;
    const bOrderId = (await pool().query("select order_id from allocations where id = $1", [bOrder.id])).rows[0].order_id;
    await expect(traceOrder(aId, bOrderId)).rejects.toThrow(/not known in this shop/);
  });

  it("a payload that can never be valid is a permanent failure (InvalidPayloadError) and changes nothing", async () => {
    const { shopId, domain } = await setup("bad");
    const webhookId = randomUUID();
    const bad = deliver(domain, "fulfillments/create", { id: 1, order_id: 2, status: "success", line_items: [{ id: 3, quantity: "two" }] }, webhookId);
    await expect(bad).rejects.toBeInstanceOf(InvalidPayloadError);
    await expect(bad).rejects.toThrow(/line_items\.0\.quantity/);
    expect((await eventStatus(webhookId)).status).toBe("PENDING"); // not processed; the worker stores the reason and fails the job
    const noLocation = fulfilmentPayload({
      id: newId(),
      orderId: newId(),
      locationId: null,
      lines: [{ lineItemId: newId(), variantId: newId(), quantity: 1 }],
    });
    await expect(deliver(domain, "fulfillments/create", noLocation)).rejects.toThrow(InvalidPayloadError);
    expect(await allocations(shopId)).toEqual([]);
    expect((await pool().query("select count(*)::int as n from fulfillment_lines where shop_id = $1", [shopId])).rows[0].n).toBe(0);
  });
});
