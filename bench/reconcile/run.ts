// Reconciliation benchmark (issue 10, point 2): a full reconciliation of 1,000 and 50,000
// inventory levels (--quick: 1,000 and 5,000) by paging vs through one bulk query. Reports the
// Shopify calls made, their requested cost by Shopify's published rules, the throttle waits those
// points mean on the standard plan (bucket 2,000, 100 points/s), and our side's wall time against
// real Postgres (its own database lotkeeper_bench_reconcile, emptied each run; Shopify answered
// in-process, instantly). See docs/decisions/082-bulk-reconciliation.md.
import pg from "pg";
import type { BenchOptions, BenchReport } from "../run";
import { measureInChild } from "../lib/processes";
import { applyMigrations, ensureDatabase } from "../../app/lib/migrations.server";
import { SHOPIFY_MAX_QUERY_COST, STANDARD_BUCKET, STANDARD_RESTORE_PER_SECOND, throttleSeconds } from "./cost";

const DATABASE = "postgresql://postgres@127.0.0.1:5432/lotkeeper_bench_reconcile";

interface Measured {
  perItemCost: number;
  batch: number;
  fittedBatch: number;
  results: {
    levels: number;
    items: number;
    paging: { calls: number; points: number; maxCost: number; wallMs: number; acted: number };
    bulk: {
      calls: number;
      points: number;
      maxCost: number;
      startMs: number;
      parseMs: number;
      parsed: number;
      finishMs: number;
      acted: number;
      waiting: number;
    };
  }[];
}

async function emptyDatabase(): Promise<void> {
  await ensureDatabase(DATABASE);
  await applyMigrations(DATABASE);
  const client = new pg.Client({ connectionString: DATABASE });
  await client.connect();
  try {
    await client.query(
      `truncate shops, "Session", variants, locations, lots, lot_balances, ledger_entries, discrepancies, outbox_entries, reconcile_bulk_operations, reconcile_bulk_levels restart identity cascade`,
    );
  } finally {
    await client.end();
  }
}

const n = (v: number) => Math.round(v).toLocaleString("en-US");
const s = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const duration = (seconds: number) =>
  seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : seconds >= 120 ? `${(seconds / 60).toFixed(0)} min` : `${seconds.toFixed(0)} s`;

export default async function run(options: BenchOptions): Promise<BenchReport> {
  await emptyDatabase();
  options.log("measuring paging and bulk (two identical shops per size)");
  const m = await measureInChild<Measured>(options.root, "bench/reconcile/measure.ts", {
    database: DATABASE,
    env: { LOG_LEVEL: "silent", PG_POOL_MAX: "4", BENCH_QUICK: options.quick ? "1" : "0" },
  });
  const rows: string[] = [];
  const summaries: string[] = [];
  for (const r of m.results) {
    // Paging as Shopify would allow it: batches whose requested cost is at most 1,000.
    const fittedCalls = Math.ceil(r.items / m.fittedBatch);
    const pagingPoints = r.items * m.perItemCost;
    const pagingWait = throttleSeconds(pagingPoints);
    const bulkWait = throttleSeconds(r.bulk.points);
    const refused =
      r.paging.maxCost > SHOPIFY_MAX_QUERY_COST
        ? ` (each ${n(r.paging.maxCost)} > 1,000: refused by Shopify as written; ${n(fittedCalls)} calls of ${m.fittedBatch} items fit)`
        : "";
    rows.push(
      `| ${n(r.levels)} | paging | ${n(r.paging.calls)}${refused} | ${n(pagingPoints)} | ${duration(pagingWait)} | ${s(r.paging.wallMs)} (compare + lock every level) | ${n(r.paging.acted)} |`,
      `| ${n(r.levels)} | bulk | ${n(r.bulk.calls)} (start, state; +1 per poll if the webhook is lost) | ${n(r.bulk.points)} | ${duration(bulkWait)} | start ${s(r.bulk.startMs)} (records the lots, submits); parse ${s(r.bulk.parseMs)} (${n(r.bulk.parsed)} levels); finish ${s(r.bulk.finishMs)} (state, download, parse, compare, lock ${n(r.bulk.acted + r.bulk.waiting)} levels) | ${n(r.bulk.acted)} |`,
    );
    summaries.push(
      `${n(r.levels)} levels: paging ${n(r.paging.calls)} calls / ${n(pagingPoints)} points / ${duration(pagingWait)} throttle, bulk ${r.bulk.calls} calls / ${r.bulk.points} points, our side ${s(r.paging.wallMs)} vs ${s(r.bulk.startMs + r.bulk.finishMs)}`,
    );
  }
  return {
    name: "reconcile",
    summary: summaries.join("; "),
    markdown: [
      `### reconcile: full reconciliation by paging vs one bulk query`,
      "",
      `Two identical shops per size in lotkeeper_bench_reconcile: ${m.results.map((r) => n(r.items)).join(" / ")} lot-tracked items at 5 locations, one lot per item and location; Shopify differs on 1 % of the levels (half +3, half -3). Shopify is answered in-process by msw, instantly, so the wall times are our side only (real Postgres, PG_POOL_MAX=4); Shopify's own run time of the bulk query is not measurable offline. Cost by Shopify's published rules (bench/reconcile/cost.ts): the paging query LotkeeperOnHand requests ${m.perItemCost} points per item (inventoryLevels(first: 25)), ${m.batch} items per call as written; a bulk query costs the 10 points of the bulkOperationRunQuery mutation (its execution is not charged to the bucket) plus 1 per bulkOperation(id) read. Throttle wait = (points - bucket) / restore rate on the standard plan (bucket ${n(STANDARD_BUCKET)}, ${STANDARD_RESTORE_PER_SECOND} points/s), starting from a full bucket.`,
      "",
      "| levels | path | Shopify calls | requested points | throttle wait at 100 points/s | our side wall time | levels acted on |",
      "|---|---|---|---|---|---|---|",
      ...rows,
    ],
  };
}
