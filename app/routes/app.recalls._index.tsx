// Recalls: the shop's cases by opened date (newest first, or oldest), keyset-paged, with their
// lots and how far contacting has come; and mock recall drills (decision 106): "Run mock recall"
// traces a lot without changing anything and lists the dated reports.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { Badge, Card, IndexTable, Layout, Page, ProgressBar, Select, Text } from "@shopify/polaris";
import { adminContext, forClient } from "../lib/admin-context.server";
import { listRecalls, type RecallListSort } from "../domain/recall/recall-case.server";
import { errorResponse } from "../lib/domain-error-response.server";
import { EmptyList } from "../components/empty-list";
import { KeysetPagination, withFilter } from "../components/keyset-pagination";
import { RouteError } from "../components/route-error";
import { listRecallDrills, runRecallDrill } from "../domain/recall/recall-drill.server";
import { refusal } from "../lib/domain-error-response.server";
import { failed, ok } from "../components/action-result";
import { matchShopifyId } from "../lib/json";
import { MockRecallCard } from "../components/mock-recall";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const url = new URL(request.url);
  const status = url.searchParams.get("status");
  const sort: RecallListSort = url.searchParams.get("sort") === "oldest" ? "oldest" : "newest";
  try {
    const page = await listRecalls(shopId, {
      status: status === "OPEN" || status === "CLOSED" ? status : undefined,
      sort,
      cursor: url.searchParams.get("after"),
      limit: 50,
    });
    const drills = await listRecallDrills(shopId, 10);
    return forClient({ ...page, status: status ?? "", sort, drills });
  } catch (error) {
    throw errorResponse(error);
  }
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const form = await request.formData();
  if (form.get("intent") !== "drill") return failed("Unknown action");
  const lotNumber = String(form.get("lot") ?? "").trim();
  if (!lotNumber) return failed("Enter the lot number to run the mock recall for", { lot: "Enter a lot number" });
  const variantText = String(form.get("variant") ?? "").trim();
  const variantId = variantText ? matchShopifyId(variantText) : null;
  if (variantText && variantId === null) return failed("The variant must be a Shopify variant id (digits)", { variant: "A Shopify variant id (digits)" });
  try {
    const drill = await runRecallDrill(shopId, { lotNumber, variantId: variantId ?? undefined });
    const b = drill.massBalance;
    return ok(
      `Mock recall of ${lotNumber}: ${drill.lots.length} lot(s), ${drill.customers} customer(s), ${drill.durationMs} ms; ${b.unexplained === 0 ? "every unit accounted for" : `${b.unexplained} unit(s) unexplained`}. Nothing was changed.`,
      { drillId: drill.id.toString() },
    );
  } catch (error) {
    // A lot number the shop does not have is a message on the form, not a 404 page.
    return refusal(error);
  }
};

export default function Recalls() {
  const { recalls, nextCursor, status, sort, drills } = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const setFilter = (name: string, value: string) => setParams(withFilter(params, name, value));
  return (
    <Page title="Recalls" primaryAction={{ content: "Open recall", url: "/app/recalls/new" }}>
      <Layout>
        <Layout.Section>
          <Card padding="0">
            <div style={{ padding: "var(--p-space-300)", display: "flex", gap: "var(--p-space-300)" }}>
              <div style={{ minWidth: 200 }}>
                <Select
                  label="Show"
                  options={[
                    { label: "All recalls", value: "" },
                    { label: "Open", value: "OPEN" },
                    { label: "Closed", value: "CLOSED" },
                  ]}
                  value={status}
                  onChange={(v) => setFilter("status", v)}
                />
              </div>
              <div style={{ minWidth: 200 }}>
                <Select
                  label="Sort by"
                  options={[
                    { label: "Opened: newest first", value: "newest" },
                    { label: "Opened: oldest first", value: "oldest" },
                  ]}
                  value={sort}
                  onChange={(v) => setFilter("sort", v === "newest" ? "" : v)}
                />
              </div>
            </div>
            {recalls.length === 0 ? (
              <EmptyList heading={status ? "No recall with this status" : "No recalls"}>Open a recall from a lot page or with the button above.</EmptyList>
            ) : (
              <IndexTable
                resourceName={{ singular: "recall", plural: "recalls" }}
                itemCount={recalls.length}
                selectable={false}
                headings={[
                  { title: "Reference" },
                  { title: "Lots" },
                  { title: "Reason" },
                  { title: "Severity" },
                  { title: "Status" },
                  { title: "Opened" },
                  { title: "Contacted" },
                ]}
              >
                {recalls.map((r, i) => (
                  <IndexTable.Row id={r.id} key={r.id} position={i}>
                    <IndexTable.Cell>
                      <Link to={`/app/recalls/${r.id}`}>
                        <Text as="span" fontWeight="semibold">
                          {r.reference}
                        </Text>
                      </Link>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{r.lotNumbers.join(", ")}</IndexTable.Cell>
                    <IndexTable.Cell>{r.reason}</IndexTable.Cell>
                    <IndexTable.Cell>{r.severity.replace("CLASS_", "Class ")}</IndexTable.Cell>
                    <IndexTable.Cell>{r.status === "OPEN" ? <Badge tone="critical">Open</Badge> : <Badge>Closed</Badge>}</IndexTable.Cell>
                    <IndexTable.Cell>{r.openedAt.slice(0, 10)}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <div style={{ minWidth: 120 }}>
                        <ProgressBar progress={r.progress.completionPercent} size="small" />
                        <Text as="span" tone="subdued">{`${r.progress.customers - r.progress.toContact} of ${r.progress.customers}`}</Text>
                      </div>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
            <KeysetPagination nextCursor={nextCursor} />
          </Card>
        </Layout.Section>
        <Layout.Section>
          <MockRecallCard drills={drills} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export const ErrorBoundary = () => <RouteError title="Recalls" />;
