// The lookup behind the public recall check (decision 110): one shop's lots by GTIN and lot
// number, and the open recall that covers them. The shop is the one the app proxy signed; a lot
// of any other shop is never read, so an unknown lot and another shop's lot look the same.
import { pool } from "../../db.server";
import type { Db } from "../../lib/sql.server";
import type { PublicCheckAnswer, PublicLotKey } from "./public-check-rules";
import type { RecallSeverity } from "./recall-rules";

interface Row {
  product_title: string | null;
  reason: string | null;
  severity: RecallSeverity | null;
  opened_at: Date | null;
}

export async function checkLotPublicly(shopDomain: string, key: PublicLotKey, db: Db = pool()): Promise<PublicCheckAnswer> {
  // A lot carries the GTIN it was received with; older lots have none and are matched by their
  // variant's barcode (a GTIN-8/12/13 as entered in Shopify is that GTIN padded to 14 digits).
  // The most serious open recall wins (CLASS_I sorts first in the enum), then the newest.
  const { rows } = await db.query<Row>(
    `select v.product_title, r.reason, r.severity, r.opened_at
       from shops s
       join lots l on l.shop_id = s.id
       left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
       left join recall_lots rl on rl.shop_id = l.shop_id and rl.lot_id = l.id
       left join recalls r on r.id = rl.recall_id and r.shop_id = l.shop_id and r.status = 'OPEN'
      where s.domain = $1 and l.lot_number = $2
        and (l.gtin = $3
             or (l.gtin is null and v.barcode ~ '^([0-9]{8}|[0-9]{12,14})$' and lpad(v.barcode, 14, '0') = $3))
      order by r.severity asc nulls last, r.opened_at desc nulls last
      limit 1`,
    [shopDomain, key.lot, key.gtin],
  );
  const row = rows[0];
  if (!row) return { kind: "unknown", key };
  if (!row.severity || !row.reason || !row.opened_at) return { kind: "clear", key, product: row.product_title };
  return { kind: "recalled", key, product: row.product_title, reason: row.reason, severity: row.severity, openedOn: row.opened_at.toISOString().slice(0, 10) };
}
