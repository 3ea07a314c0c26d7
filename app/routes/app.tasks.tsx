// Tasks: long operations (imports, exports, tagging) with their progress, changes waiting to reach
// Shopify, and webhook deliveries that failed (each with Retry, the replay the operator's CLI does).
// Refreshes itself while something is running.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { adminContext, forClient } from "../lib/admin-context.server";
import { pool } from "../db.server";
import { failedWebhookEvents, listTasks } from "../domain/overview/attention.server";
import { taskName } from "../domain/overview/labels";
import { outboxSummary } from "../domain/sync/outbox.server";
import { replayEvent } from "../domain/webhooks/events.server";
import { refusal } from "../lib/domain-error-response.server";
import { failed as refused, ok, useResultToast, type ActionResult } from "../components/action-result";
import { KeysetPagination } from "../components/keyset-pagination";
import { EmptyList } from "../components/empty-list";
import { RouteError } from "../components/route-error";
import { parseId } from "../lib/ids";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, shopId } = await adminContext(request);
  const after = new URL(request.url).searchParams.get("after");
  const db = pool();
  const [tasks, sync, failed] = await Promise.all([listTasks(db, shopId, { beforeId: parseId(after) }), outboxSummary(shopId), failedWebhookEvents(db, shop)]);
  return forClient({ tasks, sync, failed });
};

/** Retry: queue one of the session shop's failed deliveries again (another shop's id is a 404). */
export const action = async ({ request }: ActionFunctionArgs): Promise<ActionResult> => {
  const { shop } = await adminContext(request);
  const form = await request.formData();
  if (form.get("intent") !== "retry") return refused("Unknown action");
  const webhookId = String(form.get("webhookId") ?? "").trim();
  try {
    const r = await replayEvent(webhookId, { shopDomain: shop });
    return ok(`Retrying the ${r.topic} delivery: it is queued again and leaves this list once processed`);
  } catch (error) {
    return refusal(error, {
      resource: "webhook event",
      messages: { EventAlreadyProcessedError: `The ${webhookId} delivery is already processed: nothing to retry` },
    });
  }
};

export default function Tasks() {
  const { tasks, sync, failed } = useLoaderData<typeof loader>();
  const retry = useFetcher<typeof action>();
  useResultToast(retry.data);
  const revalidator = useRevalidator();
  const running = tasks.tasks.some((t) => t.status === "RUNNING") || sync.pending > 0;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => revalidator.revalidate(), 3000);
    return () => clearInterval(timer);
  }, [running, revalidator]);
  return (
    <Page title="Tasks" subtitle="Long operations keep running when you leave this page">
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Changes to Shopify
              </Text>
              {sync.pending === 0 && sync.failed === 0 ? (
                <Text as="p">Shopify is up to date with every lot change.</Text>
              ) : (
                <Text as="p">
                  {sync.pending} waiting{sync.oldestPendingAt ? ` (oldest since ${sync.oldestPendingAt.replace("T", " ").slice(0, 19)})` : ""}
                  {sync.failed ? `, ${sync.failed} failed` : ""}. They are retried with backoff while Shopify is unreachable or throttling.
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <div style={{ padding: "var(--p-space-400)" }}>
              <Text as="h2" variant="headingMd">
                Operations
              </Text>
            </div>
            {tasks.tasks.length === 0 ? (
              <EmptyList heading="No long operations yet">CSV imports and recall tagging appear here with their progress.</EmptyList>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "text", "text", "text"]}
                headings={["Operation", "Started (UTC)", "Status", "Progress", "Problem"]}
                rows={tasks.tasks.map((t) => [
                  <Link key="n" to={`/app/tasks/${t.id}`}>
                    {taskName(t.kind)}
                  </Link>,
                  t.createdAt.replace("T", " ").slice(0, 19),
                  t.status === "RUNNING" ? (
                    <Badge key="s" tone="info">
                      Running
                    </Badge>
                  ) : t.status === "DONE" ? (
                    <Badge key="s" tone="success">
                      Done
                    </Badge>
                  ) : (
                    <Badge key="s" tone="critical">
                      Failed
                    </Badge>
                  ),
                  <div key="p" style={{ minWidth: 160 }}>
                    <ProgressBar size="small" progress={t.total ? Math.floor((t.done / t.total) * 100) : t.status === "DONE" ? 100 : 0} />
                    <Text as="span" tone="subdued">{`${t.done} of ${t.total}`}</Text>
                  </div>,
                  t.error ?? "",
                ])}
              />
            )}
            <KeysetPagination nextCursor={tasks.nextCursor} />
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Failed webhook deliveries
              </Text>
              {failed.length === 0 ? (
                <Text as="p">None: no delivery from Shopify is waiting on a retry.</Text>
              ) : (
                <>
                  <Banner tone="critical">
                    These deliveries could not be processed. Once the cause is fixed, retry each one (the app's operator can also replay them:{" "}
                    <code>npx lotkeeper events replay &lt;webhook id&gt;</code>).
                  </Banner>
                  <DataTable
                    columnContentTypes={["text", "text", "numeric", "text", "text", "text"]}
                    headings={["Received (UTC)", "Topic", "Attempts", "Webhook id", "Reason", ""]}
                    rows={failed.map((e) => [
                      e.receivedAt.replace("T", " ").slice(0, 19),
                      e.topic,
                      e.attempts,
                      e.webhookId,
                      e.error,
                      <retry.Form key="r" method="post">
                        <input type="hidden" name="intent" value="retry" />
                        <input type="hidden" name="webhookId" value={e.webhookId} />
                        <Button submit size="slim" loading={retry.state !== "idle" && retry.formData?.get("webhookId") === e.webhookId}>
                          Retry
                        </Button>
                      </retry.Form>,
                    ])}
                  />
                </>
              )}
              {retry.data?.ok ? (
                <Banner tone="success" title="Queued again">
                  {retry.data.message}
                </Banner>
              ) : null}
              {retry.data && !retry.data.ok ? (
                <Banner tone="critical" title="Not retried">
                  {retry.data.error}
                </Banner>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export const ErrorBoundary = () => <RouteError title="Tasks" />;
