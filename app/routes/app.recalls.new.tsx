// Open a recall: the lot(s), a reason and a severity, and whether to tag the affected orders and
// customers in Shopify. Shows the scope (customers, units, downstream lots) before confirming.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, FormLayout, InlineGrid, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { adminContext, forClient } from "../lib/admin-context.server";
import { lookupRecall } from "../domain/recall/recall-lookup.server";
import { openRecall } from "../domain/recall/recall-case.server";
import { refusal, refusalMessage } from "../lib/domain-error-response.server";
import { parseSeverity } from "../domain/recall/recall-rules";
import { useResultToast } from "../components/action-result";
import { RouteError } from "../components/route-error";
import { parseId } from "../lib/ids";

/**
 * The lot numbers typed in the form: one per line. A lot number may hold spaces and commas
 * ("LOT 2026 A", "A,B"); it has no line breaks (checkLotNumber refuses control characters).
 */
const lotLines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const url = new URL(request.url);
  const lot = url.searchParams.get("lot")?.trim() ?? "";
  const variant = url.searchParams.get("variant") ?? "";
  const variantId = parseId(variant) ?? undefined;
  let preview = null;
  let previewError: string | null = null;
  if (lot) {
    try {
      const found = await lookupRecall(shopId, { lotNumber: lot, variantId, limit: 1 });
      preview = { lots: found.lots, totals: found.totals };
    } catch (error) {
      previewError = refusalMessage(error);
    }
  }
  return forClient({ lot, variant: variantId?.toString() ?? "", preview, previewError });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const form = await request.formData();
  const get = (name: string) => String(form.get(name) ?? "").trim();
  try {
    const variantId = parseId(get("variant"));
    const recall = await openRecall(shopId, {
      lots: lotLines(get("lot")).map((lotNumber) => ({ lotNumber, ...(variantId !== null ? { variantId } : {}) })),
      reason: get("reason"),
      severity: parseSeverity(get("severity") || "CLASS_II"),
      reference: get("reference") || undefined,
      tagShopify: form.get("tagShopify") === "true",
    });
    return redirect(`/app/recalls/${recall.id}?opened=1`);
  } catch (error) {
    return refusal(error, { prefix: "Recall not opened: " });
  }
};

export default function NewRecall() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  useResultToast(result);
  const navigation = useNavigation();
  const [lot, setLot] = useState(data.lot);
  const [reason, setReason] = useState("");
  const [severity, setSeverity] = useState("CLASS_II");
  const [reference, setReference] = useState("");
  const [tag, setTag] = useState(true);
  const [, setParams] = useSearchParams();
  // The scope on the right follows the lot typed here.
  const showScope = () => {
    const next = lotLines(lot)[0] ?? "";
    if (next && next !== data.lot) setParams({ lot: next }, { replace: true, preventScrollReset: true });
  };
  const t = data.preview?.totals;
  const recalled = (data.preview?.lots ?? []).filter((l) => l.status === "RECALLED").map((l) => l.lotNumber);
  return (
    <Page title="Open recall" backAction={{ content: "Recalls", url: "/app/recalls" }}>
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="post">
              <input type="hidden" name="variant" value={data.variant} />
              <input type="hidden" name="tagShopify" value={String(tag)} />
              <FormLayout>
                {result && !result.ok ? <Banner tone="critical">{result.error}</Banner> : null}
                <TextField
                  label="Lot number(s)"
                  name="lot"
                  value={lot}
                  onChange={setLot}
                  onBlur={showScope}
                  autoComplete="off"
                  multiline={2}
                  helpText="One lot number per line (spaces and commas are part of the number). Lots made from them are included."
                />
                <TextField
                  label="Reason"
                  name="reason"
                  value={reason}
                  onChange={setReason}
                  autoComplete="off"
                  placeholder="e.g. Listeria found in supplier sample"
                  multiline={2}
                />
                <FormLayout.Group>
                  <Select
                    label="Severity"
                    name="severity"
                    value={severity}
                    onChange={setSeverity}
                    options={[
                      { label: "Class I: serious health risk", value: "CLASS_I" },
                      { label: "Class II: temporary or reversible harm", value: "CLASS_II" },
                      { label: "Class III: unlikely to cause harm", value: "CLASS_III" },
                    ]}
                  />
                  <TextField
                    label="Reference (optional)"
                    name="reference"
                    value={reference}
                    onChange={setReference}
                    autoComplete="off"
                    placeholder="R-20261126-1"
                  />
                </FormLayout.Group>
                <Checkbox
                  label="Tag affected orders and customers in Shopify"
                  helpText="Adds the recall's tag through queued, throttled jobs; progress shows on the recall."
                  checked={tag}
                  onChange={setTag}
                />
                <Text as="p" tone="subdued">
                  Opening the recall quarantines every remaining unit of the lots in scope (in Shopify they move to quality control and stop selling) and lists
                  every customer to contact.
                </Text>
                <Button submit variant="primary" tone="critical" loading={navigation.state === "submitting"} disabled={!lot.trim() || !reason.trim()}>
                  Open recall
                </Button>
              </FormLayout>
            </Form>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Scope
              </Text>
              {data.previewError ? <Banner tone="warning">{data.previewError}</Banner> : null}
              {!data.lot ? (
                <Text as="p" tone="subdued">
                  Open a lot and choose “Open recall”, or type a lot number to see the scope.
                </Text>
              ) : null}
              {recalled.length ? (
                <Banner tone="info">
                  {`Already recalled: ${recalled.join(", ")}. Another recall covers ${recalled.length === 1 ? "it" : "them"} too; `}
                  <Link to="/app/recalls?status=OPEN">see the open recalls</Link>.
                </Banner>
              ) : null}
              {t ? (
                <InlineGrid columns={2} gap="200">
                  <Text as="span" tone="subdued">
                    Lots in scope
                  </Text>
                  <Text as="span">{data.preview!.lots.map((l) => l.lotNumber).join(", ")}</Text>
                  <Text as="span" tone="subdued">
                    Customers
                  </Text>
                  <Text as="span">{t.customers}</Text>
                  <Text as="span" tone="subdued">
                    Units shipped
                  </Text>
                  <Text as="span">{t.shippedUnits}</Text>
                  <Text as="span" tone="subdued">
                    Returned
                  </Text>
                  <Text as="span">{t.returnedUnits}</Text>
                  <Text as="span" tone="subdued">
                    On hand (to quarantine)
                  </Text>
                  <Text as="span">{t.onHandUnits}</Text>
                  <Text as="span" tone="subdued">
                    Possibly affected (unknown lot)
                  </Text>
                  <Text as="span">{t.possiblyAffectedUnits}</Text>
                </InlineGrid>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export const ErrorBoundary = () => <RouteError title="Open recall" />;
