// Bins: where a lot's units sit at a location (one bin per lot balance). Moving them to another
// bin changes no quantity and nothing in Shopify (it has no bins); the ledger keeps a BIN_MOVED
// row (delta 0) so a trace shows where the units were put, and the pick list sorts by the bin.
import { withTransaction, type Db } from "../../lib/sql.server";
import { appendLedger, lockLotBalances, type LedgerCause } from "../ledger/ledger.server";
import { LotNotFoundError, LotValidationError, type FieldProblem } from "./lot-errors";
import { lotIdOf, normaliseBin, parseShopifyId } from "./lot-rules";

export interface SetBinInput {
  lotId: bigint | string;
  locationId: bigint | string | number;
  /** The bin code; null takes the units out of any bin ("clear"). */
  bin: string | null;
}

export interface SetBinCause {
  cause: LedgerCause;
  causeRef?: string | null;
}

export interface BinChange {
  /** The bin before (null: none). */
  previous: string | null;
  /** The bin now (null: none). */
  bin: string | null;
  /** The BIN_MOVED entry; null when the bin was already this one (nothing written). */
  ledgerEntryId: bigint | null;
}

export interface SetBinResult extends BinChange {
  lotId: bigint;
  locationId: bigint;
  quantity: number;
}

/**
 * Puts a lot's balance at a location in a bin, or clears it (bin null), inside the caller's
 * transaction. The balance must exist in this shop (LotNotFoundError otherwise: a bin holds units
 * that were received there). Setting the bin it already has writes nothing.
 */
export async function setLotBin(sql: Db, shopId: number, input: SetBinInput, cause: SetBinCause): Promise<SetBinResult> {
  const problems: FieldProblem[] = [];
  const locationId = parseShopifyId(input.locationId, "Location");
  if (typeof locationId === "string") problems.push({ field: "location", message: locationId });
  // Clearing is said with null, never with a blank code: a blank bin field is a mistake to report.
  let bin: string | null = null;
  if (input.bin !== null) {
    const normal = normaliseBin(input.bin);
    if (normal.bin === null) problems.push({ field: "bin", message: normal.problem });
    bin = normal.bin;
  }
  if (problems.length > 0) throw new LotValidationError(problems);
  const lotId = lotIdOf(input.lotId);
  const key = { lotId, locationId: locationId as bigint };

  // Same lock order as every balance writer (ledger.server.ts), so a concurrent allocation queues.
  const locked = await lockLotBalances(sql, shopId, [key]);
  const quantity = locked.get(`${lotId}:${key.locationId}`);
  if (quantity === undefined) throw new LotNotFoundError(`lot ${lotId} has no balance at location ${key.locationId} in this shop`);
  return { ...key, quantity, ...(await putBalanceInBin(sql, shopId, key, bin, quantity, cause)) };
}

/**
 * Writes a balance's bin and its BIN_MOVED entry when it changes. The caller holds the balance's
 * row lock (setLotBin above, or the transfer / count that just moved units there) and gives the
 * balance's quantity for the entry's balance_after.
 */
export async function putBalanceInBin(
  sql: Db,
  shopId: number,
  key: { lotId: bigint; locationId: bigint },
  bin: string | null,
  quantity: number,
  cause: SetBinCause,
): Promise<BinChange> {
  const current = await sql.query<{ bin: string | null }>("select bin from lot_balances where lot_id = $1 and location_id = $2 and shop_id = $3", [
    key.lotId,
    key.locationId,
    shopId,
  ]);
  const previous = current.rows[0]!.bin;
  if (previous === bin) return { previous, bin, ledgerEntryId: null };

  await sql.query("update lot_balances set bin = $4, updated_at = now() where lot_id = $1 and location_id = $2 and shop_id = $3", [
    key.lotId,
    key.locationId,
    shopId,
    bin,
  ]);
  const [ledgerEntryId] = await appendLedger(sql, [
    {
      shopId,
      ...key,
      delta: 0,
      kind: "BIN_MOVED",
      cause: cause.cause,
      causeRef: cause.causeRef ?? null,
      reason: `bin ${previous ?? "(none)"} -> ${bin ?? "(none)"}`,
      balanceAfter: quantity,
    },
  ]);
  return { previous, bin, ledgerEntryId: ledgerEntryId! };
}

/** setLotBin in its own transaction (CLI, admin panel). */
export async function setLotBinNow(shopId: number, input: SetBinInput, cause: SetBinCause): Promise<SetBinResult> {
  return withTransaction((sql) => setLotBin(sql, shopId, input, cause));
}
