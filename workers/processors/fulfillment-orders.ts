// maintenance queue: an order's fulfillment orders read from Shopify and stored (decision 101),
// queued by orders/create and the fulfillment_orders/* topics that change an assignment.
import type { Job } from "bullmq";
import { refreshFulfillmentOrders, type FulfillmentOrdersRefreshJob } from "../../app/domain/fulfillment-orders/fulfillment-orders.server";
import type { JobContext } from "../registry";

export { FULFILLMENT_ORDERS_REFRESH_JOB } from "../../app/domain/fulfillment-orders/fulfillment-orders.server";

export async function processFulfillmentOrdersRefresh(job: Job<FulfillmentOrdersRefreshJob>, ctx: JobContext) {
  const result = await refreshFulfillmentOrders(job.data);
  if (result.outcome === "unknown") {
    ctx.log.info("fulfillment orders not read", { shopId: job.data.shopId, reason: result.reason });
    return { outcome: result.outcome };
  }
  return { outcome: result.outcome, orderId: result.orderId.toString(), fulfillmentOrders: result.fulfillmentOrders, written: result.written };
}
