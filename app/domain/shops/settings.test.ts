import { describe, expect, it } from "vitest";
import { parseShopSettings, SettingsValidationError } from "./settings";

describe("parseShopSettings", () => {
  it("accepts what the form sends", () => {
    expect(parseShopSettings({ allocationStrategy: "LIFO", minShelfLifeDays: " 30 ", autoLotPattern: " {YYYYMMDD}-{SEQ} " })).toEqual({
      allocationStrategy: "LIFO",
      minShelfLifeDays: 30,
      autoLotPattern: "{YYYYMMDD}-{SEQ}",
    });
  });

  it("names every bad field at once", () => {
    try {
      parseShopSettings({ allocationStrategy: "fefo", minShelfLifeDays: "2.5", autoLotPattern: "LOT-{WEEK}" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SettingsValidationError);
      const fields = (error as SettingsValidationError).problems.map((p) => p.field);
      expect(new Set(fields)).toEqual(new Set(["allocationStrategy", "minShelfLifeDays", "autoLotPattern"]));
    }
  });

  it("gives the pattern one message naming the unknown token and the allowed ones", () => {
    try {
      parseShopSettings({ allocationStrategy: "FEFO", minShelfLifeDays: "0", autoLotPattern: "{NOPE}" });
      expect.unreachable();
    } catch (error) {
      expect((error as SettingsValidationError).problems).toEqual([
        { field: "autoLotPattern", message: "unknown token {NOPE}: use {YYYYMMDD} {YYMMDD} {YYYY} {YY} {MM} {DD} {PO} {SKU} {SEQ}" },
      ]);
    }
  });

  it("bounds the shelf life", () => {
    expect(() => parseShopSettings({ allocationStrategy: "FEFO", minShelfLifeDays: "3651", autoLotPattern: "{SEQ}" })).toThrow(/0 to 3650/);
    expect(parseShopSettings({ allocationStrategy: "FEFO", minShelfLifeDays: "0", autoLotPattern: "{SEQ}" }).minShelfLifeDays).toBe(0);
  });
});
