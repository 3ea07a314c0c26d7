// GET /api/extensions/variant-lots?variantId=<ProductVariant GID or number>: the variant's lots
// with units per location and expiry, most urgent first, for the block on Shopify's variant page
// (extensions/variant-lots). Bearer ID token, shop from the session only, answers through `cors()`;
// the CORS preflight (OPTIONS) reaches `action`. Another shop's variant has no lots here.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminContext } from "../lib/admin-context.server";
import { listVariantLots } from "../domain/lots/variant-lots.server";
import { lotsInStockView, resourceId } from "../lib/extension-views";
import { extensionErrorJson, extensionJson, preflightOrRefuse } from "../lib/extension-response.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId, cors } = await adminContext(request);
  try {
    const variantId = resourceId(new URL(request.url).searchParams.get("variantId"), "variantId", "ProductVariant");
    return extensionJson(cors, lotsInStockView("variant", variantId, await listVariantLots(shopId, variantId)));
  } catch (error) {
    return extensionErrorJson(cors, error);
  }
};

export const action = async ({ request }: ActionFunctionArgs) => preflightOrRefuse(request);
