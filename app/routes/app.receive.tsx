// Receive: a lot by form (variant picked with Shopify's resource picker inside the admin, or from
// the known variants in the preview), a scan field that fills GTIN, lot and dates from a GS1
// barcode, and CSV import with a dry run that lists every bad row before anything is written. A real
// import is checked the same way here, then runs in the background: the page goes to its task.
import {
  redirect,
  unstable_composeUploadHandlers,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from "@remix-run/node";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  DataTable,
  DropZone,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useMemo, useState } from "react";
import { adminContext, forClient } from "../lib/admin-context.server";
import { pool } from "../db.server";
import { receiveLot } from "../domain/lots/receive-lot.server";
import { importLotsCsv, readImportFile } from "../domain/lots/import-lots.server";
import { env } from "../env.server";
import { startLotImport } from "../domain/lots/import-task.server";
import { refusal } from "../lib/domain-error-response.server";
import { listLocations, readScan, searchVariants, type ScanReading } from "../domain/overview/choices.server";
import { variantLabel } from "../domain/overview/labels";
import { failed, ok, useResultToast, type ActionResult } from "../components/action-result";
import { plural } from "../components/plural";
import { RouteError } from "../components/route-error";
import { LOT_FIELD_LABELS } from "../components/lot-fields";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const db = pool();
  const [locations, variants] = await Promise.all([listLocations(db, shopId), searchVariants(db, shopId, "", 500)]);
  return forClient({
    maxUploadBytes: env().ADMIN_BODY_MAX_BYTES,
    locations,
    variants: variants.map((v) => ({ id: v.id, label: variantLabel(v), barcode: v.barcode, lotTracked: v.lotTracked })),
  });
};

/**
 * The action's form. The panel uploads the CSV file itself (multipart): its bytes are read as they
 * arrive, strictly as UTF-8 and up to the row limit (readImportFile; a CsvError when they are not),
 * never held whole as a file; the "csv" field is then the file's text. A plain form is read as is.
 */
async function readForm(request: Request): Promise<FormData> {
  if (!(request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data")) return request.formData();
  return unstable_parseMultipartFormData(
    request,
    unstable_composeUploadHandlers(
      async ({ name, filename, data }) => (name === "csv" && filename !== undefined ? readImportFile(data) : undefined),
      unstable_createMemoryUploadHandler({ maxPartSize: 64 * 1024 }),
    ),
  );
}

/** What a scan filled in, for the form; the message says what was read and which product it is. */
interface ScanAnswer {
  tone: "success" | "warning";
  fields: { gtin: string | null; lot: string | null; expiry: string | null; bestBefore: string | null; productionDate: string | null };
  variant: { id: string; label: string } | null;
}

type ReceiveResult = ActionResult & { scan?: ScanAnswer } & {
  lotId?: string;
  lotNumber?: string;
  report?: Awaited<ReturnType<typeof importLotsCsv>> extends infer R ? { [K in keyof R]: R[K] extends bigint | null ? string | null : R[K] } : never;
};

export const action = async ({ request }: ActionFunctionArgs): Promise<ReceiveResult> => {
  const { shopId, shop } = await adminContext(request);
  let form: FormData;
  try {
    form = await readForm(request);
  } catch (error) {
    return refusal(error, { prefix: "Not imported: " });
  }
  const get = (name: string) => {
    const v = String(form.get(name) ?? "").trim();
    return v === "" ? null : v;
  };
  const ctx = { cause: "USER" as const, causeRef: `admin:${shop}` };
  if (form.get("intent") === "scan") {
    try {
      return scanAnswer(await readScan(pool(), shopId, String(form.get("scan") ?? "")));
    } catch (error) {
      return refusal(error, { prefix: "Barcode not read: " });
    }
  }
  if (form.get("intent") === "import") {
    const csv = String(form.get("csv") ?? "");
    if (!csv.trim()) return failed("Choose a CSV file first");
    const dryRun = form.get("dryRun") === "true";
    const mode = form.get("mode") === "receipts" ? "receipts" : "opening-stock";
    let report;
    try {
      report = dryRun ? await importLotsCsv(shopId, csv, { dryRun, mode, ctx }) : await startLotImport(shopId, csv, { mode, ctx });
    } catch (error) {
      return refusal(error, { prefix: "Not imported: " });
    }
    if (report.taskId !== null) throw redirect(`/app/tasks/${report.taskId}`); // the task page shows its progress
    const message =
      report.errors.length > 0
        ? `${plural(report.errors.length, "problem")} found: nothing ${dryRun ? "would be" : "was"} imported`
        : `Dry run: ${plural(report.rows, "row is", "rows are")} valid (${plural(report.units, "unit")}, ${plural(report.lotsCreated, "new lot")}). Nothing imported yet.`;
    return { ...(report.errors.length ? failed(message) : ok(message)), report: forClient(report) as ReceiveResult["report"] };
  }
  try {
    const result = await receiveLot(
      shopId,
      {
        variantId: get("variantId") ?? "",
        lotNumber: get("lotNumber"),
        quantity: get("quantity") ?? "",
        locationId: get("locationId") ?? "",
        expiresOn: get("expiresOn"),
        bestBeforeOn: get("bestBeforeOn"),
        producedOn: get("producedOn"),
        supplier: get("supplier"),
        supplierLot: get("supplierLot"),
        purchaseOrder: get("purchaseOrder"),
        unitCost: get("unitCost"),
        currency: get("currency"),
        notes: get("notes"),
        gtin: get("gtin"),
      },
      ctx,
    );
    return {
      ...ok(
        `Received ${plural(result.quantity, "unit")} into lot ${result.lotNumber}${result.locationName ? ` at ${result.locationName}` : ""}${result.created ? " (new lot)" : ""}`,
      ),
      lotId: result.lotId.toString(),
      lotNumber: result.lotNumber,
    };
  } catch (error) {
    return refusal(error, { prefix: "Not received: ", prefixes: { Gs1Error: "Barcode not read: " }, labels: RECEIVE_LABELS });
  }
};

/** A read scan as the Receive page shows it: the fields it fills and, in words, what it was. */
function scanAnswer(r: ScanReading): ReceiveResult {
  const retail = !r.scanned.startsWith("GS1");
  const parts = [
    r.gtin ? (retail ? `${r.scanned} (GTIN ${r.gtin})` : `GTIN ${r.gtin}`) : null,
    r.lot ? `lot ${r.lot}` : null,
    r.expiry ? `expires ${r.expiry}` : null,
    r.bestBefore ? `best before ${r.bestBefore}` : null,
  ]
    .filter(Boolean)
    .join(", ");
  const fields = { gtin: r.gtin, lot: r.lot, expiry: r.expiry, bestBefore: r.bestBefore, productionDate: r.productionDate };
  const only = r.variants.length === 1 ? r.variants[0]! : null;
  const variant = only ? { id: only.id.toString(), label: variantLabel(only) } : null;
  const barcode = retail ? r.scanned.replace(/^\S+ /, "") : r.gtin;
  let message: string;
  if (!parts) message = `Read a ${r.scanned} with no GTIN, lot or dates: fill in the form below.`;
  else if (variant) message = `Read ${parts} · ${variant.label}`;
  else if (!r.gtin) message = `Read ${parts}`;
  else if (r.variants.length === 0) message = `Read ${parts}, but no product of this shop has barcode ${barcode}: pick the product below.`;
  else
    message = `Read ${parts}, but barcode ${barcode} is on ${r.variants.length} products (${r.variants.map(variantLabel).join(", ")}): pick the right one below.`;
  return ok(message, { scan: { tone: variant || (!r.gtin && parts) ? "success" : "warning", fields, variant } satisfies ScanAnswer });
}

/** The form's label for each field the domain names in its problems. */
const RECEIVE_LABELS: Record<string, string> = { ...LOT_FIELD_LABELS, variant: "Product", quantity: "Quantity", location: "Location", gtin: "GTIN" };

export default function Receive() {
  const { locations, variants, maxUploadBytes } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const scanFetcher = useFetcher<typeof action>();
  useResultToast(fetcher.data);
  const [variantId, setVariantId] = useState("");
  const [pickedLabel, setPickedLabel] = useState<string | null>(null);
  const [variantSearch, setVariantSearch] = useState("");
  const [scan, setScan] = useState("");
  const [scanMessage, setScanMessage] = useState<{ tone: "success" | "critical" | "warning"; text: string } | null>(null);
  const [fields, setFields] = useState({
    lotNumber: "",
    quantity: "",
    locationId: locations[0]?.id ?? "",
    expiresOn: "",
    bestBeforeOn: "",
    producedOn: "",
    supplier: "",
    supplierLot: "",
    purchaseOrder: "",
    unitCost: "",
    currency: "",
    notes: "",
    gtin: "",
  });
  const set = (name: keyof typeof fields) => (value: string) => setFields((f) => ({ ...f, [name]: value }));
  const errors = fetcher.data && !fetcher.data.ok ? (fetcher.data.errors ?? {}) : {};
  const busy = fetcher.state !== "idle" && fetcher.formData?.get("intent") === "receive";
  // Once received, the quantity is cleared: pressing Receive again must not receive the units twice.
  useEffect(() => {
    if (fetcher.data?.ok && fetcher.data.lotId) setFields((f) => ({ ...f, quantity: "" }));
  }, [fetcher.data]);

  const shownVariants = useMemo(() => {
    const q = variantSearch.trim().toLowerCase();
    return variants.filter((v) => !q || v.label.toLowerCase().includes(q) || (v.barcode ?? "").includes(q)).slice(0, 100);
  }, [variants, variantSearch]);

  // The server reads the scan (the same parser) and finds the product whose barcode it is, among
  // all of the shop's variants, not only those loaded into this page.
  const applyScan = (text: string) => {
    if (text.trim()) scanFetcher.submit({ intent: "scan", scan: text }, { method: "post" });
  };
  useEffect(() => {
    const answer = scanFetcher.data;
    if (!answer) return;
    if (!answer.ok || !answer.scan) {
      setScanMessage({ tone: "critical", text: answer.error ?? "Barcode not read" });
      return;
    }
    const { fields: read, variant, tone } = answer.scan;
    setFields((f) => ({
      ...f,
      lotNumber: read.lot ?? f.lotNumber,
      expiresOn: read.expiry ?? f.expiresOn,
      bestBeforeOn: read.bestBefore ?? f.bestBeforeOn,
      producedOn: read.productionDate ?? f.producedOn,
      gtin: read.gtin ?? f.gtin,
    }));
    if (variant) {
      setVariantId(variant.id);
      setPickedLabel(variant.label);
    }
    setScanMessage({ tone, text: answer.message ?? "" });
  }, [scanFetcher.data]);

  const pickWithShopify = async () => {
    const shopify = (
      window as unknown as {
        shopify?: { resourcePicker?: (o: object) => Promise<{ id: string; title?: string; variants?: { id: string; title?: string }[] }[] | undefined> };
      }
    ).shopify;
    const selection = await shopify?.resourcePicker?.({ type: "variant", multiple: false, action: "select" });
    const picked = selection?.[0];
    if (!picked) return;
    const id = /(\d+)$/.exec(picked.id)?.[1] ?? "";
    setVariantId(id);
    setPickedLabel(variants.find((v) => v.id === id)?.label ?? picked.title ?? `Variant ${id}`);
  };
  const hasResourcePicker =
    typeof window !== "undefined" && typeof (window as unknown as { shopify?: { resourcePicker?: unknown } }).shopify?.resourcePicker === "function";

  return (
    <Page title="Receive" backAction={{ content: "Lots", url: "/app/lots" }}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                Receive a lot
              </Text>
              {fetcher.data?.ok && fetcher.data.lotId ? (
                <Banner tone="success" title={fetcher.data.message}>
                  <Link to={`/app/lots/${fetcher.data.lotId}`}>Open lot {fetcher.data.lotNumber}</Link>
                </Banner>
              ) : null}
              {fetcher.data && !fetcher.data.ok && !fetcher.data.report ? <Banner tone="critical">{fetcher.data.error}</Banner> : null}
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  applyScan(scan);
                }}
              >
                {/* A scanner types the code and presses Enter, which submits this small form. */}
                <TextField
                  label="Scan a GS1 barcode"
                  value={scan}
                  onChange={setScan}
                  autoComplete="off"
                  placeholder="(01)09501101530003(17)270630(10)LOT42 or a Digital Link"
                  helpText="GTIN, lot and dates are filled in from the barcode; a retail barcode (EAN-13, UPC-A, EAN-8) picks its product."
                  connectedRight={
                    <Button submit loading={scanFetcher.state !== "idle"}>
                      Read
                    </Button>
                  }
                />
              </form>
              {scanMessage ? <Banner tone={scanMessage.tone}>{scanMessage.text}</Banner> : null}
              {locations.length === 0 ? (
                <Banner tone="warning" title="No locations yet: units need a location to be received into">
                  Locations come from Shopify: add or activate one in your Shopify admin under Settings &gt; Locations. It arrives here with Shopify&apos;s
                  locations webhooks; then reload this page.
                </Banner>
              ) : null}
              <fetcher.Form method="post">
                <input type="hidden" name="intent" value="receive" />
                <input type="hidden" name="variantId" value={variantId} />
                <input type="hidden" name="gtin" value={fields.gtin} />
                <FormLayout>
                  <BlockStack gap="200">
                    <Text as="p" fontWeight="medium">
                      Product
                    </Text>
                    {hasResourcePicker ? (
                      <InlineStack gap="200" blockAlign="center">
                        <Button onClick={pickWithShopify}>{variantId ? "Change product" : "Choose product"}</Button>
                        <Text as="span">{pickedLabel ?? "No product chosen"}</Text>
                      </InlineStack>
                    ) : (
                      <FormLayout.Group>
                        <TextField
                          label="Find a product"
                          value={variantSearch}
                          onChange={setVariantSearch}
                          autoComplete="off"
                          placeholder="Title, SKU or barcode"
                        />
                        <Select
                          label="Variant"
                          options={[
                            { label: variants.length ? "Choose a variant" : "No products known yet", value: "" },
                            ...shownVariants.map((v) => ({ label: v.label, value: v.id })),
                            ...(variantId && !shownVariants.some((v) => v.id === variantId)
                              ? [{ label: pickedLabel ?? `Variant ${variantId}`, value: variantId }]
                              : []),
                          ]}
                          value={variantId}
                          onChange={(v) => {
                            setVariantId(v);
                            setPickedLabel(variants.find((x) => x.id === v)?.label ?? null);
                          }}
                          error={errors.variant}
                        />
                      </FormLayout.Group>
                    )}
                  </BlockStack>
                  <FormLayout.Group>
                    <TextField
                      label="Lot number"
                      name="lotNumber"
                      value={fields.lotNumber}
                      onChange={set("lotNumber")}
                      autoComplete="off"
                      helpText="Leave empty to generate one from your pattern (Settings)."
                      error={errors.lot}
                    />
                    <TextField
                      label="Quantity"
                      name="quantity"
                      type="number"
                      min={1}
                      value={fields.quantity}
                      onChange={set("quantity")}
                      autoComplete="off"
                      error={errors.quantity}
                    />
                    {locations.length ? (
                      <Select
                        label="Location"
                        name="locationId"
                        options={locations.map((l) => ({ label: l.name, value: l.id }))}
                        value={fields.locationId}
                        onChange={set("locationId")}
                        error={errors.location}
                      />
                    ) : null}
                  </FormLayout.Group>
                  <FormLayout.Group condensed>
                    <TextField
                      label="Expiry date"
                      name="expiresOn"
                      type="date"
                      value={fields.expiresOn}
                      onChange={set("expiresOn")}
                      autoComplete="off"
                      error={errors.expires}
                    />
                    <TextField
                      label="Best before"
                      name="bestBeforeOn"
                      type="date"
                      value={fields.bestBeforeOn}
                      onChange={set("bestBeforeOn")}
                      autoComplete="off"
                      error={errors["best-before"]}
                    />
                    <TextField
                      label="Production date"
                      name="producedOn"
                      type="date"
                      value={fields.producedOn}
                      onChange={set("producedOn")}
                      autoComplete="off"
                      error={errors.produced}
                    />
                  </FormLayout.Group>
                  <FormLayout.Group>
                    <TextField label="Supplier" name="supplier" value={fields.supplier} onChange={set("supplier")} autoComplete="off" error={errors.supplier} />
                    <TextField
                      label="Supplier lot"
                      name="supplierLot"
                      value={fields.supplierLot}
                      onChange={set("supplierLot")}
                      autoComplete="off"
                      error={errors["supplier-lot"]}
                    />
                    <TextField
                      label="Purchase order"
                      name="purchaseOrder"
                      value={fields.purchaseOrder}
                      onChange={set("purchaseOrder")}
                      autoComplete="off"
                      error={errors.po}
                    />
                  </FormLayout.Group>
                  <FormLayout.Group condensed>
                    <TextField
                      label="Unit cost"
                      name="unitCost"
                      value={fields.unitCost}
                      onChange={set("unitCost")}
                      autoComplete="off"
                      placeholder="1.25"
                      error={errors.cost}
                    />
                    <TextField
                      label="Currency"
                      name="currency"
                      value={fields.currency}
                      onChange={set("currency")}
                      autoComplete="off"
                      placeholder="EUR"
                      error={errors.currency}
                    />
                  </FormLayout.Group>
                  <TextField label="Notes" name="notes" value={fields.notes} onChange={set("notes")} autoComplete="off" multiline={2} error={errors.notes} />
                  <Button submit variant="primary" loading={busy}>
                    Receive
                  </Button>
                </FormLayout>
              </fetcher.Form>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <CsvImport maxUploadBytes={maxUploadBytes} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function CsvImport({ maxUploadBytes }: { maxUploadBytes: number }) {
  const fetcher = useFetcher<typeof action>();
  useResultToast(fetcher.data);
  const [file, setFile] = useState<File | null>(null);
  const [tooLarge, setTooLarge] = useState<string | null>(null);
  const [dryRun, setDryRun] = useState(true);
  const [mode, setMode] = useState("opening-stock");
  const report = fetcher.data?.report;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Import lots from CSV
        </Text>
        <Text as="p" tone="subdued">
          Columns: variant_id or sku, lot_number, quantity, location_id, expires_on, best_before_on, produced_on, supplier, supplier_lot, purchase_order,
          unit_cost, currency, notes, gtin. All rows or none are imported; the import runs in the background and its page (also under Tasks) shows the progress.
        </Text>
        <DropZone
          label="CSV file"
          accept=".csv,text/csv"
          allowMultiple={false}
          onDrop={async (_all, accepted) => {
            const f = accepted[0];
            if (!f) return;
            // The server refuses larger uploads (413); say so here, before sending anything.
            const limit = `${Math.round((maxUploadBytes / (1024 * 1024)) * 10) / 10} MB`;
            setTooLarge(f.size > maxUploadBytes ? `${f.name} is larger than ${limit}, the most one import takes: split the file` : null);
            setFile(f.size > maxUploadBytes ? null : f);
          }}
        >
          {file ? (
            <Text as="p" alignment="center">
              {file.name}
            </Text>
          ) : (
            <DropZone.FileUpload actionTitle="Choose CSV" actionHint="or drop it here" />
          )}
        </DropZone>
        <Select
          label="The file holds"
          value={mode}
          onChange={setMode}
          options={[
            { label: "Opening stock (already counted in Shopify)", value: "opening-stock" },
            { label: "New receipts (raise Shopify's quantities)", value: "receipts" },
          ]}
        />
        <Checkbox label="Dry run (check only, import nothing)" checked={dryRun} onChange={setDryRun} />
        <Button
          variant="primary"
          disabled={!file}
          loading={fetcher.state !== "idle"}
          onClick={() => {
            if (!file) return;
            const body = new FormData();
            body.set("intent", "import");
            body.set("csv", file, file.name);
            body.set("dryRun", String(dryRun));
            body.set("mode", mode);
            fetcher.submit(body, { method: "post", encType: "multipart/form-data" });
          }}
        >
          {dryRun ? "Check file" : "Import"}
        </Button>
        {tooLarge ? <Banner tone="critical" title={tooLarge} /> : null}
        {fetcher.data?.report || fetcher.data?.ok === false ? (
          <Banner tone={fetcher.data.ok ? "success" : "critical"} title={fetcher.data.ok ? fetcher.data.message : fetcher.data.error} />
        ) : null}
        {report && report.errors.length > 0 ? (
          <DataTable
            columnContentTypes={["numeric", "text", "text"]}
            headings={["Row", "Column", "Problem"]}
            // The card is narrow: the problem wraps instead of scrolling out of sight.
            rows={report.errors.slice(0, 200).map((e, i) => [
              e.row,
              e.column ?? "—",
              <div key={i} style={{ whiteSpace: "normal", minWidth: 140 }}>
                {e.reason}
              </div>,
            ])}
            footerContent={report.errors.length > 200 ? `${report.errors.length - 200} more problems not shown` : undefined}
          />
        ) : null}
      </BlockStack>
    </Card>
  );
}

export const ErrorBoundary = () => <RouteError title="Receive" />;
