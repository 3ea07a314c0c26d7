// One long operation (a CSV import, ...): its progress while it runs (the page refreshes itself every
// second, and can be left and opened again from Tasks), then what it did or why it failed.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { Badge, Banner, BlockStack, Card, DataTable, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { adminContext, forClient, idParam } from "../lib/admin-context.server";
import { pool } from "../db.server";
import { findTask } from "../domain/overview/attention.server";
import { taskName } from "../domain/overview/labels";
import { RouteError } from "../components/route-error";
import { plural } from "../components/plural";
import { ExpiryTaskLots, type ExpiryTaskResult } from "../components/expiry-task-lots";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const task = await findTask(pool(), shopId, idParam(params.id));
  if (!task) throw new Response("Not found", { status: 404 });
  return forClient({ task });
};

interface ImportResult {
  mode?: string;
  imported?: number;
  lotsCreated?: number;
  units?: number;
  unitsFromIncompleteLots?: number;
  problems?: { row: number; column: string | null; reason: string }[];
  problemCount?: number;
}

export default function TaskPage() {
  const { task } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const running = task.status === "RUNNING";
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 1000);
    return () => clearInterval(timer);
  }, [running, revalidator]);
  const result = (task.result ?? {}) as ImportResult;
  const name = taskName(task.kind);
  const percent = task.total ? Math.floor((task.done / task.total) * 100) : task.status === "DONE" ? 100 : 0;
  return (
    <Page
      title={`${name} #${task.id}`}
      subtitle={`Started ${task.createdAt.replace("T", " ").slice(0, 19)} UTC`}
      backAction={{ content: "Tasks", url: "/app/tasks" }}
    >
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="200" blockAlign="center">
                {running ? (
                  <Badge tone="info">Running</Badge>
                ) : task.status === "DONE" ? (
                  <Badge tone="success">Done</Badge>
                ) : (
                  <Badge tone="critical">Failed</Badge>
                )}
                {task.kind === "lots.import" ? <Text as="span" variant="bodyMd">{`${task.done} of ${plural(task.total, "row")}`}</Text> : null}
              </InlineStack>
              <ProgressBar progress={percent} tone={task.status === "FAILED" ? "critical" : "primary"} />
              {running ? (
                <Text as="p" tone="subdued">
                  All rows are imported together: nothing shows in Lots until the last row is in. You can leave this page; the import keeps running and Tasks
                  lists it.
                </Text>
              ) : null}
              {task.status === "DONE" && task.kind === "lots.import" ? (
                <Banner
                  tone="success"
                  title={`Imported ${plural(result.imported ?? task.total, "row")}: ${plural(result.units ?? 0, "unit")}, ${plural(result.lotsCreated ?? 0, "new lot")}`}
                >
                  <BlockStack gap="100">
                    {result.unitsFromIncompleteLots ? (
                      <Text as="p">{`${plural(result.unitsFromIncompleteLots, "unit was", "units were")} taken from incomplete lots the import identified.`}</Text>
                    ) : null}
                    <Text as="p">
                      {result.mode === "receipts"
                        ? "Shopify's quantities are being raised by these receipts."
                        : "Opening stock: Shopify's quantities were not changed."}
                    </Text>
                    <Link to="/app/lots">Open Lots</Link>
                  </BlockStack>
                </Banner>
              ) : null}
              {task.status === "FAILED" ? (
                <Banner tone="critical" title={task.kind === "lots.import" ? "Failed: nothing was imported" : "Failed"}>
                  <BlockStack gap="100">
                    <Text as="p">{task.error ?? "The task failed."}</Text>
                    {task.kind === "lots.import" ? <Link to="/app/receive">Fix the file and import it again</Link> : null}
                  </BlockStack>
                </Banner>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
        {task.kind === "expiry.daily" ? <ExpiryTaskLots result={task.result as ExpiryTaskResult} /> : null}
        {result.problems && result.problems.length > 0 ? (
          <Layout.Section>
            <Card padding="0">
              <DataTable
                columnContentTypes={["numeric", "text", "text"]}
                headings={["Row", "Column", "Problem"]}
                rows={result.problems.map((p) => [p.row, p.column ?? "—", p.reason])}
                footerContent={
                  (result.problemCount ?? 0) > result.problems.length
                    ? `${(result.problemCount ?? 0) - result.problems.length} more problems not shown`
                    : undefined
                }
              />
            </Card>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}

export const ErrorBoundary = () => <RouteError title="Task" />;
