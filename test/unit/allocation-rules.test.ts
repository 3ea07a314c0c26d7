import { describe, expect, it } from "vitest";
import {
  earliestAcceptableShelfDate,
  effectiveStrategy,
  fulfilmentEffect,
  hasEnoughShelfLife,
  orderForStrategy,
  planAllocation,
  planFulfilment,
  planReturn,
  restocksIntoLots,
  variantsToLock,
  type CandidateLot,
  type ClaimedLine,
} from "../../app/domain/allocation/allocation-rules";
import { dayIn } from "../../app/domain/shops/shop-day";
import { parseFulfilment, parseOrderActivity, parseRefund, PayloadShapeError } from "../../app/domain/allocation/payloads";

const lot = (id: number, quantity: number, shelfDate: string | null, received: string): CandidateLot => ({
  lotId: BigInt(id),
  quantity,
  shelfDate,
  receivedAt: new Date(received),
});

const lots = [
  lot(1, 5, null, "2026-01-01"), // no expiry, oldest receipt
  lot(2, 5, "2027-03-01", "2026-03-01"),
  lot(3, 5, "2027-01-15", "2026-05-01"),
  lot(4, 5, null, "2026-02-01"),
  lot(5, 5, "2027-01-15", "2026-04-01"), // same expiry as 3, received earlier
];
const ids = (list: CandidateLot[]) => list.map((l) => Number(l.lotId));

describe("strategy order", () => {
  it("FEFO: earliest expiry first, ties by receipt, then lots without expiry by receipt", () => {
    expect(ids(orderForStrategy("FEFO", lots))).toEqual([5, 3, 2, 1, 4]);
  });
  it("FIFO: oldest receipt first; LIFO: newest first", () => {
    expect(ids(orderForStrategy("FIFO", lots))).toEqual([1, 4, 2, 5, 3]);
    expect(ids(orderForStrategy("LIFO", lots))).toEqual([3, 5, 2, 4, 1]);
  });
  it("MANUAL takes nothing", () => {
    expect(planAllocation("MANUAL", lots, 3)).toEqual({ takes: [], unknown: 3 });
  });
  it("the product's override wins over the shop's default", () => {
    expect(effectiveStrategy("FEFO", "LIFO")).toBe("LIFO");
    expect(effectiveStrategy("FIFO", null)).toBe("FIFO");
  });
});

describe("planAllocation", () => {
  it("splits a line across lots in strategy order and leaves the rest as unknown-lot", () => {
    expect(planAllocation("FEFO", [lot(1, 2, "2027-01-01", "2026-01-01"), lot(2, 3, "2027-02-01", "2026-01-01")], 7)).toEqual({
      takes: [
        { lotId: 1n, quantity: 2 },
        { lotId: 2n, quantity: 3 },
      ],
      unknown: 2,
    });
  });
  it("two lines of the same fulfilment never take the same unit twice", () => {
    const available = new Map<bigint, number>();
    const candidates = [lot(1, 3, "2027-01-01", "2026-01-01"), lot(2, 3, "2027-02-01", "2026-01-01")];
    const first = planAllocation("FEFO", candidates, 2, available);
    const second = planAllocation("FEFO", candidates, 3, available);
    expect(first.takes).toEqual([{ lotId: 1n, quantity: 2 }]);
    expect(second.takes).toEqual([
      { lotId: 1n, quantity: 1 },
      { lotId: 2n, quantity: 2 },
    ]);
    expect(available.get(1n)).toBe(0);
    expect(available.get(2n)).toBe(1);
  });
  it("no lots: everything is unknown-lot", () => {
    expect(planAllocation("FIFO", [], 4)).toEqual({ takes: [], unknown: 4 });
  });
});

describe("shelf life", () => {
  const today = "2026-11-26";
  it("a lot expiring today never ships; tomorrow ships when no minimum is set", () => {
    const cutoff = earliestAcceptableShelfDate(today, 0);
    expect(cutoff).toBe("2026-11-27");
    expect(hasEnoughShelfLife("2026-11-26", cutoff)).toBe(false);
    expect(hasEnoughShelfLife("2026-11-27", cutoff)).toBe(true);
    expect(hasEnoughShelfLife(null, cutoff)).toBe(true);
  });
  it("a minimum of 30 days keeps lots expiring within 30 days out", () => {
    const cutoff = earliestAcceptableShelfDate(today, 30);
    expect(cutoff).toBe("2026-12-26");
    expect(hasEnoughShelfLife("2026-12-25", cutoff)).toBe(false);
    expect(hasEnoughShelfLife("2026-12-26", cutoff)).toBe(true);
  });
  it("counts from the shop's day: at 23:30 UTC it is already tomorrow in Auckland, still today in Los Angeles", () => {
    const instant = new Date("2026-11-26T23:30:00Z");
    expect(earliestAcceptableShelfDate(dayIn("Pacific/Auckland", instant), 0)).toBe("2026-11-28");
    expect(earliestAcceptableShelfDate(dayIn("America/Los_Angeles", instant), 0)).toBe("2026-11-27");
  });
});

describe("fulfilment status and restock types", () => {
  it("success allocates, cancelled/failure/error reverse, pending/open do nothing", () => {
    expect(fulfilmentEffect("success")).toBe("allocate");
    expect(fulfilmentEffect("cancelled")).toBe("reverse");
    expect(fulfilmentEffect("failure")).toBe("reverse");
    expect(fulfilmentEffect("pending")).toBe("none");
    expect(fulfilmentEffect("open")).toBe("none");
  });
  it("only return puts units back into lots", () => {
    expect(restocksIntoLots("return")).toBe(true);
    expect(restocksIntoLots("cancel")).toBe(false);
    expect(restocksIntoLots("no_restock")).toBe(false);
    expect(restocksIntoLots("legacy_restock")).toBe(false);
  });
});

describe("planReturn", () => {
  it("returns into known lots first, never more than an allocation still holds", () => {
    const plan = planReturn(
      [
        { id: 10n, lotId: null, open: 5 },
        { id: 11n, lotId: 1n, open: 1 },
        { id: 12n, lotId: 2n, open: 2 },
      ],
      4,
    );
    expect(plan).toEqual([
      { allocationId: 11n, lotId: 1n, quantity: 1 },
      { allocationId: 12n, lotId: 2n, quantity: 2 },
      { allocationId: 10n, lotId: null, quantity: 1 },
    ]);
  });
  it("returns what it can when fewer units are allocated than refunded", () => {
    expect(planReturn([{ id: 1n, lotId: 1n, open: 1 }], 3)).toEqual([{ allocationId: 1n, lotId: 1n, quantity: 1 }]);
  });
});

describe("payloads", () => {
  it("reads a fulfilment as Shopify sends it", () => {
    const f = parseFulfilment({
      id: 5102030400001,
      order_id: "gid://shopify/Order/5821378420001",
      status: "success",
      location_id: 71230000001,
      created_at: "2026-11-21T09:02:44-05:00",
      updated_at: "2026-11-21T09:02:44-05:00",
      line_items: [
        { id: 14220001110001, variant_id: 46120033440001, quantity: 2, sku: "X", properties: [] },
        { id: 14220001110002, variant_id: 46120033440001, quantity: 1, properties: [{ name: "_lot", value: "L123" }] },
      ],
      tracking_number: "1",
    });
    expect(f).toMatchObject({ id: 5102030400001n, orderId: 5821378420001n, status: "success", locationId: 71230000001n });
    expect(f.lines).toEqual([
      { lineItemId: 14220001110001n, variantId: 46120033440001n, quantity: 2, lotProperty: null },
      { lineItemId: 14220001110002n, variantId: 46120033440001n, quantity: 1, lotProperty: "L123" },
    ]);
    expect(f.createdAt?.toISOString()).toBe("2026-11-21T14:02:44.000Z");
  });
  it("refuses a fulfilment without status or with a negative quantity, saying where; missing lines are none", () => {
    expect(() => parseFulfilment({ id: 1, order_id: 2, line_items: [] })).toThrow(PayloadShapeError);
    expect(parseFulfilment({ id: 1, order_id: 2, status: "cancelled" }).lines).toEqual([]);
    expect(() => parseFulfilment({ id: 1, order_id: 2, status: "success", line_items: [{ id: 3, quantity: -1 }] })).toThrow(/line_items\.0\.quantity/);
  });
  it("reads refund lines; a missing restock type means no restock", () => {
    const r = parseRefund({
      id: 9,
      order_id: 8,
      created_at: "2026-11-25T14:20:11-05:00",
      refund_line_items: [{ id: 1, line_item_id: 2, quantity: 1, location_id: null }],
    });
    expect(r.lines).toEqual([{ id: 1n, lineItemId: 2n, quantity: 1, locationId: null, restockType: "no_restock" }]);
  });
  it("an order's fulfilments and refunds take the order's id", () => {
    const a = parseOrderActivity({
      id: 77,
      fulfillments: [{ id: 5, status: "success", location_id: 3, line_items: [{ id: 1, variant_id: 2, quantity: 1 }] }],
      refunds: [{ id: 6, refund_line_items: [] }],
    });
    expect(a.fulfilments[0]!.orderId).toBe(77n);
    expect(a.refunds[0]!.orderId).toBe(77n);
    expect(parseOrderActivity({ id: 77 }).fulfilments).toEqual([]);
  });
});

describe("planFulfilment: every claimed line of one fulfilment", () => {
  const line = (id: number, variantId: number | null, quantity: number, extra: Partial<ClaimedLine> = {}): ClaimedLine => ({
    lineItemId: BigInt(id),
    variantId: variantId === null ? null : BigInt(variantId),
    quantity,
    lotTracked: true,
    strategyOverride: null,
    ...extra,
  });

  it("skips untracked and custom lines, leaves manual ones pending, and shares a variant's lots between its lines", () => {
    const lines = [
      line(1, 10, 4),
      line(2, 10, 4), // same variant: takes what line 1 left
      line(3, 11, 2, { lotTracked: false }),
      line(4, null, 1),
      line(5, 12, 3, { strategyOverride: "MANUAL" }),
      line(6, 13, 2, { lotTracked: null }), // unknown variant: counted as lot-tracked, no lots -> unknown lot
    ];
    const candidates = new Map([[10n, [lot(1, 5, "2027-01-01", "2026-01-01"), lot(2, 5, "2027-02-01", "2026-01-01")]]]);
    const plan = planFulfilment(lines, "FEFO", candidates);
    expect(plan.allocations.map((a) => [Number(a.lineItemId), a.lotId === null ? null : Number(a.lotId), a.quantity])).toEqual([
      [1, 1, 4],
      [2, 1, 1],
      [2, 2, 3],
      [5, null, 3],
      [6, null, 2],
    ]);
    expect(plan.movements.map((m) => [Number(m.lotId), m.delta, m.balanceAfter])).toEqual([
      [1, -4, 1],
      [1, -1, 0],
      [2, -3, 2],
    ]);
    expect(plan.states.map((s) => s.state)).toEqual(["ALLOCATED", "ALLOCATED", "SKIPPED", "SKIPPED", "PENDING", "ALLOCATED"]);
    expect([plan.allocatedLines, plan.pendingLines, plan.skippedLines, plan.unknownUnits]).toEqual([3, 1, 2, 2]);
  });

  it("locks the variants of every lot-tracked line (manual ones too: their reservations ship), once each, in line order", () => {
    const lines = [line(1, 12, 1), line(2, 10, 1), line(3, 12, 1), line(4, 11, 1, { strategyOverride: "MANUAL" }), line(5, 13, 1, { lotTracked: false })];
    expect(variantsToLock(lines)).toEqual([12n, 10n, 11n]);
  });
});
