// The shop's profile kept from Shopify: its time zone (the shop's day, shop-day.ts), currency and owner's email.
import type { Db } from "../../lib/sql.server";
import { fetchShopProfile } from "../../lib/shopify-admin.server";
import { isTimeZone } from "./shop-day";
import { findShopDomain } from "./shops.server";

/**
 * Reads the shop's time zone, currency and email from Shopify (shop { ianaTimezone currencyCode
 * email }) and keeps them: everything dated in the app counts in the shop's day (shop-day.ts),
 * reports price in its currency, the daily expiry digest goes to the email. Run on install and by every reconciliation, so a merchant who moves the store's
 * zone in Shopify's settings is followed within a day. A zone Postgres or Node does not know is
 * not stored (the shop keeps the last good one).
 */
export async function refreshShopProfile(sql: Db, shopId: number): Promise<{ ianaTimezone: string | null; currency: string; email: string | null }> {
  const domain = await findShopDomain(sql, shopId);
  if (!domain) throw new Error(`shop ${shopId} not found`);
  const profile = await fetchShopProfile(domain);
  const zone = isTimeZone(profile.ianaTimezone) ? profile.ianaTimezone : null;
  const r = await sql.query<{ iana_timezone: string | null; currency: string; email: string | null }>(
    `update shops set iana_timezone = coalesce($2, iana_timezone), currency = $3, email = $4, updated_at = now() where id = $1
     returning iana_timezone, currency, email`,
    [shopId, zone, profile.currencyCode, profile.email || null],
  );
  const row = r.rows[0]!;
  return { ianaTimezone: row.iana_timezone, currency: row.currency, email: row.email };
}
