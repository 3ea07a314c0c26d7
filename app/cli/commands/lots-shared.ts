// What the `lots *` commands share: the options and the lot by number (or id). The shop and Shopify
// id options are app/cli/shop-option.ts; app/cli/main.ts shows domain errors as one line.
import { optionalString, UsageError, type ParsedArgs } from "../command";
import { optionalShopifyId } from "../shop-option";
import { pool } from "../../db.server";
import { findLotId } from "../../domain/lots/lot-queries.server";
import { parseId } from "../../lib/ids";

export const shopOption = { shop: { type: "string" as const } };
export const lotOptions = { lot: { type: "string" as const }, variant: { type: "string" as const }, "lot-id": { type: "string" as const } };

/** The lot named by --lot (and --variant when the number is on several variants) or --lot-id. */
export async function lotFrom(args: ParsedArgs, shopId: number): Promise<bigint> {
  const lotId = optionalString(args, "lot-id");
  if (lotId) {
    const id = parseId(lotId);
    if (id === null) throw new UsageError("--lot-id must be a lot id (a whole number)");
    return id;
  }
  const lotNumber = typeof args.values.lot === "string" ? args.values.lot : undefined;
  if (!lotNumber) throw new UsageError("--lot <number> is required (or --lot-id)");
  const variantId = optionalShopifyId(args, "variant");
  return findLotId(pool(), shopId, lotNumber, variantId);
}
