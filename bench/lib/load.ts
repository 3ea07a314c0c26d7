// The machine's load around a benchmark, measured (os.loadavg(): runnable processes averaged over
// 1, 5 and 15 minutes), so a figure taken on a busy machine says so. bench/run.ts measures it
// before and after every benchmark; a benchmark adds nothing for it.
import os from "node:os";

export interface LoadAround {
  before: number[];
  after: number[];
  cores: number;
}

export function loadAverage(): number[] {
  return os.loadavg();
}

const fmt = (load: number[]) => load.map((l) => l.toFixed(2)).join(" ");

/** For the console: "load 1.20 -> 2.35 (1 min, 2 cores)". */
export function loadSummary({ before, after, cores }: LoadAround): string {
  return `load ${before[0]!.toFixed(2)} -> ${after[0]!.toFixed(2)} (1 min, ${cores} cores)`;
}

/** For bench/RESULTS.md: one line under the benchmark's section. */
export function loadMarkdown({ before, after, cores }: LoadAround): string {
  const busiest = Math.max(before[0]!, after[0]!);
  const verdict = busiest > cores ? `more runnable processes than the ${cores} cores: figures are depressed by other work` : `at most the ${cores} cores busy`;
  return `Load average (1, 5, 15 min) measured by bench/run.ts: before ${fmt(before)}, after ${fmt(after)}; ${verdict}.`;
}
