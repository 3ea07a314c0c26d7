// GET /metrics: Prometheus text format. This process's counters (webhook deliveries by topic and
// outcome; job durations and failures in a worker) plus global gauges read at scrape time (queue
// depth from Redis, unprocessed inbox rows from Postgres). Optional bearer token: METRICS_TOKEN.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { env } from "../env.server";
import { renderMetrics } from "../lib/metrics-snapshot.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const token = env().METRICS_TOKEN;
  if (token && request.headers.get("authorization") !== `Bearer ${token}`) return new Response("unauthorized\n", { status: 401 });
  return new Response(await renderMetrics(), { headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store" } });
};
