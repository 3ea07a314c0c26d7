// Allocation's topic handlers (registered in app/domain/webhooks/topics.server.ts). Each runs in
// the worker's transaction that also marks the inbox row processed. The same fulfilment may come
// through fulfillments/create, fulfillments/update, orders/fulfilled and orders/updated, in any
// order and more than once: processFulfilment makes that one effect.
import { InvalidPayloadError, type TopicHandler, type WebhookContext } from "../webhooks/handler";
import { processFulfilment, type AllocationCause } from "./allocate-fulfilment.server";
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
    const outcome = await processFulfilment(ctx.sql, ctx.shopId, fulfilment, causeOf(ctx));
    ctx.log.info("fulfilment processed", { ...outcome, fulfilmentId: outcome.fulfilmentId.toString() });
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
 * orders/create, orders/updated, orders/fulfilled: after the order itself is recorded (the order
 * handler runs first in the same transaction), allocate the fulfilments and apply the refunds the
 * payload carries. A fulfilment or refund already seen through its own topic changes nothing.
 */
export const allocateOrderFulfilments: TopicHandler = async (ctx) => {
  await asPermanent(async () => {
    const activity = parseOrderActivity(ctx.payload);
    for (const fulfilment of activity.fulfilments) await processFulfilment(ctx.sql, ctx.shopId, fulfilment, causeOf(ctx));
    for (const refund of activity.refunds) await processRefund(ctx.sql, ctx.shopId, refund, causeOf(ctx));
  });
};
