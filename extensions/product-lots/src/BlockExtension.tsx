/** @jsxImportSource preact */
// Lots block on the product page: for the product being viewed (data.selected[0].id), the lots of
// all its variants with units on hand per location and their expiry, most urgent first
// (extensions/shared/lots-in-stock.tsx draws it).
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { LotsInStockBlock } from "../../shared/lots-in-stock";

export default async () => {
  const productId = shopify.data.selected[0]?.id;
  const path = productId ? `/api/extensions/product-lots?productId=${encodeURIComponent(productId)}` : null;
  render(<LotsInStockBlock path={path} what="product" />, document.body);
};
