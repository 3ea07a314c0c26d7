// `lotkeeper allocations move`: the manual override (also how an unknown-lot allocation is resolved).
import { CliError, UsageError, requireString, type Command } from "../command";
import { requireShopId } from "../shop-option";
import { pool } from "../../db.server";
import { withTransaction } from "../../lib/sql.server";
import { moveAllocation } from "../../domain/allocation/move-allocation.server";
import { moveAllocationRequest, moveRequestProblems } from "../../domain/allocation/move-request";
import { AllocationNotFoundError } from "../../domain/allocation/errors";
import { queueOrderLotsWriteback } from "../../domain/writeback/order-lots.server";

export const allocationsMove: Command = {
  name: "allocations move",
  summary: "Move an allocation (or part of it) to another lot of the same variant; resolves unknown-lot units",
  usage: `lotkeeper allocations move --shop <domain> --allocation <id> --lot <number> [--quantity <q>]

Moves --quantity units (default: all units not yet returned) of the allocation to the lot with that
lot number (of the allocation's variant). The old lot gets the units back, the new lot gives them
up at the allocation's location; both are ledger entries (ALLOCATION_MOVED, cause CLI).
Prints {"moved": {id, lotId, lot, unknownLot, quantity, returnedQuantity, locationId}, "remainder":
{...} | null (what stayed on the old lot when only part moved)}.`,
  options: {
    shop: { type: "string" },
    allocation: { type: "string" },
    lot: { type: "string" },
    quantity: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const allocationText = requireString(args, "allocation");
    const lotText = requireString(args, "lot");
    const quantityText = typeof args.values.quantity === "string" ? args.values.quantity : undefined;
    // The admin's move parses with the same schema (app/domain/allocation/move-request.ts).
    const parsed = moveAllocationRequest.safeParse({ allocationId: allocationText, lotNumber: lotText, quantity: quantityText });
    if (!parsed.success || quantityText?.trim() === "") {
      const problems = parsed.success ? {} : moveRequestProblems(parsed.error);
      if (problems.allocationId) throw new UsageError(`--allocation must be an allocation id (digits), got "${allocationText}"`);
      throw new UsageError(`--quantity must be a positive whole number, got "${quantityText}"`);
    }
    const { allocationId, lotNumber, quantity } = parsed.data;
    const allocation = await pool().query<{ variant_id: bigint }>("select variant_id from allocations where id = $1 and shop_id = $2", [allocationId, shopId]);
    if (!allocation.rows[0]) throw new AllocationNotFoundError(allocationId);
    const lot = await pool().query<{ id: bigint }>("select id from lots where shop_id = $1 and variant_id = $2 and lot_number = $3", [
      shopId,
      allocation.rows[0].variant_id,
      lotNumber,
    ]);
    if (!lot.rows[0]) throw new CliError(`variant ${allocation.rows[0].variant_id} has no lot "${lotNumber}" (see lotkeeper lots list)`);
    const result = await withTransaction((sql) =>
      moveAllocation(sql, { shopId, allocationId, toLotId: lot.rows[0]!.id, quantity, cause: "CLI", causeRef: "cli" }),
    );
    await queueOrderLotsWriteback([result.writebackOutboxId]);
    return { moved: { ...result.moved, lot: lotNumber }, remainder: result.remainder };
  },
};
