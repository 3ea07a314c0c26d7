// Storefront requests as Shopify's app proxy forwards them: the shopper's path under /proxy with
// shop, logged_in_customer_id, path_prefix and timestamp added, signed with the app secret
// (shopify.dev "Authenticate app proxies": `signature` is the HMAC-SHA256, hex, of the parameters
// sorted by name, each as name=value with repeated values joined by ",", concatenated without
// separators). Written from the docs, not from the library, so the test checks the library.
import { createHmac } from "node:crypto";
import { TEST_SECRET } from "./webhooks";

export const APP_URL = "https://lotkeeper.test";

export function proxySignature(params: URLSearchParams, secret = TEST_SECRET): string {
  const byName = new Map<string, string[]>();
  for (const [name, value] of params) if (name !== "signature") byName.set(name, [...(byName.get(name) ?? []), value]);
  const message = [...byName.keys()]
    .sort()
    .map((name) => `${name}=${byName.get(name)!.join(",")}`)
    .join("");
  return createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

export interface ProxyRequestOptions {
  shop: string;
  /** The path after the proxy URL, e.g. /01/09506000134352/10/ABC. */
  path: string;
  ip?: string;
  timestamp?: number;
  secret?: string;
  /** Applied after signing (a tampered request). */
  tamper?: (params: URLSearchParams) => void;
  unsigned?: boolean;
  /** The shopper's own query parameters (signed with Shopify's). */
  extra?: [string, string][];
}

export function proxyRequest(options: ProxyRequestOptions): Request {
  const params = new URLSearchParams({
    shop: options.shop,
    logged_in_customer_id: "",
    path_prefix: "/apps/lotkeeper",
    timestamp: String(options.timestamp ?? Math.trunc(Date.now() / 1000)),
  });
  for (const [name, value] of options.extra ?? []) params.append(name, value);
  if (!options.unsigned) params.set("signature", proxySignature(params, options.secret));
  options.tamper?.(params);
  return new Request(`${APP_URL}/proxy${options.path}?${params}`, { headers: { "X-Forwarded-For": options.ip ?? "203.0.113.7" } });
}
