// The pure rules of re-planning (app/domain/reservations/replan-rules.ts): on a balance counted
// below what is reserved, the newest orders give units up first, oldest asked first.
import { describe, expect, it } from "vitest";
import { releasesOnBalance, unitsToGiveUp } from "../../app/domain/reservations/replan-rules";
import type { HeldReservation } from "../../app/domain/reservations/reservation-rules";

function hold(lineItemId: bigint, quantity: number, source: HeldReservation["source"] = "PLAN"): HeldReservation {
  return { lineItemId, variantId: 10n, lotId: 5n, locationId: 1n, quantity, source };
}

describe("unitsToGiveUp", () => {
  it("asked oldest first, it takes the excess from the newest orders: the same as releasing newest first", () => {
    // Three orders hold 2 each on a balance counted to 3 (reserved 6, excess 3).
    let reserved = 6;
    const quantity = 3;
    const held = [2, 2, 2]; // oldest .. newest
    const givenUp = held.map((mine, i) => {
      const newer = held.slice(i + 1).reduce((n, h) => n + h, 0);
      const units = unitsToGiveUp({ quantity, reserved, heldByNewerOrders: newer }, mine);
      reserved -= units;
      return units;
    });
    expect(givenUp).toEqual([0, 1, 2]);
    expect(reserved).toBe(quantity);
  });

  it("gives up nothing when the balance covers what is reserved, and never more than the order holds", () => {
    expect(unitsToGiveUp({ quantity: 6, reserved: 6, heldByNewerOrders: 0 }, 2)).toBe(0);
    expect(unitsToGiveUp({ quantity: 1, reserved: 10, heldByNewerOrders: 0 }, 4)).toBe(4);
  });
});

describe("releasesOnBalance", () => {
  it("releases the plan's rows before a scanned one, the highest line first", () => {
    const changes = releasesOnBalance([hold(1n, 2, "SCAN"), hold(2n, 1), hold(3n, 2)], 4, "counted down");
    expect(changes.map((c) => [c.lineItemId, c.delta, c.source])).toEqual([
      [3n, -2, "PLAN"],
      [2n, -1, "PLAN"],
      [1n, -1, "SCAN"],
    ]);
    expect(changes.every((c) => c.why === "counted down")).toBe(true);
  });
});
