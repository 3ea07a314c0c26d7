// Moving units of an existing lot: adjustment (damage, shrinkage, correction), cycle count and
// transfer between locations. Each is ledger entries through moveLotUnits plus, in the same
// transaction, an outbox row that changes Shopify by the same amount. Lots are looked up within
// the caller's shop only: an id from another shop is "not found".
import { withTransaction, type Db } from "../../lib/sql.server";
import { pool } from "../../db.server";
import { moveLotUnitsWithEntries, InsufficientStockError } from "../ledger/ledger.server";
import { addOutboxEntry, queueOutboxEntries } from "../sync/outbox.server";
import { adjustPayload, lotkeeperUri, type AdjustReason } from "../sync/inventory-changes";
import { resolveLocation } from "../catalog/catalog.server";
import { binOption, lotIdOf, parseQuantity, parseShopifyId } from "./lot-rules";
import { LOTS_WITH_VARIANTS_SQL } from "./lot-queries.server";
import { LotNotFoundError, LotValidationError, type FieldProblem } from "./lot-errors";
import type { MovementContext } from "./receive-lot.server";
import { putBalanceInBin, type BinChange } from "./lot-bins.server";
import { queueReplanIfOverReserved } from "../reservations/replan.server";

export interface LockedLot {
  id: bigint;
  shopId: number;
  variantId: bigint;
  lotNumber: string;
  status: "ACTIVE" | "QUARANTINED" | "RECALLED";
  inventoryItemId: bigint | null;
}

/** The lot, locked for update, if it belongs to the shop; LotNotFoundError otherwise. */
export async function lockLot(sql: Db, shopId: number, lotId: bigint | string | number): Promise<LockedLot> {
  const id = lotIdOf(lotId);
  const r = await sql.query<{
    id: bigint;
    shop_id: number;
    variant_id: bigint;
    lot_number: string;
    status: LockedLot["status"];
    inventory_item_id: bigint | null;
  }>(
    `select l.id, l.shop_id, l.variant_id, l.lot_number, l.status, v.inventory_item_id
     from ${LOTS_WITH_VARIANTS_SQL}
     where l.id = $1 and l.shop_id = $2 for update of l`,
    [id, shopId],
  );
  const row = r.rows[0];
  if (!row) throw new LotNotFoundError(`lot ${id} not found in this shop`);
  return { id: row.id, shopId: row.shop_id, variantId: row.variant_id, lotNumber: row.lot_number, status: row.status, inventoryItemId: row.inventory_item_id };
}

export interface BalanceRow {
  quantity: number;
  quarantined: boolean;
}

async function lockBalance(sql: Db, lotId: bigint, locationId: bigint): Promise<BalanceRow | undefined> {
  const r = await sql.query<BalanceRow>("select quantity, quarantined from lot_balances where lot_id = $1 and location_id = $2 for update", [
    lotId,
    locationId,
  ]);
  return r.rows[0];
}

function idOrProblem(value: string | number | bigint, field: string, type: string, problems: FieldProblem[]): bigint {
  const id = parseShopifyId(value, type);
  if (typeof id === "string") {
    problems.push({ field, message: id });
    return 0n;
  }
  return id;
}

const ADJUST_REASONS: AdjustReason[] = ["correction", "damaged", "shrinkage", "other", "received"];

export interface MoveResult {
  lotId: bigint;
  lotNumber: string;
  balances: { locationId: bigint; quantity: number }[];
  ledgerEntryIds: bigint[];
  outboxId: bigint | null;
  /** Present when the move named a bin: the bin change at the (destination) balance. */
  bin?: BinChange;
}

async function syncAdjust(
  sql: Db,
  lot: LockedLot,
  reason: AdjustReason,
  ledgerEntryId: bigint,
  changes: { locationId: bigint; delta: number }[],
  quarantined: boolean,
): Promise<bigint | null> {
  if (!lot.inventoryItemId || changes.every((c) => c.delta === 0)) return null;
  return addOutboxEntry(sql, {
    shopId: lot.shopId,
    kind: "inventory.adjust",
    idempotencyKey: `ledger:${ledgerEntryId}`,
    payload: adjustPayload({
      name: quarantined ? "quality_control" : "available",
      reason,
      referenceDocumentUri: lotkeeperUri("LedgerEntry", ledgerEntryId),
      changes: changes.map((c) => ({ inventoryItemId: lot.inventoryItemId!, locationId: c.locationId, delta: c.delta })),
    }),
  });
}

/** The ledger's refusal in the merchant's words: the lot by its number and what is there (the balance is locked). */
function insufficient(error: unknown, what: string, lotNumber: string, available: number): never {
  if (error instanceof InsufficientStockError)
    throw new LotValidationError([{ field: "quantity", message: `${what}: lot ${lotNumber} has ${available} at this location` }]);
  throw error;
}

/**
 * The bin a move named, put on the balance it moved units into (still locked by the move); no bin
 * named: the balance keeps its bin and the result has no `bin`. The source of a transfer keeps its
 * bin: the units left behind are still there.
 */
async function binWhereMoved(
  sql: Db,
  shopId: number,
  key: { lotId: bigint; locationId: bigint },
  bin: string | null,
  quantity: number,
  ctx: MovementContext,
): Promise<{ bin?: BinChange }> {
  if (bin === null) return {};
  return { bin: await putBalanceInBin(sql, shopId, key, bin, quantity, { cause: ctx.cause, causeRef: ctx.causeRef ?? null }) };
}

/** Adds or removes units (delta != 0) at a location with a reason Shopify understands. */
export async function adjustLot(
  shopId: number,
  args: { lotId: bigint | string; locationId: string | number | bigint; delta: string | number; reason?: string; note?: string | null; bin?: string | null },
  ctx: MovementContext = { cause: "USER" },
): Promise<MoveResult> {
  const problems: FieldProblem[] = [];
  const locationId = idOrProblem(args.locationId, "location", "Location", problems);
  const text = String(args.delta).trim();
  const delta = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(delta) || delta === 0)
    problems.push({ field: "delta", message: `"${text}" must be a non-zero whole number of units, e.g. -3 or +5` });
  const reason = (args.reason ?? "correction") as AdjustReason;
  if (!ADJUST_REASONS.includes(reason)) problems.push({ field: "reason", message: `"${args.reason}" is not one of ${ADJUST_REASONS.join(", ")}` });
  const bin = binOption(args.bin, problems);
  if (problems.length) throw new LotValidationError(problems);
  const result = await withTransaction(async (sql) => {
    const lot = await lockLot(sql, shopId, args.lotId);
    const balance = await lockBalance(sql, lot.id, locationId);
    if (!balance && delta < 0) throw new LotValidationError([{ field: "location", message: `lot ${lot.lotNumber} has no units at this location` }]);
    const moved = await moveLotUnitsWithEntries(sql, [
      {
        shopId,
        lotId: lot.id,
        locationId,
        delta,
        kind: "ADJUSTED",
        cause: ctx.cause,
        causeRef: ctx.causeRef ?? null,
        reason: [reason, args.note].filter(Boolean).join(": "),
      },
    ]).catch((e: unknown) => insufficient(e, "cannot remove that many units", lot.lotNumber, balance?.quantity ?? 0));
    const outboxId = await syncAdjust(sql, lot, reason, moved[0]!.ledgerEntryId, [{ locationId, delta }], balance?.quarantined ?? lot.status !== "ACTIVE");
    return {
      lotId: lot.id,
      lotNumber: lot.lotNumber,
      balances: [{ locationId, quantity: moved[0]!.balanceAfter }],
      ledgerEntryIds: [moved[0]!.ledgerEntryId],
      outboxId,
      ...(await binWhereMoved(sql, shopId, { lotId: lot.id, locationId }, bin, moved[0]!.balanceAfter, ctx)),
    };
  });
  await queueOutboxEntries(result.outboxId ? [result.outboxId] : []);
  if (delta < 0) await queueReplanIfOverReserved(shopId, result.lotId, locationId); // fewer units than orders hold?
  return result;
}

/** Cycle count: the counted units become the balance; the difference is recorded and sent to Shopify. */
export async function countLot(
  shopId: number,
  args: { lotId: bigint | string; locationId: string | number | bigint; counted: string | number; bin?: string | null },
  ctx: MovementContext = { cause: "USER" },
): Promise<MoveResult & { previous: number; difference: number }> {
  const problems: FieldProblem[] = [];
  const locationId = idOrProblem(args.locationId, "location", "Location", problems);
  const counted = parseQuantity(args.counted, { allowZero: true });
  if (typeof counted === "string") problems.push({ field: "counted", message: counted });
  const bin = binOption(args.bin, problems);
  if (problems.length) throw new LotValidationError(problems);
  const result = await withTransaction(async (sql) => {
    const lot = await lockLot(sql, shopId, args.lotId);
    const balance = await lockBalance(sql, lot.id, locationId);
    const previous = balance?.quantity ?? 0;
    const difference = (counted as number) - previous;
    // A count that matches is still recorded (delta 0): the ledger shows when stock was last verified.
    const moved = await moveLotUnitsWithEntries(sql, [
      {
        shopId,
        lotId: lot.id,
        locationId,
        delta: difference,
        kind: "COUNTED",
        cause: ctx.cause,
        causeRef: ctx.causeRef ?? null,
        reason: `counted ${counted as number} (was ${previous})`,
      },
    ]);
    const outboxId = await syncAdjust(
      sql,
      lot,
      "cycle_count_available",
      moved[0]!.ledgerEntryId,
      [{ locationId, delta: difference }],
      balance?.quarantined ?? lot.status !== "ACTIVE",
    );
    return {
      lotId: lot.id,
      lotNumber: lot.lotNumber,
      balances: [{ locationId, quantity: moved[0]!.balanceAfter }],
      ledgerEntryIds: [moved[0]!.ledgerEntryId],
      outboxId,
      previous,
      difference,
      ...(await binWhereMoved(sql, shopId, { lotId: lot.id, locationId }, bin, moved[0]!.balanceAfter, ctx)),
    };
  });
  await queueOutboxEntries(result.outboxId ? [result.outboxId] : []);
  if (result.difference < 0) await queueReplanIfOverReserved(shopId, result.lotId, locationId); // fewer units than orders hold?
  return result;
}

/** Moves units of a lot from one location to another (both balances, one Shopify adjustment with two changes). */
export async function transferLot(
  shopId: number,
  args: {
    lotId: bigint | string;
    fromLocationId: string | number | bigint;
    toLocationId: string | number | bigint;
    quantity: string | number;
    /** The bin the units are put in at the destination; absent: the destination balance keeps its bin. */
    toBin?: string | null;
  },
  ctx: MovementContext = { cause: "USER" },
): Promise<MoveResult> {
  const problems: FieldProblem[] = [];
  const from = idOrProblem(args.fromLocationId, "from", "Location", problems);
  const to = idOrProblem(args.toLocationId, "to", "Location", problems);
  const quantity = parseQuantity(args.quantity);
  if (typeof quantity === "string") problems.push({ field: "quantity", message: quantity });
  if (from && to && from === to) problems.push({ field: "to", message: "is the same location as --from" });
  const toBin = binOption(args.toBin, problems);
  if (problems.length) throw new LotValidationError(problems);
  // The lot must be the shop's before anything is asked of Shopify in its name.
  await withTransaction((sql) => lockLot(sql, shopId, args.lotId));
  await resolveLocation(pool(), shopId, to);
  const result = await withTransaction(async (sql) => {
    const lot = await lockLot(sql, shopId, args.lotId);
    // Lock both balances in one order (location id) so two opposite transfers cannot deadlock.
    const [first, second] = from < to ? [from, to] : [to, from];
    const b1 = await lockBalance(sql, lot.id, first);
    const b2 = await lockBalance(sql, lot.id, second);
    const source = from === first ? b1 : b2;
    if (!source) throw new LotValidationError([{ field: "from", message: `lot ${lot.lotNumber} has no units at this location` }]);
    const q = quantity as number;
    const moved = await moveLotUnitsWithEntries(sql, [
      {
        shopId,
        lotId: lot.id,
        locationId: from,
        delta: -q,
        kind: "TRANSFERRED",
        cause: ctx.cause,
        causeRef: ctx.causeRef ?? null,
        reason: `to location ${to}`,
      },
      {
        shopId,
        lotId: lot.id,
        locationId: to,
        delta: q,
        kind: "TRANSFERRED",
        cause: ctx.cause,
        causeRef: ctx.causeRef ?? null,
        reason: `from location ${from}`,
      },
    ]).catch((e: unknown) => insufficient(e, "cannot transfer that many units", lot.lotNumber, source.quantity));
    // Quarantined units stay quarantined where they arrive.
    if (source.quarantined) await sql.query("update lot_balances set quarantined = true where lot_id = $1 and location_id = $2", [lot.id, to]);
    const outboxId = await syncAdjust(
      sql,
      lot,
      "movement_updated",
      moved[0]!.ledgerEntryId,
      [
        { locationId: from, delta: -q },
        { locationId: to, delta: q },
      ],
      source.quarantined,
    );
    return {
      lotId: lot.id,
      lotNumber: lot.lotNumber,
      balances: [
        { locationId: from, quantity: moved[0]!.balanceAfter },
        { locationId: to, quantity: moved[1]!.balanceAfter },
      ],
      ledgerEntryIds: moved.map((m) => m.ledgerEntryId),
      outboxId,
      ...(await binWhereMoved(sql, shopId, { lotId: lot.id, locationId: to }, toBin, moved[1]!.balanceAfter, ctx)),
    };
  });
  await queueOutboxEntries(result.outboxId ? [result.outboxId] : []);
  await queueReplanIfOverReserved(shopId, result.lotId, from); // units left that orders hold
  return result;
}
