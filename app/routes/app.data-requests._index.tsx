// Customer data requests (customers/data_request): each request Shopify forwarded, with the export
// of what Lotkeeper holds for that customer, ready to download and hand over (within 30 days).
// Newest first, keyset-paged. A later customers/redact removes the customer's exports.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, IndexTable, Page, Text } from "@shopify/polaris";
import { adminContext, forClient } from "../lib/admin-context.server";
import { pool } from "../db.server";
import { listDataRequestPage } from "../domain/privacy/privacy.server";
import { errorResponse } from "../lib/domain-error-response.server";
import { DownloadButton } from "../components/download-button";
import { EmptyList } from "../components/empty-list";
import { KeysetPagination } from "../components/keyset-pagination";
import { RouteError } from "../components/route-error";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  try {
    const page = await listDataRequestPage(pool(), shopId, { cursor: new URL(request.url).searchParams.get("after"), limit: 50 });
    return forClient(page);
  } catch (error) {
    throw errorResponse(error);
  }
};

export default function DataRequests() {
  const { requests, nextCursor } = useLoaderData<typeof loader>();
  return (
    <Page title="Customer data requests" backAction={{ content: "Settings", url: "/app/settings" }}>
      <BlockStack gap="300">
        <Text as="p" tone="subdued">
          When a customer asks your store for their data, Shopify forwards the request and Lotkeeper stores an export of what it holds about them (orders, lots
          shipped to them, recalls naming them). Download it and send it to the customer within 30 days.
        </Text>
        <Card padding="0">
          {requests.length === 0 ? (
            <EmptyList heading="No data requests">Requests appear here when a customer asks your store for their data.</EmptyList>
          ) : (
            <IndexTable
              resourceName={{ singular: "data request", plural: "data requests" }}
              itemCount={requests.length}
              selectable={false}
              headings={[{ title: "Received" }, { title: "Customer" }, { title: "Email" }, { title: "Orders" }, { title: "Shipments" }, { title: "Export" }]}
            >
              {requests.map((r, i) => (
                <IndexTable.Row id={r.id} key={r.id} position={i}>
                  <IndexTable.Cell>{r.createdAt.slice(0, 16).replace("T", " ")}</IndexTable.Cell>
                  <IndexTable.Cell>{r.customerId ?? "Guest"}</IndexTable.Cell>
                  <IndexTable.Cell>{r.email ?? "—"}</IndexTable.Cell>
                  <IndexTable.Cell>{r.orders}</IndexTable.Cell>
                  <IndexTable.Cell>{r.shipments}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <DownloadButton url={`/app/data-requests/${r.id}`}>Download JSON</DownloadButton>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          )}
          <KeysetPagination nextCursor={nextCursor} />
        </Card>
      </BlockStack>
    </Page>
  );
}

export const ErrorBoundary = () => <RouteError title="Customer data requests" />;
