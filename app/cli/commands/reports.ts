// `lotkeeper reports <name>`: one command per report of the registry (app/domain/reports/registry.ts).
import { optionalString, UsageError, type Command } from "../command";
import { optionalShopifyId, requireShopId } from "../shop-option";
import { REPORTS } from "../../domain/reports/registry";
import { runReport } from "../../domain/reports/run-report.server";
import { reportCsv } from "../../domain/reports/report-csv";
import type { Report } from "../../domain/reports/report";

function reportCommand(report: Report): Command {
  return {
    name: `reports ${report.name}`,
    summary: `${report.title}: ${report.description}`,
    usage: `lotkeeper reports ${report.name} --shop <domain> [--location <id>] [--format json|csv]

${report.description} Counted from today in the shop's time zone. JSON (the default) prints the
report's figures; csv prints its table (${report.columns.map((c) => c.label).join(", ")}).`,
    options: { shop: { type: "string" }, location: { type: "string" }, format: { type: "string" } },
    async run(args) {
      const shopId = await requireShopId(args);
      const format = optionalString(args, "format") ?? "json";
      if (format !== "json" && format !== "csv") throw new UsageError(`--format must be json or csv, got "${format}"`);
      const { result } = await runReport(shopId, report.name, { locationId: optionalShopifyId(args, "location"), extra: {}, detail: format === "json" });
      if (format === "json") return result.json;
      process.stdout.write(reportCsv(report, result));
      return undefined;
    },
  };
}

export const reportCommands: Command[] = REPORTS.map(reportCommand);
