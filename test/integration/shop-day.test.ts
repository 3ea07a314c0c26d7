// The shop's day (app/domain/shops/shop-day.ts): the zone and currency read from Shopify on install
// and by reconciliation, and "expired" counted in the shop's own day, not in UTC's.
import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { pool } from "../../app/db.server";
import { refreshShopProfile } from "../../app/domain/shops/shop-profile.server";
import { dayIn } from "../../app/domain/shops/shop-day";
import { listLots } from "../../app/domain/lots/lot-queries.server";
import { shelfRule } from "../../app/domain/shops/settings.server";
import { graphql, HttpResponse, server } from "../helpers/shopify-mock";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant } from "../helpers/factories";

const cost = { requestedQueryCost: 1, actualQueryCost: 1, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1999, restoreRate: 100 } };

function shopifySays(profiles: Record<string, { ianaTimezone: string; currencyCode: string; email: string }>) {
  server.use(
    graphql.query("LotkeeperShopProfile", ({ request }) => {
      const profile = profiles[new URL(request.url).hostname];
      return HttpResponse.json({ data: { shop: profile }, extensions: { cost } });
    }),
  );
}

describe("the shop's zone and currency", () => {
  it("are read from Shopify and kept for that shop only", async () => {
    const [auckland, other] = [await createTestShop("auckland"), await createTestShop("other")];
    shopifySays({ [auckland.domain]: { ianaTimezone: "Pacific/Auckland", currencyCode: "NZD", email: "owner@example.com" } });
    expect(await refreshShopProfile(pool(), auckland.id)).toEqual({ ianaTimezone: "Pacific/Auckland", currency: "NZD", email: "owner@example.com" });
    expect(await prisma.shop.findUniqueOrThrow({ where: { id: auckland.id } })).toMatchObject({
      ianaTimezone: "Pacific/Auckland",
      currency: "NZD",
      email: "owner@example.com",
    });
    expect(await prisma.shop.findUniqueOrThrow({ where: { id: other.id } })).toMatchObject({ ianaTimezone: null, currency: null });
  });

  it("a zone nobody knows leaves the last good one; the currency still follows Shopify", async () => {
    const shop = await createTestShop("zone", { ianaTimezone: "America/Los_Angeles", currency: "USD" });
    shopifySays({ [shop.domain]: { ianaTimezone: "Mars/Olympus_Mons", currencyCode: "CAD", email: "" } });
    expect(await refreshShopProfile(pool(), shop.id)).toEqual({ ianaTimezone: "America/Los_Angeles", currency: "CAD", email: null });
  });
});

describe("expired, counted in the shop's day", () => {
  // Kiritimati (UTC+14) is always one or two calendar days ahead of Pago Pago (UTC-11).
  it("a lot expiring today in Pago Pago is still sellable there and already expired in Kiritimati", async () => {
    const expiresOn = dayIn("Pacific/Pago_Pago");
    const statusIn = async (zone: string) => {
      const shop = await createTestShop("zone", { ianaTimezone: zone });
      const variantId = await createVariant(shop.id);
      const locationId = await createLocation(shop.id);
      await createLot(shop.id, { variantId, lotNumber: "L-1", quantity: 5, locationId, expiresOn });
      const expired = await listLots(shop.id, { status: "EXPIRED" });
      const all = await listLots(shop.id);
      return { listed: all.lots.map((l) => l.status), expiredFilter: expired.lots.length, shelf: await shelfRule(pool(), shop.id) };
    };
    const pago = await statusIn("Pacific/Pago_Pago");
    expect(pago).toMatchObject({ listed: ["ACTIVE"], expiredFilter: 0 });
    expect(pago.shelf.today).toBe(expiresOn);
    const kiritimati = await statusIn("Pacific/Kiritimati");
    expect(kiritimati).toMatchObject({ listed: ["EXPIRED"], expiredFilter: 1 });
    expect(kiritimati.shelf.today > expiresOn).toBe(true);
    // Neither ships it: a lot expiring today (or before) never leaves.
    expect(pago.shelf.earliestShelfDate > expiresOn).toBe(true);
  });
});
