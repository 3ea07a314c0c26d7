/** @jsxImportSource preact */
// The lot picker for one POS cart line (docs/decisions/103): the lots of the line's variant that may
// be sold at this POS location, in the order the allocation takes them, with its first pick
// preselected, so the cashier accepts with one tap; or the cashier scans the lot label and the app
// checks it (a recalled, quarantined, expired, other product's or elsewhere lot is refused and
// nothing is set). Accepting sets the line property `_lot`, which the allocation takes when the
// sale's fulfilment arrives. POS adds the ID token to the fetch of the app's URL itself.
import "@shopify/ui-extensions/preact";
import { render, type ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { getFromApp, LOT_LINE_PROPERTY, posLotsPath } from "../../../app/lib/extension-api";
import type { ExtensionResult, PosLot, PosLotsResponse, PosScanVerdict } from "../../../app/lib/extension-api";

export default async () => {
  render(<LotPicker />, document.body);
};

const HEADING = "Lot";

function LotPicker() {
  const line = shopify.cartLineItem;
  const locationId = shopify.session.currentSession.locationId;
  const variantId = line.variantId;
  const current = line.properties[LOT_LINE_PROPERTY] ?? null;
  const [result, setResult] = useState<ExtensionResult<PosLotsResponse> | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [scan, setScan] = useState<PosScanVerdict | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);

  useEffect(() => {
    if (variantId === undefined) return;
    let live = true;
    void getFromApp<PosLotsResponse>(posLotsPath(variantId, locationId)).then((r) => {
      if (!live) return;
      setResult(r);
      if (r.ok) setSelected(preselected(r.data, current));
    });
    return () => {
      live = false;
    };
  }, [variantId, locationId, current]);

  // Every scan (camera or hardware scanner) is checked by the app against this line's variant and
  // location. The value the scanner held before the modal opened is an earlier scan: ignored.
  useEffect(() => {
    if (variantId === undefined) return;
    const signal = shopify.scanner.scannerData.current;
    const before = signal.value;
    let live = true;
    const unsubscribe = signal.subscribe((value) => {
      if (value === before || !value.data) return;
      const scanned = value.data;
      void getFromApp<PosLotsResponse>(posLotsPath(variantId, locationId, scanned)).then((r) => {
        if (!live) return;
        if (!r.ok) {
          setScan({ accepted: false, scanned, message: r.error });
          return;
        }
        setResult(r);
        setScan(r.data.scan);
        if (r.data.scan?.accepted) setSelected(r.data.scan.lotNumber);
      });
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [variantId, locationId]);

  const accept = async (lotNumber: string) => {
    setSaving(true);
    setSaveError(null);
    try {
      await shopify.cart.addLineItemProperties(line.uuid, { [LOT_LINE_PROPERTY]: lotNumber });
      shopify.toast.show(`Lot ${lotNumber} set`);
      window.close();
    } catch (error) {
      setSaveError(`POS could not set the lot (${error instanceof Error ? error.message : String(error)}). Try again.`);
    } finally {
      setSaving(false);
    }
  };

  if (variantId === undefined) {
    return (
      <Screen title={line.title}>
        <s-banner tone="info">A custom sale has no product, so it has no lot.</s-banner>
      </Screen>
    );
  }
  if (!result) {
    return (
      <Screen title={line.title}>
        <s-spinner />
      </Screen>
    );
  }
  if (!result.ok) {
    return (
      <Screen title={line.title}>
        <s-banner tone="critical">{result.error}</s-banner>
      </Screen>
    );
  }
  const lots = result.data;
  const chosen = lots.lots.find((l) => l.lotNumber === selected) ?? null;
  return (
    <Screen title={lots.title ?? line.title}>
      {scan ? <ScanBanner scan={scan} /> : null}
      {saveError ? <s-banner tone="critical">{saveError}</s-banner> : null}
      {current ? <s-text color="subdued">Lot set on this line: {current}</s-text> : null}
      {!lots.lotTracked ? (
        <s-banner tone="info">This product is not lot-tracked: no lot is needed.</s-banner>
      ) : lots.lots.length === 0 ? (
        <s-banner tone="warning" heading="No lot can be sold here">
          Lotkeeper has no units of this product at this location that may be sold (none on hand, or every lot is recalled, quarantined or expired).
        </s-banner>
      ) : (
        <s-stack direction="block" gap="base">
          {lots.strategy === "MANUAL" ? <s-text>This product&apos;s lots are chosen by hand: scan the label or choose the lot.</s-text> : null}
          <s-choice-list values={selected ? [selected] : []} onChange={(event) => setSelected(event.currentTarget.values?.[0] ?? null)}>
            {lots.lots.map((lot) => (
              <s-choice key={lot.lotId} value={lot.lotNumber} selected={lot.lotNumber === selected}>
                {lotLabel(lot, lot.lotNumber === lots.suggestedLotNumber)}
              </s-choice>
            ))}
          </s-choice-list>
          {chosen && chosen.available < line.quantity ? (
            <s-banner tone="warning">
              Lot {chosen.lotNumber} has {units(chosen.available)} here and the line has {units(line.quantity)}.
            </s-banner>
          ) : null}
          <s-button variant="primary" disabled={!chosen || saving} loading={saving} onClick={() => chosen && void accept(chosen.lotNumber)}>
            {chosen ? `Sell from lot ${chosen.lotNumber}` : "Choose a lot"}
          </s-button>
        </s-stack>
      )}
      <s-button onClick={() => shopify.scanner.showCameraScanner()}>Scan the lot label</s-button>
    </Screen>
  );
}

/** The line's lot already set, when it may still be sold here; else the allocation's first pick. */
function preselected(lots: PosLotsResponse, current: string | null): string | null {
  if (current && lots.lots.some((l) => l.lotNumber === current)) return current;
  return lots.suggestedLotNumber;
}

function Screen({ title, children }: { title: string | undefined; children: ComponentChildren }) {
  return (
    <s-page heading={HEADING} subheading={title}>
      <s-scroll-box>
        <s-stack direction="block" gap="base" padding="base">
          {children}
        </s-stack>
      </s-scroll-box>
    </s-page>
  );
}

function ScanBanner({ scan }: { scan: PosScanVerdict }) {
  if (scan.accepted) return <s-banner tone="success">Scanned lot {scan.lotNumber}.</s-banner>;
  return (
    <s-banner tone="critical" heading="Lot not set">
      {scan.message}
    </s-banner>
  );
}

function lotLabel(lot: PosLot, suggested: boolean): string {
  const parts = [lot.lotNumber, lot.shelfDate ? `exp. ${lot.shelfDate}` : "no date", `${units(lot.available)} here`];
  if (lot.bin) parts.push(`bin ${lot.bin}`);
  return `${parts.join(" · ")}${suggested ? " (first to sell)" : ""}`;
}

function units(n: number): string {
  return n === 1 ? "1 unit" : `${n} units`;
}
