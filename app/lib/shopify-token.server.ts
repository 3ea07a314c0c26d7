// The shop's offline access token for background work (workers, CLI), refreshed before it expires.
//
// The app uses expiring offline tokens (future.expiringOfflineAccessTokens in shopify.server.ts;
// required for public apps from 2027-01-01): the access token lives 60 minutes and comes with a
// refresh token that Shopify rotates on every refresh. The refresh itself is the library's
// (`unauthenticated.admin(shop)` loads the stored session and, within 5 minutes of expiry, calls
// `api.auth.refreshToken` and stores the new pair). What this module adds is the serialisation:
// several worker processes on several machines must not all refresh the same shop at once (each
// would spend the refresh token and store a different pair), so the refresh runs under a Postgres
// advisory lock per shop, and whoever gets the lock first reloads the session to see whether
// another process has refreshed it already. No state is kept in the process. Decision 084.
import type { Session } from "@shopify/shopify-api";
import { withTransaction } from "./sql.server";

/** The library's own margin (ensure-offline-token-is-not-expired.js): refresh 5 minutes before expiry. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** How long a process waits for another one's refresh of the same shop before giving up (the job retries). */
const LOCK_WAIT = "30s";

/** No usable token: no session stored, the refresh token refused or expired, or the refresh failed. */
export class OfflineTokenError extends Error {
  override name = "OfflineTokenError";
  constructor(
    message: string,
    /** True when Shopify's token endpoint failed (asking again later may work without a reinstall). */
    readonly unavailable = false,
  ) {
    super(message);
  }
}

async function shopifyApp() {
  // Imported on first use: commands that never call Shopify do not build the Shopify app.
  return (await import("../shopify.server")).default;
}

async function loadOfflineSession(shop: string): Promise<Session | undefined> {
  const shopify = await shopifyApp();
  return shopify.sessionStorage.loadSession(`offline_${shop}`);
}

function usable(session: Session): boolean {
  return Boolean(session.accessToken) && !session.isExpired(REFRESH_MARGIN_MS);
}

/** The token to call the Admin API with: the stored one, or a fresh one when it is (about to be) expired. */
export async function offlineAccessToken(shop: string): Promise<string> {
  const session = await loadOfflineSession(shop);
  if (!session) throw new OfflineTokenError(`no offline session stored for ${shop}`);
  if (usable(session)) return session.accessToken!;
  return refreshUnderLock(shop, session.accessToken ?? "", false);
}

/**
 * Shopify answered 401 to `rejectedToken` (revoked early, or a clock running behind Shopify's):
 * the stored session is marked expired, so no process sends that token again, and refreshed.
 * Returns the token to retry with (another process's, when it refreshed first).
 */
export async function replaceRejectedToken(shop: string, rejectedToken: string): Promise<string> {
  return refreshUnderLock(shop, rejectedToken, true);
}

async function refreshUnderLock(shop: string, staleToken: string, rejected: boolean): Promise<string> {
  return withTransaction(
    async (sql) => {
      // lock_timeout also bounds the wait for an advisory lock; the transaction ends (and with it the
      // lock) when the refresh is stored, or when this process dies.
      await sql.query(`set local lock_timeout = '${LOCK_WAIT}'`);
      await sql.query("select pg_advisory_xact_lock(hashtextextended($1, 0))", [`lotkeeper:shopify-token:${shop}`]);
      const current = await loadOfflineSession(shop);
      if (!current) throw new OfflineTokenError(`no offline session stored for ${shop}`);
      // Another process refreshed while this one waited for the lock: use its token.
      if (current.accessToken !== staleToken && usable(current)) return current.accessToken!;
      // A session without a refresh token (a non-expiring token from before expiring tokens, the
      // preview's) is left as it is: only a new install or OAuth replaces it.
      if (!current.refreshToken) {
        throw new OfflineTokenError(`the offline token of ${shop} is ${rejected ? "refused by Shopify" : "expired"} and the session has no refresh token`);
      }
      if (rejected && current.accessToken === staleToken && !current.isExpired()) {
        current.expires = new Date(Date.now() - 1000);
        await (await shopifyApp()).sessionStorage.storeSession(current);
      }
      const fresh = await libraryRefresh(shop);
      if (!fresh.accessToken || fresh.accessToken === staleToken || !usable(fresh)) {
        throw new OfflineTokenError(`Shopify gave ${shop} no new offline token`);
      }
      return fresh.accessToken;
    },
    { retries: 0 },
  ).catch((error: unknown) => {
    if (error instanceof OfflineTokenError) throw error;
    if ((error as { code?: string }).code === "55P03") {
      throw new OfflineTokenError(`another process is still refreshing the token of ${shop}`, true);
    }
    throw error;
  });
}

/** The library's refresh (api.auth.refreshToken, then storeSession) of the stored, expired session. */
async function libraryRefresh(shop: string): Promise<Session> {
  const shopify = await shopifyApp();
  try {
    return (await shopify.unauthenticated.admin(shop)).session;
  } catch (error) {
    // The library throws its HttpResponseError when Shopify refuses the refresh token (revoked,
    // expired after 90 days: reinstall), and a bare 500 Response when the endpoint failed.
    if (error instanceof Response) throw new OfflineTokenError(`Shopify's token endpoint failed for ${shop} (HTTP ${error.status})`, true);
    throw new OfflineTokenError(`Shopify refused the refresh token of ${shop}: ${(error as Error).message}`);
  }
}
