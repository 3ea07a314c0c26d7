// Reading barcodes back in tests the way a scanner would: zxing-wasm (ZXing C++) on the pixels.
// Its WebAssembly is loaded from node_modules, not fetched from a CDN, so tests run offline.
// Also what a PDF of ours carries: its embedded images as pixels, and the text drawn on a page.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { inflateSync } from "node:zlib";
import { PDFArray, PDFDocument, PDFName, PDFNumber, PDFRawStream, PDFRef } from "pdf-lib";
import { prepareZXingModule, readBarcodes, type ReadResult } from "zxing-wasm/reader";

let ready: Promise<unknown> | undefined;

function prepare(): Promise<unknown> {
  if (!ready) {
    const require = createRequire(import.meta.url);
    const wasm = readFileSync(require.resolve("zxing-wasm/reader/zxing_reader.wasm"));
    ready = prepareZXingModule({
      overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer },
      fireImmediately: true,
    });
  }
  return ready;
}

/** Every barcode zxing finds in a PNG. */
export async function readPng(png: Uint8Array): Promise<ReadResult[]> {
  await prepare();
  return readBarcodes(new Blob([new Uint8Array(png)]), { tryHarder: true, formats: ["Code128", "DataMatrix"] });
}

export interface PdfImage {
  width: number;
  height: number;
  /** RGBA pixels of the image as the PDF stores it. */
  rgba: Uint8ClampedArray;
}

/**
 * The raster images a PDF embeds (pdf-lib writes a PNG as a Flate-compressed DeviceRGB image,
 * alpha in a soft mask), decoded back to pixels: what a printer would be sent.
 */
export async function pdfImages(pdf: Uint8Array): Promise<PdfImage[]> {
  const doc = await PDFDocument.load(pdf);
  const out: PdfImage[] = [];
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFRawStream)) continue;
    const dict = object.dict;
    if (dict.get(PDFName.of("Subtype")) !== PDFName.of("Image")) continue;
    if (dict.get(PDFName.of("ColorSpace")) !== PDFName.of("DeviceRGB")) continue; // soft masks are DeviceGray
    const width = (dict.get(PDFName.of("Width")) as PDFNumber).asNumber();
    const height = (dict.get(PDFName.of("Height")) as PDFNumber).asNumber();
    const rgb = inflateSync(object.getContents());
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      rgba[i * 4] = rgb[i * 3]!;
      rgba[i * 4 + 1] = rgb[i * 3 + 1]!;
      rgba[i * 4 + 2] = rgb[i * 3 + 2]!;
      rgba[i * 4 + 3] = 255;
    }
    out.push({ width, height, rgba });
  }
  return out;
}

/** Every barcode zxing finds in an image of a PDF. */
export async function readPdfImage(image: PdfImage): Promise<ReadResult[]> {
  await prepare();
  const data = { data: image.rgba, width: image.width, height: image.height, colorSpace: "srgb" } as ImageData;
  return readBarcodes(data, { tryHarder: true, formats: ["Code128", "DataMatrix"] });
}

/** Width and height of a PNG, from its IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * The text shown on each page, one string per drawText, in drawing order. pdf-lib writes standard
 * font text as hex strings (`<...> Tj`) in a Flate-compressed content stream.
 */
export async function pdfTexts(pdf: Uint8Array): Promise<string[][]> {
  const doc = await PDFDocument.load(pdf);
  return doc.getPages().map((page) => {
    const contents = page.node.get(PDFName.of("Contents"));
    const refs = contents instanceof PDFArray ? contents.asArray() : [contents];
    let ops = "";
    for (const ref of refs) {
      const stream = doc.context.lookup(ref as PDFRef);
      if (!(stream instanceof PDFRawStream)) continue;
      const flate = stream.dict.get(PDFName.of("Filter")) === PDFName.of("FlateDecode");
      ops += (flate ? inflateSync(stream.getContents()) : Buffer.from(stream.getContents())).toString("latin1");
    }
    return [...ops.matchAll(/<([0-9A-Fa-f]*)> Tj/g)].map((m) => Buffer.from(m[1]!, "hex").toString("latin1"));
  });
}
