// What a lot label encodes: the GS1 element string from the lot, read back by our own parser,
// and the lots a GS1 label cannot be made for.
import { describe, expect, it } from "vitest";
import { parseGs1 } from "../../app/domain/gs1/gs1";
import {
  LabelDataError,
  LabelError,
  LabelMissingGtinError,
  labelContent,
  parseCopies,
  parseLabelSize,
  symbolsFor,
  type LabelLot,
} from "../../app/domain/labels/label-rules";

const today = new Date("2026-12-04T00:00:00Z");
const lot = (attrs: Partial<LabelLot> = {}): LabelLot => ({
  lotNumber: "OIL-5",
  gtin: null,
  variantBarcode: "9506000134352",
  expiresOn: "2027-03-31",
  productTitle: "Olive oil",
  variantTitle: "1 l",
  sku: "OIL",
  ...attrs,
});

describe("lot label content", () => {
  it("encodes (01) GTIN-14, (17) expiry YYMMDD and (10) lot last, and our parser reads it back", () => {
    const content = labelContent(lot());
    expect(content.elementString).toBe("(01)09506000134352(17)270331(10)OIL-5");
    const read = parseGs1(content.elementString, { today });
    expect([read.gtin, read.expiry, read.lot]).toEqual(["09506000134352", "2027-03-31", "OIL-5"]);
    expect(content.product).toBe("Olive oil - 1 l");
  });

  it("prefers the lot's own GTIN to the variant's barcode, and leaves (17) out without an expiry", () => {
    const content = labelContent(lot({ gtin: "09506000134376", expiresOn: null }));
    expect(content.elementString).toBe("(01)09506000134376(10)OIL-5");
  });

  it("puts a serial (21) before the lot, so the lot stays the last variable field", () => {
    const read = parseGs1(labelContent(lot({ serial: "S-0001" })).elementString, { today });
    expect([read.serial, read.lot]).toEqual(["S-0001", "OIL-5"]);
  });

  it("refuses a lot without a GTIN, saying where to set one", () => {
    const refuse = () => labelContent(lot({ variantBarcode: null, gtin: "  " }));
    expect(refuse).toThrow(LabelMissingGtinError);
    expect(refuse).toThrow(/lot "OIL-5" \(Olive oil - 1 l\) has no GTIN: set the variant's barcode in Shopify or the lot's GTIN/);
  });

  it("refuses a barcode that is not a GTIN (wrong check digit) and lot numbers AI (10) cannot carry", () => {
    expect(() => labelContent(lot({ variantBarcode: "9506000134353" }))).toThrow(/the variant's barcode is not a GTIN a GS1 label can carry: .*check digit/);
    expect(() => labelContent(lot({ lotNumber: "LOT 5" }))).toThrow(LabelDataError);
    expect(() => labelContent(lot({ lotNumber: "L".repeat(21) }))).toThrow(/cannot be printed as GS1 AI \(10\)/);
    expect(() => labelContent(lot({ lotNumber: "A(1)" }))).toThrow(/contains "\(" or "\)"/);
  });

  it("checks the size, copies and that a small label gets one barcode", () => {
    expect(symbolsFor("4x6", undefined)).toEqual(["gs1-128", "datamatrix"]);
    expect(symbolsFor("2.25x1.25", undefined)).toEqual(["datamatrix"]);
    expect(symbolsFor("2.25x1.25", "gs1-128")).toEqual(["gs1-128"]);
    expect(() => symbolsFor("2.25x1.25", "both")).toThrow(/room for one barcode/);
    expect(() => parseLabelSize("3x5")).toThrow(LabelError);
    expect(parseCopies("12")).toBe(12);
    expect(() => parseCopies("0")).toThrow(/1 to 500/);
    expect(() => parseCopies("2.5")).toThrow(LabelError);
  });
});
