// Report "Stock by expiry" (app/domain/reports/expiry-report.server.ts): buckets counted from the
// shop's day, value at cost in the shop's currency, one location, CSV, and one shop only.
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { runReport } from "../../app/domain/reports/run-report.server";
import { addDays, dayIn } from "../../app/domain/shops/shop-day";
import { loader as exportLoader } from "../../app/routes/app.reports.$name.export";
import { loader as reportLoader } from "../../app/routes/app.reports.$name";
import { adminGet, statusOf } from "../helpers/admin-requests";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant } from "../helpers/factories";
import { cliJson, cliOutput } from "../helpers/cli";

// The CLI counts from the real today, so the lots are dated from it: TODAY is the day in Auckland.
const NOW = new Date();
const TODAY = dayIn("Pacific/Auckland", NOW);
const inDays = (n: number) => addDays(TODAY, n);

async function stockedShop() {
  const shop = await createTestShop("report", { ianaTimezone: "Pacific/Auckland", currency: "NZD" });
  const main = await createLocation(shop.id, { name: "Main" });
  const annex = await createLocation(shop.id, { name: "Annex" });
  const soap = await createVariant(shop.id, { productTitle: "Soap" });
  const tea = await createVariant(shop.id, { productTitle: "Tea" });
  const lot = async (variantId: bigint, lotNumber: string, expiresOn: string | null, quantity: number, locationId: bigint, unitCost: string | null) => {
    const id = await createLot(shop.id, { variantId, lotNumber, expiresOn, quantity, locationId });
    await pool().query("update lots set unit_cost = $2 where id = $1", [id, unitCost]);
  };
  await lot(soap, "S-OLD", inDays(-1), 2, main, "1.50"); // expired yesterday in Auckland
  await lot(soap, "S-NOW", inDays(0), 3, main, "1.50"); // 0 days left: 0-30
  await lot(soap, "S-35", inDays(35), 4, annex, "2.25"); // 31-60
  await lot(tea, "T-90", inDays(90), 5, main, null); // 61-90, no cost
  await lot(tea, "T-91", inDays(91), 6, main, "0.10"); // 91-180
  await lot(tea, "T-200", inDays(200), 7, annex, "1.00"); // later
  await lot(tea, "T-NONE", null, 8, main, "3.00");
  await lot(tea, "T-EMPTY", inDays(20), 0, main, "9.99");
  return { shop, main, annex };
}

type Bucket = { bucket: string; lots: number; units: number; value: string; currency: string | null; unitsWithoutCost: number };

describe("report: stock by expiry", () => {
  it("puts every unit on hand in its bucket from the shop's day, with its value at cost", async () => {
    const { shop } = await stockedShop();
    const { result } = await runReport(shop.id, "expiry", { extra: {} }, NOW);
    expect(result.json.today).toBe(TODAY);
    expect(result.json.buckets).toEqual([
      { bucket: "expired", lots: 1, units: 2, value: "3.00", currency: "NZD", unitsWithoutCost: 0 },
      { bucket: "0-30", lots: 1, units: 3, value: "4.50", currency: "NZD", unitsWithoutCost: 0 },
      { bucket: "31-60", lots: 1, units: 4, value: "9.00", currency: "NZD", unitsWithoutCost: 0 },
      { bucket: "61-90", lots: 1, units: 5, value: "0.00", currency: "NZD", unitsWithoutCost: 5 },
      { bucket: "91-180", lots: 1, units: 6, value: "0.60", currency: "NZD", unitsWithoutCost: 0 },
      { bucket: "later", lots: 1, units: 7, value: "7.00", currency: "NZD", unitsWithoutCost: 0 },
      { bucket: "none", lots: 1, units: 8, value: "24.00", currency: "NZD", unitsWithoutCost: 0 },
    ] satisfies Bucket[]);
    expect(result.rows.find((r) => r.bucket === "31-60")).toMatchObject({ product: "Soap - Default", location: "Annex", units: 4, value: "9.00" });
  });

  it("narrows to one location, prints as JSON and CSV, and never counts another shop's stock", async () => {
    const { shop, annex } = await stockedShop();
    await stockedShop(); // another shop with the same stock
    const annexOnly = await runReport(shop.id, "expiry", { locationId: annex, extra: {} }, NOW);
    expect((annexOnly.result.json.buckets as Bucket[]).filter((b) => b.units > 0).map((b) => [b.bucket, b.units])).toEqual([
      ["31-60", 4],
      ["later", 7],
    ]);
    const json = await cliJson<{
      buckets: Bucket[];
      lots: { lotNumber: string; bucket: string; daysLeft: number | null; units: number; value: string | null }[];
    }>(["reports", "expiry", "--shop", shop.domain]);
    expect(json.buckets.reduce((n, b) => n + b.units, 0)).toBe(35);
    expect(json.lots.map((l) => [l.lotNumber, l.bucket, l.daysLeft, l.units, l.value])).toEqual([
      ["S-OLD", "expired", -1, 2, "3.00"],
      ["S-NOW", "0-30", 0, 3, "4.50"],
      ["S-35", "31-60", 35, 4, "9.00"],
      ["T-90", "61-90", 90, 5, null],
      ["T-91", "91-180", 91, 6, "0.60"],
      ["T-200", "later", 200, 7, "7.00"],
      ["T-NONE", "none", null, 8, "24.00"],
    ]);
    const csv = await cliOutput(["reports", "expiry", "--shop", shop.domain, "--location", annex.toString(), "--format", "csv"]);
    expect(csv.trim().split("\n")).toHaveLength(3);
    expect(csv.split("\n")[0]).toBe("Days left,Product,Location,Lots,Units,Value at cost,Units without a cost");
  });

  it("the panel's page and CSV download answer for the session's shop; a bad location is a 400", async () => {
    const { shop, main } = await stockedShop();
    const page = await reportLoader({ request: adminGet(shop.domain, `/app/reports/expiry?location=${main}`), params: { name: "expiry" }, context: {} });
    expect(page.currency).toBe("NZD");
    expect(page.chartPoints.map((p) => p.bucket)).toEqual(["expired", "0-30", "31-60", "61-90", "91-180", "later", "none"]);
    const csv = (await exportLoader({ request: adminGet(shop.domain, "/app/reports/expiry/export"), params: { name: "expiry" }, context: {} })) as Response;
    expect(csv.headers.get("Content-Disposition")).toBe('attachment; filename="expiry-report.csv"');
    expect((await csv.text()).trim().split("\n")).toHaveLength(8);
    const bad = (await exportLoader({
      request: adminGet(shop.domain, "/app/reports/expiry/export?location=abc"),
      params: { name: "expiry" },
      context: {},
    })) as Response;
    expect(bad.status).toBe(400);
    expect(await statusOf(reportLoader({ request: adminGet(shop.domain, "/app/reports/nope"), params: { name: "nope" }, context: {} }))).toBe(400);
  });
});
