// One report (app/domain/reports/registry.ts): its chart, its table and a CSV download, counted
// from today in the shop's time zone. ?location=<id> narrows it to one location.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, DataTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { adminContext } from "../lib/admin-context.server";
import { errorResponse } from "../lib/domain-error-response.server";
import { reportRequest } from "../domain/reports/report-request";
import { runReport } from "../domain/reports/run-report.server";
import { BarChart } from "../components/bar-chart";
import { DownloadButton } from "../components/download-button";
import { RouteError } from "../components/route-error";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const asked = reportRequest(params.name, new URL(request.url).searchParams);
  if ("problem" in asked) throw new Response(asked.problem, { status: 400 });
  try {
    const { report, result } = await runReport(shopId, asked.name, asked.options);
    return {
      name: report.name,
      title: report.title,
      description: report.description,
      columns: report.columns,
      chart: report.chart,
      rows: result.rows,
      chartPoints: result.chartPoints ?? result.rows,
      query: new URL(request.url).search,
      currency: typeof result.json.currency === "string" ? result.json.currency : null,
    };
  } catch (error) {
    throw errorResponse(error);
  }
};

export default function ReportPage() {
  const { name, title, description, columns, chart, rows, chartPoints, query, currency } = useLoaderData<typeof loader>();
  const series = chart.series[0]!;
  return (
    <Page title={title} subtitle={description} backAction={{ content: "Reports", url: "/app/reports" }}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  {series.label}
                </Text>
                <DownloadButton url={`/app/reports/${name}/export${query}`}>Download CSV</DownloadButton>
              </InlineStack>
              <BarChart
                title={`${title}: ${series.label} by ${chart.x}`}
                points={chartPoints}
                x={chart.x}
                y={series.key}
                caption={(p) => (p.value !== undefined && p.value !== null ? `${p.value}${currency ? ` ${currency}` : ""}` : "")}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            {rows.length === 0 ? (
              <div style={{ padding: "var(--p-space-400)" }}>
                <Text as="p" tone="subdued">
                  No units on hand.
                </Text>
              </div>
            ) : (
              <DataTable
                columnContentTypes={columns.map((c) => (c.kind === "text" || c.kind === "day" ? "text" : "numeric"))}
                headings={columns.map((c) => (c.kind === "money" && currency ? `${c.label} (${currency})` : c.label))}
                rows={rows.map((row) => columns.map((c) => row[c.key] ?? "—"))}
              />
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export const ErrorBoundary = () => <RouteError title="Report" />;
