// Shopify's side of expiring offline access tokens, for tests: its token endpoint
// (POST https://{shop}/admin/oauth/access_token, grant_type refresh_token) and an Admin API that
// answers 401 to any token it did not issue or that has expired. Rotation as Shopify documents it:
// every refresh returns a new access token (60 minutes) and a new refresh token; the previous
// refresh token stays usable until the new one is first used.
import { randomBytes } from "node:crypto";
import { delay } from "msw";
import { prisma } from "../../app/db.server";
import { http, HttpResponse, server } from "./shopify-mock";
import { TEST_API_KEY } from "./session";
import { DEFAULT_SCOPES } from "../../app/env.server";

export interface TokenAuthority {
  /** Refresh requests Shopify answered with a new pair. */
  refreshes: number;
  /** Admin API requests answered 401. */
  rejected: number;
  /** The access tokens Shopify accepts now. */
  valid: Set<string>;
  /** Shopify stops accepting this token (it expired, or was revoked). */
  revoke(token: string): void;
  /** Answer the next `n` refresh requests with HTTP 503 (the endpoint is down). */
  failNextRefreshes(n: number): void;
  /** Delay every refresh answer by `ms` (so concurrent refreshes overlap). */
  slowRefreshes(ms: number): void;
}

const token = (kind: string) => `${kind}_${randomBytes(8).toString("hex")}`;

/** Stores an expiring offline session (token, refresh token) for the shop as OAuth would. */
export async function storeExpiringSession(shop: string, options: { accessToken: string; refreshToken: string; expiresInMs?: number }): Promise<void> {
  await prisma.session.update({
    where: { id: `offline_${shop}` },
    data: {
      accessToken: options.accessToken,
      expires: new Date(Date.now() + (options.expiresInMs ?? 3600_000)),
      refreshToken: options.refreshToken,
      refreshTokenExpires: new Date(Date.now() + 90 * 86400_000),
    },
  });
}

/** The session as stored (what every worker process reads). */
export async function storedSession(shop: string) {
  return prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });
}

/**
 * Installs Shopify's token endpoint and token check for `shop`, after the tests' other Admin handlers
 * (msw tries the newest handler first: the check answers 401 or passes the request on). Returns the
 * authority and the first token pair, already stored in the shop's session.
 */
export async function mockTokenAuthority(shop: string): Promise<TokenAuthority> {
  const first = { accessToken: token("shpat"), refreshToken: token("shprt") };
  await storeExpiringSession(shop, first);
  let current = first.refreshToken;
  let previous: string | null = null;
  let failures = 0;
  let slowMs = 0;
  const authority: TokenAuthority = {
    refreshes: 0,
    rejected: 0,
    valid: new Set([first.accessToken]),
    revoke: (t) => void authority.valid.delete(t),
    failNextRefreshes: (n) => void (failures = n),
    slowRefreshes: (ms) => void (slowMs = ms),
  };
  server.use(
    http.post(`https://${shop}/admin/oauth/access_token`, async ({ request }) => {
      const body = (await request.json()) as Record<string, string>;
      if (slowMs) await delay(slowMs);
      if (failures > 0) {
        failures -= 1;
        return HttpResponse.json({ errors: "service unavailable" }, { status: 503 });
      }
      if (body.grant_type !== "refresh_token" || body.client_id !== TEST_API_KEY || body.client_secret !== process.env.SHOPIFY_API_SECRET) {
        return HttpResponse.json({ error: "invalid_client" }, { status: 400 });
      }
      if (body.refresh_token !== current && body.refresh_token !== previous) return HttpResponse.json({ error: "invalid_grant" }, { status: 400 });
      if (body.refresh_token === current) {
        previous = current;
      }
      const next = { access_token: token("shpat"), refresh_token: token("shprt") };
      current = next.refresh_token;
      authority.refreshes += 1;
      authority.valid.add(next.access_token);
      return HttpResponse.json({ ...next, expires_in: 3600, refresh_token_expires_in: 90 * 86400, scope: process.env.SCOPES ?? DEFAULT_SCOPES });
    }),
    http.post(`https://${shop}/admin/api/:version/graphql.json`, ({ request }) => {
      const sent = request.headers.get("X-Shopify-Access-Token") ?? "";
      if (authority.valid.has(sent)) return undefined; // on to the operation's handler
      authority.rejected += 1;
      return HttpResponse.json({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" }, { status: 401 });
    }),
  );
  return authority;
}
