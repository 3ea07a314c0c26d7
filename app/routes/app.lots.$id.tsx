// One lot: attributes, balances per location, customers who received it, genealogy (what it was
// made from, what was made from it), its ledger, and its actions: adjust, count, transfer,
// quarantine, release, put in a bin or clear it, open a recall. The id is looked up within the session's shop only.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  FormLayout,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  Tabs,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { z } from "zod";
import { adminContext, forClient, idParam } from "../lib/admin-context.server";
import { pool } from "../db.server";
import { getLotDetail } from "../domain/lots/lot-queries.server";
import { adjustLot, countLot, transferLot } from "../domain/lots/lot-moves.server";
import { openRecallsCovering, quarantineLotNow, releaseLotNow } from "../domain/lots/quarantine.server";
import { updateLot } from "../domain/lots/edit-lot.server";
import { setLotBinNow } from "../domain/lots/lot-bins.server";
import { LotNotFoundError } from "../domain/lots/lot-errors";
import { errorResponse, refusal } from "../lib/domain-error-response.server";
import { listLotCustomers } from "../domain/recall/recall-lookup.server";
import { InvalidCursorError } from "../domain/recall/errors";
import { traceBackward, traceForward } from "../domain/trace/trace.server";
import { listLocations } from "../domain/overview/choices.server";
import { variantLabel } from "../domain/overview/labels";
import { failed, ok, useResultToast, type ActionResult } from "../components/action-result";
import { plural } from "../components/plural";
import { KeysetPagination } from "../components/keyset-pagination";
import { LotStatusBadge } from "../components/lot-status-badge";
import { OrderLinks } from "../components/order-links";
import { EmptyList } from "../components/empty-list";
import { RouteError } from "../components/route-error";
import { LOT_FIELD_LABELS } from "../components/lot-fields";
import { parseId } from "../lib/ids";
import { LotLabelCard } from "../components/lot-label-card";
import { LabelError, labelContent, type LabelLot } from "../domain/labels/label-rules";
import { loadLabelLot } from "../domain/labels/label-pdf.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const lotId = idParam(params.id);
  const url = new URL(request.url);
  let lot;
  try {
    lot = await getLotDetail(shopId, lotId, { ledgerCursor: url.searchParams.get("ledger"), ledgerLimit: 25 });
  } catch (error) {
    throw errorResponse(error, "lot");
  }
  const db = pool();
  const [customers, forward, backward, locations, openRecalls, labelLot] = await Promise.all([
    listLotCustomers(db, shopId, [{ lotId: lot.id, lotNumber: lot.lotNumber }], { cursor: url.searchParams.get("after"), limit: 25 }).catch(
      (error: unknown) => {
        if (error instanceof InvalidCursorError) throw new Response(error.message, { status: 400 });
        throw error;
      },
    ),
    traceForward(shopId, [lot.id], { limit: 1 }),
    traceBackward(shopId, [lot.id]),
    listLocations(db, shopId),
    lot.status === "RECALLED" ? openRecallsCovering(db, shopId, lot.id) : Promise.resolve([]),
    loadLabelLot(shopId, lot.id),
  ]);
  return forClient({
    lot,
    customers,
    downstream: forward.lots.filter((l) => l.depth > 0),
    upstream: backward.lots.filter((l) => l.depth > 0),
    edges: [...forward.edges, ...backward.edges],
    suppliers: backward.suppliers ?? [],
    locations,
    openRecalls,
    labelRefusal: labelRefusal(labelLot),
  });
};

/** Why the lot cannot get a GS1 label, or null: the page says so instead of offering a failing download. */
function labelRefusal(lot: LabelLot): string | null {
  try {
    labelContent(lot);
    return null;
  } catch (error) {
    if (error instanceof LabelError) return error.message;
    throw error;
  }
}

/**
 * One schema per intent of the lot page's forms: which fields each sends, as trimmed text (absent
 * = ""). The values are the domain's to judge (lot-rules.ts validates adjust, count, transfer and
 * edit for the CLI and this page alike), so a refusal names the field as the CLI does.
 */
const text = z.string().trim().default("");
const kept = z.string().trim().optional();
const lotActionForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("adjust"), locationId: text, delta: text, reason: text, note: text }),
  z.object({ intent: z.literal("count"), locationId: text, counted: text, bin: text }),
  z.object({ intent: z.literal("transfer"), fromLocationId: text, toLocationId: text, quantity: text, toBin: text }),
  // clear=true takes the units out of any bin; otherwise the bin code is required.
  z.object({ intent: z.literal("bin"), locationId: text, bin: text, clear: text }),
  z.object({ intent: z.literal("quarantine"), locationId: text, reason: text }),
  z.object({ intent: z.literal("release"), locationId: text, reason: text }),
  // Only the fields the form sends change (absent = keep).
  z.object({
    intent: z.literal("edit"),
    lotNumber: kept,
    expiresOn: kept,
    bestBeforeOn: kept,
    producedOn: kept,
    supplier: kept,
    supplierLot: kept,
    purchaseOrder: kept,
    unitCost: kept,
    currency: kept,
    notes: kept,
  }),
]);

export const action = async ({ request, params }: ActionFunctionArgs): Promise<ActionResult> => {
  const { shopId, shop } = await adminContext(request);
  const lotId = idParam(params.id);
  const parsed = lotActionForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return failed("Unknown action");
  const input = parsed.data;
  const { intent } = input;
  const ctx = { cause: "USER" as const, causeRef: `admin:${shop}` };
  try {
    switch (input.intent) {
      case "adjust": {
        const r = await adjustLot(
          shopId,
          { lotId, locationId: input.locationId, delta: input.delta, reason: input.reason || "correction", note: input.note || null },
          ctx,
        );
        return ok(`Adjusted ${r.lotNumber} by ${input.delta}: ${r.balances[0]?.quantity} on hand there`);
      }
      case "count": {
        const r = await countLot(shopId, { lotId, locationId: input.locationId, counted: input.counted, bin: input.bin || null }, ctx);
        return ok(
          `Counted ${r.lotNumber}: ${input.counted} (${r.difference === 0 ? "no difference" : `${r.difference > 0 ? "+" : ""}${r.difference} recorded`})`,
        );
      }
      case "transfer": {
        const r = await transferLot(
          shopId,
          { lotId, fromLocationId: input.fromLocationId, toLocationId: input.toLocationId, quantity: input.quantity, toBin: input.toBin || null },
          ctx,
        );
        return ok(`Transferred ${plural(Number(input.quantity), "unit")} of ${r.lotNumber}`);
      }
      case "bin": {
        const clear = input.clear === "true";
        const r = await setLotBinNow(shopId, { lotId, locationId: input.locationId, bin: clear ? null : input.bin }, ctx).catch((error: unknown) => {
          // The form offers the lot's balances; a location without one is the merchant's choice to
          // correct, not a missing page (another shop's lot reads the same: it has no balance here).
          if (error instanceof LotNotFoundError) return null;
          throw error;
        });
        if (r === null) return failed("This lot has no units at that location: choose one of its balances", { locationId: "choose a location of this lot" });
        if (r.ledgerEntryId === null) return ok(r.bin ? `Already in bin ${r.bin}: nothing changed` : "Not in a bin: nothing changed");
        return ok(r.bin ? `Moved to bin ${r.bin}${r.previous ? ` (was ${r.previous})` : ""}` : `Taken out of bin ${r.previous}`);
      }
      case "quarantine":
      case "release": {
        // Empty: every location. Anything else must be a location id, never read as "all of them".
        const locationId = input.locationId === "" ? null : parseId(input.locationId);
        if (locationId === null && input.locationId !== "") return failed("Choose a location of this lot", { locationId: "choose a location" });
        const args = { shopId, lotId, locationId, reason: input.reason || `${intent} from the admin`, cause: "USER" as const, causeRef: `admin:${shop}` };
        const r = intent === "quarantine" ? await quarantineLotNow(args) : await releaseLotNow(args);
        const units = r.locations.reduce((s, l) => s + l.quantity, 0);
        // No balance changed state: say so, rather than "released 0 units".
        if (r.locations.length === 0) {
          const where = args.locationId ? " at that location" : "";
          return ok(
            intent === "release"
              ? `Nothing to release: ${r.lotNumber} had no quarantined units${where} (it is ${r.status.toLowerCase()})`
              : `${r.lotNumber} is ${r.status.toLowerCase()}; it had no available units${where} to move to quality control`,
          );
        }
        return ok(
          `${intent === "quarantine" ? "Quarantined" : "Released"} ${r.lotNumber}: ${plural(units, "unit")} ${intent === "quarantine" ? "moved to quality control" : "available again"}`,
        );
      }
      case "edit": {
        const { intent: _edit, ...changes } = input;
        const r = await updateLot(shopId, lotId, changes);
        return ok(
          r.changed.length ? `Saved lot ${r.lotNumber}: ${r.changed.map((c) => c.replace(/_/g, " ")).join(", ")}` : `Lot ${r.lotNumber} marked complete`,
        );
      }
    }
  } catch (error) {
    return refusal(error, { resource: "lot", labels: intent === "edit" ? LOT_FIELD_LABELS : ACTION_LABELS });
  }
};

/** The labels the forms below give each field the domain names in its problems. */
const ACTION_LABELS: Record<string, string> = {
  delta: "Units",
  counted: "Units counted",
  quantity: "Units",
  location: "Location",
  from: "From location",
  to: "To location",
  reason: "Reason",
  bin: "Bin",
};

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

export default function LotPage() {
  const data = useLoaderData<typeof loader>();
  const { lot, openRecalls } = data;
  const [tab, setTab] = useState(0);
  const label = variantLabel({ id: lot.variantId, productTitle: lot.productTitle, title: lot.variantTitle, sku: lot.sku });
  const locationName = (id: string | null) =>
    data.locations.find((l) => l.id === id)?.name ?? lot.balances.find((b) => b.locationId === id)?.locationName ?? (id ? `Location ${id}` : "—");

  return (
    <Page
      title={`Lot ${lot.lotNumber}`}
      subtitle={label}
      titleMetadata={<LotStatusBadge status={lot.status} expiresOn={lot.expiresOn} incomplete={lot.incomplete} />}
      backAction={{ content: "Lots", url: "/app/lots" }}
      primaryAction={{
        content: "Open recall",
        url: `/app/recalls/new?lot=${encodeURIComponent(lot.lotNumber)}&variant=${lot.variantId}`,
        destructive: true,
        disabled: lot.status === "RECALLED",
      }}
    >
      <Layout>
        {lot.status === "RECALLED" ? (
          <Layout.Section>
            {openRecalls.length > 0 ? (
              <Banner tone="critical" title={`Under recall ${openRecalls.map((r) => r.reference).join(", ")}`}>
                Its units stay quarantined. It can be released once {openRecalls.length === 1 ? "this recall is" : "these recalls are"} closed:{" "}
                {openRecalls.map((r, i) => (
                  <span key={r.id}>
                    {i > 0 ? ", " : ""}
                    <Link to={`/app/recalls/${r.id}`}>{r.reference}</Link>
                  </span>
                ))}
                .
              </Banner>
            ) : (
              <Banner tone="warning" title="Its recall is closed">
                The units stay quarantined until you release them: if the lot was cleared, choose Release from quarantine below.
              </Banner>
            )}
          </Layout.Section>
        ) : null}
        {lot.incomplete ? (
          <Layout.Section>
            <Banner tone="warning" title="This lot was created from stock Shopify had and no lot explained">
              Check the units and complete its details (expiry, supplier) or adjust it away.
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <InlineGrid columns={{ xs: 2, md: 5 }} gap="300">
            <Figure label="On hand" value={lot.totals.onHand} />
            <Figure label="Quarantined" value={lot.totals.quarantined} />
            <Figure label="Received" value={lot.totals.received} />
            <Figure label="Shipped" value={lot.totals.allocated} />
            <Figure label="Returned" value={lot.totals.returned} />
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Balances by location
              </Text>
              {lot.balances.length === 0 ? (
                <Text as="p" tone="subdued">
                  No units at any location.
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "text"]}
                  headings={["Location", "Bin", "Units", "State"]}
                  rows={lot.balances.map((b) => [
                    b.locationName ?? locationName(b.locationId),
                    b.bin ?? "—",
                    b.quantity,
                    b.quarantined ? (
                      <Badge key="q" tone="warning">
                        Quarantined
                      </Badge>
                    ) : (
                      <Badge key="a">Available</Badge>
                    ),
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <LotDetails data={data} />
            <LotLabelCard lotId={lot.id} refusal={data.labelRefusal} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <LotActions data={data} />
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <Tabs
              selected={tab}
              onSelect={setTab}
              tabs={[
                { id: "customers", content: "Customers who received it" },
                { id: "genealogy", content: "Genealogy" },
                { id: "ledger", content: "Ledger" },
              ]}
            >
              <Box padding="400">
                {tab === 0 ? <Customers data={data} /> : tab === 1 ? <Genealogy data={data} /> : <Ledger data={data} locationName={locationName} />}
              </Box>
            </Tabs>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function LotDetails({ data }: { data: Data }) {
  const { lot } = data;
  const fetcher = useFetcher<typeof action>();
  useResultToast(fetcher.data);
  const [editing, setEditing] = useState(lot.incomplete);
  const initial = {
    lotNumber: lot.lotNumber,
    expiresOn: lot.expiresOn ?? "",
    bestBeforeOn: lot.bestBeforeOn ?? "",
    producedOn: lot.producedOn ?? "",
    supplier: lot.supplier ?? "",
    supplierLot: lot.supplierLot ?? "",
    purchaseOrder: lot.purchaseOrder ?? "",
    unitCost: lot.unitCost ?? "",
    currency: lot.currency ?? "",
    notes: lot.notes ?? "",
  };
  const [values, setValues] = useState(initial);
  const set = (name: keyof typeof initial) => (value: string) => setValues((v) => ({ ...v, [name]: value }));
  const errors = fetcher.data && !fetcher.data.ok ? (fetcher.data.errors ?? {}) : {};
  useEffect(() => {
    if (fetcher.data?.ok) setEditing(false);
  }, [fetcher.data]);
  if (editing) {
    return (
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Edit details
          </Text>
          {fetcher.data && !fetcher.data.ok ? (
            <Banner tone="critical" title="Not saved: nothing changed">
              {fetcher.data.error}
            </Banner>
          ) : null}
          <FormLayout>
            <TextField label="Lot number" value={values.lotNumber} onChange={set("lotNumber")} autoComplete="off" error={errors.lot} />
            <TextField
              label={LOT_FIELD_LABELS.expires}
              type="date"
              value={values.expiresOn}
              onChange={set("expiresOn")}
              autoComplete="off"
              error={errors.expires}
            />
            <TextField
              label="Best before"
              type="date"
              value={values.bestBeforeOn}
              onChange={set("bestBeforeOn")}
              autoComplete="off"
              error={errors["best-before"]}
            />
            <TextField
              label={LOT_FIELD_LABELS.produced}
              type="date"
              value={values.producedOn}
              onChange={set("producedOn")}
              autoComplete="off"
              error={errors.produced}
            />
            <TextField label="Supplier" value={values.supplier} onChange={set("supplier")} autoComplete="off" error={errors.supplier} />
            <TextField label="Supplier lot" value={values.supplierLot} onChange={set("supplierLot")} autoComplete="off" error={errors["supplier-lot"]} />
            <TextField label="Purchase order" value={values.purchaseOrder} onChange={set("purchaseOrder")} autoComplete="off" error={errors.po} />
            <FormLayout.Group condensed>
              <TextField label="Unit cost" value={values.unitCost} onChange={set("unitCost")} autoComplete="off" error={errors.cost} />
              <TextField label="Currency" value={values.currency} onChange={set("currency")} autoComplete="off" error={errors.currency} />
            </FormLayout.Group>
            <TextField label="Notes" value={values.notes} onChange={set("notes")} autoComplete="off" multiline={2} error={errors.notes} />
            <InlineStack gap="200">
              <Button
                variant="primary"
                loading={fetcher.state !== "idle"}
                onClick={() => {
                  const changed = Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== initial[k as keyof typeof initial]));
                  fetcher.submit({ intent: "edit", ...changed }, { method: "post" });
                }}
              >
                {lot.incomplete ? "Save and mark complete" : "Save"}
              </Button>
              {lot.incomplete ? null : <Button onClick={() => setEditing(false)}>Cancel</Button>}
            </InlineStack>
          </FormLayout>
        </BlockStack>
      </Card>
    );
  }
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack align="space-between">
          <Text as="h2" variant="headingMd">
            Details
          </Text>
          <Button variant="plain" onClick={() => setEditing(true)}>
            Edit
          </Button>
        </InlineStack>
        <Attribute label="Expires" value={lot.expiresOn} />
        <Attribute label="Best before" value={lot.bestBeforeOn} />
        <Attribute label="Produced" value={lot.producedOn} />
        <Attribute label="Received" value={lot.receivedAt.slice(0, 10)} />
        <Attribute label="Supplier" value={lot.supplier} />
        <Attribute label="Supplier lot" value={lot.supplierLot} />
        <Attribute label="Purchase order" value={lot.purchaseOrder} />
        <Attribute label="Unit cost" value={lot.unitCost ? `${lot.unitCost} ${lot.currency ?? ""}` : null} />
        <Attribute label="GTIN" value={lot.gtin} />
        <Attribute label="Notes" value={lot.notes} />
      </BlockStack>
    </Card>
  );
}

function Figure({ label, value }: { label: string; value: number }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="p" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
      </BlockStack>
    </Card>
  );
}

function Attribute({ label, value }: { label: string; value: string | null }) {
  return (
    <InlineStack align="space-between" gap="200">
      <Text as="span" tone="subdued">
        {label}
      </Text>
      <Text as="span">{value || "—"}</Text>
    </InlineStack>
  );
}

function LotActions({ data }: { data: Data }) {
  const fetcher = useFetcher<typeof action>();
  useResultToast(fetcher.data);
  const [intent, setIntent] = useState("adjust");
  const locations = data.locations.length
    ? data.locations
    : data.lot.balances.map((b) => ({ id: b.locationId, name: b.locationName ?? `Location ${b.locationId}` }));
  const options = locations.map((l) => ({ label: l.name, value: l.id }));
  const firstWithUnits = data.lot.balances.find((b) => b.quantity > 0)?.locationId ?? options[0]?.value ?? "";
  const [locationId, setLocationId] = useState(firstWithUnits);
  const [toLocationId, setToLocationId] = useState(options.find((o) => o.value !== firstWithUnits)?.value ?? "");
  const [value, setValue] = useState("");
  const [reason, setReason] = useState("correction");
  const [note, setNote] = useState("");
  const [bin, setBin] = useState("");
  const errors = fetcher.data && !fetcher.data.ok ? (fetcher.data.errors ?? {}) : {};
  const busy = fetcher.state !== "idle";
  // After an action is done the form is empty again, so pressing the button twice does not repeat it.
  useEffect(() => {
    if (fetcher.data?.ok) {
      setValue("");
      setNote("");
      setBin("");
    }
  }, [fetcher.data]);
  // The bin form works on a balance: its locations are the lot's, and the field starts at its bin.
  const balanceOptions = data.lot.balances.map((b) => ({ label: b.locationName ?? `Location ${b.locationId}`, value: b.locationId }));
  const currentBin = data.lot.balances.find((b) => b.locationId === locationId)?.bin ?? null;
  useEffect(() => {
    setBin(intent === "bin" ? (currentBin ?? "") : "");
  }, [intent, currentBin]);
  // Units cannot be transferred to where they already are: "To location" offers the others.
  const toOptions = options.filter((o) => o.value !== locationId);
  useEffect(() => {
    if (toLocationId === locationId) setToLocationId(options.find((o) => o.value !== locationId)?.value ?? "");
  }, [locationId, toLocationId, options]);
  const submit = () => {
    const form: Record<string, string> = { intent };
    if (intent === "adjust") Object.assign(form, { locationId, delta: value, reason, note });
    if (intent === "count") Object.assign(form, { locationId, counted: value, bin });
    if (intent === "transfer") Object.assign(form, { fromLocationId: locationId, toLocationId, quantity: value, toBin: bin });
    if (intent === "bin") Object.assign(form, { locationId, bin, clear: "false" });
    if (intent === "quarantine" || intent === "release") Object.assign(form, { locationId: locationId === "all" ? "" : locationId, reason: note });
    fetcher.submit(form, { method: "post" });
  };
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Actions
        </Text>
        {fetcher.data && !fetcher.data.ok ? (
          <Banner tone="critical" title="Not done: nothing changed">
            {fetcher.data.error}
          </Banner>
        ) : null}
        {fetcher.data?.ok ? (
          <Banner tone="success" title="Done">
            {fetcher.data.message}
          </Banner>
        ) : null}
        <FormLayout>
          <FormLayout.Group>
            <Select
              label="Action"
              value={intent}
              onChange={setIntent}
              options={[
                { label: "Adjust units", value: "adjust" },
                { label: "Count (cycle count)", value: "count" },
                { label: "Transfer to another location", value: "transfer" },
                { label: "Quarantine", value: "quarantine" },
                { label: "Release from quarantine", value: "release" },
                { label: "Put in a bin or clear it", value: "bin" },
              ]}
            />
            <Select
              label={intent === "transfer" ? "From location" : "Location"}
              value={locationId}
              onChange={setLocationId}
              options={
                intent === "quarantine" || intent === "release"
                  ? [{ label: "All locations", value: "all" }, ...options]
                  : intent === "bin"
                    ? balanceOptions
                    : options
              }
              error={errors.location ?? errors.from}
            />
            {intent === "transfer" ? (
              <Select label="To location" value={toLocationId} onChange={setToLocationId} options={toOptions} error={errors.to} />
            ) : null}
          </FormLayout.Group>
          <FormLayout.Group>
            {intent === "adjust" ? (
              <>
                <TextField
                  label="Units (+ or -)"
                  value={value}
                  onChange={setValue}
                  autoComplete="off"
                  placeholder="-3 or 5"
                  error={errors.delta ?? errors.quantity ?? errors.location}
                />
                <Select
                  label="Reason"
                  value={reason}
                  onChange={setReason}
                  options={["correction", "damaged", "shrinkage", "received", "other"].map((r) => ({ label: r[0]!.toUpperCase() + r.slice(1), value: r }))}
                  error={errors.reason}
                />
              </>
            ) : null}
            {intent === "count" ? (
              <>
                <TextField label="Units counted" type="number" value={value} onChange={setValue} autoComplete="off" error={errors.counted} />
                <TextField label="Bin (optional)" value={bin} onChange={setBin} autoComplete="off" placeholder="where they were counted" error={errors.bin} />
              </>
            ) : null}
            {intent === "transfer" ? (
              <>
                <TextField label="Units" type="number" value={value} onChange={setValue} autoComplete="off" error={errors.quantity ?? errors.from} />
                <TextField label="Bin at destination (optional)" value={bin} onChange={setBin} autoComplete="off" error={errors.bin} />
              </>
            ) : null}
            {intent === "bin" ? (
              <TextField
                label="Bin"
                value={bin}
                onChange={setBin}
                autoComplete="off"
                placeholder="A-03-2"
                helpText={currentBin ? `Now in ${currentBin}` : "Not in a bin now"}
                error={errors.bin}
              />
            ) : null}
            {intent !== "count" && intent !== "transfer" && intent !== "bin" ? (
              <TextField label="Note" value={note} onChange={setNote} autoComplete="off" />
            ) : null}
          </FormLayout.Group>
          <InlineStack gap="200">
            <Button variant="primary" tone={intent === "quarantine" ? "critical" : undefined} loading={busy} onClick={submit}>
              {intent === "adjust"
                ? "Adjust"
                : intent === "count"
                  ? "Record count"
                  : intent === "transfer"
                    ? "Transfer"
                    : intent === "quarantine"
                      ? "Quarantine"
                      : intent === "bin"
                        ? "Save bin"
                        : "Release"}
            </Button>
            {intent === "bin" ? (
              <Button
                loading={busy}
                disabled={currentBin === null}
                onClick={() => fetcher.submit({ intent, locationId, bin: "", clear: "true" }, { method: "post" })}
              >
                Clear bin
              </Button>
            ) : null}
          </InlineStack>
        </FormLayout>
      </BlockStack>
    </Card>
  );
}

function Customers({ data }: { data: Data }) {
  const { customers } = data.customers;
  if (customers.length === 0) return <EmptyList heading="No customer has received this lot">Shipments allocated to this lot appear here.</EmptyList>;
  return (
    <BlockStack gap="300">
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
      />
      <KeysetPagination nextCursor={data.customers.nextCursor} />
    </BlockStack>
  );
}

function Genealogy({ data }: { data: Data }) {
  if (data.upstream.length === 0 && data.downstream.length === 0) {
    return <EmptyList heading="No production runs">This lot was received, not made from other lots, and nothing was made from it.</EmptyList>;
  }
  const row = (l: Data["downstream"][number]) => [
    <Link key={l.lotId} to={`/app/lots/${l.lotId}`}>
      {l.lotNumber}
    </Link>,
    l.product ?? l.sku ?? "",
    plural(l.depth, "step"),
    l.supplier ?? (l.produced ? "(produced)" : "—"),
    l.onHandUnits,
  ];
  return (
    <BlockStack gap="400">
      <Text as="h3" variant="headingSm">
        Made from (backward)
      </Text>
      {data.upstream.length ? (
        <DataTable
          columnContentTypes={["text", "text", "text", "text", "numeric"]}
          headings={["Lot", "Product", "Distance", "Supplier", "On hand"]}
          rows={data.upstream.map(row)}
        />
      ) : (
        <Text as="p" tone="subdued">
          Nothing: received from a supplier.
        </Text>
      )}
      <Text as="h3" variant="headingSm">
        Went into (forward)
      </Text>
      {data.downstream.length ? (
        <DataTable
          columnContentTypes={["text", "text", "text", "text", "numeric"]}
          headings={["Lot", "Product", "Distance", "Supplier", "On hand"]}
          rows={data.downstream.map(row)}
        />
      ) : (
        <Text as="p" tone="subdued">
          No lot was made from it.
        </Text>
      )}
    </BlockStack>
  );
}

/** How the ledger names who made a change. */
const CAUSES: Record<string, string> = { USER: "You (admin)", WEBHOOK: "Shopify", JOB: "Lotkeeper", CLI: "Command line" };

function Ledger({ data, locationName }: { data: Data; locationName: (id: string | null) => string }) {
  const [params, setParams] = useSearchParams();
  const entries = data.lot.ledger.entries;
  if (entries.length === 0) return <EmptyList heading="No ledger entries" />;
  return (
    <BlockStack gap="300">
      <DataTable
        columnContentTypes={["text", "text", "text", "numeric", "numeric", "text"]}
        headings={["When (UTC)", "What", "Location", "Change", "Balance after", "Cause"]}
        rows={entries.map((e) => [
          e.createdAt.replace("T", " ").slice(0, 19),
          e.kind.toLowerCase().replace(/_/g, " "),
          locationName(e.locationId),
          e.delta > 0 ? `+${e.delta}` : e.delta,
          e.balanceAfter ?? "—",
          // Reasons can be long (webhook and order references): they wrap instead of widening the table.
          <div key={e.id} style={{ whiteSpace: "normal", minWidth: 220, maxWidth: 420 }}>
            {[CAUSES[e.cause] ?? e.cause.toLowerCase(), e.reason].filter(Boolean).join(": ")}
          </div>,
        ])}
      />
      <InlineStack align="center" gap="200">
        {params.get("ledger") ? (
          <Button
            onClick={() => {
              const next = new URLSearchParams(params);
              next.delete("ledger");
              setParams(next, { preventScrollReset: true });
            }}
          >
            Newest
          </Button>
        ) : null}
        {data.lot.ledger.nextCursor ? (
          <Button
            onClick={() => {
              const next = new URLSearchParams(params);
              next.set("ledger", data.lot.ledger.nextCursor!);
              setParams(next, { preventScrollReset: true });
            }}
          >
            Older entries
          </Button>
        ) : null}
      </InlineStack>
    </BlockStack>
  );
}

export const ErrorBoundary = () => <RouteError title="Lot" />;
