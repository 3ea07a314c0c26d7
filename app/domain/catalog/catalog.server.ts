// The variant mapping (variant <-> inventory item <-> product, SKU, barcode, titles) and the
// locations: the one module that writes and reads the variants and locations tables.
// - Kept from products/*, inventory_items/* and locations/* webhooks. The merchant's own settings
//   on a variant (lot_tracked, strategy_override) are never touched here. A variant deleted in
//   Shopify is marked deleted_at, not removed: its lots and allocations still name it.
// - Looked up for a lot (receipt, import, move): known from those webhooks, or asked of Admin
//   GraphQL and stored on first use. An id Shopify does not know is refused.
import type { Db } from "../../lib/sql.server";
import { fetchLocation, fetchVariant, ShopifyAdminError } from "../../lib/shopify-admin.server";
import type { TopicHandler } from "../webhooks/handler";
import { findShopDomain } from "../shops/shops.server";
import { AmbiguousVariantError, ShopifyLookupError, ShopNotFoundError, UnknownLocationError, UnknownVariantError } from "../lots/lot-errors";
import { barcodeForms } from "../lots/lot-rules";
import { deletedId, inventoryItemSnapshot, locationSnapshot, productSnapshot, type ProductSnapshot } from "./catalog-payloads";

/** Upsert the product's variants unless a newer version of the product is stored; mark the variants it no longer has deleted. */
export async function recordProduct(sql: Db, shopId: number, product: ProductSnapshot): Promise<"recorded" | "stale"> {
  const newer = await sql.query("select 1 from variants where shop_id = $1 and product_id = $2 and shopify_updated_at > $3 limit 1", [
    shopId,
    product.id,
    product.updatedAt,
  ]);
  if (product.updatedAt && (newer.rowCount ?? 0) > 0) return "stale";
  const v = product.variants;
  if (v.length > 0) {
    await sql.query(
      `insert into variants (shop_id, id, product_id, inventory_item_id, sku, title, product_title, barcode, shopify_updated_at, deleted_at, updated_at)
       select $1, x.id, $2, x.inventory_item_id, x.sku, x.title, $3, x.barcode, $4, null, now()
         from unnest($5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[]) as x(id, inventory_item_id, sku, title, barcode)
       on conflict (shop_id, id) do update set
         product_id = excluded.product_id, inventory_item_id = excluded.inventory_item_id, sku = excluded.sku,
         title = excluded.title, product_title = excluded.product_title, barcode = excluded.barcode,
         shopify_updated_at = excluded.shopify_updated_at, deleted_at = null, updated_at = now()
       where variants.shopify_updated_at is null or excluded.shopify_updated_at is null
          or excluded.shopify_updated_at >= variants.shopify_updated_at`,
      [
        shopId,
        product.id,
        product.title,
        product.updatedAt,
        v.map((x) => x.id),
        v.map((x) => x.inventoryItemId),
        v.map((x) => x.sku),
        v.map((x) => x.title),
        v.map((x) => x.barcode),
      ],
    );
  }
  await sql.query(
    "update variants set deleted_at = now(), updated_at = now() where shop_id = $1 and product_id = $2 and deleted_at is null and not (id = any($3::bigint[]))",
    [shopId, product.id, v.map((x) => x.id)],
  );
  return "recorded";
}

export const recordProductFromWebhook: TopicHandler = async (ctx) => {
  const product = productSnapshot(ctx.payload);
  if ((await recordProduct(ctx.sql, ctx.shopId, product)) === "stale") ctx.log.info("older product delivery ignored", { productId: product.id });
};

export const markProductDeleted: TopicHandler = async (ctx) => {
  const productId = deletedId(ctx.payload, "a product");
  await ctx.sql.query("update variants set deleted_at = now(), updated_at = now() where shop_id = $1 and product_id = $2 and deleted_at is null", [
    ctx.shopId,
    productId,
  ]);
};

/** inventory_items/create|update: the SKU lives on the inventory item; the variant it belongs to comes with products/*. */
export const recordInventoryItem: TopicHandler = async (ctx) => {
  const item = inventoryItemSnapshot(ctx.payload);
  await ctx.sql.query("update variants set sku = $3, updated_at = now() where shop_id = $1 and inventory_item_id = $2 and sku is distinct from $3", [
    ctx.shopId,
    item.id,
    item.sku,
  ]);
};

export const markInventoryItemDeleted: TopicHandler = async (ctx) => {
  const itemId = deletedId(ctx.payload, "an inventory item");
  await ctx.sql.query("update variants set deleted_at = now(), updated_at = now() where shop_id = $1 and inventory_item_id = $2 and deleted_at is null", [
    ctx.shopId,
    itemId,
  ]);
};

export const recordLocation: TopicHandler = async (ctx) => {
  const location = locationSnapshot(ctx.payload);
  await ctx.sql.query(
    `insert into locations (shop_id, id, name, active) values ($1, $2, $3, $4)
     on conflict (shop_id, id) do update set name = excluded.name, active = excluded.active`,
    [ctx.shopId, location.id, location.name, location.active],
  );
};

// ---------------------------------------------------------------------------------------------
// Lookups for lots: the variant or location a merchant names, from our table or from Shopify

export interface KnownVariant {
  id: bigint;
  inventoryItemId: bigint | null;
  sku: string | null;
  title: string | null;
  productTitle: string | null;
  barcode: string | null;
  lotTracked: boolean;
}

async function shopDomainOf(sql: Db, shopId: number): Promise<string> {
  const domain = await findShopDomain(sql, shopId);
  if (domain === undefined) throw new ShopNotFoundError(`shop ${shopId} does not exist`);
  return domain;
}

export async function findVariant(sql: Db, shopId: number, variantId: bigint): Promise<KnownVariant | undefined> {
  const r = await sql.query<{
    id: bigint;
    inventory_item_id: bigint | null;
    sku: string | null;
    title: string | null;
    product_title: string | null;
    barcode: string | null;
    lot_tracked: boolean;
    deleted: boolean;
  }>(
    "select id, inventory_item_id, sku, title, product_title, barcode, lot_tracked, deleted_at is not null as deleted from variants where shop_id = $1 and id = $2",
    [shopId, variantId],
  );
  const v = r.rows[0];
  if (v?.deleted) throw new UnknownVariantError(`variant ${variantId} was deleted in Shopify; its lots stay for traceability but it cannot receive units`);
  return v
    ? {
        id: v.id,
        inventoryItemId: v.inventory_item_id,
        sku: v.sku,
        title: v.title,
        productTitle: v.product_title,
        barcode: v.barcode,
        lotTracked: v.lot_tracked,
      }
    : undefined;
}

/**
 * The variant from our table, or from Shopify (then stored). Unknown to Shopify: UnknownVariantError.
 * Known locally but without an inventory item id: completed from Shopify when it answers.
 */
export async function resolveVariant(sql: Db, shopId: number, variantId: bigint): Promise<KnownVariant> {
  const known = await findVariant(sql, shopId, variantId);
  if (known?.inventoryItemId) return known;
  const domain = await shopDomainOf(sql, shopId);
  let fetched;
  try {
    fetched = await fetchVariant(domain, variantId);
  } catch (error) {
    if (known) return known;
    if (error instanceof ShopifyAdminError) {
      throw new ShopifyLookupError(`variant ${variantId} is not known yet and Shopify could not be asked (${error.message}); try again in a minute`);
    }
    throw error;
  }
  if (!fetched) throw new UnknownVariantError(`variant ${variantId} does not exist in ${domain}; check the variant id (Products > variant URL)`);
  await sql.query(
    `insert into variants (shop_id, id, product_id, inventory_item_id, sku, title, product_title, barcode, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, now())
     on conflict (shop_id, id) do update set product_id = excluded.product_id, inventory_item_id = excluded.inventory_item_id,
       sku = excluded.sku, title = excluded.title, product_title = excluded.product_title, barcode = excluded.barcode, updated_at = now()`,
    [shopId, variantId, fetched.productId, fetched.inventoryItemId, fetched.sku, fetched.title, fetched.productTitle, fetched.barcode],
  );
  return (await findVariant(sql, shopId, variantId))!;
}

export interface KnownLocation {
  id: bigint;
  name: string | null;
}

/**
 * The location from our table, or from Shopify (then stored with its name). Shopify saying it does
 * not exist: UnknownLocationError. Shopify unreachable: accepted without a name (filled in later).
 */
export async function resolveLocation(sql: Db, shopId: number, locationId: bigint): Promise<KnownLocation> {
  const r = await sql.query<{ id: bigint; name: string | null }>("select id, name from locations where shop_id = $1 and id = $2", [shopId, locationId]);
  if (r.rows[0]?.name) return r.rows[0];
  const domain = await shopDomainOf(sql, shopId);
  let fetched: { name: string; active: boolean } | null | undefined;
  try {
    fetched = await fetchLocation(domain, locationId);
  } catch (error) {
    if (!(error instanceof ShopifyAdminError)) throw error;
    fetched = undefined; // unreachable: keep the id, the name comes with the next lookup
  }
  if (fetched === null) throw new UnknownLocationError(`location ${locationId} does not exist in ${domain}; check the location id (Settings > Locations)`);
  await sql.query(
    `insert into locations (shop_id, id, name, active) values ($1, $2, $3, $4)
     on conflict (shop_id, id) do update set name = coalesce(excluded.name, locations.name), active = excluded.active`,
    [shopId, locationId, fetched?.name ?? null, fetched?.active ?? true],
  );
  return { id: locationId, name: fetched?.name ?? r.rows[0]?.name ?? null };
}

/**
 * Names for the shop's locations that have none yet (received while Shopify did not answer), from
 * names Shopify gave in passing (reconciliation reads every level with its location). Never
 * overwrites a name: locations/update is the source for renames.
 */
export async function fillMissingLocationNames(sql: Db, shopId: number, named: { locationId: bigint; locationName: string | null }[]): Promise<number> {
  const names = new Map<string, string>();
  for (const n of named) if (n.locationName) names.set(n.locationId.toString(), n.locationName);
  if (names.size === 0) return 0;
  const r = await sql.query(
    `update locations l set name = v.name from unnest($2::bigint[], $3::text[]) as v(id, name)
      where l.shop_id = $1 and l.id = v.id and l.name is null`,
    [shopId, [...names.keys()], [...names.values()]],
  );
  return r.rowCount ?? 0;
}

/** The one variant of the shop whose barcode is this GTIN (stored as GTIN-14, EAN-13, UPC-A or EAN-8). */
export async function findVariantByGtin(sql: Db, shopId: number, gtin14: string): Promise<bigint> {
  const r = await sql.query<{ id: bigint; sku: string | null }>(
    "select id, sku from variants where shop_id = $1 and barcode = any($2::text[]) and deleted_at is null order by id",
    [shopId, barcodeForms(gtin14)],
  );
  if (r.rows.length === 0) throw new UnknownVariantError(`no variant of this shop has the barcode ${gtin14}; give the variant id (--variant)`);
  if (r.rows.length > 1) {
    throw new AmbiguousVariantError(
      `barcode ${gtin14} is on ${r.rows.length} variants (${r.rows.map((v) => `${v.id}${v.sku ? ` ${v.sku}` : ""}`).join(", ")}); give the variant id (--variant)`,
    );
  }
  return r.rows[0]!.id;
}
