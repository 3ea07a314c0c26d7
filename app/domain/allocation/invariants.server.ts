// The invariants allocation keeps, checked on a shop's stored state (tests, benchmarks, and an
// operator who suspects a problem). Each violation is one readable line; an empty list means all hold.
import { pool } from "../../db.server";
import type { Db } from "../../lib/sql.server";

/**
 * The invariants of allocation, as a list of violations (empty when all hold):
 * - every fulfilled unit of a lot-tracked line (state ALLOCATED or PENDING) is in exactly one live
 *   allocation; SKIPPED and REVERSED lines have none;
 * - each balance equals the sum of its ledger entries;
 * - each balance equals receipts/adjustments - live allocations + returns (reversals net out);
 * - no balance is negative; no allocation returned more than it shipped;
 * - each balance's `reserved` equals the units of its open reservations (docs/decisions/100-reservations.md),
 *   and every reservation is of an order line of this shop's balance.
 */
export async function allocationInvariantViolations(shopId: number, db: Db = pool()): Promise<string[]> {
  const violations: string[] = [];
  const lines = await db.query(
    `select fl.fulfillment_id, fl.line_item_id, fl.state, fl.quantity,
            coalesce((select sum(a.quantity) from allocations a where a.shop_id = fl.shop_id and a.fulfillment_id = fl.fulfillment_id
                      and a.line_item_id = fl.line_item_id and a.status = 'ALLOCATED'), 0)::int as allocated
     from fulfillment_lines fl where fl.shop_id = $1`,
    [shopId],
  );
  for (const l of lines.rows) {
    const expected = l.state === "ALLOCATED" || l.state === "PENDING" ? l.quantity : 0;
    if (l.allocated !== expected)
      violations.push(`line ${l.fulfillment_id}/${l.line_item_id} (${l.state}) has ${l.allocated} allocated units, expected ${expected}`);
  }
  const orphans = await db.query(
    `select a.id from allocations a where a.shop_id = $1 and not exists
       (select 1 from fulfillment_lines fl where fl.shop_id = a.shop_id and fl.fulfillment_id = a.fulfillment_id and fl.line_item_id = a.line_item_id)`,
    [shopId],
  );
  for (const o of orphans.rows) violations.push(`allocation ${o.id} has no fulfilment line`);
  const ledger = await db.query(
    `select b.lot_id, b.location_id, b.quantity,
            coalesce((select sum(e.delta) from ledger_entries e where e.shop_id = b.shop_id and e.lot_id = b.lot_id and e.location_id = b.location_id), 0)::int as ledger_sum,
            coalesce((select sum(e.delta) from ledger_entries e where e.shop_id = b.shop_id and e.lot_id = b.lot_id and e.location_id = b.location_id
                      and e.kind not in ('ALLOCATED', 'ALLOCATION_REVERSED', 'ALLOCATION_MOVED', 'RETURNED')), 0)::int as stock_in,
            coalesce((select sum(a.quantity) from allocations a where a.shop_id = b.shop_id and a.lot_id = b.lot_id and a.location_id = b.location_id
                      and a.status = 'ALLOCATED'), 0)::int as allocated,
            coalesce((select sum(a.returned_quantity) from allocations a where a.shop_id = b.shop_id and a.lot_id = b.lot_id and a.location_id = b.location_id
                      and a.status = 'REVERSED'), 0)::int as reversed_after_return,
            coalesce((select sum(r.quantity) from allocation_returns r join allocations a on a.id = r.allocation_id
                      where r.shop_id = b.shop_id and a.lot_id = b.lot_id and r.location_id = b.location_id), 0)::int as returned
     from lot_balances b where b.shop_id = $1`,
    [shopId],
  );
  for (const b of ledger.rows) {
    if (b.quantity < 0) violations.push(`balance ${b.lot_id}@${b.location_id} is negative (${b.quantity})`);
    if (b.quantity !== b.ledger_sum) violations.push(`balance ${b.lot_id}@${b.location_id} is ${b.quantity} but its ledger sums to ${b.ledger_sum}`);
    const expected = b.stock_in - b.allocated - b.reversed_after_return + b.returned;
    if (b.quantity !== expected) {
      violations.push(
        `balance ${b.lot_id}@${b.location_id} is ${b.quantity}, expected receipts ${b.stock_in} - allocated ${b.allocated} - ${b.reversed_after_return} + returned ${b.returned} = ${expected}`,
      );
    }
  }
  const overReturned = await db.query(
    `select a.id, a.returned_quantity, coalesce(sum(r.quantity), 0)::int as rows_sum from allocations a
     left join allocation_returns r on r.shop_id = a.shop_id and r.allocation_id = a.id
     where a.shop_id = $1 group by a.id having a.returned_quantity <> coalesce(sum(r.quantity), 0)`,
    [shopId],
  );
  for (const o of overReturned.rows) violations.push(`allocation ${o.id} says ${o.returned_quantity} returned, its return rows say ${o.rows_sum}`);
  const reserved = await db.query(
    `select b.lot_id, b.location_id, b.reserved, coalesce(sum(r.quantity), 0)::int as rows_sum, count(r.id) filter (where r.shop_id <> b.shop_id)::int as foreign_rows
     from lot_balances b left join lot_reservations r on r.lot_id = b.lot_id and r.location_id = b.location_id
     where b.shop_id = $1 group by b.lot_id, b.location_id, b.reserved
     having b.reserved <> coalesce(sum(r.quantity), 0) or count(r.id) filter (where r.shop_id <> b.shop_id) > 0`,
    [shopId],
  );
  for (const b of reserved.rows) {
    violations.push(
      `balance ${b.lot_id}@${b.location_id} says ${b.reserved} reserved, its reservations hold ${b.rows_sum} (${b.foreign_rows} of another shop)`,
    );
  }
  return violations;
}
