/** @jsxImportSource preact */
// Lots block on the variant page: for the variant being viewed (data.selected[0].id), its lots with
// units on hand per location and their expiry, most urgent first, so the merchant sees what to
// sell first and what must not ship (extensions/shared/lots-in-stock.tsx draws it).
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { LotsInStockBlock } from "../../shared/lots-in-stock";

export default async () => {
  const variantId = shopify.data.selected[0]?.id;
  const path = variantId ? `/api/extensions/variant-lots?variantId=${encodeURIComponent(variantId)}` : null;
  render(<LotsInStockBlock path={path} what="variant" />, document.body);
};
