// Which lot balances may ship, in one place: the allocation locks them (lockCandidates, with FOR
// UPDATE) and the pick list reads them without a lock (app/domain/picking/pick-list.server.ts), so
// both plan over the same candidates. Units on hand, balance not quarantined, lot ACTIVE, and an
// expiry (else best-before) no earlier than the earliest acceptable date (earliestAcceptableShelfDate).
// The pick list also reads the balance's bin. `reserved` is what open reservations of every order
// hold on the balance (docs/decisions/100-reservations.md): only quantity - reserved is free.
// Parameters: $1 shop id, $2 location id, $3 variant ids (bigint[]), $4 earliest shelf date.
export const SHIPPABLE_BALANCES_SQL = `select b.lot_id, b.variant_id, b.quantity, coalesce(l.expires_on, l.best_before_on) as shelf_date, l.received_at, l.lot_number, b.bin, b.reserved
     from lot_balances b join lots l on l.id = b.lot_id and l.shop_id = b.shop_id
     where b.shop_id = $1 and b.location_id = $2 and b.variant_id = any($3::bigint[])
       and b.quantity > 0 and not b.quarantined and l.status = 'ACTIVE'
       and (coalesce(l.expires_on, l.best_before_on) is null or coalesce(l.expires_on, l.best_before_on) >= $4::date)
     order by b.lot_id`;

export interface ShippableBalanceRow {
  lot_id: bigint;
  variant_id: bigint;
  quantity: number;
  shelf_date: string | null;
  received_at: Date;
  lot_number: string;
  /** Where the units sit at the location (null: no bin given); the pick list walks by it. */
  bin: string | null;
  /** Units held by open reservations (any order); the strategy takes only quantity - reserved. */
  reserved: number;
}
