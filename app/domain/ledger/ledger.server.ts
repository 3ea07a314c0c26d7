// Lot quantities move in one place: a balance change and its ledger entry are written together,
// in the caller's transaction. The ledger is append-only; balances are derivable from it.
import { DomainError } from "../errors";
import type { Db } from "../../lib/sql.server";

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
  | "RECONCILED"
  | "BIN_MOVED"
  | "RESERVED"
  | "UNRESERVED";

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

export class InsufficientStockError extends DomainError {
  override name = "InsufficientStockError";
}

/**
 * Applies movements to lot_balances (creating a balance row on first receipt at a location) and
 * appends one ledger entry each, with the balance after. Fails with InsufficientStockError if a
 * balance would go negative (the CHECK constraint backs this up). Movements on the same balance
 * are applied in the given order.
 */
export async function moveLotUnits(sql: Db, movements: LotMovement[]): Promise<number[]> {
  return (await moveLotUnitsWithEntries(sql, movements)).map((m) => m.balanceAfter);
}

/**
 * moveLotUnits, also returning the id of each ledger entry written (in the order of the
 * movements): the outbox derives Shopify's idempotency key and reference document from it.
 */
export async function moveLotUnitsWithEntries(sql: Db, movements: LotMovement[]): Promise<{ balanceAfter: number; ledgerEntryId: bigint }[]> {
  const after: number[] = [];
  for (const m of movements) {
    after.push(m.delta >= 0 ? await addUnits(sql, m) : await takeUnits(sql, m));
  }
  const ids = await appendLedger(
    sql,
    movements.map((m, i) => ({ ...m, balanceAfter: after[i]! })),
  );
  return after.map((balanceAfter, i) => ({ balanceAfter, ledgerEntryId: ids[i]! }));
}

async function addUnits(sql: Db, m: LotMovement): Promise<number> {
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

async function takeUnits(sql: Db, m: LotMovement): Promise<number> {
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
export async function appendLedger(sql: Db, entries: (LotMovement & { balanceAfter: number | null })[]): Promise<bigint[]> {
  if (entries.length === 0) return [];
  const result = await sql.query<{ id: bigint }>(
    `insert into ledger_entries (shop_id, lot_id, location_id, kind, delta, balance_after, cause, cause_ref, reason)
     select shop_id, lot_id, location_id, kind, delta, balance_after, cause, cause_ref, reason
     from unnest($1::int[], $2::bigint[], $3::bigint[], $4::"LedgerKind"[], $5::int[], $6::int[], $7::"LedgerCause"[], $8::text[], $9::text[])
       with ordinality as t(shop_id, lot_id, location_id, kind, delta, balance_after, cause, cause_ref, reason, ord)
     order by ord
     returning id`,
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
  // Ids come from one sequence in insertion order, which follows `ord`.
  return result.rows.map((r) => r.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// ---- Batched variant for hot paths (allocation, reversal, returns) -------------------------------
// Same idea as moveLotUnits (balance and ledger change together), in a fixed number of statements
// whatever the number of movements, with row locks taken in ONE global order: (lot id, location id).
// Every writer that locks several balances should use that order so concurrent transactions queue
// instead of deadlocking.

export interface BalanceKey {
  lotId: bigint;
  locationId: bigint;
}

const keyOf = (k: BalanceKey) => `${k.lotId}:${k.locationId}`;

/**
 * Locks the given balances (SELECT ... FOR UPDATE in lot id, location id order) and returns their
 * quantities by "lot:location". Balances that do not exist are absent from the map.
 */
export async function lockLotBalances(sql: Db, shopId: number, keys: BalanceKey[]): Promise<Map<string, number>> {
  const unique = [...new Map(keys.map((k) => [keyOf(k), k])).values()];
  if (unique.length === 0) return new Map();
  const result = await sql.query<{ lot_id: bigint; location_id: bigint; quantity: number }>(
    `select b.lot_id, b.location_id, b.quantity from lot_balances b
     join unnest($2::bigint[], $3::bigint[]) as k(lot_id, location_id) on k.lot_id = b.lot_id and k.location_id = b.location_id
     where b.shop_id = $1
     order by b.lot_id, b.location_id
     for update of b`,
    [shopId, unique.map((k) => k.lotId.toString()), unique.map((k) => k.locationId.toString())],
  );
  return new Map(result.rows.map((r) => [keyOf({ lotId: r.lot_id, locationId: r.location_id }), r.quantity]));
}

/**
 * Writes movements whose balances the caller has ALREADY locked (lockLotBalances, or its own
 * SELECT ... FOR UPDATE) and whose `balanceAfter` it computed from the locked quantities: one
 * statement updates every balance and appends every ledger row. A balance that is not what the
 * caller computed (a bug: it was not locked) fails the whole transaction.
 */
export async function applyLockedMovements(sql: Db, shopId: number, movements: (LotMovement & { balanceAfter: number })[]): Promise<void> {
  if (movements.length === 0) return;
  const finals = new Map<string, { key: BalanceKey; total: number; after: number }>();
  for (const m of movements) {
    if (m.shopId !== shopId) throw new Error(`movement for shop ${m.shopId} applied in shop ${shopId}`);
    const k = keyOf(m);
    const f = finals.get(k) ?? { key: { lotId: m.lotId, locationId: m.locationId }, total: 0, after: 0 };
    f.total += m.delta;
    f.after = m.balanceAfter;
    finals.set(k, f);
  }
  const rows = [...finals.values()];
  const result = await sql.query<{ updated: number }>(
    `with f as (
       select * from unnest($2::bigint[], $3::bigint[], $4::int[], $5::int[]) as f(lot_id, location_id, total, after)
     ), upd as (
       update lot_balances b set quantity = b.quantity + f.total, updated_at = now()
       from f
       where b.shop_id = $1 and b.lot_id = f.lot_id and b.location_id = f.location_id and b.quantity + f.total = f.after
       returning 1
     ), led as (
       insert into ledger_entries (shop_id, lot_id, location_id, kind, delta, balance_after, cause, cause_ref, reason)
       select $1, * from unnest($6::bigint[], $7::bigint[], $8::"LedgerKind"[], $9::int[], $10::int[], $11::"LedgerCause"[], $12::text[], $13::text[])
       returning 1
     )
     select (select count(*) from upd)::int as updated, (select count(*) from led)::int as logged`,
    [
      shopId,
      rows.map((r) => r.key.lotId.toString()),
      rows.map((r) => r.key.locationId.toString()),
      rows.map((r) => r.total),
      rows.map((r) => r.after),
      movements.map((m) => m.lotId.toString()),
      movements.map((m) => m.locationId.toString()),
      movements.map((m) => m.kind),
      movements.map((m) => m.delta),
      movements.map((m) => m.balanceAfter),
      movements.map((m) => m.cause),
      movements.map((m) => m.causeRef ?? null),
      movements.map((m) => m.reason ?? null),
    ],
  );
  if (result.rows[0]!.updated !== rows.length) {
    throw new Error(`lot balances changed while locked (expected ${rows.length} updates, got ${result.rows[0]!.updated})`);
  }
}

/**
 * moveLotUnits in a fixed number of statements: creates missing balance rows for units coming in,
 * locks every balance in the global order, checks none goes negative (InsufficientStockError,
 * nothing written), then applies. Returns each movement's balance after, in the given order.
 */
export async function moveLotUnitsBatch(sql: Db, shopId: number, movements: LotMovement[]): Promise<number[]> {
  if (movements.length === 0) return [];
  const incoming = movements.filter((m) => m.delta > 0);
  if (incoming.length > 0) {
    await sql.query(
      `with k as (select distinct * from unnest($2::bigint[], $3::bigint[]) as k(lot_id, location_id))
       insert into lot_balances (lot_id, location_id, shop_id, variant_id, quantity, updated_at)
       select l.id, k.location_id, l.shop_id, l.variant_id, 0, now() from k join lots l on l.id = k.lot_id and l.shop_id = $1
       on conflict (lot_id, location_id) do nothing`,
      [shopId, incoming.map((m) => m.lotId.toString()), incoming.map((m) => m.locationId.toString())],
    );
  }
  const locked = await lockLotBalances(sql, shopId, movements);
  const after: number[] = [];
  for (const m of movements) {
    const current = locked.get(keyOf(m));
    if (current === undefined) {
      const owner = await sql.query("select 1 from lots where id = $1 and shop_id = $2", [m.lotId, shopId]);
      if (!owner.rowCount) throw new Error(`lot ${m.lotId} does not belong to shop ${shopId}`);
      throw new InsufficientStockError(`lot ${m.lotId} has no units at location ${m.locationId}`);
    }
    const next = current + m.delta;
    if (next < 0) throw new InsufficientStockError(`lot ${m.lotId} has ${current} units at location ${m.locationId}, fewer than ${-m.delta}`);
    locked.set(keyOf(m), next);
    after.push(next);
  }
  await applyLockedMovements(
    sql,
    shopId,
    movements.map((m, i) => ({ ...m, balanceAfter: after[i]! })),
  );
  return after;
}
