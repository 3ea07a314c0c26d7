// Runs a report for a shop on the shop's today (shop-day.ts): the one entry of the panel and the CLI.
import { pool } from "../../db.server";
import { DomainError } from "../errors";
import { shopDay } from "../shops/shop-day.server";
import type { Report, ReportOptions, ReportResult } from "./report";
import { findReport, REPORTS } from "./registry";

export class UnknownReportError extends DomainError {
  override name = "UnknownReportError";
  constructor(name: string) {
    super(`there is no report "${name}": the reports are ${REPORTS.map((r) => r.name).join(", ")}`);
  }
}

export async function runReport(
  shopId: number,
  name: string,
  options: ReportOptions,
  now: Date = new Date(),
): Promise<{ report: Report; result: ReportResult }> {
  const report = findReport(name);
  if (!report) throw new UnknownReportError(name);
  const db = pool();
  return { report, result: await report.run(db, shopId, options, await shopDay(db, shopId, now)) };
}
