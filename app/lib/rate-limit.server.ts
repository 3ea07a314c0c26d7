// Fixed-window rate limits kept in Redis, so every web process counts together and a restart
// forgets nothing that matters (no in-process state). One INCR per key and window; the key
// expires with its window. Used by the public recall check (decision 110).
import type { Redis } from "ioredis";
import { requestConnection } from "./redis.server";

export interface RateLimit {
  /** Part of the Redis key: what is limited, e.g. "public-check:ip:<shop>:<ip>". */
  key: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimitVerdict {
  allowed: boolean;
  /** Seconds until the window of the first exhausted limit ends (for Retry-After); 0 when allowed. */
  retryAfterSeconds: number;
}

let shared: Redis | undefined;
function connection(): Redis {
  shared ??= requestConnection();
  return shared;
}

/** Counts one hit against every limit; refused when any of them is over. */
export async function hitRateLimits(limits: RateLimit[], now = Date.now(), redis: Redis = connection()): Promise<RateLimitVerdict> {
  const multi = redis.multi();
  const windows = limits.map((l) => {
    const windowMs = l.windowSeconds * 1000;
    const start = Math.floor(now / windowMs) * windowMs;
    const key = `lk:ratelimit:${l.key}:${start}`;
    multi.incr(key);
    // A little past the window's end, so a slow clock elsewhere never sees a fresh count early.
    multi.pexpire(key, windowMs + 1000);
    return { limit: l, end: start + windowMs };
  });
  const results = (await multi.exec()) ?? [];
  let retryAfterSeconds = 0;
  windows.forEach((w, i) => {
    const [error, count] = results[i * 2] ?? [null, 0];
    if (error) throw error;
    if (Number(count) > w.limit.limit) retryAfterSeconds = Math.max(retryAfterSeconds, Math.ceil((w.end - now) / 1000));
  });
  return { allowed: retryAfterSeconds === 0, retryAfterSeconds };
}
