// The pack station's pure rules (app/domain/packing/pack-rules.ts): which line a scanned GTIN
// belongs to, which lot may go into the box, and when a unit is the planned one.
import { describe, expect, it } from "vitest";
import {
  addAcceptedScan,
  checkAcceptedScans,
  isOrderPacked,
  isPlannedUnit,
  lineForScan,
  lotRefusal,
  type AcceptedScan,
  type PackLine,
  type ScannedLotFacts,
} from "../../app/domain/packing/pack-rules";

const GTIN = "04012345000023";
const line = (over: Partial<PackLine> = {}): PackLine => ({
  lineItemId: 1n,
  variantId: 10n,
  sku: "GRAN-400",
  title: "Honey granola",
  gtin: GTIN,
  lotTracked: true,
  manual: false,
  quantity: 2,
  planned: [{ lotId: 100n, lotNumber: "A", expiresOn: "2027-01-01", bin: null, quantity: 2 }],
  ...over,
});
const lot = (over: Partial<ScannedLotFacts> = {}): ScannedLotFacts => ({
  lotId: 100n,
  lotNumber: "A",
  status: "ACTIVE",
  expiresOn: "2027-01-01",
  bestBeforeOn: null,
  quantityHere: 5,
  quarantinedHere: false,
  ...over,
});
const scanned = (lineItemId: bigint, lotId: bigint | null, quantity = 1): AcceptedScan => ({
  lineItemId,
  lotId,
  lotNumber: lotId === null ? null : "x",
  quantity,
});
const TODAY = "2026-12-04";

describe("lineForScan", () => {
  it("takes the first line of the product that still has units to pack", () => {
    const lines = [line({ lineItemId: 1n, quantity: 1 }), line({ lineItemId: 2n, quantity: 3 })];
    expect(lineForScan(lines, GTIN, [], "#1")).toEqual({ line: lines[0] });
    expect(lineForScan(lines, GTIN, [scanned(1n, 100n)], "#1")).toEqual({ line: lines[1] });
  });

  it("says line-complete when every line of the product is packed, not-this-product for another GTIN", () => {
    const lines = [line()];
    expect(lineForScan(lines, GTIN, [scanned(1n, 100n, 2)], "#1")).toMatchObject({ refusal: { reason: "line-complete" } });
    expect(lineForScan(lines, "04006381333931", [], "#1")).toMatchObject({ refusal: { reason: "not-this-product" } });
    // A line whose product has no barcode cannot be matched by any scan.
    expect(lineForScan([line({ gtin: null })], GTIN, [], "#1")).toMatchObject({ refusal: { reason: "not-this-product" } });
  });
});

describe("lotRefusal", () => {
  it("accepts an active lot in date with units here", () => {
    expect(lotRefusal(lot(), line(), "Berlin", TODAY)).toBeNull();
    // The expiry day itself is still in date.
    expect(lotRefusal(lot({ expiresOn: TODAY }), line(), "Berlin", TODAY)).toBeNull();
  });

  it("says a recall first, then quarantine, then the date, then the location", () => {
    const everything = lot({ status: "RECALLED", quarantinedHere: true, expiresOn: "2020-01-01", quantityHere: null });
    expect(lotRefusal(everything, line(), "Berlin", TODAY)?.reason).toBe("recalled");
    expect(lotRefusal({ ...everything, status: "ACTIVE" }, line(), "Berlin", TODAY)?.reason).toBe("quarantined");
    expect(lotRefusal({ ...everything, status: "QUARANTINED", quarantinedHere: false }, line(), "Berlin", TODAY)?.reason).toBe("quarantined");
    expect(lotRefusal({ ...everything, status: "ACTIVE", quarantinedHere: false }, line(), "Berlin", TODAY)?.reason).toBe("expired");
    expect(lotRefusal(lot({ quantityHere: null }), line(), "Berlin", TODAY)?.reason).toBe("not-at-location");
    expect(lotRefusal(lot({ quantityHere: 0 }), line(), "Berlin", TODAY)?.message).toContain("has no units at Berlin");
    // The session cannot pack more units of a lot than the location holds.
    expect(lotRefusal(lot({ quantityHere: 2 }), line(), "Berlin", TODAY, 1)).toBeNull();
    expect(lotRefusal(lot({ quantityHere: 2 }), line(), "Berlin", TODAY, 2)?.message).toBe(
      "Not at this location: lot A has only 2 at Berlin, all scanned already. Check the label, or take a unit of another lot.",
    );
  });

  it("uses the best-before date when the lot has no expiry", () => {
    expect(lotRefusal(lot({ expiresOn: null, bestBeforeOn: "2026-12-03" }), line(), "Berlin", TODAY)?.message).toMatch(/^Past best-before: lot A/);
  });
});

describe("planned units and the session's scans", () => {
  it("counts a unit as planned while the plan has units of that lot left for the line", () => {
    const l = line({ planned: [{ lotId: 100n, lotNumber: "A", expiresOn: null, bin: null, quantity: 1 }], quantity: 2 });
    expect(isPlannedUnit(l, 100n, [])).toBe(true);
    expect(isPlannedUnit(l, 100n, [scanned(1n, 100n)])).toBe(false);
    expect(isPlannedUnit(l, 200n, [])).toBe(false);
  });

  it("merges scans of the same line and lot, and knows when the order is packed", () => {
    const lines = [line({ lineItemId: 1n, quantity: 2 }), line({ lineItemId: 2n, quantity: 1, gtin: "04006381333931" })];
    let scans = addAcceptedScan([], scanned(1n, 100n));
    scans = addAcceptedScan(scans, scanned(1n, 100n));
    expect(scans).toEqual([scanned(1n, 100n, 2)]);
    expect(isOrderPacked(lines, scans)).toBe(false);
    scans = addAcceptedScan(scans, scanned(2n, null));
    expect(isOrderPacked(lines, scans)).toBe(true);
  });

  it("refuses scans from the page that name another line or more units than the line needs", () => {
    const lines = [line()];
    expect(checkAcceptedScans(lines, [scanned(1n, 100n, 2)])).toBeNull();
    expect(checkAcceptedScans(lines, [scanned(9n, 100n)])).toMatch(/name line 9/);
    expect(checkAcceptedScans(lines, [scanned(1n, 100n, 3)])).toMatch(/more than Honey granola \(GRAN-400\) needs/);
  });
});
