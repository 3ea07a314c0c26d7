// Settings: allocation strategy, minimum remaining shelf life, automatic lot numbers, and which
// products are lot-tracked (with an optional strategy of their own), and the latest customer data
// requests with their exports (all of them on /app/data-requests).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useFetcher, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, Checkbox, FormLayout, IndexTable, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { adminContext } from "../lib/admin-context.server";
import { withTransaction } from "../lib/sql.server";
import { listProductTracking, setProductTracking, shopSettings, updateShopSettings } from "../domain/shops/settings.server";
import { expirySettings, parseExpirySettings, updateExpirySettings } from "../domain/expiry/expiry-settings.server";
import { parseShopSettings, STRATEGIES, type Strategy } from "../domain/shops/settings";
import { refusal } from "../lib/domain-error-response.server";
import { failed, ok, useResultToast, type ActionResult } from "../components/action-result";
import { KeysetPagination } from "../components/keyset-pagination";
import { RouteError } from "../components/route-error";
import { EmptyList } from "../components/empty-list";
import { pool } from "../db.server";
import { listDataRequestPage } from "../domain/privacy/privacy.server";
import { DownloadButton } from "../components/download-button";
import { parseId } from "../lib/ids";
import { noticeSettings, saveNoticeSettings } from "../domain/recall/recall-notices.server";
import { parseNoticeSettings } from "../domain/recall/notice-rules";
import { env } from "../env.server";
import { RecallNoticeSettingsForm } from "../components/recall-notice-settings-form";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const url = new URL(request.url);
  const search = url.searchParams.get("q") ?? "";
  const afterRaw = url.searchParams.get("after");
  const after = afterRaw ? decodeCursor(afterRaw) : null;
  const sql = pool();
  const [settings, page, dataRequests, notices, expiry] = await Promise.all([
    shopSettings(sql, shopId),
    listProductTracking(sql, shopId, { search, after }),
    listDataRequestPage(sql, shopId, { limit: 5 }),
    noticeSettings(sql, shopId),
    expirySettings(sql, shopId),
  ]);
  const last = page.products.at(-1);
  return {
    settings,
    expiry,
    notices: { ...notices, smtpConfigured: env().SMTP_URL !== undefined },
    search,
    products: page.products.map((p) => ({ ...p, productId: p.productId.toString() })),
    nextCursor: page.hasNext && last ? encodeCursor(last.productTitle ?? "", last.productId) : null,
    dataRequests: {
      latest: dataRequests.requests.map((r) => ({ id: r.id.toString(), customerId: r.customerId?.toString() ?? null, email: r.email, createdAt: r.createdAt })),
      more: dataRequests.nextCursor !== null,
    },
  };
};

function encodeCursor(title: string, id: bigint): string {
  return Buffer.from(JSON.stringify([title, id.toString()])).toString("base64url");
}
function decodeCursor(raw: string): { title: string; id: bigint } | null {
  try {
    const [title, id] = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as [string, string];
    const parsed = parseId(id);
    return typeof title === "string" && parsed !== null ? { title, id: parsed } : null;
  } catch {
    return null;
  }
}

export const action = async ({ request }: ActionFunctionArgs): Promise<ActionResult> => {
  const { shopId } = await adminContext(request);
  const form = await request.formData();
  const intent = form.get("intent");
  try {
    if (intent === "settings") {
      const settings = parseShopSettings(Object.fromEntries(form));
      await withTransaction((sql) => updateShopSettings(sql, shopId, settings));
      return ok("Settings saved");
    }
    if (intent === "expiry") {
      const saved = await updateExpirySettings(pool(), shopId, parseExpirySettings(Object.fromEntries(form)));
      return ok(
        `Expiry check saved: alerts ${saved.alertDays} days before expiry, daily from ${saved.runHour}:00${saved.quarantine ? ", expired units quarantined" : ""}${saved.markdowns ? `, markdowns ${saved.markdowns}` : ""}`,
      );
    }
    if (intent === "notices") {
      const notices = parseNoticeSettings(Object.fromEntries(form));
      await saveNoticeSettings(pool(), shopId, notices);
      return ok("Recall notice settings saved");
    }
    if (intent === "product") {
      const productId = String(form.get("productId") ?? "");
      const product = parseId(productId);
      if (product === null) return failed("Unknown product");
      const strategy = String(form.get("strategyOverride") ?? "");
      const changed = await withTransaction((sql) =>
        setProductTracking(sql, shopId, product, {
          lotTracked: form.get("lotTracked") === "true",
          strategyOverride: strategy ? (strategy as Strategy) : null,
        }),
      );
      if (changed === 0) return failed("Unknown product");
      return ok(
        `${form.get("title") ?? "Product"}: ${form.get("lotTracked") === "true" ? "lot-tracked" : "not lot-tracked"}${strategy ? `, ${STRATEGY_NAMES[strategy] ?? strategy}` : ", shop default strategy"}`,
      );
    }
    return failed("Unknown action");
  } catch (error) {
    return refusal(error, {
      messages: {
        SettingsValidationError: "Settings not saved: fix the fields marked below",
        NoticeSettingsError: "Recall notice settings not saved: fix the fields marked below",
      },
    });
  }
};

/** A strategy's short name, as a product's row shows it. */
const STRATEGY_NAMES: Record<string, string> = { FEFO: "FEFO", FIFO: "FIFO", LIFO: "LIFO", MANUAL: "Manual" };

const STRATEGY_OPTIONS = [
  { label: "FEFO: earliest expiry first (recommended)", value: "FEFO" },
  { label: "FIFO: first received first", value: "FIFO" },
  { label: "LIFO: last received first", value: "LIFO" },
  { label: "Manual: the merchant picks the lot", value: "MANUAL" },
];

export default function Settings() {
  const { settings, expiry, notices, products, nextCursor, search, dataRequests } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [strategy, setStrategy] = useState<string>(settings.allocationStrategy);
  const [days, setDays] = useState(String(settings.minShelfLifeDays));
  const [pattern, setPattern] = useState(settings.autoLotPattern);
  const [alertDays, setAlertDays] = useState(String(expiry.alertDays));
  const [runHour, setRunHour] = useState(String(expiry.runHour));
  const [quarantineExpired, setQuarantineExpired] = useState(expiry.quarantine);
  const [markdowns, setMarkdowns] = useState(expiry.markdowns);
  const [query, setQuery] = useState(search);
  const [, setParams] = useSearchParams();
  useResultToast(result);
  const saving = navigation.state === "submitting" && navigation.formData?.get("intent") === "settings";

  return (
    <Page title="Settings">
      <Layout>
        <Layout.AnnotatedSection
          title="Allocation"
          description="How fulfilled units are assigned to lots. Expired, quarantined and recalled lots are never used automatically."
        >
          <Card>
            <Form method="post">
              <input type="hidden" name="intent" value="settings" />
              <FormLayout>
                <Select
                  label="Allocation strategy"
                  name="allocationStrategy"
                  options={STRATEGY_OPTIONS}
                  value={strategy}
                  onChange={setStrategy}
                  error={result?.errors?.allocationStrategy}
                />
                <TextField
                  label="Minimum remaining shelf life (days)"
                  name="minShelfLifeDays"
                  type="number"
                  min={0}
                  value={days}
                  onChange={setDays}
                  autoComplete="off"
                  helpText="Lots expiring sooner than this are not shipped automatically. 0 ships until the expiry date."
                  error={result?.errors?.minShelfLifeDays}
                />
                <TextField
                  label="Automatic lot number pattern"
                  name="autoLotPattern"
                  value={pattern}
                  onChange={setPattern}
                  autoComplete="off"
                  helpText="Used when you receive without a lot number. Tokens: {YYYYMMDD} {YYMMDD} {YYYY} {MM} {DD} {PO} {SKU} {SEQ}."
                  error={result?.errors?.autoLotPattern}
                />
                <Button submit variant="primary" loading={saving}>
                  Save settings
                </Button>
              </FormLayout>
            </Form>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="Expiry check"
          description={`Every day the app marks lots that expired and lists lots entering their alert window, in the shop's time zone (${expiry.timeZone ?? "not read from Shopify yet: UTC"}). Each run is a task under Tasks.`}
        >
          <Card>
            <Form method="post">
              <input type="hidden" name="intent" value="expiry" />
              <FormLayout>
                <TextField
                  label="Alert window (days before expiry)"
                  name="alertDays"
                  type="number"
                  min={0}
                  value={alertDays}
                  onChange={setAlertDays}
                  autoComplete="off"
                  helpText="A product can have its own window: lotkeeper expiry settings --product <id> --alert-days <days>."
                />
                <TextField
                  label="Run from (hour of the day, 0-23)"
                  name="runHour"
                  type="number"
                  min={0}
                  max={23}
                  value={runHour}
                  onChange={setRunHour}
                  autoComplete="off"
                />
                <Checkbox
                  label="Quarantine expired units in Shopify"
                  helpText="Each day's check moves the units of expired lots to quality_control, so they stop selling online and at the POS."
                  checked={quarantineExpired}
                  onChange={setQuarantineExpired}
                />
                <input type="hidden" name="quarantine" value={String(quarantineExpired)} />
                <TextField
                  label="Markdowns on short-dated stock"
                  name="markdowns"
                  value={markdowns}
                  onChange={setMarkdowns}
                  autoComplete="off"
                  placeholder="14:20, 5:40"
                  helpText="days:percent: 14:20 takes 20 % off a product from 14 days before its earliest lot expires (an automatic discount in Shopify, removed when that lot is gone). Empty: no markdowns."
                />
                <Button submit loading={navigation.state === "submitting" && navigation.formData?.get("intent") === "expiry"}>
                  Save expiry check
                </Button>
              </FormLayout>
            </Form>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="Lot-tracked products"
          description="Products that are not lot-tracked are shipped without lot allocation. A product can use its own strategy."
        >
          <Card padding="0">
            <BlockStack gap="0">
              <div style={{ padding: "var(--p-space-300)" }}>
                <Form
                  method="get"
                  onSubmit={(e) => {
                    e.preventDefault();
                    setParams(query ? { q: query } : {});
                  }}
                >
                  <TextField
                    label="Search products"
                    labelHidden
                    placeholder="Search by product or SKU"
                    value={query}
                    onChange={setQuery}
                    autoComplete="off"
                    clearButton
                    onClearButtonClick={() => {
                      setQuery("");
                      setParams({});
                    }}
                  />
                </Form>
              </div>
              {products.length === 0 ? (
                <EmptyList heading={search ? "No product matches" : "No products yet"}>
                  {search ? "Try another search." : "Products appear here as Shopify sends them (products/create and products/update)."}
                </EmptyList>
              ) : (
                <IndexTable
                  itemCount={products.length}
                  selectable={false}
                  headings={[{ title: "Product" }, { title: "Variants" }, { title: "Lot tracking" }, { title: "Strategy" }, { title: "" }]}
                >
                  {products.map((p, index) => (
                    <ProductRow key={p.productId} index={index} product={p} shopDefault={settings.allocationStrategy} />
                  ))}
                </IndexTable>
              )}
              <KeysetPagination nextCursor={nextCursor} />
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="Recall notices"
          description="The email each customer of a recall gets when you press Send notices on the recall. The default follows the EU General Product Safety Regulation (Art. 36): keep its headline, the lot, the hazard, what to do, the remedy and a free contact."
        >
          <RecallNoticeSettingsForm notices={notices} result={result} />
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="Customer data requests"
          description="When a customer asks your store for their data, Shopify forwards the request and Lotkeeper prepares an export of what it holds about them. Download it and send it to the customer within 30 days."
        >
          <Card padding="0">
            {dataRequests.latest.length === 0 ? (
              <EmptyList heading="No data requests">Requests appear here when a customer asks your store for their data.</EmptyList>
            ) : (
              <IndexTable
                resourceName={{ singular: "data request", plural: "data requests" }}
                itemCount={dataRequests.latest.length}
                selectable={false}
                headings={[{ title: "Received" }, { title: "Customer" }, { title: "Email" }, { title: "Export" }]}
              >
                {dataRequests.latest.map((r, i) => (
                  <IndexTable.Row id={r.id} key={r.id} position={i}>
                    <IndexTable.Cell>{r.createdAt.slice(0, 16).replace("T", " ")}</IndexTable.Cell>
                    <IndexTable.Cell>{r.customerId ?? "Guest"}</IndexTable.Cell>
                    <IndexTable.Cell>{r.email ?? "—"}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <DownloadButton url={`/app/data-requests/${r.id}`}>Download JSON</DownloadButton>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
            <div style={{ padding: "var(--p-space-300)" }}>
              <Button url="/app/data-requests" variant="plain">
                {dataRequests.more ? "View all data requests" : "Open the data requests page"}
              </Button>
            </div>
          </Card>
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}

function ProductRow({
  product,
  index,
  shopDefault,
}: {
  product: { productId: string; productTitle: string | null; variants: number; trackedVariants: number; strategyOverride: string | null };
  index: number;
  shopDefault: string;
}) {
  const fetcher = useFetcher<typeof action>();
  useResultToast(fetcher.data);
  const tracked = product.trackedVariants === product.variants;
  const [strategy, setStrategy] = useState(product.strategyOverride ?? "");
  const title = product.productTitle ?? `Product ${product.productId}`;
  const submit = (lotTracked: boolean, strategyOverride: string) =>
    fetcher.submit({ intent: "product", productId: product.productId, lotTracked: String(lotTracked), strategyOverride, title }, { method: "post" });
  return (
    <IndexTable.Row id={product.productId} position={index}>
      <IndexTable.Cell>
        <Text as="span" fontWeight="semibold">
          {title}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>{product.variants}</IndexTable.Cell>
      <IndexTable.Cell>
        {tracked ? (
          <Badge tone="success">Lot-tracked</Badge>
        ) : product.trackedVariants === 0 ? (
          <Badge>Not tracked</Badge>
        ) : (
          <Badge tone="attention">{`${product.trackedVariants} of ${product.variants} tracked`}</Badge>
        )}
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Select
          label={`Strategy for ${title}`}
          labelHidden
          options={[
            { label: `Shop default (${STRATEGY_NAMES[shopDefault] ?? shopDefault})`, value: "" },
            ...STRATEGIES.map((s) => ({ label: STRATEGY_NAMES[s] ?? s, value: s })),
          ]}
          value={strategy}
          onChange={(value) => {
            setStrategy(value);
            submit(tracked, value);
          }}
        />
      </IndexTable.Cell>
      <IndexTable.Cell>
        <InlineStack align="end">
          <Button loading={fetcher.state !== "idle"} onClick={() => submit(!tracked, strategy)}>
            {tracked ? "Stop tracking" : "Track lots"}
          </Button>
        </InlineStack>
      </IndexTable.Cell>
    </IndexTable.Row>
  );
}

export const ErrorBoundary = () => <RouteError title="Settings" />;
