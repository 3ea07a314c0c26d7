// GET /api/extensions/pos-lots?variantId=<id>&locationId=<id>[&scan=<barcode>]: for the POS lot
// picker (extensions/pos-lot-picker), the lots of a cart line's variant that may be sold at the
// POS location, in the allocation's order with its first pick as the suggestion; with `scan`, the
// scanned GS1 barcode's lot accepted or refused with the reason (docs/decisions/103). Bearer ID
// token from POS, shop from the token only, answers through `cors()`. Another shop's (or an
// unknown) variant is 404.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { posContext } from "../lib/pos-context.server";
import { checkScannedLot, lotsForSale } from "../domain/pos/pos-lots.server";
import { posLotsView, resourceId } from "../lib/extension-views";
import { extensionErrorJson, extensionJson } from "../lib/extension-response.server";
import type { ExtensionError } from "../lib/extension-api";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId, cors } = await posContext(request);
  try {
    const query = new URL(request.url).searchParams;
    const variantId = resourceId(query.get("variantId"), "variantId", "ProductVariant");
    const locationId = resourceId(query.get("locationId"), "locationId", "Location");
    const forSale = await lotsForSale(shopId, variantId, locationId);
    const scan = query.get("scan");
    return extensionJson(cors, posLotsView(forSale, scan === null ? null : await checkScannedLot(forSale, shopId, scan)));
  } catch (error) {
    return extensionErrorJson(cors, error);
  }
};

/** The CORS preflight is answered by authenticate.public.pos (204); any other method is 405. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { cors } = await posContext(request);
  return cors(
    Response.json({ error: `${request.method} is not supported here: use GET` } satisfies ExtensionError, { status: 405, headers: { Allow: "GET, OPTIONS" } }),
  );
};
