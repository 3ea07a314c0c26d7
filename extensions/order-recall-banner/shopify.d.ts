// The global `shopify` object of the banner's target, as `shopify app dev` generates this file.
import "@shopify/ui-extensions";

declare module "./src/RecallBanner.tsx" {
  const shopify: import("@shopify/ui-extensions/customer-account.order-status.block.render").Api;
  const globalThis: { shopify: typeof shopify };
}
