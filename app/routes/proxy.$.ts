// The public recall check behind the app proxy (shopify.app.toml [app_proxy], decision 110):
// https://<shop>/apps/lotkeeper/01/<gtin>/10/<lot> reaches GET /proxy/01/<gtin>/10/<lot>, signed
// by Shopify. A shopper who scans the GS1 Digital Link on a pack learns whether that lot is
// recalled and what to do. Order matters: the signature first (the shop comes only from the
// signed `shop` parameter, and an unsigned request must not spend a real shop's budget), then
// the rate limit, then one read of that shop's lots.
// /apps/lotkeeper/recall/<token> is a customer's answer to a recall notice (decision 111): the
// same signature check first, then the notice found by token within the signed shop only.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { env } from "../env.server";
import { verifyAppProxy } from "../lib/app-proxy-signature";
import { hitRateLimits } from "../lib/rate-limit.server";
import { log } from "../lib/logger.server";
import { publicLotKey, renderPublicCheck, type PublicCheckAnswer } from "../domain/recall/public-check-rules";
import { checkLotPublicly } from "../domain/recall/public-check.server";
import { parseAnswerForm, renderAnswerPage } from "../domain/recall/notice-answer-rules";
import { noticeForAnswer, recordNoticeAnswer } from "../domain/recall/notice-answers.server";

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

/** The token of a notice answer URL (/proxy/recall/<token>), or null for any other proxy path. */
function answerToken(request: Request): string | null {
  const match = /^\/proxy\/recall\/([^/]*)\/?$/.exec(new URL(request.url).pathname);
  return match ? match[1]! : null;
}

const HTML = { "Content-Type": "text/html; charset=utf-8", ...NO_STORE };

function noSuchNotice(): Response {
  return new Response("This recall link is not valid. Please use the link in the most recent recall email you received, or contact the store.", {
    status: 404,
    headers: { "Content-Type": "text/plain; charset=utf-8", ...NO_STORE },
  });
}

/**
 * POST: the answer form. Shopify signs the forwarded POST's query like a GET, and the token in the
 * path is the customer's secret, so a forged cross-site post would need both (decision 111).
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const shop = verifiedShop(request);
  const token = answerToken(request);
  if (token === null) return new Response("Not found", { status: 404, headers: NO_STORE });
  const form = await request.formData();
  const parsed = parseAnswerForm({ answer: form.get("answer")?.toString(), note: form.get("note")?.toString() });
  if (!parsed.ok) {
    const notice = await noticeForAnswer(shop, token);
    if (!notice) return noSuchNotice();
    return new Response(renderAnswerPage(notice, { error: parsed.error }), { status: 400, headers: HTML });
  }
  const notice = await recordNoticeAnswer(shop, token, parsed.answer, parsed.note);
  if (!notice) return noSuchNotice();
  log.info("recall notice answered", { shop, answer: parsed.answer });
  return new Response(renderAnswerPage(notice, { saved: true }), { status: 200, headers: HTML });
};

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const shop = verifiedShop(request);
  const token = answerToken(request);
  if (token !== null) {
    // A 256-bit token leaves nothing to enumerate: no rate limit here, one indexed read per request.
    const notice = await noticeForAnswer(shop, token);
    if (!notice) return noSuchNotice();
    return new Response(renderAnswerPage(notice), { status: 200, headers: HTML });
  }
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
