// `lotkeeper expiry run` (the daily expiry job of one shop, now) and `lotkeeper expiry settings`. Decision 112.
import { CliError, optionalString, UsageError, type Command } from "../command";
import { optionalShopifyId, requireShopId } from "../shop-option";
import { pool } from "../../db.server";
import { runDueExpiryDays, runExpiryDay } from "../../domain/expiry/daily-run.server";
import { parseAlertDays } from "../../domain/expiry/expiry-rules";
import { expirySettings, parseExpirySettings, setProductExpiry, updateExpirySettings } from "../../domain/expiry/expiry-settings.server";

export const expiryRun: Command = {
  name: "expiry run",
  summary: "Run the daily expiry job of a shop: mark expired lots, find lots entering their alert window",
  usage: `lotkeeper expiry run --shop <domain> [--date YYYY-MM-DD] [--dry-run]

The job the workers run every day at the shop's run hour (shop-local, default 06:00). Without
--date it runs every shop day since the last run up to today (at most 31), as the scheduler does;
with --date that one day. A day runs once: running it again prints what it did the first time
("alreadyRan": true) and changes nothing. --dry-run changes nothing and creates no task, and may
look at a day still to come. Prints [{day, dryRun, alreadyRan, taskId, steps: {expire: {count,
units, lots}, alerts: {count, units, lots}}}]; taskId is the task the merchant opens in Tasks.`,
  options: { shop: { type: "string" }, date: { type: "string" }, "dry-run": { type: "boolean" } },
  async run(args) {
    const shopId = await requireShopId(args);
    const day = optionalString(args, "date");
    const dryRun = args.values["dry-run"] === true;
    if (day === undefined && !dryRun) return runDueExpiryDays(shopId);
    return [await runExpiryDay(shopId, { day, dryRun })];
  },
};

const onOff = (name: string, value: string | undefined): boolean | undefined => {
  if (value === undefined) return undefined;
  if (value !== "on" && value !== "off") throw new UsageError(`--${name} must be on or off, got "${value}"`);
  return value === "on";
};

export const expirySettingsCommand: Command = {
  name: "expiry settings",
  summary: "Show or change the expiry check: alert window (shop or product), run hour, quarantine, markdowns",
  usage: `lotkeeper expiry settings --shop <domain> [--alert-days <0-3650>] [--run-hour <0-23>] [--quarantine on|off] [--markdowns "14:20, 5:40"|off]
lotkeeper expiry settings --shop <domain> --product <id> [--alert-days <0-3650 | shop>] [--automation on|off]

A lot enters its alert window --alert-days before it expires (the shop's default is 30); the
daily job runs from --run-hour, in the shop's own time zone (default 6). --quarantine on: each run
moves the units of expired lots to quality_control in Shopify (they stop selling). --markdowns:
percent off by days before expiry, as an automatic discount on the variant while its
earliest-expiring lot is that close (off removes them all at the next run).
With --product, for that product (all its variants): its own alert window ("shop" gives it back
the shop's), and --automation off to keep the shop's quarantine and markdowns away from it.
Prints {alertDays, runHour, quarantine, markdowns, timeZone} (with --product also {productId, variants}).`,
  options: {
    shop: { type: "string" },
    "alert-days": { type: "string" },
    "run-hour": { type: "string" },
    quarantine: { type: "string" },
    markdowns: { type: "string" },
    product: { type: "string" },
    automation: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const sql = pool();
    const alertDays = optionalString(args, "alert-days");
    const productId = optionalShopifyId(args, "product");
    if (productId !== undefined) {
      const automation = onOff("automation", optionalString(args, "automation"));
      if (alertDays === undefined && automation === undefined) throw new UsageError("--product needs --alert-days (days, or shop) or --automation (on or off)");
      const variants = await setProductExpiry(sql, shopId, productId, {
        alertDays: alertDays === undefined ? undefined : alertDays.trim() === "shop" ? null : parseAlertDays(alertDays),
        automation,
      });
      if (variants === 0) throw new CliError(`product ${productId} is not known to this shop`);
      return { ...(await expirySettings(sql, shopId)), productId: productId.toString(), variants };
    }
    const current = await expirySettings(sql, shopId);
    const runHour = optionalString(args, "run-hour");
    const quarantine = onOff("quarantine", optionalString(args, "quarantine"));
    const markdowns = optionalString(args, "markdowns");
    if (alertDays === undefined && runHour === undefined && quarantine === undefined && markdowns === undefined) return current;
    return updateExpirySettings(
      sql,
      shopId,
      parseExpirySettings({
        alertDays: alertDays ?? current.alertDays,
        runHour: runHour ?? current.runHour,
        quarantine: String(quarantine ?? current.quarantine),
        markdowns: markdowns ?? current.markdowns,
      }),
    );
  },
};
