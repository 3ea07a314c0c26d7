// The JSON the admin UI extensions (extensions/order-lots, extensions/variant-lots) receive from
// /api/extensions/*. Types only and no imports: the extensions import them (type-only, erased when
// the Shopify CLI bundles them), so a change here that the blocks do not follow fails `tsc`.
// Shopify ids and our ids are strings of digits; dates are 'YYYY-MM-DD' or ISO timestamps.

export interface ExtensionError {
  /** What went wrong and what to do, for the merchant. */
  error: string;
}

export interface OrderLotsAllocation {
  allocationId: string;
  /** The lot number; null when the units shipped on an unknown lot. */
  lot: string | null;
  lotId: string | null;
  expiresOn: string | null;
  quantity: number;
  returnedQuantity: number;
  locationId: string;
  unknownLot: boolean;
}

export interface OrderLotsLineItem {
  lineItemId: string;
  variantId: string | null;
  sku: string | null;
  title: string | null;
  /** Ordered units (null when only a fulfilment or refund has named the line so far). */
  quantity: number | null;
  fulfilledQuantity: number;
  returnedQuantity: number;
  /** Units of return refunds waiting for their fulfilment to be allocated before they go back to a lot. */
  pendingReturnQuantity: number;
  /** Shipped units by lot (cancelled fulfilments left out). */
  allocations: OrderLotsAllocation[];
  /** Every fulfilment line of the item is for a variant that is not lot-tracked. */
  notLotTracked: boolean;
}

export interface OrderLotsResponse {
  orderId: string;
  name: string | null;
  lineItems: OrderLotsLineItem[];
  /** Units of the order on an unknown lot: the block offers "Resolve in Lotkeeper". */
  unknownLotUnits: number;
}

export interface VariantLotsBalance {
  locationId: string;
  locationName: string | null;
  quantity: number;
  quarantined: boolean;
}

export interface VariantLotsLot {
  lotId: string;
  lotNumber: string;
  status: "ACTIVE" | "QUARANTINED" | "RECALLED" | "EXPIRED";
  incomplete: boolean;
  expiresOn: string | null;
  bestBeforeOn: string | null;
  receivedAt: string;
  onHand: number;
  balances: VariantLotsBalance[];
}

export interface VariantLotsResponse {
  variantId: string;
  known: boolean;
  sku: string | null;
  title: string | null;
  lotTracked: boolean;
  /** Lots with units on hand, most urgent first (recalled, quarantined, earliest expiry). */
  lots: VariantLotsLot[];
  more: boolean;
  onHand: number;
  unknownLotUnits: number;
}

/** Paths of the app's own pages, for the blocks' links (`app:` + path opens them inside the admin). */
export const APP_PAGES = {
  review: "app/review",
  lot: (lotId: string) => `app/lots/${lotId}`,
} as const;
