// The shop's profile kept from Shopify: its time zone (the shop's day, shop-day.ts) and currency.
import type { Db } from "../../lib/sql.server";
import { fetchShopProfile } from "../../lib/shopify-admin.server";
import { isTimeZone } from "./shop-day";
import { findShopDomain } from "./shops.server";

/**
 * Reads the shop's time zone and currency from Shopify (shop { ianaTimezone currencyCode }) and
 * keeps them: everything dated in the app counts in the shop's day (shop-day.ts), reports price in
 * its currency. Run on install and by every reconciliation, so a merchant who moves the store's
 * zone in Shopify's settings is followed within a day. A zone Postgres or Node does not know is
 * not stored (the shop keeps the last good one).
 */
export async function refreshShopProfile(sql: Db, shopId: number): Promise<{ ianaTimezone: string | null; currency: string }> {
  const domain = await findShopDomain(sql, shopId);
  if (!domain) throw new Error(`shop ${shopId} not found`);
  const profile = await fetchShopProfile(domain);
  const zone = isTimeZone(profile.ianaTimezone) ? profile.ianaTimezone : null;
  const r = await sql.query<{ iana_timezone: string | null; currency: string }>(
    `update shops set iana_timezone = coalesce($2, iana_timezone), currency = $3, updated_at = now() where id = $1
     returning iana_timezone, currency`,
    [shopId, zone, profile.currencyCode],
  );
  return { ianaTimezone: r.rows[0]!.iana_timezone, currency: r.rows[0]!.currency };
}
