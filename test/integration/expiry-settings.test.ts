// The expiry job's settings (app/domain/expiry/expiry-settings.server.ts): the shop's alert window
// and run hour from the settings page and the CLI, and a product's own window.
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { action as settingsAction } from "../../app/routes/app.settings";
import { runExpiryDay } from "../../app/domain/expiry/daily-run.server";
import { adminPost } from "../helpers/admin-requests";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant } from "../helpers/factories";
import { cliJson, runCli } from "../helpers/cli";

const shopRow = async (id: number) =>
  (await pool().query("select expiry_alert_days, expiry_run_hour from shops where id = $1", [id])).rows[0] as {
    expiry_alert_days: number;
    expiry_run_hour: number;
  };

describe("expiry settings", () => {
  it("the settings page saves the alert window and run hour; a bad value is refused and changes nothing", async () => {
    const shop = await createTestShop("expiry-settings");
    const bad = await settingsAction({
      request: adminPost(shop.domain, "/app/settings", { intent: "expiry", alertDays: "14", runHour: "24" }),
      params: {},
      context: {},
    });
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/run hour must be a whole hour from 0 to 23, got "24"/) });
    expect(await shopRow(shop.id)).toEqual({ expiry_alert_days: 30, expiry_run_hour: 6 });
    const good = await settingsAction({
      request: adminPost(shop.domain, "/app/settings", { intent: "expiry", alertDays: "14", runHour: "5" }),
      params: {},
      context: {},
    });
    expect(good.ok).toBe(true);
    expect(await shopRow(shop.id)).toEqual({ expiry_alert_days: 14, expiry_run_hour: 5 });
  });

  it("the CLI sets a product's own window, which the next run uses; another shop's product is not found", async () => {
    const shop = await createTestShop("expiry-cli", { ianaTimezone: "UTC" });
    const other = await createTestShop("expiry-other");
    const locationId = await createLocation(shop.id);
    const variantId = await createVariant(shop.id);
    const productId = (await pool().query<{ product_id: string }>("select product_id::text from variants where shop_id = $1 and id = $2", [shop.id, variantId]))
      .rows[0]!.product_id;
    await createLot(shop.id, { variantId, lotNumber: "SLOW", expiresOn: "2027-02-15", quantity: 3, locationId });
    const now = new Date("2026-12-04T12:00:00Z");
    expect((await runExpiryDay(shop.id, { now, dryRun: true })).steps.alerts).toMatchObject({ count: 0 });

    const set = await cliJson<{ alertDays: number; variants: number }>([
      "expiry",
      "settings",
      "--shop",
      shop.domain,
      "--product",
      productId,
      "--alert-days",
      "90",
    ]);
    expect(set).toMatchObject({ alertDays: 30, variants: 1 });
    expect((await runExpiryDay(shop.id, { now, dryRun: true })).steps.alerts).toMatchObject({ count: 1, lots: [{ lotNumber: "SLOW", daysLeft: 73 }] });

    const notTheirs = await runCli(["expiry", "settings", "--shop", other.domain, "--product", productId, "--alert-days", "90"]);
    expect(String((notTheirs.error as Error).message)).toMatch(`product ${productId} is not known to this shop`);
    expect(await cliJson(["expiry", "settings", "--shop", shop.domain, "--alert-days", "7", "--run-hour", "4"])).toMatchObject({ alertDays: 7, runHour: 4 });
    const refused = await runCli(["expiry", "settings", "--shop", shop.domain, "--alert-days", "-1"]);
    expect(String((refused.error as Error).message)).toMatch(/whole days from 0 to 3650/);
    expect(await shopRow(shop.id)).toEqual({ expiry_alert_days: 7, expiry_run_hour: 4 });
  });
});
