// Prometheus text exposition of app/lib/metrics.server.ts.
import { describe, expect, it } from "vitest";
import { Counter, Histogram, renderGauge } from "../../app/lib/metrics.server";

describe("metrics text format", () => {
  it("renders counters per label set, labels sorted and escaped", () => {
    const c = new Counter("x_total", "Things");
    c.inc({ topic: "orders/create", outcome: "accepted" });
    c.inc({ outcome: "accepted", topic: "orders/create" }, 2);
    c.inc({ topic: 'we"ird\\', outcome: "x" });
    expect(c.render().split("\n")).toEqual([
      "# HELP x_total Things",
      "# TYPE x_total counter",
      'x_total{outcome="accepted",topic="orders/create"} 3',
      'x_total{outcome="x",topic="we\\"ird\\\\"} 1',
    ]);
  });

  it("renders histograms with cumulative buckets, +Inf, sum and count", () => {
    const h = new Histogram("d_seconds", "Durations", [0.1, 1]);
    h.observe({ q: "a" }, 0.05);
    h.observe({ q: "a" }, 0.5);
    h.observe({ q: "a" }, 3);
    expect(h.render().split("\n")).toEqual([
      "# HELP d_seconds Durations",
      "# TYPE d_seconds histogram",
      'd_seconds_bucket{q="a",le="0.1"} 1',
      'd_seconds_bucket{q="a",le="1"} 2',
      'd_seconds_bucket{q="a",le="+Inf"} 3',
      'd_seconds_sum{q="a"} 3.55',
      'd_seconds_count{q="a"} 3',
    ]);
  });

  it("renders gauges with and without labels", () => {
    expect(
      renderGauge("g", "A gauge", [
        { labels: {}, value: 2 },
        { labels: { s: "pending" }, value: 0 },
      ]),
    ).toBe('# HELP g A gauge\n# TYPE g gauge\ng 2\ng{s="pending"} 0');
  });
});
