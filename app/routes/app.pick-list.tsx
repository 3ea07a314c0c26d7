// Pick list: what the picker takes, lot by lot, for one order (?order=, at its open fulfilment's
// location or ?location=) or for every open order at a location (?location=). A plain table that
// prints as it is, with the CSV and JSON downloads. Read-only (docs/decisions/098-pick-lists.md).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { adminContext, forClient } from "../lib/admin-context.server";
import { pool } from "../db.server";
import { refusalMessage } from "../lib/domain-error-response.server";
import { listLocations } from "../domain/overview/choices.server";
import { parsePickListRequest } from "../domain/picking/pick-list-request";
import { pickListForLocation, pickListForOrder } from "../domain/picking/pick-list.server";
import { DownloadButton } from "../components/download-button";
import { RouteError } from "../components/route-error";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const url = new URL(request.url);
  const locations = await listLocations(pool(), shopId);
  const asked = parsePickListRequest(url.searchParams);
  const query = { order: url.searchParams.get("order") ?? "", location: url.searchParams.get("location") ?? "" };
  if (asked.kind === "none") return forClient({ query, locations, list: null, error: null });
  if (asked.kind === "invalid") return forClient({ query, locations, list: null, error: asked.message });
  try {
    const list = asked.kind === "order" ? await pickListForOrder(shopId, asked.order, asked.locationId) : await pickListForLocation(shopId, asked.locationId);
    return forClient({ query, locations, list, error: null });
  } catch (error) {
    return forClient({ query, locations, list: null, error: refusalMessage(error) });
  }
};

const STATUS_WORDS: Record<string, string> = {
  pick: "",
  "no-lot-available": "No lot available",
  manual: "Choose the lot (manual)",
  "not-lot-tracked": "Not lot-tracked",
};

export default function PickListPage() {
  const data = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const [order, setOrder] = useState(data.query.order);
  const [location, setLocation] = useState(data.query.location);
  const list = data.list;
  const downloadQuery = new URLSearchParams({
    ...(data.query.order ? { order: data.query.order } : {}),
    ...(data.query.location ? { location: data.query.location } : {}),
  });
  return (
    <Page title="Pick list">
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="get">
              <InlineStack gap="300" blockAlign="end">
                <TextField
                  label="Order (leave empty for every open order)"
                  name="order"
                  value={order}
                  onChange={setOrder}
                  autoComplete="off"
                  placeholder="#1001"
                />
                <Select
                  label="Location"
                  name="location"
                  value={location}
                  onChange={setLocation}
                  options={[{ label: "Choose (an order: its open fulfilment's)", value: "" }, ...data.locations.map((l) => ({ label: l.name, value: l.id }))]}
                />
                <Button submit variant="primary" loading={navigation.state === "loading"}>
                  Show pick list
                </Button>
              </InlineStack>
            </Form>
          </Card>
        </Layout.Section>
        {data.error ? (
          <Layout.Section>
            <Banner tone="warning" title="No pick list">
              <p>{data.error}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {list ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {list.location.name ?? `Location ${list.location.id}`}: {list.orders.length} order{list.orders.length === 1 ? "" : "s"},{" "}
                    {list.totals.toPick} units to pick
                    {list.totals.noLotAvailable > 0 ? `, ${list.totals.noLotAvailable} with no lot available` : ""}
                  </Text>
                  <InlineStack gap="200">
                    <Button onClick={() => window.print()}>Print</Button>
                    <DownloadButton url={`/app/pick-list/export?${downloadQuery}&format=csv`}>Download CSV</DownloadButton>
                    <DownloadButton url={`/app/pick-list/export?${downloadQuery}&format=json`}>Download JSON</DownloadButton>
                    <DownloadButton url={`/app/pick-list/export?${downloadQuery}&format=pdf`}>Download PDF (A4)</DownloadButton>
                    <DownloadButton url={`/app/pick-list/export?${downloadQuery}&format=pdf&paper=letter`}>Download PDF (Letter)</DownloadButton>
                  </InlineStack>
                </InlineStack>
                <Text as="p" tone="subdued">
                  Planned by the shop&apos;s allocation strategy over the lot balances on hand now; nothing is reserved.
                </Text>
                {list.lots.map((group) => (
                  <BlockStack key={group.lotId ?? "none"} gap="100">
                    <Text as="h3" variant="headingSm">
                      {group.lotNumber ? `Lot ${group.lotNumber}${group.expiresOn ? `, expires ${group.expiresOn}` : ""}` : "Without a lot"}:{" "}
                      {group.totalQuantity}
                    </Text>
                    <DataTable
                      columnContentTypes={["text", "text", "text", "text", "numeric", "text"]}
                      headings={["Order", "SKU", "Product", "Bin", "Quantity", "Note"]}
                      rows={group.rows.map((r) => [
                        r.orderName ?? r.orderId,
                        r.sku ?? "",
                        r.title ?? "",
                        r.bin ?? "",
                        r.quantity,
                        STATUS_WORDS[r.status] ?? r.status,
                      ])}
                    />
                  </BlockStack>
                ))}
                {list.rows.length === 0 ? <Text as="p">Nothing left to pick.</Text> : null}
                <Text as="p" variant="headingSm">
                  Total: {list.totals.quantity} units
                </Text>
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}

export const ErrorBoundary = () => <RouteError title="Pick list" />;
