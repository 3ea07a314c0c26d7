import { writeFile } from "node:fs/promises";
import type { Command } from "../command";
import { optionalString, requireString } from "../command";
import { requireShopId } from "../shop-option";
import { lotLabelPdf } from "../../domain/labels/label-pdf.server";
import { parseCopies, parseLabelSize, parseSymbology } from "../../domain/labels/label-rules";
import { lotFrom, lotOptions, shopOption } from "./lots-shared";

export const lotsLabel: Command = {
  name: "lots label",
  summary: "Print GS1-128 / GS1 DataMatrix labels of a lot (GTIN, expiry, lot) to a PDF",
  usage: `lotkeeper lots label --shop <domain> (--lot <number> [--variant <id>] | --lot-id <id>)
                     [--size 4x6|2.25x1.25|a4] [--copies N] [--symbology gs1-128|datamatrix|both]
                     [--serial <serial>] --out <file.pdf>

Sizes: 4x6 in (one label a page), 2.25x1.25 in (one a page, one barcode: datamatrix unless
--symbology gs1-128), a4 (8 labels of 99.1x67.7 mm a sheet). Default 4x6, 1 copy, both symbols.
The symbols carry (01) GTIN, (17) expiry YYMMDD when the lot has one, (21) serial when given,
and (10) lot. The GTIN is the lot's own, else the variant's barcode; a lot without one is refused.
Prints {"file","pages","labels","elementString"}.`,
  options: {
    ...shopOption,
    ...lotOptions,
    size: { type: "string" },
    copies: { type: "string" },
    symbology: { type: "string" },
    serial: { type: "string" },
    out: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const out = requireString(args, "out");
    const size = parseLabelSize(optionalString(args, "size") ?? "4x6");
    const copies = parseCopies(optionalString(args, "copies") ?? "1");
    const symbologyText = optionalString(args, "symbology");
    const symbology = symbologyText ? parseSymbology(symbologyText) : undefined;
    const lotId = await lotFrom(args, shopId);
    const rendered = await lotLabelPdf(shopId, lotId, { size, copies, symbology, serial: optionalString(args, "serial") ?? null });
    await writeFile(out, rendered.pdf);
    return { file: out, pages: rendered.pages, labels: copies, elementString: rendered.content.elementString };
  },
};
