import { describe, expect, it } from "vitest";
import {
  CBV_PAIRS,
  DOCUMENT_TAIL,
  EPCIS_CONTEXT,
  causalOrderProblems,
  documentHead,
  epcClass,
  ilmd,
  receiptEvent,
  shipmentEvent,
  transformationEvent,
} from "../../app/domain/exports/epcis";
import { CBV, epcisSchemaErrors } from "../helpers/epcis-schema";

const lot = { variantId: 44n, lotNumber: "A 1/2", gtin: null, expiresOn: "2027-01-31", bestBeforeOn: null, producedOn: "2026-10-01" };

describe("EPCIS builders", () => {
  it("uses the GS1 Digital Link for a valid GTIN (padded to 14 digits) and AI (10) lot, a private shop URI otherwise", () => {
    expect(epcClass("s.myshopify.com", { ...lot, lotNumber: "A1/2", gtin: "4006381333931" })).toBe("https://id.gs1.org/01/04006381333931/10/A1%2F2");
    // A space is not in AI (10)'s character set: no Digital Link, however it would be encoded.
    expect(epcClass("s.myshopify.com", { ...lot, gtin: "4006381333931" })).toBe("https://s.myshopify.com/lotkeeper/class/44/A%201%2F2");
    expect(epcClass("s.myshopify.com", { ...lot, gtin: "4006381333932" })).toBe("https://s.myshopify.com/lotkeeper/class/44/A%201%2F2");
    expect(epcClass("s.myshopify.com", lot)).toBe("https://s.myshopify.com/lotkeeper/class/44/A%201%2F2");
    expect(epcClass("s.myshopify.com", { ...lot, lotNumber: "Müller#1", gtin: "4006381333931" })).toBe(
      "https://s.myshopify.com/lotkeeper/class/44/M%C3%BCller%231",
    );
  });

  it("pairs only CBV 2.0 business steps and dispositions (as epcis2.js lists them)", () => {
    for (const [kind, p] of Object.entries(CBV_PAIRS)) {
      expect(CBV.bizSteps.has(p.bizStep), `${kind} ${p.bizStep}`).toBe(true);
      expect(CBV.dispositions.has(p.disposition), `${kind} ${p.disposition}`).toBe(true);
    }
    // CBV keeps `active` for commissioning and `assembling` for association/aggregation events.
    expect(Object.values(CBV_PAIRS).map((p) => p.disposition)).not.toContain("active");
    expect(Object.values(CBV_PAIRS).map((p) => p.bizStep)).not.toContain("assembling");
  });

  it("the schema check is live: it refuses what the EPCIS 2.0 JSON Schema refuses", () => {
    const at = new Date("2026-11-01T00:00:00Z");
    const receipt = receiptEvent("s.myshopify.com", { entryId: 1n, at, lot, quantity: 2, locationId: 3n, supplier: null, purchaseOrder: "PO 1" });
    const doc = (event: unknown) => JSON.parse(documentHead(at) + JSON.stringify(event) + DOCUMENT_TAIL);
    expect(epcisSchemaErrors(doc(receipt))).toEqual([]);
    expect(epcisSchemaErrors(doc({ ...receipt, bizStep: "https://ns.gs1.org/cbv/BizStep-receiving" }))).not.toEqual([]);
    expect(epcisSchemaErrors(doc({ ...receipt, disposition: "quarantined" }))).not.toEqual([]);
    expect(epcisSchemaErrors(doc({ ...receipt, quantityList: [{ epcClass: "https://id.gs1.org/01/04006381333931/10/A 1", quantity: 2 }] }))).not.toEqual([]);
    expect(epcisSchemaErrors(doc({ ...receipt, bizTransactionList: [{ type: "order", bizTransaction: "x" }] }))).not.toEqual([]);
  });

  it("finds events out of causal order: time going back, a lot used before it entered", () => {
    const at = (h: number) => new Date(Date.UTC(2026, 10, 1, h));
    const received = receiptEvent("s.myshopify.com", { entryId: 1n, at: at(10), lot, quantity: 5, locationId: 3n, supplier: null, purchaseOrder: null });
    const shipped = (h: number) =>
      shipmentEvent("s.myshopify.com", { allocationId: BigInt(h), at: at(h), lot, quantity: 1, locationId: 3n, orderId: 9n, customerKey: "7" });
    expect(causalOrderProblems([received, shipped(11), shipped(12)])).toEqual([]);
    expect(causalOrderProblems([shipped(8), received])).toEqual([
      expect.stringMatching(/used at 2026-11-01T08:00:00.000Z, before it entered at 2026-11-01T10:00/),
    ]);
    expect(causalOrderProblems([received, shipped(12), shipped(11)])).toEqual([
      expect.stringMatching(/^event 2 .* not a time at or after the previous event's/),
    ]);
    expect(causalOrderProblems([{ ...received, eventTime: "not a time" }])).toHaveLength(1);
    // A lot that never enters in the list (an input outside the scope) is not checked.
    expect(causalOrderProblems([shipped(8)])).toEqual([]);
  });

  it("puts lot and dates in ilmd with CBV master data names", () => {
    expect(ilmd(lot)).toEqual({ "cbvmda:lotNumber": "A 1/2", "cbvmda:itemExpirationDate": "2027-01-31", "cbvmda:productionDate": "2026-10-01" });
    expect(ilmd({ ...lot, expiresOn: null, bestBeforeOn: "2027-02-28", producedOn: null })).toEqual({
      "cbvmda:lotNumber": "A 1/2",
      "cbvmda:bestBeforeDate": "2027-02-28",
    });
  });

  it("frames a document that parses once events are written between head and tail", () => {
    const event = transformationEvent("s.myshopify.com", {
      runId: 7n,
      kind: "REPACK",
      at: new Date("2026-11-01T00:00:00Z"),
      locationId: 3n,
      output: lot,
      outputQuantity: 2,
      inputs: [{ lot, quantity: 4 }],
    });
    const doc = JSON.parse(documentHead(new Date("2026-11-26T00:00:00Z")) + JSON.stringify(event) + DOCUMENT_TAIL);
    expect(doc["@context"]).toEqual([EPCIS_CONTEXT]);
    expect(epcisSchemaErrors(doc)).toEqual([]);
    expect(doc.epcisBody.eventList[0]).toMatchObject({
      type: "TransformationEvent",
      bizStep: "repackaging",
      disposition: "sellable_not_accessible",
      inputQuantityList: [{ quantity: 4 }],
      outputQuantityList: [{ quantity: 2 }],
    });
    expect(JSON.parse(documentHead(new Date()) + DOCUMENT_TAIL).epcisBody.eventList).toEqual([]);
  });
});
