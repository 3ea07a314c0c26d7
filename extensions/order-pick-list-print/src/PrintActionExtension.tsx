/** @jsxImportSource preact */
// Print action on the order page: the order being viewed (data.selected[0].id) printed as its pick
// list with lots. The document is the app's printable page; Shopify shows it and prints it.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { PickListPrint } from "../../shared/pick-list-print";

export default async () => {
  render(<PickListPrint orderIds={shopify.data.selected.map((s) => s.id)} />, document.body);
};
