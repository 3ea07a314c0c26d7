// Download of a pick list (?order= or ?location=, format=csv|json|pdf, paper=a4|letter for the PDF), as the page shows it. The
// panel fetches it with its session token (DownloadButton): a plain link would carry no token.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminContext } from "../lib/admin-context.server";
import { stringify } from "../lib/json";
import { errorResponse } from "../lib/domain-error-response.server";
import { parsePickListRequest } from "../domain/picking/pick-list-request";
import { pickListCsv, pickListForLocation, pickListForOrder } from "../domain/picking/pick-list.server";
import { parsePickListPaper, pickListPdf, PICK_LIST_PAPERS } from "../domain/picking/pick-list-pdf.server";

const CONTENT_TYPES = { csv: "text/csv; charset=utf-8", json: "application/json; charset=utf-8", pdf: "application/pdf" } as const;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, shopId } = await adminContext(request);
  const url = new URL(request.url);
  const format = url.searchParams.get("format") ?? "csv";
  if (format !== "csv" && format !== "json" && format !== "pdf") return new Response("format must be csv, json or pdf", { status: 400 });
  const paper = parsePickListPaper(url.searchParams.get("paper") ?? "a4");
  if (paper === null) return new Response(`paper must be ${PICK_LIST_PAPERS.join(" or ")}`, { status: 400 });
  const asked = parsePickListRequest(url.searchParams);
  if (asked.kind === "invalid") return new Response(asked.message, { status: 400 });
  if (asked.kind === "none") return new Response("give ?order= or ?location=", { status: 400 });
  let list;
  try {
    list = asked.kind === "order" ? await pickListForOrder(shopId, asked.order, asked.locationId) : await pickListForLocation(shopId, asked.locationId);
  } catch (error) {
    throw errorResponse(error, asked.kind === "order" ? "order" : "location");
  }
  const name = `pick-list-${asked.kind === "order" ? asked.order.replace(/[^\w.-]+/g, "") || "order" : `location-${asked.locationId}`}`;
  const body = format === "pdf" ? new Uint8Array((await pickListPdf(list, { shop, paper })).pdf) : format === "csv" ? pickListCsv(list) : stringify(list);
  return new Response(body, {
    headers: {
      "Content-Type": CONTENT_TYPES[format],
      "Content-Disposition": `attachment; filename="${name}.${format}"`,
      "Cache-Control": "no-store",
    },
  });
};
