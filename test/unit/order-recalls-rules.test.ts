// What the order status banner shows for the lots shipped on an order under open recalls
// (orderRecallsView, decision 110): each lot once, under its most serious then newest recall,
// with the public check's "what to do".
import { describe, expect, it } from "vitest";
import { orderRecallsView, recallAdvice, type ShippedRecalledLot } from "../../app/domain/recall/public-check-rules";

const row = (attrs: Partial<ShippedRecalledLot>): ShippedRecalledLot => ({
  lotId: 1n,
  lotNumber: "H-1",
  product: "Honey",
  severity: "CLASS_II",
  reason: "Mislabelled",
  openedAt: new Date("2026-11-02T10:00:00Z"),
  ...attrs,
});

describe("orderRecallsView", () => {
  it("shows a lot once, under its most serious recall, then the newest", () => {
    const view = orderRecallsView([
      row({ severity: "CLASS_III", reason: "Minor label error" }),
      row({ severity: "CLASS_I", reason: "Glass fragments", openedAt: new Date("2026-11-01T08:00:00Z") }),
      row({ severity: "CLASS_I", reason: "Glass fragments, wider", openedAt: new Date("2026-11-03T08:00:00Z") }),
    ]);
    expect(view).toEqual([{ product: "Honey", lotNumber: "H-1", whatToDo: recallAdvice("CLASS_I"), reason: "Glass fragments, wider", openedOn: "2026-11-03" }]);
  });

  it("lists the most serious recall first, and lots of the same number in different products apart", () => {
    const view = orderRecallsView([
      row({ lotId: 2n, product: "Candle", lotNumber: "L-1", severity: "CLASS_III" }),
      row({ lotId: 3n, product: "Tea", lotNumber: "L-1", severity: "CLASS_I" }),
      row({ lotId: 4n, product: "Apple", lotNumber: "L-1", severity: "CLASS_III" }),
    ]);
    expect(view.map((r) => `${r.product}/${r.lotNumber}`)).toEqual(["Tea/L-1", "Apple/L-1", "Candle/L-1"]);
    expect(view[1]!.whatToDo).toBe(recallAdvice("CLASS_III"));
  });

  it("shows nothing without recalled lots", () => {
    expect(orderRecallsView([])).toEqual([]);
  });
});
