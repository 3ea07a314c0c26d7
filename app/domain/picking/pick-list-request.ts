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
