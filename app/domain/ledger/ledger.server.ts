// Lot quantities move in one place: a balance change and its ledger entry are written together,
// in the caller's transaction. The ledger is append-only; balances are derivable from it.
import type { Sql } from "../../lib/sql.server";

export type LedgerKind =
  | "RECEIVED"
  | "ALLOCATED"
  | "ALLOCATION_REVERSED"
  | "ALLOCATION_MOVED"
  | "RETURNED"
  | "ADJUSTED"
  | "COUNTED"
  | "TRANSFERRED"
  | "QUARANTINED"
  | "RELEASED"
  | "CONSUMED"
  | "PRODUCED"
  | "RECONCILED";

export type LedgerCause = "WEBHOOK" | "USER" | "JOB" | "CLI";

export interface LotMovement {
  shopId: number;
  lotId: bigint;
  locationId: bigint;
  /** Units added (positive) or taken (negative) at this location. Zero records an event only. */
  delta: number;
  kind: LedgerKind;
  cause: LedgerCause;
  /** Webhook id, allocation id, user, run id ... whatever explains this row. */
  causeRef?: string | null;
  reason?: string | null;
}

export class InsufficientStockError extends Error {
  override name = "InsufficientStockError";
}

/**
 * Applies movements to lot_balances (creating a balance row on first receipt at a location) and
 * appends one ledger entry each, with the balance after. Fails with InsufficientStockError if a
 * balance would go negative (the CHECK constraint backs this up). Movements on the same balance
 * are applied in the given order.
 */
export async function moveLotUnits(sql: Sql, movements: LotMovement[]): Promise<number[]> {
  const after: number[] = [];
  for (const m of movements) {
    after.push(m.delta >= 0 ? await addUnits(sql, m) : await takeUnits(sql, m));
  }
  await appendLedger(
    sql,
    movements.map((m, i) => ({ ...m, balanceAfter: after[i]! })),
  );
  return after;
}

async function addUnits(sql: Sql, m: LotMovement): Promise<number> {
  const result = await sql.query<{ quantity: number }>(
    `insert into lot_balances (lot_id, location_id, shop_id, variant_id, quantity, updated_at)
     select l.id, $2, l.shop_id, l.variant_id, $3, now() from lots l where l.id = $1 and l.shop_id = $4
     on conflict (lot_id, location_id) do update
       set quantity = lot_balances.quantity + excluded.quantity, updated_at = now()
     returning quantity`,
    [m.lotId, m.locationId, m.delta, m.shopId],
  );
  if (!result.rows[0]) throw new Error(`lot ${m.lotId} does not belong to shop ${m.shopId}`);
  return result.rows[0].quantity;
}

async function takeUnits(sql: Sql, m: LotMovement): Promise<number> {
  // A CHECK is evaluated on an INSERT's proposed row before ON CONFLICT, so taking is an UPDATE.
  const result = await sql.query<{ quantity: number }>(
    `update lot_balances set quantity = quantity + $3, updated_at = now()
     where lot_id = $1 and location_id = $2 and shop_id = $4 and quantity + $3 >= 0
     returning quantity`,
    [m.lotId, m.locationId, m.delta, m.shopId],
  );
  if (result.rows[0]) return result.rows[0].quantity;
  const owner = await sql.query("select 1 from lots where id = $1 and shop_id = $2", [m.lotId, m.shopId]);
  if (!owner.rowCount) throw new Error(`lot ${m.lotId} does not belong to shop ${m.shopId}`);
  throw new InsufficientStockError(`lot ${m.lotId} has fewer than ${-m.delta} units at location ${m.locationId}`);
}

/** Appends ledger rows in one statement. Use moveLotUnits unless the balance is already changed. */
export async function appendLedger(sql: Sql, entries: (LotMovement & { balanceAfter: number | null })[]): Promise<void> {
  if (entries.length === 0) return;
  await sql.query(
    `insert into ledger_entries (shop_id, lot_id, location_id, kind, delta, balance_after, cause, cause_ref, reason)
     select * from unnest($1::int[], $2::bigint[], $3::bigint[], $4::"LedgerKind"[], $5::int[], $6::int[], $7::"LedgerCause"[], $8::text[], $9::text[])`,
    [
      entries.map((e) => e.shopId),
      entries.map((e) => e.lotId.toString()),
      entries.map((e) => e.locationId.toString()),
      entries.map((e) => e.kind),
      entries.map((e) => e.delta),
      entries.map((e) => e.balanceAfter),
      entries.map((e) => e.cause),
      entries.map((e) => e.causeRef ?? null),
      entries.map((e) => e.reason ?? null),
    ],
  );
}
