// Allocation of a fulfilment: every fulfilled unit assigned to a lot, exactly once, whichever
// topic or delivery brings the fulfilment and in whatever order. The effect's identity is the
// fulfillment_lines row (shop, fulfilment, line item): a line is allocated by the transaction that
// INSERTs it, and never again; a cancelled fulfilment marks its lines REVERSED (also lines it has
// never seen), so a late "success" finds them and allocates nothing.
//
// The hot path is five statements per fulfilment (docs/decisions/030-allocation.md):
//   1. lock the order (stub if needed), upsert the fulfilment, read the shop's settings
//   2. insert the fulfilment's lines (ON CONFLICT DO NOTHING) returning only the new ones
//   3. lock the candidate lot balances (SELECT ... FOR UPDATE in lot id order)
//   4. insert the allocations and set the lines' states
//   5. decrement the balances and append the ledger (ledger.server.ts applyLockedMovements)
import type { Db } from "../../lib/sql.server";
import { applyLockedMovements, moveLotUnitsBatch, type LedgerCause, type LotMovement } from "../ledger/ledger.server";
import {
  earliestAcceptableShelfDate,
  effectiveStrategy,
  fulfilmentEffect,
  planAllocation,
  type AllocationStrategy,
  type CandidateLot,
  type FulfilmentEffect,
} from "./allocation-rules";
import { FulfilmentWithoutLocationError } from "./errors";
import { ORDER_LOCK_SQL } from "./order-lock.server";
import type { FulfilmentInput } from "./payloads";
import { applyPendingReturns } from "./returns.server";

export interface AllocationCause {
  cause: LedgerCause;
  /** The webhook id, user or job that caused it (kept in each ledger row's reason). */
  ref: string | null;
}

export interface FulfilmentOutcome {
  fulfilmentId: bigint;
  effect: FulfilmentEffect;
  /** Lines seen for the first time and allocated (to lots and/or unknown-lot). */
  allocatedLines: number;
  /** Lines left for the merchant (manual strategy): an unknown-lot allocation each, line PENDING. */
  pendingLines: number;
  /** Lines of variants that are not lot-tracked (or custom items without a variant). */
  skippedLines: number;
  /** Lines an earlier delivery already handled: nothing done for them. */
  alreadyHandledLines: number;
  /** Units no lot could cover (unknown-lot allocations flagged for review). */
  unknownUnits: number;
  reversedAllocations: number;
}

const VOID_STATUSES = "('cancelled', 'failure', 'error')";

/**
 * Applies what a fulfilment payload says (allocate on success, reverse on cancelled/failure/error,
 * nothing while pending) inside the caller's transaction. Idempotent: any number of deliveries of
 * the same fulfilment, through any topic and in any order, has the effect of one.
 */
export async function processFulfilment(sql: Db, shopId: number, f: FulfilmentInput, cause: AllocationCause, now = new Date()): Promise<FulfilmentOutcome> {
  let effect = fulfilmentEffect(f.status);
  const outcome: FulfilmentOutcome = {
    fulfilmentId: f.id,
    effect,
    allocatedLines: 0,
    pendingLines: 0,
    skippedLines: 0,
    alreadyHandledLines: 0,
    unknownUnits: 0,
    reversedAllocations: 0,
  };
  // 1. Order lock (serialises everything that touches this order's allocations), fulfilment row,
  //    shop settings. A void status is final; otherwise the newest updated_at wins.
  const head = await sql.query<{ customer_id: bigint | null; customer_key: string; allocation_strategy: AllocationStrategy; min_shelf_life_days: number; stored_status: string }>(
    `with o as (${ORDER_LOCK_SQL}),
     f as (
       insert into fulfillments (shop_id, id, order_id, location_id, status, name, shopify_created_at, shopify_updated_at, updated_at)
       values ($1, $3, $2, $4, $5, $6, $7, $8, now())
       on conflict (shop_id, id) do update set
         status = case when fulfillments.status in ${VOID_STATUSES} then fulfillments.status
                       when excluded.status in ${VOID_STATUSES} then excluded.status
                       when fulfillments.shopify_updated_at > excluded.shopify_updated_at then fulfillments.status
                       else excluded.status end,
         location_id = coalesce(excluded.location_id, fulfillments.location_id),
         name = coalesce(excluded.name, fulfillments.name),
         shopify_created_at = coalesce(fulfillments.shopify_created_at, excluded.shopify_created_at),
         shopify_updated_at = greatest(fulfillments.shopify_updated_at, excluded.shopify_updated_at),
         updated_at = now()
       returning status
     )
     select (select customer_id from o) as customer_id, (select customer_key from o) as customer_key, s.allocation_strategy, s.min_shelf_life_days, (select status from f) as stored_status
     from shops s where s.id = $1`,
    [shopId, f.orderId.toString(), f.id.toString(), f.locationId?.toString() ?? null, f.status.toLowerCase(), f.name, f.createdAt?.toISOString() ?? null, f.updatedAt?.toISOString() ?? null],
  );
  const settings = head.rows[0];
  if (!settings) throw new Error(`shop ${shopId} does not exist`);
  // Once cancelled, always cancelled: a "success" that comes after the cancellation (a stale
  // orders/updated, a late create) marks the lines it names reversed instead of allocating them.
  if (effect === "allocate" && fulfilmentEffect(settings.stored_status) === "reverse") {
    effect = "reverse";
    outcome.effect = "reverse";
  }

  // Lines sorted by line item id: the same fulfilment brought by different topics (whose line
  // order may differ) takes the same units from the same lots.
  const lines = f.lines.filter((l) => l.quantity > 0).sort((a, b) => (a.lineItemId < b.lineItemId ? -1 : a.lineItemId > b.lineItemId ? 1 : 0));
  const lineArrays = [lines.map((l) => l.lineItemId.toString()), lines.map((l) => l.variantId?.toString() ?? null), lines.map((l) => l.quantity)];

  if (effect === "reverse") {
    const reversed = await reverseFulfilment(sql, shopId, f.id, lineArrays, cause);
    outcome.reversedAllocations = reversed;
    return outcome;
  }
  if (effect === "none") return outcome;

  // 2. Claim the lines: only rows this transaction inserts are allocated here.
  const claimed = await sql.query<{
    line_item_id: bigint;
    variant_id: bigint | null;
    quantity: number;
    lot_tracked: boolean | null;
    strategy_override: AllocationStrategy | null;
    pending_return: number;
  }>(
    `with ins as (
       insert into fulfillment_lines (shop_id, fulfillment_id, line_item_id, variant_id, quantity, state, updated_at)
       select $1, $2, t.line_item_id, t.variant_id, t.quantity, 'PENDING', now()
       from unnest($3::bigint[], $4::bigint[], $5::int[]) as t(line_item_id, variant_id, quantity)
       on conflict do nothing
       returning line_item_id, variant_id, quantity
     )
     select ins.line_item_id, ins.variant_id, ins.quantity, v.lot_tracked, v.strategy_override,
            (select coalesce(sum(r.quantity - r.returned_quantity), 0)::int from refund_lines r
              where r.shop_id = $1 and r.line_item_id = ins.line_item_id and r.restock_type = 'return') as pending_return
     from ins left join variants v on v.shop_id = $1 and v.id = ins.variant_id
     order by ins.line_item_id`,
    [shopId, f.id.toString(), ...lineArrays],
  );
  outcome.alreadyHandledLines = lines.length - claimed.rows.length;
  if (claimed.rows.length === 0) return outcome;

  // An unknown variant (no products webhook yet) is treated as lot-tracked: its units are
  // recorded (unknown-lot when no lot exists) rather than silently ignored.
  const toAllocate = claimed.rows.filter((r) => r.variant_id !== null && r.lot_tracked !== false);
  if (toAllocate.length > 0 && f.locationId === null) throw new FulfilmentWithoutLocationError(f.id);
  const strategyOf = (r: (typeof claimed.rows)[number]) => effectiveStrategy(settings.allocation_strategy, r.strategy_override);

  // 3. Lock candidate balances of every variant to allocate, in the global order (lot id). Shelf
  //    life counts from the day the units shipped (the fulfilment's created_at), not from when a
  //    late delivery happens to be processed.
  const autoVariants = [...new Set(toAllocate.filter((r) => strategyOf(r) !== "MANUAL").map((r) => r.variant_id!.toString()))];
  const candidates = new Map<bigint, CandidateLot[]>();
  if (autoVariants.length > 0) {
    const locked = await sql.query<{ lot_id: bigint; variant_id: bigint; quantity: number; shelf_date: string | null; received_at: Date }>(
      `select b.lot_id, b.variant_id, b.quantity, coalesce(l.expires_on, l.best_before_on) as shelf_date, l.received_at
       from lot_balances b join lots l on l.id = b.lot_id and l.shop_id = b.shop_id
       where b.shop_id = $1 and b.location_id = $2 and b.variant_id = any($3::bigint[])
         and b.quantity > 0 and not b.quarantined and l.status = 'ACTIVE'
         and (coalesce(l.expires_on, l.best_before_on) is null or coalesce(l.expires_on, l.best_before_on) >= $4::date)
       order by b.lot_id
       for update of b`,
      [shopId, f.locationId!.toString(), autoVariants, earliestAcceptableShelfDate(f.createdAt ?? now, settings.min_shelf_life_days)],
    );
    for (const row of locked.rows) {
      const list = candidates.get(row.variant_id) ?? [];
      list.push({ lotId: row.lot_id, quantity: row.quantity, shelfDate: row.shelf_date, receivedAt: row.received_at });
      candidates.set(row.variant_id, list);
    }
  }

  // Plan every line (pure rules), then write it all at once.
  const available = new Map<bigint, number>();
  const allocationRows: { lineItemId: bigint; variantId: bigint; lotId: bigint | null; quantity: number }[] = [];
  const movements: { lineItemId: bigint; lotId: bigint; delta: number; balanceAfter: number }[] = [];
  const states: { lineItemId: bigint; state: "ALLOCATED" | "PENDING" | "SKIPPED" }[] = [];
  for (const row of claimed.rows) {
    if (row.variant_id === null || row.lot_tracked === false) {
      states.push({ lineItemId: row.line_item_id, state: "SKIPPED" });
      outcome.skippedLines++;
      continue;
    }
    const strategy = strategyOf(row);
    if (strategy === "MANUAL") {
      allocationRows.push({ lineItemId: row.line_item_id, variantId: row.variant_id, lotId: null, quantity: row.quantity });
      states.push({ lineItemId: row.line_item_id, state: "PENDING" });
      outcome.pendingLines++;
      continue;
    }
    const plan = planAllocation(strategy, candidates.get(row.variant_id) ?? [], row.quantity, available);
    for (const take of plan.takes) {
      allocationRows.push({ lineItemId: row.line_item_id, variantId: row.variant_id, lotId: take.lotId, quantity: take.quantity });
      movements.push({ lineItemId: row.line_item_id, lotId: take.lotId, delta: -take.quantity, balanceAfter: available.get(take.lotId)! });
    }
    if (plan.unknown > 0) {
      allocationRows.push({ lineItemId: row.line_item_id, variantId: row.variant_id, lotId: null, quantity: plan.unknown });
      outcome.unknownUnits += plan.unknown;
    }
    states.push({ lineItemId: row.line_item_id, state: "ALLOCATED" });
    outcome.allocatedLines++;
  }

  // 4. Allocations and line states in one statement.
  const inserted = await sql.query<{ id: bigint; line_item_id: bigint; lot_id: bigint | null }>(
    `with a as (
       insert into allocations (shop_id, fulfillment_id, line_item_id, order_id, variant_id, customer_id, customer_key, lot_id, unknown_lot,
                                location_id, quantity, fulfilled_at, updated_at)
       select $1, $2, t.line_item_id, $3, t.variant_id, $4, $13, t.lot_id, t.lot_id is null, $5, t.quantity, $6, now()
       from unnest($7::bigint[], $8::bigint[], $9::bigint[], $10::int[]) as t(line_item_id, variant_id, lot_id, quantity)
       returning id, line_item_id, lot_id
     ), u as (
       update fulfillment_lines fl set state = x.state::"FulfillmentLineState", updated_at = now()
       from unnest($11::bigint[], $12::text[]) as x(line_item_id, state)
       where fl.shop_id = $1 and fl.fulfillment_id = $2 and fl.line_item_id = x.line_item_id
     )
     select id, line_item_id, lot_id from a`,
    [
      shopId,
      f.id.toString(),
      f.orderId.toString(),
      settings.customer_id?.toString() ?? null,
      f.locationId?.toString() ?? null,
      (f.createdAt ?? now).toISOString(),
      allocationRows.map((r) => r.lineItemId.toString()),
      allocationRows.map((r) => r.variantId.toString()),
      allocationRows.map((r) => r.lotId?.toString() ?? null),
      allocationRows.map((r) => r.quantity),
      states.map((s) => s.lineItemId.toString()),
      states.map((s) => s.state),
      settings.customer_key,
    ],
  );

  // 5. Balances and ledger (the balances are locked by statement 3).
  if (movements.length > 0) {
    const idOf = new Map(inserted.rows.filter((r) => r.lot_id !== null).map((r) => [`${r.line_item_id}:${r.lot_id}`, r.id]));
    const ledger: (LotMovement & { balanceAfter: number })[] = movements.map((m) => ({
      shopId,
      lotId: m.lotId,
      locationId: f.locationId!,
      delta: m.delta,
      balanceAfter: m.balanceAfter,
      kind: "ALLOCATED",
      cause: cause.cause,
      causeRef: `allocation/${idOf.get(`${m.lineItemId}:${m.lotId}`)}`,
      reason: `fulfilment ${f.id} line ${m.lineItemId}${cause.ref ? ` (${cause.ref})` : ""}`,
    }));
    await applyLockedMovements(sql, shopId, ledger);
  }

  // A refund that came before this fulfilment left returns pending: apply them now.
  const withPendingReturns = claimed.rows.filter((r) => r.pending_return > 0).map((r) => r.line_item_id);
  if (withPendingReturns.length > 0) await applyPendingReturns(sql, shopId, withPendingReturns, cause);
  return outcome;
}

/** Marks every line of the fulfilment REVERSED (seen or not) and puts allocated units back. */
async function reverseFulfilment(sql: Db, shopId: number, fulfilmentId: bigint, lineArrays: unknown[], cause: AllocationCause): Promise<number> {
  const reversed = await sql.query<{ id: bigint; lot_id: bigint | null; location_id: bigint; back: number }>(
    `with ins as (
       insert into fulfillment_lines (shop_id, fulfillment_id, line_item_id, variant_id, quantity, state, updated_at)
       select $1, $2, t.line_item_id, t.variant_id, t.quantity, 'REVERSED', now()
       from unnest($3::bigint[], $4::bigint[], $5::int[]) as t(line_item_id, variant_id, quantity)
       on conflict do nothing
     ), rev as (
       update fulfillment_lines set state = 'REVERSED', updated_at = now()
       where shop_id = $1 and fulfillment_id = $2 and state <> 'REVERSED'
     )
     update allocations set status = 'REVERSED', updated_at = now()
     where shop_id = $1 and fulfillment_id = $2 and status = 'ALLOCATED'
     returning id, lot_id, location_id, quantity - returned_quantity as back`,
    [shopId, fulfilmentId.toString(), ...lineArrays],
  );
  const movements: LotMovement[] = reversed.rows
    .filter((r) => r.lot_id !== null && r.back > 0)
    .map((r) => ({
      shopId,
      lotId: r.lot_id!,
      locationId: r.location_id,
      delta: r.back,
      kind: "ALLOCATION_REVERSED",
      cause: cause.cause,
      causeRef: `allocation/${r.id}`,
      reason: `fulfilment ${fulfilmentId} cancelled${cause.ref ? ` (${cause.ref})` : ""}`,
    }));
  await moveLotUnitsBatch(sql, shopId, movements);
  return reversed.rows.length;
}
