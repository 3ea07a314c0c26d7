// One variant's stock by lot, for the block on Shopify's variant page: every lot with units on
// hand, its units per location, and the units shipped on an unknown lot that wait for the
// merchant. Most urgent first: a recalled lot (must not ship), a quarantined one, then the
// earliest expiry (best-before when there is no expiry date), the oldest receipt first on a tie.
// Scoped by the caller's shop: another shop's variant simply has no lots here.
import { pool } from "../../db.server";
import type { DisplayStatus } from "./lot-queries.server";

export interface VariantLotBalance {
  locationId: bigint;
  locationName: string | null;
  quantity: number;
  quarantined: boolean;
}

export interface VariantLot {
  lotId: bigint;
  lotNumber: string;
  /** RECALLED / QUARANTINED as stored; EXPIRED for an active lot past its expiry date. */
  status: DisplayStatus;
  /** Auto-created by reconciliation: the merchant still has to complete its details. */
  incomplete: boolean;
  expiresOn: string | null;
  bestBeforeOn: string | null;
  receivedAt: Date;
  onHand: number;
  /** Locations holding units of the lot, most units first. */
  balances: VariantLotBalance[];
}

export interface VariantLots {
  variantId: bigint;
  /** False when Lotkeeper has not seen the variant (no product webhook or sync yet). */
  known: boolean;
  sku: string | null;
  title: string | null;
  lotTracked: boolean;
  lots: VariantLot[];
  /** True when more lots have units than `limit` returned. */
  more: boolean;
  /** Units on hand over every lot of the variant (not only the returned page). */
  onHand: number;
  /** Units shipped on an unknown lot (still out, not reversed) that wait for the merchant. */
  unknownLotUnits: number;
}

/** The variant's lots with units on hand, most urgent first (at most `limit`, default 50). */
export async function listVariantLots(shopId: number, variantId: bigint, options: { limit?: number } = {}): Promise<VariantLots> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const db = pool();
  const [variant, lots, totals] = await Promise.all([
    db.query<{ sku: string | null; title: string | null; lot_tracked: boolean }>(
      `select sku, coalesce(product_title || ' - ' || title, product_title, title) as title, lot_tracked
       from variants where shop_id = $1 and id = $2`,
      [shopId, variantId],
    ),
    db.query<{
      id: bigint;
      lot_number: string;
      status: DisplayStatus;
      incomplete: boolean;
      expires_on: string | null;
      best_before_on: string | null;
      received_at: Date;
      on_hand: number;
      balances: { locationId: string; locationName: string | null; quantity: number; quarantined: boolean }[];
    }>(
      `select l.id, l.lot_number,
              case when l.status = 'ACTIVE' and l.expires_on < current_date then 'EXPIRED' else l.status::text end as status,
              l.incomplete, l.expires_on, l.best_before_on, l.received_at, s.on_hand, s.balances
       from lots l
       join lateral (
         select coalesce(sum(b.quantity), 0)::int as on_hand,
                coalesce(json_agg(json_build_object('locationId', b.location_id::text, 'locationName', loc.name,
                                                    'quantity', b.quantity, 'quarantined', b.quarantined)
                                  order by b.quantity desc, b.location_id) filter (where b.quantity > 0), '[]') as balances
         from lot_balances b left join locations loc on loc.shop_id = b.shop_id and loc.id = b.location_id
         where b.lot_id = l.id and b.shop_id = l.shop_id
       ) s on true
       where l.shop_id = $1 and l.variant_id = $2 and s.on_hand > 0
       order by (l.status = 'RECALLED') desc, (l.status = 'QUARANTINED') desc, coalesce(l.expires_on, l.best_before_on) nulls last,
                l.received_at, l.id
       limit $3`,
      [shopId, variantId, limit + 1],
    ),
    db.query<{ on_hand: number; unknown_lot_units: number }>(
      `select coalesce((select sum(quantity) from lot_balances where shop_id = $1 and variant_id = $2), 0)::int as on_hand,
              coalesce((select sum(quantity - returned_quantity) from allocations
                        where shop_id = $1 and variant_id = $2 and unknown_lot and status = 'ALLOCATED'), 0)::int as unknown_lot_units`,
      [shopId, variantId],
    ),
  ]);
  const v = variant.rows[0];
  return {
    variantId,
    known: v !== undefined,
    sku: v?.sku ?? null,
    title: v?.title ?? null,
    lotTracked: v?.lot_tracked ?? true,
    lots: lots.rows.slice(0, limit).map((r) => ({
      lotId: r.id,
      lotNumber: r.lot_number,
      status: r.status,
      incomplete: r.incomplete,
      expiresOn: r.expires_on,
      bestBeforeOn: r.best_before_on,
      receivedAt: r.received_at,
      onHand: r.on_hand,
      balances: r.balances.map((b) => ({ locationId: BigInt(b.locationId), locationName: b.locationName, quantity: b.quantity, quarantined: b.quarantined })),
    })),
    more: lots.rows.length > limit,
    onHand: totals.rows[0]?.on_hand ?? 0,
    unknownLotUnits: totals.rows[0]?.unknown_lot_units ?? 0,
  };
}
