// The global `shopify` object of each target of the POS lot picker, as `shopify app dev` generates this file.
import "@shopify/ui-extensions";

declare module "./src/MenuItem.tsx" {
  const shopify: import("@shopify/ui-extensions/pos.cart.line-item-details.action.menu-item.render").Api;
  const globalThis: { shopify: typeof shopify };
}

declare module "./src/LotModal.tsx" {
  const shopify: import("@shopify/ui-extensions/pos.cart.line-item-details.action.render").Api;
  const globalThis: { shopify: typeof shopify };
}
