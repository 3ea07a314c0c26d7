/** @jsxImportSource preact */
// The "Lots in stock" block shared by the variant page (extensions/variant-lots) and the product
// page (extensions/product-lots): lots with units on hand, most urgent first, units per location,
// status badges, and the units shipped without a known lot. Not an extension itself (no
// shopify.extension.toml, no package.json): each entry bundles it.
import { useEffect, useState } from "preact/hooks";
import { APP_PAGES, getFromApp, isPast, localToday } from "../../app/lib/extension-api";
import type { ExtensionResult, LotsInStockLot, LotsInStockResponse } from "../../app/lib/extension-api";

const HEADING = "Lots in stock";

/** `path`: the endpoint with the selected id; null when the page gave no selection. */
export function LotsInStockBlock({ path, what }: { path: string | null; what: "variant" | "product" }) {
  const [result, setResult] = useState<ExtensionResult<LotsInStockResponse> | null>(null);

  useEffect(() => {
    if (!path) return;
    let current = true;
    void getFromApp<LotsInStockResponse>(path).then((r) => {
      if (current) setResult(r);
    });
    return () => {
      current = false;
    };
  }, [path]);

  if (!path) {
    return (
      <s-admin-block heading={HEADING}>
        <s-text color="subdued">No {what} selected.</s-text>
      </s-admin-block>
    );
  }
  if (!result) {
    return (
      <s-admin-block heading={HEADING}>
        <s-spinner accessibilityLabel={`Loading the lots of this ${what}`} />
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
  const stock = result.data;
  const today = localToday();
  const showVariant = stock.scope === "product" && stock.variantCount > 1;
  return (
    <s-admin-block heading={HEADING} collapsedSummary={`${units(stock.onHand)} in ${lotCount(stock.lots.length, stock.more)}`}>
      <s-stack gap="base">
        {!stock.lotTracked ? <s-banner tone="info">This {what} is not lot-tracked: Lotkeeper does not assign its shipments to lots.</s-banner> : null}
        {stock.unknownLotUnits > 0 ? (
          <s-banner tone="warning" heading={`${units(stock.unknownLotUnits)} shipped without a known lot`}>
            <s-link href={`app:${APP_PAGES.review}`}>Resolve in Lotkeeper</s-link>
          </s-banner>
        ) : null}
        {stock.lots.length === 0 ? (
          <s-text color="subdued">{stock.known ? `No lot of this ${what} has units on hand.` : `Lotkeeper has no lots of this ${what} yet.`}</s-text>
        ) : (
          <s-table variant="list">
            <s-table-header-row>
              <s-table-header listSlot="primary">Lot</s-table-header>
              <s-table-header listSlot="secondary">Expiry</s-table-header>
              <s-table-header listSlot="labeled">Locations</s-table-header>
              <s-table-header format="numeric" listSlot="inline">
                On hand
              </s-table-header>
            </s-table-header-row>
            <s-table-body>
              {stock.lots.map((lot) => (
                <LotRow key={lot.lotId} lot={lot} today={today} showVariant={showVariant} />
              ))}
            </s-table-body>
          </s-table>
        )}
        {stock.more ? (
          <s-link href={`app:${stock.scope === "variant" ? APP_PAGES.lotsOfVariant(stock.id) : APP_PAGES.lotsSearch(stock.title ?? "")}`}>
            See every lot in Lotkeeper
          </s-link>
        ) : null}
      </s-stack>
    </s-admin-block>
  );
}

function LotRow({ lot, today, showVariant }: { lot: LotsInStockLot; today: string; showVariant: boolean }) {
  const date = lot.expiresOn ?? lot.bestBeforeOn;
  return (
    <s-table-row>
      <s-table-cell>
        <s-stack direction="inline" gap="small-200">
          <s-link href={`app:${APP_PAGES.lot(lot.lotId)}`}>{lot.lotNumber}</s-link>
          <StatusBadge lot={lot} today={today} />
          {lot.incomplete ? <s-badge tone="info">Details missing</s-badge> : null}
          {showVariant && lot.variantTitle ? <s-text color="subdued">{lot.variantTitle}</s-text> : null}
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

function StatusBadge({ lot, today }: { lot: LotsInStockLot; today: string }) {
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
