// Where every unit of the lots went (mass balance) and how effective a recall is against the FDA
// level the merchant chose (docs/decisions/106-mass-balance-and-drills.md). Used by the recall page.
import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { MassBalance } from "../domain/recall/mass-balance-rules";
import { describeLevel, type EffectivenessLevel } from "../domain/recall/effectiveness-rules";
import { useResultToast, type ActionResult } from "./action-result";

type LotBalance = MassBalance & { lotId: string; lotNumber: string; consumed: number };

const COLUMNS: [keyof MassBalance, string][] = [
  ["received", "Received"],
  ["shipped", "Shipped"],
  ["returned", "Returned"],
  ["onHand", "On hand"],
  ["destroyed", "Destroyed"],
  ["adjusted", "Adjusted"],
  ["unexplained", "Unexplained"],
];

/** One row per lot and a total: received = shipped − returned + on hand + destroyed + adjusted + unexplained. */
export function MassBalanceCard({ lots, total }: { lots: LotBalance[]; total: MassBalance }) {
  const cells = (b: MassBalance) =>
    COLUMNS.map(([key]) => (key === "unexplained" && b.unexplained !== 0 ? <Badge tone="critical">{String(b.unexplained)}</Badge> : b[key]));
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack align="space-between">
          <Text as="h2" variant="headingMd">
            Mass balance
          </Text>
          {total.unexplained === 0 ? (
            <Badge tone="success">Every unit accounted for</Badge>
          ) : (
            <Badge tone="critical">{`${total.unexplained} unexplained`}</Badge>
          )}
        </InlineStack>
        <Text as="p" tone="subdued">
          Received = shipped (to customers and into production runs) − returned + on hand + destroyed (written off as damaged) + adjusted (counts and
          corrections). Transfers between locations change no total.
        </Text>
        <DataTable
          columnContentTypes={["text", ...COLUMNS.map(() => "numeric" as const)]}
          headings={["Lot", ...COLUMNS.map(([, label]) => label)]}
          rows={lots.map((l) => [l.lotNumber, ...cells(l)])}
          totals={["", ...cells(total)]}
          showTotalsInFooter
        />
      </BlockStack>
    </Card>
  );
}

interface EffectivenessView {
  level: EffectivenessLevel | null;
  levelPercent: number | null;
  targetPercent: number | null;
  customers: number;
  customersReached: number;
  customersReachedPercent: number;
  units: { shipped: number; returned: number; destroyed: number; acknowledged: number; accounted: number; accountedPercent: number };
  met: boolean | null;
}

const LEVEL_OPTIONS = [
  { label: "Not chosen", value: "" },
  { label: "Level A: 100% of consignees", value: "A" },
  { label: "Level B: a chosen share (11-99%)", value: "B" },
  { label: "Level C: 10% of consignees", value: "C" },
  { label: "Level D: 2% of consignees", value: "D" },
  { label: "Level E: no effectiveness checks", value: "E" },
];

/** The chosen level, customers reached and shipped units accounted for; the form posts intent "effectiveness". */
export function EffectivenessCard({ effectiveness: e, editable }: { effectiveness: EffectivenessView; editable: boolean }) {
  const fetcher = useFetcher<ActionResult>();
  useResultToast(fetcher.data);
  const [level, setLevel] = useState<string>(e.level ?? "");
  const [percent, setPercent] = useState<string>(e.levelPercent === null ? "" : String(e.levelPercent));
  const verdict =
    e.met === null ? (
      <Badge>{e.level === "E" ? "No effectiveness checks" : "No level chosen"}</Badge>
    ) : e.met ? (
      <Badge tone="success">Target reached</Badge>
    ) : (
      <Badge tone="warning">Below target</Badge>
    );
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between">
          <Text as="h2" variant="headingMd">
            Effectiveness
          </Text>
          {verdict}
        </InlineStack>
        <Text as="p">
          {e.level
            ? `FDA effectiveness-check level ${e.level} (${describeLevel(e.level, e.levelPercent)}). `
            : "Choose the FDA effectiveness-check level of your recall strategy (21 CFR 7.42(b)(3)). "}
          {`Customers reached: ${e.customersReached} of ${e.customers} (${e.customersReachedPercent}%)${e.targetPercent === null ? "" : `, target ${e.targetPercent}%`}.`}
        </Text>
        <Text as="p">
          {`Shipped units accounted for: ${e.units.accounted} of ${e.units.shipped} (${e.units.accountedPercent}%): ${e.units.returned} returned, ${e.units.destroyed} destroyed by customers, ${e.units.acknowledged} reported on their way back.`}
        </Text>
        {editable ? (
          <fetcher.Form method="post">
            <input type="hidden" name="intent" value="effectiveness" />
            <InlineStack gap="200" blockAlign="end">
              <div style={{ minWidth: 260 }}>
                <Select label="Effectiveness-check level" name="level" options={LEVEL_OPTIONS} value={level} onChange={setLevel} />
              </div>
              {level === "B" ? (
                <div style={{ width: 140 }}>
                  <TextField
                    label="Share of consignees (%)"
                    name="percent"
                    type="number"
                    min={11}
                    max={99}
                    value={percent}
                    onChange={setPercent}
                    autoComplete="off"
                  />
                </div>
              ) : null}
              <Button submit disabled={level === ""} loading={fetcher.state !== "idle"}>
                Save level
              </Button>
            </InlineStack>
          </fetcher.Form>
        ) : null}
      </BlockStack>
    </Card>
  );
}
