// maintenance queue: the outbox sweep (repeatable), reconciliation of one inventory level
// (queued by inventory_levels/update) and of every installed shop (repeatable).
import type { Job } from "bullmq";
import { sweepPendingOutbox } from "../../app/domain/sync/outbox.server";
import { reconcileLevel, reconcileShop } from "../../app/domain/reconcile/reconcile.server";
import type { ReconcileLevelJob } from "../../app/domain/reconcile/inventory-level-webhook.server";
import { pool } from "../../app/db.server";
import type { JobContext } from "../registry";

import { RECONCILE_SHOP_JOB } from "../../app/domain/reconcile/inventory-level-webhook.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../app/lib/queues.server";

export { RECONCILE_LEVEL_JOB, RECONCILE_SHOPS_JOB, RECONCILE_SHOP_JOB } from "../../app/domain/reconcile/inventory-level-webhook.server";
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

/** Fans out: one reconcile-shop job per installed shop, so shops run in parallel and fail alone. */
export async function processReconcileShops(job: Job, ctx: JobContext) {
  const shops = await pool().query<{ id: number }>("select id from shops where installed order by id");
  const run = job.timestamp ?? Date.now();
  await getQueue(QUEUE_NAMES.maintenance).addBulk(
    shops.rows.map(({ id }) => ({ name: RECONCILE_SHOP_JOB, data: { shopId: id }, opts: { jobId: jobIdFor("reconcile-shop", `${id}-${run}`) } })),
  );
  ctx.log.info("reconciliation queued", { shops: shops.rows.length });
  return { shops: shops.rows.length };
}

export async function processReconcileShop(job: Job<{ shopId: number }>, ctx: JobContext) {
  const results = await reconcileShop(job.data.shopId);
  const acted = results.filter((r) => r.decision.action !== "wait");
  if (acted.length > 0) ctx.log.info("reconciliation acted", { shopId: job.data.shopId, levels: acted.length });
  return { acted: acted.length, waiting: results.length - acted.length };
}
