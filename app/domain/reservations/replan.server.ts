// Re-planning reservations when a lot becomes unusable (issue #12 item 1; docs/decisions/
// 100-reservations.md, "Re-planning"). reserveOrder already drops a held reservation whose balance
// is no longer shippable, but only when the order gets another delivery. A recalled, quarantined
// or expired lot, or a count below what is reserved, must not leave orders that get no further
// webhook holding units that cannot ship: a queued job (scope = one lot, or one variant at one
// location) re-runs reserveOrder for every order holding such units, oldest order first, each in
// its own transaction. Producers queue it after their commit (queueReservationReplans); a daily
// sweep queues it for lots that expired, and catches any job Redis lost.
import { pool } from "../../db.server";
import { log } from "../../lib/logger.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import { withTransaction, type Db } from "../../lib/sql.server";
import type { AllocationCause } from "../allocation/allocate-fulfilment.server";
import { findShelfRule } from "../shops/settings.server";
import { lockOrder } from "../allocation/order-lock.server";
import { releasesOnBalance, unitsToGiveUp } from "./replan-rules";
import type { HeldReservation, ReservationSource } from "./reservation-rules";
import { applyReservationChanges, assignmentsForOrder, reserveOrder } from "./reservations.server";

export const REPLAN_RESERVATIONS_JOB = "replan-reservations";
export const SWEEP_RESERVATION_REPLANS_JOB = "sweep-reservation-replans";

/** What changed: every balance of one lot (recall, quarantine), or one variant at one location (a count). */
export type ReplanScope = { lotId: bigint } | { variantId: bigint; locationId: bigint };

/** Job data: ids only. */
export interface ReplanJob {
  shopId: number;
  lotId?: string;
  variantId?: string;
  locationId?: string;
}

export interface ReplanOutcome {
  /** Orders re-planned (each in its own transaction). */
  orders: number;
  reservedUnits: number;
  releasedUnits: number;
}

/**
 * A held balance that cannot keep its reservations: the negation of SHIPPABLE_BALANCES_SQL's filter
 * (app/domain/allocation/shippable-balances.server.ts; keep them in step), over `b` (lot_balances)
 * and `l` (lots), with $2 the shop's earliest acceptable shelf date. Never null (a lot without
 * dates is 'infinity'), so `not` of it is safe.
 */
const NOT_SHIPPABLE_SQL = `(b.quantity <= 0 or b.quarantined or l.status <> 'ACTIVE'
        or coalesce(l.expires_on, l.best_before_on, 'infinity'::date) < $2::date)`;

/** Balances in scope holding reservations they cannot keep: not shippable, or fewer units than reserved. */
async function balancesToReplan(db: Db, shopId: number, scope: ReplanScope | null, earliest: string): Promise<{ lotId: bigint; locationId: bigint }[]> {
  const lotId = scope && "lotId" in scope ? scope.lotId.toString() : null;
  const at = scope && "variantId" in scope ? scope : null;
  const r = await db.query<{ lot_id: bigint; location_id: bigint }>(
    `select b.lot_id, b.location_id
     from lot_balances b join lots l on l.id = b.lot_id and l.shop_id = b.shop_id
     where b.shop_id = $1 and b.reserved > 0
       and ($3::bigint is null or b.lot_id = $3::bigint)
       and ($4::bigint is null or (b.variant_id = $4::bigint and b.location_id = $5::bigint))
       and (b.reserved > b.quantity or ${NOT_SHIPPABLE_SQL})
     order by b.location_id, b.lot_id`,
    [shopId, earliest, lotId, at?.variantId.toString() ?? null, at?.locationId.toString() ?? null],
  );
  return r.rows.map((row) => ({ lotId: row.lot_id, locationId: row.location_id }));
}

/**
 * Re-plans the open orders holding reservations on balances in `scope` that can no longer keep
 * them (balance quarantined, lot not ACTIVE, expired or short of the shop's minimum shelf life, or
 * a count left fewer units than are reserved): oldest order first (Shopify's created_at, then id),
 * each in its OWN transaction — order lock, then balances, the order every reservation writer
 * uses — running reserveOrder, which releases what cannot ship and plans the units again on lots
 * with free units (or leaves them unreserved when there are none). On a balance with fewer units
 * than reserved the newest orders give units up first (unitsToGiveUp). Idempotent: a second run
 * finds nothing to do. Not in the caller's transaction on purpose: holding one order's balance
 * locks while waiting for the next order's lock is what would deadlock with a webhook.
 */
export async function replanReservations(shopId: number, scope: ReplanScope | null, options: { now?: Date; ref?: string } = {}): Promise<ReplanOutcome> {
  const now = options.now ?? new Date();
  const outcome: ReplanOutcome = { orders: 0, reservedUnits: 0, releasedUnits: 0 };
  const rule = await findShelfRule(pool(), shopId, now);
  if (!rule) return outcome; // the shop was erased
  const earliest = rule.earliestShelfDate;
  const balances = await balancesToReplan(pool(), shopId, scope, earliest);
  if (balances.length === 0) return outcome;
  const orders = await pool().query<{ order_id: bigint }>(
    `select r.order_id
     from lot_reservations r join orders o on o.shop_id = r.shop_id and o.id = r.order_id
     where r.shop_id = $1 and (r.lot_id, r.location_id) in (select unnest($2::bigint[]), unnest($3::bigint[]))
     group by r.order_id, o.shopify_created_at
     order by o.shopify_created_at nulls last, r.order_id`,
    [shopId, balances.map((b) => b.lotId.toString()), balances.map((b) => b.locationId.toString())],
  );
  const cause: AllocationCause = { cause: "JOB", ref: options.ref ?? "re-plan" };
  for (const { order_id: orderId } of orders.rows) {
    const result = await withTransaction(async (sql) => {
      await lockOrder(sql, shopId, orderId);
      const givenUp = await giveUpOverReservedUnits(sql, shopId, orderId, earliest, cause);
      const planned = await reserveOrder(sql, shopId, orderId, await assignmentsForOrder(sql, shopId, orderId), cause, now);
      return { reserved: planned.reservedUnits, released: planned.releasedUnits + givenUp };
    });
    outcome.orders += 1;
    outcome.reservedUnits += result.reserved;
    outcome.releasedUnits += result.released;
  }
  return outcome;
}

/**
 * Under the order lock: on every shippable balance where the order holds units and fewer units are
 * on hand than reserved, releases what this order must give up (newest orders first). The balances
 * are locked in a statement of their own, so the reads after it see every writer that committed
 * before (each changes `reserved` on the balance row in the same statement as its rows).
 */
async function giveUpOverReservedUnits(sql: Db, shopId: number, orderId: bigint, earliest: string, cause: AllocationCause): Promise<number> {
  const locked = await sql.query<{ lot_id: bigint; location_id: bigint }>(
    `select b.lot_id, b.location_id
     from lot_balances b join lots l on l.id = b.lot_id and l.shop_id = b.shop_id
     where b.shop_id = $1 and b.reserved > b.quantity and not ${NOT_SHIPPABLE_SQL}
       and exists (select 1 from lot_reservations r
                   where r.shop_id = $1 and r.order_id = $3 and r.lot_id = b.lot_id and r.location_id = b.location_id)
     order by b.location_id, b.lot_id
     for update of b`,
    [shopId, earliest, orderId.toString()],
  );
  let released = 0;
  for (const balance of locked.rows) {
    const r = await sql.query<{
      quantity: number;
      reserved: number;
      held_by_newer: number;
      line_item_id: bigint;
      variant_id: bigint;
      quantity_held: number;
      source: ReservationSource;
    }>(
      `with me as (select coalesce(shopify_created_at, 'infinity'::timestamptz) as created, id from orders where shop_id = $1 and id = $2)
       select b.quantity, b.reserved,
              (select coalesce(sum(r2.quantity), 0)::int
               from lot_reservations r2 join orders o2 on o2.shop_id = r2.shop_id and o2.id = r2.order_id, me
               where r2.shop_id = $1 and r2.lot_id = b.lot_id and r2.location_id = b.location_id
                 and (coalesce(o2.shopify_created_at, 'infinity'::timestamptz), o2.id) > (me.created, me.id)) as held_by_newer,
              r.line_item_id, r.variant_id, r.quantity as quantity_held, r.source
       from lot_balances b
       join lot_reservations r on r.shop_id = b.shop_id and r.lot_id = b.lot_id and r.location_id = b.location_id and r.order_id = $2
       where b.shop_id = $1 and b.lot_id = $3 and b.location_id = $4`,
      [shopId, orderId.toString(), balance.lot_id.toString(), balance.location_id.toString()],
    );
    const first = r.rows[0];
    if (!first) continue;
    const rows: HeldReservation[] = r.rows.map((row) => ({
      lineItemId: row.line_item_id,
      variantId: row.variant_id,
      lotId: balance.lot_id,
      locationId: balance.location_id,
      quantity: row.quantity_held,
      source: row.source,
    }));
    const units = unitsToGiveUp(
      { quantity: first.quantity, reserved: first.reserved, heldByNewerOrders: first.held_by_newer },
      rows.reduce((n, row) => n + row.quantity, 0),
    );
    if (units <= 0) continue;
    await applyReservationChanges(sql, shopId, orderId, releasesOnBalance(rows, units, `only ${first.quantity} on hand, ${first.reserved} reserved`), cause);
    released += units;
  }
  return released;
}

export function replanJobData(shopId: number, scope: ReplanScope): ReplanJob {
  return "lotId" in scope
    ? { shopId, lotId: scope.lotId.toString() }
    : { shopId, variantId: scope.variantId.toString(), locationId: scope.locationId.toString() };
}

export function replanJobId(shopId: number, scope: ReplanScope): string {
  return jobIdFor(REPLAN_RESERVATIONS_JOB, "lotId" in scope ? `${shopId}-lot-${scope.lotId}` : `${shopId}-variant-${scope.variantId}-at-${scope.locationId}`);
}

export function scopeOfJob(data: ReplanJob): ReplanScope {
  if (data.lotId) return { lotId: BigInt(data.lotId) };
  if (data.variantId && data.locationId) return { variantId: BigInt(data.variantId), locationId: BigInt(data.locationId) };
  throw new Error(`re-plan job without a scope: ${JSON.stringify(data)}`);
}

/**
 * Queues one re-plan job per scope, after the caller's commit. The job id is the scope, so
 * triggers for the same lot coalesce while a job waits; a finished job is removed at once, so the
 * next trigger runs again. Redis unreachable: logged, and the daily sweep finds the reservations.
 */
export async function queueReservationReplans(shopId: number, scopes: readonly ReplanScope[]): Promise<void> {
  if (scopes.length === 0) return;
  try {
    await getQueue(QUEUE_NAMES.maintenance).addBulk(
      scopes.map((scope) => ({
        name: REPLAN_RESERVATIONS_JOB,
        data: replanJobData(shopId, scope),
        opts: { jobId: replanJobId(shopId, scope), removeOnComplete: true, removeOnFail: true },
      })),
    );
  } catch (error) {
    log.warn("reservation re-plan jobs not queued; the re-plan sweep will find them", { shopId, scopes: scopes.length, error });
  }
}

/**
 * After a count, adjustment or transfer out committed: queues the re-plan when the balance now has
 * fewer units than are reserved on it. Never throws: the stock change is done, and the sweep
 * catches what this misses.
 */
export async function queueReplanIfOverReserved(shopId: number, lotId: bigint, locationId: bigint): Promise<void> {
  try {
    const r = await pool().query<{ variant_id: bigint }>(
      "select variant_id from lot_balances where shop_id = $1 and lot_id = $2 and location_id = $3 and reserved > quantity",
      [shopId, lotId.toString(), locationId.toString()],
    );
    const row = r.rows[0];
    if (row) await queueReservationReplans(shopId, [{ variantId: row.variant_id, locationId }]);
  } catch (error) {
    log.warn("could not check the balance's reservations; the re-plan sweep will", { shopId, lotId: lotId.toString(), error });
  }
}

/**
 * The sweep (repeatable, daily): every shop's lots holding reservations they cannot keep — above
 * all lots that expired or came within the shop's minimum shelf life since yesterday, which no
 * event announces — get a re-plan job. `shopId`: one shop only (an operator's run, the tests).
 * Returns how many were queued.
 */
export async function queueReplansForUnusableLots(options: { now?: Date; shopId?: number } = {}): Promise<number> {
  const now = options.now ?? new Date();
  const shops = await pool().query<{ shop_id: number }>(
    "select distinct shop_id from lot_balances where reserved > 0 and ($1::int is null or shop_id = $1) order by shop_id",
    [options.shopId ?? null],
  );
  let queued = 0;
  for (const { shop_id: shopId } of shops.rows) {
    const rule = await findShelfRule(pool(), shopId, now);
    if (!rule) continue;
    const lotIds = [...new Set((await balancesToReplan(pool(), shopId, null, rule.earliestShelfDate)).map((b) => b.lotId))];
    await queueReservationReplans(
      shopId,
      lotIds.map((lotId) => ({ lotId })),
    );
    queued += lotIds.length;
  }
  return queued;
}
