import { describe, expect, it } from "vitest";
import { gs1CheckDigit, normalizeGtin } from "../../app/domain/gs1/gs1";
import { GS, gs1Reader } from "../helpers/gs1";

const today = new Date("2026-11-26T12:00:00Z");
const { parse, refused: errorOf } = gs1Reader(today);

describe("GS1 element strings", () => {
  it("reads GTIN, expiry, a lot that starts with digits and a serial, split by a group separator", () => {
    const r = parse(`0109506000134352172603311010A1B2${GS}21SN0042`);
    expect({ ...r, elements: undefined }).toEqual({
      gtin: "09506000134352",
      lot: "10A1B2",
      expiry: "2026-03-31",
      bestBefore: null,
      productionDate: null,
      serial: "SN0042",
      elements: undefined,
      format: "GS1 element string",
    });
  });

  it.each([
    ["]C1", "GS1-128"],
    ["]d2", "GS1 DataMatrix"],
    ["]Q3", "GS1 QR"],
  ])("accepts the symbology identifier %s (%s) and reports positions in the original text", (sym) => {
    const r = parse(`${sym}0109506000134352${GS}10LOT-7${GS}15270115`);
    expect(r.gtin).toBe("09506000134352");
    expect(r.lot).toBe("LOT-7");
    expect(r.bestBefore).toBe("2027-01-15");
    expect(r.elements[0]!.position).toBe(4);
  });

  it("ends a variable field at the end of data and tolerates a separator after a fixed field", () => {
    const r = parse(`01095060001343521126031${"5"}${GS}10ABC`);
    expect(r.productionDate).toBe("2026-03-15");
    expect(r.lot).toBe("ABC");
  });

  it("treats day 00 as the last day of the month, leap years included", () => {
    expect(parse("010950600013435217280200").expiry).toBe("2028-02-29");
    expect(parse("010950600013435217270200").expiry).toBe("2027-02-28");
    expect(parse("010950600013435211261100").productionDate).toBe("2026-11-30");
  });

  it("puts two-digit years in the century GS1's sliding window gives", () => {
    expect(parse("0109506000134352" + "17761231").expiry).toBe("2076-12-31");
    expect(parse("0109506000134352" + "17771231").expiry).toBe("1977-12-31");
  });

  it("keeps the values of other known AIs without failing (count 30, net weight 3103)", () => {
    const r = parse(`01095060001343523103000500${"30"}12${GS}10X`);
    expect(r.elements.map((e) => [e.ai, e.value])).toEqual([
      ["01", "09506000134352"],
      ["3103", "000500"],
      ["30", "12"],
      ["10", "X"],
    ]);
  });

  it("accepts a visible <GS> stand-in from scanners that cannot send ASCII 29", () => {
    expect(parse("]C1010950600013435210AB12<GS>17261231").expiry).toBe("2026-12-31");
  });
});

describe("GS1 human-readable form and Digital Link", () => {
  it("parses the parenthesised form with spaces", () => {
    const r = parse("(01)09506000134352 (17)261130 (10)ABC-1 (11)250101 (21)7");
    expect({ gtin: r.gtin, lot: r.lot, expiry: r.expiry, productionDate: r.productionDate, serial: r.serial }).toEqual({
      gtin: "09506000134352",
      lot: "ABC-1",
      expiry: "2026-11-30",
      productionDate: "2025-01-01",
      serial: "7",
    });
  });

  it("keeps parentheses that are part of a lot value", () => {
    expect(parse("(01)09506000134352(10)A(1)B").lot).toBe("A(1)B");
  });

  it("parses a Digital Link URI with path qualifiers and query attributes, GTIN-13 padded to 14", () => {
    const r = parse("https://id.example.com/01/9506000134352/10/AB%2F12/21/S1?17=270600&15=270500&linkType=gs1:pip");
    expect({ ...r, elements: undefined }).toEqual({
      gtin: "09506000134352",
      lot: "AB/12",
      serial: "S1",
      expiry: "2027-06-30",
      bestBefore: "2027-05-31",
      productionDate: null,
      elements: undefined,
      format: "GS1 Digital Link",
    });
  });

  it("accepts a Digital Link with a path prefix before /01/", () => {
    expect(parse("https://brand.example/dl/01/09506000134352?10=L9").lot).toBe("L9");
  });
});

describe("GS1 errors say what and where", () => {
  it("refuses a wrong GTIN check digit", () => {
    const e = errorOf("0109506000134353");
    expect(e.message).toBe("GTIN 09506000134353 at character 1 has check digit 3, expected 2");
    expect(e.position).toBe(1);
  });

  it("refuses a wrong check digit in a Digital Link", () => {
    expect(errorOf("https://x.example/01/09506000134351").message).toMatch(/check digit 1, expected 2/);
  });

  it("refuses impossible dates", () => {
    expect(errorOf("010950600013435217260230").message).toBe("expiry date (17) 260230 at character 17 is not a real date: 2026-02 has 28 days");
    expect(errorOf("010950600013435215261301").message).toBe("best-before date (15) 261301 at character 17 is not a real date: month 13 does not exist");
    expect(errorOf("(01)09506000134352(11)2601AA").message).toMatch(/production date \(11\) at character 19 must be digits only/);
  });

  it("refuses a lot longer than 20 characters", () => {
    const e = errorOf(`]d20109506000134352${"10"}${"A".repeat(21)}`);
    expect(e.message).toBe("lot (10) at character 20 is 21 characters long, at most 20 are allowed");
    expect(e.ai).toBe("10");
  });

  it("catches a missing group separator that runs a lot into the next element", () => {
    expect(errorOf("0109506000134352" + "10ABCDEFGHIJKL" + "17261231" + "21XYZ").message).toMatch(/lot \(10\) at character 17 is 25 characters long/);
  });

  it("refuses an unknown AI with its position", () => {
    expect(errorOf(`0109506000134352${"23"}1234`).message).toBe("unknown application identifier (23) at character 17");
    expect(errorOf("(01)09506000134352(04)1").message).toBe("unknown application identifier (04) at character 19");
  });

  it("refuses truncated data", () => {
    expect(errorOf("]C101095060001343").message).toBe("GTIN (01) at character 4 needs 14 characters, got 12: the data is truncated");
    expect(errorOf("0109506000134352172612").message).toMatch(/expiry date \(17\) at character 17 needs 6 characters, got 4/);
    expect(errorOf("01095060001343521").message).toMatch(/data ends inside an application identifier at character 17/);
    expect(errorOf(`0109506000134352${"10"}${GS}17261231`).message).toBe("lot (10) at character 17 is empty");
  });

  it("refuses characters GS1 does not allow in a lot", () => {
    expect(errorOf("(01)09506000134352(10)AB CD").message).toMatch(/lot \(10\) at character 19 contains " "/);
    expect(errorOf("(10)AB\u{1F600}").message).toBe("lot (10) at character 1 contains U+1F600, which GS1 does not allow");
  });

  it("refuses a Digital Link without a GTIN or with a key qualifier missing its value", () => {
    expect(errorOf("https://id.example.com/10/ABC").message).toMatch(/has no GS1 key such as \/01\/<GTIN>/);
    expect(errorOf("https://id.example.com/01/09506000134352/10/").message).toMatch(/lot \(10\) at character 42 has an empty value in the Digital Link path/);
    expect(errorOf("https://id.example.com/01/09506000134352?99999=1").message).toMatch(/unknown application identifier \(99999\) in the query/);
  });

  it("refuses a non-GS1 symbology identifier, empty input and two different values for one AI", () => {
    expect(errorOf("]d10109506000134352").message).toMatch(/]d1 at character 1 marks a plain QR Code or Data Matrix, and its data is not a GS1 Digital Link/);
    expect(errorOf("]X90109506000134352").message).toMatch(/]X9 at character 1 is not a GS1 symbology/);
    expect(errorOf("   ").message).toMatch(/empty/);
    expect(errorOf("(10)A(10)B").message).toMatch(/lot \(10\) appears twice/);
  });
});

describe("GTIN check digits", () => {
  it("computes the mod-10 check digit for GTIN-8, -12, -13 and -14", () => {
    expect(gs1CheckDigit("9638507")).toBe(4); // 96385074
    expect(gs1CheckDigit("03600029145")).toBe(2); // UPC 036000291452
    expect(normalizeGtin("96385074")).toBe("00000096385074");
    expect(normalizeGtin("036000291452")).toBe("00036000291452");
  });
});
