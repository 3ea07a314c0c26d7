// maintenance queue: the outbox sweep (repeatable), reconciliation of one inventory level
// (queued by inventory_levels/update) and of every installed shop (repeatable).
import type { Job } from "bullmq";
import { sweepPendingOutbox } from "../../app/domain/sync/outbox.server";
import { reconcileLevel, reconcileShop } from "../../app/domain/reconcile/reconcile.server";
import type { ReconcileLevelJob } from "../../app/domain/reconcile/inventory-level-webhook.server";
import { pool } from "../../app/db.server";
import type { JobContext } from "../registry";

export { RECONCILE_LEVEL_JOB, RECONCILE_SHOPS_JOB } from "../../app/domain/reconcile/inventory-level-webhook.server";
export const SWEEP_OUTBOX_JOB = "sweep-outbox";

export async function processSweepOutbox(job: Job<{ olderThanMs?: number }>, ctx: JobContext) {
  const requeued = await sweepPendingOutbox({ olderThanMs: job.data?.olderThanMs });
  if (requeued > 0) ctx.log.info("outbox sweep re-queued Shopify changes", { requeued });
  return { requeued };
}

export async function processReconcileLevel(job: Job<ReconcileLevelJob>, ctx: JobContext) {
  const result = await reconcileLevel(job.data.shopId, BigInt(job.data.inventoryItemId), BigInt(job.data.locationId));
  if (result && result.decision.action !== "none") ctx.log.info("reconciliation acted", { shopId: job.data.shopId, action: result.decision.action, difference: result.decision.difference });
  if (result?.decision.action === "wait") throw new Error(`reconciliation postponed: ${result.decision.reason}`); // retried with backoff
  return result ? { action: result.decision.action } : { action: "not-tracked" };
}

/** Every installed shop, one after the other; a shop whose Shopify call fails does not stop the others. */
export async function processReconcileShops(_job: Job, ctx: JobContext) {
  const shops = await pool().query<{ id: number }>("select id from shops where installed order by id");
  let acted = 0;
  let failed = 0;
  for (const { id } of shops.rows) {
    try {
      acted += (await reconcileShop(id)).filter((r) => r.decision.action !== "wait").length;
    } catch (error) {
      failed++;
      ctx.log.warn("reconciliation of a shop failed; next run retries", { shopId: id, error });
    }
  }
  return { shops: shops.rows.length, acted, failed };
}
