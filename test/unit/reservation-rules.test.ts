// The pure rules of reservations (app/domain/reservations/reservation-rules.ts) and the
// fulfilment's use of them (planFulfilment with reservations, allocation-rules.ts).
import { describe, expect, it } from "vitest";
import { planFulfilment, type CandidateLot, type ClaimedLine } from "../../app/domain/allocation/allocation-rules";
import { planReservations, type HeldReservation, type ReservableLot, type ReservationNeed } from "../../app/domain/reservations/reservation-rules";

const V = 10n;
const LOC = 1n;
const OTHER_LOC = 2n;

function lot(lotId: bigint, quantity: number, shelfDate: string | null, reserved = 0, lotNumber = `L${lotId}`, locationId = LOC): ReservableLot {
  return { lotId, variantId: V, locationId, quantity, reserved, shelfDate, receivedAt: new Date("2026-01-01T00:00:00Z"), lotNumber };
}

function need(lineItemId: bigint, quantity: number, attrs: Partial<ReservationNeed> = {}): ReservationNeed {
  return { lineItemId, variantId: V, locationId: LOC, quantity, strategy: "FEFO", lotProperty: null, ...attrs };
}

function hold(lineItemId: bigint, lotId: bigint, quantity: number, attrs: Partial<HeldReservation> = {}): HeldReservation {
  return { lineItemId, variantId: V, lotId, locationId: LOC, quantity, source: "PLAN", ...attrs };
}

const deltas = (plan: ReturnType<typeof planReservations>) => plan.changes.map((c) => [c.lineItemId, c.lotId, c.delta, c.source]);

describe("planReservations", () => {
  it("reserves by FEFO over the units no order holds, splitting across lots", () => {
    const plan = planReservations([need(1n, 5)], [], [lot(7n, 10, "2027-06-01"), lot(8n, 4, "2027-01-01", 1)]);
    expect(deltas(plan)).toEqual([
      [1n, 8n, 3, "PLAN"],
      [1n, 7n, 2, "PLAN"],
    ]);
  });

  it("is idempotent: what is held and still needed changes nothing", () => {
    const lots = [lot(8n, 4, "2027-01-01", 3), lot(7n, 10, "2027-06-01", 2)];
    expect(planReservations([need(1n, 5)], [hold(1n, 8n, 3), hold(1n, 7n, 2)], lots).changes).toEqual([]);
  });

  it("releases what a line no longer needs, the plan's latest lot first and a person's choice last", () => {
    const lots = [lot(8n, 4, "2027-01-01", 2), lot(7n, 10, "2027-06-01", 2), lot(9n, 10, "2027-09-01", 1)];
    const held = [hold(1n, 8n, 2), hold(1n, 7n, 2), hold(1n, 9n, 1, { source: "SCAN" })];
    expect(deltas(planReservations([need(1n, 2)], held, lots))).toEqual([
      [1n, 8n, -1, "PLAN"],
      [1n, 7n, -2, "PLAN"],
    ]);
  });

  it("releases everything of a line without a need (cancelled order, line shipped) and of a lot that can no longer ship", () => {
    const plan = planReservations([need(2n, 1)], [hold(1n, 8n, 2), hold(2n, 6n, 1)], [lot(8n, 4, "2027-01-01", 2)]);
    expect(plan.changes.map((c) => [c.lineItemId, c.lotId, c.delta, c.why])).toEqual([
      [1n, 8n, -2, "no longer needed here"],
      [2n, 6n, -1, "lot no longer shippable"],
      [2n, 8n, 1, "planned"],
    ]);
  });

  it("a line reserved at another location is released there and planned at its location", () => {
    const here = lot(8n, 4, "2027-01-01");
    const plan = planReservations([need(1n, 2)], [hold(1n, 8n, 2, { locationId: OTHER_LOC })], [here]);
    expect(plan.changes.map((c) => [c.lotId, c.locationId, c.delta])).toEqual([
      [8n, OTHER_LOC, -2],
      [8n, LOC, 2],
    ]);
  });

  it("two lines share the free units: never more than a lot holds", () => {
    const plan = planReservations([need(1n, 3), need(2n, 3)], [], [lot(8n, 4, "2027-01-01", 0)]);
    expect(deltas(plan)).toEqual([
      [1n, 8n, 3, "PLAN"],
      [2n, 8n, 1, "PLAN"],
    ]);
  });

  it("a count below what is reserved leaves nothing free", () => {
    expect(planReservations([need(1n, 1)], [], [lot(8n, 2, "2027-01-01", 5)]).changes).toEqual([]);
  });

  it("`_lot` is reserved first when shippable here; an unknown one is flagged and the strategy plans", () => {
    const lots = [lot(8n, 4, "2027-01-01"), lot(9n, 4, "2027-09-01", 0, "L123")];
    const named = planReservations([need(1n, 5, { lotProperty: "L123" })], [], lots);
    expect(deltas(named)).toEqual([
      [1n, 9n, 4, "LINE_PROPERTY"],
      [1n, 8n, 1, "PLAN"],
    ]);
    expect(named.lotPropertyMisses).toEqual([]);
    const unknown = planReservations([need(1n, 1, { lotProperty: "NOPE" })], [], lots);
    expect(deltas(unknown)).toEqual([[1n, 8n, 1, "PLAN"]]);
    expect(unknown.lotPropertyMisses).toEqual([{ lineItemId: 1n, lotNumber: "NOPE" }]);
  });

  it("a manual-strategy line keeps what a person reserved and plans nothing", () => {
    const lots = [lot(8n, 4, "2027-01-01", 1)];
    expect(planReservations([need(1n, 3, { strategy: "MANUAL" })], [hold(1n, 8n, 1, { source: "MANUAL" })], lots).changes).toEqual([]);
  });
});

describe("planFulfilment with reservations", () => {
  const line = (lineItemId: bigint, quantity: number, lotProperty: string | null = null): ClaimedLine => ({
    lineItemId,
    variantId: V,
    quantity,
    lotTracked: true,
    strategyOverride: null,
    lotProperty,
  });
  const candidate = (lotId: bigint, quantity: number, shelfDate: string, reserved = 0, lotNumber = `L${lotId}`): CandidateLot => ({
    lotId,
    quantity,
    shelfDate,
    receivedAt: new Date("2026-01-01T00:00:00Z"),
    reserved,
    lotNumber,
  });

  it("a line takes its own reservation first, then FEFO over units nobody holds", () => {
    const lots = new Map([[V, [candidate(8n, 5, "2027-01-01", 5), candidate(9n, 5, "2027-06-01", 2)]]]);
    const plan = planFulfilment([line(1n, 4)], "FEFO", lots, [{ lineItemId: 1n, lotId: 9n, quantity: 2 }]);
    // Lot 8 is fully held by other orders: the line gets its 2 reserved on 9, then 2 free ones of 9.
    expect(plan.allocations).toEqual([{ lineItemId: 1n, variantId: V, lotId: 9n, quantity: 4 }]);
    expect(plan.movements).toEqual([{ lineItemId: 1n, lotId: 9n, delta: -4, balanceAfter: 1 }]);
    expect(plan.consumed).toEqual([{ lineItemId: 1n, lotId: 9n, quantity: 2 }]);
  });

  it("units reserved for others are unknown-lot rather than taken", () => {
    const plan = planFulfilment([line(1n, 2)], "FEFO", new Map([[V, [candidate(8n, 3, "2027-01-01", 2)]]]));
    expect(plan.allocations).toEqual([
      { lineItemId: 1n, variantId: V, lotId: 8n, quantity: 1 },
      { lineItemId: 1n, variantId: V, lotId: null, quantity: 1 },
    ]);
    expect(plan.unknownUnits).toBe(1);
  });

  it("a `_lot` lot ships from that lot even when its units are held for other orders (the line says what left the shelf)", () => {
    const lots = new Map([[V, [candidate(8n, 5, "2027-01-01", 0), candidate(9n, 2, "2027-06-01", 2, "L123")]]]);
    const plan = planFulfilment([line(1n, 2, "L123")], "FEFO", lots);
    expect(plan.allocations).toEqual([{ lineItemId: 1n, variantId: V, lotId: 9n, quantity: 2 }]);
    expect(plan.lotPropertyMisses).toEqual([]);
    // Without the property the free lot 8 ships, and lot 9's holders keep their units.
    expect(planFulfilment([line(1n, 2)], "FEFO", lots).allocations).toEqual([{ lineItemId: 1n, variantId: V, lotId: 8n, quantity: 2 }]);
  });

  it("the `_lot` property wins over the reservation; a lot not here is flagged and the reservation is used", () => {
    const lots = new Map([[V, [candidate(8n, 5, "2027-01-01", 2), candidate(9n, 5, "2027-06-01", 0, "L123")]]]);
    const held = [{ lineItemId: 1n, lotId: 8n, quantity: 2 }];
    expect(planFulfilment([line(1n, 2, "L123")], "FEFO", lots, held).allocations).toEqual([{ lineItemId: 1n, variantId: V, lotId: 9n, quantity: 2 }]);
    const missed = planFulfilment([line(1n, 2, "GONE")], "FEFO", lots, held);
    expect(missed.allocations).toEqual([{ lineItemId: 1n, variantId: V, lotId: 8n, quantity: 2 }]);
    expect(missed.lotPropertyMisses).toEqual([{ lineItemId: 1n, lotNumber: "GONE" }]);
  });
});
