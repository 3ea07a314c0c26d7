// The shop's day read from the database (shops.iana_timezone); the rules are in shop-day.ts.
import type { Db } from "../../lib/sql.server";
import { dayIn, type Day } from "./shop-day";

/** The shop's time zone, or null while it is not known yet (shop-day.ts then counts in UTC). */
export async function shopTimeZone(db: Db, shopId: number): Promise<string | null> {
  const r = await db.query<{ iana_timezone: string | null }>("select iana_timezone from shops where id = $1", [shopId]);
  return r.rows[0]?.iana_timezone ?? null;
}

/** The calendar day at `at` where the shop is. */
export async function shopDay(db: Db, shopId: number, at: Date = new Date()): Promise<Day> {
  return dayIn(await shopTimeZone(db, shopId), at);
}
