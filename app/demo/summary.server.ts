// The figures the demo prints at the end, read from the database the app wrote (nothing is
// computed by the demo itself).
import type { Db } from "../lib/sql.server";
import { shopTodaySql } from "../domain/shops/shop-day";

export interface DemoFigures {
  webhooks: { recorded: number; processed: number; failed: number; pending: number; byTopic: Record<string, number> };
  orders: number;
  fulfilments: { success: number; cancelled: number };
  allocations: { lines: number; units: number; splitLines: number; reversed: number; unknownLotUnits: number; returnedUnits: number };
  lots: { total: number; expiringWithin30Days: number; incomplete: number; quarantined: number; recalled: number };
  openDiscrepancies: number;
  outbox: { sent: number; pending: number; failed: number };
}

export async function demoFigures(sql: Db, shopId: number, shopDomain: string): Promise<DemoFigures> {
  const one = async (text: string, params: unknown[]) => (await sql.query(text, params)).rows[0] as Record<string, number>;
  const events = await sql.query<{ topic: string; status: string; n: number }>(
    "select topic, status::text, count(*)::int as n from webhook_events where shop_domain = $1 group by 1, 2",
    [shopDomain],
  );
  const byTopic: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  for (const e of events.rows) {
    byTopic[e.topic] = (byTopic[e.topic] ?? 0) + e.n;
    byStatus[e.status] = (byStatus[e.status] ?? 0) + e.n;
  }
  const orders = await one("select count(*)::int as n from orders where shop_id = $1 and name is not null", [shopId]);
  const f = await one(
    "select count(*) filter (where status = 'success')::int as success, count(*) filter (where status = 'cancelled')::int as cancelled from fulfillments where shop_id = $1",
    [shopId],
  );
  const a = await one(
    `select count(*) filter (where status = 'ALLOCATED')::int as lines,
            coalesce(sum(quantity) filter (where status = 'ALLOCATED'), 0)::int as units,
            count(*) filter (where status = 'REVERSED')::int as reversed,
            coalesce(sum(quantity) filter (where status = 'ALLOCATED' and unknown_lot), 0)::int as unknown,
            coalesce(sum(returned_quantity), 0)::int as returned
       from allocations where shop_id = $1`,
    [shopId],
  );
  const split = await one(
    `select count(*)::int as n from (select 1 from allocations where shop_id = $1 and status = 'ALLOCATED'
      group by fulfillment_id, line_item_id having count(*) > 1) s`,
    [shopId],
  );
  const lots = await one(
    `select count(*)::int as total,
            count(*) filter (where status = 'ACTIVE' and expires_on <= ${shopTodaySql("(select iana_timezone from shops where id = $1)")} + 30)::int as expiring,
            count(*) filter (where incomplete)::int as incomplete,
            count(*) filter (where status = 'QUARANTINED')::int as quarantined,
            count(*) filter (where status = 'RECALLED')::int as recalled
       from lots where shop_id = $1`,
    [shopId],
  );
  const d = await one("select count(*)::int as n from discrepancies where shop_id = $1 and status = 'OPEN'", [shopId]);
  const o = await one(
    `select count(*) filter (where status = 'SENT')::int as sent, count(*) filter (where status = 'PENDING')::int as pending,
            count(*) filter (where status = 'FAILED')::int as failed from outbox_entries where shop_id = $1`,
    [shopId],
  );
  return {
    webhooks: {
      recorded: Object.values(byStatus).reduce((s, n) => s + n, 0),
      processed: (byStatus.PROCESSED ?? 0) + (byStatus.DEFERRED ?? 0),
      failed: byStatus.FAILED ?? 0,
      pending: byStatus.PENDING ?? 0,
      byTopic,
    },
    orders: orders.n ?? 0,
    fulfilments: { success: f.success ?? 0, cancelled: f.cancelled ?? 0 },
    allocations: {
      lines: a.lines ?? 0,
      units: a.units ?? 0,
      splitLines: split.n ?? 0,
      reversed: a.reversed ?? 0,
      unknownLotUnits: a.unknown ?? 0,
      returnedUnits: a.returned ?? 0,
    },
    lots: {
      total: lots.total ?? 0,
      expiringWithin30Days: lots.expiring ?? 0,
      incomplete: lots.incomplete ?? 0,
      quarantined: lots.quarantined ?? 0,
      recalled: lots.recalled ?? 0,
    },
    openDiscrepancies: d.n ?? 0,
    outbox: { sent: o.sent ?? 0, pending: o.pending ?? 0, failed: o.failed ?? 0 },
  };
}
