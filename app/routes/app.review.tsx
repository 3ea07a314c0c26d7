// Review: what the app could not decide alone. Shipped units on the unknown-lot record (no lot
// covered them, or the product's strategy is manual) are assigned to the lot they really came
// from; stock discrepancies (units the lots have and Shopify does not) are marked resolved once
// the merchant has corrected the lot or Shopify.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, IndexTable, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { adminContext, forClient } from "../lib/admin-context.server";
import { withTransaction } from "../lib/sql.server";
import { listAllocationsForReview } from "../domain/allocation/queries.server";
import { moveAllocation } from "../domain/allocation/move-allocation.server";
import { moveAllocationRequest, moveRequestProblems } from "../domain/allocation/move-request";
import { refusal } from "../lib/domain-error-response.server";
import { listLots } from "../domain/lots/lot-queries.server";
import { listDiscrepancies, resolveDiscrepancy } from "../domain/reconcile/reconcile.server";
import { listLocations } from "../domain/overview/choices.server";
import { pool } from "../db.server";
import { failed, ok, useResultToast } from "../components/action-result";
import { plural } from "../components/plural";
import { KeysetPagination } from "../components/keyset-pagination";
import { EmptyList } from "../components/empty-list";
import { RouteError } from "../components/route-error";
import { parseId } from "../lib/ids";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const cursor = new URL(request.url).searchParams.get("after");
  const [review, discrepancies, locations] = await Promise.all([
    listAllocationsForReview(shopId, cursor, { limit: 25 }),
    listDiscrepancies(shopId),
    listLocations(pool(), shopId),
  ]);
  // Lots that could have shipped each line: same variant, units at that location.
  const candidates = await Promise.all(
    review.items.map(async (item) =>
      (await listLots(shopId, { variantId: item.variantId, locationId: item.locationId, inStock: true, limit: 20 })).lots.map((l) => ({
        id: l.id,
        lotNumber: l.lotNumber,
        expiresOn: l.expiresOn,
        status: l.status,
      })),
    ),
  );
  return forClient({
    items: review.items.map((item, i) => ({ ...item, candidates: candidates[i]! })),
    nextCursor: review.nextCursor,
    discrepancies,
    locations,
  });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shopId, shop } = await adminContext(request);
  const form = await request.formData();
  const id = parseId(String(form.get("id") ?? ""));
  if (id === null) return failed("Unknown item");
  if (form.get("intent") === "resolve-discrepancy") {
    return (await resolveDiscrepancy(shopId, id)) ? ok("Discrepancy marked resolved") : failed("That discrepancy is already resolved or does not exist");
  }
  // "assign": the move of app.allocations.$id.move, parsed by the same schema.
  const text = (name: string) => (typeof form.get(name) === "string" ? (form.get(name) as string) : undefined);
  const parsed = moveAllocationRequest.safeParse({ allocationId: id.toString(), lotId: text("lotId"), quantity: text("quantity") });
  if (!parsed.success) {
    const problems = moveRequestProblems(parsed.error);
    if (problems.allocationId) return failed("Unknown item");
    if (problems.lotId) return failed("Choose the lot the units came from", { lotId: "choose a lot" });
    return failed("Units must be a whole number above 0", { quantity: "whole number above 0" });
  }
  const { allocationId, lotId, quantity } = parsed.data;
  try {
    const result = await withTransaction((sql) =>
      moveAllocation(sql, { shopId, allocationId, toLotId: lotId!, quantity, cause: "USER", causeRef: `admin:${shop}` }),
    );
    return ok(
      `${plural(result.moved.quantity, "unit")} assigned to ${String(form.get("lotNumber") ?? "the lot")}${result.remainder ? `; ${result.remainder.quantity} stay to resolve` : ""}`,
    );
  } catch (error) {
    return refusal(error, { resource: "allocation" });
  }
};

type Item = ReturnType<typeof useLoaderData<typeof loader>>["items"][number];

export default function Review() {
  const { items, nextCursor, discrepancies, locations } = useLoaderData<typeof loader>();
  const locationName = (id: string) => locations.find((l) => l.id === id)?.name ?? `Location ${id}`;
  return (
    <Page title="Review" subtitle="Shipments without a known lot, and stock the lots and Shopify disagree on">
      <Layout>
        <Layout.Section>
          <Card padding="0">
            <div style={{ padding: "var(--p-space-400)" }}>
              <Text as="h2" variant="headingMd">
                Shipped units to assign to a lot
              </Text>
            </div>
            {items.length === 0 ? (
              <EmptyList heading="Every shipped unit has its lot">Units no lot could cover (or of products with the manual strategy) appear here.</EmptyList>
            ) : (
              <IndexTable
                resourceName={{ singular: "shipment line", plural: "shipment lines" }}
                itemCount={items.length}
                selectable={false}
                headings={[{ title: "Order" }, { title: "Product" }, { title: "Location" }, { title: "Units" }, { title: "Why" }, { title: "Assign to lot" }]}
              >
                {items.map((item, index) => (
                  <IndexTable.Row id={item.allocationId} key={item.allocationId} position={index}>
                    <IndexTable.Cell>{item.orderName ?? item.orderId}</IndexTable.Cell>
                    <IndexTable.Cell>{item.title ?? item.sku ?? item.variantId}</IndexTable.Cell>
                    <IndexTable.Cell>{locationName(item.locationId)}</IndexTable.Cell>
                    <IndexTable.Cell>{item.quantity - item.returnedQuantity}</IndexTable.Cell>
                    <IndexTable.Cell>
                      {item.reason === "manual" ? <Badge>Manual strategy</Badge> : <Badge tone="attention">No lot had units</Badge>}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <AssignLot item={item} />
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
            <KeysetPagination nextCursor={nextCursor} />
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Stock discrepancies
              </Text>
              {discrepancies.length === 0 ? (
                <Text as="p">None: Shopify has every unit the lots say.</Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "text"]}
                  headings={["Product", "Location", "Lots say", "Shopify has", "Missing", ""]}
                  rows={discrepancies.map((d) => [
                    <Link key={d.id} to={`/app/lots?variant=${d.variantId}&location=${d.locationId}`}>
                      {d.sku ?? d.variantId}
                    </Link>,
                    d.locationName ?? locationName(d.locationId),
                    d.lotsOnHand,
                    d.shopifyOnHand,
                    d.missingUnits,
                    <ResolveDiscrepancy key={`r${d.id}`} id={d.id} />,
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function AssignLot({ item }: { item: Item }) {
  const fetcher = useFetcher<typeof action>();
  useResultToast(fetcher.data);
  const [lotId, setLotId] = useState(item.candidates[0]?.id ?? "");
  const [quantity, setQuantity] = useState("");
  if (item.candidates.length === 0) {
    return (
      <Text as="span" tone="subdued">
        No lot has units there: <Link to="/app/receive">receive one</Link> first
      </Text>
    );
  }
  const lot = item.candidates.find((c) => c.id === lotId);
  const refused = fetcher.data && !fetcher.data.ok ? fetcher.data : null;
  return (
    <BlockStack gap="100">
      <InlineStack gap="200" blockAlign="start" wrap={false}>
        <Select
          label="Lot"
          labelHidden
          value={lotId}
          onChange={setLotId}
          options={item.candidates.map((c) => ({ label: `${c.lotNumber}${c.expiresOn ? ` (exp. ${c.expiresOn})` : ""}`, value: c.id }))}
        />
        <div style={{ width: 80 }}>
          <TextField
            label="Units"
            labelHidden
            placeholder="all"
            value={quantity}
            onChange={setQuantity}
            autoComplete="off"
            error={refused?.errors?.quantity ? true : undefined}
          />
        </div>
        <Button
          loading={fetcher.state !== "idle"}
          onClick={() => fetcher.submit({ intent: "assign", id: item.allocationId, lotId, lotNumber: lot?.lotNumber ?? "", quantity }, { method: "post" })}
        >
          Assign
        </Button>
      </InlineStack>
      {/* A refusal stays next to the row it is about (the toast goes away): nothing was assigned. */}
      {refused ? <Text as="p" tone="critical">{`Not assigned: ${refused.error}`}</Text> : null}
    </BlockStack>
  );
}

function ResolveDiscrepancy({ id }: { id: string }) {
  const fetcher = useFetcher<typeof action>();
  useResultToast(fetcher.data);
  return (
    <Button size="slim" loading={fetcher.state !== "idle"} onClick={() => fetcher.submit({ intent: "resolve-discrepancy", id }, { method: "post" })}>
      Mark resolved
    </Button>
  );
}

export const ErrorBoundary = () => <RouteError title="Review" />;
