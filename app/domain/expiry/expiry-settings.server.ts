// The expiry job's settings: the shop's alert window (days before expiry, default 30), run hour
// (shop-local, default 6) and whether expired units are quarantined, and a product's own alert window (copied to its variants, as lot
// tracking and the strategy override are; null: the shop's).
import type { Db } from "../../lib/sql.server";
import { ExpiryRunError, parseAlertDays } from "./expiry-rules";
import { formatMarkdownRules, parseMarkdownRules } from "./markdown-rules";

export interface ExpirySettings {
  alertDays: number;
  runHour: number;
  /** Expired units move to quality_control in Shopify (the "quarantine" step). */
  quarantine: boolean;
  /** Markdown rules, "14:20, 5:40" (markdown-rules.ts); "" when off. */
  markdowns: string;
  timeZone: string | null;
}

export type ExpirySettingsChange = Pick<ExpirySettings, "alertDays" | "runHour" | "quarantine" | "markdowns">;

export async function expirySettings(sql: Db, shopId: number): Promise<ExpirySettings> {
  const r = await sql.query<{
    expiry_alert_days: number;
    expiry_run_hour: number;
    expiry_quarantine: boolean;
    markdown_rules: string;
    iana_timezone: string | null;
  }>("select expiry_alert_days, expiry_run_hour, expiry_quarantine, markdown_rules, iana_timezone from shops where id = $1", [shopId]);
  const row = r.rows[0];
  if (!row) throw new ExpiryRunError(`shop ${shopId} not found`);
  return {
    alertDays: row.expiry_alert_days,
    runHour: row.expiry_run_hour,
    quarantine: row.expiry_quarantine,
    markdowns: row.markdown_rules,
    timeZone: row.iana_timezone,
  };
}

/** Checks what the merchant typed (whole days 0-3650, an hour 0-23, quarantine "true"/"on" or not); throws ExpiryRunError naming the field. */
export function parseExpirySettings(input: { alertDays?: unknown; runHour?: unknown; quarantine?: unknown; markdowns?: unknown }): ExpirySettingsChange {
  const hourText = String(input.runHour ?? "").trim();
  const runHour = Number(hourText);
  if (!/^\d{1,2}$/.test(hourText) || runHour > 23) throw new ExpiryRunError(`the run hour must be a whole hour from 0 to 23, got "${hourText}"`);
  const markdownText = String(input.markdowns ?? "").trim();
  return {
    alertDays: parseAlertDays(input.alertDays),
    runHour,
    quarantine: ["true", "on"].includes(String(input.quarantine ?? "").trim()),
    markdowns: markdownText === "off" ? "" : formatMarkdownRules(parseMarkdownRules(markdownText)),
  };
}

export async function updateExpirySettings(sql: Db, shopId: number, settings: ExpirySettingsChange): Promise<ExpirySettings> {
  await sql.query(
    "update shops set expiry_alert_days = $2, expiry_run_hour = $3, expiry_quarantine = $4, markdown_rules = $5, updated_at = now() where id = $1",
    [shopId, settings.alertDays, settings.runHour, settings.quarantine, settings.markdowns],
  );
  return expirySettings(sql, shopId);
}

/**
 * A product's own expiry settings, for all its variants: its alert window (null: the shop's) and
 * whether the shop's quarantine and markdowns apply to it. Fields left undefined keep their value.
 * Returns the variants changed (0: no such product in this shop).
 */
export async function setProductExpiry(
  sql: Db,
  shopId: number,
  productId: bigint,
  change: { alertDays?: number | null; automation?: boolean },
): Promise<number> {
  const r = await sql.query(
    `update variants set expiry_alert_days = case when $3 then $4::int else expiry_alert_days end,
            expiry_automation = coalesce($5::boolean, expiry_automation), updated_at = now()
      where shop_id = $1 and product_id = $2`,
    [shopId, productId, change.alertDays !== undefined, change.alertDays ?? null, change.automation ?? null],
  );
  return r.rowCount ?? 0;
}
