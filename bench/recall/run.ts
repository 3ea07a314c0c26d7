// Recall benchmark (issue 6, point 7): 10 million allocation rows over 1,000 shops, one lot
// shipped to 100,000 customers (--quick: 200,000 rows, 10,000 customers), generated in SQL in its
// own database lotkeeper_bench_recall (never the dev database). The data is kept between runs and
// regenerated only when its size or the migrations changed. The measurement runs in a child
// process so the app's pool points at the bench database; it compares each app function with a
// bare SQL floor measured in the same run.
import pg from "pg";
import type { BenchOptions, BenchReport } from "../run";
import { measureInChild } from "../lib/processes";
import { applyMigrations, ensureDatabase, migrationsInRepo } from "../../app/lib/migrations.server";
import { FULL, QUICK, generate, type Dataset, type Size } from "./generate";

const DATABASE = "postgresql://postgres@127.0.0.1:5432/lotkeeper_bench_recall";

interface Stat {
  n: number;
  p50: number;
  p99: number;
  max: number;
}
interface Pair {
  floor: Stat;
  app: Stat;
}
interface Measured {
  firstPage: Pair;
  /** A page of 50 guests at cursors spread over the lot's guests (RECALL-1: 1 % guests, GUEST-1: 95 %). */
  guestPage: Pair & { guests: number };
  guestLotPage: Pair & { guests: number };
  totals: Pair;
  csv: Pair;
  floorCsv: { bytes: number; rows: number };
  appCsv: { bytes: number; rows: number };
  trace: Pair;
  traceLots: number;
}

async function dataset(size: Size, log: (m: string) => void): Promise<Dataset> {
  await ensureDatabase(DATABASE);
  await applyMigrations(DATABASE);
  const client = new pg.Client({ connectionString: DATABASE });
  await client.connect();
  try {
    await client.query("create table if not exists bench_meta (key text primary key, value jsonb not null)");
    const stamp = { size, migrations: await migrationsInRepo() };
    const meta = await client.query<{
      value: { stamp: unknown; data: { shopId: number; recallLotId: string; traceLotId: string; guestLotId: string; allocations: number } };
    }>("select value from bench_meta where key = 'dataset'");
    const found = meta.rows[0]?.value;
    if (found && JSON.stringify(found.stamp) === JSON.stringify(stamp)) {
      log(`reusing generated data (${found.data.allocations} allocations)`);
      return {
        shopId: found.data.shopId,
        recallLotId: BigInt(found.data.recallLotId),
        traceLotId: BigInt(found.data.traceLotId),
        guestLotId: BigInt(found.data.guestLotId),
        allocations: found.data.allocations,
      };
    }
    log(`generating ${size.allocations} allocations over ${size.shops} shops, ${size.recallCustomers} customers on the recalled lot`);
    const t0 = Date.now();
    const data = await generate(client, size, log);
    log(`generated in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    await client.query(`insert into bench_meta (key, value) values ('dataset', $1::jsonb) on conflict (key) do update set value = excluded.value`, [
      JSON.stringify({
        stamp,
        data: {
          shopId: data.shopId,
          recallLotId: data.recallLotId.toString(),
          traceLotId: data.traceLotId.toString(),
          guestLotId: data.guestLotId.toString(),
          allocations: data.allocations,
        },
      }),
    ]);
    return data;
  } finally {
    await client.end();
  }
}

function measure(root: string, data: Dataset, quick: boolean): Promise<Measured> {
  return measureInChild<Measured>(root, "bench/recall/measure.ts", {
    database: DATABASE,
    env: {
      LOG_LEVEL: "silent",
      PG_POOL_MAX: "4",
      BENCH_SHOP_ID: String(data.shopId),
      BENCH_RECALL_LOT_ID: data.recallLotId.toString(),
      BENCH_TRACE_LOT_ID: data.traceLotId.toString(),
      BENCH_GUEST_LOT_ID: data.guestLotId.toString(),
      BENCH_QUICK: quick ? "1" : "0",
    },
  });
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const ratio = (app: number, floor: number) => `${(app / floor).toFixed(1)}x`;

export default async function run(options: BenchOptions): Promise<BenchReport> {
  const size = options.quick ? QUICK : FULL;
  const data = await dataset(size, options.log);
  const m = await measure(options.root, data, options.quick);
  const traceGoal = m.trace;
  const rows: string[] = [
    `| first page of 50 customers (p99) | ${ms(m.firstPage.floor.p99)} ms | ${ms(m.firstPage.app.p99)} ms (p50 ${ms(m.firstPage.app.p50)}) | ${ratio(m.firstPage.app.p99, m.firstPage.floor.p99)} | < 10 ms: ${m.firstPage.app.p99 < 10 ? "met" : "missed"} |`,
    `| guest page of 50, RECALL-1 (${m.guestPage.guests.toLocaleString("en-US")} guests, 10 cursors spread over them, p99) | ${ms(m.guestPage.floor.p99)} ms (p50 ${ms(m.guestPage.floor.p50)}) | ${ms(m.guestPage.app.p99)} ms (p50 ${ms(m.guestPage.app.p50)}) | ${ratio(m.guestPage.app.p99, m.guestPage.floor.p99)} (p50 ${ratio(m.guestPage.app.p50, m.guestPage.floor.p50)}) | < 10 ms: ${m.guestPage.app.p99 < 10 ? "met" : "missed"} |`,
    `| guest page of 50, GUEST-1 (${m.guestLotPage.guests.toLocaleString("en-US")} guests, 10 cursors spread over them, p99) | ${ms(m.guestLotPage.floor.p99)} ms (p50 ${ms(m.guestLotPage.floor.p50)}) | ${ms(m.guestLotPage.app.p99)} ms (p50 ${ms(m.guestLotPage.app.p50)}) | ${ratio(m.guestLotPage.app.p99, m.guestLotPage.floor.p99)} (p50 ${ratio(m.guestLotPage.app.p50, m.guestLotPage.floor.p50)}) | < 10 ms: ${m.guestLotPage.app.p99 < 10 ? "met" : "missed"} |`,
    `| totals (p50) | ${ms(m.totals.floor.p50)} ms | ${ms(m.totals.app.p50)} ms (p99 ${ms(m.totals.app.p99)}) | ${ratio(m.totals.app.p50, m.totals.floor.p50)} | < 100 ms: ${m.totals.app.p50 < 100 ? "met" : "missed"} |`,
    `| full regulator CSV (median of ${m.csv.app.n}) | ${ms(m.csv.floor.p50)} ms (${m.floorCsv.rows} rows, 12 columns) | ${ms(m.csv.app.p50)} ms (${m.appCsv.rows - 1} rows, 38 columns) | ${ratio(m.csv.app.p50, m.csv.floor.p50)} | < 1 s: ${m.csv.app.p50 < 1000 ? "met" : "missed"} |`,
    `| forward trace, 5 levels (${m.traceLots} lots, p99) | ${ms(traceGoal.floor.p99)} ms | ${ms(traceGoal.app.p99)} ms (p50 ${ms(traceGoal.app.p50)}) | ${ratio(traceGoal.app.p99, traceGoal.floor.p99)} | < 50 ms: ${traceGoal.app.p99 < 50 ? "met" : "missed"} |`,
  ];
  const summary = `first page p99 ${ms(m.firstPage.app.p99)} ms (floor ${ms(m.firstPage.floor.p99)}), guest page p99 ${ms(m.guestPage.app.p99)} / ${ms(m.guestLotPage.app.p99)} ms (floor ${ms(m.guestPage.floor.p99)} / ${ms(m.guestLotPage.floor.p99)}), totals ${ms(m.totals.app.p50)} ms (floor ${ms(m.totals.floor.p50)}), CSV ${ms(m.csv.app.p50)} ms (floor ${ms(m.csv.floor.p50)}), trace p99 ${ms(traceGoal.app.p99)} ms (floor ${ms(traceGoal.floor.p99)})`;
  return {
    name: "recall",
    summary,
    markdown: [
      `### recall: ${data.allocations.toLocaleString("en-US")} allocations over ${size.shops} shops, one lot shipped to ${size.recallCustomers.toLocaleString("en-US")} customers`,
      "",
      "Data generated in SQL in its own database (lotkeeper_bench_recall). Floor = bare SQL on the same data in the same run, alternating with the app's own recall functions (listLotCustomers, recallTotals, recallCsvStream, traceForward) called in-process through the app's pool. The floor CSV is a 12-column COPY of allocations joined to orders; the app's CSV has all 38 regulator columns (lots, variants, locations, fulfilments, returns, recall references, unknown-lot rows).",
      `Guest pages: listLotCustomers from a guest cursor (10 cursors spread evenly over the lot's guest keys, taken in turn) on RECALL-1 (1 % guests) and GUEST-1 (${size.guestLotShipments.toLocaleString("en-US")} shipments, 95 % to guests, 0.2 % redacted); floor: the bare range scan of the guest key index (allocations joined to orders, key > cursor, LIMIT 50).`,
      "",
      "| measure | floor (bare SQL) | app | app/floor | goal |",
      "|---|---|---|---|---|",
      ...rows,
    ],
  };
}
