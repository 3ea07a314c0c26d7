// Pure rules of decision 106: the mass balance identity and the FDA effectiveness-check levels.
import { describe, expect, it } from "vitest";
import { massBalanceOf, sumMassBalances } from "../../app/domain/recall/mass-balance-rules";
import { effectivenessOf, parseEffectivenessChoice, targetPercent } from "../../app/domain/recall/effectiveness-rules";
import { RecallInputError } from "../../app/domain/recall/errors";

describe("mass balance", () => {
  it("counts returned units once: they are back on hand", () => {
    const b = massBalanceOf({ received: 50, shippedToCustomers: 20, returned: 5, consumed: 10, destroyed: 2, adjusted: -1, onHand: 24 });
    expect(b).toEqual({ received: 50, shipped: 30, onHand: 24, returned: 5, destroyed: 2, adjusted: -1, unexplained: 0 });
    expect(massBalanceOf({ received: 50, shippedToCustomers: 20, returned: 5, consumed: 10, destroyed: 2, adjusted: -1, onHand: 20 }).unexplained).toBe(4);
    expect(sumMassBalances([b, b])).toEqual({ received: 100, shipped: 60, onHand: 48, returned: 10, destroyed: 4, adjusted: -2, unexplained: 0 });
  });
});

describe("FDA effectiveness-check levels (21 CFR 7.42(b)(3))", () => {
  it("A 100%, B the chosen share between 10 and 100 exclusive, C 10%, D 2%, E none", () => {
    expect(targetPercent(parseEffectivenessChoice("a"))).toBe(100);
    expect(targetPercent(parseEffectivenessChoice("Level B", "11"))).toBe(11);
    expect(targetPercent(parseEffectivenessChoice("B", 99))).toBe(99);
    expect(targetPercent(parseEffectivenessChoice("c"))).toBe(10);
    expect(targetPercent(parseEffectivenessChoice("D"))).toBe(2);
    expect(targetPercent(parseEffectivenessChoice("e"))).toBeNull();
    for (const bad of ["10", "100", "", "5.5", "abc"]) expect(() => parseEffectivenessChoice("B", bad)).toThrow(RecallInputError);
    expect(() => parseEffectivenessChoice("A", "50")).toThrow(/only for level B/);
  });

  it("measures customers reached against the target and units accounted for", () => {
    const units = { shipped: 40, returned: 10, destroyed: 6, acknowledged: 4 };
    const c = effectivenessOf(parseEffectivenessChoice("C"), { customers: 20, toContact: 18 }, units);
    expect(c).toMatchObject({ targetPercent: 10, customersReached: 2, customersReachedPercent: 10, met: true });
    expect(c.units).toEqual({ ...units, accounted: 20, accountedPercent: 50 });
    expect(effectivenessOf(parseEffectivenessChoice("A"), { customers: 20, toContact: 1 }, units).met).toBe(false);
    expect(effectivenessOf(parseEffectivenessChoice("E"), { customers: 20, toContact: 20 }, units).met).toBeNull();
    expect(effectivenessOf(null, { customers: 0, toContact: 0 }, { shipped: 0, returned: 0, destroyed: 0, acknowledged: 0 })).toMatchObject({
      level: null,
      customersReachedPercent: 100,
      met: null,
      units: { accountedPercent: 100 },
    });
  });
});
