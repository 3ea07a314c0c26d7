/** @jsxImportSource preact */
// The "Lot" menu item on a POS cart line's details screen: opens the lot picker modal
// (LotModal.tsx). A custom sale has no variant, hence no lot: the item is disabled for it.
import "@shopify/ui-extensions/preact";
import { render } from "preact";

export default async () => {
  render(<LotMenuItem />, document.body);
};

function LotMenuItem() {
  const hasVariant = shopify.cartLineItem.variantId !== undefined;
  return (
    <s-button disabled={!hasVariant} onClick={() => shopify.action.presentModal()}>
      Lot
    </s-button>
  );
}
