// The inbox (webhook_events): a verified delivery is recorded here before Shopify gets its 200,
// then queued as a job that carries only the row id. Redis failing costs nothing (the sweep
// queues the row later); Postgres failing answers 503 so Shopify retries.
import { pool } from "../../db.server";
import { env } from "../../env.server";
import { log } from "../../lib/logger.server";
import { webhookDeliveries } from "../../lib/metrics.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import { isSubscribedTopic } from "./topics.server";
import { verifyDelivery, type DeliveryInput, type WebhookDelivery } from "./verify";

/** Job name of an inbox event on the webhooks queue (see workers/registry.ts). */
export const WEBHOOK_JOB = "webhook-event";

/** The data of a webhook job: the inbox row id only (no customer data, no tokens). */
export interface WebhookJobData {
  eventId: string;
}

/** How long the route waits for Redis before answering 200 from the inbox alone. */
const QUEUE_ADD_TIMEOUT_MS = 1000;

export interface IntakeResult {
  status: number;
  outcome: "accepted" | "duplicate" | "rejected" | "error";
  reason?: string;
  webhookId?: string;
}

/** Verify, record, enqueue, answer: the whole of POST /webhooks, shared by the Remix route and the production server. */
export async function receiveWebhook(input: Omit<DeliveryInput, "secret" | "maxBytes">): Promise<IntakeResult> {
  const config = env();
  const verified = verifyDelivery({ ...input, secret: config.SHOPIFY_API_SECRET, maxBytes: config.WEBHOOK_MAX_BYTES });
  if (!verified.ok) {
    const topic = input.header("x-shopify-topic") ?? "";
    webhookDeliveries().inc({ topic: topicLabel(topic), outcome: `rejected_${verified.status}` });
    log.warn("webhook rejected", {
      status: verified.status,
      reason: verified.reason,
      shop: input.header("x-shopify-shop-domain") ?? undefined,
      topic: topicLabel(topic),
    });
    return { status: verified.status, outcome: "rejected", reason: verified.reason };
  }
  const delivery = verified.delivery;
  const dlog = log.child({ shop: delivery.shopDomain, topic: delivery.topic, webhookId: delivery.webhookId });
  let eventId: bigint | undefined;
  try {
    eventId = await recordDelivery(delivery);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "22P02" || code === "22P05" || code === "54001") {
      // JSON that Postgres cannot store as jsonb (\u0000 in a string; 54001: nested past its
      // stack, though verifyDelivery refuses deep bodies first): it never will.
      webhookDeliveries().inc({ topic: topicLabel(delivery.topic), outcome: "rejected_400" });
      dlog.warn("webhook body rejected by the database", { code });
      return { status: 400, outcome: "rejected", reason: "body cannot be stored as JSON", webhookId: delivery.webhookId };
    }
    webhookDeliveries().inc({ topic: topicLabel(delivery.topic), outcome: "error" });
    dlog.error("webhook not recorded: database unavailable, Shopify will retry", { error });
    return { status: 503, outcome: "error", reason: "inbox unavailable", webhookId: delivery.webhookId };
  }
  if (eventId === undefined) {
    webhookDeliveries().inc({ topic: topicLabel(delivery.topic), outcome: "duplicate" });
    dlog.info("webhook duplicate ignored");
    return { status: 200, outcome: "duplicate", webhookId: delivery.webhookId };
  }
  const jobId = jobIdFor("wh", delivery.webhookId);
  try {
    // While the producer's connection is known to be down, do not make Shopify wait for it.
    if (producerIsDown()) throw new Error("Redis connection is down");
    await withTimeout(enqueueEvent(eventId, delivery.webhookId), QUEUE_ADD_TIMEOUT_MS);
  } catch (error) {
    // The row is durable; the sweep (workers/processors/sweep-inbox.ts) queues it later.
    dlog.warn("webhook recorded but not queued (Redis unavailable); the sweep will queue it", { jobId, error });
  }
  webhookDeliveries().inc({ topic: topicLabel(delivery.topic), outcome: "accepted" });
  dlog.info("webhook accepted", { jobId, eventId });
  return { status: 200, outcome: "accepted", webhookId: delivery.webhookId };
}

/** One statement: the new row's id, or undefined when this webhook id was already recorded. */
export async function recordDelivery(delivery: WebhookDelivery): Promise<bigint | undefined> {
  const result = await pool().query<{ id: bigint }>(
    `insert into webhook_events (webhook_id, shop_domain, topic, api_version, event_id, triggered_at, payload)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb)
     on conflict (webhook_id) do nothing returning id`,
    [delivery.webhookId, delivery.shopDomain, delivery.topic, delivery.apiVersion, delivery.eventId, delivery.triggeredAt, delivery.body],
  );
  return result.rows[0]?.id;
}

/** Queue the job of an inbox row; its id derives from the webhook id, so adding twice queues once. */
export async function enqueueEvent(eventId: bigint | string, webhookId: string): Promise<void> {
  const data: WebhookJobData = { eventId: String(eventId) };
  await getQueue(QUEUE_NAMES.webhooks).add(WEBHOOK_JOB, data, { jobId: jobIdFor("wh", webhookId) });
}

function producerIsDown(): boolean {
  const status = (getQueue(QUEUE_NAMES.webhooks).opts.connection as { status?: string }).status;
  return status === "reconnecting" || status === "close" || status === "end";
}

function topicLabel(topic: string): string {
  const normal = topic.trim().toLowerCase();
  return isSubscribedTopic(normal) ? normal : "other";
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
