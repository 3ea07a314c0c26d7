// `lotkeeper allocations list`: the review queue (units on an unknown lot) or an order's allocations.
import { CliError, optionalLimit, UsageError, type Command } from "../command";
import { optionalShopifyId, requireShopId } from "../shop-option";
import { listAllocationsForReview, traceOrder } from "../../domain/allocation/queries.server";
import { OrderNotFoundError } from "../../domain/allocation/errors";

export const allocationsList: Command = {
  name: "allocations list",
  summary: "List allocations: the review queue of unknown-lot units (--unknown) or one order's",
  usage: `lotkeeper allocations list --shop <domain> (--unknown | --order <id>) [--limit <n>] [--cursor <c>]

--unknown: units shipped without a known lot, oldest first ({items, nextCursor}); each item has
  allocationId, reason ("manual": the product's strategy is manual; "no-lot": no lot could cover
  the units), orderId, orderName, fulfillmentId, lineItemId, variantId, sku, title, locationId,
  quantity, returnedQuantity, fulfilledAt. Resolve one with lotkeeper allocations move.
--order <id>: every live allocation of that order (allocationId, lineItemId, lot, quantity,
  returnedQuantity, locationId, unknownLot). See also lotkeeper trace order.`,
  options: {
    shop: { type: "string" },
    unknown: { type: "boolean" },
    order: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const orderId = optionalShopifyId(args, "order");
    if (orderId !== undefined) {
      const trace = await traceOrder(shopId, orderId).catch((error: unknown) => {
        throw error instanceof OrderNotFoundError ? new CliError(error.message) : error;
      });
      return trace.lineItems.flatMap((l) => l.allocations.map((a) => ({ ...a, lineItemId: l.lineItemId, variantId: l.variantId })));
    }
    if (args.values.unknown !== true) throw new UsageError("give --unknown (the review queue) or --order <id>");
    const limit = optionalLimit(args, 500);
    const cursor = typeof args.values.cursor === "string" ? args.values.cursor : undefined;
    if (cursor !== undefined && !/^\d+$/.test(cursor)) throw new UsageError("--cursor must be the nextCursor of a previous page");
    return listAllocationsForReview(shopId, cursor, { limit });
  },
};
