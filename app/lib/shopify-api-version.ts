// The Admin API version the app pins: the one place to bump it. shopify.server.ts configures the
// library with it, every Admin GraphQL request carries it in its URL, the simulator and the msw
// handlers validate against Shopify's published schema of this version (app/lib/shopify-contract/),
// and test/unit/shopify-app-toml.test.ts holds [webhooks] api_version in shopify.app.toml to it.
// Bumping it: docs/decisions/080-shopify-contract.md.
import { ApiVersion } from "@shopify/shopify-api";

export const API_VERSION = ApiVersion.October26;
