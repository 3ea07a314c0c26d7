// What a pick-list URL asks for (?order= or ?location=, the admin page and its download), parsed
// once for both routes. Pure: no Remix here; a bad parameter is said in words.
import { matchShopifyId } from "../../lib/json";

export type PickListRequest =
  | { kind: "order"; order: string; locationId: bigint | undefined }
  | { kind: "location"; locationId: bigint }
  | { kind: "none" }
  | { kind: "invalid"; message: string };

export function parsePickListRequest(params: URLSearchParams): PickListRequest {
  const order = params.get("order")?.trim() ?? "";
  const locationText = params.get("location")?.trim() ?? "";
  const locationId = locationText === "" ? undefined : matchShopifyId(locationText, "Location");
  if (locationId === null) return { kind: "invalid", message: `location must be a Shopify location id (digits), got "${locationText}"` };
  if (order !== "") return { kind: "order", order, locationId };
  if (locationId !== undefined) return { kind: "location", locationId };
  return { kind: "none" };
}

/** Most orders one print asks for: Shopify's order list selects at most a page of orders. */
export const MAX_PRINTED_ORDERS = 100;

export type PickListPrintRequest = { kind: "orders"; orderIds: bigint[]; locationId: bigint | undefined } | { kind: "invalid"; message: string };

/** The print page's ?orderIds= (comma list of ids or Order GIDs, the admin's print actions) and ?location=. */
export function parsePickListPrintRequest(params: URLSearchParams): PickListPrintRequest {
  const texts = (params.get("orderIds") ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  if (texts.length === 0) return { kind: "invalid", message: "give ?orderIds= (order ids, comma separated)" };
  if (texts.length > MAX_PRINTED_ORDERS) return { kind: "invalid", message: `print at most ${MAX_PRINTED_ORDERS} orders at once, got ${texts.length}` };
  const orderIds: bigint[] = [];
  for (const text of texts) {
    const id = matchShopifyId(text, "Order");
    if (id === null) return { kind: "invalid", message: `orderIds must be Shopify order ids (digits), got "${text}"` };
    if (!orderIds.includes(id)) orderIds.push(id);
  }
  const locationText = params.get("location")?.trim() ?? "";
  const locationId = locationText === "" ? undefined : matchShopifyId(locationText, "Location");
  if (locationId === null) return { kind: "invalid", message: `location must be a Shopify location id (digits), got "${locationText}"` };
  return { kind: "orders", orderIds, locationId };
}
