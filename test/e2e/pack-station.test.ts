// The pack station in a real browser (Debian's Chromium) against the real preview server, driven
// as a keyboard-wedge scanner drives it: the scanner types into the focused field and presses
// Enter. Open an order, scan a good unit, a recalled unit (refused: red, spoken, nothing counted),
// and the last good unit, which completes the line and the order.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import bwipjs from "bwip-js/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, pool } from "../../app/db.server";
import { resetEnvForTests } from "../../app/env.server";
import { createLocation, createLot, createOrder, createVariant } from "../helpers/factories";
import { uniqueShopDomain } from "../helpers/shops";
import { openBrowser, type BrowserSession } from "./helpers/browser";
import { previewEnvironmentOfRun, startPreview, type RunningPreview } from "./helpers/preview";

// The preview runs on its own database (app/preview/isolation.ts): this file's rows go there too.
const PREVIEW_ENV = previewEnvironmentOfRun();
const RUN_DATABASE_URL = process.env.DATABASE_URL!;

async function useDatabase(url: string): Promise<void> {
  await closeDb();
  process.env.DATABASE_URL = url;
  resetEnvForTests();
}

/**
 * A camera that films a GS1 DataMatrix (drawn by bwip-js) for Chromium's fake capture device: a
 * Y4M file (a header, then FRAME + the Y, U and V planes of each frame; grey, so U = V = 128).
 */
function cameraFilming(text: string, file: string): void {
  const [symbol] = bwipjs.raw("gs1datamatrix", text) as { pixs: number[]; pixx: number; pixy: number }[];
  const { pixs, pixx, pixy } = symbol!;
  const width = 640;
  const height = 480;
  const scale = 12;
  const left = Math.floor((width - pixx * scale) / 2);
  const top = Math.floor((height - pixy * scale) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let y = 0; y < pixy * scale; y++) {
    for (let x = 0; x < pixx * scale; x++) {
      if (pixs[Math.floor(y / scale) * pixx + Math.floor(x / scale)]) luma[(top + y) * width + left + x] = 16;
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), luma, chroma]);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), ...Array.from({ length: 10 }, () => frame)]));
}

function inDays(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

describe("pack station", () => {
  const shop = uniqueShopDomain("pack");
  let preview: RunningPreview;
  let browser: BrowserSession;

  beforeAll(async () => {
    await useDatabase(PREVIEW_ENV.DATABASE_URL);
    preview = await startPreview(shop);
    const shopId = (await pool().query<{ id: number }>("select id from shops where domain = $1", [shop])).rows[0]!.id;
    const location = await createLocation(shopId, { name: "Packing hall" });
    const granola = await createVariant(shopId, { productTitle: "Honey granola", title: "400 g", sku: "GRAN-400", barcode: "4012345000023" });
    await createLot(shopId, { variantId: granola, lotNumber: "GOOD-1", quantity: 10, locationId: location, expiresOn: inDays(60) });
    await createLot(shopId, { variantId: granola, lotNumber: "BAD-1", quantity: 10, locationId: location, expiresOn: inDays(90), status: "RECALLED" });
    await createOrder(shopId, { name: "#PK-1", lines: [{ variantId: granola, quantity: 2 }] });
    await createOrder(shopId, { name: "#PK-2", lines: [{ variantId: granola, quantity: 1 }] });
    browser = await openBrowser();
    // What the page says aloud, recorded (headless Chromium has no voice to hear it by).
    await browser.context.addInitScript(() => {
      const spoken: string[] = [];
      (window as unknown as { spoken: string[] }).spoken = spoken;
      if (window.speechSynthesis) window.speechSynthesis.speak = (u: SpeechSynthesisUtterance) => void spoken.push(u.text);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await preview?.stop();
    await useDatabase(RUN_DATABASE_URL);
  });

  it("opens an order typed by the scanner and checks each scanned unit", async () => {
    const { page } = browser;
    await page.goto(`${preview.url}/preview`);
    await page.getByRole("heading", { name: "Home" }).waitFor();
    await page.getByRole("link", { name: "Pack station" }).first().click();
    await page.getByRole("heading", { name: "Pack station", exact: true }).waitFor();
    await page.getByLabel("Location").selectOption({ label: "Packing hall" });
    await page.getByLabel("Order").click();
    await page.keyboard.type("#PK-1");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Order #PK-1 at Packing hall" }).waitFor();
    await page.getByText("GOOD-1 × 2").waitFor(); // the planned lot

    // The scan field has the focus: the wedge scanner types straight into it.
    const scan = async (text: string) => {
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("placeholder"))).toMatch(/^\(01\)/);
      await page.keyboard.type(text);
      await page.keyboard.press("Enter");
    };
    await scan("(01)04012345000023(10)GOOD-1");
    await page.getByText("OK: Honey granola - 400 g (GRAN-400), lot GOOD-1. 1 of 2 packed.").waitFor();
    await page.getByRole("cell", { name: "1 of 2" }).waitFor();

    await scan("(01)04012345000023(10)BAD-1");
    const refusal = "STOP: lot BAD-1 is RECALLED. Do not pack it: put it aside for the recall.";
    await page.getByRole("alert").getByText(refusal).waitFor();
    expect(await page.locator('[data-scan-answer="critical"]').count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { spoken: string[] }).spoken)).toEqual([refusal]);
    await page.getByRole("cell", { name: "1 of 2" }).waitFor(); // nothing counted
    await browser.screenshot("pack-refused");

    await scan("(01)04012345000023(10)GOOD-1");
    await page.getByText("OK: Honey granola - 400 g (GRAN-400), lot GOOD-1. 2 of 2 packed. Order #PK-1 is complete.").waitFor();
    await page.getByRole("cell", { name: "2 of 2" }).waitFor();
    await page.getByText("Order #PK-1 is packed").waitFor();
    await browser.screenshot("pack-complete");
    expect(browser.pageErrors).toEqual([]);
    expect(browser.externalRequests).toEqual([]);
  });

  it("reads the unit's GS1 DataMatrix through the camera (zxing-wasm, served by the app, where Chromium has no BarcodeDetector)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pack-camera-"));
    const video = path.join(dir, "camera.y4m");
    cameraFilming("(01)04012345000023(10)GOOD-1", video);
    const camera = await openBrowser(["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${video}`]);
    try {
      const { page } = camera;
      const wasm: string[] = [];
      page.on("request", (request) => void (/zxing_reader[^/]*\.wasm$/.test(request.url()) && wasm.push(request.url())));
      await page.goto(`${preview.url}/preview`);
      await page.getByRole("heading", { name: "Home" }).waitFor();
      await page.getByRole("link", { name: "Pack station" }).first().click();
      await page.getByLabel("Location").selectOption({ label: "Packing hall" });
      await page.getByLabel("Order").fill("#PK-2");
      await page.getByLabel("Order").press("Enter");
      await page.getByRole("heading", { name: "Order #PK-2 at Packing hall" }).waitFor();
      await page.getByRole("button", { name: "Scan with camera" }).click();
      // The camera sees the code in every frame: it counts once (the page skips a repeat for 2 s).
      await page.getByText("OK: Honey granola - 400 g (GRAN-400), lot GOOD-1. 1 of 1 packed. Order #PK-2 is complete.").waitFor({ timeout: 30_000 });
      await page.getByRole("button", { name: "Stop camera" }).click();
      await page.getByRole("cell", { name: "1 of 1" }).waitFor();
      // Decoded by zxing-wasm, its .wasm from the app itself.
      expect(wasm.length).toBeGreaterThan(0);
      expect(wasm.every((url) => url.startsWith(preview.url))).toBe(true);
      expect(camera.externalRequests).toEqual([]);
      expect(camera.pageErrors).toEqual([]);
    } finally {
      await camera.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
