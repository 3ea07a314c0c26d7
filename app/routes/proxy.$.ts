// The public recall check behind the app proxy (shopify.app.toml [app_proxy], decision 110):
// https://<shop>/apps/lotkeeper/01/<gtin>/10/<lot> reaches GET /proxy/01/<gtin>/10/<lot>, signed
// by Shopify. A shopper who scans the GS1 Digital Link on a pack learns whether that lot is
// recalled and what to do. Order matters: the signature first (the shop comes only from the
// signed `shop` parameter, and an unsigned request must not spend a real shop's budget), then
// the rate limit, then one read of that shop's lots.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { env } from "../env.server";
import { verifyAppProxy } from "../lib/app-proxy-signature";
import { hitRateLimits } from "../lib/rate-limit.server";
import { log } from "../lib/logger.server";
import { publicLotKey, renderPublicCheck, type PublicCheckAnswer } from "../domain/recall/public-check-rules";
import { checkLotPublicly } from "../domain/recall/public-check.server";

/** Per shopper (client IP) and shop, and for the whole shop: scanning packs is a handful of hits; enumerating lots is not. */
export const PUBLIC_CHECK_LIMITS = { perClientPerMinute: 20, perShopPerMinute: 600 };

const NO_STORE = { "Cache-Control": "no-store", "X-Robots-Tag": "noindex" };

/**
 * The shopper's IP as Shopify forwards it (X-Forwarded-For, the first address: the client's).
 * Without one, every such request shares the shop's "unknown" bucket, which is stricter, not looser.
 */
export function clientIp(request: Request): string {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || "unknown";
}

function verifiedShop(request: Request): string {
  const verification = verifyAppProxy(new URL(request.url).searchParams, env().SHOPIFY_API_SECRET);
  if (!verification.ok) {
    log.info("public recall check: refused an unsigned app proxy request", { reason: verification.reason });
    throw new Response("This page only answers requests that come through the shop's storefront.", {
      status: 401,
      headers: { "Content-Type": "text/plain; charset=utf-8", ...NO_STORE },
    });
  }
  return verification.shop;
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const shop = verifiedShop(request);
  const verdict = await hitRateLimits([
    { key: `public-check:client:${shop}:${clientIp(request)}`, limit: PUBLIC_CHECK_LIMITS.perClientPerMinute, windowSeconds: 60 },
    { key: `public-check:shop:${shop}`, limit: PUBLIC_CHECK_LIMITS.perShopPerMinute, windowSeconds: 60 },
  ]).catch((error: unknown) => {
    // Fail open: a shopper holding a recalled product must still learn it while Redis is down;
    // the lookup is one indexed read of one shop's lots (decision 110).
    log.warn("public recall check: rate limit unavailable, answering without it", { error });
    return null;
  });
  if (verdict && !verdict.allowed) {
    return new Response("Too many checks. Please wait a minute and try again.", {
      status: 429,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Retry-After": String(verdict.retryAfterSeconds), ...NO_STORE },
    });
  }
  // The raw path, not the splat: the router percent-decodes the splat, and a lot such as "A%2FB"
  // must reach the Digital Link parser still encoded. The query is Shopify's signed parameters only.
  const key = publicLotKey(new URL(request.url).pathname.replace(/^\/proxy(?=\/|$)/, ""));
  const answer: PublicCheckAnswer = key ? await checkLotPublicly(shop, key) : { kind: "unreadable" };
  const page = renderPublicCheck(answer, shop);
  return new Response(page.html, { status: page.status, headers: { "Content-Type": "text/html; charset=utf-8", ...NO_STORE } });
};
