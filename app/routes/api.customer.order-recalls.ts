// GET /api/customer/order-recalls?orderId=<Order GID>: for the recall banner on the customer's
// order status page (extensions/order-recall-banner, decision 110 "Order status banner"), the lots
// shipped on that order under an open recall, with what to do. The extension sends the customer
// account session token (bearer); authenticate.public.customerAccount verifies it (and answers the
// CORS preflight). The shop comes only from its `dest`, the customer only from its `sub`: an order
// of another shop or another customer, or a token without a customer, is the same 404 as an
// unknown order, so nobody learns whether someone else's order exists.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { addLogContext } from "../lib/logger.server";
import { matchShopifyId } from "../lib/json";
import { resourceId } from "../lib/extension-views";
import { extensionErrorJson, extensionJson } from "../lib/extension-response.server";
import type { ExtensionError, OrderRecallsResponse } from "../lib/extension-api";
import { recallsOnCustomerOrder } from "../domain/recall/customer-order-recalls.server";

const NOT_FOUND = "This order is not one of yours in this shop.";

/** `dest` is the shop's domain; accept it bare or as a URL (admin and POS tokens carry https://). */
function shopOf(dest: string): string {
  return dest.includes("://") ? new URL(dest).hostname : dest;
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { sessionToken, cors } = await authenticate.public.customerAccount(request);
  const shop = shopOf(sessionToken.dest);
  addLogContext({ shop });
  try {
    const orderId = resourceId(new URL(request.url).searchParams.get("orderId"), "orderId", "Order");
    // `sub` is the customer's GID only when the customer is signed in and the app may read
    // protected customer data; without it no order can be shown as theirs.
    const customerId = sessionToken.sub ? matchShopifyId(sessionToken.sub, "Customer") : null;
    const recalls = customerId === null ? null : await recallsOnCustomerOrder(shop, customerId, orderId);
    if (recalls === null) return extensionJson(cors, { error: NOT_FOUND }, 404);
    return extensionJson(cors, { orderId: orderId.toString(), recalls } satisfies OrderRecallsResponse);
  } catch (error) {
    return extensionErrorJson(cors, error);
  }
};

/** The CORS preflight is answered by authenticate.public.customerAccount (204); any other method is 405. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { cors } = await authenticate.public.customerAccount(request);
  return cors(
    Response.json({ error: `${request.method} is not supported here: use GET` } satisfies ExtensionError, { status: 405, headers: { Allow: "GET, OPTIONS" } }),
  );
};
