// The global `shopify` object of the print action's target, as `shopify app dev` generates this file.
import "@shopify/ui-extensions";

declare module "./src/PrintActionExtension.tsx" {
  const shopify: import("@shopify/ui-extensions/admin.order-details.print-action.render").Api;
  const globalThis: { shopify: typeof shopify };
}
