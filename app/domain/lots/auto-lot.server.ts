// Automatic lot numbers from the shop's pattern (shops.auto_lot_pattern, e.g.
// "{YYYYMMDD}-{PO}-{SEQ}"). The sequence lives in auto_lot_counters, one row per rendered prefix,
// incremented with an upsert: the row lock it takes serialises concurrent receipts of the same
// prefix until commit, so two receipts never get the same number. A number a merchant already
// used by hand is skipped.
import type { Db } from "../../lib/sql.server";
import { applySequence, checkAutoLotPattern, renderAutoLotPrefix, type AutoLotContext } from "./lot-rules";
import { LotValidationError } from "./lot-errors";
import { dayIn } from "../shops/shop-day";

export const DEFAULT_AUTO_LOT_PATTERN = "{YYYYMMDD}-{PO}-{SEQ}";

/** The next free number for a receipt at `receipt.at`, dated in the shop's day. */
export async function nextAutoLotNumber(sql: Db, shopId: number, receipt: Omit<AutoLotContext, "day"> & { at: Date }): Promise<string> {
  const shop = await sql.query<{ auto_lot_pattern: string; iana_timezone: string | null }>("select auto_lot_pattern, iana_timezone from shops where id = $1", [
    shopId,
  ]);
  let pattern = shop.rows[0]?.auto_lot_pattern ?? DEFAULT_AUTO_LOT_PATTERN;
  if (checkAutoLotPattern(pattern).length > 0) pattern = DEFAULT_AUTO_LOT_PATTERN; // a bad setting must not block receiving
  const prefix = renderAutoLotPrefix(pattern, { purchaseOrder: receipt.purchaseOrder, sku: receipt.sku, day: dayIn(shop.rows[0]?.iana_timezone, receipt.at) });
  for (let attempt = 0; attempt < 1000; attempt++) {
    const counter = await sql.query<{ value: number }>(
      `insert into auto_lot_counters (shop_id, key, value) values ($1, $2, 1)
       on conflict (shop_id, key) do update set value = auto_lot_counters.value + 1 returning value`,
      [shopId, prefix],
    );
    const candidate = applySequence(prefix, counter.rows[0]!.value);
    if (candidate.length > 64)
      throw new LotValidationError([{ field: "lot", message: `the automatic lot number "${candidate}" is longer than 64 characters; shorten the pattern` }]);
    const taken = await sql.query("select 1 from lots where shop_id = $1 and lot_number = $2 limit 1", [shopId, candidate]);
    if (!taken.rowCount) return candidate;
  }
  throw new Error(`no free automatic lot number for prefix ${prefix} after 1000 tries`);
}
