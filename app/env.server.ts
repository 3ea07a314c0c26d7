// Configuration, parsed once per process (house style: validate at start, name every variable).
// A missing or malformed value is a ConfigError whose message is one line naming the variable;
// entry points print it and exit (see app/lib/fail-fast.server.ts).
import { config as loadDotEnv } from "dotenv";
import { z } from "zod";

loadDotEnv({ quiet: true });

export const DEFAULT_SCOPES =
  "read_orders,read_fulfillments,read_merchant_managed_fulfillment_orders,read_third_party_fulfillment_orders,read_returns,read_inventory,write_inventory,read_products,read_customers,write_orders,write_customers,read_locations,write_app_proxy,write_discounts";

const urlWithScheme = (schemes: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol.replace(/:$/, ""));
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${schemes.map((s) => `${s}://`).join(" or ")}`,
  );

/** A yes/no setting: 1/true/yes or 0/false/no (empty = no). */
const flag = z
  .enum(["", "0", "1", "true", "false", "yes", "no"], { message: "must be 1 or 0" })
  .default("0")
  .transform((v) => v === "1" || v === "true" || v === "yes");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: urlWithScheme(["postgresql", "postgres"]).default("postgresql://postgres@127.0.0.1:5432/lotkeeper"),
  REDIS_URL: urlWithScheme(["redis", "rediss"]).default("redis://127.0.0.1:6379"),
  SHOPIFY_API_KEY: z.string().min(1, "is required (the app's client id)"),
  SHOPIFY_API_SECRET: z.string().min(1, "is required (the app's client secret)"),
  SHOPIFY_APP_URL: urlWithScheme(["http", "https"]),
  SCOPES: z
    .string()
    .regex(/^[a-z_]+(,[a-z_]+)*$/, "must be comma-separated scopes such as read_orders,write_inventory")
    .default(DEFAULT_SCOPES),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Address the web server listens on (0.0.0.0 = every interface; 127.0.0.1 = this machine only). */
  HOST: z.string().min(1, "must be an address such as 0.0.0.0 or 127.0.0.1").default("0.0.0.0"),
  /** Connections per process in its one Postgres pool (our SQL and Prisma's session storage share it). */
  PG_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * How long a request or job waits for a free pool connection before it fails (a 503 or a job
   * retried later) instead of waiting for ever: with one pool, code holding a connection while it
   * needs a second (a token refresh under its lock stores the session through Prisma) could
   * otherwise starve when every connection is held that way.
   */
  PG_POOL_WAIT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  WEBHOOK_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** How long a worker holds a job before another worker may take it over (BullMQ lockDuration; a killed worker's job restarts after about twice this). */
  WORKER_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  /** How often a worker checks that the repeatable schedules (sweeps) still exist in Redis and re-creates any that are gone (also on every Redis reconnect). */
  WORKER_SCHEDULE_CHECK_MS: z.coerce.number().int().min(100).default(30_000),
  /** Queues this worker process works on (comma-separated, e.g. "webhooks"); empty = all. Repeatable jobs follow their queue. */
  /** When set, GET /metrics requires "Authorization: Bearer <METRICS_TOKEN>". */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** In production, /metrics without METRICS_TOKEN answers 401 unless this is 1 (metrics open to anyone who reaches the port). */
  METRICS_PUBLIC: flag,
  /** When set, the worker process serves GET /metrics (job durations, failures, queue depth) on this port. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Address the worker's metrics server listens on (default this machine only; 0.0.0.0 = every interface). */
  WORKER_METRICS_HOST: z.string().min(1, "must be an address such as 127.0.0.1 or 0.0.0.0").default("127.0.0.1"),
  /** The web server closes a request whose headers and body have not fully arrived after this long (408; a trickled body). */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60_000),
  /** The web server closes a connection whose request headers have not arrived after this long (at most HTTP_REQUEST_TIMEOUT_MS). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).default(15_000),
  /** An idle keep-alive connection is closed after this long (longer than a load balancer's idle timeout). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(65_000),
  /** Open connections the web server accepts at once; more are dropped at once (one process's share of the load). */
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(1000),
  /** Largest request body of the admin and every other route but /webhooks (a CSV import form): larger ones get 413. */
  ADMIN_BODY_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  /** On SIGTERM the web server waits this long for in-flight requests before closing their connections. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** Processed webhook events (and their payloads) are deleted after this many days. */
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  WORKER_QUEUES: z
    .string()
    .regex(/^[a-z-]*(,[a-z-]+)*$/, "must be comma-separated queue names such as webhooks,maintenance")
    .default(""),
  QUEUE_PREFIX: z.string().min(1).default("{lotkeeper}"),
  /** The mail server recall notices go out through (nodemailer URL: smtp://user:pass@host:587, smtps://...:465). Unset: notices cannot be sent. */
  SMTP_URL: urlWithScheme(["smtp", "smtps"]).optional(),
  /** Recall notices one shop sends per second at most (all worker processes together; a counter in Redis). */
  NOTICE_RATE_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(5),
});

export type Env = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

let cached: Env | undefined;

/** The validated configuration of this process. Throws ConfigError naming the first bad variable. */
export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = issue.path.join(".");
    const message =
      issue.code === "invalid_type" && issue.received === "undefined"
        ? "is required"
        : issue.code === "invalid_type" && issue.expected === "number"
          ? `must be a number (got ${JSON.stringify(process.env[name])})`
          : issue.message;
    throw new ConfigError(`Configuration error: ${name} ${message} (see .env.example)`);
  }
  cached = parsed.data;
  return cached;
}

/** Tests change process.env between cases; this forgets the parsed copy. */
export function resetEnvForTests(): void {
  cached = undefined;
}
