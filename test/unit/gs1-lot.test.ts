import { describe, expect, it } from "vitest";
import { isValidAi10Lot } from "../../app/domain/gs1/gs1";

// GS1 General Specifications: AI (10) is X..20, character set 82 (figure 7.11-1: ! " % & ' ( ) * + , - . /
// 0-9 : ; < = > ? A-Z _ a-z).
describe("isValidAi10Lot", () => {
  it.each(["A", "LOT-2026/07", "abc_DEF.1", `!"%&'()*+,-./:;<=>?_`, "12345678901234567890"])("accepts %s", (lot) => {
    expect(isValidAi10Lot(lot)).toBe(true);
  });

  it.each([
    ["", "empty"],
    ["123456789012345678901", "21 characters"],
    ["LOT 1", "a space"],
    ["Müsli-1", "an umlaut"],
    ["#42", "a hash"],
    ["a@b", "an at sign"],
    ["LOT\u001d1", "a group separator"],
  ])("refuses %j (%s)", (lot) => {
    expect(isValidAi10Lot(lot)).toBe(false);
  });
});
