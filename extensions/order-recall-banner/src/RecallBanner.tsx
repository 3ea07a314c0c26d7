/** @jsxImportSource preact */
// Recall banner on the order status page: for the order being viewed (shopify.order), a critical
// banner for each lot shipped on it that an open recall covers, with what the customer should do.
// The request carries the customer account session token, which names the shop and the customer;
// the app answers only for the customer's own orders. Polaris web components (s-*), rendered by Preact.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { getFromApp, orderRecallsUrl } from "../../../app/lib/extension-api";
import type { OrderRecall, OrderRecallsResponse } from "../../../app/lib/extension-api";

export default async () => {
  render(<RecallBanner />, document.body);
};

function RecallBanner() {
  // The order is undefined while Shopify still processes it: follow it until it arrives.
  const [orderId, setOrderId] = useState<string | null>(shopify.order.value?.id ?? null);
  const [recalls, setRecalls] = useState<OrderRecall[]>([]);

  useEffect(() => shopify.order.subscribe((order) => setOrderId(order?.id ?? null)), []);

  useEffect(() => {
    if (!orderId) return;
    let current = true;
    void (async () => {
      const token = await shopify.sessionToken.get();
      const result = await getFromApp<OrderRecallsResponse>(orderRecallsUrl(orderId), (url) => fetch(url, { headers: { Authorization: `Bearer ${token}` } }));
      // A customer only needs to hear about a recall: no recall, an order the app has not seen yet
      // or an app that cannot be reached shows nothing (the customer cannot act on those, and the
      // merchant contacts affected customers anyway, decision 107).
      if (current && result.ok) setRecalls(result.data.recalls);
    })().catch(() => undefined);
    return () => {
      current = false;
    };
  }, [orderId]);

  if (recalls.length === 0) return null;
  return (
    <s-stack direction="block" gap="base">
      {recalls.map((recall) => (
        <s-banner
          key={`${recall.product ?? ""}/${recall.lotNumber}`}
          tone="critical"
          heading={`Recall: ${recall.product ?? "a product in this order"}, lot ${recall.lotNumber}`}
        >
          <s-stack direction="block" gap="small-200">
            <s-paragraph>
              <s-text type="strong">What to do: </s-text>
              {recall.whatToDo}
            </s-paragraph>
            <s-paragraph>
              <s-text type="strong">Reason: </s-text>
              {recall.reason}
            </s-paragraph>
            <s-text color="subdued">Recall since {recall.openedOn}.</s-text>
          </s-stack>
        </s-banner>
      ))}
    </s-stack>
  );
}
