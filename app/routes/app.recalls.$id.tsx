// A recall case: totals, lots in scope, on-hand quarantine, progress of contacting customers and
// of the Shopify tagging jobs (refreshes itself while jobs are pending: leave and come back at any
// time), the customer list with each one's contact status, CSV and EPCIS downloads, closing.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  IndexTable,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  Select,
  Text,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { adminContext, forClient, idParam } from "../lib/admin-context.server";
import { closeRecall, getRecall, listRecallCustomers, setCustomerContactStatus } from "../domain/recall/recall-case.server";
import { refusal } from "../lib/domain-error-response.server";
import { parseContactStatus } from "../domain/recall/recall-rules";
import { outboxSummary } from "../domain/sync/outbox.server";
import { parseEffectivenessChoice } from "../domain/recall/effectiveness-rules";
import { setRecallEffectivenessLevel } from "../domain/recall/recall-effectiveness.server";
import { EffectivenessCard, MassBalanceCard } from "../components/recall-mass-balance";
import { failed, ok, useResultToast } from "../components/action-result";
import { DownloadButton } from "../components/download-button";
import { KeysetPagination } from "../components/keyset-pagination";
import { LotStatusBadge } from "../components/lot-status-badge";
import { OrderLinks } from "../components/order-links";
import { plural } from "../components/plural";
import { EmptyList } from "../components/empty-list";
import { RouteError } from "../components/route-error";
import { InvalidCursorError } from "../domain/recall/errors";
import { recallNoticesView, requestRecallNotices, setNoticeDetails } from "../domain/recall/recall-notices.server";
import { parseNoticeDetails } from "../domain/recall/notice-rules";
import { RecallNoticesCard } from "../components/recall-notices-card";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const recallId = idParam(params.id);
  const recall = await getRecall(shopId, recallId);
  if (!recall) throw new Response("Not found", { status: 404 });
  const url = new URL(request.url);
  const customersPage = listRecallCustomers(shopId, recallId, url.searchParams.get("after"), { limit: 50 }).catch((error: unknown) => {
    if (error instanceof InvalidCursorError) throw new Response(error.message, { status: 400 });
    throw error;
  });
  const [customers, sync, notices] = await Promise.all([customersPage, outboxSummary(shopId), recallNoticesView(shopId, recallId)]);
  return forClient({ recall, customers, sync, notices, opened: url.searchParams.get("opened") === "1" });
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const recallId = idParam(params.id);
  const form = await request.formData();
  try {
    if (form.get("intent") === "contact") {
      const status = parseContactStatus(String(form.get("status") ?? ""));
      await setCustomerContactStatus(shopId, recallId, String(form.get("customerKey") ?? ""), status);
      return ok(`${form.get("name") || "Customer"}: ${status.toLowerCase().replace("_", " ")}`);
    }
    if (form.get("intent") === "notice-details") {
      await setNoticeDetails(shopId, recallId, parseNoticeDetails(Object.fromEntries(form)));
      return ok("Notice details saved");
    }
    if (form.get("intent") === "send-notices") {
      await requestRecallNotices(shopId, recallId);
      return ok("Sending notices: each customer with an email gets one; progress shows on this page");
    }
    if (form.get("intent") === "close") {
      const closed = await closeRecall(shopId, recallId);
      return ok(
        `Recall ${closed.reference} closed. Its lots stay quarantined: release each cleared lot from its lot page (Release from quarantine). A lot still covered by another open recall cannot be released.`,
      );
    }
    if (form.get("intent") === "effectiveness") {
      const choice = parseEffectivenessChoice(String(form.get("level") ?? ""), String(form.get("percent") ?? ""));
      await setRecallEffectivenessLevel(shopId, recallId, choice);
      return ok(`Effectiveness-check level ${choice.level} saved`);
    }
    return failed("Unknown action");
  } catch (error) {
    return refusal(error, { resource: "recall" });
  }
};

const CONTACT_LABELS: Record<string, string> = { TO_CONTACT: "To contact", CONTACTED: "Contacted", RETURNED: "Returned", DESTROYED: "Destroyed" };

export default function RecallCase() {
  const { recall, customers, sync, notices, opened } = useLoaderData<typeof loader>();
  const closeFetcher = useFetcher<typeof action>();
  useResultToast(closeFetcher.data);
  const revalidator = useRevalidator();
  const t = recall.totals;
  const tagging = recall.tagging;
  const working = Boolean((tagging && tagging.pending > 0) || sync.pending > 0 || notices.progress.queued + notices.progress.sending > 0);
  useEffect(() => {
    if (!working) return;
    const timer = setInterval(() => revalidator.revalidate(), 3000);
    return () => clearInterval(timer);
  }, [working, revalidator]);
  const open = recall.status === "OPEN";
  // Closing cannot be undone from here: the first click asks, the second closes.
  const [confirmClose, setConfirmClose] = useState(false);

  return (
    <Page
      title={`Recall ${recall.reference}`}
      subtitle={recall.reason}
      titleMetadata={open ? <Badge tone="critical">Open</Badge> : <Badge>Closed</Badge>}
      backAction={{ content: "Recalls", url: "/app/recalls" }}
    >
      <Layout>
        {opened ? (
          <Layout.Section>
            <Banner tone="success" title="Recall opened">
              {plural(t.onHandUnits, "unit")} on hand {t.onHandUnits === 1 ? "was" : "were"} quarantined, {plural(t.customers, "customer")}{" "}
              {t.customers === 1 ? "is" : "are"} listed to contact{recall.tagShopify ? ", and tagging in Shopify has started" : ""}.
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <InlineGrid columns={{ xs: 2, md: 6 }} gap="300">
            <Figure label="Customers" value={t.customers} />
            <Figure label="Orders" value={t.orders} />
            <Figure label="Units shipped" value={t.shippedUnits} />
            <Figure label="Returned" value={t.returnedUnits} />
            <Figure label="Still with customers" value={t.outstandingUnits} />
            <Figure
              label="On hand"
              value={t.onHandUnits}
              detail={t.onHandUnits === 0 ? undefined : t.quarantinedUnits === t.onHandUnits ? "all quarantined" : `${t.quarantinedUnits} quarantined`}
            />
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Progress
              </Text>
              <ProgressRow
                label="Customers contacted"
                progress={recall.progress.completionPercent}
                detail={`${recall.progress.customers - recall.progress.toContact} of ${recall.progress.customers} (${recall.progress.returned} returned, ${recall.progress.destroyed} destroyed)`}
              />
              <ProgressRow
                label="Stock quarantined"
                progress={t.onHandUnits === 0 ? 100 : Math.floor((t.quarantinedUnits / t.onHandUnits) * 100)}
                detail={`${t.quarantinedUnits} of ${t.onHandUnits} units on hand; ${plural(sync.pending, "change")} waiting to reach Shopify${sync.failed ? `, ${sync.failed} failed` : ""}`}
              />
              {tagging ? (
                <ProgressRow
                  label={`Shopify tag “${tagging.tag}”`}
                  progress={tagging.total === 0 ? 100 : Math.floor((tagging.sent / tagging.total) * 100)}
                  detail={`${tagging.sent} of ${tagging.total} orders and customers tagged${tagging.failed ? `, ${tagging.failed} failed` : ""}${tagging.pending ? " (in progress, you can leave this page)" : ""}`}
                />
              ) : (
                <Text as="p" tone="subdued">
                  Orders and customers are not tagged in Shopify for this recall.
                </Text>
              )}
              <InlineStack gap="200">
                <DownloadButton url={`/app/recalls/${recall.id}/export?format=csv`}>Download CSV</DownloadButton>
                <DownloadButton url={`/app/recalls/${recall.id}/export?format=epcis`}>Download EPCIS</DownloadButton>
                <DownloadButton url={`/app/recalls/${recall.id}/export?format=fsma204`}>Download FSMA 204 sheet</DownloadButton>
                {open && !confirmClose ? (
                  <Button tone="critical" onClick={() => setConfirmClose(true)}>
                    Close recall
                  </Button>
                ) : null}
              </InlineStack>
              {open && confirmClose ? (
                <Banner tone="warning" title={`Close recall ${recall.reference}?`}>
                  <BlockStack gap="200">
                    <Text as="p">
                      {`Contact statuses can no longer be changed. The lots stay quarantined until you release each cleared lot from its page.${recall.progress.toContact ? ` ${plural(recall.progress.toContact, "customer is", "customers are")} still to contact.` : ""}`}
                    </Text>
                    <InlineStack gap="200">
                      <Button
                        variant="primary"
                        tone="critical"
                        loading={closeFetcher.state !== "idle"}
                        onClick={() => closeFetcher.submit({ intent: "close" }, { method: "post" })}
                      >
                        Yes, close recall
                      </Button>
                      <Button onClick={() => setConfirmClose(false)}>Keep open</Button>
                    </InlineStack>
                  </BlockStack>
                </Banner>
              ) : null}
              {closeFetcher.data ? (
                closeFetcher.data.ok ? (
                  <Banner tone="success" title="Recall closed">
                    {closeFetcher.data.message}
                  </Banner>
                ) : (
                  <Banner tone="critical" title="Not closed">
                    {closeFetcher.data.error}
                  </Banner>
                )
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <RecallNoticesCard notices={notices} open={open} />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Lots in scope
              </Text>
              <DataTable
                columnContentTypes={["text", "text", "text", "text", "text"]}
                headings={["Lot", "Why", "Status", "Expires", "Supplier"]}
                rows={recall.lots.map((l) => [
                  <Link key={l.lotId} to={`/app/lots/${l.lotId}`}>
                    {l.lotNumber}
                  </Link>,
                  l.direct ? "Recalled" : `Made from a recalled lot (${plural(l.depth, "step")})`,
                  <LotStatusBadge key="s" status={l.status} expiresOn={l.expiresOn} />,
                  l.expiresOn ?? "—",
                  [l.supplier, l.supplierLot].filter(Boolean).join(" / ") || "—",
                ])}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <EffectivenessCard effectiveness={recall.effectiveness} editable={open} />
        </Layout.Section>
        <Layout.Section>
          <MassBalanceCard lots={recall.massBalance.lots} total={recall.massBalance.total} />
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <div style={{ padding: "var(--p-space-400)" }}>
              <Text as="h2" variant="headingMd">
                Customers to contact
              </Text>
            </div>
            {customers.customers.length === 0 ? (
              <EmptyList heading="No customer received these lots">Nobody to contact: the units are all still on hand.</EmptyList>
            ) : (
              <IndexTable
                resourceName={{ singular: "customer", plural: "customers" }}
                itemCount={customers.customers.length}
                selectable={false}
                headings={[
                  { title: "Customer" },
                  { title: "Email" },
                  { title: "Phone" },
                  { title: "Orders" },
                  { title: "Units" },
                  { title: "Returned" },
                  { title: "Status" },
                ]}
              >
                {customers.customers.map((c, i) => (
                  <IndexTable.Row id={c.customerKey} key={c.customerKey} position={i}>
                    <IndexTable.Cell>
                      <span data-recall-customer={c.customerKey}>{c.redacted ? "(redacted customer)" : (c.name ?? "(guest)")}</span>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{c.email ?? "—"}</IndexTable.Cell>
                    <IndexTable.Cell>{c.phone ?? "—"}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <OrderLinks orders={c.orders} />
                    </IndexTable.Cell>
                    <IndexTable.Cell>{c.units}</IndexTable.Cell>
                    <IndexTable.Cell>{c.returnedUnits}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <ContactStatus customerKey={c.customerKey} name={c.name} status={c.contactStatus} disabled={!open} />
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
            <KeysetPagination nextCursor={customers.nextCursor} />
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Figure({ label, value, detail }: { label: string; value: number; detail?: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="p" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
        {detail ? (
          <Text as="p" tone="subdued">
            {detail}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function ProgressRow({ label, progress, detail }: { label: string; progress: number; detail: string }) {
  return (
    <BlockStack gap="100">
      <InlineStack align="space-between">
        <Text as="span" fontWeight="medium">
          {label}
        </Text>
        <Text as="span" tone="subdued">
          {detail}
        </Text>
      </InlineStack>
      <ProgressBar progress={progress} size="small" tone={progress >= 100 ? "success" : "highlight"} />
    </BlockStack>
  );
}

function ContactStatus({ customerKey, name, status, disabled }: { customerKey: string; name: string | null; status: string; disabled: boolean }) {
  const fetcher = useFetcher<typeof action>();
  useResultToast(fetcher.data);
  const current = fetcher.formData ? String(fetcher.formData.get("status")) : status;
  return (
    <Select
      label={`Contact status of ${name ?? customerKey}`}
      labelHidden
      disabled={disabled}
      value={current}
      options={Object.entries(CONTACT_LABELS).map(([value, label]) => ({ value, label }))}
      onChange={(value) => fetcher.submit({ intent: "contact", customerKey, status: value, name: name ?? "" }, { method: "post" })}
    />
  );
}

export const ErrorBoundary = () => <RouteError title="Recall" />;
