// maintenance queue: an order's fulfillment orders read from Shopify and stored (decision 101),
// queued by orders/create and the fulfillment_orders/* topics that change an assignment.
import { UnrecoverableError, type Job } from "bullmq";
import { ShopifyAdminError } from "../../app/lib/shopify-admin.server";
import {
  runFulfillmentOrdersRequest,
  sweepFulfillmentOrderRequests,
  type FulfillmentOrdersRefreshJob,
} from "../../app/domain/fulfillment-orders/fulfillment-orders.server";
import type { JobContext } from "../registry";

export { FULFILLMENT_ORDERS_REFRESH_JOB, SWEEP_FULFILLMENT_ORDER_REQUESTS_JOB } from "../../app/domain/fulfillment-orders/fulfillment-orders.server";

export async function processFulfillmentOrdersRefresh(job: Job<FulfillmentOrdersRefreshJob>, ctx: JobContext) {
  const result = await runFulfillmentOrdersRequest(job.data.shopId, BigInt(job.data.requestId)).catch((error: unknown) => {
    // Shopify refused the read itself (not a throttle or an outage): retrying cannot help.
    if (error instanceof ShopifyAdminError && !error.retryable) throw Object.assign(new UnrecoverableError(error.message), { cause: error });
    throw error;
  });
  if (result.outcome === "unknown") {
    ctx.log.info("fulfillment orders not read", { shopId: job.data.shopId, reason: result.reason });
    return { outcome: result.outcome };
  }
  if (result.outcome === "done-already") return { outcome: result.outcome };
  return { outcome: result.outcome, orderId: result.orderId.toString(), fulfillmentOrders: result.fulfillmentOrders, written: result.written };
}

/** Repeatable: requests whose job Redis lost (queued after commit while it was down). */
export async function processSweepFulfillmentOrderRequests(_job: Job, ctx: JobContext) {
  const swept = await sweepFulfillmentOrderRequests();
  if (swept.requeued + swept.dropped > 0) ctx.log.info("fulfillment order requests swept", swept);
  return swept;
}
