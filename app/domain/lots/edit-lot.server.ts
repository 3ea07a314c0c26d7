// Editing a lot's attributes: completing a lot that reconciliation created (its lot number, dates,
// supplier), or correcting a typo. Quantities never change here (they move through the ledger).
// Saving an edit marks the lot complete: the merchant has reviewed it.
import { withTransaction } from "../../lib/sql.server";
import { lockLot } from "./lot-moves.server";
import { validateLotPatch, type LotPatchInput } from "./lot-rules";
import { LotConflictError, LotValidationError } from "./lot-errors";
import { queueReservationReplans } from "../reservations/replan.server";

export async function updateLot(
  shopId: number,
  lotId: bigint | string,
  input: LotPatchInput,
): Promise<{ lotId: bigint; lotNumber: string; changed: string[] }> {
  const patch = validateLotPatch(input);
  const result = await withTransaction(async (sql) => {
    const lot = await lockLot(sql, shopId, lotId);
    const current = await sql.query<{ expires_on: string | null; best_before_on: string | null; produced_on: string | null }>(
      "select expires_on::text, best_before_on::text, produced_on::text from lots where id = $1",
      [lot.id],
    );
    const merged = { ...current.rows[0]!, ...patch };
    if (merged.produced_on && merged.expires_on && merged.expires_on < merged.produced_on) {
      throw new LotValidationError([{ field: "expires", message: `${merged.expires_on} is before the production date ${merged.produced_on}` }]);
    }
    if (patch.lot_number && patch.lot_number !== lot.lotNumber) {
      const taken = await sql.query("select 1 from lots where shop_id = $1 and variant_id = $2 and lot_number = $3", [shopId, lot.variantId, patch.lot_number]);
      if (taken.rowCount) {
        throw new LotConflictError(
          `lot number "${patch.lot_number}" already exists on variant ${lot.variantId}; receive into that lot or choose another number`,
        );
      }
    }
    const columns = Object.keys(patch) as (keyof typeof patch)[];
    await sql.query(
      `update lots set ${columns.map((c, i) => `${c} = $${i + 2}`).join(", ")}${columns.length ? ", " : ""}incomplete = false, updated_at = now() where id = $1`,
      [lot.id, ...columns.map((c) => patch[c])],
    );
    return { lotId: lot.id, lotNumber: patch.lot_number ?? lot.lotNumber, changed: columns };
  });
  // A corrected date may leave the lot too short-dated for the orders holding it.
  if ("expires_on" in patch || "best_before_on" in patch) await queueReservationReplans(shopId, [{ lotId: result.lotId }]);
  return result;
}
