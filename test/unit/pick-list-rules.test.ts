// The pure pick-list rules: a batch planned order by order against one running copy of the
// balances, manual and untracked lines, and the walking order with totals per lot.
import { describe, expect, it } from "vitest";
import { groupPickRows, planPickList, type OpenLine, type PickableLot, type PickRow } from "../../app/domain/picking/pick-list-rules";
import { csvCell, csvRecord } from "../../app/domain/exports/csv-cells";

const V = 10n;
const lot = (lotId: bigint, lotNumber: string, quantity: number, shelfDate: string | null, variantId = V): PickableLot => ({
  lotId,
  variantId,
  lotNumber,
  quantity,
  shelfDate,
  expiresOn: shelfDate,
  bin: null,
  receivedAt: new Date("2026-01-01T00:00:00Z"),
});
const line = (orderId: bigint, lineItemId: bigint, quantity: number, extra: Partial<OpenLine> = {}): OpenLine => ({
  orderId,
  orderName: `#${orderId}`,
  lineItemId,
  variantId: V,
  sku: "SKU-A",
  title: "A",
  quantity,
  lotTracked: true,
  strategyOverride: null,
  ...extra,
});
const view = (rows: PickRow[]) => rows.map((r) => [r.orderName, r.lotNumber, r.quantity, r.status]);

describe("planPickList", () => {
  it("never plans the same unit for two orders of one batch", () => {
    const rows = planPickList([line(1n, 11n, 3), line(2n, 21n, 3)], "FEFO", [lot(100n, "LATE", 10, "2027-06-01"), lot(101n, "EARLY", 4, "2027-02-01")]);
    expect(view(rows)).toEqual([
      ["#1", "EARLY", 3, "pick"],
      ["#2", "EARLY", 1, "pick"],
      ["#2", "LATE", 2, "pick"],
    ]);
  });

  it("follows the product's own strategy, leaves manual lines to the merchant and lists untracked lines without a lot", () => {
    const rows = planPickList(
      [
        line(1n, 11n, 2, { strategyOverride: "LIFO" }),
        line(1n, 12n, 1, { strategyOverride: "MANUAL" }),
        line(1n, 13n, 5, { variantId: 20n, lotTracked: false }),
      ],
      "FEFO",
      [
        { ...lot(100n, "OLD", 5, "2027-01-01"), receivedAt: new Date("2026-01-01T00:00:00Z") },
        { ...lot(101n, "NEW", 5, "2028-01-01"), receivedAt: new Date("2026-06-01T00:00:00Z") },
      ],
    );
    expect(view(rows)).toEqual([
      ["#1", null, 5, "not-lot-tracked"],
      ["#1", "NEW", 2, "pick"],
      ["#1", null, 1, "manual"],
    ]);
  });
});

describe("groupPickRows", () => {
  const row = (
    lotNumber: string | null,
    sku: string | null,
    quantity: number,
    status: PickRow["status"] = lotNumber ? "pick" : "no-lot-available",
  ): PickRow => ({
    orderId: 1n,
    orderName: "#1",
    lineItemId: 1n,
    variantId: V,
    sku,
    title: null,
    lotId: lotNumber === null ? null : BigInt(lotNumber.charCodeAt(0)),
    lotNumber,
    expiresOn: null,
    bin: null,
    quantity,
    status,
  });

  it("sorts by bin, then lot, then SKU (blanks last) and totals per lot and overall", () => {
    const grouped = groupPickRows([row(null, "Z", 2), row("B", "Y", 1), row("A", "Y", 3), row("B", "X", 4), row("A", null, 1, "pick")]);
    expect(grouped.rows.map((r) => [r.lotNumber, r.sku])).toEqual([
      ["A", "Y"],
      ["A", null],
      ["B", "X"],
      ["B", "Y"],
      [null, "Z"],
    ]);
    expect(grouped.lots.map((g) => [g.lotNumber, g.totalQuantity])).toEqual([
      ["A", 4],
      ["B", 5],
      [null, 2],
    ]);
    expect(grouped.totals).toEqual({ quantity: 11, toPick: 9, noLotAvailable: 2, manual: 0, notLotTracked: 0 });
  });
});

describe("csvCell", () => {
  it("neutralises what a spreadsheet would run and quotes what would open a new cell", () => {
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("  @SUM(A1)")).toBe("'  @SUM(A1)");
    expect(csvCell("＝1")).toBe("'＝1");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell(-3)).toBe("-3");
    expect(csvCell(null)).toBe("");
    expect(csvRecord(["LOT-1", 2])).toBe("LOT-1,2\n");
  });
});
