// Downloads of a recall case: the regulator CSV (one row per lot x shipment line), GS1 EPCIS
// 2.0 JSON-LD and the FSMA 204 sortable spreadsheet (a row per tracking event), streamed from the database in constant memory (D's exports). The panel fetches
// this with its session token and saves the file (a plain link would carry no token).
import { Readable } from "node:stream";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminContext, idParam } from "../lib/admin-context.server";
import { isExportFormat, recallCaseScope, recallCsvStream, recallEpcisStream } from "../domain/exports/recall-exports.server";
import { fsma204CsvStream } from "../domain/exports/fsma204.server";
import { errorResponse } from "../lib/domain-error-response.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const recallId = idParam(params.id);
  const format = new URL(request.url).searchParams.get("format") ?? "csv";
  if (!isExportFormat(format)) return new Response("format must be csv, epcis or fsma204", { status: 400 });
  let scope;
  try {
    scope = await recallCaseScope(shopId, recallId);
  } catch (error) {
    throw errorResponse(error, "recall");
  }
  const safe = scope.reference.replace(/[^\w.-]+/g, "_");
  const stream =
    format === "csv"
      ? await recallCsvStream(shopId, scope.lots)
      : format === "fsma204"
        ? await fsma204CsvStream(shopId, scope.lots)
        : await recallEpcisStream(shopId, scope.lots);
  const extension = { csv: "csv", fsma204: "fsma204.csv", epcis: "epcis.jsonld" }[format];
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      "Content-Type": format === "epcis" ? "application/ld+json; charset=utf-8" : "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="recall-${safe}.${extension}"`,
      "Cache-Control": "no-store",
    },
  });
};
