// Verifying an app proxy request (shopify.dev "Authenticate app proxies") the way
// @shopify/shopify-api's `utils.validateHmac(query, { signator: "appProxy" })` does, without what
// `authenticate.public.appProxy` adds around it: that loads the shop's offline session and, near
// its expiry, REFRESHES the offline token, outside the per-shop lock of decision 084 (a rotating
// refresh token spent twice can leave the shop without a token), from a public URL anyone can
// hit. The public recall check needs no Shopify call, so it verifies only (decision 110; the same
// choice as the webhook fast path, decision 010). Pure: no I/O.
import { createHmac, timingSafeEqual } from "node:crypto";

/** The library's tolerance for `timestamp` (HMAC_TIMESTAMP_PERMITTED_CLOCK_TOLERANCE_SEC). */
export const APP_PROXY_CLOCK_TOLERANCE_SECONDS = 90;

/** Parameters that must appear once: the same list as the library's APP_PROXY_SINGLE_VALUE_PARAMS. */
const SINGLE_VALUE = new Set(["hmac", "shop", "signature", "timestamp"]);

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i;

export type AppProxyVerification = { ok: true; shop: string } | { ok: false; reason: string };

/**
 * `signature` must be the hex HMAC-SHA256, keyed by the app secret, of every other parameter as
 * `name=value` (repeated names: values joined by ","), sorted by name and concatenated without
 * separators; `timestamp` within 90 seconds of now. The shop is the signed `shop` parameter.
 */
export function verifyAppProxy(query: URLSearchParams, secret: string, nowSeconds = Math.trunc(Date.now() / 1000)): AppProxyVerification {
  const values = new Map<string, string[]>();
  for (const [name, value] of query) {
    const list = values.get(name) ?? [];
    if (list.length > 0 && SINGLE_VALUE.has(name)) return { ok: false, reason: `parameter ${name} appears more than once` };
    values.set(name, [...list, value]);
  }
  const signature = values.get("signature")?.[0];
  if (!signature) return { ok: false, reason: "no signature" };
  const timestamp = Number(values.get("timestamp")?.[0]);
  if (!Number.isInteger(timestamp)) return { ok: false, reason: "no valid timestamp" };
  if (Math.abs(nowSeconds - timestamp) > APP_PROXY_CLOCK_TOLERANCE_SECONDS) return { ok: false, reason: "timestamp outside the tolerance" };
  const message = [...values.keys()]
    .filter((name) => name !== "signature")
    .sort()
    .map((name) => `${name}=${values.get(name)!.join(",")}`)
    .join("");
  const expected = createHmac("sha256", secret).update(message, "utf8").digest();
  const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, "hex") : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "signature mismatch" };
  const shop = values.get("shop")?.[0];
  if (!shop || !SHOP_DOMAIN.test(shop)) return { ok: false, reason: "no valid shop" };
  return { ok: true, shop };
}
