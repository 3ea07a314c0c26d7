// Structured JSON logs, one object per line on stdout. Fields carry the context an operator
// searches by: shop, topic, webhookId, jobId. No customer data and no tokens in logs.
import { env } from "../env.server";

type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;

function threshold(): number {
  try {
    return order[env().LOG_LEVEL];
  } catch {
    return order.info;
  }
}

function write(level: Level, msg: string, fields: LogFields): void {
  if (order[level] < threshold()) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }, (_k, v: unknown) =>
    typeof v === "bigint" ? v.toString() : v instanceof Error ? { name: v.name, message: v.message } : v,
  );
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line + "\n");
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export function createLogger(base: LogFields = {}): Logger {
  return {
    debug: (msg, fields = {}) => write("debug", msg, { ...base, ...fields }),
    info: (msg, fields = {}) => write("info", msg, { ...base, ...fields }),
    warn: (msg, fields = {}) => write("warn", msg, { ...base, ...fields }),
    error: (msg, fields = {}) => write("error", msg, { ...base, ...fields }),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

export const log = createLogger();
