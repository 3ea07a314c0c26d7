// Lots: GS1 scan parsing and receiving, each against a floor measured in the same run
// (see bench/lots/measure.ts for what each floor does). Runs in a child process with its own
// database (lotkeeper_bench_lots) and queue prefix.
import { randomUUID } from "node:crypto";
import type { BenchOptions, BenchReport } from "../run";
import { measureInChild } from "../lib/processes";
import { applyMigrations, ensureDatabase } from "../../app/lib/migrations.server";

interface Measured {
  gs1: { scans: number; appPerSecond: number; floorPerSecond: number };
  receive: { receipts: number; appPerSecond: number; floorPerSecond: number; appP50: number; appP99: number; floorP50: number; floorP99: number };
}

export default async function run(options: BenchOptions): Promise<BenchReport> {
  const database = "postgresql://postgres@127.0.0.1:5432/lotkeeper_bench_lots";
  await ensureDatabase(database);
  await applyMigrations(database);
  options.log("lots: measuring GS1 parsing and receiving");
  const m = await measureInChild<Measured>(options.root, "bench/lots/measure.ts", {
    database,
    args: options.quick ? ["--quick"] : [],
    env: { QUEUE_PREFIX: `{lk-bench-${randomUUID().slice(0, 8)}}`, LOG_LEVEL: "warn" },
  });
  const g = m.gs1;
  const r = m.receive;
  const gRatio = g.appPerSecond / g.floorPerSecond;
  const rRatio = r.appPerSecond / r.floorPerSecond;
  return {
    name: "lots",
    summary: `gs1 ${g.appPerSecond.toFixed(0)} scans/s (${(gRatio * 100).toFixed(0)}% of floor); receive ${r.appPerSecond.toFixed(0)}/s p99 ${r.appP99.toFixed(1)} ms (${(rRatio * 100).toFixed(0)}% of floor)`,
    markdown: [
      "### lots: GS1 parsing and receiving vs floors",
      "",
      "GS1: parseGs1 over 3000 varied scans (element strings with ]d2 and GS, (AI) text, Digital Links), check digits and dates verified; floor: split on GS and slice fixed offsets without any check.",
      "Receive: receiveLot one after another on one connection (validation, variant/location lookup in the database, lot upsert, balance + ledger via moveLotUnits, outbox row, BullMQ add after commit); floor: the same four writes as bare SQL in one transaction plus one BullMQ add. Blocks of 50 alternate floor/app.",
      "",
      "| measurement | app | floor | ratio app/floor |",
      "|---|---|---|---|",
      `| GS1 scans/s (${g.scans}) | ${g.appPerSecond.toFixed(0)} | ${g.floorPerSecond.toFixed(0)} | ${(gRatio * 100).toFixed(0)}% |`,
      `| receipts/s (${r.receipts}) | ${r.appPerSecond.toFixed(0)} (p50 ${r.appP50.toFixed(2)} ms, p99 ${r.appP99.toFixed(2)} ms) | ${r.floorPerSecond.toFixed(0)} (p50 ${r.floorP50.toFixed(2)} ms, p99 ${r.floorP99.toFixed(2)} ms) | ${(rRatio * 100).toFixed(0)}% |`,
      "",
    ],
  };
}
