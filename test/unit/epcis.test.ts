import { describe, expect, it } from "vitest";
import { DOCUMENT_TAIL, EPCIS_CONTEXT, documentHead, epcClass, ilmd, transformationEvent } from "../../app/domain/exports/epcis";

const lot = { variantId: 44n, lotNumber: "A 1/2", gtin: null, expiresOn: "2027-01-31", bestBeforeOn: null, producedOn: "2026-10-01" };

describe("EPCIS builders", () => {
  it("uses the GS1 Digital Link for a valid GTIN (padded to 14 digits) and a shop URI otherwise", () => {
    expect(epcClass("s.myshopify.com", { ...lot, gtin: "4006381333931" })).toBe("https://id.gs1.org/01/04006381333931/10/A%201%2F2");
    expect(epcClass("s.myshopify.com", { ...lot, gtin: "4006381333932" })).toBe("https://s.myshopify.com/lotkeeper/class/44/A%201%2F2");
    expect(epcClass("s.myshopify.com", lot)).toBe("https://s.myshopify.com/lotkeeper/class/44/A%201%2F2");
  });

  it("puts lot and dates in ilmd with CBV master data names", () => {
    expect(ilmd(lot)).toEqual({ "cbvmda:lotNumber": "A 1/2", "cbvmda:itemExpirationDate": "2027-01-31", "cbvmda:productionDate": "2026-10-01" });
    expect(ilmd({ ...lot, expiresOn: null, bestBeforeOn: "2027-02-28", producedOn: null })).toEqual({ "cbvmda:lotNumber": "A 1/2", "cbvmda:bestBeforeDate": "2027-02-28" });
  });

  it("frames a document that parses once events are written between head and tail", () => {
    const event = transformationEvent("s.myshopify.com", {
      runId: 7n, kind: "REPACK", at: new Date("2026-11-01T00:00:00Z"), locationId: 3n, output: lot, outputQuantity: 2, inputs: [{ lot, quantity: 4 }],
    });
    const doc = JSON.parse(documentHead(new Date("2026-11-26T00:00:00Z")) + JSON.stringify(event) + DOCUMENT_TAIL);
    expect(doc["@context"]).toEqual([EPCIS_CONTEXT]);
    expect(doc.epcisBody.eventList[0]).toMatchObject({ type: "TransformationEvent", bizStep: "repackaging", inputQuantityList: [{ quantity: 4 }], outputQuantityList: [{ quantity: 2 }] });
    expect(JSON.parse(documentHead(new Date()) + DOCUMENT_TAIL).epcisBody.eventList).toEqual([]);
  });
});
