// Text in a PDF drawn with pdf-lib's standard fonts: they encode WinAnsi only (drawText throws on
// anything else), and a cell must never run into the next one. Shared by labels and pick lists.
import type { PDFFont } from "pdf-lib";

/** The font size up to `size` at which `text` fits `width`. */
export function fitSize(text: string, font: PDFFont, size: number, width: number): number {
  return Math.min(size, (size * width) / font.widthOfTextAtSize(text, size));
}

/** `text` in the font's character set (WinAnsi; anything else becomes "?"), cut with an ellipsis to `width`. */
export function fit(text: string, font: PDFFont, size: number, width: number): string {
  let out = text.replace(/[^\x20-\x7e\xa0-\xff]/g, "?");
  if (font.widthOfTextAtSize(out, size) <= width) return out;
  while (out.length > 1 && font.widthOfTextAtSize(`${out}…`, size) > width) out = out.slice(0, -1);
  return `${out}…`;
}
