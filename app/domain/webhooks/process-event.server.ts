// Processing one inbox row: the topic's handlers run AND the row is marked PROCESSED in one
// transaction, so a crash between effect and mark cannot double the effect on retry. The row is
// locked (FOR UPDATE) while it is processed: two jobs for the same event (a stalled job retried
// while the first still runs) serialise, and the second finds it PROCESSED and stops.
import type { Logger } from "../../lib/logger.server";
import { pool } from "../../db.server";
import { withTransaction } from "../../lib/sql.server";
import { ensureShop, findShopId } from "../shops/shops.server";
import { InvalidPayloadError, type WebhookContext } from "./handler";
import { topicHandlers, type Topic } from "./topics.server";
import { parsePayload } from "./payload";

export type ProcessOutcome = "processed" | "already-processed" | "deferred" | "missing" | "shop-redacted";

interface InboxRow {
  id: bigint;
  webhook_id: string;
  shop_domain: string;
  topic: string;
  status: string;
  payload: string;
  received_at: Date;
}

export interface ProcessOptions {
  log: Logger;
}

/** Run the handlers of inbox row `eventId`. Throws what a handler throws (InvalidPayloadError: never retry). */
export async function processWebhookEvent(eventId: string | bigint, options: ProcessOptions): Promise<ProcessOutcome> {
  // Count the attempt first, in its own statement: a worker killed mid-job still leaves its trace.
  const counted = await pool().query<{ status: string }>(
    "update webhook_events set attempts = attempts + 1 where id = $1 and status <> 'PROCESSED' returning status",
    [eventId],
  );
  if (counted.rowCount === 0) {
    const exists = await pool().query("select 1 from webhook_events where id = $1", [eventId]);
    return exists.rowCount ? "already-processed" : "missing";
  }
  const callbacks: Array<() => Promise<void>> = [];
  let log = options.log;
  const outcome = await withTransaction(async (sql): Promise<ProcessOutcome> => {
    // (log gains shop, topic and webhookId once the row is read; failures are logged by the worker with them)
    callbacks.length = 0; // a retried transaction starts over
    const found = await sql.query<InboxRow>(
      "select id, webhook_id, shop_domain, topic, status, payload::text as payload, received_at from webhook_events where id = $1 for update",
      [eventId],
    );
    const row = found.rows[0];
    if (!row) return "missing";
    if (row.status === "PROCESSED") return "already-processed";
    log = options.log.child({ shop: row.shop_domain, topic: row.topic, webhookId: row.webhook_id });
    const handlers = topicHandlers[row.topic as Topic] ?? [];
    if (handlers.length === 0) {
      await sql.query("update webhook_events set status = 'DEFERRED', last_error = null where id = $1", [row.id]);
      return "deferred";
    }
    if (row.topic !== "shop/redact" && (await shopWasRedacted(sql, row.shop_domain))) {
      // Shopify can deliver a late event after shop/redact erased the shop: recording it would
      // bring the erased data back. Keep the delivery's trace, drop its content.
      await sql.query(
        "update webhook_events set status = 'PROCESSED', processed_at = now(), payload = '{}'::jsonb, last_error = 'shop was redacted; payload discarded' where id = $1",
        [row.id],
      );
      return "shop-redacted";
    }
    const shopId = await ensureShop(sql, row.shop_domain, { seenBy: "webhook" });
    const ctx: WebhookContext = {
      sql,
      shopId,
      shopDomain: row.shop_domain,
      webhookId: row.webhook_id,
      topic: row.topic,
      payload: parsePayload(row.payload),
      receivedAt: row.received_at,
      log,
      afterCommit: (fn) => callbacks.push(fn),
    };
    for (const handler of handlers) await handler(ctx);
    await sql.query("update webhook_events set status = 'PROCESSED', processed_at = now(), last_error = null where id = $1", [row.id]);
    return "processed";
  });
  log.info(`webhook event ${outcome}`, { eventId: String(eventId) });
  for (const callback of callbacks) {
    try {
      await callback();
    } catch (error) {
      log.warn("after-commit step failed; the maintenance sweeps will redo it", { error });
    }
  }
  return outcome;
}

/** A shop/redact was processed and the shop has not been installed again since. */
async function shopWasRedacted(sql: Pick<import("pg").PoolClient, "query">, domain: string): Promise<boolean> {
  if ((await findShopId(sql, domain)) !== undefined) return false;
  const redacted = await sql.query("select 1 from webhook_events where shop_domain = $1 and topic = 'shop/redact' and status = 'PROCESSED' limit 1", [domain]);
  return (redacted.rowCount ?? 0) > 0;
}

/**
 * Store why an attempt failed. `final` (no retry left, or a payload that can never succeed)
 * marks the row FAILED; otherwise it stays PENDING and the job's backoff retries it.
 */
export async function recordEventFailure(eventId: string | bigint, error: unknown, final: boolean): Promise<void> {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  await pool().query(
    `update webhook_events set last_error = $2, status = case when $3 then 'FAILED'::"WebhookStatus" else status end
     where id = $1 and status <> 'PROCESSED'`,
    [eventId, message.slice(0, 2000), final],
  );
}

export function isPermanentFailure(error: unknown): boolean {
  return error instanceof InvalidPayloadError;
}

/** The fields logs carry for an inbox row (shop, topic, webhookId), for failure logs. */
export async function describeEvent(eventId: string | bigint): Promise<{ shop: string; topic: string; webhookId: string } | undefined> {
  const r = await pool().query<{ shop: string; topic: string; webhookId: string }>(
    `select shop_domain as shop, topic, webhook_id as "webhookId" from webhook_events where id = $1`,
    [eventId],
  );
  return r.rows[0];
}
