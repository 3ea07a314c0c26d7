// GET /app/pick-list/print?orderIds=<id>,<id>[&location=]: the printable pick list of the orders
// the admin's print actions name (extensions/pick-list-print), one plain HTML page. Shopify
// loads it with the ID token of the merchant's session; the shop comes only from it, so an order
// of another shop is not found (404) (docs/decisions/060-admin-extensions.md).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminContext } from "../lib/admin-context.server";
import { errorResponse, refusalMessage } from "../lib/domain-error-response.server";
import { parsePickListPrintRequest } from "../domain/picking/pick-list-request";
import { pickListsForOrders } from "../domain/picking/pick-list.server";
import { pickListPrintHtml } from "../domain/picking/pick-list-print";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId, cors } = await adminContext(request);
  const asked = parsePickListPrintRequest(new URL(request.url).searchParams);
  if (asked.kind === "invalid") return cors(new Response(asked.message, { status: 400 }));
  const now = new Date();
  let printed;
  try {
    printed = await pickListsForOrders(shopId, asked.orderIds, asked.locationId, { now });
  } catch (error) {
    throw cors(errorResponse(error, "order"));
  }
  const sections = printed.map((p) => ({ orderId: p.orderId, list: p.list, refusal: p.refusal ? refusalMessage(p.refusal) : null }));
  return cors(
    new Response(pickListPrintHtml(sections, now), {
      headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
    }),
  );
};
