// shopify-sync queue, job "outbox.send": sends one outbox row to Shopify
// (app/domain/sync/outbox.server.ts). Throttled or unreachable: the job is delayed by the wait the
// domain computed (the GraphQL cost, or backoff) without using up BullMQ attempts; the row stays
// PENDING. Shopify refusing the change marks the row FAILED (for the merchant) and completes.
import { DelayedError, type Job } from "bullmq";
import { sendOutboxEntry } from "../../app/domain/sync/outbox.server";
// Registers the sender of the `order.lots` rows (lots written back on the order, decision 102).
import "../../app/domain/writeback/order-lots.server";
// Registers the "flow.trigger" sender (Shopify Flow triggers, decision 109).
import "../../app/domain/flow/flow-triggers.server";
import type { JobContext } from "../registry";

export { OUTBOX_SEND_JOB } from "../../app/domain/sync/outbox.server";

export async function processOutboxSend(job: Job<{ outboxId: string }>, ctx: JobContext) {
  const outcome = await sendOutboxEntry(BigInt(job.data.outboxId));
  if (outcome.status === "retry") {
    ctx.log.warn("Shopify change delayed", { outboxId: job.data.outboxId, waitMs: outcome.waitMs, error: outcome.error });
    await job.moveToDelayed(Date.now() + outcome.waitMs, job.token);
    throw new DelayedError();
  }
  return { status: outcome.status, outboxId: job.data.outboxId };
}
