// The shop's day read from its row (shops.iana_timezone; see shop-day.ts).
import type { Db } from "../../lib/sql.server";
import { dayIn, type Day } from "./shop-day";

export async function shopTimeZone(sql: Db, shopId: number): Promise<string> {
  const found = await sql.query<{ iana_timezone: string | null }>("select iana_timezone from shops where id = $1", [shopId]);
  return found.rows[0]?.iana_timezone ?? "UTC";
}

/** Today in the shop's time zone. */
export async function shopToday(sql: Db, shopId: number, at: Date = new Date()): Promise<Day> {
  return dayIn(await shopTimeZone(sql, shopId), at);
}
