// Readiness (GET /readyz) for a load balancer: Postgres and Redis answer. The check goes through
// the connections the process already has (the pg pool, the queue producer's Redis client), never
// a new connection per caller, and its answer is reused for READY_CACHE_MS: any number of
// concurrent callers share one check in flight. The body says only ok or unavailable; what failed
// and why goes to the log (an anonymous caller learns no address and no start command).
import type { Redis } from "ioredis";
import { pool } from "../db.server";
import { log } from "./logger.server";
import { getQueue, QUEUE_NAMES } from "./queues.server";

/** How long one check's answer is reused (ms). */
export const READY_CACHE_MS = 1000;
const CHECK_TIMEOUT_MS = 1000;

export type ReadinessCheck = () => Promise<unknown>;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  promise.catch(() => undefined);
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(
    () => clearTimeout(timer),
  );
}

export const DEFAULT_CHECKS: Record<string, ReadinessCheck> = {
  postgres: () => pool().query("select 1"),
  redis: async () => ((await getQueue(QUEUE_NAMES.webhooks).client) as unknown as Redis).ping(),
};

/** A readiness probe over `checks` whose answer is shared for `cacheMs` (and while in flight). */
export function createReadiness(checks: Record<string, ReadinessCheck> = DEFAULT_CHECKS, cacheMs = READY_CACHE_MS, now: () => number = Date.now) {
  let current: { promise: Promise<boolean>; doneAt: number | null } | null = null;
  const run = async (): Promise<boolean> => {
    const names = Object.keys(checks);
    const results = await Promise.allSettled(names.map((name) => within(Promise.resolve().then(checks[name]!), CHECK_TIMEOUT_MS)));
    const failed = Object.fromEntries(
      names.flatMap((name, i) => (results[i]!.status === "rejected" ? [[name, (results[i] as PromiseRejectedResult).reason as unknown]] : [])),
    );
    if (Object.keys(failed).length > 0) log.warn("not ready: a dependency does not answer", failed);
    return Object.keys(failed).length === 0;
  };
  return function ready(): Promise<boolean> {
    if (current && (current.doneAt === null || now() - current.doneAt < cacheMs)) return current.promise;
    const entry: { promise: Promise<boolean>; doneAt: number | null } = { promise: run(), doneAt: null };
    void entry.promise.finally(() => (entry.doneAt = now()));
    current = entry;
    return entry.promise;
  };
}

/** The answer of GET /readyz: 200 {"status":"ok"} or 503 {"status":"unavailable"}. */
export async function readinessResponse(ready: () => Promise<boolean>): Promise<Response> {
  const ok = await ready().catch(() => false);
  return Response.json({ status: ok ? "ok" : "unavailable" }, { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
