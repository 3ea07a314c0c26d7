// The inbox as operators see it: list a shop's events, replay one that failed or was deferred.
import { DomainError } from "../errors";
import { pool } from "../../db.server";
import { requeueEvent, type RequeueResult } from "./requeue.server";

export const EVENT_STATUSES = ["pending", "processed", "failed", "deferred"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export interface EventSummary {
  webhookId: string;
  topic: string;
  status: EventStatus;
  attempts: number;
  error: string | null;
  receivedAt: Date;
  processedAt: Date | null;
}

export interface ListEventsOptions {
  shopDomain: string;
  status?: EventStatus;
  topic?: string;
  limit?: number;
}

/** A shop's inbox rows, newest first (index webhook_events(shop_domain, status, received_at)). */
export async function listEvents(options: ListEventsOptions): Promise<EventSummary[]> {
  const r = await pool().query<EventSummary>(
    `select webhook_id as "webhookId", topic, lower(status::text) as status, attempts, last_error as error,
            received_at as "receivedAt", processed_at as "processedAt"
       from webhook_events
      where shop_domain = $1 and ($2::text is null or status = upper($2)::"WebhookStatus") and ($3::text is null or topic = $3)
      order by received_at desc, id desc limit $4`,
    [options.shopDomain, options.status ?? null, options.topic ?? null, options.limit ?? 100],
  );
  return r.rows;
}

export class EventNotFoundError extends DomainError {
  override name = "EventNotFoundError";
  constructor(webhookId: string) {
    super(`no webhook event with id ${webhookId} (see lotkeeper events list --shop <domain>)`);
  }
}

export class EventAlreadyProcessedError extends DomainError {
  override name = "EventAlreadyProcessedError";
  constructor(webhookId: string) {
    super(`webhook event ${webhookId} is already processed; replaying it would do nothing`);
  }
}

export interface ReplayResult {
  webhookId: string;
  topic: string;
  shop: string;
  previousStatus: EventStatus;
  status: EventStatus;
  queue: RequeueResult;
}

export interface ReplayOptions {
  /** Only an event of this shop (the admin panel); another shop's id is "no webhook event". */
  shopDomain?: string;
}

/** Queue a failed, deferred or stuck pending event again; the row goes back to pending. */
export async function replayEvent(webhookId: string, options: ReplayOptions = {}): Promise<ReplayResult> {
  const found = await pool().query<{ id: bigint; topic: string; shop_domain: string; status: string }>(
    "select id, topic, shop_domain, status::text from webhook_events where webhook_id = $1 and ($2::text is null or shop_domain = $2)",
    [webhookId, options.shopDomain ?? null],
  );
  const row = found.rows[0];
  if (!row) throw new EventNotFoundError(webhookId);
  if (row.status === "PROCESSED") throw new EventAlreadyProcessedError(webhookId);
  await pool().query("update webhook_events set status = 'PENDING' where id = $1 and status <> 'PROCESSED'", [row.id]);
  const queue = await requeueEvent(row.id, webhookId);
  return { webhookId, topic: row.topic, shop: row.shop_domain, previousStatus: row.status.toLowerCase() as EventStatus, status: "pending", queue };
}

/**
 * A stored failure (`Name: message`, as the worker records it) in the merchant's words: a payload
 * the app cannot use says so; anything else is the app's own failure, with its message.
 */
export function failureInPlainWords(lastError: string | null): string {
  if (!lastError) return "No reason was recorded";
  const match = /^([A-Za-z]*Error): ([\s\S]*)$/.exec(lastError);
  const message = (match ? match[2]! : lastError).trim();
  if (match?.[1] === "RefusedDeliveryError") return `Refused as not proven to be Shopify's: ${message}`;
  if (match?.[1] === "InvalidPayloadError") return `Shopify sent data the app cannot use: ${message}`;
  return `The app could not process it: ${message}`;
}
