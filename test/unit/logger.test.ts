// The log line an operator reads (app/lib/logger.server.ts): errors with their stack, cause chain
// and Postgres fields; secrets and customer data redacted by path; the line's own level, msg and
// time never replaced by a caller's field; circular values and bigints written, never thrown.
import { DatabaseError } from "pg";
import { describe, expect, it } from "vitest";
import { addLogContext, createLogger, requestIdFrom, withLogContext, type LoggerOptions } from "../../app/lib/logger.server";

function capture(level: LoggerOptions["level"] = "debug", base = {}) {
  const written: string[] = [];
  const logger = createLogger(base, { level, destination: { write: (line: string) => written.push(line) } });
  const lines = () => written.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, written, lines };
}

/** What pg throws for a unique violation (the fields pg's parser sets from the server's message). */
function uniqueViolation(): DatabaseError {
  const error = new DatabaseError('duplicate key value violates unique constraint "customers_email_key"', 120, "error");
  Object.assign(error, {
    severity: "ERROR",
    code: "23505",
    detail: "Key (shop_id, email)=(4, jane.doe@example.com) already exists.",
    schema: "public",
    table: "customers",
    constraint: "customers_email_key",
    routine: "_bt_check_unique",
  });
  return error;
}

describe("errors", () => {
  it("an error keeps its stack and its cause chain, recursively, with the pg code and constraint", () => {
    const { logger, lines } = capture();
    const pgError = uniqueViolation();
    const error = new Error("could not import the customer", { cause: new Error("customer upsert failed", { cause: pgError }) });
    logger.error("job failed (final)", { error });
    expect(lines()[0]).toMatchObject({
      level: "error",
      msg: "job failed (final)",
      error: {
        message: "could not import the customer",
        stack: expect.stringMatching(/^Error: could not import the customer\n\s+at .*logger\.test\.ts/),
        cause: {
          message: "customer upsert failed",
          stack: expect.stringContaining("logger.test.ts"),
          cause: {
            type: "DatabaseError",
            code: "23505",
            constraint: "customers_email_key",
            table: "customers",
            severity: "ERROR",
            stack: expect.stringMatching(/^error: duplicate key value/),
          },
        },
      },
    });
  });

  it("an error under any top-level key is serialized; a cause that is not an error is kept as is; a cycle of causes ends", () => {
    const { logger, lines } = capture();
    const looping = new Error("loops") as Error & { cause?: unknown };
    looping.cause = looping;
    logger.warn("several", { e: new TypeError("bad type"), reason: new Error("with a string cause", { cause: "the disk is full" }), looping });
    expect(lines()[0]).toMatchObject({
      e: { type: "TypeError", message: "bad type", stack: expect.stringContaining("TypeError: bad type") },
      reason: { cause: "the disk is full" },
      looping: { message: "loops", cause: "[Circular]" },
    });
  });
});

describe("redaction", () => {
  it("tokens, the app secret, authorization headers and customer data are redacted at the top level and in the objects the app logs; other fields stay", () => {
    const { logger, written, lines } = capture();
    logger.info("delivery", {
      accessToken: "shpat_abc",
      SHOPIFY_API_SECRET: "shpss_secret",
      headers: { authorization: "Bearer eyJ.token", "x-shopify-access-token": "shpat_def", "x-shopify-topic": "orders/create" },
      customer: {
        id: 7301188550001,
        email: "jane.doe@example.com",
        phone: "+4915112345678",
        first_name: "Jane",
        last_name: "Doe",
        default_address: { address1: "1 Main St", city: "Berlin" },
      },
      order: { id: 450789469, shipping_address: { zip: "10115" }, customer: { email: "jane.doe@example.com" } },
      session: { refresh_token: "shprt_x", shop: "a.myshopify.com" },
      shop: "a.myshopify.com",
    });
    const [line] = lines();
    expect(line).toMatchObject({
      accessToken: "[Redacted]",
      SHOPIFY_API_SECRET: "[Redacted]",
      headers: { authorization: "[Redacted]", "x-shopify-access-token": "[Redacted]", "x-shopify-topic": "orders/create" },
      customer: {
        id: 7301188550001,
        email: "[Redacted]",
        phone: "[Redacted]",
        first_name: "[Redacted]",
        last_name: "[Redacted]",
        default_address: "[Redacted]",
      },
      order: { id: 450789469, shipping_address: "[Redacted]", customer: { email: "[Redacted]" } },
      session: { refresh_token: "[Redacted]", shop: "a.myshopify.com" },
      shop: "a.myshopify.com",
    });
    for (const secret of [
      "shpat_abc",
      "shpss_secret",
      "eyJ.token",
      "shpat_def",
      "jane.doe@example.com",
      "+4915112345678",
      "Jane",
      "1 Main St",
      "10115",
      "shprt_x",
    ]) {
      expect(written.join("")).not.toContain(secret);
    }
  });

  it("a pg error's detail (which repeats the row's values) is redacted on the error and its causes; the logged objects are not changed", () => {
    const { logger, written, lines } = capture();
    const pgError = uniqueViolation();
    const fields = { error: new Error("import failed", { cause: pgError }), customer: { email: "jane.doe@example.com" } };
    logger.error("failed", fields);
    expect(lines()[0]).toMatchObject({ error: { cause: { code: "23505", detail: "[Redacted]" } } });
    expect(written.join("")).not.toContain("jane.doe@example.com");
    expect(pgError.detail).toContain("jane.doe@example.com");
    expect(fields.customer.email).toBe("jane.doe@example.com");
  });

  it("child bindings are redacted like fields", () => {
    const { logger, lines } = capture();
    logger.child({ shop: "a.myshopify.com", customer: { email: "jane.doe@example.com" } }).info("bound");
    expect(lines()[0]).toMatchObject({ shop: "a.myshopify.com", customer: { email: "[Redacted]" } });
  });
});

describe("the line's own fields", () => {
  it("fields named level, msg or time cannot replace the line's own: they are kept as _level, _msg, _time", () => {
    const { logger, written, lines } = capture();
    logger.child({ msg: "from a binding" }).warn("the real message", { level: "debug", msg: "forged", time: "1970-01-01" });
    const raw = written[0]!;
    expect(raw.match(/"level":/g)).toHaveLength(1);
    expect(raw.match(/"msg":/g)).toHaveLength(1);
    expect(lines()[0]).toMatchObject({ level: "warn", msg: "the real message", _level: "debug", _msg: "forged", _time: "1970-01-01" });
    expect(lines()[0]).toMatchObject({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it("circular values are written, never thrown; bigints are exact strings", () => {
    const { logger, lines } = capture();
    const order: Record<string, unknown> = { id: 1 };
    order.self = order;
    expect(() => logger.info("circular", { order, inventoryItemId: 2n ** 63n - 1n })).not.toThrow();
    const [line] = lines();
    expect(JSON.stringify(line!.order)).toContain("[Circular]");
    expect(line).toMatchObject({ order: { id: 1 }, inventoryItemId: "9223372036854775807" });
  });
});

describe("levels and context", () => {
  it("writes only lines at or above the level; silent writes nothing", () => {
    const warn = capture("warn");
    warn.logger.debug("d");
    warn.logger.info("i");
    warn.logger.warn("w");
    warn.logger.error("e");
    expect(warn.lines().map((l) => [l.level, l.msg])).toEqual([
      ["warn", "w"],
      ["error", "e"],
    ]);
    const silent = capture("silent");
    silent.logger.error("e");
    expect(silent.written).toEqual([]);
  });

  it("a child carries its parent's fields and its own; a request's context (request id, then the shop) is on every line written while it runs", async () => {
    const { logger, lines } = capture("debug", { queue: "webhooks" });
    const job = logger.child({ jobId: "wh-1", shop: "a.myshopify.com" });
    await withLogContext({ requestId: "req-1" }, async () => {
      job.info("before the session");
      await Promise.resolve();
      addLogContext({ shop: "b.myshopify.com" });
      logger.info("after the session");
    });
    logger.info("outside");
    addLogContext({ shop: "ignored" }); // no request: a no-op
    const [before, after, outside] = lines();
    expect(before).toMatchObject({ queue: "webhooks", jobId: "wh-1", shop: "a.myshopify.com", requestId: "req-1" });
    expect(after).toMatchObject({ queue: "webhooks", requestId: "req-1", shop: "b.myshopify.com" });
    expect(outside).not.toHaveProperty("requestId");
    expect(outside).not.toHaveProperty("shop");
  });

  it("a request keeps the id its proxy gave it; a missing, repeated or odd X-Request-Id gets a new one", () => {
    expect(requestIdFrom("lb-7f3a.42:1")).toBe("lb-7f3a.42:1");
    for (const header of [undefined, ["a", "b"], "", "has space", "x".repeat(129), '{"level":"error"}']) {
      expect(requestIdFrom(header)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });
});
