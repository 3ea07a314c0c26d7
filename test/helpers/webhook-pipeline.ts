// The webhook path in tests: deliveries through the real route (app/routes/webhooks.tsx), and
// the real BullMQ worker of the webhooks queue, on a queue prefix of the test file's own.
import { resetEnvForTests } from "../../app/env.server";
import { action } from "../../app/routes/webhooks";
import { pool } from "../../app/db.server";
import { getQueue, QUEUE_NAMES, type QueueName } from "../../app/lib/queues.server";
import { uniqueQueuePrefix } from "./shops";
import { webhookRequest, type WebhookOptions } from "./webhooks";
import { randomUUID } from "node:crypto";

/** Give this test file its own BullMQ prefix (call at the top of the file, before any queue is used). */
export function useOwnQueuePrefix(): string {
  const prefix = uniqueQueuePrefix();
  process.env.QUEUE_PREFIX = prefix;
  resetEnvForTests();
  return prefix;
}

/** POST a signed delivery to the route; returns the HTTP status and the webhook id used. */
export async function deliver(options: WebhookOptions): Promise<{ status: number; webhookId: string }> {
  const webhookId = options.webhookId ?? randomUUID();
  const response = await callRoute(webhookRequest({ ...options, webhookId }));
  return { status: response.status, webhookId };
}

export async function callRoute(request: Request): Promise<Response> {
  try {
    return (await action({ request, params: {}, context: {} })) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

export interface InboxRow {
  id: bigint;
  webhook_id: string;
  shop_domain: string;
  topic: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

export async function inboxRow(webhookId: string): Promise<InboxRow | undefined> {
  const r = await pool().query<InboxRow>(
    "select id, webhook_id, shop_domain, topic, status::text, attempts, last_error from webhook_events where webhook_id = $1",
    [webhookId],
  );
  return r.rows[0];
}

export async function inboxCount(shopDomain: string): Promise<number> {
  const r = await pool().query<{ n: number }>("select count(*)::int as n from webhook_events where shop_domain = $1", [shopDomain]);
  return r.rows[0]!.n;
}

/** Jobs of a queue by state (this test file's prefix). */
export async function jobCounts(queue: QueueName = QUEUE_NAMES.webhooks) {
  const c = await getQueue(queue).getJobCounts("waiting", "active", "delayed", "completed", "failed", "prioritized");
  return {
    waiting: c.waiting ?? 0,
    active: c.active ?? 0,
    delayed: c.delayed ?? 0,
    completed: c.completed ?? 0,
    failed: c.failed ?? 0,
    prioritized: c.prioritized ?? 0,
  };
}

/** Wait until `check` is true, polling (no timing assertions: only a generous deadline). */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Run the real worker of the webhooks queue until nothing is waiting, delayed or active. */
export async function processWebhookQueue(): Promise<void> {
  const { createQueueWorker } = await import("../../workers/main");
  const worker = createQueueWorker(QUEUE_NAMES.webhooks, { concurrency: 4 });
  try {
    await eventually(async () => {
      const c = await jobCounts();
      return c.waiting + c.active + c.delayed + c.prioritized === 0;
    }, "the webhooks queue to drain");
  } finally {
    await worker.close();
  }
}
