// GS1 EPCIS 2.0 JSON-LD events built from our rows (pure: no database). Lots are class-level
// identifiers (epcClass) with quantityList; ilmd carries the lot number and dates. Business steps
// and dispositions are CBV 2.0 values paired as CBV 2.0 describes them (docs/decisions/085):
//   - receipt          -> ObjectEvent ADD, receiving / sellable_not_accessible, ilmd
//   - production run   -> TransformationEvent, creating_class_instance (kit, assembly: CBV keeps
//                         `assembling` for Association/Aggregation events) or repackaging (repack),
//                         sellable_not_accessible, ilmd of the output lot
//   - quarantine       -> ObjectEvent OBSERVE, holding / recalled (by a recall) or non_sellable_other
//   - release          -> ObjectEvent OBSERVE, holding / sellable_not_accessible
//   - shipment         -> ObjectEvent OBSERVE, shipping / in_transit, the order (po) and the
//                         fulfilment (desadv) as bizTransactions, the customer as destination
//   - return           -> ObjectEvent OBSERVE, receiving / returned, the refund (rma) and the order (po)
// Vocabulary values are CBV bare words, the form the EPCIS 2.0 JSON-LD context maps to
// https://ref.gs1.org/cbv/... (the JSON Schema refuses the old ns.gs1.org/urn:epcglobal forms).
// epcClass: the GS1 Digital Link of GTIN + lot when the variant has a valid GTIN and the lot is a
// valid AI (10) value; otherwise a private class URI under the shop's own domain (CBV's private
// identifiers: an HTTP URI whose domain the identifying party controls). ilmd uses only CBV master
// data terms (lotNumber, itemExpirationDate, bestBeforeDate, productionDate).
import { isValidAi10Lot, isValidGtin, normalizeGtin } from "../gs1/gs1";

export const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/** The CBV 2.0 business step and disposition of each kind of event we write (docs/decisions/085). */
export const CBV_PAIRS = {
  receipt: { bizStep: "receiving", disposition: "sellable_not_accessible" },
  production: { bizStep: "creating_class_instance", disposition: "sellable_not_accessible" },
  repack: { bizStep: "repackaging", disposition: "sellable_not_accessible" },
  quarantine: { bizStep: "holding", disposition: "non_sellable_other" },
  recallQuarantine: { bizStep: "holding", disposition: "recalled" },
  release: { bizStep: "holding", disposition: "sellable_not_accessible" },
  shipment: { bizStep: "shipping", disposition: "in_transit" },
  return: { bizStep: "receiving", disposition: "returned" },
} as const;

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
  if (lot.gtin && isValidGtin(lot.gtin) && isValidAi10Lot(lot.lotNumber)) {
    // encodeURIComponent percent-encodes exactly the set-82 characters a Digital Link path must
    // (" % & + , / : ; < = > ?) and leaves ! ' ( ) * as they are, which the path allows.
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
const place = (shopDomain: string, locationId: bigint) => ({ id: shopUri(shopDomain, "location", locationId) });

export function receiptEvent(
  shopDomain: string,
  r: {
    entryId: bigint;
    at: Date;
    lot: EpcisLot;
    quantity: number;
    locationId: bigint | null;
    supplier: string | null;
    purchaseOrder: string | null;
    intoQuarantine?: "quarantine" | "recall" | null;
  },
) {
  // Units received into a quarantined or recalled lot go straight to quality_control (receive-lot).
  const disposition =
    r.intoQuarantine === "recall"
      ? CBV_PAIRS.recallQuarantine.disposition
      : r.intoQuarantine === "quarantine"
        ? CBV_PAIRS.quarantine.disposition
        : CBV_PAIRS.receipt.disposition;
  return {
    type: "ObjectEvent",
    eventID: shopUri(shopDomain, "event", "receipt", r.entryId),
    eventTime: time(r.at),
    eventTimeZoneOffset: "+00:00",
    action: "ADD",
    bizStep: CBV_PAIRS.receipt.bizStep,
    disposition,
    epcList: [],
    quantityList: [{ epcClass: epcClass(shopDomain, r.lot), quantity: r.quantity }],
    ...(r.locationId !== null ? { readPoint: place(shopDomain, r.locationId), bizLocation: place(shopDomain, r.locationId) } : {}),
    ...(r.purchaseOrder ? { bizTransactionList: [{ type: "po", bizTransaction: shopUri(shopDomain, "po", r.purchaseOrder) }] } : {}),
    ...(r.supplier ? { sourceList: [{ type: "owning_party", source: shopUri(shopDomain, "supplier", r.supplier) }] } : {}),
    ilmd: ilmd(r.lot),
  };
}

export function transformationEvent(
  shopDomain: string,
  r: { runId: bigint; kind: string; at: Date; locationId: bigint; output: EpcisLot; outputQuantity: number; inputs: { lot: EpcisLot; quantity: number }[] },
) {
  const pair = r.kind === "REPACK" ? CBV_PAIRS.repack : CBV_PAIRS.production;
  return {
    type: "TransformationEvent",
    eventID: shopUri(shopDomain, "event", "run", r.runId),
    eventTime: time(r.at),
    eventTimeZoneOffset: "+00:00",
    transformationID: shopUri(shopDomain, "run", r.runId),
    bizStep: pair.bizStep,
    disposition: pair.disposition,
    readPoint: place(shopDomain, r.locationId),
    bizLocation: place(shopDomain, r.locationId),
    inputQuantityList: r.inputs.map((i) => ({ epcClass: epcClass(shopDomain, i.lot), quantity: i.quantity })),
    outputQuantityList: [{ epcClass: epcClass(shopDomain, r.output), quantity: r.outputQuantity }],
    ilmd: ilmd(r.output),
  };
}

/** A quarantine or release of a lot's units at a location (ledger QUARANTINED / RELEASED). */
export function holdEvent(
  shopDomain: string,
  r: { entryId: bigint; at: Date; lot: EpcisLot; quantity: number; locationId: bigint; change: "quarantine" | "recall" | "release" },
) {
  const pair = r.change === "release" ? CBV_PAIRS.release : r.change === "recall" ? CBV_PAIRS.recallQuarantine : CBV_PAIRS.quarantine;
  return {
    type: "ObjectEvent",
    eventID: shopUri(shopDomain, "event", r.change === "release" ? "release" : "quarantine", r.entryId),
    eventTime: time(r.at),
    eventTimeZoneOffset: "+00:00",
    action: "OBSERVE",
    bizStep: pair.bizStep,
    disposition: pair.disposition,
    epcList: [],
    quantityList: [{ epcClass: epcClass(shopDomain, r.lot), quantity: r.quantity }],
    readPoint: place(shopDomain, r.locationId),
    bizLocation: place(shopDomain, r.locationId),
  };
}

export function shipmentEvent(
  shopDomain: string,
  r: {
    allocationId: bigint;
    at: Date;
    lot: EpcisLot;
    quantity: number;
    locationId: bigint;
    orderId: bigint;
    fulfillmentId?: bigint | null;
    customerKey: string;
  },
) {
  return {
    type: "ObjectEvent",
    eventID: shopUri(shopDomain, "event", "shipment", r.allocationId),
    eventTime: time(r.at),
    eventTimeZoneOffset: "+00:00",
    action: "OBSERVE",
    bizStep: CBV_PAIRS.shipment.bizStep,
    disposition: CBV_PAIRS.shipment.disposition,
    epcList: [],
    quantityList: [{ epcClass: epcClass(shopDomain, r.lot), quantity: r.quantity }],
    readPoint: place(shopDomain, r.locationId),
    // The customer's order is their purchase order (CBV po); the fulfilment is the despatch advice.
    bizTransactionList: [
      { type: "po", bizTransaction: shopUri(shopDomain, "order", r.orderId) },
      ...(r.fulfillmentId ? [{ type: "desadv", bizTransaction: shopUri(shopDomain, "fulfillment", r.fulfillmentId) }] : []),
    ],
    sourceList: [{ type: "location", source: shopUri(shopDomain, "location", r.locationId) }],
    destinationList: [{ type: "owning_party", destination: shopUri(shopDomain, "customer", r.customerKey) }],
  };
}

export function returnEvent(
  shopDomain: string,
  r: { returnId: bigint; at: Date; lot: EpcisLot; quantity: number; locationId: bigint; orderId: bigint; refundId: bigint },
) {
  return {
    type: "ObjectEvent",
    eventID: shopUri(shopDomain, "event", "return", r.returnId),
    eventTime: time(r.at),
    eventTimeZoneOffset: "+00:00",
    action: "OBSERVE",
    bizStep: CBV_PAIRS.return.bizStep,
    disposition: CBV_PAIRS.return.disposition,
    epcList: [],
    quantityList: [{ epcClass: epcClass(shopDomain, r.lot), quantity: r.quantity }],
    readPoint: place(shopDomain, r.locationId),
    bizLocation: place(shopDomain, r.locationId),
    // Shopify's refund with a restock is what authorised the return (CBV rma); po is the order shipped.
    bizTransactionList: [
      { type: "rma", bizTransaction: shopUri(shopDomain, "refund", r.refundId) },
      { type: "po", bizTransaction: shopUri(shopDomain, "order", r.orderId) },
    ],
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

interface OrderedEvent {
  type?: unknown;
  eventID?: unknown;
  eventTime?: unknown;
  bizStep?: unknown;
  action?: unknown;
  quantityList?: { epcClass: string }[];
  inputQuantityList?: { epcClass: string }[];
  outputQuantityList?: { epcClass: string }[];
}

/**
 * Causal order of an event list: eventTime never decreases, and no event uses a class (a lot)
 * before the event of the list that brought it into our records (its receipt ADD, or the run
 * whose output it is). A class that never enters in the list (an input lot outside the scope)
 * is not checked. Returns the problems, empty when the list is in order; the export is built to
 * pass it (docs/decisions/085).
 */
export function causalOrderProblems(events: readonly OrderedEvent[]): string[] {
  const problems: string[] = [];
  const times = events.map((e) => Date.parse(String(e.eventTime)));
  const entering = (e: OrderedEvent) => (e.type === "TransformationEvent" ? (e.outputQuantityList ?? []) : e.action === "ADD" ? (e.quantityList ?? []) : []);
  const using = (e: OrderedEvent) => (e.type === "TransformationEvent" ? (e.inputQuantityList ?? []) : e.action === "ADD" ? [] : (e.quantityList ?? []));
  const entered = new Map<string, number>();
  events.forEach((e, i) => {
    for (const q of entering(e)) entered.set(q.epcClass, Math.min(entered.get(q.epcClass) ?? Infinity, times[i]!));
  });
  events.forEach((e, i) => {
    const label = `event ${i} (${String(e.eventID)})`;
    if (!(times[i]! >= (i === 0 ? -Infinity : times[i - 1]!)))
      problems.push(`${label}: eventTime ${String(e.eventTime)} is not a time at or after the previous event's`);
    for (const q of using(e)) {
      const since = entered.get(q.epcClass);
      if (since !== undefined && times[i]! < since)
        problems.push(`${label}: ${q.epcClass} is used at ${String(e.eventTime)}, before it entered at ${new Date(since).toISOString()}`);
    }
  });
  return problems;
}
