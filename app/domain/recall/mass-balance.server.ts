// The mass balance of the lots in a recall's scope, in ONE statement whatever the number of lots
// (docs/decisions/106-mass-balance-and-drills.md says which ledger kind counts as what):
//   ledger      RECEIVED, PRODUCED -> received; CONSUMED -> shipped (into a production run);
//               ADJUSTED reason `damaged` -> destroyed; other ADJUSTED, COUNTED, RECONCILED ->
//               adjusted (units removed, negative when added); TRANSFERRED nets to zero per lot and
//               is no term; QUARANTINED, RELEASED, BIN_MOVED move no unit (delta 0). Allocation
//               kinds (ALLOCATED, ALLOCATION_REVERSED, ALLOCATION_MOVED, RETURNED) are not read:
//   allocations shipped to customers and returned come from the allocations themselves, and
//   lot_balances on hand comes from the balances,
// so a ledger, allocation or balance that disagrees with the others shows as unexplained units.
import type { Db } from "../../lib/sql.server";
import { massBalanceOf, sumMassBalances, type MassBalance } from "./mass-balance-rules";

export interface LotMassBalance extends MassBalance {
  lotId: bigint;
  lotNumber: string;
  variantId: bigint;
  /** The part of shipped that went into production runs (the rest went to customers). */
  consumed: number;
}

export interface ScopeMassBalance {
  lots: LotMassBalance[];
  total: MassBalance;
}

interface Row {
  lot_id: bigint;
  lot_number: string;
  variant_id: bigint;
  received: number;
  consumed: number;
  destroyed: number;
  adjusted: number;
  shipped: number;
  returned: number;
  on_hand: number;
}

// The adjust reason is the first part of the ledger reason ("damaged: dropped pallet"), as
// adjustLot writes it (app/domain/lots/lot-moves.server.ts).
const ADJUST_REASON = "split_part(coalesce(e.reason, ''), ':', 1)";

export async function massBalanceOfLots(db: Db, shopId: number, lotIds: bigint[]): Promise<ScopeMassBalance> {
  if (lotIds.length === 0) return { lots: [], total: sumMassBalances([]) };
  const r = await db.query<Row>(
    `with led as (
       select e.lot_id,
              coalesce(sum(e.delta) filter (where e.kind in ('RECEIVED', 'PRODUCED')), 0)::int as received,
              coalesce(-sum(e.delta) filter (where e.kind = 'CONSUMED'), 0)::int as consumed,
              coalesce(-sum(e.delta) filter (where e.kind = 'ADJUSTED' and ${ADJUST_REASON} = 'damaged'), 0)::int as destroyed,
              coalesce(-sum(e.delta) filter (where e.kind in ('COUNTED', 'RECONCILED') or (e.kind = 'ADJUSTED' and ${ADJUST_REASON} <> 'damaged')), 0)::int as adjusted
         from ledger_entries e
        where e.shop_id = $1 and e.lot_id = any($2::bigint[])
        group by e.lot_id
     ), alloc as (
       select a.lot_id, sum(a.quantity)::int as shipped, sum(a.returned_quantity)::int as returned
         from allocations a
        where a.shop_id = $1 and a.lot_id = any($2::bigint[]) and a.status = 'ALLOCATED'
        group by a.lot_id
     ), bal as (
       select b.lot_id, sum(b.quantity)::int as on_hand
         from lot_balances b
        where b.shop_id = $1 and b.lot_id = any($2::bigint[])
        group by b.lot_id
     )
     select l.id as lot_id, l.lot_number, l.variant_id,
            coalesce(led.received, 0) as received, coalesce(led.consumed, 0) as consumed,
            coalesce(led.destroyed, 0) as destroyed, coalesce(led.adjusted, 0) as adjusted,
            coalesce(alloc.shipped, 0) as shipped, coalesce(alloc.returned, 0) as returned,
            coalesce(bal.on_hand, 0) as on_hand
       from lots l
       left join led on led.lot_id = l.id
       left join alloc on alloc.lot_id = l.id
       left join bal on bal.lot_id = l.id
      where l.shop_id = $1 and l.id = any($2::bigint[])
      order by l.lot_number, l.id`,
    [shopId, lotIds],
  );
  const lots = r.rows.map((row) => ({
    lotId: row.lot_id,
    lotNumber: row.lot_number,
    variantId: row.variant_id,
    consumed: row.consumed,
    ...massBalanceOf({
      received: row.received,
      shippedToCustomers: row.shipped,
      returned: row.returned,
      consumed: row.consumed,
      destroyed: row.destroyed,
      adjusted: row.adjusted,
      onHand: row.on_hand,
    }),
  }));
  return { lots, total: sumMassBalances(lots) };
}
