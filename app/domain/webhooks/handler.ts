// What a topic handler gets: the open transaction, the tenant, and the verified payload. The
// worker commits the handler's effects and the inbox row's "processed" mark together.
import type { Db } from "../../lib/sql.server";
import type { Logger } from "../../lib/logger.server";

export interface WebhookContext {
  sql: Db;
  shopId: number;
  shopDomain: string;
  webhookId: string;
  /** Lower-case REST form, e.g. "orders/create". */
  topic: string;
  payload: unknown;
  receivedAt: Date;
  log: Logger;
  /** Runs after the transaction commits (e.g. queue outbox jobs); failures there are retried by sweeps. */
  afterCommit(fn: () => Promise<void>): void;
}

export type TopicHandler = (ctx: WebhookContext) => Promise<void>;

/**
 * A payload that can never be processed (wrong shape): the job fails at once, without retries,
 * and the reason is stored on the inbox row.
 */
export class InvalidPayloadError extends Error {
  override name = "InvalidPayloadError";
}
