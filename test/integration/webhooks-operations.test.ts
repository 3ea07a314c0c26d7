// What an operator uses around the webhook path: `lotkeeper events list|replay`, GET /metrics,
// /healthz and /readyz.
import { afterAll, describe, expect, it, vi } from "vitest";
import { deliver, inboxRow, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { fixture } from "../helpers/webhooks";
import { createTestShop, uniqueShopDomain } from "../helpers/shops";
import { cliJson as cli } from "../helpers/cli";
import { main } from "../../app/cli/main";
import { CliError, UsageError } from "../../app/cli/command";
import { closeQueues } from "../../app/lib/queues.server";
import { topicHandlers } from "../../app/domain/webhooks/topics.server";
import { loader as metricsLoader } from "../../app/routes/metrics";
import { loader as healthz } from "../../app/routes/healthz";
import { loader as readyz } from "../../app/routes/readyz";
import { pruneInbox } from "../../app/domain/webhooks/requeue.server";
import { pool } from "../../app/db.server";
import { resetEnvForTests } from "../../app/env.server";
import { createReadiness, READY_CACHE_MS, readinessResponse } from "../../app/lib/readiness.server";
import { metricsClosedWarning } from "../../app/lib/metrics-snapshot.server";
import { log } from "../../app/lib/logger.server";

useOwnQueuePrefix();
afterAll(() => closeQueues());

describe("lotkeeper events", () => {
  it("lists a shop's events with status, attempts and error, filtered; replays a failed one once its cause is fixed", async () => {
    const shop = await createTestShop("events");
    const other = await createTestShop("events-other");
    const good = await deliver({ topic: "locations/create", shop: shop.domain, body: { id: 11, name: "Main", active: true } });
    await deliver({ topic: "locations/create", shop: other.domain, body: { id: 12, name: "Other", active: true } });
    // A handler that fails for a reason that is fixed later (e.g. a bug fixed by a deploy).
    const saved = topicHandlers["locations/update"];
    let broken = true;
    topicHandlers["locations/update"] = [
      async (ctx) => {
        if (broken) throw new (await import("../../app/domain/webhooks/handler")).InvalidPayloadError("location has no name");
        await saved![0]!(ctx);
      },
    ];
    try {
      const bad = await deliver({ topic: "locations/update", shop: shop.domain, body: { id: 11, name: "Renamed", active: true } });
      await processWebhookQueue();

      const all = (await cli(["events", "list", "--shop", shop.domain])) as Array<Record<string, unknown>>;
      expect(all.map((e) => [e.webhookId, e.topic, e.status])).toEqual([
        [bad.webhookId, "locations/update", "failed"],
        [good.webhookId, "locations/create", "processed"],
      ]);
      expect(all[0]).toMatchObject({ attempts: 1, error: "InvalidPayloadError: location has no name" });
      expect(typeof all[0]!.receivedAt).toBe("string");
      const failed = (await cli(["events", "list", "--shop", shop.domain, "--status", "failed"])) as Array<Record<string, unknown>>;
      expect(failed.map((e) => e.webhookId)).toEqual([bad.webhookId]);
      const byTopic = (await cli(["events", "list", "--shop", shop.domain, "--topic", "locations/create", "--limit", "5"])) as Array<Record<string, unknown>>;
      expect(byTopic.map((e) => e.webhookId)).toEqual([good.webhookId]);

      broken = false;
      const replay = (await cli(["events", "replay", bad.webhookId])) as Record<string, unknown>;
      expect(replay).toMatchObject({ webhookId: bad.webhookId, previousStatus: "failed", status: "pending" });
      await processWebhookQueue();
      expect(await inboxRow(bad.webhookId)).toMatchObject({ status: "PROCESSED", attempts: 2, last_error: null });
      await expect(main(["events", "replay", bad.webhookId])).rejects.toThrow(
        new CliError(`webhook event ${bad.webhookId} is already processed; replaying it would do nothing`),
      );
    } finally {
      topicHandlers["locations/update"] = saved;
    }
  });

  it("answers unknown ids and bad options with a clear error", async () => {
    await expect(main(["events", "replay", "no-such-webhook"])).rejects.toThrow(/no webhook event with id no-such-webhook/);
    await expect(main(["events", "replay"])).rejects.toBeInstanceOf(UsageError);
    await expect(main(["events", "list", "--shop", uniqueShopDomain(), "--status", "lost"])).rejects.toThrow(
      /--status must be one of pending, processed, failed, deferred/,
    );
    await expect(main(["events", "list"])).rejects.toThrow(/--shop is required/);
    expect(await cli(["events", "list", "--shop", uniqueShopDomain()])).toEqual([]);
  });
});

describe("inbox retention", () => {
  it("deletes processed events past the retention, keeps pending, failed and shop/redact records", async () => {
    const shop = uniqueShopDomain("prune");
    const insert = (id: string, topic: string, status: string, daysAgo: number) =>
      pool().query(
        `insert into webhook_events (webhook_id, shop_domain, topic, payload, status, received_at)
         values ($1, $2, $3, '{}'::jsonb, $4::"WebhookStatus", now() - make_interval(days => $5))`,
        [`${shop}-${id}`, shop, topic, status, daysAgo],
      );
    await insert("old-processed", "orders/create", "PROCESSED", 40);
    await insert("new-processed", "orders/create", "PROCESSED", 2);
    await insert("old-failed", "orders/create", "FAILED", 40);
    await insert("old-pending", "orders/create", "PENDING", 40);
    await insert("old-redact", "shop/redact", "PROCESSED", 40);
    expect(await pruneInbox(30)).toBeGreaterThanOrEqual(1);
    const left = await pool().query("select webhook_id from webhook_events where shop_domain = $1 order by webhook_id", [shop]);
    expect(left.rows.map((r) => r.webhook_id.slice(shop.length + 1))).toEqual(["new-processed", "old-failed", "old-pending", "old-redact"]);
  });
});

describe("lotkeeper privacy requests", () => {
  it("lists the data-request exports stored for the shop, and only that shop's", async () => {
    const shop = await createTestShop("privacy-cli");
    const other = await createTestShop("privacy-cli-other");
    await deliver({
      topic: "customers/data_request",
      shop: shop.domain,
      body: { ...fixture<Record<string, unknown>>("customers-data-request"), shop_domain: shop.domain },
    });
    await deliver({
      topic: "customers/data_request",
      shop: other.domain,
      body: { ...fixture<Record<string, unknown>>("customers-data-request"), shop_domain: other.domain },
    });
    await processWebhookQueue();
    const listed = (await cli(["privacy", "requests", "--shop", shop.domain])) as Array<Record<string, unknown>>;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ customerId: "7301188550001", email: "maria.lopez@example.com", export: expect.objectContaining({ orders: [] }) });
    await expect(main(["privacy", "requests", "--shop", uniqueShopDomain("nobody")])).rejects.toThrow(/is not known to this app/);
  });
});

describe("GET /metrics", () => {
  it("reports deliveries by topic and outcome, queue depth and unprocessed inbox rows in Prometheus text format", async () => {
    const shop = uniqueShopDomain("metrics");
    await deliver({ topic: "orders/create", shop, body: fixture("orders-create") });
    await deliver({ topic: "orders/create", shop, body: fixture("orders-create"), secret: "wrong" });
    const response = await metricsLoader({ request: new Request("https://lotkeeper.test/metrics"), params: {}, context: {} });
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^lotkeeper_webhook_deliveries_total\{outcome="accepted",topic="orders\/create"\} [1-9]\d*$/m);
    expect(text).toMatch(/^lotkeeper_webhook_deliveries_total\{outcome="rejected_401",topic="orders\/create"\} [1-9]\d*$/m);
    expect(text).toMatch(/^lotkeeper_queue_jobs\{queue="webhooks",state="waiting"\} [1-9]\d*$/m);
    expect(text).toMatch(/^lotkeeper_webhook_events\{status="pending"\} [1-9]\d*$/m);
    expect(text).toMatch(/^lotkeeper_dependency_up\{dependency="redis"\} 1$/m);
    await processWebhookQueue();
  });

  it("with METRICS_TOKEN set, answers 401 without the bearer token and the metrics with it", async () => {
    process.env.METRICS_TOKEN = "metrics-token-0123456789";
    resetEnvForTests();
    try {
      const scrape = (authorization?: string) =>
        metricsLoader({
          request: new Request("https://lotkeeper.test/metrics", { headers: authorization ? { Authorization: authorization } : {} }),
          params: {},
          context: {},
        });
      expect((await scrape()).status).toBe(401);
      expect((await scrape("Bearer wrong-token-0123456789")).status).toBe(401);
      const ok = await scrape("Bearer metrics-token-0123456789");
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/^lotkeeper_dependency_up\{dependency="postgres"\} 1$/m);
    } finally {
      delete process.env.METRICS_TOKEN;
      resetEnvForTests();
    }
  });

  it("in production without METRICS_TOKEN, refuses every scrape (401) unless METRICS_PUBLIC=1 opens it", async () => {
    const saved = process.env.NODE_ENV;
    const scrape = () => metricsLoader({ request: new Request("https://lotkeeper.test/metrics"), params: {}, context: {} });
    try {
      process.env.NODE_ENV = "production";
      resetEnvForTests();
      expect((await scrape()).status).toBe(401);
      expect(metricsClosedWarning()).toMatch(/METRICS_TOKEN.*METRICS_PUBLIC=1/);
      process.env.METRICS_PUBLIC = "1";
      resetEnvForTests();
      const open = await scrape();
      expect(open.status).toBe(200);
      expect(await open.text()).toMatch(/^lotkeeper_dependency_up\{dependency="postgres"\} 1$/m);
      expect(metricsClosedWarning()).toBeNull();
    } finally {
      process.env.NODE_ENV = saved;
      delete process.env.METRICS_PUBLIC;
      resetEnvForTests();
    }
  });
});

describe("health", () => {
  it("/healthz answers ok; /readyz reports Postgres and Redis", async () => {
    expect(await (healthz() as Response).text()).toBe("ok");
    const ready = await readyz();
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ok" });
  });

  it("/readyz: 40 concurrent callers are answered through the process's pool and Redis client, not 40 new Postgres sessions", async () => {
    const sessions = async () => {
      await pool().query("select pg_stat_clear_snapshot()");
      return Number((await pool().query<{ n: string }>("select sessions::text as n from pg_stat_database where datname = current_database()")).rows[0]!.n);
    };
    await readyz(); // the pool and the Redis client exist, as in a running server
    await new Promise((r) => setTimeout(r, READY_CACHE_MS + 50)); // the answer above is not reused
    const before = await sessions();
    const answers = await Promise.all(Array.from({ length: 40 }, () => readyz()));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    await new Promise((r) => setTimeout(r, 500)); // ended sessions reach the statistics
    // Other test files share this database; 40 callers opening their own session each would show.
    expect((await sessions()) - before).toBeLessThan(10);
  });

  it("readiness: one check in flight for every concurrent caller, reused for a second; a failure is a generic 503 with the details in the log only", async () => {
    let calls = 0;
    let clock = 0;
    let failing = false;
    const ready = createReadiness(
      {
        postgres: async () => {
          calls++;
          await new Promise((r) => setTimeout(r, 20));
          if (failing) throw new Error("Postgres is not answering at 10.0.0.5:5432 (DATABASE_URL): start it with pg_ctlcluster ...");
        },
        redis: async () => undefined,
      },
      1000,
      () => clock,
    );
    const first = await Promise.all(Array.from({ length: 40 }, () => readinessResponse(ready)));
    expect(first.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(calls).toBe(1);
    clock = 999;
    await readinessResponse(ready);
    expect(calls).toBe(1);
    clock = 1000;
    failing = true;
    const warn = vi.spyOn(log, "warn");
    try {
      const down = await readinessResponse(ready);
      expect(calls).toBe(2);
      expect(down.status).toBe(503);
      const body = await down.text();
      expect(JSON.parse(body)).toEqual({ status: "unavailable" });
      expect(body).not.toMatch(/10\.0\.0\.5|pg_ctlcluster|DATABASE_URL/);
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(/not ready/),
        expect.objectContaining({ postgres: expect.objectContaining({ message: expect.stringContaining("10.0.0.5:5432") }) }),
      );
    } finally {
      warn.mockRestore();
    }
  });
});
