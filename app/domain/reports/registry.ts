// Every report the panel (/app/reports/<name>) and the CLI (`lotkeeper reports <name>`) offer.
import type { Report } from "./report";
import { expiryReport } from "./expiry-report.server";

export const REPORTS: readonly Report[] = [expiryReport];

export function findReport(name: string): Report | undefined {
  return REPORTS.find((report) => report.name === name);
}
