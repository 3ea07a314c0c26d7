// The shop's day. Everything dated in the app (auto lot numbers, "expires today", reports, the
// daily expiry job) is a calendar day in the shop's own time zone (Shopify's `shop.ianaTimezone`,
// kept in shops.iana_timezone), never UTC's: a lot that expires on the 5th in Auckland is expired
// there while UTC still says the 4th. Days travel as "YYYY-MM-DD" strings, never as Date objects
// (a Date is an instant, and turning it back into a day needs a zone again).
export type Day = string;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day written YYYY-MM-DD (2026-02-30 is not one). */
export function isDay(text: string): text is Day {
  const m = DAY.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** The time zone to use for a shop: its own, or UTC while it is unknown (before the first read). */
export function zoneOf(timeZone: string | null | undefined): string {
  return timeZone && isTimeZone(timeZone) ? timeZone : "UTC";
}

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The calendar day at `at` in `timeZone` (e.g. 2026-12-04T20:00Z is 2026-12-05 in Pacific/Auckland). */
export function dayIn(timeZone: string | null | undefined, at: Date = new Date()): Day {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zoneOf(timeZone), year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** The hour of the day (0-23) at `at` in `timeZone`. */
export function hourIn(timeZone: string | null | undefined, at: Date = new Date()): number {
  const hour = new Intl.DateTimeFormat("en-US", { timeZone: zoneOf(timeZone), hour: "numeric", hourCycle: "h23" }).format(at);
  return Number(hour);
}

/** `day` plus `days` calendar days (negative goes back). */
export function addDays(day: Day, days: number): Day {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: Day, to: Day): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** YYYYMMDD, for lot numbers and file names. */
export function compactDay(day: Day): string {
  return day.replace(/-/g, "");
}

/**
 * SQL for "today in the shop's zone", given an SQL expression naming the shop's iana_timezone
 * (e.g. `shopTodaySql("s.iana_timezone")` with `shops s` joined). Postgres knows the IANA zones.
 */
export function shopTodaySql(timeZoneExpression: string): string {
  return `(now() at time zone coalesce(${timeZoneExpression}, 'UTC'))::date`;
}
