// The pick list as a PDF (README "Pick lists"): what the picker carries is the same list as the
// JSON, rows grouped by bin then lot with their totals, a header naming shop, location and date
// on every page, and as many pages as a long list needs. The text is read back from the PDF's
// content streams (test/helpers/barcode-reader.ts pdfTexts), one string per drawn text.
import { describe, expect, it } from "vitest";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PDFDocument } from "pdf-lib";
import { pool } from "../../app/db.server";
import { setLotBinNow } from "../../app/domain/lots/lot-bins.server";
import { pickListForLocation, type PickList } from "../../app/domain/picking/pick-list.server";
import { pickListPdf } from "../../app/domain/picking/pick-list-pdf.server";
import { createTestShop } from "../helpers/shops";
import { createLot, createOrder, createVariant, newId } from "../helpers/factories";
import { cliJson, runCli } from "../helpers/cli";
import { adminGet, statusOf } from "../helpers/admin-requests";
import { pdfTexts } from "../helpers/barcode-reader";
import { loader as exportLoader } from "../../app/routes/app.pick-list.export";

function inDays(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

/** A location named "Main" with soap in bin B-02, tea in A-01 and oil in no bin, and two open orders. */
async function stockedShop(label: string) {
  const shop = await createTestShop(label);
  const loc = newId();
  await pool().query("insert into locations (shop_id, id, name, active) values ($1, $2, 'Main', true)", [shop.id, loc]);
  const soap = await createVariant(shop.id, { sku: "SOAP-1", productTitle: "Lavender soap" });
  const tea = await createVariant(shop.id, { sku: "TEA-9", productTitle: "Green tea" });
  const oil = await createVariant(shop.id, { sku: "OIL-5", productTitle: "Argan oil" });
  const soapLot = await createLot(shop.id, { variantId: soap, lotNumber: "S-100", quantity: 10, locationId: loc, expiresOn: inDays(30) });
  const teaLot = await createLot(shop.id, { variantId: tea, lotNumber: "T-200", quantity: 10, locationId: loc, expiresOn: inDays(60) });
  await createLot(shop.id, { variantId: oil, lotNumber: "O-300", quantity: 10, locationId: loc });
  await setLotBinNow(shop.id, { lotId: soapLot, locationId: loc, bin: "B-02" }, { cause: "USER" });
  await setLotBinNow(shop.id, { lotId: teaLot, locationId: loc, bin: "A-01" }, { cause: "USER" });
  await createOrder(shop.id, {
    name: "#2001",
    lines: [
      { variantId: soap, quantity: 2 },
      { variantId: tea, quantity: 1 },
    ],
  });
  await createOrder(shop.id, {
    name: "#2002",
    lines: [
      { variantId: soap, quantity: 3 },
      { variantId: oil, quantity: 4 },
    ],
  });
  return { shop, loc };
}

/** The cells drawn on a page between its column heads and the totals: every row, as the JSON has it. */
function rowCells(list: PickList): string[][] {
  return list.rows.map((r) => [
    r.orderName!,
    r.lineItemId.toString(),
    r.sku ?? "",
    r.title ?? "",
    r.lotNumber ?? "",
    r.expiresOn ?? "",
    r.bin ?? "",
    String(r.quantity),
  ]);
}

describe("pick list PDF", () => {
  it("lotkeeper orders pick-list --format pdf writes the JSON's rows, grouped by bin then lot, with totals and a header", async () => {
    const { shop, loc } = await stockedShop("pick-pdf");
    const dir = await mkdtemp(path.join(tmpdir(), "lk-pick-pdf-"));
    const out = path.join(dir, "main.pdf");
    const s = ["orders", "pick-list", "--shop", shop.domain, "--location", String(loc), "--open"];

    const printed = await cliJson<{ file: string; pages: number; rows: number }>([...s, "--format", "pdf", "--out", out]);
    const list = await pickListForLocation(shop.id, loc);
    expect(printed).toEqual({ file: out, pages: 1, rows: list.rows.length });

    const pdf = new Uint8Array(await readFile(out));
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPages().map((p) => p.getSize().width.toFixed(1))).toEqual(["595.3"]); // A4 by default
    const [texts] = await pdfTexts(pdf);
    expect(texts![0]).toBe("Pick list");
    expect(texts![1]).toContain(`Shop: ${shop.domain}`);
    expect(texts![1]).toContain(`Location: Main (location ${loc})`);
    expect(texts![1]).toMatch(/Planned: \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(texts![2]).toContain("2 orders: #2001, #2002");

    // Groups in walking order (bin, then lot, a lot without a bin last), each with its total,
    // and each row's cells right after its group's heading.
    const headings = texts!.filter((t) => t.startsWith("Bin "));
    expect(headings).toEqual([`Bin A-01 · Lot T-200 · expires ${inDays(60)}`, `Bin B-02 · Lot S-100 · expires ${inDays(30)}`, "Bin (none) · Lot O-300"]);
    expect(list.lots.map((g) => g.totalQuantity)).toEqual([1, 5, 4]);
    for (const [i, heading] of headings.entries())
      expect(texts![texts!.indexOf(heading) + 1]).toBe(`${list.lots[i]!.totalQuantity} unit${list.lots[i]!.totalQuantity === 1 ? "" : "s"}`);
    const afterHeads = texts!.slice(texts!.indexOf("Note") + 1);
    const drawn = afterHeads.filter((t) => !t.startsWith("Bin ") && !/^\d+ units?$/.test(t) && !t.startsWith("Total") && !t.startsWith("Page"));
    expect(drawn).toEqual(rowCells(list).flat().filter(Boolean));
    expect(texts).toContain("Total: 10 units, 10 to pick.");
    expect(texts!.at(-1)).toBe("Page 1 of 1");
  });

  it("runs a long list onto more pages, each with the header, and cuts no row", async () => {
    const shop = await createTestShop("pick-pdf-long");
    const loc = newId();
    const variantId = await createVariant(shop.id, { sku: "PEN", productTitle: "Ballpoint pen" });
    await createLot(shop.id, { variantId, lotNumber: "P-1", quantity: 1000, locationId: loc });
    const order = await createOrder(shop.id, { name: "#3001", lines: Array.from({ length: 130 }, () => ({ variantId, quantity: 1 })) });
    const list = await pickListForLocation(shop.id, loc);
    expect(list.rows).toHaveLength(130);

    for (const [paper, width] of [
      ["a4", "595.3"],
      ["letter", "612.0"],
    ] as const) {
      const rendered = await pickListPdf(list, { shop: shop.domain, paper });
      const doc = await PDFDocument.load(rendered.pdf);
      expect(rendered.pages).toBeGreaterThan(1);
      expect(doc.getPageCount()).toBe(rendered.pages);
      expect(doc.getPages().every((p) => p.getSize().width.toFixed(1) === width)).toBe(true);
      const pages = await pdfTexts(rendered.pdf);
      pages.forEach((texts, i) => {
        expect(texts[0]).toBe("Pick list");
        expect(texts[1]).toContain(`Shop: ${shop.domain}`);
        expect(texts).toContain("Qty");
        expect(texts.at(-1)).toBe(`Page ${i + 1} of ${pages.length}`);
        // The lot's heading on the first page, "(continued)" on the others.
        expect(texts).toContain(i === 0 ? "Bin (none) · Lot P-1" : "Bin (none) · Lot P-1 (continued)");
      });
      // Every line item exactly once over all pages, in the list's order; the total on the last page.
      const lineIds = pages.flat().filter((t) => /^\d{6,}$/.test(t));
      expect(lineIds).toEqual(list.rows.map((r) => r.lineItemId.toString()));
      expect(new Set(lineIds)).toEqual(new Set(order.lineIds.map(String)));
      expect(pages.at(-1)).toContain("Total: 130 units, 130 to pick.");
    }
  });

  it("serves the PDF download in the admin (A4 or Letter), refuses other paper, and another shop's order is not found", async () => {
    const { shop, loc } = await stockedShop("pick-pdf-admin");
    const theirs = await createTestShop("pick-pdf-theirs");
    const foreign = await createOrder(theirs.id, { name: "#2003", lines: [{ variantId: await createVariant(theirs.id), quantity: 1 }] });
    const download = (p: string) => exportLoader({ request: adminGet(shop.domain, p), params: {}, context: {} });

    const a4 = await download(`/app/pick-list/export?order=%232001&location=${loc}&format=pdf`);
    expect(a4.headers.get("Content-Type")).toBe("application/pdf");
    expect(a4.headers.get("Content-Disposition")).toBe('attachment; filename="pick-list-2001.pdf"');
    const pdf = new Uint8Array(await a4.arrayBuffer());
    const [texts] = await pdfTexts(pdf);
    expect(texts![1]).toContain(`Shop: ${shop.domain}`);
    expect(texts).toEqual(expect.arrayContaining(["#2001", "SOAP-1", "TEA-9", "Total: 3 units, 3 to pick."]));
    expect(texts).not.toContain("#2002");

    const letter = await download(`/app/pick-list/export?location=${loc}&format=pdf&paper=letter`);
    expect((await PDFDocument.load(new Uint8Array(await letter.arrayBuffer()))).getPage(0).getSize()).toEqual({ width: 612, height: 792 });
    const legal = await download(`/app/pick-list/export?location=${loc}&format=pdf&paper=legal`);
    expect(legal.status).toBe(400);
    expect(await legal.text()).toBe("paper must be a4 or letter");
    expect(await statusOf(download(`/app/pick-list/export?order=${foreign.id}&location=${loc}&format=pdf`))).toBe(404);
  });

  it("the CLI asks for --out with --format pdf, and for a known paper size", async () => {
    const { shop, loc } = await stockedShop("pick-pdf-usage");
    const s = ["orders", "pick-list", "--shop", shop.domain, "--location", String(loc), "--open", "--format", "pdf"];
    expect((await runCli(s)).error).toMatchObject({ exitCode: 2, message: expect.stringContaining("--out") });
    const paper = await runCli([...s, "--out", "/tmp/never.pdf", "--paper", "a5"]);
    expect(paper.error).toMatchObject({ exitCode: 2, message: '--paper must be a4 or letter, got "a5"' });
  });
});
