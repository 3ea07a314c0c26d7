import type { Command } from "../command";
import { optionalLimit, requireString } from "../command";
import { optionalShopifyId, requireShopId } from "../shop-option";
import { listLotCustomers, lookupRecall, type RecallLookup } from "../../domain/recall/recall-lookup.server";
import { pool } from "../../db.server";

export const recallCustomers: Command = {
  name: "recall customers",
  summary: "Every customer who received a lot (and the lots made from it), with orders, returns and totals",
  usage: `lotkeeper recall customers --shop <domain> --lot <number> [--variant <id>] [--direct-only]
                          [--limit <n> [--cursor <c>]]

Prints {"lots", "totals": {receivedUnits, shippedUnits, returnedUnits, outstandingUnits, onHandUnits,
onHand: [{lotNumber, locationId, quantity, quarantined}], orders, customers, possiblyAffectedUnits},
"customers": [{customerId, name, email, phone, address, redacted, units, returnedUnits,
orders: [{orderId, orderName, lineItemId, quantity, returnedQuantity, fulfilledAt, locationId, lotNumber}]}],
"possiblyAffected": [units shipped from the variant's unknown-lot record in the lot's time window]}.
Without --limit every customer is printed; with it, one page and "nextCursor".
Lots made from this lot by production runs are included unless --direct-only.`,
  options: {
    shop: { type: "string" },
    lot: { type: "string" },
    variant: { type: "string" },
    "direct-only": { type: "boolean" },
    limit: { type: "string" },
    cursor: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const limit = optionalLimit(args, 500);
    const input = {
      lotNumber: requireString(args, "lot"),
      variantId: optionalShopifyId(args, "variant"),
      directOnly: args.values["direct-only"] === true,
      cursor: typeof args.values.cursor === "string" ? args.values.cursor : undefined,
    };
    if (limit !== undefined) return shape(await lookupRecall(shopId, { ...input, limit }), true);
    const first = await lookupRecall(shopId, { ...input, limit: 500 });
    let cursor = first.nextCursor;
    while (cursor) {
      const next = await listLotCustomers(pool(), shopId, first.lots, { cursor, limit: 500 });
      first.customers.push(...next.customers);
      cursor = next.nextCursor;
    }
    return shape(first, false);
  },
};

function shape(r: RecallLookup, paged: boolean) {
  return {
    lots: r.lots,
    totals: r.totals,
    customers: r.customers,
    ...(paged ? { nextCursor: r.nextCursor } : {}),
    possiblyAffected: r.possiblyAffected,
  };
}
