// The global part of /metrics, read at scrape time: queue depth per queue and state (BullMQ
// counts in Redis) and the inbox rows not processed yet (Postgres). Each source answers within a
// second or is reported as down, so a scrape never hangs on a dead dependency.
import { timingSafeEqual } from "node:crypto";
import { pool } from "../db.server";
import { env } from "../env.server";
import { getQueue, QUEUE_NAMES } from "./queues.server";
import { renderGauge, renderProcessMetrics } from "./metrics.server";

const STATES = ["waiting", "active", "delayed", "failed", "prioritized", "completed"] as const;

function within<T>(promise: Promise<T>, ms = 1000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  promise.catch(() => undefined);
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * With METRICS_TOKEN set, a scrape must send "Authorization: Bearer <token>" (web and worker
 * alike). Without a token, metrics are open outside production; in production only when
 * METRICS_PUBLIC=1 says so (otherwise every scrape is refused: see metricsClosedWarning).
 */
export function metricsAuthorized(authorization: string | null | undefined): boolean {
  const { METRICS_TOKEN: token, METRICS_PUBLIC, NODE_ENV } = env();
  if (!token) return METRICS_PUBLIC || NODE_ENV !== "production";
  const expected = Buffer.from(`Bearer ${token}`);
  const got = Buffer.from(authorization ?? "");
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** The start-up warning of a production process whose /metrics refuses every scrape, or null. */
export function metricsClosedWarning(): string | null {
  const { METRICS_TOKEN, METRICS_PUBLIC, NODE_ENV } = env();
  return NODE_ENV === "production" && !METRICS_TOKEN && !METRICS_PUBLIC
    ? "/metrics answers 401 to every scrape: set METRICS_TOKEN (scrapers send it as a bearer token) or METRICS_PUBLIC=1"
    : null;
}

export async function renderMetrics(): Promise<string> {
  const queues = Object.values(QUEUE_NAMES);
  const [counts, inbox, oldest] = await Promise.allSettled([
    within(Promise.all(queues.map(async (q) => ({ queue: q, counts: await getQueue(q).getJobCounts(...STATES) })))),
    within(
      pool().query<{ status: string; n: number }>("select status::text, count(*)::int as n from webhook_events where status <> 'PROCESSED' group by status"),
    ),
    within(pool().query<{ s: number | null }>("select extract(epoch from now() - min(received_at))::float8 as s from webhook_events where status = 'PENDING'")),
  ]);
  const parts = [renderProcessMetrics()];
  parts.push(
    renderGauge("lotkeeper_dependency_up", "1 when the dependency answered this scrape", [
      { labels: { dependency: "redis" }, value: counts.status === "fulfilled" ? 1 : 0 },
      { labels: { dependency: "postgres" }, value: inbox.status === "fulfilled" ? 1 : 0 },
    ]),
  );
  if (counts.status === "fulfilled") {
    parts.push(
      renderGauge(
        "lotkeeper_queue_jobs",
        "Jobs per queue and state (all processes; from Redis)",
        counts.value.flatMap(({ queue, counts: c }) => STATES.map((state) => ({ labels: { queue, state }, value: c[state] ?? 0 }))),
      ),
    );
  }
  if (inbox.status === "fulfilled") {
    const byStatus = new Map(inbox.value.rows.map((r) => [r.status, r.n]));
    parts.push(
      renderGauge(
        "lotkeeper_webhook_events",
        "Inbox rows not processed yet, by status (all processes; from Postgres)",
        ["PENDING", "FAILED", "DEFERRED"].map((status) => ({ labels: { status: status.toLowerCase() }, value: byStatus.get(status) ?? 0 })),
      ),
    );
  }
  if (oldest.status === "fulfilled") {
    parts.push(
      renderGauge("lotkeeper_webhook_oldest_pending_seconds", "Age of the oldest inbox row still pending (0 when none)", [
        { labels: {}, value: oldest.value.rows[0]?.s ?? 0 },
      ]),
    );
  }
  return parts.filter(Boolean).join("\n") + "\n";
}
