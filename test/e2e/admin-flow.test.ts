// The admin panel in a real browser (Debian's Chromium), against the real preview server and the
// real worker: receive a lot by scanning a GS1 string, find it in the list, ship it to customers
// (signed webhooks through /webhooks), open a recall, see exactly those customers, download the
// CSV and check its rows; and another shop's lot cannot be opened by URL.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, pool } from "../../app/db.server";
import { resetEnvForTests } from "../../app/env.server";
import { resetSimulatedStore, seedSimulatedStore } from "../../app/preview/shopify-simulator.server";
import { LOCATIONS, locationPayloads, productPayloads, simulatorCatalog } from "../../app/demo/store";
import { fulfilment, order, orderPayload } from "../../app/demo/day";
import { deliverWebhook } from "../../app/demo/webhook-delivery";
import { createTestShop, uniqueShopDomain } from "../helpers/shops";
import { openBrowser, type BrowserSession } from "./helpers/browser";
import { previewEnvironmentOfRun, startPreview, type RunningPreview } from "./helpers/preview";
import { startWorker, waitUntil } from "./helpers/worker";

// The preview runs on its own database, queue prefix and secret (app/preview/isolation.ts): this
// file's queries, simulated store and signed webhooks use them too (from beforeAll to afterAll).
const PREVIEW_ENV = previewEnvironmentOfRun();
const RUN_DATABASE_URL = process.env.DATABASE_URL!;
const SECRET = PREVIEW_ENV.SHOPIFY_API_SECRET;

async function useDatabase(url: string): Promise<void> {
  await closeDb(); // e2e files share one process: the next pool() opens on `url`
  process.env.DATABASE_URL = url;
  resetEnvForTests();
}
const LOT = "GRN-E2E-1";
const SCAN = `(01)04012345000023(17)271231(10)${LOT}`; // Honey granola 400 g, expires 2027-12-31
const BERLIN = LOCATIONS[0].id;

/** Parses the export (RFC 4180: quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") endField();
    else if (c === "\n") {
      endField();
      rows.push(row);
      row = [];
    } else if (c !== "\r") field += c;
  }
  if (field || row.length) {
    endField();
    rows.push(row);
  }
  const [header, ...data] = rows;
  return data.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ""])));
}

describe("admin panel", () => {
  const shop = uniqueShopDomain("flow");
  let preview: RunningPreview;
  let worker: ReturnType<typeof startWorker>;
  let browser: BrowserSession;
  let shopId: number;

  const deliver = async (topic: string, body: unknown) => {
    const response = await deliverWebhook({ baseUrl: preview.url, shop, secret: SECRET, topic, raw: JSON.stringify(body) });
    expect(response.status).toBe(200);
  };
  const count = async (sql: string) => Number((await pool().query(sql, [shopId])).rows[0].n);

  beforeAll(async () => {
    await useDatabase(PREVIEW_ENV.DATABASE_URL);
    await resetSimulatedStore(shop);
    await seedSimulatedStore(shop, simulatorCatalog());
    preview = await startPreview(shop);
    expect(preview.queuePrefix).toBe(PREVIEW_ENV.QUEUE_PREFIX);
    worker = startWorker({ ...PREVIEW_ENV, NODE_ENV: "test" });
    shopId = (await pool().query<{ id: number }>("select id from shops where domain = $1", [shop])).rows[0]!.id;
    const now = new Date();
    for (const body of locationPayloads(now)) await deliver("locations/create", body);
    for (const body of productPayloads(now)) await deliver("products/create", body);
    await waitUntil(
      "the catalog from webhooks",
      async () =>
        (await count("select count(*) as n from variants where shop_id = $1")) === 6 &&
        (await count("select count(*) as n from locations where shop_id = $1")) === 3,
    );
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await preview?.stop();
    await resetSimulatedStore(shop);
    await useDatabase(RUN_DATABASE_URL);
  });

  it("receives a lot by scanning a GS1 string", async () => {
    const { page } = browser;
    await page.goto(`${preview.url}/preview`);
    await page.getByRole("heading", { name: "Home" }).waitFor();
    await browser.screenshot("home");
    await page.getByRole("link", { name: "Receive" }).first().click();
    await page.getByRole("heading", { name: "Receive", exact: true }).waitFor();
    // An empty form is refused in the form's words (not the CLI's field names) and receives nothing.
    await page.getByRole("button", { name: "Receive", exact: true }).click();
    await page.getByText("Not received: Product: is required; Quantity: is required").first().waitFor();
    expect(await count("select count(*) as n from lots where shop_id = $1")).toBe(0);
    await page.getByLabel("Scan a GS1 barcode").fill(SCAN);
    await page.getByLabel("Scan a GS1 barcode").press("Enter");
    await page.getByText(`Read GTIN 04012345000023, lot ${LOT}, expires 2027-12-31 · Honey granola 400 g (GRAN-400)`).waitFor();
    expect(await page.getByLabel("Lot number").inputValue()).toBe(LOT);
    expect(await page.getByLabel("Expiry date").inputValue()).toBe("2027-12-31");
    await page.getByLabel("Quantity").fill("30");
    await page.getByLabel("Location").selectOption({ label: "Berlin warehouse" });
    await page.getByLabel("Supplier", { exact: true }).fill("Kornkammer");
    await page.getByRole("button", { name: "Receive", exact: true }).click();
    await page.getByText(`Received 30 units into lot ${LOT} at Berlin warehouse (new lot)`).first().waitFor();
    // A second click cannot receive the units twice. The field is cleared by an effect after the
    // result renders: poll, the text can be on screen a frame before.
    await expect.poll(() => page.getByLabel("Quantity").inputValue(), { timeout: 10_000 }).toBe("");
    await browser.screenshot("receive");
    const lot = await pool().query(
      "select l.expires_on, b.quantity from lots l join lot_balances b on b.lot_id = l.id where l.shop_id = $1 and l.lot_number = $2",
      [shopId, LOT],
    );
    expect(lot.rows).toEqual([{ expires_on: "2027-12-31", quantity: 30 }]);
  });

  it("fills the product from a bare EAN-13, as a handheld sends a retail barcode", async () => {
    const { page } = browser;
    await page.getByLabel("Scan a GS1 barcode").fill("4006381333931");
    await page.getByLabel("Scan a GS1 barcode").press("Enter");
    await page.getByText("Read EAN-13 4006381333931 (GTIN 04006381333931) · Organic oat milk 1 L (OAT-1L)").waitFor();
    expect(await page.getByLabel("Variant").inputValue()).toBe("47100000000001");
    // A mistyped check digit is refused in words and leaves the product as it was.
    await page.getByLabel("Scan a GS1 barcode").fill("4006381333932");
    await page.getByLabel("Scan a GS1 barcode").press("Enter");
    await page.getByText("Barcode not read: 4006381333932 read as an EAN-13 barcode has check digit 2, expected 1").waitFor();
    expect(await page.getByLabel("Variant").inputValue()).toBe("47100000000001");
  });

  it("finds the lot by scanning the same barcode in the list", async () => {
    const { page } = browser;
    await page.getByRole("link", { name: "Lots" }).first().click();
    await page.getByRole("heading", { name: "Lots", exact: true }).waitFor();
    await page.getByLabel("Search or scan").fill(SCAN);
    await page.getByLabel("Search or scan").press("Enter");
    await page.getByText("Scanned GS1 barcode").waitFor();
    const links = page.locator("a[data-lot-number]");
    await expect.poll(() => links.allTextContents()).toEqual([LOT]);
    await browser.screenshot("lots");
  });

  it("opens a recall listing exactly the customers who received the lot, and exports them as CSV", async () => {
    const { page } = browser;
    // The lot ships: three customers get granola (one a guest), one buys only oat milk.
    const at = new Date(Date.now() - 3600_000);
    const anna = order(41, "anna", [["GRAN-400", 2]]);
    const ben = order(42, "ben", [["GRAN-400", 1]]);
    const eva = order(43, "eva", [["GRAN-400", 3]]);
    const felix = order(44, "felix", [["OAT-1L", 1]]);
    for (const o of [anna, ben, eva, felix]) {
      await deliver("orders/create", orderPayload(o, at));
      await deliver("fulfillments/create", fulfilment(o, 1, BERLIN, [[0, o.lines[0]!.quantity]], at));
    }
    await waitUntil(
      "allocations",
      async () =>
        (await count("select count(*) as n from allocations where shop_id = $1")) === 4 &&
        (await count("select count(*) as n from webhook_events where shop_domain = (select domain from shops where id = $1) and status = 'PENDING'")) === 0,
    );

    await page.locator("a[data-lot-number]").first().click();
    await page.getByRole("heading", { name: `Lot ${LOT}` }).waitFor();
    await page.getByText("Anna Schmidt").waitFor();
    // Each customer's order opens on Trace.
    expect(await page.getByRole("link", { name: anna.name, exact: true }).getAttribute("href")).toBe(`/app/trace?q=${encodeURIComponent(anna.name)}&by=order`);
    await browser.screenshot("lot");
    // Removing more units than the lot has is refused in words, by lot number, and changes nothing.
    await page.getByLabel("Units (+ or -)").fill("-99");
    await page.getByRole("button", { name: "Adjust", exact: true }).click();
    await page.getByText(`Units: cannot remove that many units: lot ${LOT} has 24 at this location`).first().waitFor();
    await page.getByText("Not done: nothing changed").waitFor();
    expect(
      (await pool().query("select b.quantity from lot_balances b join lots l on l.id = b.lot_id where l.shop_id = $1 and l.lot_number = $2", [shopId, LOT]))
        .rows,
    ).toEqual([{ quantity: 24 }]);
    // Releasing a lot that is not quarantined says there was nothing to release (not "0 units available again").
    await page.getByLabel("Action").selectOption("release");
    await page.getByRole("button", { name: "Release", exact: true }).click();
    await page.getByText(`Nothing to release: ${LOT} had no quarantined units at that location (it is active)`).first().waitFor();

    await page.getByRole("link", { name: "Open recall" }).click();
    await page.getByRole("heading", { name: "Open recall" }).waitFor();
    expect(await page.getByLabel("Lot number(s)").inputValue()).toBe(LOT);
    await page.getByLabel("Reason").fill("Supplier reports foreign bodies in batch");
    await page.getByRole("button", { name: "Open recall" }).click();
    await page.getByText("Recall opened").waitFor();
    const names = await page.locator("[data-recall-customer]").allTextContents();
    expect(names.sort()).toEqual(["Anna Schmidt", "Ben Müller", "Eva Wagner"]);
    await browser.screenshot("recall");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^recall-R-.*\.csv$/);
    const rows = parseCsv(readFileSync((await download.path())!, "utf8"));
    expect(rows.map((r) => [r.recipient_name, r.recipient_email, r.quantity, r.lot_code, r.ship_from_location_name]).sort()).toEqual([
      ["Anna Schmidt", "anna.schmidt@example.com", "2", LOT, "Berlin warehouse"],
      ["Ben Müller", "ben.mueller@example.com", "1", LOT, "Berlin warehouse"],
      ["Eva Wagner", "eva.wagner@example.com", "3", LOT, "Berlin warehouse"],
    ]);
    expect(new Set(rows.map((r) => r.gtin))).toEqual(new Set(["04012345000023"]));
    expect(new Set(rows.map((r) => r.expiry_date))).toEqual(new Set(["2027-12-31"]));
    expect(new Set(rows.map((r) => r.lot_supplier))).toEqual(new Set(["Kornkammer"]));
    expect(rows.map((r) => r.order_name).sort()).toEqual([anna.name, ben.name, eva.name]);

    // The FSMA 204 sheet FDA may ask for: the receipt into the warehouse and each shipment with its recipient.
    const [fsma] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download FSMA 204 sheet" }).click()]);
    expect(fsma.suggestedFilename()).toMatch(/^recall-R-.*\.fsma204\.csv$/);
    const events = parseCsv(readFileSync((await fsma.path())!, "utf8"));
    expect(events.find((r) => r["Critical Tracking Event"] === "Receiving")).toMatchObject({
      "Critical Tracking Event": "Receiving",
      "Traceability Lot Code": LOT,
      "Ship-To Location Description": "Berlin warehouse",
    });
    const shipped = events.filter((r) => r["Critical Tracking Event"] === "Shipping");
    expect(shipped.map((r) => r["Ship-To Location Description"]!.split(",")[0]).sort()).toEqual(["Anna Schmidt", "Ben Müller", "Eva Wagner"]);
    expect(new Set(shipped.map((r) => r["Ship-From Location Description"]))).toEqual(new Set(["Berlin warehouse"]));

    // Closing asks first; only the second click closes it, and the page says so.
    const recallStatus = async () => (await pool().query("select status from recalls where shop_id = $1", [shopId])).rows.map((r) => r.status);
    await page.getByRole("button", { name: "Close recall" }).click();
    await page.getByText(/^Close recall R-.*\?$/).waitFor();
    expect(await recallStatus()).toEqual(["OPEN"]);
    await page.getByRole("button", { name: "Yes, close recall" }).click();
    await page.getByText("Recall closed", { exact: true }).waitFor();
    expect(await recallStatus()).toEqual(["CLOSED"]);

    // The remaining 24 units are quarantined: the lot page says so.
    await page.getByRole("link", { name: LOT }).first().click();
    await page.getByRole("heading", { name: `Lot ${LOT}` }).waitFor();
    await page.getByText("Recalled").first().waitFor();
    const balance = await pool().query(
      "select quantity, quarantined from lot_balances b join lots l on l.id = b.lot_id where l.shop_id = $1 and l.lot_number = $2",
      [shopId, LOT],
    );
    expect(balance.rows).toEqual([{ quantity: 24, quarantined: true }]);

    // Typing an already recalled lot into a new recall says so before anything is opened.
    await page.getByRole("link", { name: "Recalls" }).first().click();
    await page.getByRole("link", { name: "Open recall" }).click();
    await page.getByLabel("Lot number(s)").fill(LOT);
    await page.getByLabel("Lot number(s)").press("Tab");
    await page.getByText(`Already recalled: ${LOT}. Another recall covers it too;`).waitFor();
  });

  it("assigns units shipped without a lot to the lot they came from (review)", async () => {
    const { page } = browser;
    // Felix's oat milk shipped before any oat milk lot existed: it sits on the unknown-lot record.
    await page.getByRole("link", { name: "Receive" }).first().click();
    await page.getByLabel("Scan a GS1 barcode").fill("(01)04006381333931(10)OAT-E2E");
    await page.getByLabel("Scan a GS1 barcode").press("Enter");
    await page.getByText("Organic oat milk 1 L (OAT-1L)").first().waitFor();
    await page.getByLabel("Quantity").fill("10");
    await page.getByRole("button", { name: "Receive", exact: true }).click();
    await page.getByText("Received 10 units into lot OAT-E2E at Berlin warehouse (new lot)").first().waitFor();

    await page.getByRole("link", { name: "Review" }).first().click();
    await page.getByRole("heading", { name: "Review", exact: true }).waitFor();
    const row = page.getByRole("row").filter({ hasText: "#1044" });
    await row.getByText("No lot had units").waitFor();
    await browser.screenshot("review");
    // A bad number of units is refused next to the row; nothing is assigned.
    await row.getByLabel("Units").fill("0");
    await row.getByRole("button", { name: "Assign" }).click();
    await row.getByText("Not assigned: Units must be a whole number above 0").waitFor();
    await row.getByLabel("Units").fill("");
    await row.getByRole("button", { name: "Assign" }).click();
    await page.getByText("1 unit assigned to OAT-E2E").first().waitFor();
    await page.getByText("Every shipped unit has its lot").waitFor();
    const moved = await pool().query(
      `select l.lot_number, a.quantity, a.unknown_lot, b.quantity as lot_balance from allocations a join lots l on l.id = a.lot_id
         join lot_balances b on b.lot_id = l.id where a.shop_id = $1 and a.order_id = 6100000000044 and a.status = 'ALLOCATED'`,
      [shopId],
    );
    expect(moved.rows).toEqual([{ lot_number: "OAT-E2E", quantity: 1, unknown_lot: false, lot_balance: 9 }]);
  });

  it("moves a shipment to the lot it really came from (order view of Trace)", async () => {
    const { page } = browser;
    // Felix's unit was assigned to OAT-E2E; the picker's scan says it came from OAT-E2E-2.
    await page.getByRole("link", { name: "Receive" }).first().click();
    await page.getByLabel("Scan a GS1 barcode").fill("(01)04006381333931(10)OAT-E2E-2");
    await page.getByLabel("Scan a GS1 barcode").press("Enter");
    await page.getByText("Organic oat milk 1 L (OAT-1L)").first().waitFor();
    await page.getByLabel("Quantity").fill("5");
    await page.getByRole("button", { name: "Receive", exact: true }).click();
    await page.getByText("Received 5 units into lot OAT-E2E-2 at Berlin warehouse (new lot)").first().waitFor();

    await page.getByRole("link", { name: "Trace" }).first().click();
    await page.getByLabel("Order, customer email or lot").fill("#1044");
    await page.getByRole("button", { name: "Trace" }).click();
    const row = page.getByRole("row").filter({ hasText: "OAT-E2E" });
    await row.getByRole("button", { name: "Move to another lot" }).click();
    await row.getByRole("button", { name: "Move", exact: true }).click();
    await page.getByText("Moved 1 unit from OAT-E2E to OAT-E2E-2").first().waitFor();
    await page.getByRole("table").getByRole("link", { name: "OAT-E2E-2", exact: true }).waitFor();
    await browser.screenshot("trace-move");
    const state = await pool().query(
      `select l.lot_number, b.quantity from lots l join lot_balances b on b.lot_id = l.id where l.shop_id = $1 and l.lot_number like 'OAT-E2E%' order by 1`,
      [shopId],
    );
    expect(state.rows).toEqual([
      { lot_number: "OAT-E2E", quantity: 10 },
      { lot_number: "OAT-E2E-2", quantity: 4 },
    ]);
  });

  it("shows the other pages (trace, recalls, tasks, settings)", async () => {
    const { page } = browser;
    // A lot reconciliation created reads "Incomplete" in the list, as on its page (not "Active" beside it).
    await pool().query(
      "insert into lots (shop_id, variant_id, lot_number, incomplete, updated_at) values ($1, (select id from variants where shop_id = $1 and sku = 'D3-10'), 'UNLOTTED-E2E', true, now())",
      [shopId],
    );
    await page.getByRole("link", { name: "Lots" }).first().click();
    await page.getByLabel("Search or scan").fill("UNLOTTED-E2E");
    await page.getByLabel("Search or scan").press("Enter");
    const incomplete = page.getByRole("row").filter({ hasText: "UNLOTTED-E2E" });
    await incomplete.getByText("Incomplete", { exact: true }).waitFor();
    expect(await incomplete.getByText("Active", { exact: true }).count()).toBe(0);
    await page.getByRole("link", { name: "Trace" }).first().click();
    await page.getByLabel("Order, customer email or lot").fill("anna.schmidt@example.com");
    await page.getByRole("button", { name: "Trace" }).click();
    await page.getByText("Lots received by anna.schmidt@example.com (1 order)").waitFor();
    await page.getByRole("link", { name: LOT }).first().waitFor();
    await browser.screenshot("trace");
    // Her order opens the order's own trace, and the search field follows.
    await page.getByRole("link", { name: "#1041", exact: true }).click();
    await page.getByRole("heading", { name: "Order #1041" }).waitFor();
    // (set by an effect once the order's trace has rendered: poll)
    await expect.poll(() => page.getByLabel("Order, customer email or lot").inputValue(), { timeout: 10_000 }).toBe("#1041");
    for (const [link, heading] of [
      ["Recalls", "Recalls"],
      ["Tasks", "Tasks"],
      ["Settings", "Settings"],
    ] as const) {
      await page.getByRole("link", { name: link }).first().click();
      await page.getByRole("heading", { name: heading, exact: true }).waitFor();
      await browser.screenshot(link.toLowerCase());
    }
    // A product's strategy names the shop's default it falls back to.
    expect(
      await page
        .getByLabel(/^Strategy for /)
        .first()
        .locator("option")
        .allTextContents(),
    ).toEqual(["Shop default (FEFO)", "FEFO", "FIFO", "LIFO", "Manual"]);
    // A failed delivery is retried from Tasks (the cause is gone: its payload is fine).
    const failedId = `${shop}-failed-location`;
    await pool().query(
      `insert into webhook_events (webhook_id, shop_domain, topic, payload, status, attempts, last_error)
       values ($1, $2, 'locations/update', $3::jsonb, 'FAILED', 1, 'InvalidPayloadError: location has no name')`,
      [failedId, shop, JSON.stringify(locationPayloads(new Date())[0])],
    );
    await page.getByRole("link", { name: "Tasks" }).first().click();
    const failedRow = page.getByRole("row").filter({ hasText: failedId });
    await failedRow.getByText("Shopify sent data the app cannot use: location has no name").waitFor();
    await failedRow.getByRole("button", { name: "Retry" }).click();
    await page.getByText("Retrying the locations/update delivery: it is queued again and leaves this list once processed").first().waitFor();
    await waitUntil(
      "the retried delivery",
      async () => (await pool().query("select status from webhook_events where webhook_id = $1", [failedId])).rows[0]?.status === "PROCESSED",
    );
    expect(browser.externalRequests).toEqual([]);
  });

  it("checks a CSV with a dry run listing every bad row, importing nothing", async () => {
    const { page } = browser;
    const csvLots = async () => count("select count(*) as n from lots where shop_id = $1 and lot_number like 'CSV-E2E-%'");
    await page.getByRole("link", { name: "Receive" }).first().click();
    await page.getByRole("heading", { name: "Receive", exact: true }).waitFor();
    const header = "sku,lot_number,quantity,location_id,expires_on";
    const good = `GRAN-400,CSV-E2E-1,3,${BERLIN},2028-06-30`;
    const bad = [header, good, `NOPE,CSV-E2E-2,1,${BERLIN},`, `GRAN-400,CSV-E2E-3,-2,${BERLIN},2027-13-40`].join("\n");
    await page.locator("input[type=file]").setInputFiles({ name: "lots.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    await page.getByRole("button", { name: "Check file" }).click();
    await page.getByText("3 problems found: nothing would be imported").first().waitFor();
    await page.getByText('no variant with SKU "NOPE" is known; use variant_id').waitFor();
    await page.getByText('"2027-13-40" is not a real date: there is no month 13').waitFor();
    await browser.screenshot("receive-csv-problems");
    expect(await csvLots()).toBe(0);

    // The corrected file passes the check, still importing nothing. (The import itself runs on the
    // maintenance queue, which this file's worker does not serve: test/integration/lots-import-task.)
    await page.locator("input[type=file]").setInputFiles({ name: "lots.csv", mimeType: "text/csv", buffer: Buffer.from([header, good].join("\n")) });
    await page.getByRole("button", { name: "Check file" }).click();
    await page.getByText("Dry run: 1 row is valid (3 units, 1 new lot). Nothing imported yet.").first().waitFor();
    expect(await csvLots()).toBe(0);
  });

  it("shows stock by expiry: a chart per bucket, the table, and the same figures as CSV", async () => {
    const { page } = browser;
    const granola = await pool().query<{ units: number }>(
      `select coalesce(sum(b.quantity), 0)::int as units from lot_balances b join lots l on l.id = b.lot_id
        where l.shop_id = $1 and l.lot_number = $2`,
      [shopId, LOT],
    );
    const units = granola.rows[0]!.units;
    expect(units).toBeGreaterThan(0);
    await page.getByRole("link", { name: "Reports" }).first().click();
    await page.getByRole("link", { name: "Stock by expiry" }).click();
    await page.getByRole("heading", { name: "Stock by expiry", exact: true }).waitFor();
    // The granola expires 2027-12-31: more than 180 days away, in "later", the only dated stock there.
    await page.getByRole("img", { name: /Stock by expiry: Units/ }).waitFor();
    expect(await page.locator('[data-bar="later"] text').first().textContent()).toBe(String(units));
    const row = page.getByRole("row").filter({ hasText: "Honey granola 400 g" }).filter({ hasText: "later" });
    await row.getByText(String(units), { exact: true }).first().waitFor();
    await browser.screenshot("report-expiry");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toBe("expiry-report.csv");
    const csv = parseCsv(readFileSync((await download.path())!, "utf8"));
    expect(csv.filter((r) => r["Days left"] === "later" && r.Product === "Honey granola 400 g").map((r) => Number(r.Units))).toEqual([units]);
  });

  it("cannot open another shop's lot or recall by URL", async () => {
    const { page } = browser;
    const other = await createTestShop("other");
    const lot = await pool().query<{ id: bigint }>(
      "insert into lots (shop_id, variant_id, lot_number, updated_at) values ($1, 47100000000003, 'SECRET-LOT-9', now()) returning id",
      [other.id],
    );
    const recall = await pool().query<{ id: bigint }>(
      "insert into recalls (shop_id, reference, reason, severity) values ($1, 'R-OTHER-1', 'their recall', 'CLASS_I') returning id",
      [other.id],
    );
    await page.goto(`${preview.url}/app/lots/${lot.rows[0]!.id}`);
    await page.getByRole("heading", { name: "Not found", level: 1 }).waitFor();
    expect(await page.content()).not.toContain("SECRET-LOT-9");
    await page.goto(`${preview.url}/app/recalls/${recall.rows[0]!.id}`);
    await page.getByRole("heading", { name: "Not found", level: 1 }).waitFor();
    expect(await page.content()).not.toContain("their recall");
    const exportStatus = await page.evaluate(async (id) => (await fetch(`/app/recalls/${id}/export?format=csv`)).status, recall.rows[0]!.id.toString());
    expect(exportStatus).toBe(404);
    await browser.screenshot("not-found");
  });
});
