// Reservation's topic handler (registered in app/domain/webhooks/topics.server.ts for
// orders/create|updated|cancelled): after the order is recorded and the fulfilments it carries are
// allocated (earlier handlers, same transaction), bring its reservations up to date.
import type { TopicHandler } from "../webhooks/handler";
import { orderSnapshot } from "../orders/order-snapshot";
import { reserveAssignedOrder } from "./reservations.server";

export const reserveOrderFromWebhook: TopicHandler = async (ctx) => {
  const orderId = orderSnapshot(ctx.payload).id;
  const outcome = await reserveAssignedOrder(ctx.sql, ctx.shopId, orderId, { cause: "WEBHOOK", ref: `webhook ${ctx.webhookId}` });
  if (outcome.reservedUnits > 0 || outcome.releasedUnits > 0) {
    ctx.log.info("order reservations updated", { orderId: orderId.toString(), reserved: outcome.reservedUnits, released: outcome.releasedUnits });
  }
  for (const miss of outcome.lotPropertyMisses) {
    // The line named a lot that cannot ship from here (unknown, another product's, used up, on hold):
    // the strategy's lot is reserved instead, and the merchant should look at the line.
    ctx.log.warn("order line names a lot (_lot) that cannot be reserved here; planned by the strategy instead", {
      orderId: orderId.toString(),
      lineItemId: miss.lineItemId.toString(),
      lot: miss.lotNumber,
    });
  }
};
