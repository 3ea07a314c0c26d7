// Structured JSON logs through pino (docs/decisions/093-structured-logging.md), one object per line:
// {"level":"info","time":"<ISO>","msg":"...", ...fields}. Fields carry the context an operator
// searches by: shop, topic, webhookId, jobId, requestId.
//
// Where lines go: debug and info on stdout, warn and error on stderr. A CLI process sends every
// line to stderr (app/cli/main.ts calls sendAllLogsToStderr()), because its stdout is the JSON a
// script reads. LOG_LEVEL (debug | info | warn | error | silent, default info) is read once, when the
// first line is written.
//
// What a line can hold:
//  - an Error anywhere at the top level of the fields becomes {type, message, stack, cause (the
//    chain, recursively), code, constraint, table, ... (a pg DatabaseError's fields)};
//  - secrets, tokens and customer personal data are replaced by "[Redacted]" by path: the keys of
//    REDACTED_KEYS in the containers of REDACT_CONTAINERS (below; the one place that defines them);
//  - a field named level, msg or time is kept as _level, _msg, _time: it never replaces the line's own;
//  - bigint top-level fields are strings (Shopify ids beyond 2^53 stay exact); circular values
//    print "[Circular]" instead of throwing.
// Context: log.child(fields) for a job or a delivery; withLogContext()/addLogContext() for a
// request (every line written while it is handled carries its requestId, and the shop once known).
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import pino from "pino";
import { env } from "../env.server";

type Level = "debug" | "info" | "warn" | "error";
export type LogLevel = Level | "silent";

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/**
 * Keys whose values never reach a log line: Shopify tokens and the app secret, HTTP credentials,
 * and what identifies a customer (Shopify's payload names and ours). Not "name": it is an error's
 * type and a job's name; customer names are first_name/last_name/customerName.
 */
export const REDACTED_KEYS = [
  // secrets and tokens
  "SHOPIFY_API_SECRET",
  "apiSecret",
  "secret",
  "password",
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "token",
  "sessionToken",
  "idToken",
  "id_token",
  "authorization",
  "cookie",
  "set-cookie",
  "x-shopify-access-token",
  "x-shopify-hmac-sha256",
  // customer personal data
  "email",
  "contact_email",
  "customerEmail",
  "phone",
  "customerPhone",
  "first_name",
  "last_name",
  "firstName",
  "lastName",
  "customerName",
  "address",
  "address1",
  "address2",
  "addresses",
  "default_address",
  "billing_address",
  "shipping_address",
  "zip",
  // a pg error's detail repeats the row's values ("Key (email)=(jane@example.com) already exists")
  "detail",
] as const;

/**
 * Where those keys are looked for: the top level and the objects the app logs under these names
 * (an error's fields and two causes down, HTTP headers, a session, a customer, an order or a
 * payload and the customer in it). Explicit paths on purpose: pino's wildcard paths ("*.email")
 * cost ~100 µs a line (measured, docs/decisions/093-structured-logging.md); these cost nothing on a
 * line that has none of the containers. A new shape of logged object gets its container here.
 */
export const REDACT_CONTAINERS = [
  "",
  "error",
  "error.cause",
  "error.cause.cause",
  "headers",
  "session",
  "customer",
  "order",
  "order.customer",
  "payload",
  "payload.customer",
] as const;

/** pino redact paths: every key of REDACTED_KEYS in every container of REDACT_CONTAINERS. */
export const REDACT_PATHS: string[] = REDACT_CONTAINERS.flatMap((container) =>
  REDACTED_KEYS.map((key) => {
    const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    if (container === "") return segment;
    return segment.startsWith("[") ? `${container}${segment}` : `${container}.${segment}`;
  }),
);

const RESERVED = new Set(["level", "msg", "time"]);

type ErrorLike = Error & { cause?: unknown; errors?: unknown };

/** An error as a log field: type, message, stack, its own fields (pg: code, constraint, table, ...) and its cause chain. */
export function serializeError(error: ErrorLike, seen: Set<unknown> = new Set()): LogFields {
  seen.add(error);
  const out: LogFields = { type: error.constructor?.name ?? error.name, message: error.message, stack: error.stack };
  if (error.name && error.name !== out.type) out.name = error.name;
  for (const key of Object.keys(error)) {
    if (key === "cause" || key === "errors" || key === "name" || key in out) continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value === undefined || typeof value === "function") continue;
    out[key] = value instanceof Error ? (seen.has(value) ? "[Circular]" : serializeError(value, seen)) : typeof value === "bigint" ? value.toString() : value;
  }
  if (error.cause !== undefined) {
    out.cause = error.cause instanceof Error ? (seen.has(error.cause) ? "[Circular]" : serializeError(error.cause, seen)) : error.cause;
  }
  if (Array.isArray(error.errors)) out.errors = error.errors.map((e: unknown) => (e instanceof Error && !seen.has(e) ? serializeError(e, seen) : e));
  return out;
}

/** Top-level fields as written: errors serialized, bigints as strings, level/msg/time moved aside. */
function prepare(fields: LogFields): LogFields {
  let out: LogFields | undefined;
  for (const key in fields) {
    const value = fields[key];
    const reserved = RESERVED.has(key);
    if (!reserved && typeof value !== "bigint" && !(value instanceof Error)) continue;
    out ??= { ...fields };
    const written = typeof value === "bigint" ? value.toString() : value instanceof Error ? serializeError(value) : value;
    if (reserved) {
      delete out[key];
      out[`_${key}`] = written;
    } else out[key] = written;
  }
  return out ?? fields;
}

// ---- where lines go -------------------------------------------------------------------------

let allToStderr = false;

/** For a CLI process: every log line to stderr, so stdout carries only the command's JSON. */
export function sendAllLogsToStderr(): void {
  allToStderr = true;
}

const stdoutProxy = { write: (line: string) => (allToStderr ? process.stderr : process.stdout).write(line) };
const stderrProxy = { write: (line: string) => process.stderr.write(line) };

// ---- request context ------------------------------------------------------------------------

const requestContext = new AsyncLocalStorage<LogFields>();

/** Runs fn with `fields` on every line logged while it runs (the web server: one per request). */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  return requestContext.run({ ...fields }, fn);
}

/** A request's id: the X-Request-Id a proxy set when it looks like one, otherwise a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === "string" && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID();
}

/** Adds fields to the current request's context (e.g. the shop once the session says it); a no-op outside one. */
export function addLogContext(fields: LogFields): void {
  const store = requestContext.getStore();
  if (store) Object.assign(store, fields);
}

// ---- pino -----------------------------------------------------------------------------------

function levelFromEnv(): LogLevel {
  try {
    return env().LOG_LEVEL;
  } catch {
    return "info";
  }
}

export interface LoggerOptions {
  /** Default: LOG_LEVEL. */
  level?: LogLevel;
  /** One stream for every level (tests). Default: debug/info on stdout, warn/error on stderr. */
  destination?: { write(line: string): unknown };
}

function createPino(options: LoggerOptions): pino.Logger {
  const destination =
    options.destination ??
    pino.multistream(
      [
        { level: "debug", stream: stdoutProxy },
        { level: "warn", stream: stderrProxy },
      ],
      { dedupe: true },
    );
  return pino(
    {
      level: options.level ?? levelFromEnv(),
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[Redacted]" },
      formatters: {
        level: (label) => ({ level: label }),
        log: prepare,
      },
      mixin: () => {
        const store = requestContext.getStore();
        return store ? { ...store } : {};
      },
    },
    destination,
  );
}

class PinoLogger implements Logger {
  #pino: pino.Logger | undefined;

  constructor(
    private readonly parent: () => pino.Logger,
    private readonly bindings: LogFields,
  ) {}

  private get pino(): pino.Logger {
    // Made on first use, so LOG_LEVEL is read once the configuration is loaded.
    this.#pino ??= Object.keys(this.bindings).length === 0 ? this.parent() : this.parent().child(prepare(this.bindings));
    return this.#pino;
  }

  debug(msg: string, fields?: LogFields): void {
    if (fields) this.pino.debug(fields, msg);
    else this.pino.debug(msg);
  }

  info(msg: string, fields?: LogFields): void {
    if (fields) this.pino.info(fields, msg);
    else this.pino.info(msg);
  }

  warn(msg: string, fields?: LogFields): void {
    if (fields) this.pino.warn(fields, msg);
    else this.pino.warn(msg);
  }

  error(msg: string, fields?: LogFields): void {
    if (fields) this.pino.error(fields, msg);
    else this.pino.error(msg);
  }

  child(fields: LogFields): Logger {
    return new PinoLogger(() => this.pino, fields);
  }
}

let root: pino.Logger | undefined;
const processRoot = () => (root ??= createPino({}));

/** A logger whose every line carries `base`. Options make a logger of its own (tests); otherwise it shares the process's streams and LOG_LEVEL. */
export function createLogger(base: LogFields = {}, options?: LoggerOptions): Logger {
  if (!options) return new PinoLogger(processRoot, base);
  let own: pino.Logger | undefined;
  return new PinoLogger(() => (own ??= createPino(options)), base);
}

export const log = createLogger();
