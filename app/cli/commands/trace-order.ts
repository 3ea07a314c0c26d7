// `lotkeeper trace order`: backward trace of one order, line item by line item, lot by lot.
import type { Command } from "../command";
import { requireShopId, requireShopifyId } from "../shop-option";
import { traceOrder } from "../../domain/allocation/queries.server";

export const traceOrderCommand: Command = {
  name: "trace order",
  summary: "Each line item of an order with the lots its units shipped from",
  usage: `lotkeeper trace order --shop <domain> --order <id>

Prints {orderId, name, customerId, lineItems: [{lineItemId, variantId, sku, title, quantity,
fulfilledQuantity, returnedQuantity, allocations: [{allocationId, fulfillmentId, lot, lotId,
expiresOn, quantity, returnedQuantity, locationId, unknownLot, fulfilledAt}], reversed: [...],
fulfillmentLines: [{fulfillmentId, quantity, state}], pendingReturnQuantity}]}. lot is the lot number, null for units
on an unknown lot (see lotkeeper allocations list --unknown).`,
  options: {
    shop: { type: "string" },
    order: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const orderId = requireShopifyId(args, "order");
    return traceOrder(shopId, orderId);
  },
};
