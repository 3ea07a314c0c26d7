// A shop with many inventory levels, written in a few SQL statements (the reconciliation test and
// bench/reconcile use it): `items` lot-tracked variants, each with one lot received at each of
// `locations` locations (`units` per level, one RECEIVED ledger entry each).
import type pg from "pg";

export interface LargeStore {
  shopId: number;
  variants: { id: bigint; inventoryItemId: bigint }[];
  locations: bigint[];
  units: number;
}

export async function seedLargeStore(
  db: Pick<pg.Pool, "query">,
  shopId: number,
  size: { items: number; locations: number; units?: number; idBase: bigint },
): Promise<LargeStore> {
  const units = size.units ?? 10;
  const variantBase = size.idBase;
  const itemBase = size.idBase + 10_000_000n;
  const locationBase = size.idBase + 20_000_000n;
  await db.query(`insert into locations (shop_id, id, name, active) select $1, $2::bigint + g, 'Location ' || g, true from generate_series(1, $3::int) g`, [
    shopId,
    locationBase.toString(),
    size.locations,
  ]);
  await db.query(
    `insert into variants (shop_id, id, inventory_item_id, sku, title, product_title, lot_tracked, updated_at)
     select $1, $2::bigint + g, $3::bigint + g, 'SKU-' || g, 'Default Title', 'Product ' || g, true, now() from generate_series(1, $4::int) g`,
    [shopId, variantBase.toString(), itemBase.toString(), size.items],
  );
  await db.query(
    `insert into lots (shop_id, variant_id, lot_number, updated_at) select $1, $2::bigint + g, 'L-' || g, now() from generate_series(1, $3::int) g`,
    [shopId, variantBase.toString(), size.items],
  );
  await db.query(
    `insert into lot_balances (lot_id, location_id, shop_id, variant_id, quantity, updated_at)
     select l.id, $2::bigint + g, $1, l.variant_id, $3, now() from lots l cross join generate_series(1, $4::int) g where l.shop_id = $1`,
    [shopId, locationBase.toString(), units, size.locations],
  );
  await db.query(
    `insert into ledger_entries (shop_id, lot_id, location_id, kind, delta, balance_after, cause, cause_ref)
     select $1, b.lot_id, b.location_id, 'RECEIVED', b.quantity, b.quantity, 'JOB', 'seed' from lot_balances b where b.shop_id = $1`,
    [shopId],
  );
  return {
    shopId,
    variants: Array.from({ length: size.items }, (_, i) => ({ id: variantBase + BigInt(i + 1), inventoryItemId: itemBase + BigInt(i + 1) })),
    locations: Array.from({ length: size.locations }, (_, j) => locationBase + BigInt(j + 1)),
    units,
  };
}

/** Shopify's JSONL result of BULK_ON_HAND_QUERY for these levels (an item line, then its levels with __parentId). */
export function bulkOnHandJsonl(levels: Iterable<{ inventoryItemId: bigint; locationId: bigint; onHand: number }>): string {
  const byItem = new Map<bigint, { locationId: bigint; onHand: number }[]>();
  for (const l of levels) {
    const list = byItem.get(l.inventoryItemId) ?? [];
    list.push(l);
    byItem.set(l.inventoryItemId, list);
  }
  const lines: string[] = [];
  for (const [item, list] of byItem) {
    const itemGid = `gid://shopify/InventoryItem/${item}`;
    lines.push(JSON.stringify({ id: itemGid }));
    for (const l of list) {
      lines.push(
        JSON.stringify({
          id: `gid://shopify/InventoryLevel/${item}?inventory_item_id=${item}&location_id=${l.locationId}`,
          location: { id: `gid://shopify/Location/${l.locationId}` },
          quantities: [{ name: "on_hand", quantity: l.onHand }],
          __parentId: itemGid,
        }),
      );
    }
  }
  return lines.join("\n") + (lines.length ? "\n" : "");
}
