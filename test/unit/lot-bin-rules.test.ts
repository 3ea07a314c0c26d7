import { describe, expect, it } from "vitest";
import { BIN_MAX, binOption, normaliseBin, validateReceipt } from "../../app/domain/lots/lot-rules";
import { LotValidationError } from "../../app/domain/lots/lot-errors";

describe("bin codes", () => {
  it("stores what a picker reads as the same shelf as one code: trimmed, upper-case, single spaces", () => {
    expect(normaliseBin("  a-03-2 ")).toEqual({ bin: "A-03-2", problem: null });
    expect(normaliseBin("cold room  2/b.1_x")).toEqual({ bin: "COLD ROOM 2/B.1_X", problem: null });
    expect(normaliseBin("X".repeat(BIN_MAX)).bin).toBe("X".repeat(BIN_MAX));
  });

  it("refuses junk instead of cleaning it, saying why", () => {
    expect(normaliseBin("   ").problem).toContain("is empty");
    expect(normaliseBin("X".repeat(BIN_MAX + 1)).problem).toContain(`longer than ${BIN_MAX}`);
    for (const junk of ["A;01", "<b>", "-A1", "é-1", "A\t\u0000"]) expect(normaliseBin(junk).problem).toContain("is not a bin code");
  });

  it("is optional on a receipt, and a bad one is listed with the receipt's other problems", () => {
    const base = { variantId: "1", quantity: "2", locationId: "3" };
    expect(validateReceipt(base).bin).toBeNull();
    expect(validateReceipt({ ...base, bin: " " }).bin).toBeNull();
    expect(validateReceipt({ ...base, bin: "b-2" }).bin).toBe("B-2");
    const error = (() => {
      try {
        validateReceipt({ ...base, quantity: "0", bin: "B;2" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(LotValidationError);
    expect((error as LotValidationError).problems.map((p) => p.field)).toEqual(["quantity", "bin"]);
  });
});

describe("a bin named by a move (transfer, count, adjust, CSV)", () => {
  it("is optional: absent or blank names no bin, and a bad code is a problem of the named field", () => {
    const problems: { field: string; message: string }[] = [];
    expect(binOption(undefined, problems)).toBeNull();
    expect(binOption(null, problems)).toBeNull();
    expect(binOption("  ", problems)).toBeNull();
    expect(binOption(" r-9 ", problems)).toBe("R-9");
    expect(problems).toEqual([]);
    expect(binOption("R;9", problems, "to-bin")).toBeNull();
    expect(problems).toEqual([{ field: "to-bin", message: expect.stringContaining('"R;9" is not a bin code') }]);
  });
});
