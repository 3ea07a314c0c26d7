// The daily expiry check's task page (kind "expiry.daily"): the lots it found expired and the lots
// that entered their alert window that day (app/domain/expiry/expiry-events.server.ts FoundLots).
import { Link } from "@remix-run/react";
import { BlockStack, Card, DataTable, Layout, Text } from "@shopify/polaris";
import { plural } from "./plural";

interface FoundLot {
  lotId: string;
  lotNumber: string;
  product?: string;
  expiresOn: string;
  daysLeft?: number;
  units: number;
  locations?: { locationId: string; name: string | null; units: number }[];
}

interface FoundLots {
  count?: number;
  units?: number;
  lots?: FoundLot[];
  /** The quarantine step: off unless the shop chose it. */
  enabled?: boolean;
}

interface MarkdownChange {
  variantId: string;
  product: string | null;
  lotNumber: string | null;
  daysLeft: number | null;
  from: number;
  to: number;
}

export interface ExpiryTaskResult {
  day?: string;
  markdowns?: { enabled?: boolean; count?: number; changes?: MarkdownChange[] };
  expire?: FoundLots;
  quarantine?: FoundLots;
  alerts?: FoundLots;
}

const SECTIONS = [
  { key: "expire", title: "Expired", none: "No lot with units on hand expired.", daysLeft: false },
  { key: "quarantine", title: "Moved to quality control in Shopify", none: "No expired units were left to quarantine.", daysLeft: false },
  { key: "alerts", title: "Entering their alert window", none: "No lot entered its alert window.", daysLeft: true },
] as const;

export function ExpiryTaskLots({ result }: { result: ExpiryTaskResult }) {
  const markdowns = result.markdowns?.changes ?? [];
  return (
    <>
      {markdowns.length > 0 ? (
        <Layout.Section>
          <Card padding="0">
            <DataTable
              columnContentTypes={["text", "text", "numeric", "text"]}
              headings={["Markdown (automatic discount in Shopify)", "Short-dated lot", "Days left", "Change"]}
              rows={markdowns.map((m) => [
                m.product ?? `Variant ${m.variantId}`,
                m.lotNumber ?? "—",
                m.daysLeft ?? "—",
                m.to === 0 ? `${m.from} % off removed` : m.from === 0 ? `${m.to} % off` : `${m.from} % to ${m.to} % off`,
              ])}
            />
          </Card>
        </Layout.Section>
      ) : null}
      {SECTIONS.map((section) => {
        const found = result[section.key] ?? {};
        if (section.key === "quarantine" && !found.enabled) return null;
        const lots = found.lots ?? [];
        return (
          <Layout.Section key={section.key}>
            <Card padding={lots.length ? "0" : undefined}>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {`${section.title} on ${result.day ?? "this day"}: ${plural(found.count ?? 0, "lot")}, ${plural(found.units ?? 0, "unit")}`}
                </Text>
                {lots.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {section.none}
                  </Text>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "text", "text", "numeric", "numeric", "text"]}
                    headings={["Lot", "Product", "Expires", "Days left", "Units", "Where"]}
                    rows={lots.map((lot) => [
                      <Link key={lot.lotId} to={`/app/lots/${lot.lotId}`}>
                        {lot.lotNumber}
                      </Link>,
                      lot.product ?? "—",
                      lot.expiresOn,
                      section.daysLeft ? (lot.daysLeft ?? "—") : "—",
                      lot.units,
                      (lot.locations ?? []).map((l) => `${l.name ?? `Location ${l.locationId}`}: ${l.units}`).join(", ") || "—",
                    ])}
                    footerContent={(found.count ?? 0) > lots.length ? `${(found.count ?? 0) - lots.length} more lots not shown` : undefined}
                  />
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
        );
      })}
    </>
  );
}
