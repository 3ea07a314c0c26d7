// A report: one definition serves the admin panel (/app/reports/<name>: table, chart, CSV
// download) and the CLI (`lotkeeper reports <name> --shop <d> [--from --to] [--format json|csv]`).
// The registry (app/domain/reports/registry.ts) lists them; run() is the only place its figures
// are computed.
import type { Db } from "../../lib/sql.server";
import type { Day } from "../shops/shop-day";

export interface ReportOptions {
  /** Shop-local days, inclusive; undefined: the report's own default range. */
  from?: Day;
  to?: Day;
  locationId?: bigint;
  /** Report-specific options (e.g. trends' "week" | "month"), already checked by parseOptions. */
  extra: Record<string, string>;
  /** Also the JSON's item-level list (e.g. every lot): the CLI's JSON asks for it, the panel's table and CSV do not. */
  detail?: boolean;
}

export interface ReportColumn {
  key: string;
  label: string;
  kind: "text" | "number" | "money" | "percent" | "day";
}

export interface ReportChart {
  type: "bar" | "line" | "stacked-bar";
  /** The row key on the x axis, and the series (row keys, each a numeric column). */
  x: string;
  series: { key: string; label: string }[];
  /** Which result array holds the chart's points (defaults to the table's). */
  rows?: string;
}

export interface ReportResult {
  /** The JSON the CLI prints (`--format json`); the shape each issue names (e.g. { buckets, lots }). */
  json: Record<string, unknown>;
  /** The table and CSV rows: one flat object per row, keyed by columns[].key. */
  rows: Record<string, string | number | null>[];
  chartPoints?: Record<string, string | number | null>[];
}

export interface Report {
  name: string;
  title: string;
  description: string;
  columns: ReportColumn[];
  chart: ReportChart;
  /** Extra option names the report accepts (CLI `--<name> <value>`, query string `?<name>=`). */
  extraOptions?: { name: string; values?: readonly string[]; description: string }[];
  run(sql: Db, shopId: number, options: ReportOptions, today: Day): Promise<ReportResult>;
}
