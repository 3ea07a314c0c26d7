// Rules of the daily expiry job (no database): which shop days a run covers after downtime, and
// the checks of what an operator or merchant asks for.
import { DomainError } from "../errors";
import { addDays, isDay, type Day } from "../shops/shop-day";

/** A scheduler that was down longer than this catches up only the last MAX_CATCH_UP_DAYS days. */
export const MAX_CATCH_UP_DAYS = 31;
export const MAX_EXPIRY_ALERT_DAYS = 3650;

export class ExpiryRunError extends DomainError {
  override name = "ExpiryRunError";
}

/**
 * The shop days to run, oldest first: every day after the last run up to today (a worker that was
 * down for three days runs three days, each as it would have run), at most MAX_CATCH_UP_DAYS of
 * them; only today for a shop that never ran; none when today already ran.
 */
export function daysToRun(lastRun: Day | null, today: Day, maxDays: number = MAX_CATCH_UP_DAYS): Day[] {
  if (lastRun !== null && lastRun >= today) return [];
  const days: Day[] = [];
  for (let day = lastRun === null ? today : addDays(lastRun, 1); day <= today; day = addDays(day, 1)) days.push(day);
  return days.slice(-maxDays);
}

/** The day a run asks for: a real calendar day, and (for a run that writes) not one still to come in the shop's zone. */
export function checkRunDay(day: string, today: Day, dryRun: boolean): Day {
  if (!isDay(day)) throw new ExpiryRunError(`the day must be a date written YYYY-MM-DD, got "${day}"`);
  if (!dryRun && day > today) throw new ExpiryRunError(`${day} has not come yet in the shop's time zone (today is ${today}); use --dry-run to preview it`);
  return day;
}

/** Whole days, 0 to MAX_EXPIRY_ALERT_DAYS, for an alert window. */
export function parseAlertDays(value: unknown): number {
  const text = String(value ?? "").trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > MAX_EXPIRY_ALERT_DAYS)
    throw new ExpiryRunError(`the alert window must be whole days from 0 to ${MAX_EXPIRY_ALERT_DAYS}, got "${text}"`);
  return n;
}
