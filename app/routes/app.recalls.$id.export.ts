// Downloads of a recall case: the regulator CSV (one row per lot x shipment line) and GS1 EPCIS
// 2.0 JSON-LD, streamed from the database in constant memory (D's exports). The panel fetches
// this with its session token and saves the file (a plain link would carry no token).
import { Readable } from "node:stream";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminContext, idParam } from "../lib/admin-context.server";
import { recallCaseScope, recallCsvStream, recallEpcisStream } from "../domain/exports/recall-exports.server";
import { errorResponse } from "../lib/domain-error-response.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const recallId = idParam(params.id);
  const format = new URL(request.url).searchParams.get("format") ?? "csv";
  if (format !== "csv" && format !== "epcis") return new Response("format must be csv or epcis", { status: 400 });
  let scope;
  try {
    scope = await recallCaseScope(shopId, recallId);
  } catch (error) {
    throw errorResponse(error, "recall");
  }
  const safe = scope.reference.replace(/[^\w.-]+/g, "_");
  const stream = format === "csv" ? await recallCsvStream(shopId, scope.lots) : await recallEpcisStream(shopId, scope.lots);
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/ld+json; charset=utf-8",
      "Content-Disposition": `attachment; filename="recall-${safe}.${format === "csv" ? "csv" : "epcis.jsonld"}"`,
      "Cache-Control": "no-store",
    },
  });
};
