// Stock by lot for the blocks on Shopify's variant and product pages: every lot with units on
// hand, its units per location, and the units shipped on an unknown lot that wait for the
// merchant. Most urgent first: a recalled lot (must not ship), a quarantined one, then the
// earliest expiry (best-before when there is no expiry date), the oldest receipt first on a tie.
// Scoped by the caller's shop: another shop's variant or product simply has no lots here.
import { pool } from "../../db.server";
import { DISPLAY_STATUS_SQL, type DisplayStatus } from "./lot-queries.server";
import { unitSum } from "../../lib/sql.server";

export interface LotInStockBalance {
  locationId: bigint;
  locationName: string | null;
  quantity: number;
  quarantined: boolean;
}

export interface LotInStock {
  lotId: bigint;
  lotNumber: string;
  variantId: bigint;
  /** The variant's own title ("250 g"), for a product with several variants. */
  variantTitle: string | null;
  /** RECALLED / QUARANTINED as stored; EXPIRED for an active lot past its expiry date. */
  status: DisplayStatus;
  /** Auto-created by reconciliation: the merchant still has to complete its details. */
  incomplete: boolean;
  expiresOn: string | null;
  bestBeforeOn: string | null;
  receivedAt: Date;
  onHand: number;
  /** Locations holding units of the lot, most units first. */
  balances: LotInStockBalance[];
}

export interface LotsInStock {
  /** False when Lotkeeper has not seen the variant/product (no product webhook or sync yet). */
  known: boolean;
  /** "Product - Variant" for a variant, the product title for a product. */
  title: string | null;
  /** The variant's SKU (null for a product). */
  sku: string | null;
  /** Variants of the product Lotkeeper knows (1 for a known variant). */
  variantCount: number;
  /** False when no variant in scope is lot-tracked. */
  lotTracked: boolean;
  lots: LotInStock[];
  /** True when more lots have units than `limit` returned. */
  more: boolean;
  /** Units on hand over every lot in scope (not only the returned page). */
  onHand: number;
  /** Units shipped on an unknown lot (still out, not reversed) that wait for the merchant. */
  unknownLotUnits: number;
}

type Scope = { variantId: bigint } | { productId: bigint };

/** One variant's lots with units on hand, most urgent first (at most `limit`, default 50). */
export function listVariantLots(shopId: number, variantId: bigint, options: { limit?: number } = {}): Promise<LotsInStock> {
  return listLotsInStock(shopId, { variantId }, options);
}

/** The lots of every variant of a product with units on hand, most urgent first. */
export function listProductLots(shopId: number, productId: bigint, options: { limit?: number } = {}): Promise<LotsInStock> {
  return listLotsInStock(shopId, { productId }, options);
}

async function listLotsInStock(shopId: number, scope: Scope, options: { limit?: number }): Promise<LotsInStock> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const db = pool();
  const byVariant = "variantId" in scope;
  const id = byVariant ? scope.variantId : scope.productId;
  // The variants in scope, as a subquery on the (shop_id, product_id) index for a product.
  const variantsInScope = byVariant ? "select $2::bigint" : "select id from variants where shop_id = $1 and product_id = $2";
  const [variants, lots, totals] = await Promise.all([
    db.query<{ sku: string | null; title: string | null; product_title: string | null; lot_tracked: boolean }>(
      `select sku, title, product_title, lot_tracked from variants where shop_id = $1 and ${byVariant ? "id" : "product_id"} = $2 order by id`,
      [shopId, id],
    ),
    db.query<{
      id: bigint;
      lot_number: string;
      variant_id: bigint;
      variant_title: string | null;
      status: DisplayStatus;
      incomplete: boolean;
      expires_on: string | null;
      best_before_on: string | null;
      received_at: Date;
      on_hand: bigint;
      balances: { locationId: string; locationName: string | null; quantity: number; quarantined: boolean }[];
    }>(
      `select l.id, l.lot_number, l.variant_id, v.title as variant_title,
              ${DISPLAY_STATUS_SQL} as status,
              l.incomplete, l.expires_on, l.best_before_on, l.received_at, s.on_hand, s.balances
       from lots l
       left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
       join lateral (
         select coalesce(sum(b.quantity), 0)::bigint as on_hand,
                coalesce(json_agg(json_build_object('locationId', b.location_id::text, 'locationName', loc.name,
                                                    'quantity', b.quantity, 'quarantined', b.quarantined)
                                  order by b.quantity desc, b.location_id) filter (where b.quantity > 0), '[]') as balances
         from lot_balances b left join locations loc on loc.shop_id = b.shop_id and loc.id = b.location_id
         where b.lot_id = l.id and b.shop_id = l.shop_id
       ) s on true
       where l.shop_id = $1 and l.variant_id in (${variantsInScope}) and s.on_hand > 0
       order by (l.status = 'RECALLED') desc, (l.status = 'QUARANTINED') desc, coalesce(l.expires_on, l.best_before_on) nulls last,
                l.received_at, l.id
       limit $3`,
      [shopId, id, limit + 1],
    ),
    db.query<{ on_hand: bigint; unknown_lot_units: bigint }>(
      `select coalesce((select sum(quantity) from lot_balances where shop_id = $1 and variant_id in (${variantsInScope})), 0)::bigint as on_hand,
              coalesce((select sum(quantity - returned_quantity) from allocations
                        where shop_id = $1 and variant_id in (${variantsInScope}) and unknown_lot and status = 'ALLOCATED'), 0)::bigint as unknown_lot_units`,
      [shopId, id],
    ),
  ]);
  const first = variants.rows[0];
  const variantTitle = first ? [first.product_title, first.title].filter(Boolean).join(" - ") || null : null;
  return {
    known: first !== undefined,
    title: byVariant ? variantTitle : (first?.product_title ?? null),
    sku: byVariant ? (first?.sku ?? null) : null,
    variantCount: variants.rows.length,
    lotTracked: variants.rows.length === 0 || variants.rows.some((v) => v.lot_tracked),
    lots: lots.rows.slice(0, limit).map((r) => ({
      lotId: r.id,
      lotNumber: r.lot_number,
      variantId: r.variant_id,
      variantTitle: r.variant_title,
      status: r.status,
      incomplete: r.incomplete,
      expiresOn: r.expires_on,
      bestBeforeOn: r.best_before_on,
      receivedAt: r.received_at,
      onHand: unitSum(r.on_hand),
      balances: r.balances.map((b) => ({ locationId: BigInt(b.locationId), locationName: b.locationName, quantity: b.quantity, quarantined: b.quarantined })),
    })),
    more: lots.rows.length > limit,
    onHand: unitSum(totals.rows[0]?.on_hand),
    unknownLotUnits: unitSum(totals.rows[0]?.unknown_lot_units),
  };
}
