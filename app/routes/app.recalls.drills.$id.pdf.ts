// The PDF of one mock recall drill (decision 106), fetched by the Recalls page with its session
// token and saved (a plain link would carry no token), as the recall exports are downloaded.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminContext, idParam } from "../lib/admin-context.server";
import { getRecallDrill } from "../domain/recall/recall-drill.server";
import { drillReportPdf } from "../domain/recall/drill-pdf.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const drill = await getRecallDrill(shopId, idParam(params.id));
  if (!drill) throw new Response("Not found", { status: 404 });
  const pdf = await drillReportPdf(drill.report, drill.lotNumber);
  const safe = `${drill.lotNumber}-${drill.report.startedAt.slice(0, 10)}`.replace(/[^\w.-]+/g, "_");
  return new Response(new Uint8Array(pdf), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="mock-recall-${safe}.pdf"`,
      "Cache-Control": "no-store",
    },
  });
};
