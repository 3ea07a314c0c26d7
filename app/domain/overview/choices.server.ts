// What the admin panel offers in pickers and filters: the shop's locations and variants (known
// from Shopify's webhooks), and a variant found by the GTIN of a scanned GS1 barcode.
import type { Db } from "../../lib/sql.server";
import { describeScan, gs1Summary, parseGs1, type Gs1Data } from "../gs1/gs1";

export { variantLabel } from "./labels";

export interface LocationChoice {
  id: bigint;
  name: string;
}

export interface VariantChoice {
  id: bigint;
  productTitle: string | null;
  title: string | null;
  sku: string | null;
  barcode: string | null;
  lotTracked: boolean;
}

export async function listLocations(sql: Db, shopId: number): Promise<LocationChoice[]> {
  const r = await sql.query<{ id: bigint; name: string | null }>(
    "select id, name from locations where shop_id = $1 and active order by name nulls last, id limit 500",
    [shopId],
  );
  return r.rows.map((x) => ({ id: x.id, name: x.name ?? `Location ${x.id}` }));
}

const VARIANT_COLUMNS = "id, product_title, title, sku, barcode, lot_tracked";
type VariantRow = { id: bigint; product_title: string | null; title: string | null; sku: string | null; barcode: string | null; lot_tracked: boolean };
const toChoice = (r: VariantRow): VariantChoice => ({
  id: r.id,
  productTitle: r.product_title,
  title: r.title,
  sku: r.sku,
  barcode: r.barcode,
  lotTracked: r.lot_tracked,
});

/** Variants by product title, variant title, SKU or barcode; the first `limit` by title. */
export async function searchVariants(sql: Db, shopId: number, search: string, limit = 50): Promise<VariantChoice[]> {
  const q = search.trim() ? `%${search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const r = await sql.query<VariantRow>(
    `select ${VARIANT_COLUMNS} from variants
      where shop_id = $1 and deleted_at is null
        and ($2::text is null or product_title ilike $2 or title ilike $2 or sku ilike $2 or barcode ilike $2)
      order by product_title nulls last, title nulls last, id limit $3`,
    [shopId, q, limit],
  );
  return r.rows.map(toChoice);
}

export async function variantById(sql: Db, shopId: number, variantId: bigint): Promise<VariantChoice | null> {
  const r = await sql.query<VariantRow>(`select ${VARIANT_COLUMNS} from variants where shop_id = $1 and id = $2`, [shopId, variantId]);
  return r.rows[0] ? toChoice(r.rows[0]) : null;
}

/**
 * Variants whose barcode is this GTIN (EAN-8, UPC-A, EAN-13 and GTIN-14 compared as 14 digits);
 * `live` leaves out variants deleted in Shopify (nothing can be received into them).
 */
export async function variantsByGtin(sql: Db, shopId: number, gtin: string, { live = false } = {}): Promise<VariantChoice[]> {
  const r = await sql.query<VariantRow>(
    `select ${VARIANT_COLUMNS} from variants
      where shop_id = $1 and barcode is not null and barcode ~ '^[0-9]{8,14}$' and lpad(barcode, 14, '0') = lpad($2, 14, '0')
        and ($3::boolean is false or deleted_at is null)
      order by id limit 20`,
    [shopId, gtin, live],
  );
  return r.rows.map(toChoice);
}

/** Orders by their name as the merchant types it ("#1001", "1001"). */
export async function findOrdersByName(sql: Db, shopId: number, name: string): Promise<{ id: bigint; name: string | null }[]> {
  const text = name.trim();
  if (!text) return [];
  const r = await sql.query<{ id: bigint; name: string | null }>(
    `select id, name from orders where shop_id = $1 and (name = $2 or name = '#' || $2 or ($3::bigint is not null and id = $3::bigint)) order by id limit 10`,
    [shopId, text, /^\d{6,19}$/.test(text) ? text : null],
  );
  return r.rows;
}

/** A scanned barcode as the Receive page shows it: what it holds, in words, and its product. */
export interface ScanReading extends Gs1Data {
  /** What was scanned: "EAN-13 4006381333931", "GS1 Digital Link", ... */
  scanned: string;
  /** The shop's live variants whose barcode is the scan's GTIN (none without a GTIN). */
  variants: VariantChoice[];
}

/**
 * Reads what a scanner sent (Gs1Error when it is not a readable barcode) and finds the variants of
 * this shop, not deleted, whose barcode is its GTIN: a bare EAN-13 such as 4006381333931 resolves
 * to the product with that barcode.
 */
export async function readScan(sql: Db, shopId: number, text: string, today?: Date): Promise<ScanReading> {
  const parsed = parseGs1(text, { today });
  const variants = parsed.gtin ? await variantsByGtin(sql, shopId, parsed.gtin, { live: true }) : [];
  return { ...gs1Summary(parsed), scanned: describeScan(parsed), variants };
}
