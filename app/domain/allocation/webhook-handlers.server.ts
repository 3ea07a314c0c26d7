// Allocation's topic handlers (registered in app/domain/webhooks/topics.server.ts). Each runs in
// the worker's transaction that also marks the inbox row processed. The same fulfilment may come
// through fulfillments/create, fulfillments/update, orders/fulfilled and orders/updated, in any
// order and more than once: processFulfilment makes that one effect.
import { InvalidPayloadError, type TopicHandler, type WebhookContext } from "../webhooks/handler";
import { writeBackOrderLots } from "../writeback/order-lots.server";
import { processFulfilment, type AllocationCause, type FulfilmentOutcome } from "./allocate-fulfilment.server";
import { fulfilmentEffect } from "./allocation-rules";
import { FulfilmentWithoutLocationError } from "./errors";
import { parseFulfilment, parseOrderActivity, parseRefund, PayloadShapeError } from "./payloads";
import { processRefund } from "./returns.server";

function causeOf(ctx: WebhookContext): AllocationCause {
  return { cause: "WEBHOOK", ref: `webhook ${ctx.webhookId}` };
}

/**
 * Whether the order's lots changed (then they are written back on the Shopify order, decision 102).
 * A repeated delivery changes nothing and writes nothing: our own orderUpdate fires orders/updated,
 * which must not write again.
 */
const lotsChanged = (f: Pick<FulfilmentOutcome, "allocatedLines" | "pendingLines" | "reversedAllocations">) =>
  f.allocatedLines + f.pendingLines + f.reversedAllocations > 0;

/** Shape errors and fulfilments without a location can never succeed: fail without retries. */
async function asPermanent<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof PayloadShapeError || error instanceof FulfilmentWithoutLocationError) throw new InvalidPayloadError(error.message);
    throw error;
  }
}

/** fulfillments/create and fulfillments/update. */
export const allocateFulfilmentFromWebhook: TopicHandler = async (ctx) => {
  await asPermanent(async () => {
    const fulfilment = parseFulfilment(ctx.payload);
    const { lotPropertyMisses, ...outcome } = await processFulfilment(ctx.sql, ctx.shopId, fulfilment, causeOf(ctx));
    if (lotsChanged(outcome)) await writeBackOrderLots(ctx, fulfilment.orderId);
    ctx.log.info("fulfilment processed", { ...outcome, fulfilmentId: outcome.fulfilmentId.toString() });
    for (const miss of lotPropertyMisses) {
      // The line named a lot (`_lot`) that cannot ship from here: the strategy chose instead.
      ctx.log.warn("fulfilment line names a lot (_lot) that cannot ship here; allocated by the strategy instead", {
        fulfilmentId: outcome.fulfilmentId.toString(),
        lineItemId: miss.lineItemId.toString(),
        lot: miss.lotNumber,
      });
    }
  });
};

/** refunds/create. */
export const applyRefundFromWebhook: TopicHandler = async (ctx) => {
  await asPermanent(async () => {
    const refund = parseRefund(ctx.payload);
    const outcome = await processRefund(ctx.sql, ctx.shopId, refund, causeOf(ctx));
    if (outcome.returnedUnits > 0) await writeBackOrderLots(ctx, refund.orderId);
    ctx.log.info("refund processed", { refundId: outcome.refundId.toString(), newLines: outcome.newLines, returnedUnits: outcome.returnedUnits });
  });
};

/**
 * orders/create, orders/updated, orders/fulfilled, orders/cancelled: after the order itself is
 * recorded (the order handler runs first in the same transaction), allocate the fulfilments and
 * apply the refunds the payload carries. A fulfilment or refund already seen through its own topic
 * changes nothing. What cannot be used here (a fulfilment without a location, an odd shape) is
 * skipped with a warning instead of failing the order's delivery: the fulfilment's own topic
 * (fulfillments/create|update, refunds/create) still brings it.
 */
export const allocateOrderFulfilments: TopicHandler = async (ctx) => {
  let activity: ReturnType<typeof parseOrderActivity>;
  try {
    activity = parseOrderActivity(ctx.payload);
  } catch (error) {
    if (!(error instanceof PayloadShapeError)) throw error;
    ctx.log.warn("order payload: fulfilments/refunds not usable, left to their own topics", { reason: error.message });
    return;
  }
  let changedOrder: bigint | null = null;
  for (const fulfilment of activity.fulfilments) {
    if (fulfilment.locationId === null && fulfilmentEffect(fulfilment.status) === "allocate") {
      ctx.log.warn("order payload: fulfilment without location_id left to its own topic", { fulfilmentId: fulfilment.id.toString() });
      continue;
    }
    if (lotsChanged(await processFulfilment(ctx.sql, ctx.shopId, fulfilment, causeOf(ctx)))) changedOrder = fulfilment.orderId;
  }
  for (const refund of activity.refunds) {
    if ((await processRefund(ctx.sql, ctx.shopId, refund, causeOf(ctx))).returnedUnits > 0) changedOrder = refund.orderId;
  }
  if (changedOrder !== null) await writeBackOrderLots(ctx, changedOrder);
};
