// The label PDF of a lot (GS1-128 / GS1 DataMatrix, docs/decisions/097). The lot page fetches it
// with its session token and saves the file (a plain link would carry no token), as the recall
// exports are downloaded. ?size=4x6|2.25x1.25|a4&copies=N&symbology=gs1-128|datamatrix|both
import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminContext, idParam } from "../lib/admin-context.server";
import { lotLabelPdf } from "../domain/labels/label-pdf.server";
import { parseCopies, parseLabelSize, parseSymbology } from "../domain/labels/label-rules";
import { errorResponse } from "../lib/domain-error-response.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const lotId = idParam(params.id);
  const query = new URL(request.url).searchParams;
  let rendered;
  try {
    const size = parseLabelSize(query.get("size") ?? "4x6");
    const copies = parseCopies(query.get("copies") ?? "1");
    const symbology = query.get("symbology");
    rendered = await lotLabelPdf(shopId, lotId, { size, copies, symbology: symbology ? parseSymbology(symbology) : undefined });
  } catch (error) {
    throw errorResponse(error, "lot");
  }
  const safe = rendered.content.lotNumber.replace(/[^\w.-]+/g, "_");
  return new Response(new Uint8Array(rendered.pdf), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="lot-${safe}-label.pdf"`,
      "Cache-Control": "no-store",
    },
  });
};
