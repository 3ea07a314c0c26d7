// What an install starts besides the shop row (shopify.server.ts afterAuth): a first
// reconciliation of the shop, which also reads its time zone and currency from Shopify
// (shops.server.ts refreshShopProfile). Queued, not run: the install page does not wait on Shopify.
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import { RECONCILE_SHOP_JOB } from "../reconcile/inventory-level-webhook.server";

export async function queueFirstReconciliation(shopId: number, at: Date = new Date()): Promise<void> {
  await getQueue(QUEUE_NAMES.maintenance).add(RECONCILE_SHOP_JOB, { shopId }, { jobId: jobIdFor("reconcile-shop", `${shopId}-install-${at.getTime()}`) });
}
