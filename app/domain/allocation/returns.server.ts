// Refunds: a `return` line puts its units back into the lots its line item was allocated from, at
// the refund's location, and counts them as returned on those allocations. Every refund line is
// recorded in refund_lines first (its id is the idempotency key: a redelivered refund returns
// nothing twice); units no allocation holds yet (the refund came before the fulfilment) stay
// pending there and are applied when the fulfilment is allocated. `cancel` and `no_restock`
// lines are recorded and change no lot.
import type { Db } from "../../lib/sql.server";
import { moveLotUnitsBatch, type LotMovement } from "../ledger/ledger.server";
import type { AllocationCause } from "./allocate-fulfilment.server";
import { planReturn, restocksIntoLots } from "./allocation-rules";
import { lockOrder } from "./order-lock.server";
import type { RefundInput } from "./payloads";

export interface RefundOutcome {
  refundId: bigint;
  /** Refund lines recorded by this call (0 when the refund was seen before). */
  newLines: number;
  /** Units put back into lots (or onto unknown-lot allocations) by this call. */
  returnedUnits: number;
}

export async function processRefund(sql: Db, shopId: number, refund: RefundInput, cause: AllocationCause, now = new Date()): Promise<RefundOutcome> {
  await lockOrder(sql, shopId, refund.orderId);
  const lines = refund.lines.filter((l) => l.quantity > 0);
  if (lines.length === 0) return { refundId: refund.id, newLines: 0, returnedUnits: 0 };
  const inserted = await sql.query(
    `insert into refund_lines (shop_id, id, refund_id, order_id, line_item_id, location_id, restock_type, quantity, refunded_at)
     select $1, t.id, $2, $3, t.line_item_id, t.location_id, t.restock_type, t.quantity, $4
     from unnest($5::bigint[], $6::bigint[], $7::bigint[], $8::text[], $9::int[]) as t(id, line_item_id, location_id, restock_type, quantity)
     on conflict do nothing`,
    [
      shopId,
      refund.id.toString(),
      refund.orderId.toString(),
      (refund.createdAt ?? now).toISOString(),
      lines.map((l) => l.id.toString()),
      lines.map((l) => l.lineItemId.toString()),
      lines.map((l) => l.locationId?.toString() ?? null),
      lines.map((l) => l.restockType),
      lines.map((l) => l.quantity),
    ],
  );
  const returning = lines.filter((l) => restocksIntoLots(l.restockType)).map((l) => l.lineItemId);
  const returnedUnits = returning.length > 0 ? await applyPendingReturns(sql, shopId, returning, cause) : 0;
  return { refundId: refund.id, newLines: inserted.rowCount ?? 0, returnedUnits };
}

/**
 * Applies every pending `return` refund line of these line items to their live allocations. The
 * caller holds the order lock. Returns the number of units applied.
 */
export async function applyPendingReturns(sql: Db, shopId: number, lineItemIds: bigint[], cause: AllocationCause): Promise<number> {
  const ids = [...new Set(lineItemIds.map(String))];
  const pending = await sql.query<{ id: bigint; refund_id: bigint; line_item_id: bigint; location_id: bigint | null; open: number; refunded_at: Date }>(
    `select id, refund_id, line_item_id, location_id, quantity - returned_quantity as open, refunded_at from refund_lines
     where shop_id = $1 and line_item_id = any($2::bigint[]) and restock_type = 'return' and returned_quantity < quantity
     order by refunded_at, id for update`,
    [shopId, ids],
  );
  if (pending.rows.length === 0) return 0;
  const allocations = await sql.query<{ id: bigint; line_item_id: bigint; lot_id: bigint | null; location_id: bigint; open: number }>(
    `select id, line_item_id, lot_id, location_id, quantity - returned_quantity as open from allocations
     where shop_id = $1 and line_item_id = any($2::bigint[]) and status = 'ALLOCATED' and returned_quantity < quantity
     order by id for update`,
    [shopId, [...new Set(pending.rows.map((p) => p.line_item_id.toString()))]],
  );
  const open = new Map(allocations.rows.map((a) => [a.id, a.open]));
  const returns: { allocationId: bigint; refundId: bigint; refundLineId: bigint; locationId: bigint; quantity: number; returnedAt: Date }[] = [];
  const movements: LotMovement[] = [];
  for (const line of pending.rows) {
    const candidates = allocations.rows.filter((a) => a.line_item_id === line.line_item_id).map((a) => ({ id: a.id, lotId: a.lot_id, open: open.get(a.id)! }));
    for (const part of planReturn(candidates, line.open)) {
      const allocation = allocations.rows.find((a) => a.id === part.allocationId)!;
      const locationId = line.location_id ?? allocation.location_id;
      open.set(part.allocationId, open.get(part.allocationId)! - part.quantity);
      returns.push({
        allocationId: part.allocationId,
        refundId: line.refund_id,
        refundLineId: line.id,
        locationId,
        quantity: part.quantity,
        returnedAt: line.refunded_at,
      });
      if (part.lotId !== null) {
        movements.push({
          shopId,
          lotId: part.lotId,
          locationId,
          delta: part.quantity,
          kind: "RETURNED",
          cause: cause.cause,
          causeRef: `allocation/${part.allocationId}`,
          reason: `refund ${line.refund_id} line ${line.id}${cause.ref ? ` (${cause.ref})` : ""}`,
        });
      }
    }
  }
  if (returns.length === 0) return 0;
  await sql.query(
    `with r as (
       select * from unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::int[], $7::timestamp[])
         as r(allocation_id, refund_id, refund_line_id, location_id, quantity, returned_at)
     ), ins as (
       insert into allocation_returns (shop_id, allocation_id, refund_id, refund_line_id, location_id, quantity, returned_at)
       select $1, * from r
       on conflict (shop_id, refund_line_id, allocation_id) do update set quantity = allocation_returns.quantity + excluded.quantity
     ), a as (
       update allocations al set returned_quantity = al.returned_quantity + s.q, updated_at = now()
       from (select allocation_id, sum(quantity)::int as q from r group by allocation_id) s
       where al.shop_id = $1 and al.id = s.allocation_id
     )
     update refund_lines rl set returned_quantity = rl.returned_quantity + s.q
     from (select refund_line_id, sum(quantity)::int as q from r group by refund_line_id) s
     where rl.shop_id = $1 and rl.id = s.refund_line_id`,
    [
      shopId,
      returns.map((r) => r.allocationId.toString()),
      returns.map((r) => r.refundId.toString()),
      returns.map((r) => r.refundLineId.toString()),
      returns.map((r) => r.locationId.toString()),
      returns.map((r) => r.quantity),
      returns.map((r) => r.returnedAt.toISOString()),
    ],
  );
  await moveLotUnitsBatch(sql, shopId, movements);
  return returns.reduce((sum, r) => sum + r.quantity, 0);
}
