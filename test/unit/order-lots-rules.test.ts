// The pure rules of the lots written back on an order (app/domain/writeback/order-lots-rules.ts).
import { describe, expect, it } from "vitest";
import {
  lotsAttributeValue,
  mergeLotsAttribute,
  METAFIELD_MAX_BYTES,
  orderLotLines,
  orderLotsDocument,
  sameAttributes,
  type AllocatedUnits,
  type OrderLotLine,
} from "../../app/domain/writeback/order-lots-rules";

const units = (over: Partial<AllocatedUnits> & { lineItemId: bigint }): AllocatedUnits => ({
  sku: "OAT-1L",
  lotNumber: "L1",
  expiresOn: null,
  bestBeforeOn: null,
  quantity: 1,
  returnedQuantity: 0,
  ...over,
});

describe("order lot lines", () => {
  it("sums a line's allocations per lot (several shipments from one lot are one entry), lots by number, unknown-lot units last", () => {
    const lines = orderLotLines([
      units({ lineItemId: 20n, sku: "GRAN", lotNumber: "G1", quantity: 1 }),
      units({ lineItemId: 10n, lotNumber: null, quantity: 2 }),
      units({ lineItemId: 10n, lotNumber: "L2", quantity: 1, expiresOn: "2027-06-30", returnedQuantity: 1 }),
      units({ lineItemId: 10n, lotNumber: "L1", quantity: 2, expiresOn: "2027-03-31" }),
      units({ lineItemId: 10n, lotNumber: "L1", quantity: 1, expiresOn: "2027-03-31" }),
    ]);
    expect(lines).toEqual([
      {
        lineItemId: "10",
        sku: "OAT-1L",
        lots: [
          { lot: "L1", qty: 3, expiry: "2027-03-31" },
          { lot: "L2", qty: 1, expiry: "2027-06-30", returned: 1 },
          { lot: null, qty: 2 },
        ],
      },
      { lineItemId: "20", sku: "GRAN", lots: [{ lot: "G1", qty: 1 }] },
    ]);
    expect(lotsAttributeValue(lines)).toBe("OAT-1L: L1 x3, L2 x1, no lot yet x2; GRAN: G1 x1");
  });

  it("a line without a SKU is named by its line item id; no lines, no attribute", () => {
    expect(lotsAttributeValue(orderLotLines([units({ lineItemId: 7n, sku: null })]))).toBe("line 7: L1 x1");
    expect(lotsAttributeValue([])).toBeNull();
  });
});

describe("the 16 KB limit", () => {
  const many = (n: number): OrderLotLine[] =>
    Array.from({ length: n }, (_, i) => ({
      lineItemId: String(1000 + i),
      sku: `SKU-${i}`,
      lots: [{ lot: `LOT-${"X".repeat(40)}-${i}`, qty: 1, expiry: "2027-01-01" }],
    }));

  it("a small order is whole and has no marker", () => {
    const doc = orderLotsDocument(many(3));
    expect(doc).toEqual({ v: 1, lines: many(3) });
  });

  it("a huge order keeps the first lines that fit whole, within the limit, and counts the rest in `more`", () => {
    const lines = many(400);
    const doc = orderLotsDocument(lines);
    const bytes = Buffer.byteLength(JSON.stringify(doc));
    expect(bytes).toBeLessThanOrEqual(METAFIELD_MAX_BYTES);
    expect(bytes).toBeGreaterThan(METAFIELD_MAX_BYTES - 200); // it fills the room, it does not give up early
    expect(doc.lines).toEqual(lines.slice(0, doc.lines.length));
    expect(doc.more).toBe(400 - doc.lines.length);
  });

  it("counts bytes, not characters (lot numbers in other scripts)", () => {
    const lines = many(300).map((l) => ({ ...l, lots: [{ lot: "ロット番号".repeat(6), qty: 1 }] }));
    const doc = orderLotsDocument(lines);
    expect(Buffer.byteLength(JSON.stringify(doc))).toBeLessThanOrEqual(METAFIELD_MAX_BYTES);
    expect(doc.more).toBeGreaterThan(0);
  });

  it("the attribute keeps whole lines and ends with +N more", () => {
    const value = lotsAttributeValue(many(400), 200)!;
    expect(value.length).toBeLessThanOrEqual(200);
    const kept = value.split("; ").slice(0, -1);
    expect(value).toMatch(new RegExp(`; \\+${400 - kept.length} more$`));
    expect(kept[0]).toBe(`SKU-0: LOT-${"X".repeat(40)}-0 x1`);
    expect(lotsAttributeValue(many(2), 10)).toBe("+2 more");
  });
});

describe("the merchant's attributes", () => {
  it("keeps the others in their order, replaces ours in place, adds it at the end, removes it when there is nothing", () => {
    const theirs = [
      { key: "Gift message", value: "Hi" },
      { key: "Lots", value: "old" },
      { key: "Lots", value: "duplicate" },
      { key: "no value", value: null },
    ];
    expect(mergeLotsAttribute(theirs, "A: L1 x1")).toEqual([
      { key: "Gift message", value: "Hi" },
      { key: "Lots", value: "A: L1 x1" },
      { key: "no value", value: "" },
    ]);
    expect(mergeLotsAttribute([{ key: "Gift message", value: "Hi" }], "A: L1 x1")).toEqual([
      { key: "Gift message", value: "Hi" },
      { key: "Lots", value: "A: L1 x1" },
    ]);
    expect(mergeLotsAttribute(theirs, null)).toEqual([
      { key: "Gift message", value: "Hi" },
      { key: "no value", value: "" },
    ]);
  });

  it("nothing to send when Shopify already shows the same list", () => {
    const current = [
      { key: "Gift message", value: "Hi" },
      { key: "Lots", value: "A: L1 x1" },
    ];
    expect(sameAttributes(current, mergeLotsAttribute(current, "A: L1 x1"))).toBe(true);
    expect(sameAttributes(current, mergeLotsAttribute(current, "A: L2 x1"))).toBe(false);
  });
});
