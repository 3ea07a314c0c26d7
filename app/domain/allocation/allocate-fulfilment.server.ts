// Allocation of a fulfilment: every fulfilled unit assigned to a lot, exactly once, whichever
// topic or delivery brings the fulfilment and in whatever order. The effect's identity is the
// fulfillment_lines row (shop, fulfilment, line item): a line is allocated by the transaction that
// INSERTs it, and never again; a cancelled fulfilment marks its lines REVERSED (also lines it has
// never seen), so a late "success" finds them and allocates nothing.
//
// The hot path is five statements per fulfilment (docs/decisions/030-allocation.md), one step each
// in processFulfilment (docs/decisions/095-use-cases-as-steps.md):
//   1. lockOrderAndUpsertFulfilment: lock the order (stub if needed), upsert the fulfilment, read
//      the shop's settings
//   2. claimLines: insert the fulfilment's lines (ON CONFLICT DO NOTHING) returning only the new ones
//   3. lockCandidates: lock the candidate lot balances (SELECT ... FOR UPDATE in lot id order) and
//      read the claimed lines' reservations, then planFulfilment (pure, allocation-rules.ts)
//      decides what each line takes: its `_lot`, its reservations here, then the strategy over
//      units no order holds (docs/decisions/100-reservations.md)
//   4. writeAllocations: insert the allocations and set the lines' states
//   5. takeUnitsFromLots: decrement the balances and append the ledger (applyLockedMovements)
// Only when a claimed line held reservations, a sixth statement (applyReservationChanges) deletes
// or lowers them by the units shipped and lowers the balances' `reserved`.
import type { Db } from "../../lib/sql.server";
import { applyLockedMovements, moveLotUnitsBatch, type LedgerCause, type LotMovement } from "../ledger/ledger.server";
import {
  earliestAcceptableShelfDate,
  fulfilmentEffect,
  needsLots,
  planFulfilment,
  variantsToLock,
  type AllocationStrategy,
  type CandidateLot,
  type ClaimedLine,
  type FulfilmentEffect,
  type FulfilmentPlan,
} from "./allocation-rules";
import { FulfilmentWithoutLocationError } from "./errors";
import { dayIn } from "../shops/shop-day";
import { ORDER_LOCK_SQL } from "./order-lock.server";
import type { FulfilmentInput } from "./payloads";
import { applyPendingReturns } from "./returns.server";
import { applyReservationChanges } from "../reservations/reservations.server";
import type { ReservationChange, ReservationSource } from "../reservations/reservation-rules";
import { SHIPPABLE_BALANCES_SQL, type ShippableBalanceRow } from "./shippable-balances.server";

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
  /** Reserved units this fulfilment shipped from the lines' reservations. */
  consumedReservedUnits: number;
  /** Lines whose `_lot` property named no shippable lot here: allocated by the strategy instead. */
  lotPropertyMisses: { lineItemId: bigint; lotNumber: string }[];
}

const VOID_STATUSES = "('cancelled', 'failure', 'error')";

/** What statement 1 reads: the order's customer, the shop's settings, the fulfilment's stored status. */
interface FulfilmentHead {
  customer_id: bigint | null;
  customer_key: string;
  allocation_strategy: AllocationStrategy;
  min_shelf_life_days: number;
  iana_timezone: string | null;
  stored_status: string;
}

interface ClaimedRow {
  line_item_id: bigint;
  variant_id: bigint | null;
  quantity: number;
  lot_tracked: boolean | null;
  strategy_override: AllocationStrategy | null;
  lot_property: string | null;
  pending_return: number;
}

/** The fulfilment's lines as the unnest arrays of statements 2 and the reversal. */
type LineArrays = [lineItemIds: string[], variantIds: (string | null)[], quantities: number[]];

/**
 * Applies what a fulfilment payload says (allocate on success, reverse on cancelled/failure/error,
 * nothing while pending) inside the caller's transaction. Idempotent: any number of deliveries of
 * the same fulfilment, through any topic and in any order, has the effect of one.
 */
export async function processFulfilment(sql: Db, shopId: number, f: FulfilmentInput, cause: AllocationCause, now = new Date()): Promise<FulfilmentOutcome> {
  const head = await lockOrderAndUpsertFulfilment(sql, shopId, f);
  const outcome = emptyOutcome(f.id, effectOf(f.status, head.stored_status));
  const lines = lineArrays(f);
  if (outcome.effect === "reverse") return { ...outcome, reversedAllocations: await reverseFulfilment(sql, shopId, f.id, lines, cause) };
  if (outcome.effect === "none") return outcome;

  const claimed = await claimLines(sql, shopId, f.id, lines);
  outcome.alreadyHandledLines = lines[0].length - claimed.length;
  if (claimed.length === 0) return outcome;

  // The stored order line's `_lot` wins; the fulfilment's own copy covers an order not recorded yet.
  const lotInPayload = new Map(f.lines.map((l) => [l.lineItemId, l.lotProperty ?? null]));
  const claimedLines = claimed.map((r) => ({ ...asClaimedLine(r), lotProperty: r.lot_property ?? lotInPayload.get(r.line_item_id) ?? null }));
  if (f.locationId === null && claimedLines.some(needsLots)) throw new FulfilmentWithoutLocationError(f.id);
  const { candidates, held } = await lockCandidates(sql, shopId, f, head, variantsToLock(claimedLines), claimedLines, now);
  const here = held.filter((r) => r.locationId === f.locationId);
  const plan = planFulfilment(claimedLines, head.allocation_strategy, candidates, here);
  const inserted = await writeAllocations(sql, shopId, f, head, plan, now);
  await takeUnitsFromLots(sql, shopId, f, plan, inserted, cause);
  await applyReservationChanges(sql, shopId, f.orderId, reservationsShipped(f, claimedLines, held, plan), cause);
  await applyReturnsThatCameFirst(sql, shopId, claimed, cause);
  const { allocatedLines, pendingLines, skippedLines, unknownUnits, lotPropertyMisses } = plan;
  const consumedReservedUnits = plan.consumed.reduce((n, c) => n + c.quantity, 0);
  return { ...outcome, allocatedLines, pendingLines, skippedLines, unknownUnits, consumedReservedUnits, lotPropertyMisses };
}

function emptyOutcome(fulfilmentId: bigint, effect: FulfilmentEffect): FulfilmentOutcome {
  return {
    fulfilmentId,
    effect,
    allocatedLines: 0,
    pendingLines: 0,
    skippedLines: 0,
    alreadyHandledLines: 0,
    unknownUnits: 0,
    reversedAllocations: 0,
    consumedReservedUnits: 0,
    lotPropertyMisses: [],
  };
}

/**
 * Once cancelled, always cancelled: a "success" that comes after the cancellation (a stale
 * orders/updated, a late create) marks the lines it names reversed instead of allocating them.
 */
function effectOf(payloadStatus: string, storedStatus: string): FulfilmentEffect {
  const effect = fulfilmentEffect(payloadStatus);
  return effect === "allocate" && fulfilmentEffect(storedStatus) === "reverse" ? "reverse" : effect;
}

/**
 * Lines sorted by line item id: the same fulfilment brought by different topics (whose line order
 * may differ) takes the same units from the same lots.
 */
function lineArrays(f: FulfilmentInput): LineArrays {
  const lines = f.lines.filter((l) => l.quantity > 0).sort((a, b) => (a.lineItemId < b.lineItemId ? -1 : a.lineItemId > b.lineItemId ? 1 : 0));
  return [lines.map((l) => l.lineItemId.toString()), lines.map((l) => l.variantId?.toString() ?? null), lines.map((l) => l.quantity)];
}

/**
 * Statement 1. Order lock (serialises everything that touches this order's allocations),
 * fulfilment row, shop settings. A void status is final; otherwise the newest updated_at wins.
 */
async function lockOrderAndUpsertFulfilment(sql: Db, shopId: number, f: FulfilmentInput): Promise<FulfilmentHead> {
  const head = await sql.query<FulfilmentHead>(
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
     select (select customer_id from o) as customer_id, (select customer_key from o) as customer_key, s.allocation_strategy, s.min_shelf_life_days, s.iana_timezone, (select status from f) as stored_status
     from shops s where s.id = $1`,
    [
      shopId,
      f.orderId.toString(),
      f.id.toString(),
      f.locationId?.toString() ?? null,
      f.status.toLowerCase(),
      f.name,
      f.createdAt?.toISOString() ?? null,
      f.updatedAt?.toISOString() ?? null,
    ],
  );
  const settings = head.rows[0];
  if (!settings) throw new Error(`shop ${shopId} does not exist`);
  return settings;
}

/** Statement 2. Claim the lines: only rows this transaction inserts are allocated here. */
async function claimLines(sql: Db, shopId: number, fulfilmentId: bigint, lines: LineArrays): Promise<ClaimedRow[]> {
  const claimed = await sql.query<ClaimedRow>(
    `with ins as (
       insert into fulfillment_lines (shop_id, fulfillment_id, line_item_id, variant_id, quantity, state, updated_at)
       select $1, $2, t.line_item_id, t.variant_id, t.quantity, 'PENDING', now()
       from unnest($3::bigint[], $4::bigint[], $5::int[]) as t(line_item_id, variant_id, quantity)
       on conflict do nothing
       returning line_item_id, variant_id, quantity
     )
     select ins.line_item_id, ins.variant_id, ins.quantity, v.lot_tracked, v.strategy_override,
            (select ol.lot_property from order_lines ol where ol.shop_id = $1 and ol.id = ins.line_item_id) as lot_property,
            (select coalesce(sum(r.quantity - r.returned_quantity), 0)::int from refund_lines r
              where r.shop_id = $1 and r.line_item_id = ins.line_item_id and r.restock_type = 'return') as pending_return
     from ins left join variants v on v.shop_id = $1 and v.id = ins.variant_id
     order by ins.line_item_id`,
    [shopId, fulfilmentId.toString(), ...lines],
  );
  return claimed.rows;
}

function asClaimedLine(r: ClaimedRow): ClaimedLine {
  return {
    lineItemId: r.line_item_id,
    variantId: r.variant_id,
    quantity: r.quantity,
    lotTracked: r.lot_tracked,
    strategyOverride: r.strategy_override,
    lotProperty: r.lot_property,
  };
}

/** A reservation of a claimed line (any location), read by statement 3. */
interface HeldRow {
  lineItemId: bigint;
  variantId: bigint;
  lotId: bigint;
  locationId: bigint;
  quantity: number;
  source: ReservationSource;
}

/**
 * Statement 3. Lock the candidate balances of every variant to allocate, in the global order (lot
 * id), and read the claimed lines' reservations (stable: every change to them holds the order
 * lock, which statement 1 took). Shelf life counts from the day the units shipped (the
 * fulfilment's created_at), not from when a late delivery happens to be processed.
 */
async function lockCandidates(
  sql: Db,
  shopId: number,
  f: FulfilmentInput,
  head: FulfilmentHead,
  variants: bigint[],
  lines: readonly ClaimedLine[],
  now: Date,
): Promise<{ candidates: Map<bigint, CandidateLot[]>; held: HeldRow[] }> {
  const candidates = new Map<bigint, CandidateLot[]>();
  const held: HeldRow[] = [];
  if (variants.length === 0) return { candidates, held };
  const locked = await sql.query<
    ShippableBalanceRow & { kind: "lot" | "held"; line_item_id: bigint | null; location_id: bigint | null; source: ReservationSource | null }
  >(
    `with c as (
       ${SHIPPABLE_BALANCES_SQL}
       for update of b
     )
     select 'lot' as kind, c.lot_id, c.variant_id, c.quantity, c.reserved, c.shelf_date, c.received_at, c.lot_number,
            null::bigint as line_item_id, null::bigint as location_id, null::text as source
     from c
     union all
     select 'held', r.lot_id, r.variant_id, r.quantity, 0, null, null, null, r.line_item_id, r.location_id, r.source::text
     from lot_reservations r where r.shop_id = $1 and r.line_item_id = any($5::bigint[])`,
    [
      shopId,
      f.locationId!.toString(),
      variants.map(String),
      earliestAcceptableShelfDate(dayIn(head.iana_timezone, f.createdAt ?? now), head.min_shelf_life_days),
      lines.map((l) => l.lineItemId.toString()),
    ],
  );
  for (const row of locked.rows) {
    if (row.kind === "held") {
      held.push({
        lineItemId: row.line_item_id!,
        variantId: row.variant_id,
        lotId: row.lot_id,
        locationId: row.location_id!,
        quantity: row.quantity,
        source: row.source!,
      });
      continue;
    }
    const list = candidates.get(row.variant_id) ?? [];
    list.push({
      lotId: row.lot_id,
      quantity: row.quantity,
      reserved: row.reserved,
      shelfDate: row.shelf_date,
      receivedAt: row.received_at,
      lotNumber: row.lot_number,
    });
    candidates.set(row.variant_id, list);
  }
  return { candidates, held };
}

/**
 * What the shipped units do to the lines' reservations: those taken from the line's own
 * reservation here are consumed; for the rest of the shipped units (taken from another lot, or
 * shipped from another location) the line needs that much less, so as much of its remaining
 * reservations is released, the plan's before a person's, elsewhere before here.
 */
function reservationsShipped(f: FulfilmentInput, lines: readonly ClaimedLine[], held: readonly HeldRow[], plan: FulfilmentPlan): ReservationChange[] {
  if (held.length === 0) return [];
  const changes: ReservationChange[] = [];
  for (const line of lines) {
    const own = held.filter((r) => r.lineItemId === line.lineItemId).map((r) => ({ ...r }));
    if (own.length === 0) continue;
    let shippedOther = line.quantity;
    for (const c of plan.consumed.filter((c) => c.lineItemId === line.lineItemId)) {
      const r = own.find((o) => o.lotId === c.lotId && o.locationId === f.locationId)!;
      r.quantity -= c.quantity;
      shippedOther -= c.quantity;
      changes.push({ ...r, delta: -c.quantity, why: `shipped by fulfilment ${f.id}` });
    }
    const rest = own
      .filter((r) => r.quantity > 0)
      .sort(
        (a, b) => Number(b.source === "PLAN") - Number(a.source === "PLAN") || Number(a.locationId === f.locationId) - Number(b.locationId === f.locationId),
      );
    for (const r of rest) {
      if (shippedOther <= 0) break;
      const n = Math.min(r.quantity, shippedOther);
      shippedOther -= n;
      changes.push({
        ...r,
        delta: -n,
        why: r.locationId === f.locationId ? `fulfilment ${f.id} shipped another lot` : `fulfilment ${f.id} shipped from location ${f.locationId}`,
      });
    }
  }
  return changes;
}

/** Statement 4. The planned allocations and the lines' states in one statement. */
async function writeAllocations(
  sql: Db,
  shopId: number,
  f: FulfilmentInput,
  head: FulfilmentHead,
  plan: FulfilmentPlan,
  now: Date,
): Promise<{ id: bigint; line_item_id: bigint; lot_id: bigint | null }[]> {
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
      head.customer_id?.toString() ?? null,
      f.locationId?.toString() ?? null,
      (f.createdAt ?? now).toISOString(),
      plan.allocations.map((r) => r.lineItemId.toString()),
      plan.allocations.map((r) => r.variantId.toString()),
      plan.allocations.map((r) => r.lotId?.toString() ?? null),
      plan.allocations.map((r) => r.quantity),
      plan.states.map((s) => s.lineItemId.toString()),
      plan.states.map((s) => s.state),
      head.customer_key,
    ],
  );
  return inserted.rows;
}

/** Statement 5. Balances and ledger (the balances are locked by statement 3). */
async function takeUnitsFromLots(
  sql: Db,
  shopId: number,
  f: FulfilmentInput,
  plan: FulfilmentPlan,
  inserted: { id: bigint; line_item_id: bigint; lot_id: bigint | null }[],
  cause: AllocationCause,
): Promise<void> {
  if (plan.movements.length === 0) return;
  const idOf = new Map(inserted.filter((r) => r.lot_id !== null).map((r) => [`${r.line_item_id}:${r.lot_id}`, r.id]));
  const ledger: (LotMovement & { balanceAfter: number })[] = plan.movements.map((m) => ({
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

/** A refund that came before this fulfilment left returns pending: apply them now. */
async function applyReturnsThatCameFirst(sql: Db, shopId: number, claimed: ClaimedRow[], cause: AllocationCause): Promise<void> {
  const withPendingReturns = claimed.filter((r) => r.pending_return > 0).map((r) => r.line_item_id);
  if (withPendingReturns.length > 0) await applyPendingReturns(sql, shopId, withPendingReturns, cause);
}

/** Marks every line of the fulfilment REVERSED (seen or not) and puts allocated units back. */
async function reverseFulfilment(sql: Db, shopId: number, fulfilmentId: bigint, lines: LineArrays, cause: AllocationCause): Promise<number> {
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
    [shopId, fulfilmentId.toString(), ...lines],
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
