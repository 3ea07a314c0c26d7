// A report's table as CSV, as its page shows it (same ?location=). The panel fetches it with its
// session token (DownloadButton): a plain link would carry no token.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminContext } from "../lib/admin-context.server";
import { errorResponse } from "../lib/domain-error-response.server";
import { reportRequest } from "../domain/reports/report-request";
import { runReport } from "../domain/reports/run-report.server";
import { reportCsv } from "../domain/reports/report-csv";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const asked = reportRequest(params.name, new URL(request.url).searchParams);
  if ("problem" in asked) return new Response(asked.problem, { status: 400 });
  try {
    const { report, result } = await runReport(shopId, asked.name, asked.options);
    return new Response(reportCsv(report, result), {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${report.name}-report.csv"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    throw errorResponse(error);
  }
};
