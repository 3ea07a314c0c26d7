// The admin UI extensions in Debian's Chromium: each block is bundled from extensions/<name>/src
// as the Shopify CLI does (esbuild), loaded into a page with the `shopify` global the admin gives
// it (data.selected), and its fetch of /api/extensions/* is answered by the app's real route
// loader with the shop's ID token added, as Shopify adds it. Asserts what the merchant reads.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { loader as orderLotsLoader } from "../../app/routes/api.extensions.order-lots";
import { loader as variantLotsLoader } from "../../app/routes/api.extensions.variant-lots";
import { loader as productLotsLoader } from "../../app/routes/api.extensions.product-lots";
import { createAllocation, createLocation, createLot, createOrder, createVariant } from "../helpers/factories";
import { adminHeaders } from "../helpers/session";
import { createTestShop } from "../helpers/shops";
import { openBrowser, type BrowserSession } from "./helpers/browser";
import { ROOT } from "./helpers/preview";

const bundles = new Map<string, string>();
let server: Server;
let origin: string;
let browser: BrowserSession;
/** The shop whose admin the block is shown in: its token goes on the block's fetch. */
let viewingShop = "";

async function bundle(name: string): Promise<string> {
  const result = await build({
    entryPoints: [path.join(ROOT, "extensions", name, "src", "BlockExtension.tsx")],
    bundle: true,
    format: "esm",
    target: "es2020",
    write: false,
    minify: true,
  });
  return result.outputFiles[0]!.text;
}

function blockPage(name: string, selectedId: string): string {
  return `<!doctype html><html><body><script>globalThis.shopify = { data: { selected: [{ id: ${JSON.stringify(selectedId)} }] } };</script>
<script type="module">import run from "/bundle/${name}.js"; run();</script></body></html>`;
}

beforeAll(async () => {
  bundles.set("order-lots", await bundle("order-lots"));
  bundles.set("variant-lots", await bundle("variant-lots"));
  bundles.set("product-lots", await bundle("product-lots"));
  server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const block = /^\/block\/([a-z-]+)$/.exec(url.pathname);
      if (block) {
        res.writeHead(200, { "Content-Type": "text/html" }).end(blockPage(block[1]!, url.searchParams.get("selected") ?? ""));
        return;
      }
      const script = /^\/bundle\/([a-z-]+)\.js$/.exec(url.pathname);
      if (script && bundles.has(script[1]!)) {
        res.writeHead(200, { "Content-Type": "text/javascript" }).end(bundles.get(script[1]!));
        return;
      }
      const loaders: Record<string, typeof orderLotsLoader> = {
        "/api/extensions/order-lots": orderLotsLoader,
        "/api/extensions/variant-lots": variantLotsLoader,
        "/api/extensions/product-lots": productLotsLoader,
      };
      const loader = loaders[url.pathname];
      if (!loader) {
        res.writeHead(404).end();
        return;
      }
      // What Shopify does for the block's fetch: the app URL, the ID token of the viewing shop.
      const request = new Request(`https://lotkeeper.test${url.pathname}${url.search}`, {
        headers: { ...adminHeaders(viewingShop), Origin: "https://extensions.shopifycdn.com" },
      });
      let response: Response;
      try {
        response = await loader({ request, params: {}, context: {} });
      } catch (thrown) {
        if (!(thrown instanceof Response)) throw thrown;
        response = thrown;
      }
      res.writeHead(response.status, { "Content-Type": response.headers.get("Content-Type") ?? "application/json" }).end(await response.text());
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

async function showBlock(name: string, shop: string, selected: string): Promise<string> {
  viewingShop = shop;
  browser.pageErrors.length = 0;
  await browser.page.goto(`${origin}/block/${name}?selected=${encodeURIComponent(selected)}`);
  await browser.page.waitForFunction(() => document.querySelector("s-admin-block s-spinner") === null && document.querySelector("s-admin-block") !== null);
  return (await browser.page.locator("s-admin-block").innerText()).replace(/\s+/g, " ");
}

describe("admin UI extensions in the browser", () => {
  it("order block: the lots each line item shipped from, and a way to resolve the unknown lot", async () => {
    const shop = await createTestShop("ext-e2e-order");
    const location = await createLocation(shop.id, { name: "Main warehouse" });
    const tea = await createVariant(shop.id, { sku: "TEA-E2E", productTitle: "Green tea" });
    const honey = await createVariant(shop.id, { sku: "HON-E2E", productTitle: "Honey" });
    const lotA = await createLot(shop.id, { variantId: tea, lotNumber: "L-2027-A", quantity: 10, locationId: location, expiresOn: "2027-03-01" });
    const order = await createOrder(shop.id, {
      name: "#2001",
      lines: [
        { variantId: tea, quantity: 3, title: "Green tea" },
        { variantId: honey, quantity: 1, title: "Honey" },
      ],
    });
    await createAllocation(shop.id, {
      orderId: order.id,
      lineItemId: order.lineIds[0]!,
      variantId: tea,
      lotId: lotA,
      locationId: location,
      quantity: 3,
      returnedQuantity: 1,
    });
    await createAllocation(shop.id, { orderId: order.id, lineItemId: order.lineIds[1]!, variantId: honey, lotId: null, locationId: location, quantity: 1 });

    const text = await showBlock("order-lots", shop.domain, `gid://shopify/Order/${order.id}`);
    expect(text).toContain("Green tea");
    expect(text).toContain("L-2027-A");
    expect(text).toContain("2027-03-01");
    const warning = browser.page.locator("s-banner[tone=warning]");
    expect(await warning.getAttribute("heading")).toBe("1 unit shipped without a known lot");
    expect(text).toContain("Unknown lot");
    const lotLink = browser.page.locator("s-link", { hasText: "L-2027-A" });
    expect(await lotLink.getAttribute("href")).toBe(`app:app/lots/${lotA}`);
    const resolve = browser.page.locator("s-link", { hasText: "Resolve in Lotkeeper" });
    expect(await resolve.count()).toBeGreaterThanOrEqual(1);
    expect(await resolve.first().getAttribute("href")).toBe("app:app/review");
    // Units and returned units of the lot row.
    const row = browser.page.locator("s-table-row", { hasText: "L-2027-A" });
    expect((await row.locator("s-table-cell").allInnerTexts()).map((t) => t.trim()).slice(1, 3)).toEqual(["3", "1"]);
    expect(browser.pageErrors).toEqual([]);
  });

  it("order block: another shop's order shows a notice and none of its lots", async () => {
    const theirs = await createTestShop("ext-e2e-theirs");
    const location = await createLocation(theirs.id);
    const variant = await createVariant(theirs.id);
    const lot = await createLot(theirs.id, { variantId: variant, lotNumber: "THEIR-E2E", quantity: 2, locationId: location });
    const order = await createOrder(theirs.id, { lines: [{ variantId: variant, quantity: 1 }] });
    await createAllocation(theirs.id, { orderId: order.id, lineItemId: order.lineIds[0]!, variantId: variant, lotId: lot, locationId: location, quantity: 1 });
    const mine = await createTestShop("ext-e2e-mine");
    const text = await showBlock("order-lots", mine.domain, `gid://shopify/Order/${order.id}`);
    expect(text).toContain("no record of this order");
    expect(text).not.toContain("THEIR-E2E");
  });

  it("variant block: lots most urgent first with units per location and status badges", async () => {
    const shop = await createTestShop("ext-e2e-variant");
    const main = await createLocation(shop.id, { name: "Main warehouse" });
    const variant = await createVariant(shop.id, { sku: "JAM-E2E", productTitle: "Jam" });
    await createLot(shop.id, { variantId: variant, lotNumber: "JAM-LATE", quantity: 5, locationId: main, expiresOn: "2031-05-01" });
    await createLot(shop.id, { variantId: variant, lotNumber: "JAM-SOON", quantity: 7, locationId: main, expiresOn: "2030-02-01" });
    await createLot(shop.id, { variantId: variant, lotNumber: "JAM-BAD", quantity: 2, locationId: main, expiresOn: "2032-01-01", status: "RECALLED" });

    const text = await showBlock("variant-lots", shop.domain, `gid://shopify/ProductVariant/${variant}`);
    const order = ["JAM-BAD", "JAM-SOON", "JAM-LATE"].map((lot) => text.indexOf(lot));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain("Main warehouse: 7");
    const recalledRow = browser.page.locator("s-table-row", { hasText: "JAM-BAD" });
    expect(await recalledRow.locator("s-badge").innerText()).toBe("Recalled");
    expect(await browser.page.locator("s-admin-block").getAttribute("collapsedSummary")).toBe("14 units in 3 lots");
    expect(browser.pageErrors).toEqual([]);
  });

  it("product block: the lots of every variant, each named by its variant", async () => {
    const shop = await createTestShop("ext-e2e-product");
    const main = await createLocation(shop.id, { name: "Cellar" });
    const productId = BigInt(Date.now()) * 1000n + 17n;
    const red = await createVariant(shop.id, { sku: "WINE-R", productTitle: "Wine", title: "Red" });
    const white = await createVariant(shop.id, { sku: "WINE-W", productTitle: "Wine", title: "White" });
    await pool().query("update variants set product_id = $3 where shop_id = $1 and id = any($2)", [shop.id, [red, white], productId]);
    await createLot(shop.id, { variantId: red, lotNumber: "RED-24", quantity: 6, locationId: main, expiresOn: "2034-01-01" });
    await createLot(shop.id, { variantId: white, lotNumber: "WHITE-25", quantity: 2, locationId: main, expiresOn: "2031-01-01" });

    const text = await showBlock("product-lots", shop.domain, `gid://shopify/Product/${productId}`);
    expect(text.indexOf("WHITE-25")).toBeGreaterThanOrEqual(0);
    expect(text.indexOf("WHITE-25")).toBeLessThan(text.indexOf("RED-24"));
    expect(await browser.page.locator("s-table-row", { hasText: "RED-24" }).innerText()).toContain("Red");
    expect(text).toContain("Cellar: 6");
    expect(browser.pageErrors).toEqual([]);
  });
});
