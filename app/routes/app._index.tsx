// Home: what needs the merchant's attention now, each item linking to where it is dealt with.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { adminContext, forClient } from "../lib/admin-context.server";
import { pool } from "../db.server";
import { attentionFor } from "../domain/overview/attention.server";
import { RouteError } from "../components/route-error";
import { LotStatusBadge } from "../components/lot-status-badge";
import { plural } from "../components/plural";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, shopId } = await adminContext(request);
  const attention = await attentionFor(pool(), shopId, shop);
  return { shop, windowDays: attention.expiryWindowDays, attention: forClient(attention) };
};

function Metric({ label, value, tone, to, detail }: { label: string; value: number; tone?: "critical" | "warning"; to: string; detail?: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <InlineStack gap="200" blockAlign="center">
          <Text as="p" variant="heading2xl">
            {value}
          </Text>
          {value > 0 && tone ? <Badge tone={tone}>{tone === "critical" ? "Act now" : "Review"}</Badge> : null}
        </InlineStack>
        {detail ? (
          <Text as="p" tone="subdued">
            {detail}
          </Text>
        ) : null}
        <Link to={to}>View</Link>
      </BlockStack>
    </Card>
  );
}

export default function Home() {
  const { attention, windowDays } = useLoaderData<typeof loader>();
  const a = attention;
  const nothing =
    a.expiringSoon.count +
      a.quarantinedOrRecalled.count +
      a.unknownLotUnits.units +
      a.openDiscrepancies +
      a.failedWebhooks +
      a.openRecalls.count +
      a.incompleteLots ===
    0;
  return (
    <Page title="Home" subtitle="What needs attention now">
      <Layout>
        {nothing ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Nothing needs attention
                </Text>
                <Text as="p">
                  No lot expires within {windowDays} days, nothing is quarantined or recalled, and every shipped unit is assigned to a lot.{" "}
                  <Link to="/app/receive">Receive a lot</Link> to start tracking stock.
                </Text>
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
            <Metric label={`Expiring within ${windowDays} days`} value={a.expiringSoon.count} tone="warning" to={`/app/lots?expiry=${windowDays}`} />
            <Metric label="Quarantined or recalled lots" value={a.quarantinedOrRecalled.count} tone="warning" to="/app/lots?status=held" />
            <Metric
              label="Unknown-lot units to resolve"
              value={a.unknownLotUnits.units}
              tone="critical"
              to="/app/review"
              detail={a.unknownLotUnits.allocations ? `in ${plural(a.unknownLotUnits.allocations, "shipment line")}` : undefined}
            />
            <Metric label="Open recalls" value={a.openRecalls.count} tone="critical" to="/app/recalls" />
            <Metric label="Stock discrepancies" value={a.openDiscrepancies} tone="warning" to="/app/review" />
            <Metric
              label="Failed webhook events"
              value={a.failedWebhooks}
              tone="critical"
              to="/app/tasks"
              detail={a.failedWebhooks ? "Listed under Tasks, each with Retry" : undefined}
            />
            <Metric
              label="Lots to complete"
              value={a.incompleteLots}
              tone="warning"
              to="/app/lots?status=INCOMPLETE"
              detail="Created from unexplained Shopify stock"
            />
            <Metric label="Changes waiting to reach Shopify" value={a.pendingSync} to="/app/tasks" />
          </InlineGrid>
        </Layout.Section>
        {a.lastExpiryCheck ? (
          <Layout.Section>
            <Card>
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingSm">
                  {`Expiry check of ${a.lastExpiryCheck.day}`}
                </Text>
                <Text as="p">{`${plural(a.lastExpiryCheck.expired, "lot")} expired, ${plural(a.lastExpiryCheck.alerted, "lot")} entered the alert window.`}</Text>
                {a.lastExpiryCheck.digest ? (
                  <Text as="p" tone="subdued">
                    {`Digest: ${a.lastExpiryCheck.digest}.`}
                  </Text>
                ) : null}
                <Link to={`/app/tasks/${a.lastExpiryCheck.taskId}`}>Open the check</Link>
                <Link to="/app/reports/expiry">Stock by expiry</Link>
              </InlineStack>
            </Card>
          </Layout.Section>
        ) : null}
        {a.expiringSoon.lots.length > 0 ? (
          <Layout.Section variant="oneHalf">
            <LotList title={`Expiring within ${windowDays} days`} lots={a.expiringSoon.lots} />
          </Layout.Section>
        ) : null}
        {a.quarantinedOrRecalled.lots.length > 0 ? (
          <Layout.Section variant="oneHalf">
            <LotList title="Quarantined or recalled" lots={a.quarantinedOrRecalled.lots} />
          </Layout.Section>
        ) : null}
        {a.openRecalls.recalls.length > 0 ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Open recalls
                </Text>
                {a.openRecalls.recalls.map((r) => (
                  <InlineStack key={r.id} gap="200">
                    <Link to={`/app/recalls/${r.id}`}>{r.reference}</Link>
                    <Text as="span" tone="subdued">
                      {r.reason} · opened {r.openedAt.slice(0, 10)}
                    </Text>
                  </InlineStack>
                ))}
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}

function LotList({
  title,
  lots,
}: {
  title: string;
  lots: { lotId: string; lotNumber: string; product: string; expiresOn: string | null; status: string; onHand: number }[];
}) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        {lots.map((lot) => (
          <InlineStack key={lot.lotId} gap="200" blockAlign="center" wrap={false}>
            <Link to={`/app/lots/${lot.lotId}`}>{lot.lotNumber}</Link>
            <Text as="span" tone="subdued" truncate>
              {lot.product}
            </Text>
            <LotStatusBadge status={lot.status} expiresOn={lot.expiresOn} />
            <Text as="span">{lot.onHand} on hand</Text>
          </InlineStack>
        ))}
      </BlockStack>
    </Card>
  );
}

export const ErrorBoundary = () => <RouteError title="Home" />;
