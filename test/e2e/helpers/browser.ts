// Debian's Chromium driven by playwright-core (never a downloaded browser), with the launch flags
// that work on this machine (docs: toolchain.md "Browser tests"). Requests that leave the machine
// are blocked and recorded: the panel must not depend on Shopify's CDN or anything else outside.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { DESKTOP_UA } from "../../helpers/session";
import { ROOT } from "./preview";

export const ARTIFACTS = path.join(ROOT, "test-results", "e2e");

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** URLs the page tried to load from outside this machine (blocked). */
  externalRequests: string[];
  /** Console errors and uncaught page errors. */
  pageErrors: string[];
  screenshot: (name: string) => Promise<string>;
  close: () => Promise<void>;
}

/** extraArgs: more Chromium flags, e.g. a fake camera (`--use-file-for-fake-video-capture=`). */
export async function openBrowser(extraArgs: string[] = []): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ], // playwright gives every launch a new empty profile (its own --user-data-dir)
  });
  const context = await browser.newContext({ userAgent: DESKTOP_UA, acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const externalRequests: string[] = [];
  const pageErrors: string[] = [];
  await context.route(/^(?!http:\/\/(127\.0\.0\.1|localhost)[:/]).*/, async (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    externalRequests.push(url);
    await route.abort();
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !/favicon/.test(message.text())) pageErrors.push(message.text());
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    browser,
    context,
    page,
    externalRequests,
    pageErrors,
    screenshot: async (name) => {
      const file = path.join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    close: async () => {
      await context.close();
      await browser.close();
    },
  };
}
