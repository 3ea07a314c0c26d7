// "What needs attention now", for the admin home page: one indexed query per item, all scoped to
// the shop. Counts plus the first few rows so the merchant can act from the page.
import type { Sql } from "../../lib/sql.server";

export const EXPIRY_WINDOW_DAYS = 30;

export interface AttentionLot {
  lotId: bigint;
  lotNumber: string;
  product: string;
  expiresOn: string | null;
  status: string;
  onHand: number;
}

export interface Attention {
  expiringSoon: { count: number; lots: AttentionLot[] };
  quarantinedOrRecalled: { count: number; lots: AttentionLot[] };
  unknownLotUnits: { units: number; allocations: number };
  openDiscrepancies: number;
  failedWebhooks: number;
  openRecalls: { count: number; recalls: { id: bigint; reference: string; reason: string; openedAt: Date }[] };
  pendingSync: number;
  incompleteLots: number;
}

const LIST = 5;

export async function attentionFor(sql: Pick<Sql, "query">, shopId: number, shopDomain: string, today = new Date()): Promise<Attention> {
  const day = today.toISOString().slice(0, 10);
  const lotColumns = `l.id, l.lot_number, coalesce(v.product_title || coalesce(' - ' || nullif(v.title, 'Default Title'), ''), v.sku, 'Variant ' || l.variant_id) as product,
      l.expires_on, l.status::text as status, coalesce((select sum(b.quantity) from lot_balances b where b.lot_id = l.id), 0)::int as on_hand`;
  const [expiring, expiringCount, held, heldCount, unknown, discrepancies, failed, recalls, recallCount, pending, incomplete] = await Promise.all([
    sql.query(
      `select ${lotColumns} from lots l left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
        where l.shop_id = $1 and l.status = 'ACTIVE' and l.expires_on <= $2::date + $3::int
          and exists (select 1 from lot_balances b where b.lot_id = l.id and b.quantity > 0)
        order by l.expires_on, l.id limit ${LIST}`,
      [shopId, day, EXPIRY_WINDOW_DAYS],
    ),
    sql.query(
      `select count(*)::int as n from lots l where l.shop_id = $1 and l.status = 'ACTIVE' and l.expires_on <= $2::date + $3::int
          and exists (select 1 from lot_balances b where b.lot_id = l.id and b.quantity > 0)`,
      [shopId, day, EXPIRY_WINDOW_DAYS],
    ),
    sql.query(
      `select ${lotColumns} from lots l left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
        where l.shop_id = $1 and l.status in ('QUARANTINED', 'RECALLED') order by l.updated_at desc, l.id limit ${LIST}`,
      [shopId],
    ),
    sql.query(`select count(*)::int as n from lots where shop_id = $1 and status in ('QUARANTINED', 'RECALLED')`, [shopId]),
    sql.query(
      `select coalesce(sum(quantity - returned_quantity), 0)::int as units, count(*)::int as n from allocations
        where shop_id = $1 and unknown_lot and status = 'ALLOCATED'`,
      [shopId],
    ),
    sql.query(`select count(*)::int as n from discrepancies where shop_id = $1 and status = 'OPEN'`, [shopId]),
    sql.query(`select count(*)::int as n from webhook_events where shop_domain = $1 and status = 'FAILED'`, [shopDomain]),
    sql.query(`select id, reference, reason, opened_at from recalls where shop_id = $1 and status = 'OPEN' order by opened_at desc limit ${LIST}`, [shopId]),
    sql.query(`select count(*)::int as n from recalls where shop_id = $1 and status = 'OPEN'`, [shopId]),
    sql.query(`select count(*)::int as n from outbox_entries where shop_id = $1 and status <> 'SENT'`, [shopId]),
    sql.query(`select count(*)::int as n from lots where shop_id = $1 and incomplete`, [shopId]),
  ]);
  const lots = (rows: Record<string, unknown>[]): AttentionLot[] =>
    rows.map((r) => ({
      lotId: r.id as bigint,
      lotNumber: r.lot_number as string,
      product: r.product as string,
      expiresOn: (r.expires_on as string | null) ?? null,
      status: r.status as string,
      onHand: r.on_hand as number,
    }));
  const n = (result: { rows: Record<string, unknown>[] }) => Number(result.rows[0]?.n ?? 0);
  return {
    expiringSoon: { count: n(expiringCount), lots: lots(expiring.rows) },
    quarantinedOrRecalled: { count: n(heldCount), lots: lots(held.rows) },
    unknownLotUnits: { units: Number(unknown.rows[0]?.units ?? 0), allocations: n(unknown) },
    openDiscrepancies: n(discrepancies),
    failedWebhooks: n(failed),
    openRecalls: {
      count: n(recallCount),
      recalls: recalls.rows.map((r) => ({ id: r.id as bigint, reference: r.reference as string, reason: r.reason as string, openedAt: r.opened_at as Date })),
    },
    pendingSync: n(pending),
    incompleteLots: n(incomplete),
  };
}
