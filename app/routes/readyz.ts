// Readiness: Postgres and Redis answer. A load balancer stops sending traffic while this is 503.
import { checkPostgres, checkRedis } from "../lib/services.server";

export const loader = async () => {
  const results = await Promise.allSettled([checkPostgres(undefined, 1000), checkRedis(undefined, 1000)]);
  const [postgres, redis] = results.map((r) => (r.status === "fulfilled" ? "ok" : r.reason instanceof Error ? r.reason.message : "down"));
  const ready = results.every((r) => r.status === "fulfilled");
  return Response.json({ ready, postgres, redis }, { status: ready ? 200 : 503 });
};
