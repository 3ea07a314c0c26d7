// `lotkeeper expiry run`: the daily expiry job of one shop, now (decision 112).
import type { Command } from "../command";
import { optionalString } from "../command";
import { requireShopId } from "../shop-option";
import { runDueExpiryDays, runExpiryDay } from "../../domain/expiry/daily-run.server";

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
