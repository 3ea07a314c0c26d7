// The outbox: every change the app makes in Shopify is first a row in outbox_entries, written in
// the same transaction as the domain change, then a job on the shopify-sync queue (after commit).
// The job sends the mutation with @idempotent(key:) derived from the row, so a retry after a
// timeout never applies twice. Throttled or unreachable: the row stays PENDING and the job is
// delayed (by the cost Shopify reports, or exponential backoff); the sweep re-queues any pending
// row whose job was lost (Redis flushed, producer failed after commit). Nothing is lost.
import { createHash } from "node:crypto";
import type { Db } from "../../lib/sql.server";
import { pool } from "../../db.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import { log } from "../../lib/logger.server";
import {
  adminMutation,
  INVENTORY_ADJUST_MUTATION,
  INVENTORY_MOVE_MUTATION,
  ShopifyAdminError,
  ShopifyRejectedError,
  ShopifyThrottledError,
  TAGS_ADD_MUTATION,
} from "../../lib/shopify-admin.server";
import { throttleWaitMs, type QueryCost } from "./throttle";
import type { AdjustPayload, MovePayload, PayloadLevel } from "./inventory-changes";

export type OutboxKind = "inventory.adjust" | "inventory.move" | "tags.add" | "order.lots";

/** Job name on QUEUE_NAMES.shopifySync; data { outboxId: "<id>" }. */
export const OUTBOX_SEND_JOB = "outbox.send";

export interface OutboxEntryInput {
  shopId: number;
  kind: OutboxKind | (string & {});
  payload: unknown;
  /** Unique per effect, e.g. "ledger:123" or "recall:4:order:991". Scoped to the shop here. */
  idempotencyKey: string;
}

/**
 * Records a change to send to Shopify, in the caller's transaction. Idempotent on the key: the
 * same key returns the existing row's id and writes nothing. Queue it after commit with
 * queueOutboxEntries([id]).
 */
export async function addOutboxEntry(sql: Db, entry: OutboxEntryInput): Promise<bigint> {
  const key = `shop${entry.shopId}:${entry.idempotencyKey}`;
  const inserted = await sql.query<{ id: bigint }>(
    `insert into outbox_entries (shop_id, kind, payload, idempotency_key) values ($1, $2, $3::jsonb, $4)
     on conflict (idempotency_key) do nothing returning id`,
    [entry.shopId, entry.kind, JSON.stringify(entry.payload, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)), key],
  );
  if (inserted.rows[0]) return inserted.rows[0].id;
  const existing = await sql.query<{ id: bigint }>("select id from outbox_entries where idempotency_key = $1 and shop_id = $2", [key, entry.shopId]);
  return existing.rows[0]!.id;
}

/**
 * addOutboxEntry for many rows in one statement (a recall tags thousands of orders and customers).
 * Same idempotency: rows whose key exists are not written again; their existing ids are returned.
 */
export async function addOutboxEntries(sql: Db, entries: readonly OutboxEntryInput[]): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (let i = 0; i < entries.length; i += 5000) {
    const chunk = entries.slice(i, i + 5000);
    const keys = chunk.map((e) => `shop${e.shopId}:${e.idempotencyKey}`);
    await sql.query(
      `insert into outbox_entries (shop_id, kind, payload, idempotency_key)
       select * from unnest($1::int[], $2::text[], $3::jsonb[], $4::text[]) on conflict (idempotency_key) do nothing`,
      [
        chunk.map((e) => e.shopId),
        chunk.map((e) => e.kind),
        chunk.map((e) => JSON.stringify(e.payload, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))),
        keys,
      ],
    );
    const found = await sql.query<{ id: bigint }>("select id from outbox_entries where idempotency_key = any($1::text[]) order by id", [keys]);
    ids.push(...found.rows.map((r) => r.id));
  }
  return ids;
}

/**
 * Adds one send job per row (job id from the row id, so adding twice is a no-op). Never throws: the
 * sweep covers Redis failures. `delayMs` holds the send back, so that changes arriving in a burst
 * join a row that has not been sent yet (the order lots write-back coalesces that way).
 */
export async function queueOutboxEntries(ids: readonly bigint[], options: { delayMs?: number } = {}): Promise<void> {
  if (ids.length === 0) return;
  try {
    const queue = getQueue(QUEUE_NAMES.shopifySync);
    const delay = options.delayMs ? { delay: options.delayMs } : {};
    await queue.addBulk(ids.map((id) => ({ name: OUTBOX_SEND_JOB, data: { outboxId: id.toString() }, opts: { jobId: jobIdFor("outbox", id), ...delay } })));
  } catch (error) {
    log.warn("outbox jobs not queued; the sweep will queue them", { outboxIds: ids.map(String), error });
  }
}

/** The UUID sent as @idempotent(key:): stable for the row, so every retry carries the same key. */
export function shopifyIdempotencyKey(idempotencyKey: string): string {
  const h = createHash("sha256").update(`lotkeeper:${idempotencyKey}`).digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// Sending

export interface OutboxRow {
  id: bigint;
  shopId: number;
  shopDomain: string;
  kind: string;
  payload: unknown;
  idempotencyKey: string;
  attempts: number;
}

/** Sends one row's change to Shopify; throws a ShopifyAdminError on failure. Returns the query cost. */
export type OutboxSender = (row: OutboxRow) => Promise<QueryCost | undefined>;

const senders = new Map<string, OutboxSender>();

/** Other contexts may add kinds (e.g. Flow triggers). One sender per kind. */
export function registerOutboxSender(kind: string, sender: OutboxSender): void {
  senders.set(kind, sender);
}

/** An inventory mutation of the row's prepared input, with the row's key: Shopify applies a repeat once. */
function inventoryMutationSender(mutation: string, field: string): OutboxSender {
  return async (row) => {
    const payload = row.payload as AdjustPayload | MovePayload;
    const result = await adminMutation(row.shopDomain, mutation, field, {
      input: payload.input,
      idempotencyKey: shopifyIdempotencyKey(row.idempotencyKey),
    });
    return result.cost;
  };
}

registerOutboxSender("inventory.adjust", inventoryMutationSender(INVENTORY_ADJUST_MUTATION, "inventoryAdjustQuantities"));
registerOutboxSender("inventory.move", inventoryMutationSender(INVENTORY_MOVE_MUTATION, "inventoryMoveQuantities"));

/** payload: { id: "gid://shopify/Order/1" | "gid://shopify/Customer/1", tags: string[] }. tagsAdd is naturally idempotent. */
registerOutboxSender("tags.add", async (row) => {
  const payload = row.payload as { id: string; tags: string[] };
  const result = await adminMutation(row.shopDomain, TAGS_ADD_MUTATION, "tagsAdd", { id: payload.id, tags: payload.tags });
  return result.cost;
});

export type SendOutcome =
  | { status: "sent"; outboxId: bigint }
  | { status: "already-done"; outboxId: bigint }
  | { status: "failed"; outboxId: bigint; error: string }
  | { status: "retry"; outboxId: bigint; waitMs: number; error: string }
  | { status: "missing"; outboxId: bigint };

/**
 * Pending inventory rows of the same shop and level that are older: they go first. Likewise an
 * older pending write-back of the same order's lots (each send reads the lots when it runs, so the
 * newest must not be overtaken by an older one still holding what it read).
 */
async function olderPendingOnSameLevel(row: OutboxRow): Promise<boolean> {
  if (row.kind === "order.lots") {
    const older = await pool().query(
      `select 1 from outbox_entries where shop_id = $1 and status = 'PENDING' and id < $2 and kind = 'order.lots' and payload->>'orderId' = $3 limit 1`,
      [row.shopId, row.id, (row.payload as { orderId?: string }).orderId ?? ""],
    );
    return (older.rowCount ?? 0) > 0;
  }
  if (!row.kind.startsWith("inventory.")) return false;
  const levels = ((row.payload as { levels?: PayloadLevel[] }).levels ?? []).map((l) => ({ inventoryItemId: l.inventoryItemId, locationId: l.locationId }));
  if (levels.length === 0) return false;
  const result = await pool().query(
    `select 1 from outbox_entries o
     where o.shop_id = $1 and o.status = 'PENDING' and o.id < $2 and o.kind like 'inventory.%'
       and exists (select 1 from jsonb_array_elements($3::jsonb) l where o.payload->'levels' @> jsonb_build_array(l))
     limit 1`,
    [row.shopId, row.id, JSON.stringify(levels)],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Sends one outbox row. Decides, never throws for Shopify's answers: sent, failed for good
 * (Shopify refused it: status FAILED with the reason, for the merchant to see), or retry after
 * waitMs (throttled, outage, older change on the same level still pending).
 */
export async function sendOutboxEntry(outboxId: bigint): Promise<SendOutcome> {
  const found = await pool().query<{
    id: bigint;
    shop_id: number;
    domain: string;
    kind: string;
    payload: unknown;
    idempotency_key: string;
    attempts: number;
    status: string;
    installed: boolean;
  }>(
    `select o.id, o.shop_id, s.domain, o.kind, o.payload, o.idempotency_key, o.attempts, o.status, s.installed
     from outbox_entries o join shops s on s.id = o.shop_id where o.id = $1`,
    [outboxId],
  );
  const r = found.rows[0];
  if (!r) return { status: "missing", outboxId };
  if (r.status !== "PENDING") return { status: "already-done", outboxId };
  // Uninstalled: no token to send with. Kept pending (a reinstall within 48 h resumes it; shop/redact erases it).
  if (!r.installed) return { status: "retry", outboxId, waitMs: 3600_000, error: "the app is uninstalled from this shop" };
  const row: OutboxRow = {
    id: r.id,
    shopId: r.shop_id,
    shopDomain: r.domain,
    kind: r.kind,
    payload: r.payload,
    idempotencyKey: r.idempotency_key,
    attempts: r.attempts,
  };
  const sender = senders.get(row.kind);
  if (!sender) {
    await markFailed(row.id, `no sender for outbox kind "${row.kind}"`);
    return { status: "failed", outboxId, error: `no sender for outbox kind "${row.kind}"` };
  }
  if (await olderPendingOnSameLevel(row)) {
    const what = row.kind === "order.lots" ? "an older write-back of this order's lots" : "an older change to the same inventory level";
    return { status: "retry", outboxId, waitMs: 2000, error: `${what} is still pending` };
  }
  // Counted before sending: attempts > 0 means Shopify may have applied it (reconciliation uses this).
  // A change joining an order's lots write-back holds that row locked until it commits: this waits
  // for it, so the send reads that change too (decision 102).
  await pool().query("update outbox_entries set attempts = attempts + 1 where id = $1", [row.id]);
  try {
    await sender(row);
  } catch (error) {
    const message = (error as Error).message;
    if (error instanceof ShopifyRejectedError) {
      await markFailed(row.id, message);
      log.error("Shopify refused an outbox change", { shopId: row.shopId, outboxId: String(row.id), kind: row.kind, error: message });
      return { status: "failed", outboxId, error: message };
    }
    const waitMs =
      error instanceof ShopifyThrottledError
        ? (error.retryAfterMs ?? throttleWaitMs(error.cost, row.attempts + 1))
        : throttleWaitMs(undefined, row.attempts + 1);
    await pool().query("update outbox_entries set last_error = $2 where id = $1", [row.id, message]);
    if (!(error instanceof ShopifyAdminError)) log.error("outbox send crashed", { outboxId: String(row.id), error });
    return { status: "retry", outboxId, waitMs, error: message };
  }
  await pool().query("update outbox_entries set status = 'SENT', sent_at = now(), last_error = null where id = $1 and status = 'PENDING'", [row.id]);
  return { status: "sent", outboxId };
}

async function markFailed(id: bigint, message: string): Promise<void> {
  await pool().query("update outbox_entries set status = 'FAILED', last_error = $2 where id = $1 and status = 'PENDING'", [id, message]);
}

/**
 * Re-queues pending rows older than `olderThanMs` whose job is gone or failed (repeatable job, and
 * once when a worker starts). Returns how many were (re)queued.
 */
export async function sweepPendingOutbox(options: { olderThanMs?: number; limit?: number; shopId?: number } = {}): Promise<number> {
  const rows = await pool().query<{ id: bigint }>(
    `select id from outbox_entries where status = 'PENDING' and created_at < now() - ($1::int * interval '1 millisecond')
       and ($3::int is null or shop_id = $3) order by id limit $2`,
    [options.olderThanMs ?? 30_000, options.limit ?? 1000, options.shopId ?? null],
  );
  const queue = getQueue(QUEUE_NAMES.shopifySync);
  let requeued = 0;
  for (const { id } of rows.rows) {
    const jobId = jobIdFor("outbox", id);
    const job = await queue.getJob(jobId);
    if (job) {
      const state = await job.getState();
      if (state === "failed") {
        await job.retry();
        requeued++;
        continue;
      }
      if (state !== "completed" && state !== "unknown") continue; // waiting, delayed or active: it will run
      await job.remove();
    }
    await queue.add(OUTBOX_SEND_JOB, { outboxId: id.toString() }, { jobId });
    requeued++;
  }
  return requeued;
}

/** Pending and failed changes of a shop, for the admin panel and `lots show`. */
export async function outboxSummary(shopId: number): Promise<{ pending: number; failed: number; oldestPendingAt: Date | null }> {
  const result = await pool().query<{ pending: number; failed: number; oldest: Date | null }>(
    `select count(*) filter (where status = 'PENDING')::int as pending, count(*) filter (where status = 'FAILED')::int as failed,
            min(created_at) filter (where status = 'PENDING') as oldest
     from outbox_entries where shop_id = $1 and status <> 'SENT'`,
    [shopId],
  );
  const r = result.rows[0]!;
  return { pending: r.pending, failed: r.failed, oldestPendingAt: r.oldest };
}

export interface OutboxRowView {
  id: bigint;
  kind: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** A shop's changes not (yet) in Shopify: pending and failed, oldest first. */
export async function listUnsentOutbox(shopId: number, limit = 100): Promise<OutboxRowView[]> {
  const r = await pool().query<{
    id: bigint;
    kind: string;
    status: string;
    attempts: number;
    last_error: string | null;
    created_at: Date;
    sent_at: Date | null;
  }>(
    `select id, kind, status::text, attempts, last_error, created_at, sent_at from outbox_entries
     where shop_id = $1 and status <> 'SENT' order by id limit $2`,
    [shopId, limit],
  );
  return r.rows.map((x) => ({
    id: x.id,
    kind: x.kind,
    status: x.status,
    attempts: x.attempts,
    lastError: x.last_error,
    createdAt: x.created_at,
    sentAt: x.sent_at,
  }));
}

/**
 * Sends FAILED rows again (after the merchant fixed the cause, e.g. re-activated a location):
 * back to PENDING and queued. One row by id, or every failed row of the shop. Scoped by shop.
 */
export async function retryFailedOutbox(shopId: number, outboxId?: bigint): Promise<bigint[]> {
  const r = await pool().query<{ id: bigint }>(
    `update outbox_entries set status = 'PENDING', last_error = null where shop_id = $1 and status = 'FAILED' and ($2::bigint is null or id = $2) returning id`,
    [shopId, outboxId ?? null],
  );
  const ids = r.rows.map((x) => x.id).sort((a, b) => (a < b ? -1 : 1));
  if (ids.length > 0) {
    // A job of the same id may remain from the failed send: remove it so the new one runs.
    const queue = getQueue(QUEUE_NAMES.shopifySync);
    for (const id of ids) await (await queue.getJob(jobIdFor("outbox", id)))?.remove().catch(() => undefined);
    await queueOutboxEntries(ids);
  }
  return ids;
}
