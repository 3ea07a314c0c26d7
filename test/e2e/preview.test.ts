// The standalone preview: the same panel as inside Shopify, served on localhost with a stand-in
// for App Bridge. Pages load with the preview shop's session, client navigation carries a bearer
// token, a reload gets a fresh one, and nothing is fetched from outside this machine.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueShopDomain } from "../helpers/shops";
import { openBrowser, type BrowserSession } from "./helpers/browser";
import { startPreview, type RunningPreview } from "./helpers/preview";

describe("preview", () => {
  let preview: RunningPreview;
  let browser: BrowserSession;

  beforeAll(async () => {
    preview = await startPreview(uniqueShopDomain("preview"));
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await preview?.stop();
  });

  it("opens the embedded home page for the preview shop without Shopify or its CDN", async () => {
    const { page } = browser;
    await page.goto(`${preview.url}/preview`);
    await page.getByRole("heading", { name: "Home" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/app");
    expect(await page.evaluate(() => typeof (window as unknown as { shopify?: { idToken?: unknown } }).shopify?.idToken)).toBe("function");
    await browser.screenshot("home");
    expect(browser.externalRequests).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it("navigates between pages with bearer tokens and survives a reload", async () => {
    const { page } = browser;
    const authorized: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("_data=") && request.headers()["authorization"]?.startsWith("Bearer ")) authorized.push(request.url());
    });
    await page.getByRole("link", { name: "Settings" }).first().click();
    await page.getByRole("heading", { name: "Settings" }).waitFor();
    expect(authorized.length).toBeGreaterThan(0);
    await page.reload();
    await page.getByRole("heading", { name: "Settings" }).waitFor();
    expect(browser.externalRequests).toEqual([]);
  });
});
