// Lot labels as a PDF: the lot's GS1 data (label-rules.ts) drawn by bwip-js as GS1-128 and/or GS1
// DataMatrix PNGs, laid out with pdf-lib at the size of a common label printer's stock, with the
// human-readable text beside the symbols. No symbol is drawn by hand (docs/decisions/097).
import bwipjs from "bwip-js/node";
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFImage, type PDFPage } from "pdf-lib";
import { pool } from "../../db.server";
import { fit, fitSize } from "../../lib/pdf-text";
import { LOTS_WITH_VARIANTS_SQL } from "../lots/lot-queries.server";
import { LotNotFoundError } from "../lots/lot-errors";
import { lotIdOf } from "../lots/lot-rules";
import { labelContent, symbolsFor, type LabelContent, type LabelLot, type LabelSize, type SymbologyChoice } from "./label-rules";

const POINTS_PER_INCH = 72;
const POINTS_PER_MM = 72 / 25.4;

interface Sheet {
  page: [number, number];
  label: [number, number];
  columns: number;
  rows: number;
  /** Left and top margin of the first label, and the gaps between labels. */
  left: number;
  top: number;
  columnGap: number;
  rowGap: number;
}

/** A roll of single labels: one label fills the page. */
function rollOf(widthInches: number, heightInches: number): Sheet {
  const size: [number, number] = [widthInches * POINTS_PER_INCH, heightInches * POINTS_PER_INCH];
  return { page: size, label: size, columns: 1, rows: 1, left: 0, top: 0, columnGap: 0, rowGap: 0 };
}

// 4x6 in: thermal shipping-label stock (Zebra and friends), one label per page, portrait.
// 2.25x1.25 in: the small thermal product label (DYMO/Zebra), one per page, landscape.
// A4: 8 labels of 99.1 x 67.7 mm (Avery L7165 layout), room for both symbols on each.
const SHEETS: Record<LabelSize, Sheet> = {
  "4x6": rollOf(4, 6),
  "2.25x1.25": rollOf(2.25, 1.25),
  a4: {
    page: [210 * POINTS_PER_MM, 297 * POINTS_PER_MM],
    label: [99.1 * POINTS_PER_MM, 67.7 * POINTS_PER_MM],
    columns: 2,
    rows: 4,
    left: 4.65 * POINTS_PER_MM,
    top: 13.1 * POINTS_PER_MM,
    columnGap: 2.5 * POINTS_PER_MM,
    rowGap: 0,
  },
};

export interface LabelOptions {
  size: LabelSize;
  copies: number;
  symbology?: SymbologyChoice;
}

export interface RenderedSymbol {
  symbology: "gs1-128" | "datamatrix";
  /** The PNG bwip-js drew, exactly as embedded in the PDF. */
  png: Buffer;
}

export interface RenderedLabels {
  pdf: Uint8Array;
  content: LabelContent;
  symbols: RenderedSymbol[];
  pages: number;
}

/** The lot of this shop, with what its label needs; another shop's lot id is LotNotFoundError. */
export async function loadLabelLot(shopId: number, lotId: bigint | string): Promise<LabelLot & { id: bigint }> {
  const id = lotIdOf(lotId);
  const r = await pool().query<{
    id: bigint;
    lot_number: string;
    gtin: string | null;
    barcode: string | null;
    expires_on: string | null;
    product_title: string | null;
    variant_title: string | null;
    sku: string | null;
  }>(
    `select l.id, l.lot_number, l.gtin, v.barcode, l.expires_on, v.product_title, v.title as variant_title, v.sku
     from ${LOTS_WITH_VARIANTS_SQL} where l.shop_id = $1 and l.id = $2`,
    [shopId, id],
  );
  const row = r.rows[0];
  if (!row) throw new LotNotFoundError(`no lot ${id} in this shop`);
  return {
    id: row.id,
    lotNumber: row.lot_number,
    gtin: row.gtin,
    variantBarcode: row.barcode,
    expiresOn: row.expires_on,
    productTitle: row.product_title,
    variantTitle: row.variant_title,
    sku: row.sku,
  };
}

/** The label PDF of a lot of the shop. */
export async function lotLabelPdf(shopId: number, lotId: bigint | string, options: LabelOptions & { serial?: string | null }): Promise<RenderedLabels> {
  const lot = await loadLabelLot(shopId, lotId);
  return renderLabels({ ...lot, serial: options.serial ?? null }, options);
}

/** Draws `copies` labels of the lot; refuses (typed errors) before drawing anything. */
export async function renderLabels(lot: LabelLot, options: LabelOptions): Promise<RenderedLabels> {
  const content = labelContent(lot);
  const symbologies = symbolsFor(options.size, options.symbology);
  const symbols: RenderedSymbol[] = [];
  for (const symbology of symbologies) symbols.push({ symbology, png: await drawSymbol(symbology, content.elementString) });

  const doc = await PDFDocument.create();
  doc.setTitle(`Lot ${content.lotNumber} label`);
  doc.setCreator("Lotkeeper");
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  // Each PNG is embedded once and drawn on every label: 500 copies stay a small file.
  const images = new Map<string, PDFImage>();
  for (const s of symbols) images.set(s.symbology, await doc.embedPng(s.png));

  const sheet = SHEETS[options.size];
  const perPage = sheet.columns * sheet.rows;
  let page: PDFPage | undefined;
  for (let i = 0; i < options.copies; i++) {
    const slot = i % perPage;
    if (slot === 0) page = doc.addPage(sheet.page);
    const column = slot % sheet.columns;
    const row = Math.floor(slot / sheet.columns);
    const x = sheet.left + column * (sheet.label[0] + sheet.columnGap);
    const top = sheet.page[1] - sheet.top - row * (sheet.label[1] + sheet.rowGap);
    drawLabel(page!, { x, y: top - sheet.label[1], w: sheet.label[0], h: sheet.label[1] }, content, symbologies, images, font, bold);
  }
  const pdf = await doc.save();
  return { pdf, content, symbols, pages: doc.getPageCount() };
}

async function drawSymbol(symbology: "gs1-128" | "datamatrix", text: string): Promise<Buffer> {
  // Drawn at a generous resolution and scaled down into the label; the quiet zones (10 modules
  // for GS1-128, 1 for DataMatrix) are part of the image so no layout can crowd them.
  return symbology === "gs1-128"
    ? bwipjs.toBuffer({ bcid: "gs1-128", text, scale: 4, height: 15, paddingwidth: 10, paddingheight: 2, backgroundcolor: "FFFFFF" })
    : bwipjs.toBuffer({ bcid: "gs1datamatrix", text, scale: 8, paddingwidth: 2, paddingheight: 2, backgroundcolor: "FFFFFF" });
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function drawLabel(
  page: PDFPage,
  box: Box,
  content: LabelContent,
  symbologies: ("gs1-128" | "datamatrix")[],
  images: Map<string, PDFImage>,
  font: PDFFont,
  bold: PDFFont,
): void {
  const pad = Math.min(box.w, box.h) * 0.06;
  const inner = { x: box.x + pad, y: box.y + pad, w: box.w - 2 * pad, h: box.h - 2 * pad };
  const size = Math.max(5.5, Math.min(12, inner.h / 18));
  const black = rgb(0, 0, 0);
  const line = size * 1.25;

  const lines = [`GTIN ${content.gtin}`, `LOT ${content.lotNumber}`, `EXP ${content.expiresOn ?? "none"}`];
  if (content.serial) lines.push(`SN ${content.serial}`);
  const hasMatrix = symbologies.includes("datamatrix");

  let bottom = inner.y;
  const linear = images.get("gs1-128");
  if (linear && symbologies.includes("gs1-128")) {
    // The element string under the bars, as GS1 asks of a GS1-128 label's human-readable line.
    const hriSize = fitSize(content.elementString, font, size * 0.9, inner.w);
    page.drawText(content.elementString, {
      x: inner.x + (inner.w - font.widthOfTextAtSize(content.elementString, hriSize)) / 2,
      y: bottom,
      size: hriSize,
      font,
      color: black,
    });
    bottom += line;
    // Beside a DataMatrix the text has the matrix's height; alone, the bars get what the title
    // and the text lines above them leave (they must never be cut off).
    const left = inner.h - size * 1.4 - pad - (lines.length + 1) * line;
    const barHeight = hasMatrix ? inner.h * 0.28 : Math.max(inner.h * 0.15, Math.min(inner.h * 0.42, left));
    page.drawImage(linear, { x: inner.x, y: bottom, width: inner.w, height: barHeight });
    bottom += barHeight + pad / 2;
  }

  let y = inner.y + inner.h - size * 1.15;
  page.drawText(fit(content.product, bold, size * 1.15, inner.w), { x: inner.x, y, size: size * 1.15, font: bold, color: black });
  y -= pad / 2;

  let textX = inner.x;
  const matrix = images.get("datamatrix");
  if (matrix && hasMatrix) {
    const side = Math.min(y - bottom, inner.w * 0.45);
    page.drawImage(matrix, { x: inner.x, y: y - side, width: side, height: side });
    textX = inner.x + side + pad;
  }
  // GTIN, lot and expiry are printed whole: the type shrinks to the room rather than being cut.
  const width = inner.x + inner.w - textX;
  const textSize = Math.min(...lines.map((text) => fitSize(text, font, size, width)));
  for (const text of lines) {
    y -= textSize * 1.25;
    if (y < bottom) break;
    page.drawText(text, { x: textX, y, size: textSize, font, color: black });
  }
}
