// Step "quarantine" (a shop's choice, off by default: Settings, `expiry settings --quarantine on`):
// the units of expired lots still available move to `quality_control` in Shopify, through the
// outbox as any quarantine does (app/domain/lots/quarantine.server.ts), so they stop selling
// online and at the POS while still counting as on hand. The lot becomes QUARANTINED with the
// reason "expired on <date>". Idempotent: a balance already quarantined is left alone. A product
// the merchant exempted (`expiry settings --product <id> --automation off`) is left as it is.
import { quarantineLot } from "../lots/quarantine.server";
import type { ExpiryStep } from "./expiry-step";

export const quarantineStep: ExpiryStep = {
  name: "quarantine",
  async run(ctx) {
    const shop = await ctx.sql.query<{ expiry_quarantine: boolean }>("select expiry_quarantine from shops where id = $1", [ctx.shopId]);
    if (!shop.rows[0]?.expiry_quarantine) return { enabled: false, count: 0, units: 0, lots: [] };
    const due = await ctx.sql.query<{ lot_id: bigint; lot_number: string; expires_on: string; units: number }>(
      `select l.id as lot_id, l.lot_number, to_char(l.expires_on, 'YYYY-MM-DD') as expires_on, sum(b.quantity)::int as units
         from lots l join lot_balances b on b.lot_id = l.id and b.shop_id = l.shop_id
         left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
        where l.shop_id = $1 and l.status = 'ACTIVE' and l.expires_on < $2::date and not b.quarantined and b.quantity > 0
          and coalesce(v.expiry_automation, true)
        group by l.id order by l.expires_on, l.id`,
      [ctx.shopId, ctx.day],
    );
    const lots = due.rows.map((r) => ({ lotId: r.lot_id.toString(), lotNumber: r.lot_number, expiresOn: r.expires_on, units: r.units }));
    if (!ctx.dryRun) {
      for (const lot of due.rows) {
        const done = await quarantineLot(ctx.sql, {
          shopId: ctx.shopId,
          lotId: lot.lot_id,
          reason: `expired on ${lot.expires_on}`,
          cause: "JOB",
          causeRef: `expiry ${ctx.day}`,
        });
        ctx.queueAfterCommit(done.outboxIds);
      }
    }
    return { enabled: true, count: lots.length, units: lots.reduce((n, l) => n + l.units, 0), lots };
  },
};
