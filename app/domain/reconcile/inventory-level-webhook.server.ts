// inventory_levels/update: Shopify's quantity of an item changed at a location (a sale, an edit in
// the Shopify admin, or the echo of the app's own adjustment). The handler only records the need
// to reconcile: the comparison reads Shopify over GraphQL, which must not happen inside the inbox
// transaction, so a job runs it after commit (a few seconds later, so the app's own in-flight
// change has settled).
import { z } from "zod";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import type { TopicHandler } from "../webhooks/handler";
import { parsePayloadAs, payloadId } from "../webhooks/payload";

export const RECONCILE_LEVEL_JOB = "reconcile-level";
export const RECONCILE_SHOPS_JOB = "reconcile-shops";
export const RECONCILE_SHOP_JOB = "reconcile-shop";

// Shopify's own sample carries an 18-digit inventory_item_id: payloadId keeps it exact (bigint).
const payloadSchema = z.object({ inventory_item_id: payloadId, location_id: payloadId }).passthrough();

export interface ReconcileLevelJob {
  shopId: number;
  inventoryItemId: string;
  locationId: string;
}

export const reconcileOnInventoryLevelUpdate: TopicHandler = async (ctx) => {
  const { inventory_item_id: inventoryItemId, location_id: locationId } = parsePayloadAs(payloadSchema, ctx.payload, "an inventory level");
  const tracked = await ctx.sql.query("select 1 from variants where shop_id = $1 and inventory_item_id = $2 and lot_tracked limit 1", [
    ctx.shopId,
    inventoryItemId,
  ]);
  if (!tracked.rowCount) return; // not a lot-tracked variant: nothing to reconcile
  const data: ReconcileLevelJob = { shopId: ctx.shopId, inventoryItemId: inventoryItemId.toString(), locationId: locationId.toString() };
  ctx.afterCommit(async () => {
    await getQueue(QUEUE_NAMES.maintenance).add(RECONCILE_LEVEL_JOB, data, { jobId: jobIdFor("reconcile", ctx.webhookId), delay: 5000 });
  });
};
