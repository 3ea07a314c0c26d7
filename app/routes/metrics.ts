// GET /metrics: Prometheus text format. This process's counters (webhook deliveries by topic and
// outcome; job durations and failures in a worker) plus global gauges read at scrape time (queue
// depth from Redis, unprocessed inbox rows from Postgres). Optional bearer token: METRICS_TOKEN.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { METRICS_CONTENT_TYPE, metricsAuthorized, renderMetrics } from "../lib/metrics-snapshot.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  if (!metricsAuthorized(request.headers.get("authorization"))) return new Response("unauthorized\n", { status: 401 });
  return new Response(await renderMetrics(), { headers: { "Content-Type": METRICS_CONTENT_TYPE, "Cache-Control": "no-store" } });
};
