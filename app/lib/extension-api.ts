// The contract between the app and its UI extensions (the admin blocks and print actions, and the
// POS lot picker): the JSON of /api/extensions/*, the blocks' fetch helper and small date
// helpers. No imports and no server code: the Shopify CLI bundles this file into the blocks, and
// the root `tsc` checks both sides against the same types.
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
  /** Shipped, but no lot is recorded yet (the allocation has not run, or waits for the merchant). */
  awaitingLots: boolean;
}

export interface OrderLotsResponse {
  orderId: string;
  name: string | null;
  lineItems: OrderLotsLineItem[];
  /** Units of the order on an unknown lot: the block offers "Resolve in Lotkeeper". */
  unknownLotUnits: number;
}

export interface LotsInStockBalance {
  locationId: string;
  locationName: string | null;
  quantity: number;
  quarantined: boolean;
}

export interface LotsInStockLot {
  lotId: string;
  lotNumber: string;
  variantId: string;
  /** The variant's own title ("250 g"): the product block names it when the product has several. */
  variantTitle: string | null;
  status: "ACTIVE" | "QUARANTINED" | "RECALLED" | "EXPIRED";
  incomplete: boolean;
  expiresOn: string | null;
  bestBeforeOn: string | null;
  receivedAt: string;
  onHand: number;
  balances: LotsInStockBalance[];
}

/** The answer of /api/extensions/variant-lots and /api/extensions/product-lots. */
export interface LotsInStockResponse {
  scope: "variant" | "product";
  /** The variant or product id. */
  id: string;
  known: boolean;
  title: string | null;
  sku: string | null;
  variantCount: number;
  lotTracked: boolean;
  /** Lots with units on hand, most urgent first (recalled, quarantined, earliest expiry). */
  lots: LotsInStockLot[];
  more: boolean;
  onHand: number;
  unknownLotUnits: number;
}

/** The line item property the POS extension sets; the allocation takes this lot at fulfilment (docs/decisions/103). */
export const LOT_LINE_PROPERTY = "_lot";

/** A lot the cashier may sell at the POS location (on hand, not quarantined, active, enough shelf life). */
export interface PosLot {
  lotId: string;
  lotNumber: string;
  /** Units of the lot at this location. */
  available: number;
  /** 'YYYY-MM-DD': the expiry, else the best-before date; null when the lot has neither. */
  shelfDate: string | null;
  bin: string | null;
}

/** A scanned barcode checked by the app: the lot to set on the line, or why it is refused. */
export type PosScanVerdict = { accepted: true; lotNumber: string; scanned: string } | { accepted: false; message: string; scanned: string };

/** The answer of /api/extensions/pos-lots (extensions/pos-lot-picker). */
export interface PosLotsResponse {
  variantId: string;
  locationId: string;
  title: string | null;
  sku: string | null;
  lotTracked: boolean;
  strategy: "FEFO" | "FIFO" | "LIFO" | "MANUAL";
  /** The lots that may be sold here, in the order the allocation takes them. */
  lots: PosLot[];
  /** The lot number the allocation would take first (preselected); null under the manual strategy or without lots. */
  suggestedLotNumber: string | null;
  /** The check of `scan`, when one was sent. */
  scan: PosScanVerdict | null;
}

/** The POS endpoint for a cart line's variant at the POS device's location, optionally with a scanned barcode. */
export function posLotsPath(variantId: number | string, locationId: number | string, scan?: string): string {
  const query = new URLSearchParams({ variantId: String(variantId), locationId: String(locationId) });
  if (scan !== undefined) query.set("scan", scan);
  return `/api/extensions/pos-lots?${query.toString()}`;
}

/** Paths of the app's own pages, for the blocks' links (`app:` + path opens them inside the admin). */
export const APP_PAGES = {
  review: "app/review",
  lot: (lotId: string) => `app/lots/${lotId}`,
  lotsOfVariant: (variantId: string) => `app/lots?variant=${variantId}`,
  lotsSearch: (text: string) => `app/lots?q=${encodeURIComponent(text)}`,
} as const;

/**
 * The document a print action shows and prints: the printable pick list of the orders given (the
 * target's data.selected ids, GIDs or numbers), app/routes/app.pick-list.print.ts. Relative, so it
 * resolves against the app's URL; the GID prefix is dropped to keep the URL short.
 */
export function pickListPrintSrc(orderIds: readonly string[]): string | undefined {
  const ids = orderIds.map((id) => id.replace(/^gid:\/\/shopify\/Order\//, "").trim()).filter((id) => id !== "");
  if (ids.length === 0) return undefined;
  return `/app/pick-list/print?orderIds=${ids.map(encodeURIComponent).join(",")}`;
}

/** What a block gets from its fetch: the data, or a message to show (never a thrown error). */
export type ExtensionResult<T> = { ok: true; data: T } | { ok: false; status: number; error: string };

/**
 * GET one of the app's extension endpoints from a block. A relative path resolves against the
 * app's URL and Shopify adds the ID token (Authorization: Bearer) to the request itself.
 */
export async function getFromApp<T>(path: string, fetcher: typeof fetch = fetch): Promise<ExtensionResult<T>> {
  let response: Response;
  try {
    response = await fetcher(path);
  } catch {
    return { ok: false, status: 0, error: "Lotkeeper could not be reached. Reload the page to try again." };
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok && body !== null) return { ok: true, data: body as T };
  const message = body !== null && typeof body === "object" && typeof (body as { error?: unknown }).error === "string" ? (body as ExtensionError).error : null;
  if (response.status === 401 || response.status === 403) {
    return {
      ok: false,
      status: response.status,
      error: message ?? "Lotkeeper could not confirm your session. Open Lotkeeper from Apps once, then reload this page.",
    };
  }
  return { ok: false, status: response.status, error: message ?? `Lotkeeper answered with an error (${response.status}). Reload the page to try again.` };
}

/** True when a 'YYYY-MM-DD' date lies before `today` (also 'YYYY-MM-DD', the merchant's local date). */
export function isPast(date: string | null, today: string): boolean {
  return date !== null && date < today;
}

/** Today's date as 'YYYY-MM-DD' in the browser's time zone. */
export function localToday(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** One lot shipped on a customer's order that an open recall covers (the order status banner). */
export interface OrderRecall {
  product: string | null;
  lotNumber: string;
  /** What the customer should do: the public recall check's text for the recall's class (decision 110). */
  whatToDo: string;
  reason: string;
  /** 'YYYY-MM-DD' the recall was opened. */
  openedOn: string;
}

/** The answer of /api/customer/order-recalls (extensions/order-recall-banner). Empty `recalls`: nothing to show. */
export interface OrderRecallsResponse {
  orderId: string;
  recalls: OrderRecall[];
}

/**
 * The app's own URL (shopify.app.toml application_url; a test holds them equal). Customer account
 * extensions, unlike admin and POS ones, fetch only absolute URLs and get no ID token added: the
 * banner adds the session token itself.
 */
export const APP_URL = "https://example.com";

/** The banner's endpoint for the order on the order status page (its Order GID). */
export function orderRecallsUrl(orderId: string): string {
  return `${APP_URL}/api/customer/order-recalls?${new URLSearchParams({ orderId }).toString()}`;
}
