// Fixed-window limits in the real Redis: the count is shared (a fresh connection sees it), the
// window ends on the clock and Retry-After says when, and any exhausted limit refuses.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { hitRateLimits } from "../../app/lib/rate-limit.server";
import { requestConnection } from "../../app/lib/redis.server";

const other = requestConnection();
afterAll(() => other.quit());

describe("hitRateLimits", () => {
  it("refuses the hit after the limit until the window ends, counting across connections", async () => {
    const key = `test:${randomBytes(4).toString("hex")}`;
    const windowStart = Math.floor(Date.now() / 60_000) * 60_000;
    const at = windowStart + 45_000; // 15 s before this window ends
    const limit = [{ key, limit: 2, windowSeconds: 60 }];
    expect(await hitRateLimits(limit, at)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(await hitRateLimits(limit, at, other)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(await hitRateLimits(limit, at + 500)).toEqual({ allowed: false, retryAfterSeconds: 15 });
    // The next window starts from zero.
    expect(await hitRateLimits(limit, windowStart + 60_000)).toEqual({ allowed: true, retryAfterSeconds: 0 });
  });

  it("refuses when any of several limits is exhausted, and still counts the others", async () => {
    const id = randomBytes(4).toString("hex");
    const at = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
    const tight = { key: `test:${id}:tight`, limit: 1, windowSeconds: 60 };
    const loose = { key: `test:${id}:loose`, limit: 100, windowSeconds: 60 };
    expect((await hitRateLimits([tight, loose], at)).allowed).toBe(true);
    expect(await hitRateLimits([tight, loose], at)).toEqual({ allowed: false, retryAfterSeconds: 59 });
    expect(await other.get(`lk:ratelimit:${loose.key}:${at - 1_000}`)).toBe("2");
    const ttl = await other.pttl(`lk:ratelimit:${loose.key}:${at - 1_000}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(61_000);
  });
});
