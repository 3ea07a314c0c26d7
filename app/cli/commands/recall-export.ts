import type { Command } from "../command";
import { UsageError, requireString } from "../command";
import { optionalShopifyId, requireShopId } from "../shop-option";
import { isExportFormat, lotExportScope, recallCaseScope, recallCsvStream, recallEpcisStream } from "../../domain/exports/recall-exports.server";
import { fsma204CsvStream } from "../../domain/exports/fsma204.server";
import { recallIdFor } from "./recall-cases";

export const recallExport: Command = {
  name: "recall export",
  summary: "Stream the regulator export of a lot or a recall case to stdout: CSV, GS1 EPCIS 2.0 or FSMA 204 sheet",
  usage: `lotkeeper recall export --shop <domain> (--lot <number> [--variant <id>] [--direct-only] | --recall <id or reference>)
                       --format csv|epcis|fsma204  > file

csv:   one row per lot x shipment line, a column per data element (see README "Recalls and trace"),
       plus unknown-lot shipments in the lot's window ("unknown lot, possibly affected").
epcis: GS1 EPCIS 2.0 JSON-LD document (receipts, production runs, quarantines, shipments, returns),
       in causal order (README "Recalls and trace", docs/decisions/085).
fsma204: FDA Food Traceability Rule sortable spreadsheet (CSV): a row per receiving, shipping or
       transformation event with its Key Data Elements (README "FSMA 204 sortable spreadsheet").
Written to stdout as it is read from the database (constant memory).`,
  options: {
    shop: { type: "string" },
    lot: { type: "string" },
    variant: { type: "string" },
    "direct-only": { type: "boolean" },
    recall: { type: "string" },
    format: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const format = requireString(args, "format");
    if (!isExportFormat(format)) throw new UsageError(`--format must be csv, epcis or fsma204, got "${format}"`);
    const recall = typeof args.values.recall === "string" ? args.values.recall.trim() : undefined;
    const lot = typeof args.values.lot === "string" ? args.values.lot.trim() : undefined;
    if ((recall ? 1 : 0) + (lot ? 1 : 0) !== 1) throw new UsageError("give either --lot <number> or --recall <id or reference>");
    let lots;
    if (recall) {
      lots = (await recallCaseScope(shopId, await recallIdFor(shopId, recall))).lots;
    } else {
      lots = await lotExportScope(shopId, { lotNumber: lot!, variantId: optionalShopifyId(args, "variant"), directOnly: args.values["direct-only"] === true });
    }
    const stream =
      format === "csv"
        ? await recallCsvStream(shopId, lots)
        : format === "fsma204"
          ? await fsma204CsvStream(shopId, lots)
          : await recallEpcisStream(shopId, lots);
    await new Promise<void>((resolve, reject) => {
      stream.once("error", reject);
      stream.once("end", resolve);
      stream.pipe(process.stdout, { end: false });
    });
    if (format === "epcis") process.stdout.write("\n");
    return undefined;
  },
};
