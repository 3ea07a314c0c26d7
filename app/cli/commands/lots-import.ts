import { createReadStream } from "node:fs";
import { CliError, UsageError, type Command } from "../command";
import { importLotsCsv, readImportFile } from "../../domain/lots/import-lots.server";
import { CsvError } from "../../domain/lots/csv";
import { printJson } from "../command";
import { requireShopId } from "../shop-option";
import { shopOption } from "./lots-shared";

export const lotsImport: Command = {
  name: "lots import",
  summary: "Import lots from a CSV file (--dry-run lists every bad row; a real run is all or nothing)",
  usage: `lotkeeper lots import <file.csv> --shop <domain> [--dry-run] [--as-receipts]

Columns (header line, any order, case-insensitive): variant_id (or sku), lot_number (empty: generated),
quantity, location_id, expires_on, best_before_on, produced_on (YYYY-MM-DD), supplier, supplier_lot,
purchase_order, unit_cost, currency, notes, gtin, bin (the bin the units are put in). Separator "," or ";" (detected), quotes per RFC 4180;
UTF-8 (a file in another encoding is refused, naming it), at most 50,000 rows.
By default the file is opening stock: units Shopify already counts, so Shopify is not changed
(units reconciliation had put in an incomplete UNLOTTED lot at the same place are taken from it).
--as-receipts treats the rows as goods arriving now: Shopify is raised by them (reason "received").
--dry-run checks everything and changes nothing. A real run imports every row in one transaction,
or none when any row is bad. Prints {"rows","imported","lotsCreated","units","errors":[{"row","column","reason"}]};
exits 1 when there are errors.`,
  options: { ...shopOption, "dry-run": { type: "boolean" }, "as-receipts": { type: "boolean" } },
  async run(args) {
    const file = args.positionals[0];
    if (!file) throw new UsageError("give the CSV file: lotkeeper lots import <file.csv> --shop <domain>");
    const shopId = await requireShopId(args);
    let text: string;
    try {
      // Read as it streams: strict UTF-8, refused at the row over the limit (the rest unread).
      text = await readImportFile(createReadStream(file));
    } catch (error) {
      if (error instanceof CsvError) throw new CliError(`${file}: ${error.message}; nothing imported`);
      throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const report = await importLotsCsv(shopId, text, {
      dryRun: args.values["dry-run"] === true,
      mode: args.values["as-receipts"] === true ? "receipts" : "opening-stock",
      ctx: { cause: "CLI", causeRef: `import:${file}` },
      onProgress: printProgress,
    });
    if (report.errors.length > 0) {
      printJson(report);
      const first = report.errors[0]!;
      throw new CliError(
        `${report.errors.length} bad row(s), nothing imported; first: row ${first.row}${first.column ? `, ${first.column}` : ""}: ${first.reason}`,
      );
    }
    return report;
  },
};

/** On a terminal: "imported 1000 of 50000 rows" on stderr, every 1000 rows (the JSON on stdout is unchanged). */
function printProgress(done: number, total: number): void {
  if (!process.stderr.isTTY || (done % 1000 !== 0 && done !== total)) return;
  process.stderr.write(`\rimported ${done} of ${total} rows${done === total ? " (committing)\n" : ""}`);
}
