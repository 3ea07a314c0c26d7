// What the admin UI extensions get: the domain read models shaped into the JSON contract of
// ./extension-api.ts, and the parsing of the resource id a block sends. Pure (no database).
import type { OrderTrace } from "../domain/allocation/queries.server";
import type { LotsInStock } from "../domain/lots/variant-lots.server";
import type { LotsForSale, ScanVerdict } from "../domain/pos/pos-lots.server";
import type { LotsInStockResponse, OrderLotsResponse, PosLotsResponse } from "./extension-api";
import { matchShopifyId } from "./json";

const MAX_BIGINT = 9223372036854775807n;

export class BadResourceIdError extends Error {
  override name = "BadResourceIdError";
}

/**
 * The numeric id from what a block sends: the GID of `data.selected[0].id`
 * ("gid://shopify/Order/4521") or the plain number. A GID of another resource type, anything
 * else, or a number too large for a Shopify id is a BadResourceIdError naming the parameter.
 */
export function resourceId(value: string | null, param: string, type: "Order" | "ProductVariant" | "Product" | "Location"): bigint {
  const text = value?.trim() ?? "";
  if (!text) throw new BadResourceIdError(`${param} is required: pass the ${type} GID from data.selected[0].id or its number`);
  const id = matchShopifyId(text, type);
  if (id === null) {
    throw new BadResourceIdError(`${param} "${text.slice(0, 80)}" is not a ${type} id: pass gid://shopify/${type}/<number> or the number`);
  }
  if (id === 0n || id > MAX_BIGINT) throw new BadResourceIdError(`${param} "${text.slice(0, 80)}" is out of range for a Shopify id`);
  return id;
}

export function orderLotsView(trace: OrderTrace): OrderLotsResponse {
  let unknownLotUnits = 0;
  const lineItems = trace.lineItems.map((item) => {
    const allocations = item.allocations.map((a) => {
      if (a.unknownLot) unknownLotUnits += a.quantity - a.returnedQuantity;
      return {
        allocationId: a.allocationId.toString(),
        lot: a.lot,
        lotId: a.lotId?.toString() ?? null,
        expiresOn: a.expiresOn,
        quantity: a.quantity,
        returnedQuantity: a.returnedQuantity,
        locationId: a.locationId.toString(),
        unknownLot: a.unknownLot,
      };
    });
    return {
      lineItemId: item.lineItemId.toString(),
      variantId: item.variantId?.toString() ?? null,
      sku: item.sku,
      title: item.title,
      quantity: item.quantity,
      fulfilledQuantity: item.fulfilledQuantity,
      returnedQuantity: item.returnedQuantity,
      pendingReturnQuantity: item.pendingReturnQuantity,
      allocations,
      notLotTracked: allocations.length === 0 && item.fulfillmentLines.length > 0 && item.fulfillmentLines.every((l) => l.state === "SKIPPED"),
      awaitingLots: allocations.length === 0 && item.fulfillmentLines.some((l) => l.state === "PENDING"),
    };
  });
  return { orderId: trace.orderId.toString(), name: trace.name, lineItems, unknownLotUnits };
}

export function lotsInStockView(scope: "variant" | "product", id: bigint, v: LotsInStock): LotsInStockResponse {
  return {
    scope,
    id: id.toString(),
    known: v.known,
    title: v.title,
    sku: v.sku,
    variantCount: v.variantCount,
    lotTracked: v.lotTracked,
    lots: v.lots.map((l) => ({
      lotId: l.lotId.toString(),
      lotNumber: l.lotNumber,
      variantId: l.variantId.toString(),
      variantTitle: l.variantTitle,
      status: l.status,
      incomplete: l.incomplete,
      expiresOn: l.expiresOn,
      bestBeforeOn: l.bestBeforeOn,
      receivedAt: l.receivedAt.toISOString(),
      onHand: l.onHand,
      balances: l.balances.map((b) => ({
        locationId: b.locationId.toString(),
        locationName: b.locationName,
        quantity: b.quantity,
        quarantined: b.quarantined,
      })),
    })),
    more: v.more,
    onHand: v.onHand,
    unknownLotUnits: v.unknownLotUnits,
  };
}

/** The POS lot picker's answer: the sellable lots in the allocation's order, the suggestion, and a scan's check. */
export function posLotsView(f: LotsForSale, scan: ScanVerdict | null): PosLotsResponse {
  return {
    variantId: f.variant.id.toString(),
    locationId: f.locationId.toString(),
    title: f.variant.title,
    sku: f.variant.sku,
    lotTracked: f.variant.lotTracked,
    strategy: f.variant.strategy,
    lots: f.lots.map((l) => ({ lotId: l.lotId.toString(), lotNumber: l.lotNumber, available: l.quantity, shelfDate: l.shelfDate, bin: l.bin })),
    suggestedLotNumber: f.suggestion?.lotNumber ?? null,
    scan,
  };
}
