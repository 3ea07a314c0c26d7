// The one shopifyApp({...}) of the app (Shopify's Remix template layout).
import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { env } from "./env.server";
import { prisma } from "./db.server";
import { API_VERSION } from "./lib/shopify-api-version";
import { ResilientSessionStorage } from "./lib/session-storage.server";
import { withTransaction } from "./lib/sql.server";
import { ensureShop } from "./domain/shops/shops.server";
import { queueFirstReconciliation } from "./domain/shops/after-install.server";
import { log, serializeError } from "./lib/logger.server";

/** Pinned in app/lib/shopify-api-version.ts (shopify.app.toml's api_version is held to it by a test). */
export { API_VERSION };

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
  // Offline tokens expire after 60 minutes (required for public apps from 2027-01-01); workers renew
  // them through this library under a per-shop lock (app/lib/shopify-token.server.ts, decision 084).
  // Embedded: the admin's session token is exchanged for the offline token (token exchange, as
  // Shopify's template does), so a shop whose stored token has expired is renewed in place on its
  // next admin request instead of being sent through OAuth again.
  future: { expiringOfflineAccessTokens: true, unstable_newEmbeddedAuthStrategy: true },
  // The library logs to stdout; at Info it prints its version and future flags, which would corrupt
  // the CLI's JSON output. The app's own JSON logs (app/lib/logger.server.ts) carry what matters.
  logger: { level: LogSeverity.Warning },
  hooks: {
    afterAuth: async ({ session }) => {
      // Installing (or re-installing) marks the shop installed; its data survives a re-install
      // within the 48 hours before shop/redact.
      const shopId = await withTransaction((sql) => ensureShop(sql, session.shop, { scopes: session.scope ?? null }));
      // Its first reconciliation reads the shop's zone and currency; until then the app counts
      // days in UTC, so a queue that does not answer does not stop the install.
      await queueFirstReconciliation(shopId).catch((error: unknown) =>
        log.warn("first reconciliation not queued on install", { shop: session.shop, error: serializeError(error as Error) }),
      );
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
