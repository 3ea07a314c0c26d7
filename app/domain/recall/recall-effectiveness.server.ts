// A recall's effectiveness (docs/decisions/106-mass-balance-and-drills.md): the FDA
// effectiveness-check level the merchant chose, stored on the recall, and how far the case has
// come against it: customers reached (contact status) and shipped units accounted for.
import { withTransaction, type Db } from "../../lib/sql.server";
import { RecallClosedError, RecallNotFoundError } from "./errors";
import { effectivenessOf, type Effectiveness, type EffectivenessChoice, type EffectivenessLevel } from "./effectiveness-rules";

/**
 * Effectiveness of the case from its scope lots and contact counts (getRecall has both), in one
 * statement: the chosen level, and the shipped units of the scope with what became of them.
 */
export async function recallEffectiveness(
  db: Db,
  shopId: number,
  recallId: bigint,
  lotIds: bigint[],
  contacts: { customers: number; toContact: number },
): Promise<Effectiveness> {
  const r = await db.query<{
    level: EffectivenessLevel | null;
    percent: number | null;
    shipped: number;
    returned: number;
    destroyed: number;
    acknowledged: number;
  }>(
    `select r.effectiveness_level as level, r.effectiveness_percent as percent,
            coalesce(sum(a.quantity), 0)::int as shipped,
            coalesce(sum(a.returned_quantity), 0)::int as returned,
            coalesce(sum(a.quantity - a.returned_quantity) filter (where rc.status = 'DESTROYED'), 0)::int as destroyed,
            coalesce(sum(a.quantity - a.returned_quantity) filter (where rc.status = 'RETURNED'), 0)::int as acknowledged
       from recalls r
       left join allocations a on a.shop_id = r.shop_id and a.lot_id = any($3::bigint[]) and a.status = 'ALLOCATED'
       left join recall_customers rc on rc.shop_id = r.shop_id and rc.recall_id = r.id and rc.customer_key = a.customer_key
      where r.shop_id = $1 and r.id = $2
      group by r.id`,
    [shopId, recallId, lotIds],
  );
  const row = r.rows[0];
  if (!row) throw new RecallNotFoundError(recallId.toString());
  const choice: EffectivenessChoice | null = row.level ? { level: row.level, percent: row.percent } : null;
  return effectivenessOf(choice, contacts, { shipped: row.shipped, returned: row.returned, destroyed: row.destroyed, acknowledged: row.acknowledged });
}

/** Records the effectiveness-check level the merchant chose (parseEffectivenessChoice validates it). Refused on a closed case. */
export async function setRecallEffectivenessLevel(shopId: number, recallId: bigint, choice: EffectivenessChoice): Promise<void> {
  await withTransaction(async (sql) => {
    const recall = await sql.query<{ status: string }>(`select status from recalls where shop_id = $1 and id = $2 for update`, [shopId, recallId]);
    if (!recall.rows[0]) throw new RecallNotFoundError(recallId.toString());
    if (recall.rows[0].status === "CLOSED") throw new RecallClosedError(recallId.toString());
    await sql.query(`update recalls set effectiveness_level = $3::"EffectivenessLevel", effectiveness_percent = $4 where shop_id = $1 and id = $2`, [
      shopId,
      recallId,
      choice.level,
      choice.percent,
    ]);
  });
}
