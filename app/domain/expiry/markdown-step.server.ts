// Step "markdowns" (off until the shop sets markdown rules: Settings, `expiry settings --markdowns
// "14:20, 5:40"`): each variant whose earliest-expiring sellable lot (active, not quarantined,
// units on hand, not expired) is within a rule's days gets that percentage off as an automatic
// discount in Shopify; when that lot is sold out, expired, quarantined or recalled, or the rules
// change, the markdown changes or goes. A product the merchant exempted (`--automation off`) gets none. Only changes are sent (markdowns keeps what is wanted;
// markdown-sync.server.ts makes Shopify match). Decision 113.
import type { ExpiryStep } from "./expiry-step";
import { markdownPercent, parseMarkdownRules } from "./markdown-rules";
import { addMarkdownSync } from "./markdown-sync.server";

interface Wanted {
  variant_id: bigint;
  lot_id: bigint | null;
  lot_number: string | null;
  product: string | null;
  days_left: number | null;
  current: number | null;
  current_lot: bigint | null;
}

export const markdownStep: ExpiryStep = {
  name: "markdowns",
  async run(ctx) {
    const shop = await ctx.sql.query<{ markdown_rules: string }>("select markdown_rules from shops where id = $1", [ctx.shopId]);
    const rules = parseMarkdownRules(shop.rows[0]?.markdown_rules ?? "");
    if (rules.length === 0) {
      const live = await ctx.sql.query("select 1 from markdowns where shop_id = $1 and percent > 0 limit 1", [ctx.shopId]);
      if (!live.rowCount) return { enabled: false, count: 0, changes: [] };
    }
    // Every variant with a sellable dated lot or a markdown now: its earliest such lot and its markdown.
    const r = await ctx.sql.query<Wanted>(
      `with earliest as (
         select distinct on (l.variant_id) l.variant_id, l.id as lot_id, l.lot_number, (l.expires_on - $2::date) as days_left
           from lots l join lot_balances b on b.lot_id = l.id and b.shop_id = l.shop_id
           join variants v on v.shop_id = l.shop_id and v.id = l.variant_id and v.expiry_automation
          where l.shop_id = $1 and l.status = 'ACTIVE' and l.expires_on >= $2::date and b.quantity > 0 and not b.quarantined
          order by l.variant_id, l.expires_on, l.id
       )
       select coalesce(e.variant_id, m.variant_id) as variant_id, e.lot_id, e.lot_number, e.days_left, m.percent as current, m.lot_id as current_lot,
              (select coalesce(v.product_title || coalesce(' - ' || nullif(v.title, 'Default Title'), ''), v.sku) from variants v
                where v.shop_id = $1 and v.id = coalesce(e.variant_id, m.variant_id)) as product
         from earliest e full join (select * from markdowns where shop_id = $1) m on m.variant_id = e.variant_id
        order by 1`,
      [ctx.shopId, ctx.day],
    );
    const changes = r.rows
      .map((row) => {
        const percent = row.days_left === null ? 0 : markdownPercent(rules, row.days_left);
        const lotId = percent > 0 ? row.lot_id : null;
        return { row, percent, lotId };
      })
      .filter(({ row, percent, lotId }) => percent !== (row.current ?? 0) || (percent > 0 && lotId !== row.current_lot));
    if (!ctx.dryRun) {
      for (const { row, percent, lotId } of changes) {
        await ctx.sql.query(
          `insert into markdowns (shop_id, variant_id, lot_id, percent) values ($1, $2, $3, $4)
           on conflict (shop_id, variant_id) do update set lot_id = excluded.lot_id, percent = excluded.percent, updated_at = now()`,
          [ctx.shopId, row.variant_id, lotId, percent],
        );
        ctx.queueAfterCommit([await addMarkdownSync(ctx.sql, ctx.shopId, row.variant_id, `${ctx.day}:${percent}:${lotId ?? "none"}`)]);
      }
    }
    return {
      enabled: rules.length > 0,
      count: changes.length,
      changes: changes.map(({ row, percent }) => ({
        variantId: row.variant_id.toString(),
        product: row.product,
        lotNumber: percent > 0 ? row.lot_number : null,
        daysLeft: percent > 0 ? row.days_left : null,
        from: row.current ?? 0,
        to: percent,
      })),
    };
  },
};
