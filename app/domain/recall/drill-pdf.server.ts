// The drill report as a PDF (A4, pdf-lib's standard Helvetica): what a merchant files to show an
// auditor the mock recall was run, when, how long it took and whether every unit is accounted for.
import { PDFDocument, StandardFonts, type PDFFont, type PDFPage } from "pdf-lib";
import type { DrillReport } from "./recall-drill.server";
import type { MassBalance } from "./mass-balance-rules";

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const LINE = 15;

/** Standard fonts draw WinAnsi only: other characters (a lot number in Cyrillic) become "?". */
const winAnsi = (text: string) => text.replace(/[^\x20-\x7e\xa0-\xff]/g, "?");

class Writer {
  private page!: PDFPage;
  private y = 0;
  constructor(
    private readonly doc: PDFDocument,
    private readonly font: PDFFont,
    private readonly bold: PDFFont,
  ) {
    this.newPage();
  }
  private newPage() {
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN;
  }
  line(text: string, options: { size?: number; bold?: boolean; x?: number } = {}) {
    const size = options.size ?? 10;
    if (this.y - size < MARGIN) this.newPage();
    this.page.drawText(winAnsi(text), { x: MARGIN + (options.x ?? 0), y: this.y - size, size, font: options.bold ? this.bold : this.font });
    this.y -= Math.max(LINE, size + 5);
  }
  row(cells: string[], widths: number[], bold = false) {
    if (this.y - 10 < MARGIN) this.newPage();
    let x = MARGIN;
    cells.forEach((cell, i) => {
      this.page.drawText(winAnsi(cell), { x, y: this.y - 10, size: 9, font: bold ? this.bold : this.font });
      x += widths[i]!;
    });
    this.y -= LINE;
  }
  gap() {
    this.y -= LINE / 2;
  }
}

const BALANCE_ROWS: [keyof MassBalance, string][] = [
  ["received", "Received (receipts, production output)"],
  ["shipped", "Shipped (to customers, into production runs)"],
  ["returned", "Returned by customers (back in the lot)"],
  ["onHand", "On hand"],
  ["destroyed", "Destroyed (written off as damaged)"],
  ["adjusted", "Adjusted (corrections, counts, reconciliation)"],
  ["unexplained", "Unexplained"],
];

export async function drillReportPdf(report: DrillReport, title: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Mock recall ${title}`);
  doc.setCreator("Lotkeeper");
  const w = new Writer(doc, await doc.embedFont(StandardFonts.Helvetica), await doc.embedFont(StandardFonts.HelveticaBold));
  w.line(`Mock recall drill: lot ${title}`, { size: 16, bold: true });
  w.line("Nothing was changed in Shopify or sent to customers: no quarantine, no tags, no contact.");
  w.line(`Started ${report.startedAt}   finished ${report.finishedAt}`);
  // Auditors count in minutes (BRCGS asks for the trace within 4 hours).
  w.line(`Time taken: ${(report.durationMs / 60000).toFixed(2)} minutes (${report.durationMs} ms)`);
  w.line(`Trace complete: ${report.steps.length} steps run   quantities reconciled: ${report.massBalance.unexplained === 0 ? "yes" : "no"}`);
  w.line(`Lots in scope: ${report.lots.length}   customers who received units: ${report.customers}`);
  w.gap();
  w.line("Mass balance (received = shipped - returned + on hand + destroyed + adjusted + unexplained)", { bold: true });
  for (const [key, label] of BALANCE_ROWS) w.row([label, String(report.massBalance[key])], [300, 80], key === "unexplained");
  w.line(
    report.massBalance.unexplained === 0 ? "Every unit is accounted for." : `${report.massBalance.unexplained} unit(s) are not explained by the records.`,
    {
      bold: report.massBalance.unexplained !== 0,
    },
  );
  w.gap();
  w.line("Lots", { bold: true });
  const widths = [110, 45, 50, 50, 50, 50, 50, 50, 60];
  w.row(["Lot", "Direct", "Received", "Shipped", "Returned", "On hand", "Destroyed", "Adjusted", "Unexplained"], widths, true);
  for (const lot of report.lots) {
    const b = lot.massBalance;
    w.row(
      [lot.lotNumber, lot.direct ? "yes" : `+${lot.depth}`, b.received, b.shipped, b.returned, b.onHand, b.destroyed, b.adjusted, b.unexplained].map(String),
      widths,
    );
    if (lot.supplier) w.line(`supplier ${lot.supplier}${lot.supplierLot ? `, supplier lot ${lot.supplierLot}` : ""}`, { size: 8, x: 10 });
  }
  w.gap();
  w.line("Steps", { bold: true });
  w.row(["Step", "Time (ms)", "Found"], [250, 80, 80], true);
  for (const s of report.steps) w.row([s.name, String(s.ms), String(s.count)], [250, 80, 80]);
  return doc.save();
}
