// The shopper-facing recall check behind the app proxy (decision 110): which lot a GS1 Digital
// Link path names, and the page that answers it. Pure: no DB, no Remix. The page shows only what
// is printed on the pack anyway (product, GTIN, lot) and what the merchant published about the
// recall (its reason and what to do); never customers, orders or stock.
import { parseGs1 } from "../gs1/gs1";
import type { RecallSeverity } from "./recall-rules";
import type { OrderRecall } from "../../lib/extension-api";

export interface PublicLotKey {
  /** 14 digits, check digit verified. */
  gtin: string;
  lot: string;
}

/**
 * The GTIN and lot of a Digital Link path such as `/01/09506000134352/10/ABC123` (what follows the
 * proxy URL; a stem before /01/ and a query such as ?17=... are allowed, as on a pack). Null when
 * the path is not a Digital Link with both a GTIN and a lot: the page then asks for the full code.
 */
export function publicLotKey(path: string): PublicLotKey | null {
  const clean = path.startsWith("/") ? path : `/${path}`;
  try {
    // The host is irrelevant to the keys; the shared parser needs a whole URI.
    const result = parseGs1(`https://proxy.invalid${clean}`);
    if (result.format !== "GS1 Digital Link" || !result.gtin || !result.lot) return null;
    return { gtin: result.gtin, lot: result.lot };
  } catch {
    return null;
  }
}

export type PublicCheckAnswer =
  | { kind: "unreadable" }
  | { kind: "unknown"; key: PublicLotKey }
  | { kind: "clear"; key: PublicLotKey; product: string | null }
  | { kind: "recalled"; key: PublicLotKey; product: string | null; reason: string; severity: RecallSeverity; openedOn: string };

/** What a shopper should do, by the recall's class (the merchant's reason says why). */
export function recallAdvice(severity: RecallSeverity): string {
  switch (severity) {
    case "CLASS_I":
      return "Stop using this product now. Do not consume, use or give it away. Keep it for a return or dispose of it safely, and contact the store for a refund or replacement. If you feel unwell after using it, seek medical advice.";
    case "CLASS_II":
      return "Stop using this product. Contact the store for a return, refund or replacement.";
    case "CLASS_III":
      return "You may contact the store for a return, refund or replacement.";
  }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "{": "&#123;", "}": "&#125;" };
/** HTML-escaped; braces too, so nothing a merchant or a path supplies can ever read as Liquid or a template. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'{}]/g, (c) => ESCAPES[c]!);
}

export interface PublicPage {
  status: number;
  title: string;
  html: string;
}

/** The whole page (self-contained HTML, no scripts, no external assets). */
export function renderPublicCheck(answer: PublicCheckAnswer, shopName: string): PublicPage {
  const e = escapeHtml;
  const lotLine = (key: PublicLotKey, product: string | null) =>
    `<p class="lot">${product ? `${e(product)}<br>` : ""}GTIN ${e(key.gtin)}, lot ${e(key.lot)}</p>`;
  let status = 200;
  let title: string;
  let body: string;
  switch (answer.kind) {
    case "unreadable":
      status = 404;
      title = "Recall check";
      body = `<h1>Recall check</h1><p>This link does not name a product and lot. Scan the QR code on the pack again, or enter the address printed next to it in full (it contains /01/&lt;GTIN&gt;/10/&lt;lot&gt;).</p>`;
      break;
    case "unknown":
      status = 404;
      title = "Lot not found";
      body = `<h1>We have no record of this lot</h1>${lotLine(answer.key, null)}<p>Check that the code was scanned in full. If you bought this product from ${e(shopName)}, contact the store.</p>`;
      break;
    case "clear":
      title = "Not recalled";
      body = `<h1 class="ok">Not recalled</h1>${lotLine(answer.key, answer.product)}<p>There is no recall for this lot.</p>`;
      break;
    case "recalled":
      title = "RECALLED";
      body =
        `<h1 class="alert">RECALLED</h1>${lotLine(answer.key, answer.product)}` +
        `<p><strong>What to do:</strong> ${e(recallAdvice(answer.severity))}</p>` +
        `<p><strong>Reason:</strong> ${e(answer.reason)}</p><p class="small">Recall since ${e(answer.openedOn)}.</p>`;
      break;
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${e(title)} - ${e(shopName)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}.alert{color:#b00020}.ok{color:#1a7f37}.lot{font-size:1.1rem}.small{color:#555;font-size:.9rem}</style>
</head><body><main>${body}<p class="small">${e(shopName)}</p></main></body></html>`;
  return { status, title, html };
}

/** A lot shipped on a customer's order and one open recall covering it (customer-order-recalls.server.ts). */
export interface ShippedRecalledLot {
  lotId: bigint | string;
  lotNumber: string;
  product: string | null;
  severity: RecallSeverity;
  reason: string;
  openedAt: Date;
}

const SEVERITY_RANK: Record<RecallSeverity, number> = { CLASS_I: 0, CLASS_II: 1, CLASS_III: 2 };

/**
 * What the order status banner shows: each recalled lot once (a lot can ship on several lines or
 * fulfilments, and sit in several recalls), under its most serious, then newest, recall as the
 * public check picks it, with the same "what to do" text. Sorted most serious first, then by product and lot.
 */
export function orderRecallsView(rows: readonly ShippedRecalledLot[]): OrderRecall[] {
  const worse = (a: ShippedRecalledLot, b: ShippedRecalledLot) =>
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.openedAt.getTime() - a.openedAt.getTime();
  const byLot = new Map<string, ShippedRecalledLot>();
  for (const row of rows) {
    const key = String(row.lotId);
    const kept = byLot.get(key);
    if (!kept || worse(row, kept) < 0) byLot.set(key, row);
  }
  return [...byLot.values()]
    .sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (a.product ?? "").localeCompare(b.product ?? "") || a.lotNumber.localeCompare(b.lotNumber),
    )
    .map((row) => ({
      product: row.product,
      lotNumber: row.lotNumber,
      whatToDo: recallAdvice(row.severity),
      reason: row.reason,
      openedOn: row.openedAt.toISOString().slice(0, 10),
    }));
}
