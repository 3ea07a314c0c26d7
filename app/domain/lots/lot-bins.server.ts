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
  bin: string;
}

export interface SetBinCause {
  cause: LedgerCause;
  causeRef?: string | null;
}

export interface SetBinResult {
  lotId: bigint;
  locationId: bigint;
  /** The bin before (null: none). */
  previous: string | null;
  bin: string;
  quantity: number;
  /** The BIN_MOVED entry; null when the bin was already this one (nothing written). */
  ledgerEntryId: bigint | null;
}

/**
 * Puts a lot's balance at a location in a bin, inside the caller's transaction. The balance must
 * exist in this shop (LotNotFoundError otherwise: a bin holds units that were received there).
 * Setting the bin it already has writes nothing.
 */
export async function setLotBin(sql: Db, shopId: number, input: SetBinInput, cause: SetBinCause): Promise<SetBinResult> {
  const problems: FieldProblem[] = [];
  const locationId = parseShopifyId(input.locationId, "Location");
  if (typeof locationId === "string") problems.push({ field: "location", message: locationId });
  const normal = normaliseBin(input.bin);
  if (normal.bin === null) problems.push({ field: "bin", message: normal.problem });
  if (problems.length > 0) throw new LotValidationError(problems);
  const lotId = lotIdOf(input.lotId);
  const key = { lotId, locationId: locationId as bigint };
  const bin = normal.bin!;

  // Same lock order as every balance writer (ledger.server.ts), so a concurrent allocation queues.
  const locked = await lockLotBalances(sql, shopId, [key]);
  const quantity = locked.get(`${lotId}:${key.locationId}`);
  if (quantity === undefined) throw new LotNotFoundError(`lot ${lotId} has no balance at location ${key.locationId} in this shop`);
  const current = await sql.query<{ bin: string | null }>("select bin from lot_balances where lot_id = $1 and location_id = $2 and shop_id = $3", [
    lotId,
    key.locationId,
    shopId,
  ]);
  const previous = current.rows[0]!.bin;
  if (previous === bin) return { ...key, previous, bin, quantity, ledgerEntryId: null };

  await sql.query("update lot_balances set bin = $4, updated_at = now() where lot_id = $1 and location_id = $2 and shop_id = $3", [
    lotId,
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
      reason: `bin ${previous ?? "(none)"} -> ${bin}`,
      balanceAfter: quantity,
    },
  ]);
  return { ...key, previous, bin, quantity, ledgerEntryId: ledgerEntryId! };
}

/** setLotBin in its own transaction (CLI, admin panel). */
export async function setLotBinNow(shopId: number, input: SetBinInput, cause: SetBinCause): Promise<SetBinResult> {
  return withTransaction((sql) => setLotBin(sql, shopId, input, cause));
}
