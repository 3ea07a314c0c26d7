// Putting inbox rows (back) on the queue: the sweep (rows Redis never got, deferred rows whose
// topic has a handler now) and `lotkeeper events replay`. The job id is always the one the route
// used, so a row is never queued twice at once; a finished job with that id is retried or replaced.
import { pool } from "../../db.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import { enqueueEvent } from "./inbox.server";
import { topicHandlers, type Topic } from "./topics.server";

export type RequeueResult = "queued" | "retried" | "already-queued";

/** Queue inbox row `eventId` unless a job for it is already waiting, delayed or running. */
export async function requeueEvent(eventId: bigint | string, webhookId: string): Promise<RequeueResult> {
  const queue = getQueue(QUEUE_NAMES.webhooks);
  const job = await queue.getJob(jobIdFor("wh", webhookId));
  if (!job) {
    await enqueueEvent(eventId, webhookId);
    return "queued";
  }
  const state = await job.getState();
  if (state === "failed") {
    await job.retry("failed");
    return "retried";
  }
  if (state === "completed") {
    await job.remove();
    await enqueueEvent(eventId, webhookId);
    return "queued";
  }
  if (state === "unknown") {
    await enqueueEvent(eventId, webhookId);
    return "queued";
  }
  return "already-queued";
}

export interface SweepOptions {
  /** Pending rows younger than this are left to the job the route queued. */
  olderThanMs?: number;
  limit?: number;
  /** Only these shops (tests sharing one database; operators re-driving one shop). */
  shopDomains?: string[];
}

export interface SweepResult {
  pending: number;
  deferred: number;
  queued: number;
}

/**
 * Re-queue inbox rows that are still PENDING after `olderThanMs` (Redis was down when they
 * arrived, or their job was lost) and DEFERRED rows whose topic has a handler now.
 */
export async function sweepInbox(options: SweepOptions = {}): Promise<SweepResult> {
  const olderThan = options.olderThanMs ?? 30_000;
  const limit = options.limit ?? 1000;
  const handled = Object.entries(topicHandlers)
    .filter(([, handlers]) => (handlers?.length ?? 0) > 0)
    .map(([topic]) => topic as Topic);
  const rows = await pool().query<{ id: bigint; webhook_id: string; status: string }>(
    `(select id, webhook_id, status::text from webhook_events
       where status = 'PENDING' and received_at < now() - make_interval(secs => $1::double precision / 1000)
         and ($4::text[] is null or shop_domain = any($4::text[]))
       order by received_at limit $2)
     union all
     (select id, webhook_id, status::text from webhook_events
       where status = 'DEFERRED' and topic = any($3::text[])
         and ($4::text[] is null or shop_domain = any($4::text[]))
       order by received_at limit $2)`,
    [olderThan, limit, handled, options.shopDomains ?? null],
  );
  let queued = 0;
  for (const row of rows.rows) {
    const result = await requeueEvent(row.id, row.webhook_id);
    if (result !== "already-queued") queued++;
  }
  return {
    pending: rows.rows.filter((r) => r.status === "PENDING").length,
    deferred: rows.rows.filter((r) => r.status === "DEFERRED").length,
    queued,
  };
}

/**
 * Processed inbox rows older than `retentionDays` are deleted (their payloads hold customer data,
 * and Shopify never redelivers after 4 hours, so deduplication does not need them). shop/redact
 * rows stay: they are the record that an erasure was done. Deletes in batches; returns the count.
 * Only this table: what a recall, a trace or the FSMA 204 sheet needs was copied into our own
 * tables (lots, ledger, allocations, orders ...) when the row was processed, and those are kept
 * for as long as the shop has the app (docs/decisions/108; test/integration/trace-retention.test.ts).
 */
export async function pruneInbox(retentionDays: number, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await pool().query(
      `delete from webhook_events where id in (
         select id from webhook_events
          where status = 'PROCESSED' and topic <> 'shop/redact' and received_at < now() - make_interval(days => $1)
          order by received_at limit $2)`,
      [retentionDays, batch],
    );
    total += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) < batch) return total;
  }
}
