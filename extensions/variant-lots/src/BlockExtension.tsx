/** @jsxImportSource preact */
// Lots block on the variant page: for the variant being viewed (data.selected[0].id), its lots with
// units on hand per location and their expiry, most urgent first, so the merchant sees what to
// sell first and what must not ship. Polaris web components (s-*), rendered by Preact.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { APP_PAGES, getFromApp, isPast, localToday } from "../../../app/lib/extension-api";
import type { ExtensionResult, VariantLotsLot, VariantLotsResponse } from "../../../app/lib/extension-api";

export default async () => {
  render(<VariantLots />, document.body);
};

const HEADING = "Lots in stock";

function VariantLots() {
  const variantId = shopify.data.selected[0]?.id ?? null;
  const [result, setResult] = useState<ExtensionResult<VariantLotsResponse> | null>(null);

  useEffect(() => {
    if (!variantId) return;
    let current = true;
    void getFromApp<VariantLotsResponse>(`/api/extensions/variant-lots?variantId=${encodeURIComponent(variantId)}`).then((r) => {
      if (current) setResult(r);
    });
    return () => {
      current = false;
    };
  }, [variantId]);

  if (!variantId) {
    return (
      <s-admin-block heading={HEADING}>
        <s-text color="subdued">No variant selected.</s-text>
      </s-admin-block>
    );
  }
  if (!result) {
    return (
      <s-admin-block heading={HEADING}>
        <s-spinner accessibilityLabel="Loading the lots of this variant" />
      </s-admin-block>
    );
  }
  if (!result.ok) {
    return (
      <s-admin-block heading={HEADING}>
        <s-banner tone="critical">{result.error}</s-banner>
      </s-admin-block>
    );
  }
  const variant = result.data;
  const today = localToday();
  return (
    <s-admin-block heading={HEADING} collapsedSummary={`${units(variant.onHand)} in ${lotCount(variant.lots.length, variant.more)}`}>
      <s-stack gap="base">
        {!variant.lotTracked ? <s-banner tone="info">This variant is not lot-tracked: Lotkeeper does not assign its shipments to lots.</s-banner> : null}
        {variant.unknownLotUnits > 0 ? (
          <s-banner tone="warning" heading={`${units(variant.unknownLotUnits)} shipped without a known lot`}>
            <s-link href={`app:${APP_PAGES.review}`}>Resolve in Lotkeeper</s-link>
          </s-banner>
        ) : null}
        {variant.lots.length === 0 ? (
          <s-text color="subdued">{variant.known ? "No lot of this variant has units on hand." : "Lotkeeper has no lots of this variant yet."}</s-text>
        ) : (
          <s-table variant="list">
            <s-table-header-row>
              <s-table-header listSlot="primary">Lot</s-table-header>
              <s-table-header listSlot="secondary">Expiry</s-table-header>
              <s-table-header listSlot="labeled">Locations</s-table-header>
              <s-table-header format="numeric" listSlot="inline">On hand</s-table-header>
            </s-table-header-row>
            <s-table-body>
              {variant.lots.map((lot) => (
                <LotRow key={lot.lotId} lot={lot} today={today} />
              ))}
            </s-table-body>
          </s-table>
        )}
        {variant.more ? <s-link href={`app:${APP_PAGES.lotsOfVariant(variant.variantId)}`}>See every lot in Lotkeeper</s-link> : null}
      </s-stack>
    </s-admin-block>
  );
}

function LotRow({ lot, today }: { lot: VariantLotsLot; today: string }) {
  const date = lot.expiresOn ?? lot.bestBeforeOn;
  return (
    <s-table-row>
      <s-table-cell>
        <s-stack direction="inline" gap="small-200">
          <s-link href={`app:${APP_PAGES.lot(lot.lotId)}`}>{lot.lotNumber}</s-link>
          <StatusBadge lot={lot} today={today} />
          {lot.incomplete ? <s-badge tone="info">Details missing</s-badge> : null}
        </s-stack>
      </s-table-cell>
      <s-table-cell>{date ? (lot.expiresOn ? date : `Best before ${date}`) : "—"}</s-table-cell>
      <s-table-cell>
        {lot.balances.map((b) => `${b.locationName ?? `Location ${b.locationId}`}: ${b.quantity}${b.quarantined ? " (quarantined)" : ""}`).join(" · ")}
      </s-table-cell>
      <s-table-cell>{String(lot.onHand)}</s-table-cell>
    </s-table-row>
  );
}

function StatusBadge({ lot, today }: { lot: VariantLotsLot; today: string }) {
  if (lot.status === "RECALLED") return <s-badge tone="critical">Recalled</s-badge>;
  if (lot.status === "QUARANTINED") return <s-badge tone="warning">Quarantined</s-badge>;
  // The server's EXPIRED uses its date; the merchant's local date decides near midnight.
  if (lot.status === "EXPIRED" || isPast(lot.expiresOn, today)) return <s-badge tone="critical">Expired</s-badge>;
  return null;
}

function units(n: number): string {
  return n === 1 ? "1 unit" : `${n} units`;
}

function lotCount(n: number, more: boolean): string {
  return `${n}${more ? "+" : ""} ${n === 1 && !more ? "lot" : "lots"}`;
}
