// Download of one customer data-request export (customers/data_request), as the JSON file the
// merchant hands to the customer. Only the session's shop: another shop's id answers 404.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminContext, idParam } from "../lib/admin-context.server";
import { pool } from "../db.server";
import { getDataRequest } from "../domain/privacy/privacy.server";
import { stringify } from "../lib/json";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const found = await getDataRequest(pool(), shopId, idParam(params.id));
  if (!found) throw new Response("Not found", { status: 404 });
  const who = (found.customerId?.toString() ?? found.email ?? "guest").replace(/[^\w.@-]+/g, "_");
  return new Response(stringify(found, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="data-request-${found.id}-customer-${who}.json"`,
      "Cache-Control": "no-store",
    },
  });
};
