// Manual override: the merchant (or a picker who scanned the lot) says which lot the units really
// came from. Moves an allocation, or part of it, to another lot of the same variant at the same
// location; the old lot gets its units back, the new lot gives them up, each with a ledger entry
// (ALLOCATION_MOVED). Resolving an unknown-lot allocation is the same move (nothing goes back).
import type { Db } from "../../lib/sql.server";
import { InsufficientStockError, moveLotUnitsBatch, type LedgerCause, type LotMovement } from "../ledger/ledger.server";
import { LotNotFoundError } from "../lots/lot-errors";
import { requestOrderLotsWriteback } from "../writeback/order-lots.server";
import { AllocationNotFoundError, AllocationNotMovableError, LotVariantMismatchError } from "./errors";
import { lockOrder } from "./order-lock.server";

export interface MoveAllocationInput {
  shopId: number;
  allocationId: bigint;
  toLotId: bigint;
  /** Units to move; all units not yet returned when absent. */
  quantity?: number;
  cause: LedgerCause;
  /** Who or what asked (user, CLI), kept in the ledger. */
  causeRef?: string | null;
}

export interface MovedAllocation {
  id: bigint;
  lotId: bigint | null;
  unknownLot: boolean;
  quantity: number;
  returnedQuantity: number;
  locationId: bigint;
}

export interface MoveAllocationResult {
  /** The allocation that now holds the moved units (the same row when all of it moved). */
  moved: MovedAllocation;
  /** What stayed on the old lot (absent when the whole allocation moved). */
  remainder: MovedAllocation | null;
  /** The order's lots written back on the Shopify order (decision 102): queueOrderLotsWriteback([id]) after commit. */
  writebackOutboxId: bigint;
}

interface AllocationRow {
  id: bigint;
  order_id: bigint;
  fulfillment_id: bigint;
  line_item_id: bigint;
  variant_id: bigint;
  lot_id: bigint | null;
  location_id: bigint;
  quantity: number;
  returned_quantity: number;
  status: string;
}

const asMoved = (r: {
  id: bigint;
  lot_id: bigint | null;
  unknown_lot: boolean;
  quantity: number;
  returned_quantity: number;
  location_id: bigint;
}): MovedAllocation => ({
  id: r.id,
  lotId: r.lot_id,
  unknownLot: r.unknown_lot,
  quantity: r.quantity,
  returnedQuantity: r.returned_quantity,
  locationId: r.location_id,
});

interface TargetLot {
  id: bigint;
  variant_id: bigint;
  lot_number: string;
}

/** Runs in the caller's transaction (use withTransaction). */
export async function moveAllocation(sql: Db, input: MoveAllocationInput): Promise<MoveAllocationResult> {
  const allocation = await lockAllocation(sql, input.shopId, input.allocationId);
  const quantity = unitsToMove(allocation, input.quantity);
  const target = await targetLot(sql, input.shopId, input.toLotId, allocation);
  const result = await reassignUnits(sql, input.shopId, allocation, target, quantity);
  await moveUnitsBetweenLots(sql, input, allocation, target, result.moved, quantity);
  await completeManualLine(sql, input.shopId, allocation);
  return { ...result, writebackOutboxId: await requestOrderLotsWriteback(sql, input.shopId, allocation.order_id) };
}

/**
 * Locks the allocation's order first (the same lock order as fulfilments and refunds), then the
 * allocation row itself. An allocation of another shop is not found.
 */
async function lockAllocation(sql: Db, shopId: number, allocationId: bigint): Promise<AllocationRow> {
  const peek = await sql.query<{ order_id: bigint }>("select order_id from allocations where id = $1 and shop_id = $2", [allocationId.toString(), shopId]);
  if (!peek.rows[0]) throw new AllocationNotFoundError(allocationId);
  await lockOrder(sql, shopId, peek.rows[0].order_id);
  const found = await sql.query<AllocationRow>(
    `select id, order_id, fulfillment_id, line_item_id, variant_id, lot_id, location_id, quantity, returned_quantity, status
     from allocations where id = $1 and shop_id = $2 for update`,
    [allocationId.toString(), shopId],
  );
  return found.rows[0]!;
}

/** The units asked for (all not yet returned by default), refused unless the allocation still holds them. */
function unitsToMove(allocation: AllocationRow, asked: number | undefined): number {
  if (allocation.status !== "ALLOCATED") {
    throw new AllocationNotMovableError(`allocation ${allocation.id} was reversed (its fulfilment was cancelled): there is nothing to move`);
  }
  const open = allocation.quantity - allocation.returned_quantity;
  const quantity = asked ?? open;
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > open) {
    throw new AllocationNotMovableError(
      `cannot move ${quantity} units of allocation ${allocation.id}: it holds ${open} unit(s) not yet returned (give a whole number from 1 to ${open})`,
    );
  }
  return quantity;
}

/** The lot the units really came from: the shop's, of the allocation's variant, not the lot it is on. */
async function targetLot(sql: Db, shopId: number, toLotId: bigint, allocation: AllocationRow): Promise<TargetLot> {
  const lot = await sql.query<TargetLot>("select id, variant_id, lot_number from lots where id = $1 and shop_id = $2", [toLotId.toString(), shopId]);
  const target = lot.rows[0];
  if (!target) throw new LotNotFoundError(`lot ${toLotId} does not exist in this shop`);
  if (target.variant_id !== allocation.variant_id) {
    throw new LotVariantMismatchError(
      `lot ${target.lot_number} is a lot of variant ${target.variant_id}; allocation ${allocation.id} is for variant ${allocation.variant_id}`,
    );
  }
  if (allocation.lot_id === target.id) throw new AllocationNotMovableError(`allocation ${allocation.id} is already on lot ${target.lot_number}`);
  return target;
}

/** The whole allocation changes lot, or (part of it moving) a new allocation takes the moved units. */
async function reassignUnits(
  sql: Db,
  shopId: number,
  allocation: AllocationRow,
  target: TargetLot,
  quantity: number,
): Promise<Omit<MoveAllocationResult, "writebackOutboxId">> {
  const whole = quantity === allocation.quantity; // nothing returned and everything moves
  if (whole) {
    const updated = await sql.query(
      `update allocations set lot_id = $3, unknown_lot = false, updated_at = now() where id = $1 and shop_id = $2
       returning id, lot_id, unknown_lot, quantity, returned_quantity, location_id`,
      [allocation.id.toString(), shopId, target.id.toString()],
    );
    return { moved: asMoved(updated.rows[0]), remainder: null };
  }
  const split = await sql.query(
    `with old as (
       update allocations set quantity = quantity - $3, updated_at = now() where id = $1 and shop_id = $2
       returning id, lot_id, unknown_lot, quantity, returned_quantity, location_id
     ), new as (
       insert into allocations (shop_id, fulfillment_id, line_item_id, order_id, variant_id, customer_id, customer_key, lot_id, unknown_lot,
                                location_id, quantity, returned_quantity, status, fulfilled_at, created_at, updated_at)
       select shop_id, fulfillment_id, line_item_id, order_id, variant_id, customer_id, customer_key, $4, false,
              location_id, $3, 0, 'ALLOCATED', fulfilled_at, now(), now()
       from allocations where id = $1 and shop_id = $2
       returning id, lot_id, unknown_lot, quantity, returned_quantity, location_id
     )
     select 'old' as which, * from old union all select 'new', * from new`,
    [allocation.id.toString(), shopId, quantity, target.id.toString()],
  );
  return { moved: asMoved(split.rows.find((r) => r.which === "new")), remainder: asMoved(split.rows.find((r) => r.which === "old")) };
}

/** The old lot gets its units back (nothing for an unknown lot), the new lot gives them up: ALLOCATION_MOVED each. */
async function moveUnitsBetweenLots(
  sql: Db,
  input: MoveAllocationInput,
  allocation: AllocationRow,
  target: TargetLot,
  moved: MovedAllocation,
  quantity: number,
): Promise<void> {
  const { shopId } = input;
  const reason = `moved ${quantity} unit(s) of allocation ${allocation.id} from ${allocation.lot_id === null ? "unknown lot" : `lot ${allocation.lot_id}`} to lot ${target.id}${input.causeRef ? ` (${input.causeRef})` : ""}`;
  const movements: LotMovement[] = [];
  if (allocation.lot_id !== null) {
    movements.push({
      shopId,
      lotId: allocation.lot_id,
      locationId: allocation.location_id,
      delta: quantity,
      kind: "ALLOCATION_MOVED",
      cause: input.cause,
      causeRef: `allocation/${allocation.id}`,
      reason,
    });
  }
  movements.push({
    shopId,
    lotId: target.id,
    locationId: allocation.location_id,
    delta: -quantity,
    kind: "ALLOCATION_MOVED",
    cause: input.cause,
    causeRef: `allocation/${moved.id}`,
    reason,
  });
  try {
    await moveLotUnitsBatch(sql, shopId, movements);
  } catch (error) {
    if (error instanceof InsufficientStockError) {
      throw new InsufficientStockError(
        `lot ${target.lot_number} does not hold ${quantity} unit(s) at location ${allocation.location_id}: receive or count the lot there first, or move fewer units`,
      );
    }
    throw error;
  }
}

/** A manual-strategy line is done once none of its units is on an unknown lot any more. */
async function completeManualLine(sql: Db, shopId: number, allocation: AllocationRow): Promise<void> {
  await sql.query(
    `update fulfillment_lines fl set state = 'ALLOCATED', updated_at = now()
     where fl.shop_id = $1 and fl.fulfillment_id = $2 and fl.line_item_id = $3 and fl.state = 'PENDING'
       and not exists (select 1 from allocations a where a.shop_id = $1 and a.fulfillment_id = $2 and a.line_item_id = $3
                       and a.status = 'ALLOCATED' and a.unknown_lot)`,
    [shopId, allocation.fulfillment_id.toString(), allocation.line_item_id.toString()],
  );
}
