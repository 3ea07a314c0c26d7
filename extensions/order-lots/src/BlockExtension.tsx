/** @jsxImportSource preact */
// Lots block on the order page: for the order being viewed (data.selected[0].id), each line item
// with the lots its units shipped from. Units on an unknown lot get a warning and a link to the
// Review page where the merchant assigns them. Polaris web components (s-*), rendered by Preact.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { APP_PAGES, getFromApp, isPast, localToday } from "../../../app/lib/extension-api";
import type { ExtensionResult, OrderLotsLineItem, OrderLotsResponse } from "../../../app/lib/extension-api";

export default async () => {
  render(<OrderLots />, document.body);
};

function OrderLots() {
  const orderId = shopify.data.selected[0]?.id ?? null;
  const [result, setResult] = useState<ExtensionResult<OrderLotsResponse> | null>(null);

  useEffect(() => {
    if (!orderId) return;
    let current = true;
    void getFromApp<OrderLotsResponse>(`/api/extensions/order-lots?orderId=${encodeURIComponent(orderId)}`).then((r) => {
      if (current) setResult(r);
    });
    return () => {
      current = false;
    };
  }, [orderId]);

  if (!orderId) {
    return (
      <s-admin-block heading="Lots shipped">
        <s-text color="subdued">No order selected.</s-text>
      </s-admin-block>
    );
  }
  if (!result) {
    return (
      <s-admin-block heading="Lots shipped">
        <s-spinner accessibilityLabel="Loading the lots of this order" />
      </s-admin-block>
    );
  }
  if (!result.ok) {
    return (
      <s-admin-block heading="Lots shipped">
        <s-banner tone={result.status === 404 ? "info" : "critical"}>{result.error}</s-banner>
      </s-admin-block>
    );
  }
  const order = result.data;
  const today = localToday();
  const shipped = order.lineItems.reduce((n, item) => n + item.fulfilledQuantity, 0);
  return (
    <s-admin-block heading="Lots shipped" collapsedSummary={summary(order)}>
      <s-stack gap="base">
        {order.unknownLotUnits > 0 ? (
          <s-banner tone="warning" heading={`${units(order.unknownLotUnits)} shipped without a known lot`}>
            <s-paragraph>A recall cannot find these customers until the units are assigned to a lot.</s-paragraph>
            <s-link href={`app:${APP_PAGES.review}`}>Resolve in Lotkeeper</s-link>
          </s-banner>
        ) : null}
        {shipped === 0 ? <s-text color="subdued">Nothing of this order has shipped yet.</s-text> : null}
        {order.lineItems.map((item) => (
          <LineItem key={item.lineItemId} item={item} today={today} />
        ))}
      </s-stack>
    </s-admin-block>
  );
}

function LineItem({ item, today }: { item: OrderLotsLineItem; today: string }) {
  const name = item.title ?? item.sku ?? `Line item ${item.lineItemId}`;
  return (
    <s-stack gap="small-200">
      <s-text type="strong">
        {name}
        {item.sku && item.title ? ` · ${item.sku}` : ""}
      </s-text>
      {item.notLotTracked ? <s-text color="subdued">Not lot-tracked.</s-text> : null}
      {item.awaitingLots ? (
        <s-stack direction="inline" gap="small-200">
          <s-badge tone="warning">Lot not assigned yet</s-badge>
          <s-link href={`app:${APP_PAGES.review}`}>Resolve in Lotkeeper</s-link>
        </s-stack>
      ) : null}
      {!item.notLotTracked && !item.awaitingLots && item.allocations.length === 0 ? <s-text color="subdued">Not shipped yet.</s-text> : null}
      {item.allocations.length > 0 ? (
        <s-table variant="list">
          <s-table-header-row>
            <s-table-header listSlot="primary">Lot</s-table-header>
            <s-table-header format="numeric">Units</s-table-header>
            <s-table-header format="numeric">Returned</s-table-header>
            <s-table-header listSlot="secondary">Expiry</s-table-header>
          </s-table-header-row>
          <s-table-body>
            {item.allocations.map((a) => (
              <s-table-row key={a.allocationId}>
                <s-table-cell>
                  {a.unknownLot || a.lot === null || a.lotId === null ? (
                    <s-stack direction="inline" gap="small-200">
                      <s-badge tone="warning">Unknown lot</s-badge>
                      <s-link href={`app:${APP_PAGES.review}`}>Resolve in Lotkeeper</s-link>
                    </s-stack>
                  ) : (
                    <s-link href={`app:${APP_PAGES.lot(a.lotId)}`}>{a.lot}</s-link>
                  )}
                </s-table-cell>
                <s-table-cell>{String(a.quantity)}</s-table-cell>
                <s-table-cell>{String(a.returnedQuantity)}</s-table-cell>
                <s-table-cell>
                  {a.expiresOn ?? "—"}
                  {isPast(a.expiresOn, today) ? <s-badge tone="critical">Expired</s-badge> : null}
                </s-table-cell>
              </s-table-row>
            ))}
          </s-table-body>
        </s-table>
      ) : null}
      {item.pendingReturnQuantity > 0 ? (
        <s-text color="subdued">{units(item.pendingReturnQuantity)} returned, back to a lot once the shipment is assigned.</s-text>
      ) : null}
    </s-stack>
  );
}

function units(n: number): string {
  return n === 1 ? "1 unit" : `${n} units`;
}

/** What the collapsed block says: the lot numbers, or that some units have no lot. */
function summary(order: OrderLotsResponse): string {
  const lots = [...new Set(order.lineItems.flatMap((i) => i.allocations.flatMap((a) => (a.lot ? [a.lot] : []))))];
  const text = lots.length === 0 ? "No lots shipped" : lots.length <= 3 ? lots.join(", ") : `${lots.slice(0, 3).join(", ")} and ${lots.length - 3} more`;
  return order.unknownLotUnits > 0 ? `${text} · ${units(order.unknownLotUnits)} on an unknown lot` : text;
}
