// Prometheus metrics of this process, in the text exposition format (GET /metrics). Counters and
// histograms live in process memory: each web or worker instance is scraped on its own, as
// Prometheus expects. Gauges that must be global (queue depth, failed events) are read from
// Redis and Postgres at scrape time by the /metrics route.
type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(",");
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, value] of this.values) lines.push(`${this.name}${key ? `{${key}}` : ""} ${value}`);
    return lines.join("\n");
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  ) {}
  observe(labels: Labels, value: number): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]!) s.buckets[i]!++;
    s.sum += value;
    s.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, s] of this.series) {
      const sep = key ? `${key},` : "";
      this.bounds.forEach((b, i) => lines.push(`${this.name}_bucket{${sep}le="${b}"} ${s.buckets[i]}`));
      lines.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`);
      lines.push(`${this.name}_sum${key ? `{${key}}` : ""} ${s.sum}`);
      lines.push(`${this.name}_count${key ? `{${key}}` : ""} ${s.count}`);
    }
    return lines.join("\n");
  }
}

/** A gauge whose samples are computed at scrape time. */
export function renderGauge(name: string, help: string, samples: Array<{ labels: Labels; value: number }>): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const { labels, value } of samples) {
    const key = labelKey(labels);
    lines.push(`${name}${key ? `{${key}}` : ""} ${value}`);
  }
  return lines.join("\n");
}

const globalForMetrics = globalThis as unknown as { __lotkeeperMetrics?: Map<string, Metric> };

function registry(): Map<string, Metric> {
  globalForMetrics.__lotkeeperMetrics ??= new Map();
  return globalForMetrics.__lotkeeperMetrics;
}

/** One counter per name and process (survives Remix dev reloads). */
export function counter(name: string, help: string): Counter {
  const existing = registry().get(name);
  if (existing) return existing as Counter;
  const created = new Counter(name, help);
  registry().set(name, created);
  return created;
}

export function histogram(name: string, help: string, bounds?: number[]): Histogram {
  const existing = registry().get(name);
  if (existing) return existing as Histogram;
  const created = new Histogram(name, help, bounds);
  registry().set(name, created);
  return created;
}

/** Every counter and histogram of this process. */
export function renderProcessMetrics(): string {
  return [...registry().values()].map((m) => m.render()).join("\n");
}

// The webhook pipeline's metrics (web: deliveries; worker: jobs).
export const webhookDeliveries = () =>
  counter(
    "lotkeeper_webhook_deliveries_total",
    "Webhook deliveries answered by this process, by topic and outcome (accepted, duplicate, rejected_<status>, error)",
  );
export const jobDuration = () =>
  histogram("lotkeeper_job_duration_seconds", "Duration of jobs processed by this worker process, by queue, job name and outcome");
export const jobFailures = () =>
  counter("lotkeeper_job_failures_total", "Job attempts that failed in this worker process, by queue, job name and kind (retry, final, unrecoverable)");
