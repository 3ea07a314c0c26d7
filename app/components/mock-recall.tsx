// "Run mock recall" (decision 106): a lot number (and, when several variants share it, the
// variant id) runs the whole recall trace and mass balance without changing anything, and the
// dated drill reports are listed with their PDF.
import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineStack, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useResultToast, type ActionResult } from "./action-result";
import { DownloadButton } from "./download-button";

export interface DrillRow {
  id: string;
  lotNumber: string;
  variantId: string | null;
  startedAt: string;
  durationMs: number;
  customers: number;
  unexplained: number;
}

export function MockRecallCard({ drills }: { drills: DrillRow[] }) {
  const fetcher = useFetcher<ActionResult>();
  useResultToast(fetcher.data);
  const [lot, setLot] = useState("");
  const [variant, setVariant] = useState("");
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Mock recall drills
        </Text>
        <Text as="p" tone="subdued">
          Practise a recall: trace a lot to every customer, lot made from it and supplier, and check its mass balance, timed step by step. Nothing is
          quarantined, nothing is changed in Shopify, no customer is contacted.
        </Text>
        <fetcher.Form method="post">
          <input type="hidden" name="intent" value="drill" />
          <InlineStack gap="200" blockAlign="end">
            <div style={{ minWidth: 200 }}>
              <TextField label="Lot number" name="lot" value={lot} onChange={setLot} autoComplete="off" error={result?.errors?.lot} />
            </div>
            <div style={{ minWidth: 200 }}>
              <TextField
                label="Variant id (optional)"
                name="variant"
                value={variant}
                onChange={setVariant}
                autoComplete="off"
                helpText="Only when several products share the lot number"
                error={result?.errors?.variant}
              />
            </div>
            <Button submit variant="primary" loading={fetcher.state !== "idle"} disabled={lot.trim() === ""}>
              Run mock recall
            </Button>
          </InlineStack>
        </fetcher.Form>
        {result ? (
          result.ok ? (
            <Banner tone="success" title="Mock recall done">
              {result.message}
            </Banner>
          ) : (
            <Banner tone="critical" title="Mock recall not run">
              {result.error}
            </Banner>
          )
        ) : null}
        {drills.length === 0 ? (
          <Text as="p" tone="subdued">
            No drill yet.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "numeric", "numeric", "text", "text"]}
            headings={["Run (UTC)", "Lot", "Duration (ms)", "Customers", "Mass balance", "Report"]}
            rows={drills.map((d) => [
              d.startedAt.slice(0, 16).replace("T", " "),
              d.lotNumber,
              d.durationMs,
              d.customers,
              d.unexplained === 0 ? <Badge tone="success">Balanced</Badge> : <Badge tone="critical">{`${d.unexplained} unexplained`}</Badge>,
              <DownloadButton key={d.id} url={`/app/recalls/drills/${d.id}/pdf`}>
                PDF
              </DownloadButton>,
            ])}
          />
        )}
      </BlockStack>
    </Card>
  );
}
