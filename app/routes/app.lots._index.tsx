// Lots: searchable list. Type a lot number, SKU or supplier, or scan a GS1 barcode (the GTIN finds
// the product, the (10) lot the lot). Filters by product, status, expiry window and location;
// sorted by expiry, receipt or lot number; keyset-paged.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation, useSearchParams, useSubmit } from "@remix-run/react";
import { Badge, Banner, BlockStack, Card, IndexTable, InlineStack, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { adminContext, forClient } from "../lib/admin-context.server";
import { pool } from "../db.server";
import { listLots, type DisplayStatus, type LotSort } from "../domain/lots/lot-queries.server";
import { domainErrorAnswer, refusalMessage } from "../lib/domain-error-response.server";
import { gs1Summary, isValidGtin, parseGs1 } from "../domain/gs1/gs1";
import { listLocations, searchVariants, variantById, variantsByGtin } from "../domain/overview/choices.server";
import { variantLabel } from "../domain/overview/labels";
import { KeysetPagination, withFilter } from "../components/keyset-pagination";
import { LotStatusBadge } from "../components/lot-status-badge";
import { EmptyList } from "../components/empty-list";
import { RouteError } from "../components/route-error";
import { parseId } from "../lib/ids";

const STATUSES = ["ACTIVE", "QUARANTINED", "RECALLED", "EXPIRED", "INCOMPLETE"] as const;

/**
 * A scan is digits with AIs, (AI) text, a Digital Link or anything behind a symbology identifier;
 * plain text is a search. Bare retail-barcode digits (EAN-13, UPC-A, ...) count as a scan only when
 * a product has that barcode: otherwise they stay a search (a lot number may be 13 digits too).
 */
function looksLikeGs1(text: string): boolean {
  return /^\][A-Za-z][0-9A-Za-z]/.test(text) || /^\(?01\)?\d{14}/.test(text) || /^https?:\/\/.*\/01\/\d{8,14}/i.test(text) || text.includes("\u001d");
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const url = new URL(request.url);
  const q = url.searchParams.get("q")?.trim() ?? "";
  const status = url.searchParams.get("status") ?? "";
  const expiry = url.searchParams.get("expiry") ?? "";
  const location = url.searchParams.get("location") ?? "";
  const variant = url.searchParams.get("variant") ?? "";
  const sort = (["expiry", "received", "lotNumber"].includes(url.searchParams.get("sort") ?? "") ? url.searchParams.get("sort") : "expiry") as LotSort;
  const sql = pool();
  let search = q;
  let variantId = parseId(variant);
  let scan: { gtin: string | null; lot: string | null; expiry: string | null; product: string | null } | null = null;
  let scanError: string | null = null;
  const retailBarcode = /^(\d{8}|\d{12,14})$/.test(q) && isValidGtin(q) && (await variantsByGtin(sql, shopId, q)).length > 0;
  if (q && (looksLikeGs1(q) || retailBarcode)) {
    try {
      const data = gs1Summary(parseGs1(q));
      const matches = data.gtin ? await variantsByGtin(sql, shopId, data.gtin) : [];
      if (matches.length === 1) variantId = matches[0]!.id;
      search = data.lot ?? "";
      scan = { gtin: data.gtin, lot: data.lot, expiry: data.expiry, product: matches.length === 1 ? variantLabel(matches[0]!) : null };
    } catch (error) {
      scanError = `That barcode could not be read: ${refusalMessage(error)}`;
    }
  }
  const statusFilter = status === "held" ? null : (((STATUSES as readonly string[]).includes(status) ? status : null) as DisplayStatus | "INCOMPLETE" | null);
  const expiringWithinDays = /^\d{1,5}$/.test(expiry) ? Number(expiry) : null;
  const locationId = parseId(location);
  let page: Awaited<ReturnType<typeof listLots>> = { lots: [], nextCursor: null };
  let listError: string | null = null;
  try {
    if (status === "held") {
      // Quarantined and recalled together (the home page's link).
      const [quarantined, recalled] = await Promise.all([
        listLots(shopId, { search, variantId, locationId, expiringWithinDays, status: "QUARANTINED", sort, limit: 100 }),
        listLots(shopId, { search, variantId, locationId, expiringWithinDays, status: "RECALLED", sort, limit: 100 }),
      ]);
      page = { lots: [...recalled.lots, ...quarantined.lots], nextCursor: null };
    } else {
      page = await listLots(shopId, {
        search,
        variantId,
        locationId,
        expiringWithinDays,
        status: statusFilter,
        sort,
        cursor: url.searchParams.get("after"),
        limit: 50,
      });
    }
  } catch (error) {
    // A stale page link (the cursor) is not the merchant's typing: say what to do, not which parameter.
    const { problems, message } = domainErrorAnswer(error);
    listError = (problems ?? [{ field: "", message }])
      .map((p) => (p.field === "cursor" ? "This link points to a page of the list that is no longer valid: start again from the first page." : p.message))
      .join(" ");
  }
  const [locations, variants, selectedVariant] = await Promise.all([
    listLocations(sql, shopId),
    searchVariants(sql, shopId, "", 200),
    variantId ? variantById(sql, shopId, variantId) : Promise.resolve(null),
  ]);
  return forClient({
    lots: page.lots,
    nextCursor: page.nextCursor,
    filters: { q, status, expiry, location, variant: variantId?.toString() ?? "", sort },
    scan,
    scanError,
    listError,
    locations,
    variants: variants.map((v) => ({ id: v.id, label: variantLabel(v) })),
    selectedVariant: selectedVariant ? variantLabel(selectedVariant) : null,
  });
};

export default function Lots() {
  const data = useLoaderData<typeof loader>();
  const { lots, filters } = data;
  const [params] = useSearchParams();
  const submit = useSubmit();
  const navigation = useNavigation();
  const [q, setQ] = useState(filters.q);
  const setFilter = (name: string, value: string) => submit(withFilter(params, name, value), { method: "get", replace: true });
  const filtering = Boolean(filters.q || filters.status || filters.expiry || filters.location || filters.variant);

  return (
    <Page title="Lots" primaryAction={{ content: "Receive lot", url: "/app/receive" }}>
      <BlockStack gap="400">
        {data.scanError ? (
          <Banner tone="critical" title="Barcode not read">
            {data.scanError}
          </Banner>
        ) : null}
        {data.listError ? (
          <Banner tone="critical" title="List not loaded">
            {data.listError}
          </Banner>
        ) : null}
        {data.scan ? (
          <Banner tone="info" title="Scanned GS1 barcode">
            GTIN {data.scan.gtin ?? "none"}
            {data.scan.product ? ` (${data.scan.product})` : data.scan.gtin ? " (no product has this barcode)" : ""} · lot {data.scan.lot ?? "none"}
            {data.scan.expiry ? ` · expires ${data.scan.expiry}` : ""}
          </Banner>
        ) : null}
        <Card padding="0">
          <BlockStack gap="0">
            <div style={{ padding: "var(--p-space-300)" }}>
              <Form
                method="get"
                onSubmit={(e) => {
                  e.preventDefault();
                  setFilter("q", q);
                }}
              >
                <BlockStack gap="300">
                  <TextField
                    label="Search or scan"
                    labelHidden
                    name="q"
                    placeholder="Lot number, SKU, product or supplier; or scan a GS1 barcode"
                    value={q}
                    onChange={setQ}
                    autoComplete="off"
                    clearButton
                    onClearButtonClick={() => {
                      setQ("");
                      setFilter("q", "");
                    }}
                    autoFocus
                  />
                  <InlineStack gap="300" wrap>
                    <Select
                      label="Product"
                      options={[{ label: "All products", value: "" }, ...data.variants.map((v) => ({ label: v.label, value: v.id }))]}
                      value={filters.variant}
                      onChange={(v) => setFilter("variant", v)}
                    />
                    <Select
                      label="Status"
                      options={[
                        { label: "Any status", value: "" },
                        { label: "Active", value: "ACTIVE" },
                        { label: "Quarantined or recalled", value: "held" },
                        { label: "Quarantined", value: "QUARANTINED" },
                        { label: "Recalled", value: "RECALLED" },
                        { label: "Expired", value: "EXPIRED" },
                        { label: "Incomplete (to complete)", value: "INCOMPLETE" },
                      ]}
                      value={filters.status}
                      onChange={(v) => setFilter("status", v)}
                    />
                    <Select
                      label="Expiry"
                      options={[
                        { label: "Any expiry", value: "" },
                        { label: "Expired", value: "0" },
                        { label: "Within 7 days", value: "7" },
                        { label: "Within 30 days", value: "30" },
                        { label: "Within 90 days", value: "90" },
                      ]}
                      value={filters.expiry}
                      onChange={(v) => setFilter("expiry", v)}
                    />
                    <Select
                      label="Location"
                      options={[{ label: "All locations", value: "" }, ...data.locations.map((l) => ({ label: l.name, value: l.id }))]}
                      value={filters.location}
                      onChange={(v) => setFilter("location", v)}
                    />
                    <Select
                      label="Sort by"
                      options={[
                        { label: "Expiry (soonest first)", value: "expiry" },
                        { label: "Received (newest first)", value: "received" },
                        { label: "Lot number", value: "lotNumber" },
                      ]}
                      value={filters.sort}
                      onChange={(v) => setFilter("sort", v)}
                    />
                  </InlineStack>
                </BlockStack>
              </Form>
            </div>
            {lots.length === 0 ? (
              <EmptyList heading={filtering ? "No lot matches" : "No lots yet"}>
                {filtering ? "Change the search or the filters." : "Receive a lot (form, CSV or GS1 scan) to start tracking stock by lot."}
              </EmptyList>
            ) : (
              <IndexTable
                resourceName={{ singular: "lot", plural: "lots" }}
                itemCount={lots.length}
                selectable={false}
                loading={navigation.state === "loading"}
                headings={[
                  { title: "Lot" },
                  { title: "Product" },
                  { title: "Status" },
                  { title: "Expires" },
                  { title: "Received" },
                  { title: "Supplier" },
                  { title: "On hand", alignment: "end" },
                ]}
              >
                {lots.map((lot, index) => (
                  <IndexTable.Row id={lot.id} key={lot.id} position={index}>
                    <IndexTable.Cell>
                      <Link to={`/app/lots/${lot.id}`} data-lot-number={lot.lotNumber}>
                        <Text as="span" fontWeight="semibold">
                          {lot.lotNumber}
                        </Text>
                      </Link>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {variantLabel({ id: lot.variantId, productTitle: lot.productTitle, title: lot.variantTitle, sku: lot.sku })}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <InlineStack gap="100">
                        {/* As on the lot's page: an incomplete lot reads "Incomplete", not "Active" beside it. */}
                        <LotStatusBadge status={lot.status} expiresOn={lot.expiresOn} incomplete={lot.incomplete} />
                        {lot.incomplete && lot.status !== "ACTIVE" ? <Badge tone="attention">Incomplete</Badge> : null}
                      </InlineStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{lot.expiresOn ?? "—"}</IndexTable.Cell>
                    <IndexTable.Cell>{lot.receivedAt.slice(0, 10)}</IndexTable.Cell>
                    <IndexTable.Cell>{lot.supplier ?? "—"}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {lot.onHand}
                        {lot.quarantinedUnits ? ` (${lot.quarantinedUnits} held)` : ""}
                      </Text>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
            <KeysetPagination nextCursor={data.nextCursor} />
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}

export const ErrorBoundary = () => <RouteError title="Lots" />;
