// A report's table as CSV (the panel's download and `lotkeeper reports <name> --format csv`).
import { csvRecord } from "../exports/csv-cells";
import type { Report, ReportResult } from "./report";

export function reportCsv(report: Report, result: ReportResult): string {
  return csvRecord(report.columns.map((c) => c.label)) + result.rows.map((row) => csvRecord(report.columns.map((c) => row[c.key] ?? null))).join("");
}
