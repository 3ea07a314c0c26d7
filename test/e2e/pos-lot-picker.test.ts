// The POS lot picker (extensions/pos-lot-picker) in Debian's Chromium: each target is bundled from
// its module as the Shopify CLI does (esbuild) and loaded with the `shopify` global POS gives it
// (the cart line, the session's location, the cart API, the scanner, toasts). Its fetch of
// /api/extensions/pos-lots is answered by the app's real route loader with the shop's ID token
// added, as POS adds it. Asserts what the cashier sees and what ends up on the cart line.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loader as posLotsLoader } from "../../app/routes/api.extensions.pos-lots";
import { createLocation, createLot, createVariant } from "../helpers/factories";
import { adminHeaders } from "../helpers/session";
import { createTestShop } from "../helpers/shops";
import { openBrowser, type BrowserSession } from "./helpers/browser";
import { ROOT } from "./helpers/preview";

const MODULES = { modal: "LotModal.tsx", "menu-item": "MenuItem.tsx" } as const;
type Target = keyof typeof MODULES;

const bundles = new Map<string, string>();
let server: Server;
let origin: string;
let browser: BrowserSession;
/** The shop logged in to POS: its ID token goes on the extension's fetch. */
let posShop = "";

interface CartLine {
  uuid: string;
  variantId?: number;
  quantity: number;
  title: string;
  properties: Record<string, string>;
}

/** What the fake POS recorded: properties set on cart lines, toasts, closed modals, presented modals. */
interface PosCalls {
  properties: { uuid: string; properties: Record<string, string> }[];
  toasts: string[];
  closed: number;
  presented: number;
}

async function bundle(module: string): Promise<string> {
  const result = await build({
    entryPoints: [path.join(ROOT, "extensions", "pos-lot-picker", "src", module)],
    bundle: true,
    format: "esm",
    target: "es2020",
    write: false,
    minify: true,
  });
  return result.outputFiles[0]!.text;
}

/**
 * The page a target runs in: a `shopify` global with the APIs the target uses, every call recorded
 * in window.__pos, and window.__scan(data) standing in for the scanner reading a barcode.
 */
function targetPage(target: Target, line: CartLine, locationId: string): string {
  return `<!doctype html><html><body><script>
  window.__pos = { properties: [], toasts: [], closed: 0, presented: 0 };
  const listeners = new Set();
  const scannerData = { value: { data: "EARLIER-SCAN", source: "external" }, subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); } };
  window.__scan = (data) => { scannerData.value = { data, source: "external" }; listeners.forEach((fn) => fn(scannerData.value)); };
  window.close = () => { window.__pos.closed += 1; };
  globalThis.shopify = {
    cartLineItem: ${JSON.stringify(line)},
    session: { currentSession: { locationId: ${locationId}, shopDomain: ${JSON.stringify(posShop)} } },
    cart: { addLineItemProperties: async (uuid, properties) => { window.__pos.properties.push({ uuid, properties }); } },
    scanner: { scannerData: { current: scannerData }, showCameraScanner() {}, hideCameraScanner() {} },
    toast: { show: (text) => window.__pos.toasts.push(text) },
    action: { presentModal: () => { window.__pos.presented += 1; } },
  };
</script>
<script type="module">import run from "/bundle/${target}.js"; run();</script></body></html>`;
}

beforeAll(async () => {
  for (const [target, module] of Object.entries(MODULES)) bundles.set(target, await bundle(module));
  server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const page = /^\/target\/([a-z-]+)$/.exec(url.pathname);
      if (page) {
        const line = JSON.parse(url.searchParams.get("line") ?? "{}") as CartLine;
        res.writeHead(200, { "Content-Type": "text/html" }).end(targetPage(page[1] as Target, line, url.searchParams.get("location") ?? "0"));
        return;
      }
      const script = /^\/bundle\/([a-z-]+)\.js$/.exec(url.pathname);
      if (script && bundles.has(script[1]!)) {
        res.writeHead(200, { "Content-Type": "text/javascript" }).end(bundles.get(script[1]!));
        return;
      }
      if (url.pathname !== "/api/extensions/pos-lots") {
        res.writeHead(404).end();
        return;
      }
      // What POS does for the extension's fetch of the app's URL: the ID token of the logged-in shop.
      const request = new Request(`https://lotkeeper.test${url.pathname}${url.search}`, {
        headers: { ...adminHeaders(posShop), Origin: "https://extensions.shopifycdn.com" },
      });
      let response: Response;
      try {
        response = await posLotsLoader({ request, params: {}, context: {} });
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

/** Opens a target for a cart line at a POS location; the modal is shown once its lots have loaded. */
async function open(target: Target, shop: string, line: CartLine, locationId: bigint): Promise<void> {
  posShop = shop;
  browser.pageErrors.length = 0;
  await browser.page.goto(`${origin}/target/${target}?line=${encodeURIComponent(JSON.stringify(line))}&location=${locationId}`);
  // Preact's render takes over the body (the page's scripts have run by then).
  await browser.page.waitForFunction(() => document.querySelector("s-page, s-button") !== null && document.querySelector("s-spinner") === null);
}

const calls = () => browser.page.evaluate(() => (window as unknown as { __pos: PosCalls }).__pos);
const text = async () => (await browser.page.locator("s-page").innerText()).replace(/\s+/g, " ");
const selectedLots = () => browser.page.locator("s-choice[selected]").evaluateAll((els) => els.map((e) => e.getAttribute("value")));
const tap = (label: string) => browser.page.locator("s-button", { hasText: label }).dispatchEvent("click");

/** The scanner reads `data`; resolves once the picker shows `shown` (the app's answer arrived). */
async function scan(data: string, shown: string): Promise<void> {
  await browser.page.evaluate((d) => (window as unknown as { __scan: (d: string) => void }).__scan(d), data);
  await browser.page.waitForFunction((t) => document.body.innerText.includes(t), shown);
}

function inDays(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

async function teaAtTheStore(label: string) {
  const shop = await createTestShop(label);
  const store = await createLocation(shop.id, { name: "Downtown store" });
  const tea = await createVariant(shop.id, { sku: "TEA-POS", productTitle: "Green tea", title: "250 g", barcode: "4006381333931" });
  await createLot(shop.id, { variantId: tea, lotNumber: "TEA-LATE", quantity: 8, locationId: store, expiresOn: inDays(300) });
  await createLot(shop.id, { variantId: tea, lotNumber: "TEA-SOON", quantity: 1, locationId: store, expiresOn: inDays(30) });
  await createLot(shop.id, { variantId: tea, lotNumber: "TEA-BAD", quantity: 4, locationId: store, expiresOn: inDays(60), status: "RECALLED" });
  const line: CartLine = { uuid: "line-uuid-1", variantId: Number(tea), quantity: 1, title: "Green tea - 250 g", properties: {} };
  return { shop, store, tea, line };
}

describe("POS lot picker in the browser", () => {
  it("preselects the first lot to sell, and one tap sets it as the line's _lot", async () => {
    const { shop, store, line } = await teaAtTheStore("pos-e2e-accept");
    await open("modal", shop.domain, line, store);
    expect(await selectedLots()).toEqual(["TEA-SOON"]);
    const shown = await text();
    expect(shown.indexOf("TEA-SOON")).toBeLessThan(shown.indexOf("TEA-LATE"));
    expect(shown).toContain(`TEA-SOON · exp. ${inDays(30)} · 1 unit here (first to sell)`);
    expect(shown).not.toContain("TEA-BAD");

    await tap("Sell from lot TEA-SOON");
    await browser.page.waitForFunction(() => (window as unknown as { __pos: PosCalls }).__pos.closed > 0);
    expect(await calls()).toMatchObject({ properties: [{ uuid: "line-uuid-1", properties: { _lot: "TEA-SOON" } }], toasts: ["Lot TEA-SOON set"], closed: 1 });
    expect(browser.pageErrors).toEqual([]);
  });

  it("refuses a scanned recalled lot with the reason and sets nothing; a good scan selects its lot", async () => {
    const { shop, store, line } = await teaAtTheStore("pos-e2e-scan");
    await open("modal", shop.domain, { ...line, quantity: 3 }, store);
    // The scan the scanner held before the modal opened is not taken for a new one.
    expect(await browser.page.locator("s-banner[tone=critical]").count()).toBe(0);

    await scan("(01)04006381333931(10)TEA-BAD", "Lot TEA-BAD is recalled");
    const refused = browser.page.locator("s-banner[tone=critical]");
    expect(await refused.getAttribute("heading")).toBe("Lot not set");
    expect(await refused.innerText()).toContain("Lot TEA-BAD is recalled: do not sell it");
    expect(await selectedLots()).toEqual(["TEA-SOON"]);
    expect((await calls()).properties).toEqual([]);
    // TEA-SOON has 1 unit and the line 3: the cashier is told before accepting.
    expect(await text()).toContain("Lot TEA-SOON has 1 unit here and the line has 3 units.");

    await scan("(01)04006381333931(10)TEA-LATE", "Scanned lot TEA-LATE");
    expect(await browser.page.locator("s-banner[tone=success]").innerText()).toContain("Scanned lot TEA-LATE");
    expect(await selectedLots()).toEqual(["TEA-LATE"]);
    await tap("Sell from lot TEA-LATE");
    await browser.page.waitForFunction(() => (window as unknown as { __pos: PosCalls }).__pos.properties.length > 0);
    expect((await calls()).properties).toEqual([{ uuid: "line-uuid-1", properties: { _lot: "TEA-LATE" } }]);
    expect(browser.pageErrors).toEqual([]);
  });

  it("lets the cashier choose another lot from the list, and keeps a lot already set on the line", async () => {
    const { shop, store, line } = await teaAtTheStore("pos-e2e-choose");
    await open("modal", shop.domain, { ...line, properties: { _lot: "TEA-LATE" } }, store);
    expect(await selectedLots()).toEqual(["TEA-LATE"]);
    expect(await text()).toContain("Lot set on this line: TEA-LATE");
    // POS's choice list reports the choice through its `values` and a change event.
    await browser.page.locator("s-choice-list").evaluate((list) => {
      (list as unknown as { values: string[] }).values = ["TEA-SOON"];
      list.dispatchEvent(new Event("change"));
    });
    await browser.page.waitForFunction(() => document.querySelector("s-choice[selected]")?.getAttribute("value") === "TEA-SOON");
    await tap("Sell from lot TEA-SOON");
    await browser.page.waitForFunction(() => (window as unknown as { __pos: PosCalls }).__pos.properties.length > 0);
    expect((await calls()).properties).toEqual([{ uuid: "line-uuid-1", properties: { _lot: "TEA-SOON" } }]);
  });

  it("shows the app's refusal for a variant of another shop, and offers nothing to sell", async () => {
    const { store, line } = await teaAtTheStore("pos-e2e-owner");
    const stranger = await createTestShop("pos-e2e-stranger");
    await open("modal", stranger.domain, line, store);
    expect(await browser.page.locator("s-banner[tone=critical]").innerText()).toContain("is not known in this shop");
    expect(await text()).not.toContain("TEA-SOON");
    expect(await browser.page.locator("s-button", { hasText: "Sell from lot" }).count()).toBe(0);
  });

  it("menu item: opens the modal for a product line, and is disabled for a custom sale", async () => {
    const { shop, store, line } = await teaAtTheStore("pos-e2e-menu");
    await open("menu-item", shop.domain, line, store);
    await tap("Lot");
    expect((await calls()).presented).toBe(1);
    const { variantId: _none, ...customSale } = line;
    await open("menu-item", shop.domain, customSale, store);
    expect(await browser.page.locator("s-button").getAttribute("disabled")).not.toBeNull();
  });
});
