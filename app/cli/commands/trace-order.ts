// `lotkeeper trace order`: backward trace of one order, line item by line item, lot by lot, and
// upstream of its lots (input lots through any depth of production runs, and their suppliers).
import type { Command } from "../command";
import { requireShopId, requireShopifyId } from "../shop-option";
import { traceOrder } from "../../domain/allocation/queries.server";
import { traceBackward } from "../../domain/trace/trace.server";
import { orderReservations } from "../../domain/reservations/reservations.server";
import { pool } from "../../db.server";

export const traceOrderCommand: Command = {
  name: "trace order",
  summary: "Each line item of an order with the lots its units shipped from, and the input lots and suppliers upstream",
  usage: `lotkeeper trace order --shop <domain> --order <id>

Prints {orderId, name, customerId, lineItems: [{lineItemId, variantId, sku, title, quantity,
fulfilledQuantity, returnedQuantity, allocations: [{allocationId, fulfillmentId, lot, lotId,
expiresOn, quantity, returnedQuantity, locationId, unknownLot, fulfilledAt}], reversed: [...],
fulfillmentLines: [{fulfillmentId, quantity, state}], pendingReturnQuantity}], reserved, upstream}.
reserved: the units still held for the order (README "Reservations"): [{lineItemId, variantId,
lotId, lotNumber, locationId, quantity, source}]. lot is
the lot number, null for units on an unknown lot (see lotkeeper allocations list --unknown).
upstream is the backward trace of the shipped lots (as lotkeeper trace lot --direction backward):
{direction, lots (depth 0: shipped lots, n: inputs n production runs away), edges (runs),
suppliers: [{supplier, lots: [{lotNumber, supplierLot, purchaseOrder}]}]}.`,
  options: {
    shop: { type: "string" },
    order: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const orderId = requireShopifyId(args, "order");
    const trace = await traceOrder(shopId, orderId);
    const shippedLots = [...new Set(trace.lineItems.flatMap((l) => l.allocations.flatMap((a) => (a.lotId === null ? [] : [a.lotId]))))];
    return { ...trace, reserved: await orderReservations(pool(), shopId, orderId), upstream: await traceBackward(shopId, shippedLots) };
  },
};
