// Everything that changes one order's allocations (fulfilments, cancellations, refunds, manual
// moves, and the order handler linking the customer) first locks that order's row, so those
// transactions run one after the other per order. A fulfilment or refund that arrives before its
// order creates the row (a stub the order handler completes, see docs/decisions/002-data-model.md);
// the lock also makes "link the customer" race-free: whichever of order and fulfilment commits
// second sees the other.
import type { Db } from "../../lib/sql.server";

/**
 * The statement, usable as a CTE (`with o as (${ORDER_LOCK_SQL}) ...`) by hot paths that lock the
 * order in the same round trip as other work. $1 = shop id, $2 = order id.
 */
export const ORDER_LOCK_SQL = `insert into orders (shop_id, id, updated_at) values ($1, $2, now())
     on conflict (shop_id, id) do update set shop_id = excluded.shop_id
     returning customer_id, customer_key`;

/** Locks (creating if needed) the order row; callers that need its customer use ORDER_LOCK_SQL in a CTE. */
export async function lockOrder(sql: Db, shopId: number, orderId: bigint): Promise<void> {
  await sql.query(ORDER_LOCK_SQL, [shopId, orderId.toString()]);
}
