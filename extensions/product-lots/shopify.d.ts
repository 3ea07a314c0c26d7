// The global `shopify` object of the block's target, as `shopify app dev` generates this file.
import "@shopify/ui-extensions";

declare module "./src/BlockExtension.tsx" {
  const shopify: import("@shopify/ui-extensions/admin.product-details.block.render").Api;
  const globalThis: { shopify: typeof shopify };
}
