// GS1 EPCIS 2.0 JSON-LD events built from our rows (pure: no database). Lots are class-level
// identifiers (epcClass) with quantityList; ilmd carries the lot number and dates.
//   - receipt          -> ObjectEvent ADD, bizStep receiving, ilmd (the lot enters our records)
//   - production run   -> TransformationEvent (inputs consumed, output made), bizStep assembling
//                         (kit, assembly) or repackaging (repack), ilmd of the output lot
//   - shipment         -> ObjectEvent OBSERVE, bizStep shipping, disposition in_transit, the order
//                         as bizTransaction, the customer as destination
//   - return           -> ObjectEvent OBSERVE, bizStep receiving, disposition returned
// epcClass: the GS1 Digital Link of GTIN + lot when the variant has a valid GTIN, otherwise a URI
// under the shop's own domain (private class identifier, allowed by EPCIS 2.0). ilmd uses only
// CBV master data terms (lotNumber, itemExpirationDate, bestBeforeDate, productionDate: the names
// GS1's and GDST's published EPCIS examples use).
import { isValidGtin, normalizeGtin } from "../gs1/gs1";

export const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

export interface EpcisLot {
  variantId: bigint;
  lotNumber: string;
  gtin: string | null;
  expiresOn: string | null;
  bestBeforeOn: string | null;
  producedOn: string | null;
}

export function shopUri(shopDomain: string, ...path: (string | bigint)[]): string {
  return `https://${shopDomain}/lotkeeper/${path.map((p) => encodeURIComponent(String(p))).join("/")}`;
}

export function epcClass(shopDomain: string, lot: Pick<EpcisLot, "variantId" | "lotNumber" | "gtin">): string {
  if (lot.gtin && isValidGtin(lot.gtin)) {
    return `https://id.gs1.org/01/${normalizeGtin(lot.gtin)}/10/${encodeURIComponent(lot.lotNumber)}`;
  }
  return shopUri(shopDomain, "class", lot.variantId, lot.lotNumber);
}

export function ilmd(lot: EpcisLot): Record<string, string> {
  const out: Record<string, string> = { "cbvmda:lotNumber": lot.lotNumber };
  if (lot.expiresOn) out["cbvmda:itemExpirationDate"] = lot.expiresOn;
  if (lot.bestBeforeOn) out["cbvmda:bestBeforeDate"] = lot.bestBeforeOn;
  if (lot.producedOn) out["cbvmda:productionDate"] = lot.producedOn;
  return out;
}

const time = (d: Date) => d.toISOString();

export function receiptEvent(shopDomain: string, r: { entryId: bigint; at: Date; lot: EpcisLot; quantity: number; locationId: bigint | null; supplier: string | null; purchaseOrder: string | null }) {
  return {
    type: "ObjectEvent",
    eventID: shopUri(shopDomain, "event", "receipt", r.entryId),
    eventTime: time(r.at),
    eventTimeZoneOffset: "+00:00",
    action: "ADD",
    bizStep: "receiving",
    disposition: "active",
    epcList: [],
    quantityList: [{ epcClass: epcClass(shopDomain, r.lot), quantity: r.quantity }],
    ...(r.locationId !== null ? { readPoint: { id: shopUri(shopDomain, "location", r.locationId) }, bizLocation: { id: shopUri(shopDomain, "location", r.locationId) } } : {}),
    ...(r.purchaseOrder ? { bizTransactionList: [{ type: "po", bizTransaction: shopUri(shopDomain, "po", r.purchaseOrder) }] } : {}),
    ...(r.supplier ? { sourceList: [{ type: "owning_party", source: shopUri(shopDomain, "supplier", r.supplier) }] } : {}),
    ilmd: ilmd(r.lot),
  };
}

export function transformationEvent(
  shopDomain: string,
  r: { runId: bigint; kind: string; at: Date; locationId: bigint; output: EpcisLot; outputQuantity: number; inputs: { lot: EpcisLot; quantity: number }[] },
) {
  return {
    type: "TransformationEvent",
    eventID: shopUri(shopDomain, "event", "run", r.runId),
    eventTime: time(r.at),
    eventTimeZoneOffset: "+00:00",
    transformationID: shopUri(shopDomain, "run", r.runId),
    bizStep: r.kind === "REPACK" ? "repackaging" : "assembling",
    disposition: "active",
    readPoint: { id: shopUri(shopDomain, "location", r.locationId) },
    bizLocation: { id: shopUri(shopDomain, "location", r.locationId) },
    inputQuantityList: r.inputs.map((i) => ({ epcClass: epcClass(shopDomain, i.lot), quantity: i.quantity })),
    outputQuantityList: [{ epcClass: epcClass(shopDomain, r.output), quantity: r.outputQuantity }],
    ilmd: ilmd(r.output),
  };
}

export function shipmentEvent(
  shopDomain: string,
  r: { allocationId: bigint; at: Date; lot: EpcisLot; quantity: number; locationId: bigint; orderId: bigint; customerKey: string },
) {
  return {
    type: "ObjectEvent",
    eventID: shopUri(shopDomain, "event", "shipment", r.allocationId),
    eventTime: time(r.at),
    eventTimeZoneOffset: "+00:00",
    action: "OBSERVE",
    bizStep: "shipping",
    disposition: "in_transit",
    epcList: [],
    quantityList: [{ epcClass: epcClass(shopDomain, r.lot), quantity: r.quantity }],
    readPoint: { id: shopUri(shopDomain, "location", r.locationId) },
    bizTransactionList: [{ type: "po", bizTransaction: `gid://shopify/Order/${r.orderId}` }],
    sourceList: [{ type: "location", source: shopUri(shopDomain, "location", r.locationId) }],
    destinationList: [{ type: "owning_party", destination: shopUri(shopDomain, "customer", r.customerKey) }],
  };
}

export function returnEvent(shopDomain: string, r: { returnId: bigint; at: Date; lot: EpcisLot; quantity: number; locationId: bigint; orderId: bigint }) {
  return {
    type: "ObjectEvent",
    eventID: shopUri(shopDomain, "event", "return", r.returnId),
    eventTime: time(r.at),
    eventTimeZoneOffset: "+00:00",
    action: "OBSERVE",
    bizStep: "receiving",
    disposition: "returned",
    epcList: [],
    quantityList: [{ epcClass: epcClass(shopDomain, r.lot), quantity: r.quantity }],
    readPoint: { id: shopUri(shopDomain, "location", r.locationId) },
    bizLocation: { id: shopUri(shopDomain, "location", r.locationId) },
    bizTransactionList: [{ type: "rma", bizTransaction: `gid://shopify/Order/${r.orderId}` }],
  };
}

export function documentHead(creationDate: Date): string {
  const head = JSON.stringify({
    "@context": [EPCIS_CONTEXT],
    type: "EPCISDocument",
    schemaVersion: "2.0",
    creationDate: creationDate.toISOString(),
    epcisBody: { eventList: ["__EVENTS__"] },
  });
  return head.slice(0, head.indexOf('"__EVENTS__"'));
}

export const DOCUMENT_TAIL = "]}}";
