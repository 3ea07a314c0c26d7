/** @jsxImportSource preact */
// Print action for the orders selected in the order list (data.selected): their pick lists
// with lots, one document. It is the app's printable page; Shopify shows it and prints it.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { PickListPrint } from "../../shared/pick-list-print";

export default async () => {
  render(<PickListPrint orderIds={shopify.data.selected.map((s) => s.id)} />, document.body);
};
