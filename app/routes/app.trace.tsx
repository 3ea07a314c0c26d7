// Trace: by order name, customer email or lot number. Forward from a lot (the lots made from it,
// and every customer who received any of them) and backward (to the input lots and suppliers).
// An order's allocations can be moved to the lot the units really came from (manual override).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, DataTable, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { adminContext, forClient } from "../lib/admin-context.server";
import { pool } from "../db.server";
import { traceCustomer, traceLot, traceOrderBackward } from "../domain/trace/trace.server";
import { refusalMessage } from "../lib/domain-error-response.server";
import { findOrdersByName } from "../domain/overview/choices.server";
import { EmptyList } from "../components/empty-list";
import { LotStatusBadge } from "../components/lot-status-badge";
import { MoveAllocation } from "../components/move-allocation";
import { OrderLinks } from "../components/order-links";
import { plural } from "../components/plural";
import { RouteError } from "../components/route-error";

type By = "order" | "email" | "lot";

function guessKind(q: string): By {
  if (q.includes("@")) return "email";
  if (/^#?\d{1,8}$/.test(q)) return "order";
  return "lot";
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const url = new URL(request.url);
  const q = url.searchParams.get("q")?.trim() ?? "";
  const requested = url.searchParams.get("by");
  const by: By = requested === "order" || requested === "email" || requested === "lot" ? requested : guessKind(q);
  if (!q) return forClient({ q, by, result: null, error: null });
  try {
    if (by === "lot") {
      const [forward, backward] = await Promise.all([
        traceLot(shopId, { lotNumber: q, direction: "forward", limit: 100 }),
        traceLot(shopId, { lotNumber: q, direction: "backward" }),
      ]);
      if (forward.lots.length === 0) return forClient({ q, by, result: null, error: `No lot numbered “${q}” in this shop.` });
      return forClient({ q, by, result: { kind: "lot" as const, forward, backward }, error: null });
    }
    if (by === "email") {
      const traced = await traceCustomer(shopId, { email: q });
      if (traced.lots.length === 0 && traced.unknownLot.length === 0) return forClient({ q, by, result: null, error: `No shipment to “${q}” is recorded.` });
      return forClient({ q, by, result: { kind: "customer" as const, traced }, error: null });
    }
    const orders = await findOrdersByName(pool(), shopId, q);
    if (orders.length === 0) return forClient({ q, by, result: null, error: `No order named “${q}” in this shop.` });
    const traced = await traceOrderBackward(shopId, orders[0]!.id);
    if (!traced) return forClient({ q, by, result: null, error: `No order named “${q}” in this shop.` });
    return forClient({ q, by, result: { kind: "order" as const, traced }, error: null });
  } catch (error) {
    return forClient({ q, by, result: null, error: refusalMessage(error) });
  }
};

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Trace = Extract<NonNullable<Data["result"]>, { kind: "lot" }>["forward"];

export default function TracePage() {
  const data = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const [q, setQ] = useState(data.q);
  const [by, setBy] = useState<string>(params.get("by") ?? "");
  // A link to another trace (an order in a table below) opens this same page: the field follows it.
  // An empty search (the menu's Trace) leaves what is being typed alone.
  const requestedBy = params.get("by") ?? "";
  useEffect(() => {
    if (!data.q) return;
    setQ(data.q);
    setBy(requestedBy);
  }, [data.q, requestedBy]);
  const unknownUnits = data.result?.kind === "customer" ? data.result.traced.unknownLot.reduce((sum, l) => sum + l.quantity, 0) : 0;
  return (
    <Page title="Trace">
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="get">
              <InlineStack gap="300" blockAlign="end" wrap={false}>
                <div style={{ flex: 1 }}>
                  <TextField
                    label="Order, customer email or lot"
                    name="q"
                    value={q}
                    onChange={setQ}
                    autoComplete="off"
                    placeholder="#1001, jane@example.com or L2026-001"
                  />
                </div>
                <Select
                  label="Search by"
                  name="by"
                  value={by}
                  onChange={setBy}
                  options={[
                    { label: "Detect from the text", value: "" },
                    { label: "Order", value: "order" },
                    { label: "Customer email", value: "email" },
                    { label: "Lot", value: "lot" },
                  ]}
                />
                <Button submit variant="primary" loading={navigation.state === "loading"}>
                  Trace
                </Button>
              </InlineStack>
            </Form>
          </Card>
        </Layout.Section>
        {data.error ? (
          <Layout.Section>
            <Banner tone="warning" title="Nothing found">
              {data.error}
            </Banner>
          </Layout.Section>
        ) : null}
        {!data.q ? (
          <Layout.Section>
            <Card>
              <EmptyList heading="Trace a lot, an order or a customer">
                Forward from a lot: the lots made from it and every customer who received them. Backward from an order or a customer: the lots they received,
                what those were made from, and the suppliers.
              </EmptyList>
            </Card>
          </Layout.Section>
        ) : null}
        {data.result?.kind === "lot" ? (
          <>
            <Layout.Section>
              <TraceTree title="Forward: where it went" trace={data.result.forward} />
            </Layout.Section>
            <Layout.Section>
              <Customers trace={data.result.forward} />
            </Layout.Section>
            <Layout.Section>
              <TraceTree title="Backward: where it came from" trace={data.result.backward} />
            </Layout.Section>
          </>
        ) : null}
        {data.result?.kind === "order" ? (
          <>
            <Layout.Section>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    Order {data.result.traced.orderName ?? data.result.traced.orderId}
                  </Text>
                  <DataTable
                    columnContentTypes={["text", "numeric", "text", "numeric", "numeric", "text", "text"]}
                    headings={["Line", "Ordered", "Lot", "Shipped", "Returned", "Shipped on", "Wrong lot?"]}
                    rows={data.result.traced.lines.flatMap((line) =>
                      line.allocations.length === 0
                        ? [[line.title ?? line.sku ?? line.lineItemId, line.quantity ?? "", "not shipped", "", "", "", ""]]
                        : line.allocations.map((a, i) => [
                            i === 0 ? (line.title ?? line.sku ?? line.lineItemId) : "",
                            i === 0 ? (line.quantity ?? "") : "",
                            a.unknownLot ? (
                              "unknown lot (to resolve)"
                            ) : a.lotId ? (
                              <Link key={a.lotId} to={`/app/lots/${a.lotId}`}>
                                {a.lot}
                              </Link>
                            ) : (
                              "—"
                            ),
                            a.quantity,
                            a.returnedQuantity,
                            a.fulfilledAt.slice(0, 10),
                            a.unknownLot ? (
                              <Link key={`r${a.allocationId}`} to="/app/review">
                                Assign in Review
                              </Link>
                            ) : (
                              <MoveAllocation key={`m${a.allocationId}`} allocationId={a.allocationId} openUnits={a.quantity - a.returnedQuantity} />
                            ),
                          ]),
                    )}
                  />
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section>
              <TraceTree title="Backward: where its lots came from" trace={data.result.traced.upstream} />
            </Layout.Section>
          </>
        ) : null}
        {data.result?.kind === "customer" ? (
          <>
            <Layout.Section>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">{`Lots received by ${data.q} (${plural(data.result.traced.orders, "order")})`}</Text>
                  <DataTable
                    columnContentTypes={["text", "text", "numeric", "numeric", "text"]}
                    headings={["Lot", "Product", "Units", "Returned", "Orders"]}
                    rows={data.result.traced.lots.map((l) => [
                      <Link key={l.lotId} to={`/app/lots/${l.lotId}`}>
                        {l.lotNumber}
                      </Link>,
                      l.product ?? l.sku ?? l.variantId,
                      l.units,
                      l.returnedUnits,
                      <OrderLinks key={`o${l.lotId}`} orders={l.orders} />,
                    ])}
                  />
                  {unknownUnits ? (
                    <Banner tone="warning">
                      {`${plural(unknownUnits, "unit")} shipped to this customer ${unknownUnits === 1 ? "has" : "have"} no known lot yet: `}
                      <Link to="/app/review">{`assign ${unknownUnits === 1 ? "it" : "them"} in Review`}</Link>.
                    </Banner>
                  ) : null}
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section>
              <TraceTree title="Backward: where those lots came from" trace={data.result.traced.upstream} />
            </Layout.Section>
          </>
        ) : null}
      </Layout>
    </Page>
  );
}

/** Lots by depth, each under the lot(s) it was made from or went into. */
function TraceTree({ title, trace }: { title: string; trace: Trace }) {
  const byId = new Map(trace.lots.map((l) => [l.lotId, l]));
  const forward = trace.direction === "forward";
  const children = new Map<string, { lotId: string; quantity: number; kind: string }[]>();
  for (const e of trace.edges) {
    const [parent, child] = forward ? [e.inputLotId, e.outputLotId] : [e.outputLotId, e.inputLotId];
    const list = children.get(parent) ?? [];
    if (!list.some((c) => c.lotId === child)) list.push({ lotId: child, quantity: e.quantity, kind: e.kind });
    children.set(parent, list);
  }
  const roots = trace.lots.filter((l) => l.depth === 0);
  const render = (lotId: string, depth: number, seen: Set<string>, via?: { quantity: number; kind: string }): React.ReactNode => {
    const lot = byId.get(lotId);
    if (!lot || seen.has(lotId)) return null;
    const next = new Set(seen).add(lotId);
    return (
      <div key={`${lotId}-${depth}`}>
        <Box paddingInlineStart={depth === 0 ? "0" : "600"}>
          <InlineStack gap="200" blockAlign="center">
            <Text as="span">{depth ? "└" : "•"}</Text>
            <Link to={`/app/lots/${lot.lotId}`}>{lot.lotNumber}</Link>
            <Text as="span" tone="subdued">
              {lot.product ?? lot.sku ?? ""}
            </Text>
            <LotStatusBadge status={lot.status} expiresOn={lot.expiresOn} />
            {via ? (
              <Text as="span" tone="subdued">{`${plural(via.quantity, "unit")} ${forward ? "went into it" : "used"} (${via.kind.toLowerCase()})`}</Text>
            ) : null}
            <Text as="span" tone="subdued">
              {forward
                ? `${lot.shippedUnits} shipped, ${lot.onHandUnits} on hand`
                : lot.produced
                  ? "produced here"
                  : `supplier: ${lot.supplier ?? "unknown"}${lot.supplierLot ? ` (lot ${lot.supplierLot})` : ""}`}
            </Text>
          </InlineStack>
          {(children.get(lotId) ?? []).map((c) => render(c.lotId, depth + 1, next, c))}
        </Box>
      </div>
    );
  };
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        {trace.lots.length === 0 ? (
          <Text as="p" tone="subdued">
            No lots.
          </Text>
        ) : (
          roots.map((r) => render(r.lotId, 0, new Set()))
        )}
        {trace.direction === "backward" && trace.suppliers?.length ? (
          <Text as="p">Suppliers: {trace.suppliers.map((s) => `${s.supplier} (${s.lots.map((l) => l.lotNumber).join(", ")})`).join("; ")}</Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

/** Where the full list is: a recall for the traced lot (downstream lots included, with the CSV) or each lot's page. */
function MoreCustomers({ trace }: { trace: Trace }) {
  const roots = trace.lots.filter((l) => l.depth === 0);
  const first = roots[0];
  if (!first) return null;
  const sameVariant = roots.every((l) => l.variantId === first.variantId);
  const recallUrl = `/app/recalls/new?lot=${encodeURIComponent(first.lotNumber)}${sameVariant ? `&variant=${first.variantId}` : ""}`;
  return (
    <Text as="span">
      More customers than shown here: <Link to={recallUrl}>open a recall for {first.lotNumber}</Link> for the full list and the CSV (lots made from it
      included), or see the customers on{" "}
      {roots.map((l, i) => (
        <span key={l.lotId}>
          {i ? ", " : ""}
          <Link to={`/app/lots/${l.lotId}`}>{roots.length > 1 ? `lot ${l.lotNumber} (${l.product ?? l.sku ?? l.variantId})` : `the lot's page`}</Link>
        </span>
      ))}
      .
    </Text>
  );
}

function Customers({ trace }: { trace: Trace }) {
  const customers = trace.customers ?? [];
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Customers who received it or a lot made from it
        </Text>
        {customers.length === 0 ? (
          <Text as="p" tone="subdued">
            None.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "text", "numeric", "numeric"]}
            headings={["Customer", "Email", "Orders", "Units", "Returned"]}
            rows={customers.map((c) => [
              c.redacted ? "(redacted)" : (c.name ?? "(guest)"),
              c.email ?? "—",
              <OrderLinks key={c.customerKey} orders={c.orders} />,
              c.units,
              c.returnedUnits,
            ])}
            footerContent={trace.nextCursor ? <MoreCustomers trace={trace} /> : undefined}
          />
        )}
      </BlockStack>
    </Card>
  );
}

export const ErrorBoundary = () => <RouteError title="Trace" />;
