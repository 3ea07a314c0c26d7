// The daily expiry digest mail (no database): what one day's check found, in plain text, for the
// shop's owner. Built from the run's task result (daily-run.server.ts), so the mail and the task
// page never disagree.
import type { Day } from "../shops/shop-day";

interface ListedLot {
  lotNumber: string;
  product?: string;
  expiresOn: string;
  daysLeft?: number;
  units: number;
  locations?: { name: string | null; locationId: string; units: number }[];
}

interface StepResult {
  count?: number;
  units?: number;
  lots?: ListedLot[];
  enabled?: boolean;
}

export interface DigestFacts {
  shopDomain: string;
  day: Day;
  steps: Record<string, StepResult | undefined>;
  /** Where the merchant opens the run's task. */
  taskUrl: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function lotLine(lot: ListedLot, withDaysLeft: boolean): string {
  const where = (lot.locations ?? []).map((l) => `${l.name ?? `location ${l.locationId}`}: ${l.units}`).join(", ");
  const left = withDaysLeft && lot.daysLeft !== undefined ? `, ${plural(lot.daysLeft, "day")} left` : "";
  return `- ${lot.lotNumber}${lot.product ? ` (${lot.product})` : ""}: expires ${lot.expiresOn}${left}, ${plural(lot.units, "unit")}${where ? ` (${where})` : ""}`;
}

function section(title: string, step: StepResult | undefined, withDaysLeft: boolean): string[] {
  const count = step?.count ?? 0;
  if (count === 0) return [];
  const lots = step?.lots ?? [];
  const more = count > lots.length ? [`- …and ${plural(count - lots.length, "more lot")} (see the check in the app)`] : [];
  return [`${title}: ${plural(count, "lot")}, ${plural(step?.units ?? 0, "unit")}`, ...lots.map((l) => lotLine(l, withDaysLeft)), ...more, ""];
}

/** The digest of one day, or null when the check found nothing (no mail is sent for a quiet day). */
export function expiryDigestMail(f: DigestFacts): { subject: string; text: string } | null {
  const expired = f.steps.expire?.count ?? 0;
  const alerted = f.steps.alerts?.count ?? 0;
  const quarantined = f.steps.quarantine?.enabled ? (f.steps.quarantine.count ?? 0) : 0;
  const markdowns = f.steps.markdowns?.count ?? 0;
  if (expired + alerted + quarantined + markdowns === 0) return null;
  const parts = [expired ? `${plural(expired, "lot")} expired` : "", alerted ? `${plural(alerted, "lot")} expiring soon` : ""].filter(Boolean);
  const subject = `Lotkeeper expiry check ${f.day}: ${parts.length ? parts.join(", ") : quarantined ? `${plural(quarantined, "lot")} quarantined` : `${plural(markdowns, "markdown")} changed`}`;
  const text = [
    `Expiry check of ${f.day} for ${f.shopDomain}`,
    "",
    ...section("Expired", f.steps.expire, false),
    ...section("Moved to quality control in Shopify", f.steps.quarantine?.enabled ? f.steps.quarantine : undefined, false),
    ...section("Entering their alert window", f.steps.alerts, true),
    ...(markdowns ? [`Markdowns changed: ${plural(markdowns, "product")} (automatic discounts in Shopify; see the check)`, ""] : []),
    `Open the check: ${f.taskUrl}`,
    "",
    "Change the alert window, the hour of the check or automatic quarantine under Settings, Expiry check.",
  ].join("\n");
  return { subject, text };
}
