/** @jsxImportSource preact */
// The print action shared by the order page (extensions/order-pick-list-print) and the order list's
// selection (extensions/orders-pick-list-print): the app's printable pick list of the orders given.
// Not an extension itself: each entry bundles it. Without an order, no src: Shopify disables Print.
import { pickListPrintSrc } from "../../app/lib/extension-api";

export function PickListPrint({ orderIds }: { orderIds: readonly string[] }) {
  const src = pickListPrintSrc(orderIds);
  return src ? <s-admin-print-action src={src} /> : <s-admin-print-action />;
}
