// What an operator reads when a job fails: the worker's log line carries the error's stack, its
// cause chain with the Postgres error code, the shop and the job id; customer data a handler put
// in its fields is redacted. The real webhook worker (createQueueWorker) on a real inbox row. A
// request's failure line carries its request id and shop; a CLI command's stdout stays JSON.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deliver, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { createTestShop } from "../helpers/shops";
import { closeQueues, jobIdFor } from "../../app/lib/queues.server";
import { topicHandlers } from "../../app/domain/webhooks/topics.server";
import { main } from "../../app/cli/main";
import { adminContext } from "../../app/lib/admin-context.server";
import { withLogContext } from "../../app/lib/logger.server";
import { handleError } from "../../app/entry.server";
import { adminGet } from "../helpers/admin-requests";

// Before the first line is written (the logger reads LOG_LEVEL then); useOwnQueuePrefix reloads the configuration.
process.env.LOG_LEVEL = "info";
useOwnQueuePrefix();
afterAll(() => closeQueues());

const CUSTOMER_EMAIL = "jane.doe@example.com";

let stdout: string[] = [];
let stderr: string[] = [];
beforeEach(() => {
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (stdout.push(String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (stderr.push(String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

const lines = (chunks: string[]) =>
  chunks
    .join("")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("the log lines an operator reads", () => {
  it("a failed job's line: stack, cause chain with the pg code, shop, job id; the customer's email redacted", async () => {
    const shop = await createTestShop("logging");
    const saved = topicHandlers["locations/update"];
    let calls = 0;
    topicHandlers["locations/update"] = [
      async (ctx) => {
        ctx.log.info("customer notified of the location change", { customer: { id: 7301188550001, email: CUSTOMER_EMAIL, first_name: "Jane" } });
        if (calls++ > 0) return saved![0]!(ctx);
        try {
          // A real DatabaseError: the shop's domain is unique.
          await ctx.sql.query("insert into shops (domain, updated_at) values ($1, now())", [ctx.shopDomain]);
        } catch (error) {
          throw new Error("could not record the location", { cause: error });
        }
      },
    ];
    try {
      const { webhookId } = await deliver({ topic: "locations/update", shop: shop.domain, body: { id: 11, name: "Main", active: true } });
      await processWebhookQueue(); // fails once, then the retry succeeds
      const failed = lines(stderr).find((l) => l.msg === "job failed (retry)");
      expect(failed, stderr.join("")).toMatchObject({
        level: "warn",
        queue: "webhooks",
        jobId: jobIdFor("wh", webhookId),
        attempt: 1,
        shop: shop.domain,
        topic: "locations/update",
        webhookId,
        error: {
          type: "Error",
          message: "could not record the location",
          stack: expect.stringContaining("logging.test.ts"),
          cause: {
            type: "DatabaseError",
            code: "23505",
            constraint: "shops_domain_key",
            table: "shops",
            detail: "[Redacted]",
            stack: expect.stringMatching(/^error: duplicate key/),
          },
        },
      });
      const notified = lines(stdout).filter((l) => l.msg === "customer notified of the location change");
      expect(notified).toHaveLength(2);
      expect(notified[0]).toMatchObject({
        level: "info",
        shop: shop.domain,
        webhookId,
        customer: { id: 7301188550001, email: "[Redacted]", first_name: "[Redacted]" },
      });
      expect(stdout.join("") + stderr.join("")).not.toContain(CUSTOMER_EMAIL);
      expect(stdout.join("") + stderr.join("")).not.toContain(shop.domain + ")"); // the pg detail names the row's values
      expect(lines(stdout).find((l) => l.msg === "webhook event processed")).toMatchObject({ shop: shop.domain, webhookId, attempt: 2 });
    } finally {
      topicHandlers["locations/update"] = saved;
    }
  });

  it("a request's failure line (Remix handleError) carries the request id and, once the session says it, the shop; the path without its query", async () => {
    const shop = await createTestShop("logging-admin");
    const request = adminGet(shop.domain, "/app/lots/12?id_token=eyJ.secret&shop=" + shop.domain);
    await withLogContext({ requestId: "req-7f3a" }, async () => {
      await adminContext(request); // a loader's first step
      const pgError = await realPgError();
      handleError(new Error("could not load the lot", { cause: pgError }), { request, params: {}, context: {} });
    });
    const line = lines(stderr).find((l) => l.msg === "request failed");
    expect(line, stderr.join("")).toMatchObject({
      level: "error",
      requestId: "req-7f3a",
      shop: shop.domain,
      method: "GET",
      path: "/app/lots/12",
      error: { message: "could not load the lot", stack: expect.stringContaining("logging.test.ts"), cause: { code: "22P02" } },
    });
    expect(stderr.join("")).not.toContain("eyJ.secret");
  });

  // Last in this file: once a command has run, this process sends every line to stderr.
  it("a CLI command writes its JSON alone on stdout; log lines go to stderr from then on", async () => {
    const shop = await createTestShop("logging-cli");
    const { webhookId } = await deliver({ topic: "locations/create", shop: shop.domain, body: { id: 12, name: "Back", active: true } });
    await processWebhookQueue();
    expect(lines(stdout).map((l) => l.msg)).toContain("webhook accepted"); // before any command: info on stdout
    stdout = [];
    stderr = [];
    await main(["events", "list", "--shop", shop.domain]);
    const { log } = await import("../../app/lib/logger.server");
    log.info("a line written after a command ran");
    expect(JSON.parse(stdout.join(""))).toEqual([expect.objectContaining({ webhookId, status: "processed" })]);
    expect(lines(stderr).map((l) => l.msg)).toEqual(["a line written after a command ran"]);
  });
});

/** A real pg error: a lot id that is not a number. */
async function realPgError(): Promise<unknown> {
  const { pool } = await import("../../app/db.server");
  return pool()
    .query("select $1::bigint", ["twelve"])
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}
