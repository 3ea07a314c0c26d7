// The public recall check behind the app proxy (decision 110): a shopper scans the GS1 Digital
// Link on a pack; Shopify forwards it signed; the page says whether the lot is recalled and what
// to do, and nothing about customers, orders or stock. Real Postgres and Redis.
import { describe, expect, it } from "vitest";
import { loader, PUBLIC_CHECK_LIMITS } from "../../app/routes/proxy.$";
import { openRecall, closeRecall } from "../../app/domain/recall/recall-case.server";
import { createTestShop } from "../helpers/shops";
import { prisma } from "../../app/db.server";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { proxyRequest, type ProxyRequestOptions } from "../helpers/app-proxy";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { authenticate } from "../../app/shopify.server";
import { verifyAppProxy } from "../../app/lib/app-proxy-signature";
import { TEST_SECRET } from "../helpers/webhooks";

// openRecall queues outbox sends (quarantine in Shopify): to a prefix of this file's own.
useOwnQueuePrefix();

const HONEY_GTIN = "09506000134352";
const CANDLE_GTIN = "04006381333931";

async function check(options: ProxyRequestOptions): Promise<{ status: number; html: string; headers: Headers }> {
  let response: Response;
  try {
    response = await loader({ request: proxyRequest(options), params: { "*": options.path.slice(1) }, context: {} });
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    response = thrown;
  }
  return { status: response.status, html: await response.text(), headers: response.headers };
}

async function seed(label: string) {
  const shop = await createTestShop(label);
  const warehouse = await createLocation(shop.id, { name: "Warehouse" });
  // Honey: the lot carries the GTIN it was received with.
  const honey = await createVariant(shop.id, { sku: "HONEY", productTitle: "Wildflower honey 250 g" });
  const h1 = await createLot(shop.id, { variantId: honey, lotNumber: "H-1", quantity: 30, locationId: warehouse, gtin: HONEY_GTIN });
  await createLot(shop.id, { variantId: honey, lotNumber: "H-2", quantity: 12, locationId: warehouse, gtin: HONEY_GTIN });
  // Candle: an older lot without a GTIN, found by the variant's EAN-13 barcode.
  const candle = await createVariant(shop.id, { sku: "CANDLE", productTitle: "Beeswax candle", barcode: CANDLE_GTIN.slice(1) });
  await createLot(shop.id, { variantId: candle, lotNumber: "C/7", quantity: 8, locationId: warehouse });
  await shipToCustomer(shop.id, {
    name: "#4711",
    customerId: newId(),
    customerName: "Maria Lopez",
    customerEmail: "maria@example.com",
    variantId: honey,
    lotId: h1,
    locationId: warehouse,
    quantity: 3,
  });
  return shop;
}

/** Rate limits count per clock minute: start a burst early in one, so it cannot straddle two. */
async function startOfFreshWindow(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 50));
}

describe("public recall check (app proxy)", () => {
  it("tells a shopper a recalled lot is RECALLED and what to do, with no customer, order or stock data", async () => {
    const shop = await seed("public-recalled");
    await openRecall(shop.id, { lots: [{ lotNumber: "H-1" }], reason: "Glass fragments found in jars of this lot", severity: "CLASS_I" });

    const page = await check({ shop: shop.domain, path: `/01/${HONEY_GTIN}/10/H-1` });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.html).toContain("RECALLED");
    expect(page.html).toContain("Wildflower honey 250 g");
    expect(page.html).toContain("lot H-1");
    expect(page.html).toContain("Glass fragments found in jars of this lot");
    expect(page.html).toContain("Stop using this product now");
    for (const secret of ["Maria", "Lopez", "maria@example.com", "4711", "Warehouse", "units", "on hand"]) expect(page.html).not.toContain(secret);

    // A GTIN-13 in the path is the same GTIN (padded to 14).
    const short = await check({ shop: shop.domain, path: `/01/${HONEY_GTIN.slice(1)}/10/H-1` });
    expect(short.html).toContain("RECALLED");
  });

  it("says 'not recalled' for a lot outside any open recall, also once a recall is closed", async () => {
    const shop = await seed("public-clear");
    const clear = await check({ shop: shop.domain, path: `/01/${HONEY_GTIN}/10/H-2` });
    expect(clear.status).toBe(200);
    expect(clear.html).toContain("Not recalled");
    expect(clear.html).not.toContain("RECALLED");

    const recall = await openRecall(shop.id, { lots: [{ lotNumber: "C/7" }], reason: "Wick may flare", severity: "CLASS_II" });
    // A lot with "/" in its number is percent-encoded in the Digital Link; found by the variant's barcode.
    const recalled = await check({ shop: shop.domain, path: `/01/${CANDLE_GTIN}/10/C%2F7` });
    expect(recalled.html).toContain("RECALLED");
    expect(recalled.html).toContain("Beeswax candle");
    expect(recalled.html).toContain("Wick may flare");
    expect(recalled.html).toContain("Contact the store for a return");

    await closeRecall(shop.id, recall.id);
    expect((await check({ shop: shop.domain, path: `/01/${CANDLE_GTIN}/10/C%2F7` })).html).toContain("Not recalled");
  });

  it("has no record of an unknown lot, a lot under another GTIN, or another shop's lot (the same answer)", async () => {
    const shop = await seed("public-unknown");
    const other = await seed("public-other");
    await openRecall(other.id, { lots: [{ lotNumber: "H-1" }], reason: "Other shop's recall", severity: "CLASS_I" });
    // This shop's H-1 is not recalled; the other shop's is and must not show through.
    expect((await check({ shop: shop.domain, path: `/01/${HONEY_GTIN}/10/H-1` })).html).toContain("Not recalled");

    const otherShopOnly = await createVariant(other.id, { sku: "X" });
    await createLot(other.id, { variantId: otherShopOnly, lotNumber: "ONLY-THERE", gtin: HONEY_GTIN });
    for (const path of [`/01/${HONEY_GTIN}/10/NOPE`, `/01/${CANDLE_GTIN}/10/H-1`, `/01/${HONEY_GTIN}/10/ONLY-THERE`]) {
      const page = await check({ shop: shop.domain, path });
      expect(page.status).toBe(404);
      expect(page.html).toContain("We have no record of this lot");
      expect(page.html).not.toContain("Other shop");
    }
    const unreadable = await check({ shop: shop.domain, path: "/hello" });
    expect(unreadable.status).toBe(404);
    expect(unreadable.html).toContain("does not name a product and lot");
  });

  it("escapes what it shows: neither a lot number nor the merchant's reason can inject markup or Liquid", async () => {
    const shop = await seed("public-escape");
    const variant = await createVariant(shop.id, { sku: "JAM", productTitle: "Jam <em>" });
    await createLot(shop.id, { variantId: variant, lotNumber: "<i>x", gtin: CANDLE_GTIN });
    await openRecall(shop.id, { lots: [{ lotNumber: "<i>x" }], reason: "{{ shop.name }} <script>alert(1)</script>", severity: "CLASS_II" });
    const page = await check({ shop: shop.domain, path: `/01/${CANDLE_GTIN}/10/${encodeURIComponent("<i>x")}` });
    expect(page.status).toBe(200);
    expect(page.html).toContain("RECALLED");
    for (const raw of ["<i>", "<em>", "<script>", "{{"]) expect(page.html).not.toContain(raw);
    expect(page.html).toContain("lot &lt;i&gt;x");
    expect(page.html).toContain("&#123;&#123; shop.name &#125;&#125; &lt;script&gt;");
  });

  it("refuses unsigned, tampered, wrongly signed and stale requests with 401, and reads nothing for them", async () => {
    const shop = await seed("public-signed");
    await openRecall(shop.id, { lots: [{ lotNumber: "H-1" }], reason: "Glass", severity: "CLASS_I" });
    const other = await createTestShop("public-signed-other");
    const path = `/01/${HONEY_GTIN}/10/H-1`;
    const refused = [
      await check({ shop: shop.domain, path, unsigned: true }),
      // Signed for another shop, then the shop swapped: the shop comes from the signed parameter only.
      await check({ shop: other.domain, path, tamper: (p) => p.set("shop", shop.domain) }),
      await check({ shop: shop.domain, path, tamper: (p) => p.set("logged_in_customer_id", "42") }),
      await check({ shop: shop.domain, path, secret: "not-the-app-secret" }),
      await check({ shop: shop.domain, path, timestamp: Math.trunc(Date.now() / 1000) - 3600 }),
    ];
    for (const page of refused) {
      expect(page.status).toBe(401);
      expect(page.html).not.toContain("RECALLED");
      expect(page.html).not.toContain("Glass");
    }
    expect((await check({ shop: shop.domain, path })).status).toBe(200);
  });

  it("never touches the shop's offline token: an expired one is not refreshed by a public hit (decision 084's lock stays the only refresher)", async () => {
    const shop = await seed("public-token");
    const expired = new Date(Date.now() - 3600_000);
    await prisma.session.update({ where: { id: `offline_${shop.domain}` }, data: { expires: expired, refreshToken: "shprt_test_refresh" } });
    // A refresh would be a request to Shopify's token endpoint, which msw refuses (no handler).
    const page = await check({ shop: shop.domain, path: `/01/${HONEY_GTIN}/10/H-2` });
    expect(page.status).toBe(200);
    const session = await prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop.domain}` } });
    expect(session.accessToken).toBe("shpat_test_token");
    expect(session.refreshToken).toBe("shprt_test_refresh");
    expect(session.expires).toEqual(expired);
  });

  it("limits checks per client IP and shop in Redis: 429 with Retry-After, other shoppers unaffected", { timeout: 30_000 }, async () => {
    const shop = await seed("public-limit");
    const path = `/01/${HONEY_GTIN}/10/H-2`;
    await startOfFreshWindow();
    for (let i = 0; i < PUBLIC_CHECK_LIMITS.perClientPerMinute; i++) {
      expect((await check({ shop: shop.domain, path, ip: "198.51.100.9" })).status).toBe(200);
    }
    const limited = await check({ shop: shop.domain, path, ip: "198.51.100.9" });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.html).not.toContain("Not recalled");

    // Another shopper of the same shop, and the same IP at another shop, still get their answer.
    expect((await check({ shop: shop.domain, path, ip: "198.51.100.10" })).status).toBe(200);
    const otherShop = await seed("public-limit-other");
    expect((await check({ shop: otherShop.domain, path, ip: "198.51.100.9" })).status).toBe(200);
  });
});

describe("app proxy signature: the same verdict as the library's authenticate.public.appProxy", () => {
  it("accepts and refuses exactly what the library does", async () => {
    const shop = await createTestShop("public-parity");
    const path = `/01/${HONEY_GTIN}/10/H-1`;
    const now = Math.trunc(Date.now() / 1000);
    const cases: [string, ProxyRequestOptions][] = [
      ["signed", { shop: shop.domain, path }],
      [
        "signed, with the shopper's repeated parameters",
        {
          shop: shop.domain,
          path,
          extra: [
            ["extra", "1"],
            ["extra", "2"],
            ["ref", "qr"],
          ],
        },
      ],
      ["80 seconds old", { shop: shop.domain, path, timestamp: now - 80 }],
      ["unsigned", { shop: shop.domain, path, unsigned: true }],
      ["shop swapped", { shop: "someone-else.myshopify.com", path, tamper: (p) => p.set("shop", shop.domain) }],
      ["parameter added", { shop: shop.domain, path, tamper: (p) => p.append("extra", "3") }],
      ["shop given twice", { shop: shop.domain, path, tamper: (p) => p.append("shop", shop.domain) }],
      ["wrong secret", { shop: shop.domain, path, secret: "other-secret" }],
      ["stale", { shop: shop.domain, path, timestamp: now - 120 }],
      ["from the future", { shop: shop.domain, path, timestamp: now + 120 }],
      ["signature not hex", { shop: shop.domain, path, tamper: (p) => p.set("signature", "zz") }],
    ];
    for (const [label, options] of cases) {
      const request = proxyRequest(options);
      const library = await authenticate.public.appProxy(request).then(
        () => true,
        (thrown: unknown) => {
          if (thrown instanceof Response && thrown.status === 400) return false;
          throw thrown;
        },
      );
      const ours = verifyAppProxy(new URL(request.url).searchParams, TEST_SECRET).ok;
      expect({ label, ours }).toEqual({ label, ours: library });
    }
    expect(verifyAppProxy(new URL(proxyRequest({ shop: shop.domain, path }).url).searchParams, TEST_SECRET)).toEqual({ ok: true, shop: shop.domain });
  });
});
