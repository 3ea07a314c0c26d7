// maintenance queue: the outbox sweep (repeatable), reconciliation of one inventory level
// (queued by inventory_levels/update) and of every installed shop (repeatable).
import type { Job } from "bullmq";
import { sweepPendingOutbox } from "../../app/domain/sync/outbox.server";
import { queueShopReconciliations, reconcileLevel } from "../../app/domain/reconcile/reconcile.server";
import { finishBulkReconciliation, runShopReconciliation, sweepBulkReconciliations } from "../../app/domain/reconcile/bulk-reconcile.server";
import type { ReconcileLevelJob } from "../../app/domain/reconcile/inventory-level-webhook.server";
import type { JobContext } from "../registry";
import { pool } from "../../app/db.server";
import { refreshShopProfile } from "../../app/domain/shops/shop-profile.server";
import { serializeError } from "../../app/lib/logger.server";

export { RECONCILE_BULK_FINISH_JOB, SWEEP_BULK_RECONCILE_JOB } from "../../app/domain/reconcile/bulk-reconcile.server";
export { RECONCILE_LEVEL_JOB, RECONCILE_SHOPS_JOB, RECONCILE_SHOP_JOB } from "../../app/domain/reconcile/inventory-level-webhook.server";
export const SWEEP_OUTBOX_JOB = "sweep-outbox";

export async function processSweepOutbox(job: Job<{ olderThanMs?: number }>, ctx: JobContext) {
  const requeued = await sweepPendingOutbox({ olderThanMs: job.data?.olderThanMs });
  if (requeued > 0) ctx.log.info("outbox sweep re-queued Shopify changes", { requeued });
  return { requeued };
}

export async function processReconcileLevel(job: Job<ReconcileLevelJob>, ctx: JobContext) {
  const result = await reconcileLevel(job.data.shopId, BigInt(job.data.inventoryItemId), BigInt(job.data.locationId));
  if (result && result.decision.action !== "none")
    ctx.log.info("reconciliation acted", { shopId: job.data.shopId, action: result.decision.action, difference: result.decision.difference });
  if (result?.decision.action === "wait") throw new Error(`reconciliation postponed: ${result.decision.reason}`); // retried with backoff
  return result ? { action: result.decision.action } : { action: "not-tracked" };
}

/** Fans out: one reconcile-shop job per installed shop (queueShopReconciliations). */
export async function processReconcileShops(job: Job, ctx: JobContext) {
  const shops = await queueShopReconciliations(job.timestamp ?? Date.now());
  ctx.log.info("reconciliation queued", { shops });
  return { shops };
}

/** Paging for a small shop; a large one starts a bulk query, finished by processReconcileBulkFinish. */
export async function processReconcileShop(job: Job<{ shopId: number }>, ctx: JobContext) {
  // The shop's zone and currency follow Shopify's settings; a failed read keeps the last ones.
  await refreshShopProfile(pool(), job.data.shopId).catch((error: unknown) =>
    ctx.log.warn("shop profile not refreshed", { shopId: job.data.shopId, error: serializeError(error as Error) }),
  );
  const run = await runShopReconciliation(job.data.shopId);
  if (run.mode === "bulk") {
    ctx.log.info("reconciliation bulk query", { shopId: job.data.shopId, bulkId: String(run.bulk.id), started: run.started });
    return { mode: run.mode, bulkId: String(run.bulk.id), started: run.started };
  }
  const acted = run.levels.filter((r) => r.decision.action !== "wait");
  if (acted.length > 0) ctx.log.info("reconciliation acted", { shopId: job.data.shopId, levels: acted.length });
  return { mode: run.mode, acted: acted.length, waiting: run.levels.length - acted.length };
}

/** Queued by bulk_operations/finish. */
export async function processReconcileBulkFinish(job: Job<{ shopId: number; bulkId: string }>, ctx: JobContext) {
  const outcome = await finishBulkReconciliation(job.data.shopId, BigInt(job.data.bulkId));
  if (outcome.applied)
    ctx.log.info("reconciliation acted", { shopId: job.data.shopId, bulkId: job.data.bulkId, levels: outcome.bulk.acted, waiting: outcome.bulk.waiting });
  return outcome.applied ? { applied: true, acted: outcome.bulk.acted, waiting: outcome.bulk.waiting } : { applied: false, reason: outcome.reason };
}

/** Repeatable: polls bulk queries whose finish webhook has not come. */
export async function processSweepBulkReconciliations(_job: Job, ctx: JobContext) {
  const swept = await sweepBulkReconciliations();
  if (swept.applied + swept.abandoned + swept.failed > 0) ctx.log.info("bulk reconciliation sweep", swept);
  return swept;
}
