// Reading lots for the admin panel and the CLI: a keyset-paged list with filters, one lot's
// detail (attributes, balances per location with names, totals, a page of its ledger), and the
// lookup of a lot by its number. Every query is scoped by the caller's shop.
import { unitSum, type Db } from "../../lib/sql.server";
import { parseId } from "../../lib/ids";
import { pool } from "../../db.server";
import { AmbiguousLotError, LotNotFoundError, LotValidationError } from "./lot-errors";
import { lotIdOf } from "./lot-rules";
import { shopTodaySql } from "../shops/shop-day";

/** Today in the time zone of the shop of `lots l` (app/domain/shops/shop-day.ts). */
export const LOT_SHOP_TODAY_SQL = shopTodaySql("(select sh.iana_timezone from shops sh where sh.id = l.shop_id)");
/** The status the merchant sees (an ACTIVE lot past its expiry date, in the shop's day, is EXPIRED), of `lots l`. */
export const DISPLAY_STATUS_SQL = `case when l.status = 'ACTIVE' and l.expires_on < ${LOT_SHOP_TODAY_SQL} then 'EXPIRED' else l.status::text end`;
/** Lots `l` with their variant `v` (null while the variant is not known yet). */
export const LOTS_WITH_VARIANTS_SQL = "lots l left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id";

/** The columns the list and the detail page both show, of LOTS_WITH_VARIANTS_SQL; read with lotFields. */
const LOT_COLUMNS = `l.id, l.lot_number, l.variant_id, v.sku, v.product_title, v.title as variant_title,
  ${DISPLAY_STATUS_SQL} as status, l.incomplete, l.expires_on, l.best_before_on, l.produced_on, l.received_at, l.supplier`;

interface LotRow {
  id: bigint;
  lot_number: string;
  variant_id: bigint;
  sku: string | null;
  product_title: string | null;
  variant_title: string | null;
  status: DisplayStatus;
  incomplete: boolean;
  expires_on: string | null;
  best_before_on: string | null;
  produced_on: string | null;
  received_at: Date;
  supplier: string | null;
}

function lotFields(r: LotRow): Omit<LotSummary, "onHand" | "quarantinedUnits"> {
  return {
    id: r.id,
    lotNumber: r.lot_number,
    variantId: r.variant_id,
    sku: r.sku,
    productTitle: r.product_title,
    variantTitle: r.variant_title,
    status: r.status,
    incomplete: r.incomplete,
    expiresOn: r.expires_on,
    bestBeforeOn: r.best_before_on,
    producedOn: r.produced_on,
    receivedAt: r.received_at,
    supplier: r.supplier,
  };
}

export type DisplayStatus = "ACTIVE" | "QUARANTINED" | "RECALLED" | "EXPIRED";

export interface LotSummary {
  id: bigint;
  lotNumber: string;
  variantId: bigint;
  sku: string | null;
  productTitle: string | null;
  variantTitle: string | null;
  /** RECALLED and QUARANTINED first; EXPIRED for an active lot past its expiry date. */
  status: DisplayStatus;
  incomplete: boolean;
  expiresOn: string | null;
  bestBeforeOn: string | null;
  producedOn: string | null;
  receivedAt: Date;
  supplier: string | null;
  onHand: number;
  quarantinedUnits: number;
}

export type LotSort = "expiry" | "received" | "lotNumber";

export interface ListLotsOptions {
  search?: string | null;
  status?: DisplayStatus | "INCOMPLETE" | null;
  variantId?: bigint | null;
  locationId?: bigint | null;
  /** Lots expiring within this many days from today (already expired included). */
  expiringWithinDays?: number | null;
  /** Only lots with units on hand (at locationId when given). */
  inStock?: boolean;
  cursor?: string | null;
  limit?: number;
  sort?: LotSort;
}

const SORTS: Record<LotSort, { key: string; dir: "asc" | "desc" }> = {
  expiry: { key: "coalesce(l.expires_on, date '9999-12-31')::text", dir: "asc" },
  received: { key: "to_char(l.received_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')", dir: "desc" },
  lotNumber: { key: "l.lot_number", dir: "asc" },
};

function encodeCursor(sortValue: string, id: bigint): string {
  return Buffer.from(JSON.stringify([sortValue, id.toString()])).toString("base64url");
}

function decodeCursor(cursor: string): [string, bigint] {
  try {
    const [value, id] = JSON.parse(Buffer.from(cursor, "base64url").toString()) as [string, string];
    const parsed = parseId(id);
    if (typeof value !== "string" || parsed === null) throw new Error("shape");
    return [value, parsed];
  } catch {
    throw new LotValidationError([{ field: "cursor", message: "is not a cursor this list gave out; start from the first page" }]);
  }
}

/** Lots of the shop, filtered and keyset-paged: { lots, nextCursor } (nextCursor null on the last page). */
export async function listLots(shopId: number, options: ListLotsOptions = {}): Promise<{ lots: LotSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const sort = SORTS[options.sort ?? "expiry"] ?? SORTS.expiry;
  const params: unknown[] = [shopId];
  const where: string[] = ["l.shop_id = $1"];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (options.search?.trim()) {
    const s = p(`%${options.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(l.lot_number ilike ${s} or v.sku ilike ${s} or v.product_title ilike ${s} or l.supplier ilike ${s} or l.supplier_lot ilike ${s})`);
  }
  if (options.variantId) where.push(`l.variant_id = ${p(options.variantId)}`);
  if (options.locationId) where.push(`exists (select 1 from lot_balances b where b.lot_id = l.id and b.location_id = ${p(options.locationId)})`);
  if (options.expiringWithinDays !== undefined && options.expiringWithinDays !== null) {
    where.push(`l.expires_on <= ${LOT_SHOP_TODAY_SQL} + ${p(options.expiringWithinDays)}::int`);
  }
  switch (options.status) {
    case "EXPIRED":
      where.push(`l.status = 'ACTIVE' and l.expires_on < ${LOT_SHOP_TODAY_SQL}`);
      break;
    case "ACTIVE":
      where.push(`l.status = 'ACTIVE' and (l.expires_on is null or l.expires_on >= ${LOT_SHOP_TODAY_SQL})`);
      break;
    case "QUARANTINED":
    case "RECALLED":
      where.push(`l.status = ${p(options.status)}::"LotStatus"`);
      break;
    case "INCOMPLETE":
      where.push("l.incomplete");
      break;
  }
  const locationFilter = options.locationId ? `and b.location_id = ${p(options.locationId)}` : "";
  if (options.inStock) where.push(`exists (select 1 from lot_balances b where b.lot_id = l.id and b.quantity > 0 ${locationFilter})`);
  if (options.cursor) {
    const [value, id] = decodeCursor(options.cursor);
    where.push(`(${sort.key}, l.id) ${sort.dir === "asc" ? ">" : "<"} (${p(value)}, ${p(id)})`);
  }
  const rows = await pool().query<LotRow & { on_hand: bigint; quarantined_units: bigint; sort_value: string }>(
    `select ${LOT_COLUMNS},
            coalesce((select sum(b.quantity) from lot_balances b where b.lot_id = l.id ${locationFilter}), 0)::bigint as on_hand,
            coalesce((select sum(b.quantity) from lot_balances b where b.lot_id = l.id and b.quarantined ${locationFilter}), 0)::bigint as quarantined_units,
            ${sort.key} as sort_value
     from ${LOTS_WITH_VARIANTS_SQL}
     where ${where.join(" and ")}
     order by ${sort.key} ${sort.dir}, l.id ${sort.dir}
     limit ${limit + 1}`,
    params,
  );
  const page = rows.rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    lots: page.map((r) => ({ ...lotFields(r), onHand: unitSum(r.on_hand), quarantinedUnits: unitSum(r.quarantined_units) })),
    nextCursor: rows.rows.length > limit && last ? encodeCursor(last.sort_value, last.id) : null,
  };
}

/** A lot as the detail page shows it: the list's columns (its totals come per location) and the rest. */
export interface LotDetail extends Omit<LotSummary, "onHand" | "quarantinedUnits"> {
  gtin: string | null;
  supplierLot: string | null;
  purchaseOrder: string | null;
  unitCost: string | null;
  currency: string | null;
  notes: string | null;
  /** bin: where the units sit at the location (null: none given); reserved: units held for open orders. */
  balances: { locationId: bigint; locationName: string | null; quantity: number; quarantined: boolean; bin: string | null; reserved: number }[];
  totals: { received: number; allocated: number; returned: number; onHand: number; quarantined: number };
  ledger: {
    entries: {
      id: bigint;
      kind: string;
      locationId: bigint | null;
      delta: number;
      balanceAfter: number | null;
      cause: string;
      causeRef: string | null;
      reason: string | null;
      createdAt: Date;
    }[];
    /** Pass as ledgerCursor for the next (older) page; null when there is none. */
    nextCursor: string | null;
  };
}

/** One lot of the shop with everything the detail page shows. LotNotFoundError for another shop's lot. */
export async function getLotDetail(
  shopId: number,
  lotId: bigint | string,
  options: { ledgerCursor?: string | null; ledgerLimit?: number } = {},
): Promise<LotDetail> {
  const id = lotIdOf(lotId);
  const db = pool();
  const lots = await db.query<
    LotRow & {
      gtin: string | null;
      supplier_lot: string | null;
      purchase_order: string | null;
      unit_cost: string | null;
      currency: string | null;
      notes: string | null;
    }
  >(
    `select ${LOT_COLUMNS}, coalesce(l.gtin, v.barcode) as gtin, l.supplier_lot, l.purchase_order, l.unit_cost::text, l.currency, l.notes
     from ${LOTS_WITH_VARIANTS_SQL}
     where l.shop_id = $1 and l.id = $2`,
    [shopId, id],
  );
  const lot = lots.rows[0];
  if (!lot) throw new LotNotFoundError(`lot ${id} not found in this shop`);
  const limit = Math.min(Math.max(options.ledgerLimit ?? 50, 1), 500);
  const before = parseId(options.ledgerCursor);
  const [balances, totals, ledger] = await Promise.all([
    db.query<{ location_id: bigint; name: string | null; quantity: number; quarantined: boolean; bin: string | null; reserved: number }>(
      `select b.location_id, loc.name, b.quantity, b.quarantined, b.bin, b.reserved from lot_balances b
       left join locations loc on loc.shop_id = b.shop_id and loc.id = b.location_id
       where b.lot_id = $1 and b.shop_id = $2 order by b.location_id`,
      [id, shopId],
    ),
    db.query<{ received: bigint; allocated: bigint; returned: bigint }>(
      `select coalesce((select sum(delta) from ledger_entries where shop_id = $1 and lot_id = $2 and kind in ('RECEIVED', 'PRODUCED')), 0)::bigint as received,
              coalesce((select sum(quantity) from allocations where shop_id = $1 and lot_id = $2 and status = 'ALLOCATED'), 0)::bigint as allocated,
              coalesce((select sum(returned_quantity) from allocations where shop_id = $1 and lot_id = $2), 0)::bigint as returned`,
      [shopId, id],
    ),
    db.query<{
      id: bigint;
      kind: string;
      location_id: bigint | null;
      delta: number;
      balance_after: number | null;
      cause: string;
      cause_ref: string | null;
      reason: string | null;
      created_at: Date;
    }>(
      `select id, kind, location_id, delta, balance_after, cause, cause_ref, reason, created_at from ledger_entries
       where shop_id = $1 and lot_id = $2 and ($3::bigint is null or id < $3) order by id desc limit $4`,
      [shopId, id, before, limit + 1],
    ),
  ]);
  const entries = ledger.rows.slice(0, limit);
  return {
    ...lotFields(lot),
    gtin: lot.gtin,
    supplierLot: lot.supplier_lot,
    purchaseOrder: lot.purchase_order,
    unitCost: lot.unit_cost,
    currency: lot.currency,
    notes: lot.notes,
    balances: balances.rows.map((b) => ({
      locationId: b.location_id,
      locationName: b.name,
      quantity: b.quantity,
      quarantined: b.quarantined,
      bin: b.bin,
      reserved: b.reserved,
    })),
    totals: {
      received: unitSum(totals.rows[0]?.received),
      allocated: unitSum(totals.rows[0]?.allocated),
      returned: unitSum(totals.rows[0]?.returned),
      onHand: balances.rows.reduce((n, b) => n + b.quantity, 0),
      quarantined: balances.rows.filter((b) => b.quarantined).reduce((n, b) => n + b.quantity, 0),
    },
    ledger: {
      entries: entries.map((e) => ({
        id: e.id,
        kind: e.kind,
        locationId: e.location_id,
        delta: e.delta,
        balanceAfter: e.balance_after,
        cause: e.cause,
        causeRef: e.cause_ref,
        reason: e.reason,
        createdAt: e.created_at,
      })),
      nextCursor: ledger.rows.length > limit ? String(entries[entries.length - 1]!.id) : null,
    },
  };
}

/**
 * The lot id for a lot number in the shop. A number on several variants without `variantId` is
 * an AmbiguousLotError listing them; no such lot is LotNotFoundError.
 */
export async function findLotId(sql: Db, shopId: number, lotNumber: string, variantId?: bigint | null): Promise<bigint> {
  const r = await sql.query<{ id: bigint; variant_id: bigint; sku: string | null; title: string | null }>(
    `select l.id, l.variant_id, v.sku, coalesce(v.product_title || ' - ' || v.title, v.product_title, v.title) as title
     from ${LOTS_WITH_VARIANTS_SQL}
     where l.shop_id = $1 and l.lot_number = $2 and ($3::bigint is null or l.variant_id = $3) order by l.variant_id`,
    [shopId, lotNumber, variantId ?? null],
  );
  if (r.rows.length === 0) {
    throw new LotNotFoundError(`no lot "${lotNumber}"${variantId ? ` on variant ${variantId}` : ""} in this shop`);
  }
  if (r.rows.length > 1)
    throw new AmbiguousLotError(
      lotNumber,
      r.rows.map((x) => ({ variantId: x.variant_id, sku: x.sku, title: x.title })),
    );
  return r.rows[0]!.id;
}
