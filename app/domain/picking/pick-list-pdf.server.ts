// The pick list as a PDF for the picker's clipboard: the same rows, lot groups and totals as the
// JSON and CSV (pick-list.server.ts), in walking order (bin, then lot), on A4 or US Letter. A long
// list runs onto as many pages as it needs; every page repeats the header (shop, location, date)
// and the column heads, and a lot group cut by a page break says "(continued)".
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import { fit, fitSize } from "../../lib/pdf-text";
import type { PickList } from "./pick-list.server";
import type { PickLotGroup, PickRow, PickStatus } from "./pick-list-rules";

export const PICK_LIST_PAPERS = ["a4", "letter"] as const;
export type PickListPaper = (typeof PICK_LIST_PAPERS)[number];

const POINTS_PER_MM = 72 / 25.4;
const PAGE_SIZES: Record<PickListPaper, [number, number]> = {
  a4: [210 * POINTS_PER_MM, 297 * POINTS_PER_MM],
  letter: [8.5 * 72, 11 * 72],
};

const MARGIN = 36;
const SIZE = 8.5;
const LINE = 13;
const BLACK = rgb(0, 0, 0);
const GREY = rgb(0.45, 0.45, 0.45);

/** Short words for the note column (the print view's, cut to fit a narrow cell). */
const STATUS_NOTES: Record<PickStatus, string> = {
  pick: "",
  "no-lot-available": "No lot available",
  manual: "Choose lot",
  "not-lot-tracked": "Not tracked",
};

interface ColumnDef {
  head: string;
  /** Share of the text width (they add up to 1). */
  share: number;
  cell: (r: PickRow) => string;
  right?: boolean;
  /**
   * What the picker reads off and must find on the shelf or the order (ids, lot, date, bin) is
   * never cut: its type shrinks to the cell. Names are cut with an ellipsis instead.
   */
  whole?: boolean;
}

const COLUMNS: ColumnDef[] = [
  { head: "Order", share: 0.08, cell: (r) => r.orderName ?? r.orderId.toString(), whole: true },
  { head: "Line", share: 0.14, cell: (r) => r.lineItemId.toString(), whole: true },
  { head: "SKU", share: 0.11, cell: (r) => r.sku ?? "" },
  { head: "Product", share: 0.22, cell: (r) => r.title ?? "" },
  { head: "Lot", share: 0.12, cell: (r) => r.lotNumber ?? "", whole: true },
  { head: "Expiry", share: 0.1, cell: (r) => r.expiresOn ?? "", whole: true },
  { head: "Bin", share: 0.08, cell: (r) => r.bin ?? "", whole: true },
  { head: "Qty", share: 0.05, cell: (r) => String(r.quantity), right: true, whole: true },
  { head: "Note", share: 0.1, cell: (r) => STATUS_NOTES[r.status] },
];

export interface PickListPdfOptions {
  /** The shop's domain, printed in the header. */
  shop: string;
  paper?: PickListPaper;
}

export interface RenderedPickList {
  pdf: Uint8Array;
  pages: number;
}

/** "a4" or "letter" (any case); anything else is null so the caller can say what is accepted. */
export function parsePickListPaper(value: string): PickListPaper | null {
  const paper = value.trim().toLowerCase();
  return (PICK_LIST_PAPERS as readonly string[]).includes(paper) ? (paper as PickListPaper) : null;
}

/** Draws the pick list; pure but for pdf-lib (no database), so the CLI and the page share it. */
export async function pickListPdf(list: PickList, options: PickListPdfOptions): Promise<RenderedPickList> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Pick list ${list.location.name ?? list.location.id.toString()}`);
  doc.setCreator("Lotkeeper");
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const writer = new PageWriter(doc, PAGE_SIZES[options.paper ?? "a4"], font, bold, headerLines(list, options.shop));

  if (list.rows.length === 0) writer.text("Nothing left to pick at this location.", { font: bold });
  for (const group of list.lots) drawGroup(writer, group);
  drawTotals(writer, list);
  writer.finish();
  return { pdf: await doc.save(), pages: doc.getPageCount() };
}

function headerLines(list: PickList, shop: string): string[] {
  const where = list.location.name ? `${list.location.name} (location ${list.location.id})` : `Location ${list.location.id}`;
  const when = `${list.generatedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const orders = list.orders.map((o) => o.name ?? o.id.toString());
  const shown = orders.length > 8 ? `${orders.slice(0, 8).join(", ")} and ${orders.length - 8} more` : orders.join(", ");
  return [
    `Shop: ${shop}    Location: ${where}    Planned: ${when}`,
    `${orders.length} order${orders.length === 1 ? "" : "s"}${shown ? `: ${shown}` : ""}. Planned over the lot balances on hand; nothing is reserved.`,
  ];
}

function groupTitle(group: PickLotGroup): string {
  if (group.lotId === null) return "Without a lot to pick from";
  const parts = [`Bin ${group.bin ?? "(none)"}`, `Lot ${group.lotNumber ?? group.lotId.toString()}`];
  if (group.expiresOn) parts.push(`expires ${group.expiresOn}`);
  return parts.join(" · ");
}

function drawGroup(writer: PageWriter, group: PickLotGroup): void {
  const title = groupTitle(group);
  // A group heading never sits alone at the foot of a page: it needs one row below it.
  writer.ensureRoom(2 * LINE);
  writer.groupHeading(title, `${group.totalQuantity} unit${group.totalQuantity === 1 ? "" : "s"}`);
  for (const row of group.rows) {
    if (writer.ensureRoom(LINE)) writer.groupHeading(`${title} (continued)`, "");
    writer.row(row);
  }
  writer.gap(LINE / 2);
}

function drawTotals(writer: PageWriter, list: PickList): void {
  const t = list.totals;
  const parts = [`${t.quantity} unit${t.quantity === 1 ? "" : "s"}`, `${t.toPick} to pick`];
  if (t.noLotAvailable) parts.push(`${t.noLotAvailable} with no lot available`);
  if (t.manual) parts.push(`${t.manual} to choose by hand`);
  if (t.notLotTracked) parts.push(`${t.notLotTracked} not lot-tracked`);
  writer.text(`Total: ${parts.join(", ")}.`, { font: writer.bold });
}

/** Lays lines down a page and starts the next page (header and column heads again) when full. */
class PageWriter {
  private page!: PDFPage;
  private y = 0;
  private readonly pages: PDFPage[] = [];
  private readonly width: number;

  constructor(
    private readonly doc: PDFDocument,
    private readonly size: [number, number],
    readonly font: PDFFont,
    readonly bold: PDFFont,
    private readonly header: string[],
  ) {
    this.width = size[0] - 2 * MARGIN;
    this.newPage();
  }

  /** Starts a new page when fewer than `height` points are left; true when it did. */
  ensureRoom(height: number): boolean {
    // The footer (page n of m) takes the bottom line.
    if (this.y - height >= MARGIN + LINE) return false;
    this.newPage();
    return true;
  }

  text(text: string, { font = this.font, size = SIZE, color = BLACK } = {}): void {
    this.ensureRoom(LINE);
    this.y -= LINE;
    this.page.drawText(fit(text, font, size, this.width), { x: MARGIN, y: this.y, size, font, color });
  }

  gap(height: number): void {
    this.y -= height;
  }

  groupHeading(title: string, total: string): void {
    this.y -= LINE;
    this.page.drawRectangle({ x: MARGIN, y: this.y - 3, width: this.width, height: LINE, color: rgb(0.92, 0.92, 0.92) });
    const totalWidth = total ? this.bold.widthOfTextAtSize(total, SIZE) : 0;
    this.page.drawText(fit(title, this.bold, SIZE, this.width - totalWidth - 12), { x: MARGIN + 2, y: this.y, size: SIZE, font: this.bold, color: BLACK });
    if (total) this.page.drawText(total, { x: MARGIN + this.width - totalWidth - 2, y: this.y, size: SIZE, font: this.bold, color: BLACK });
  }

  row(r: PickRow): void {
    this.y -= LINE;
    this.cells(
      COLUMNS.map((c) => c.cell(r)),
      this.font,
    );
  }

  /** Page numbers ("page 2 of 3") once every page exists. */
  finish(): void {
    this.pages.forEach((page, i) => {
      const text = `Page ${i + 1} of ${this.pages.length}`;
      page.drawText(text, { x: MARGIN + this.width - this.font.widthOfTextAtSize(text, SIZE - 1), y: MARGIN, size: SIZE - 1, font: this.font, color: GREY });
    });
  }

  private cells(values: string[], font: PDFFont): void {
    let x = MARGIN;
    COLUMNS.forEach((column, i) => {
      const cellWidth = column.share * this.width;
      const room = cellWidth - 4;
      const text = column.whole ? fit(values[i]!, font, SIZE, Infinity) : fit(values[i]!, font, SIZE, room);
      const size = column.whole && text ? fitSize(text, font, SIZE, room) : SIZE;
      const left = column.right ? x + room - font.widthOfTextAtSize(text, size) : x;
      if (text) this.page.drawText(text, { x: left, y: this.y, size, font, color: BLACK });
      x += cellWidth;
    });
  }

  private newPage(): void {
    this.page = this.doc.addPage(this.size);
    this.pages.push(this.page);
    this.y = this.size[1] - MARGIN - 14;
    this.page.drawText("Pick list", { x: MARGIN, y: this.y, size: 14, font: this.bold, color: BLACK });
    for (const line of this.header) {
      this.y -= LINE;
      this.page.drawText(fit(line, this.font, SIZE, this.width), { x: MARGIN, y: this.y, size: SIZE, font: this.font, color: BLACK });
    }
    this.y -= LINE * 1.5;
    this.cells(
      COLUMNS.map((c) => c.head),
      this.bold,
    );
    this.page.drawLine({ start: { x: MARGIN, y: this.y - 3 }, end: { x: MARGIN + this.width, y: this.y - 3 }, thickness: 0.5, color: GREY });
    this.y -= 4;
  }
}
