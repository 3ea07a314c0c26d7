// The one shopifyApp({...}) of the app (Shopify's Remix template layout).
import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { env } from "./env.server";
import { prisma } from "./db.server";
import { ResilientSessionStorage } from "./lib/session-storage.server";
import { withTransaction } from "./lib/sql.server";
import { ensureShop } from "./domain/shops/shops.server";

/** Keep in step with [webhooks] api_version in shopify.app.toml. */
export const API_VERSION = ApiVersion.October26;

const config = env();

const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: API_VERSION,
  scopes: config.SCOPES.split(","),
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  // Prisma serves this storage only (docs/decisions/096-one-data-layer.md); the wrapper keeps a
  // Postgres outage at start from ending the process or breaking sessions for good.
  sessionStorage: new ResilientSessionStorage(prisma),
  distribution: AppDistribution.AppStore,
  future: { expiringOfflineAccessTokens: true },
  // The library logs to stdout; at Info it prints its version and future flags, which would corrupt
  // the CLI's JSON output. The app's own JSON logs (app/lib/logger.server.ts) carry what matters.
  logger: { level: LogSeverity.Warning },
  hooks: {
    afterAuth: async ({ session }) => {
      // Installing (or re-installing) marks the shop installed; its data survives a re-install
      // within the 48 hours before shop/redact.
      await withTransaction((sql) => ensureShop(sql, session.shop, { scopes: session.scope ?? null }));
    },
  },
});

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
