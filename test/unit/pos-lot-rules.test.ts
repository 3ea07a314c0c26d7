// Pure rules of selling by lot at the POS (app/domain/pos/pos-lot-rules.ts): the suggestion is the
// allocation's own first pick, and a refused scan names the most serious reason first.
import { describe, expect, it } from "vitest";
import { lotsInSaleOrder, scanRefusal, type ScannedLotFacts, type SellableLot } from "../../app/domain/pos/pos-lot-rules";
import { planAllocation } from "../../app/domain/allocation/allocation-rules";

const lot = (lotNumber: string, shelfDate: string | null, receivedAt: string, quantity = 5): SellableLot => ({
  lotId: BigInt(lotNumber.charCodeAt(0)),
  lotNumber,
  quantity,
  shelfDate,
  receivedAt: new Date(receivedAt),
  bin: null,
});

describe("lotsInSaleOrder", () => {
  const lots = [lot("A", null, "2026-01-01"), lot("B", "2027-05-01", "2026-03-01"), lot("C", "2027-02-01", "2026-06-01")];

  it("suggests what the allocation would take first, for every automatic strategy", () => {
    for (const strategy of ["FEFO", "FIFO", "LIFO"] as const) {
      const first = planAllocation(strategy, lots, 1).takes[0]!.lotId;
      expect(lotsInSaleOrder(strategy, lots).suggestion?.lotId, strategy).toBe(first);
    }
    expect(lotsInSaleOrder("FEFO", lots).lots.map((l) => l.lotNumber)).toEqual(["C", "B", "A"]);
  });

  it("suggests nothing under the manual strategy but still lists first expiry first", () => {
    expect(lotsInSaleOrder("MANUAL", lots)).toMatchObject({ suggestion: null, lots: [{ lotNumber: "C" }, { lotNumber: "B" }, { lotNumber: "A" }] });
    expect(lotsInSaleOrder("FEFO", []).suggestion).toBeNull();
  });
});

describe("scanRefusal", () => {
  const facts = (over: Partial<ScannedLotFacts>): ScannedLotFacts => ({
    lotNumber: "L1",
    status: "ACTIVE",
    expiresOn: null,
    bestBeforeOn: null,
    atLocation: { quantity: 3, quarantined: false },
    ...over,
  });
  const today = "2026-12-04";
  const earliest = "2026-12-11";

  it("puts a recall before anything else, then quarantine, then dates, then location", () => {
    expect(scanRefusal(facts({ status: "RECALLED", expiresOn: "2020-01-01", atLocation: null }), today, earliest)).toMatch(/recalled/);
    expect(scanRefusal(facts({ atLocation: { quantity: 2, quarantined: true }, expiresOn: "2020-01-01" }), today, earliest)).toMatch(/quarantined/);
    expect(scanRefusal(facts({ expiresOn: today }), today, earliest)).toMatch(/past its expiry \(2026-12-04\)/);
    expect(scanRefusal(facts({ bestBeforeOn: "2026-12-01" }), today, earliest)).toMatch(/past its best-before date/);
    expect(scanRefusal(facts({ expiresOn: "2026-12-10" }), today, earliest)).toMatch(/minimum shelf life/);
    expect(scanRefusal(facts({ atLocation: { quantity: 0, quarantined: false } }), today, earliest)).toMatch(/no units at this location/);
    expect(scanRefusal(facts({ atLocation: null }), today, earliest)).toMatch(/no units at this location/);
  });
});
