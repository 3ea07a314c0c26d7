// `npm run bench [-- --quick] [-- --only <name>]`: runs every benchmark under bench/<name>/ in turn
// and appends what each reports to bench/RESULTS.md, under a header with the machine and date.
//
// Convention for a benchmark (bench/ingest is the example):
//   bench/<name>/run.ts  default-exports `async (options: BenchOptions) => BenchReport`.
//   It starts what it measures itself (its own database `lotkeeper_bench_<name>`, its own queue
//   prefix and ports), measures the app AND the floor it is compared with in the same run, cleans
//   up, and returns markdown lines for RESULTS.md plus a one-line summary for the console.
//   `--quick` is a CI-sized run (seconds, not minutes): same code path, shorter phases.
//   The runner measures the machine's load average before and after each benchmark and adds it to the
//   console line and the section (bench/lib/load.ts): a benchmark never writes sentences about the load.
//   Never assert timings in tests; benchmarks report, they do not fail on a number.
import { execSync } from "node:child_process";
import { appendFile, readdir, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadAverage, loadMarkdown, loadSummary } from "./lib/load";

export interface BenchOptions {
  quick: boolean;
  /** The repository root. */
  root: string;
  log(message: string): void;
}

export interface BenchReport {
  name: string;
  summary: string;
  /** Markdown appended to bench/RESULTS.md (a section of its own). */
  markdown: string[];
}

const root = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyIndex = args.indexOf("--only");
const only = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined;

function machine(): string {
  const mem = `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`;
  let nproc = String(os.availableParallelism());
  try {
    nproc = execSync("nproc", { encoding: "utf8" }).trim();
  } catch {
    // os.availableParallelism() is the same figure on Linux
  }
  return `${nproc} cores (${os.cpus()[0]?.model.trim() ?? "unknown cpu"}), ${mem} memory, Node ${process.version}`;
}

async function main(): Promise<void> {
  const dirs = (await readdir(path.join(import.meta.dirname), { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const benches: string[] = [];
  for (const dir of dirs) {
    if (only && dir !== only) continue;
    if (await stat(path.join(import.meta.dirname, dir, "run.ts")).catch(() => undefined)) benches.push(dir);
  }
  if (benches.length === 0) {
    process.stderr.write(only ? `no benchmark bench/${only}/run.ts\n` : "no benchmarks under bench/\n");
    process.exit(2);
  }
  const header = [`## ${new Date().toISOString()}${quick ? " (--quick)" : ""}`, "", `Machine: ${machine()}.`, ""];
  const sections: string[] = [];
  let failed = false;
  for (const name of benches) {
    process.stdout.write(`bench ${name}: running${quick ? " (quick)" : ""}\n`);
    const before = loadAverage();
    const cores = os.availableParallelism();
    try {
      const mod = (await import(pathToFileURL(path.join(import.meta.dirname, name, "run.ts")).href)) as { default: (o: BenchOptions) => Promise<BenchReport> };
      const report = await mod.default({ quick, root, log: (m) => process.stdout.write(`  ${name}: ${m}\n`) });
      const load = { before, after: loadAverage(), cores };
      process.stdout.write(`bench ${name}: ${report.summary}; ${loadSummary(load)}\n`);
      sections.push(...report.markdown, "", loadMarkdown(load), "");
    } catch (error) {
      failed = true;
      const load = { before, after: loadAverage(), cores };
      process.stderr.write(`bench ${name} failed (${loadSummary(load)}): ${(error as Error).stack ?? String(error)}\n`);
      sections.push(`### ${name}`, "", `Failed: ${(error as Error).message.split("\n")[0]}`, "", loadMarkdown(load), "");
    }
  }
  const results = path.join(import.meta.dirname, "RESULTS.md");
  if (!(await stat(results).catch(() => undefined))) {
    await appendFile(results, "# Benchmark results\n\nAppended by `npm run bench` (bench/run.ts): one section per run, with the machine and date.\n");
  }
  await appendFile(results, "\n" + [...header, ...sections].join("\n"));
  process.stdout.write(`results appended to bench/RESULTS.md\n`);
  process.exit(failed ? 1 : 0);
}

const isEntry = process.argv[1] && /bench[\\/]run\.ts$/.test(process.argv[1]);
if (isEntry) await main();
