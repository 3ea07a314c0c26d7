import { describe, expect, it } from "vitest";
import { completion, parseContactStatus, parseSeverity, recallTag, validateOpenRecall } from "../../app/domain/recall/recall-rules";
import { decodeCursor, encodeCursor } from "../../app/domain/recall/customer-key";
import { parseInputSpec, validateProduction } from "../../app/domain/genealogy/production-rules";

describe("recall rules", () => {
  it("reads severities the way merchants write them", () => {
    expect(["class_i", "CLASS_II", "III", "1"].map(parseSeverity)).toEqual(["CLASS_I", "CLASS_II", "CLASS_III", "CLASS_I"]);
    expect(() => parseSeverity("IV")).toThrow(/unknown severity "IV"/);
    expect(parseContactStatus("to contact")).toBe("TO_CONTACT");
    expect(() => parseContactStatus("called")).toThrow(/unknown contact status/);
  });

  it("validates an opening", () => {
    expect(() => validateOpenRecall({ lots: [], reason: "x", severity: "I" })).toThrow(/at least one lot/);
    expect(() => validateOpenRecall({ lots: [{ lotNumber: "A" }], reason: " ", severity: "I" })).toThrow(/needs a reason/);
    expect(validateOpenRecall({ lots: [{ lotNumber: " A " }], reason: " glass ", severity: "2" })).toEqual({
      lots: [{ lotNumber: "A", variantId: undefined }],
      reason: "glass",
      severity: "CLASS_II",
      reference: undefined,
      tagShopify: false,
    });
    expect(recallTag("R,1")).toBe("recall-R 1");
  });

  it("computes completion (contacted or further) and resolution (returned or destroyed)", () => {
    expect(completion({ TO_CONTACT: 1, CONTACTED: 1, RETURNED: 1, DESTROYED: 0 })).toMatchObject({
      customers: 3,
      completionPercent: 66.6,
      resolvedPercent: 33.3,
    });
    expect(completion({ TO_CONTACT: 0, CONTACTED: 0, RETURNED: 0, DESTROYED: 0 }).completionPercent).toBe(100);
  });

  it("round-trips cursors and refuses forged ones", () => {
    expect(decodeCursor(encodeCursor({ phase: "customer", after: 12345678901234567n }))).toEqual({ phase: "customer", after: 12345678901234567n });
    expect(decodeCursor(encodeCursor({ phase: "guest", after: "email:a@b.c" }))).toEqual({ phase: "guest", after: "email:a@b.c" });
    expect(decodeCursor(null)).toBeNull();
    expect(() => decodeCursor(Buffer.from("c:1 or 1=1").toString("base64url"))).toThrow(/invalid page cursor/);
  });
});

describe("production rules", () => {
  it("parses inputs, including lot numbers with ':' and '@'", () => {
    expect(parseInputSpec("WAX-7:12")).toEqual({ lotNumber: "WAX-7", variantId: undefined, quantity: 12 });
    expect(parseInputSpec("WAX-7@4455:12")).toEqual({ lotNumber: "WAX-7", variantId: 4455n, quantity: 12 });
    expect(parseInputSpec("A:B@x:3")).toEqual({ lotNumber: "A:B@x", variantId: undefined, quantity: 3 });
    expect(() => parseInputSpec("WAX-7")).toThrow(/must be <lot number>/);
    expect(() => parseInputSpec("WAX-7:0")).toThrow(/positive whole number/);
    expect(() => parseInputSpec("WAX-7:1.5")).toThrow(/positive whole number/);
  });

  it("validates a run", () => {
    const base = { kind: "KIT" as const, outputVariantId: 1n, outputLotNumber: "K", quantity: 1, locationId: 1n, inputs: [{ lotNumber: "A", quantity: 1 }] };
    expect(() => validateProduction({ ...base, inputs: [] })).toThrow(/at least one input/);
    expect(() => validateProduction({ ...base, expiresOn: "2027-02-30" })).toThrow(/not a real date/);
    expect(() => validateProduction({ ...base, outputLotNumber: "x".repeat(65) })).toThrow(/1-64 printable/);
    expect(() => validateProduction({ ...base, producedAt: new Date(Date.now() + 3600_000) })).toThrow(/not in the future/);
    expect(() => validateProduction({ ...base, producedAt: new Date("nonsense") })).toThrow(/not in the future/);
    expect(validateProduction({ ...base, producedAt: new Date("2026-11-01T08:00:00Z") }).producedAt).toEqual(new Date("2026-11-01T08:00:00Z"));
  });
});
