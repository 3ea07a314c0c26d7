// Loaded with `--import` before a process's own code (the preview's and the demo's worker), so the
// Shopify adapter captures the intercepted fetch: that process's Admin API calls go to the
// simulator. Refuses (one line, exit 1) unless the process runs in a preview's environment: a local
// *_preview database and that database's queue prefix, so a simulated worker can never take a real
// installation's jobs (app/preview/isolation.ts). startShopifySimulator also refuses in production.
import { assertPreviewChildEnvironment } from "./isolation";
import { startShopifySimulator } from "./shopify-simulator.server";

try {
  assertPreviewChildEnvironment();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
startShopifySimulator();
