// "Run mock recall" in a real browser (Debian's Chromium) against the real preview server: the
// drill runs, says every unit is accounted for, lists the dated report with its PDF, and leaves
// the lot, Shopify's queue and the customers exactly as they were (decision 106).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, pool } from "../../app/db.server";
import { resetEnvForTests } from "../../app/env.server";
import { resetSimulatedStore, seedSimulatedStore } from "../../app/preview/shopify-simulator.server";
import { simulatorCatalog } from "../../app/demo/store";
import { uniqueShopDomain } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { openRecall } from "../../app/domain/recall/recall-case.server";
import { openBrowser, type BrowserSession } from "./helpers/browser";
import { previewEnvironmentOfRun, startPreview, type RunningPreview } from "./helpers/preview";

const PREVIEW_ENV = previewEnvironmentOfRun();
const RUN_DATABASE_URL = process.env.DATABASE_URL!;

async function useDatabase(url: string): Promise<void> {
  await closeDb(); // e2e files share one process: the next pool() opens on `url`
  process.env.DATABASE_URL = url;
  resetEnvForTests();
}

describe("mock recall in the panel", () => {
  const shop = uniqueShopDomain("drill");
  let preview: RunningPreview;
  let browser: BrowserSession;
  let shopId: number;

  const footprint = async () =>
    (
      await pool().query(
        `select (select count(*)::int from outbox_entries where shop_id = $1) as outbox,
                (select count(*)::int from recalls where shop_id = $1) as recalls,
                (select string_agg(status::text, ',') from lots where shop_id = $1) as statuses,
                (select sum(quantity)::int from lot_balances where shop_id = $1 and not quarantined) as sellable`,
        [shopId],
      )
    ).rows[0];

  beforeAll(async () => {
    await useDatabase(PREVIEW_ENV.DATABASE_URL);
    await resetSimulatedStore(shop);
    await seedSimulatedStore(shop, simulatorCatalog());
    preview = await startPreview(shop);
    shopId = (await pool().query<{ id: number }>("select id from shops where domain = $1", [shop])).rows[0]!.id;
    const variant = await createVariant(shopId, { sku: "JAM-1" });
    const location = await createLocation(shopId, { name: "Berlin" });
    const lotId = await createLot(shopId, { variantId: variant, lotNumber: "JAM-DRILL-1", quantity: 20, locationId: location, supplier: "Obsthof" });
    await shipToCustomer(shopId, { customerId: newId(), customerName: "Anna", variantId: variant, lotId, locationId: location, quantity: 3 });
    await shipToCustomer(shopId, { email: "ben@example.com", customerEmail: "ben@example.com", variantId: variant, lotId, locationId: location, quantity: 2 });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await preview?.stop();
    await resetSimulatedStore(shop);
    await useDatabase(RUN_DATABASE_URL);
  });

  it("runs the drill from the Recalls page and changes nothing", async () => {
    const before = await footprint();
    expect(before).toEqual({ outbox: 0, recalls: 0, statuses: "ACTIVE", sellable: 15 });
    const { page } = browser;
    await page.goto(`${preview.url}/preview`);
    await page.getByRole("heading", { name: "Home" }).waitFor();
    await page.getByRole("link", { name: "Recalls" }).first().click();
    await page.getByRole("heading", { name: "Mock recall drills" }).waitFor();
    await page.getByText("No drill yet.").waitFor();
    await page.getByLabel("Lot number").fill("JAM-DRILL-1");
    await page.getByRole("button", { name: "Run mock recall" }).click();
    await page.getByText("Mock recall done").waitFor();
    await page
      .getByText(/Mock recall of JAM-DRILL-1: 1 lot\(s\), 2 customer\(s\), \d+ ms; every unit accounted for\. Nothing was changed\./)
      .first()
      .waitFor();
    // The list reloads with the dated report and its PDF.
    await page.getByText("Balanced").waitFor();
    await page.getByRole("button", { name: "PDF" }).waitFor();
    await browser.screenshot("mock-recall");
    expect(await footprint()).toEqual(before);
    const drills = await pool().query("select lot_number, (report->'massBalance'->>'unexplained')::int as unexplained from recall_drills where shop_id = $1", [
      shopId,
    ]);
    expect(drills.rows).toEqual([{ lot_number: "JAM-DRILL-1", unexplained: 0 }]);
    expect(browser.pageErrors).toEqual([]);
  });

  it("shows a recall's mass balance and measures it against the effectiveness level chosen", async () => {
    // The variant has no Shopify inventory item: opening the case queues no Shopify change.
    const recall = await openRecall(shopId, { lots: [{ lotNumber: "JAM-DRILL-1" }], reason: "Glass splinters", severity: "CLASS_I", reference: "JAM-R1" });
    const { page } = browser;
    await page.getByRole("link", { name: "Recalls" }).first().click();
    await page.getByRole("link", { name: recall.reference }).click();
    await page.getByRole("heading", { name: "Effectiveness" }).waitFor();
    await page.getByText("No level chosen").waitFor();
    await page.getByText("Every unit accounted for", { exact: true }).waitFor();
    await page.getByLabel("Effectiveness-check level").selectOption("B");
    await page.getByLabel("Share of consignees (%)").fill("50");
    await page.getByRole("button", { name: "Save level" }).click();
    await page.getByText("FDA effectiveness-check level B (50% of consignees).").waitFor();
    await page.getByText("Customers reached: 0 of 2 (0%), target 50%.").waitFor();
    await page.getByText("Below target").waitFor();
    await browser.screenshot("recall-effectiveness");
    const saved = await pool().query("select effectiveness_level, effectiveness_percent from recalls where id = $1", [recall.id]);
    expect(saved.rows).toEqual([{ effectiveness_level: "B", effectiveness_percent: 50 }]);
    expect(browser.pageErrors).toEqual([]);
  });
});
