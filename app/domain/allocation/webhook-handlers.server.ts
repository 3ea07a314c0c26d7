// Allocation's topic handlers (registered in app/domain/webhooks/topics.server.ts). Each runs in
// the worker's transaction that also marks the inbox row processed. The same fulfilment may come
// through fulfillments/create, fulfillments/update, orders/fulfilled and orders/updated, in any
// order and more than once: processFulfilment makes that one effect.
import { InvalidPayloadError, type TopicHandler, type WebhookContext } from "../webhooks/handler";
import { processFulfilment, type AllocationCause } from "./allocate-fulfilment.server";
import { fulfilmentEffect } from "./allocation-rules";
import { FulfilmentWithoutLocationError } from "./errors";
import { parseFulfilment, parseOrderActivity, parseRefund, PayloadShapeError } from "./payloads";
import { processRefund } from "./returns.server";

function causeOf(ctx: WebhookContext): AllocationCause {
  return { cause: "WEBHOOK", ref: `webhook ${ctx.webhookId}` };
}

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
  for (const fulfilment of activity.fulfilments) {
    if (fulfilment.locationId === null && fulfilmentEffect(fulfilment.status) === "allocate") {
      ctx.log.warn("order payload: fulfilment without location_id left to its own topic", { fulfilmentId: fulfilment.id.toString() });
      continue;
    }
    await processFulfilment(ctx.sql, ctx.shopId, fulfilment, causeOf(ctx));
  }
  for (const refund of activity.refunds) await processRefund(ctx.sql, ctx.shopId, refund, causeOf(ctx));
};
