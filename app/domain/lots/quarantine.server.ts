// Quarantine and release. A quarantined balance is never allocated automatically; in Shopify its
// units move from `available` to `quality_control` (inventoryMoveQuantities through the outbox)
// so they stop selling while still counting as on hand.
import { withTransaction, type Db } from "../../lib/sql.server";
import { moveLotUnitsWithEntries, type LedgerCause } from "../ledger/ledger.server";
import { addOutboxEntry, queueOutboxEntries } from "../sync/outbox.server";
import { lotkeeperUri, movePayload } from "../sync/inventory-changes";
import { addLotQuarantinedTrigger } from "../flow/flow-triggers.server";
import { lockLot } from "./lot-moves.server";
import { LotStateError } from "./lot-errors";
import { queueReservationReplans } from "../reservations/replan.server";

export interface QuarantineArgs {
  shopId: number;
  lotId: bigint;
  /** One location, or every location of the lot when absent (the lot's status changes too). */
  locationId?: bigint | null;
  reason: string;
  cause: LedgerCause;
  causeRef?: string | null;
}

export interface QuarantineResult {
  lotId: bigint;
  lotNumber: string;
  status: "ACTIVE" | "QUARANTINED" | "RECALLED";
  /** Balances whose state changed, with the units moved in Shopify. */
  locations: { locationId: bigint; quantity: number }[];
  /** Queue these after your transaction commits: queueOutboxEntries(outboxIds). */
  outboxIds: bigint[];
}

/**
 * Quarantines a lot (all locations, or one) inside the caller's transaction: balances flagged,
 * one QUARANTINED ledger entry per location, lot status QUARANTINED when the whole lot is
 * concerned (a RECALLED lot keeps its status), and an outbox row moving the units to
 * quality_control. Idempotent: balances already quarantined are left alone.
 */
export async function quarantineLot(sql: Db, args: QuarantineArgs): Promise<QuarantineResult> {
  return changeQuarantine(sql, args, true);
}

/**
 * Releases a quarantine (all locations, or one). Refused with LotStateError while an OPEN recall
 * covers the lot (releasing would put recalled units back on sale); once every recall covering it
 * is closed, a RECALLED lot can be released: it becomes ACTIVE, or QUARANTINED while some of its
 * locations stay quarantined.
 */
export async function releaseLot(sql: Db, args: QuarantineArgs): Promise<QuarantineResult> {
  return changeQuarantine(sql, args, false);
}

/** The OPEN recalls whose scope holds this lot, oldest first (releasing it is refused while there are any). */
export async function openRecallsCovering(sql: Db, shopId: number, lotId: bigint): Promise<{ id: bigint; reference: string }[]> {
  const r = await sql.query<{ id: bigint; reference: string }>(
    `select r.id, r.reference from recall_lots rl join recalls r on r.id = rl.recall_id and r.shop_id = rl.shop_id
      where rl.shop_id = $1 and rl.lot_id = $2 and r.status = 'OPEN' order by r.opened_at, r.id`,
    [shopId, lotId],
  );
  return r.rows;
}

async function changeQuarantine(sql: Db, args: QuarantineArgs, quarantine: boolean): Promise<QuarantineResult> {
  const lot = await lockLot(sql, args.shopId, args.lotId);
  const wasRecalled = lot.status === "RECALLED";
  if (!quarantine) {
    const open = (await openRecallsCovering(sql, args.shopId, lot.id)).map((r) => r.reference);
    if (open.length > 0) {
      const which = open.length === 1 ? `recall ${open[0]} is` : `recalls ${open.join(", ")} are`;
      throw new LotStateError(`lot ${lot.lotNumber} cannot be released: ${which} still open; close the recall first, then release the lot`);
    }
  }
  const balances = await sql.query<{ location_id: bigint; quantity: number }>(
    `select location_id, quantity from lot_balances
     where lot_id = $1 and shop_id = $2 and quarantined = $3 and ($4::bigint is null or location_id = $4)
     order by location_id for update`,
    [lot.id, args.shopId, !quarantine, args.locationId ?? null],
  );
  const locations = balances.rows.map((b) => ({ locationId: b.location_id, quantity: b.quantity }));
  let status = lot.status;
  if (!args.locationId) {
    if (quarantine && status === "ACTIVE") status = "QUARANTINED";
    if (!quarantine && (status === "QUARANTINED" || status === "RECALLED")) status = "ACTIVE";
  } else if (!quarantine && wasRecalled) {
    // One location released after the recall closed: the lot is no longer recalled, and stays
    // QUARANTINED while another location still is.
    const others = await sql.query("select 1 from lot_balances where lot_id = $1 and shop_id = $2 and quarantined and location_id <> $3 limit 1", [
      lot.id,
      args.shopId,
      args.locationId,
    ]);
    status = (others.rowCount ?? 0) > 0 ? "QUARANTINED" : "ACTIVE";
  }
  if (status !== lot.status) await sql.query('update lots set status = $2::"LotStatus", updated_at = now() where id = $1', [lot.id, status]);
  if (locations.length === 0) return { lotId: lot.id, lotNumber: lot.lotNumber, status, locations, outboxIds: [] };
  await sql.query("update lot_balances set quarantined = $3, updated_at = now() where lot_id = $1 and location_id = any($2::bigint[])", [
    lot.id,
    locations.map((l) => l.locationId.toString()),
    quarantine,
  ]);
  const moved = await moveLotUnitsWithEntries(
    sql,
    locations.map((l) => ({
      shopId: args.shopId,
      lotId: lot.id,
      locationId: l.locationId,
      delta: 0,
      kind: quarantine ? ("QUARANTINED" as const) : ("RELEASED" as const),
      cause: args.cause,
      causeRef: args.causeRef ?? null,
      reason: args.reason,
    })),
  );
  const outboxIds: bigint[] = [];
  const withUnits = locations.filter((l) => l.quantity > 0);
  if (lot.inventoryItemId && withUnits.length > 0) {
    const first = moved[0]!.ledgerEntryId;
    outboxIds.push(
      await addOutboxEntry(sql, {
        shopId: args.shopId,
        kind: "inventory.move",
        idempotencyKey: `ledger:${first}`,
        payload: movePayload({
          direction: quarantine ? "quarantine" : "release",
          referenceDocumentUri: lotkeeperUri("LedgerEntry", first),
          changes: withUnits.map((l) => ({ inventoryItemId: lot.inventoryItemId!, locationId: l.locationId, quantity: l.quantity })),
        }),
      }),
    );
  }
  // Shopify Flow "Lot quarantined" (decision 109): one trigger per quarantine event.
  if (quarantine) outboxIds.push(await addLotQuarantinedTrigger(sql, { ...args, lotNumber: lot.lotNumber, ledgerEntryId: moved[0]!.ledgerEntryId, locations }));
  return { lotId: lot.id, lotNumber: lot.lotNumber, status, locations, outboxIds };
}

/** quarantineLot in its own transaction, queueing the Shopify change after commit (CLI, admin panel). */
export async function quarantineLotNow(args: QuarantineArgs): Promise<QuarantineResult> {
  const result = await withTransaction((sql) => quarantineLot(sql, args));
  await queueOutboxEntries(result.outboxIds);
  await queueReservationReplans(args.shopId, [{ lotId: result.lotId }]); // orders holding the quarantined units
  return result;
}

/** releaseLot in its own transaction, queueing the Shopify change after commit. */
export async function releaseLotNow(args: QuarantineArgs): Promise<QuarantineResult> {
  const result = await withTransaction((sql) => releaseLot(sql, args));
  await queueOutboxEntries(result.outboxIds);
  return result;
}
