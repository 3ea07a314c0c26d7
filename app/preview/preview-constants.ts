// Names shared by the preview server, the demo and the Shopify simulator.
export const PREVIEW_SHOP = "lotkeeper-preview.myshopify.com";
/** The access token stored in the preview's offline sessions; only the simulator accepts it. */
export const PREVIEW_ACCESS_TOKEN = "shpat_preview_simulator_only";
/** The demo's store (npm run demo); the preview opens it when it exists. */
export const DEMO_SHOP = "lotkeeper-demo.myshopify.com";
