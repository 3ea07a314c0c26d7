// Loaded with `--import` before a process's own code (the demo's worker), so the Shopify adapter
// captures the intercepted fetch: that process's Admin API calls go to the simulator. Refuses to
// do anything in production (startShopifySimulator throws).
import { startShopifySimulator } from "./shopify-simulator.server";

startShopifySimulator();
