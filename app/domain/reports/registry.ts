// Every report the panel (/app/reports/<name>) and the CLI (`lotkeeper reports <name>`) offer.
import type { Report } from "./report";

export const REPORTS: readonly Report[] = [];

export function findReport(name: string): Report | undefined {
  return REPORTS.find((report) => report.name === name);
}
