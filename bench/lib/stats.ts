// Percentiles of the benchmarks: the value at floor(q * n) of the sorted samples (NaN when none).
// (bench/recall/measure.ts reports nearest-rank percentiles, ceil(q * n) - 1, of its own.)

/** `sorted` ascending; q from 0 to 1 (0.99 for p99). */
export function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
