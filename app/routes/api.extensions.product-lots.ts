// GET /api/extensions/product-lots?productId=<Product GID or number>: the lots of every variant of
// a product with units per location and expiry, most urgent first, for the block on Shopify's
// product page (extensions/product-lots). Bearer ID token, shop from the session only, answers
// through `cors()`; the CORS preflight (OPTIONS) reaches `action`. Another shop's product has no lots here.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminContext } from "../lib/admin-context.server";
import { listProductLots } from "../domain/lots/variant-lots.server";
import { lotsInStockView, resourceId } from "../lib/extension-views";
import { extensionErrorJson, extensionJson, preflightOrRefuse } from "../lib/extension-response.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId, cors } = await adminContext(request);
  try {
    const productId = resourceId(new URL(request.url).searchParams.get("productId"), "productId", "Product");
    return extensionJson(cors, lotsInStockView("product", productId, await listProductLots(shopId, productId)));
  } catch (error) {
    return extensionErrorJson(cors, error);
  }
};

export const action = async ({ request }: ActionFunctionArgs) => preflightOrRefuse(request);
