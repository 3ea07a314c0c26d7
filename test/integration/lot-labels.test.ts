// Lot labels as a merchant prints them: the PDF for a lot of the shop, whose barcodes scan back
// (zxing-wasm on the images the PDF embeds) to the lot's GTIN, lot number and expiry as our own
// GS1 parser reads them; refusals for a lot without a GTIN and for another shop's lot.
import { describe, expect, it } from "vitest";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PDFDocument } from "pdf-lib";
import { parseGs1 } from "../../app/domain/gs1/gs1";
import { lotLabelPdf } from "../../app/domain/labels/label-pdf.server";
import { LabelMissingGtinError } from "../../app/domain/labels/label-rules";
import { LotNotFoundError } from "../../app/domain/lots/lot-errors";
import { createTestShop } from "../helpers/shops";
import { createLot, createVariant } from "../helpers/factories";
import { pdfImages, pdfTexts, pngSize, readPdfImage, readPng } from "../helpers/barcode-reader";
import { runCli } from "../helpers/cli";
import { adminGet, statusOf } from "../helpers/admin-requests";
import { loader as labelLoader } from "../../app/routes/app.lots.$id.label";
import { loader as lotLoader } from "../../app/routes/app.lots.$id";

async function labelledLot(label: string) {
  const shop = await createTestShop(label);
  const variant = await createVariant(shop.id, { productTitle: "Olive oil", title: "1 l", barcode: "9506000134352" });
  const lotId = await createLot(shop.id, { variantId: variant, lotNumber: "OIL-5/B", expiresOn: "2027-03-31" });
  return { shop, variant, lotId };
}

describe("lot labels", () => {
  it("prints a 4x6 label whose GS1-128 and DataMatrix, as embedded in the PDF, scan back to the lot", async () => {
    const { shop, lotId } = await labelledLot("labels-scan");
    const rendered = await lotLabelPdf(shop.id, lotId, { size: "4x6", copies: 1 });
    expect(Buffer.from(rendered.pdf.subarray(0, 5)).toString()).toBe("%PDF-");
    const doc = await PDFDocument.load(rendered.pdf);
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getPage(0).getSize()).toEqual({ width: 288, height: 432 });
    // What a person reads on it, whole: product, GTIN, lot, expiry and the GS1 line under the bars.
    expect((await pdfTexts(rendered.pdf))[0]!.sort()).toEqual(
      ["(01)09506000134352(17)270331(10)OIL-5/B", "Olive oil - 1 l", "GTIN 09506000134352", "LOT OIL-5/B", "EXP 2027-03-31"].sort(),
    );

    // The PDF embeds exactly the images bwip-js drew (same pixel size), and they scan.
    const images = await pdfImages(rendered.pdf);
    expect(images.map((i) => [i.width, i.height]).sort()).toEqual(rendered.symbols.map((s) => [pngSize(s.png).width, pngSize(s.png).height]).sort());
    const scans = [];
    for (const image of images) scans.push(...(await readPdfImage(image)));
    for (const s of rendered.symbols) scans.push(...(await readPng(s.png)));
    expect(scans.map((s) => s.format).sort()).toEqual(["Code128", "Code128", "DataMatrix", "DataMatrix"]);
    for (const scan of scans) {
      expect(scan.symbologyIdentifier).toMatch(/^\](C1|d2)$/); // a GS1 symbol, not plain Code 128 / Data Matrix
      const read = parseGs1(scan.text);
      expect([read.gtin, read.lot, read.expiry]).toEqual(["09506000134352", "OIL-5/B", "2027-03-31"]);
    }
  });

  it("fills A4 sheets of 8 labels and prints the small label one a page", async () => {
    const { shop, lotId } = await labelledLot("labels-sizes");
    const a4 = await PDFDocument.load((await lotLabelPdf(shop.id, lotId, { size: "a4", copies: 10 })).pdf);
    expect(a4.getPageCount()).toBe(2);
    expect(Math.round(a4.getPage(0).getWidth())).toBe(595);
    const small = await lotLabelPdf(shop.id, lotId, { size: "2.25x1.25", copies: 3, symbology: "gs1-128" });
    const smallDoc = await PDFDocument.load(small.pdf);
    expect(smallDoc.getPageCount()).toBe(3);
    expect(smallDoc.getPage(0).getSize()).toEqual({ width: 162, height: 90 });
    const pages = await pdfTexts(small.pdf);
    expect(pages).toHaveLength(3);
    for (const texts of pages) expect(texts).toEqual(expect.arrayContaining(["GTIN 09506000134352", "LOT OIL-5/B", "EXP 2027-03-31"]));
    const [image] = await pdfImages(small.pdf);
    expect((await readPdfImage(image!)).map((s) => parseGs1(s.text).lot)).toEqual(["OIL-5/B"]);

    // With a serial the small label still shows every line and the symbol carries (21).
    const serialised = await lotLabelPdf(shop.id, lotId, { size: "2.25x1.25", copies: 1, symbology: "gs1-128", serial: "SN-0042" });
    expect((await pdfTexts(serialised.pdf))[0]).toEqual(expect.arrayContaining(["EXP 2027-03-31", "SN SN-0042"]));
    const [serialImage] = await pdfImages(serialised.pdf);
    const read = (await readPdfImage(serialImage!)).map((s) => parseGs1(s.text));
    expect(read.map((r) => [r.serial, r.lot])).toEqual([["SN-0042", "OIL-5/B"]]);
  });

  it("refuses a lot without a GTIN and does not find another shop's lot", async () => {
    const { shop, lotId } = await labelledLot("labels-refuse");
    const noBarcode = await createVariant(shop.id, { productTitle: "Honey", title: "Default Title", barcode: null });
    const bare = await createLot(shop.id, { variantId: noBarcode, lotNumber: "HNY-1" });
    await expect(lotLabelPdf(shop.id, bare, { size: "4x6", copies: 1 })).rejects.toThrow(LabelMissingGtinError);
    await expect(lotLabelPdf(shop.id, bare, { size: "4x6", copies: 1 })).rejects.toThrow(/lot "HNY-1" \(Honey\) has no GTIN/);

    const other = await createTestShop("labels-other");
    await expect(lotLabelPdf(other.id, lotId, { size: "4x6", copies: 1 })).rejects.toThrow(LotNotFoundError);
  });

  it("lotkeeper lots label writes the PDF and says what it encoded; a lot without GTIN is one line", async () => {
    const { shop } = await labelledLot("labels-cli");
    const out = path.join(await mkdtemp(path.join(tmpdir(), "lk-labels-")), "oil.pdf");
    const ok = await runCli(["lots", "label", "--shop", shop.domain, "--lot", "OIL-5/B", "--size", "a4", "--copies", "9", "--out", out]);
    expect(ok.error).toBeUndefined();
    expect(JSON.parse(ok.stdout)).toEqual({ file: out, pages: 2, labels: 9, elementString: "(01)09506000134352(17)270331(10)OIL-5/B" });
    const images = await pdfImages(new Uint8Array(await readFile(out)));
    expect(images).toHaveLength(2);

    const noBarcode = await createVariant(shop.id, { productTitle: "Honey", barcode: null });
    const bare = await createLot(shop.id, { variantId: noBarcode, lotNumber: "HNY-1" });
    const refused = await runCli(["lots", "label", "--shop", shop.domain, "--lot-id", String(bare), "--out", out]);
    expect((refused.error as Error).message).toMatch(/has no GTIN/);
    const bad = await runCli(["lots", "label", "--shop", shop.domain, "--lot", "OIL-5/B", "--size", "3x5", "--out", out]);
    expect((bad.error as Error).message).toMatch(/label size must be one of 4x6, 2.25x1.25, a4/);
  });

  it("the admin download answers the PDF for the shop's lot, 404 for another shop's, and the refusal as 400", async () => {
    const { shop, lotId } = await labelledLot("labels-route");
    const get = (domain: string, id: bigint, query = "") =>
      labelLoader({ request: adminGet(domain, `/app/lots/${id}/label${query}`), params: { id: String(id) }, context: {} });
    const response = await get(shop.domain, lotId, "?size=a4&copies=3&symbology=datamatrix");
    expect(response.headers.get("Content-Type")).toBe("application/pdf");
    expect(response.headers.get("Content-Disposition")).toBe('attachment; filename="lot-OIL-5_B-label.pdf"');
    const images = await pdfImages(new Uint8Array(await response.arrayBuffer()));
    expect((await readPdfImage(images[0]!)).map((s) => parseGs1(s.text).gtin)).toEqual(["09506000134352"]);

    const other = await createTestShop("labels-route-other");
    expect(await statusOf(get(other.domain, lotId))).toBe(404);
    expect(await statusOf(get(shop.domain, 9223372036854775808n))).toBe(404); // over bigint's range: not a lot, not a 500
    expect(await statusOf(get(shop.domain, lotId, "?size=3x5"))).toBe(400);

    const noBarcode = await createVariant(shop.id, { productTitle: "Honey", barcode: null });
    const bare = await createLot(shop.id, { variantId: noBarcode, lotNumber: "HNY-1" });
    const refused = await get(shop.domain, bare).catch((thrown: unknown) => thrown as Response);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/lot "HNY-1" \(Honey.*\) has no GTIN/);
    // The lot page shows that reason instead of a download that would fail.
    const page = await lotLoader({ request: adminGet(shop.domain, `/app/lots/${bare}`), params: { id: String(bare) }, context: {} });
    expect(page.labelRefusal).toMatch(/has no GTIN/);
    const printable = await lotLoader({ request: adminGet(shop.domain, `/app/lots/${lotId}`), params: { id: String(lotId) }, context: {} });
    expect(printable.labelRefusal).toBeNull();
  });
});
