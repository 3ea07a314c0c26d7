// Shop settings a merchant changes in the admin panel: allocation strategy, minimum remaining
// shelf life, the automatic lot number pattern, and which products are lot-tracked (with an
// optional per-product strategy). Validated here so the panel and any other caller agree.
import type { Db } from "../../lib/sql.server";
import { earliestAcceptableShelfDate } from "../allocation/allocation-rules";
import { SettingsValidationError, STRATEGIES, type ShopSettings, type Strategy } from "./settings";
import { dayIn, type Day } from "./shop-day";

export { parseShopSettings, SettingsValidationError, STRATEGIES, type ShopSettings, type Strategy } from "./settings";

export async function shopSettings(sql: Db, shopId: number): Promise<ShopSettings> {
  const result = await sql.query<{ allocation_strategy: Strategy; min_shelf_life_days: number; auto_lot_pattern: string }>(
    "select allocation_strategy, min_shelf_life_days, auto_lot_pattern from shops where id = $1",
    [shopId],
  );
  const row = result.rows[0];
  if (!row) throw new Error(`shop ${shopId} not found`);
  return { allocationStrategy: row.allocation_strategy, minShelfLifeDays: row.min_shelf_life_days, autoLotPattern: row.auto_lot_pattern };
}

/** What choosing lots needs from the shop at `now`: its strategy, its own day, and the earliest shelf date a lot may ship with. */
export interface ShelfRule {
  strategy: Strategy;
  today: Day;
  earliestShelfDate: Day;
}

export async function shelfRule(sql: Db, shopId: number, now: Date = new Date()): Promise<ShelfRule> {
  const rule = await findShelfRule(sql, shopId, now);
  if (!rule) throw new Error(`shop ${shopId} not found`);
  return rule;
}

/** shelfRule, or null once the shop is erased. */
export async function findShelfRule(sql: Db, shopId: number, now: Date = new Date()): Promise<ShelfRule | null> {
  const result = await sql.query<{ allocation_strategy: Strategy; min_shelf_life_days: number; iana_timezone: string | null }>(
    "select allocation_strategy, min_shelf_life_days, iana_timezone from shops where id = $1",
    [shopId],
  );
  const row = result.rows[0];
  if (!row) return null;
  const today = dayIn(row.iana_timezone, now);
  return { strategy: row.allocation_strategy, today, earliestShelfDate: earliestAcceptableShelfDate(today, row.min_shelf_life_days) };
}

export async function updateShopSettings(sql: Db, shopId: number, settings: ShopSettings): Promise<void> {
  await sql.query(
    `update shops set allocation_strategy = $2::"AllocationStrategy", min_shelf_life_days = $3, auto_lot_pattern = $4, updated_at = now() where id = $1`,
    [shopId, settings.allocationStrategy, settings.minShelfLifeDays, settings.autoLotPattern],
  );
}

export interface ProductTracking {
  productId: bigint;
  productTitle: string | null;
  variants: number;
  trackedVariants: number;
  strategyOverride: Strategy | null;
}

export const PRODUCTS_PAGE_SIZE = 25;

/** Products known from Shopify (through their variants), by title, keyset-paged on (title, id). */
export async function listProductTracking(
  sql: Db,
  shopId: number,
  options: { search?: string; after?: { title: string; id: bigint } | null } = {},
): Promise<{ products: ProductTracking[]; hasNext: boolean }> {
  const search = options.search?.trim() ? `%${options.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const result = await sql.query<{ product_id: bigint; product_title: string | null; variants: string; tracked: string; strategy: Strategy | null }>(
    `select product_id, max(product_title) as product_title, count(*) as variants,
            count(*) filter (where lot_tracked) as tracked, max(strategy_override::text) as strategy
       from variants
      where shop_id = $1 and product_id is not null
        and ($2::text is null or product_title ilike $2 or sku ilike $2)
      group by product_id
     having ($3::text is null or (coalesce(max(product_title), ''), product_id) > ($3::text, $4::bigint))
      order by coalesce(max(product_title), ''), product_id
      limit $5`,
    [shopId, search, options.after?.title ?? null, options.after?.id ?? null, PRODUCTS_PAGE_SIZE + 1],
  );
  const rows = result.rows.slice(0, PRODUCTS_PAGE_SIZE);
  return {
    hasNext: result.rows.length > PRODUCTS_PAGE_SIZE,
    products: rows.map((r) => ({
      productId: r.product_id,
      productTitle: r.product_title,
      variants: Number(r.variants),
      trackedVariants: Number(r.tracked),
      strategyOverride: r.strategy,
    })),
  };
}

/** Lot tracking and the strategy override apply to every variant of the product. */
export async function setProductTracking(
  sql: Db,
  shopId: number,
  productId: bigint,
  change: { lotTracked: boolean; strategyOverride: Strategy | null },
): Promise<number> {
  if (change.strategyOverride !== null && !(STRATEGIES as readonly string[]).includes(change.strategyOverride)) {
    throw new SettingsValidationError([{ field: "strategyOverride", message: `must be one of ${STRATEGIES.join(", ")} or empty` }]);
  }
  const result = await sql.query(
    `update variants set lot_tracked = $3, strategy_override = $4::"AllocationStrategy", updated_at = now() where shop_id = $1 and product_id = $2`,
    [shopId, productId, change.lotTracked, change.strategyOverride],
  );
  return result.rowCount ?? 0;
}
