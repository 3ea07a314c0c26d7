// GET /api/extensions/order-lots?orderId=<Order GID or number>: the lots each line item of an order
// shipped from, for the block on Shopify's order page (extensions/order-lots). The block's fetch
// carries an ID token (bearer); the shop comes only from it. Answers go through `cors()` because
// the block runs on Shopify's extension origin; the CORS preflight (OPTIONS) reaches `action`.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminContext } from "../lib/admin-context.server";
import { traceOrder } from "../domain/allocation/queries.server";
import { orderLotsView, resourceId } from "../lib/extension-views";
import { extensionErrorJson, extensionJson, preflightOrRefuse } from "../lib/extension-response.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId, cors } = await adminContext(request);
  try {
    const orderId = resourceId(new URL(request.url).searchParams.get("orderId"), "orderId", "Order");
    return extensionJson(cors, orderLotsView(await traceOrder(shopId, orderId)));
  } catch (error) {
    return extensionErrorJson(cors, error, {
      OrderNotFoundError: "Lotkeeper has no record of this order yet (it appears once Shopify sends the order or a fulfilment).",
    });
  }
};

export const action = async ({ request }: ActionFunctionArgs) => preflightOrRefuse(request);
