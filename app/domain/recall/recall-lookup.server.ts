// Recall lookup: "every customer who received this lot", answered from the local allocations
// (customer snapshot on the order) in a few indexed statements, never by calling Shopify.
//   - lots in scope: the lot(s) with that number (optionally one variant) and, unless directOnly,
//     every lot downstream of them through production runs (recall_lots.direct = false);
//   - customers: keyset pages by customer (see customer-key.ts), each with contact details and
//     every order line that shipped units of a lot in scope, with returned quantities;
//   - totals: one aggregate statement (received, shipped, returned, outstanding, on hand per
//     lot and location, orders, customers);
//   - possibly affected: units shipped from the unknown-lot record of a variant in scope inside
//     that lot's time window (first receipt -> last allocation, or now while units remain).
// All SQL goes through the pg pool (or the caller's transaction), shop-scoped in every clause.
import { pool } from "../../db.server";
import { decodeCursor, encodeCursor, customerIdOfKey } from "./customer-key";
import { InvalidCursorError, LotNotFoundError } from "./errors";
import { downstreamLots } from "../genealogy/genealogy.server";
import { parseId } from "../../lib/ids";
import type { Db } from "../../lib/sql.server";

export interface ScopeLot {
  lotId: bigint;
  lotNumber: string;
  variantId: bigint;
  status: "ACTIVE" | "QUARANTINED" | "RECALLED";
  /** true: named in the lookup / recall; false: downstream of such a lot through production runs. */
  direct: boolean;
  /** Production-run steps from the nearest direct lot (0 for a direct lot). */
  depth: number;
  expiresOn: string | null;
  supplier: string | null;
  supplierLot: string | null;
}

export interface ShippedLine {
  orderId: bigint;
  orderName: string | null;
  lineItemId: bigint;
  fulfillmentId: bigint;
  lotId: bigint;
  lotNumber: string;
  variantId: bigint;
  locationId: bigint;
  locationName: string | null;
  quantity: number;
  returnedQuantity: number;
  fulfilledAt: string;
  returnedAt: string | null;
}

export interface RecallCustomer {
  customerKey: string;
  customerId: bigint | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  /** The customer's data was erased (customers/redact): units still counted, contact unknown. */
  redacted: boolean;
  units: number;
  returnedUnits: number;
  orders: ShippedLine[];
}

export interface CustomerPage<T = RecallCustomer> {
  customers: T[];
  /** Pass to the next call for the following page; null on the last page. */
  nextCursor: string | null;
}

export interface OnHandRow {
  lotId: bigint;
  lotNumber: string;
  locationId: bigint;
  quantity: number;
  quarantined: number;
}

export interface RecallTotals {
  lots: number;
  /** Units that came into the lots in scope (receipts, production output). */
  receivedUnits: number;
  shippedUnits: number;
  returnedUnits: number;
  /** Shipped and not returned: units still with customers. */
  outstandingUnits: number;
  onHandUnits: number;
  quarantinedUnits: number;
  onHand: OnHandRow[];
  orders: number;
  shipmentLines: number;
  customers: number;
}

export interface PossiblyAffectedLine {
  allocationId: bigint;
  customerKey: string;
  customerId: bigint | null;
  name: string | null;
  email: string | null;
  redacted: boolean;
  orderId: bigint;
  orderName: string | null;
  lineItemId: bigint;
  variantId: bigint;
  locationId: bigint;
  quantity: number;
  returnedQuantity: number;
  fulfilledAt: string;
}

export interface PossiblyAffectedPage {
  lines: PossiblyAffectedLine[];
  units: number;
  count: number;
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1) return DEFAULT_PAGE_SIZE;
  return Math.min(limit, MAX_PAGE_SIZE);
}

// ---------------------------------------------------------------------------------------------
// Lots in scope

/** A lot row in a recall's scope (columns LOT_COLUMNS of `lots l`). */
export interface LotRow {
  id: bigint;
  lot_number: string;
  variant_id: bigint;
  status: ScopeLot["status"];
  expires_on: string | null;
  supplier: string | null;
  supplier_lot: string | null;
}

export const LOT_COLUMNS = "l.id, l.lot_number, l.variant_id, l.status, l.expires_on, l.supplier, l.supplier_lot";

export function toScopeLot(row: LotRow, direct: boolean, depth: number): ScopeLot {
  return {
    lotId: row.id,
    lotNumber: row.lot_number,
    variantId: row.variant_id,
    status: row.status,
    direct,
    depth,
    expiresOn: row.expires_on,
    supplier: row.supplier,
    supplierLot: row.supplier_lot,
  };
}

/** The shop's lots with this number (one per variant), or the one of that variant. */
export async function findLotsByNumber(db: Db, shopId: number, lotNumber: string, variantId?: bigint): Promise<ScopeLot[]> {
  const result = await db.query<LotRow>(
    `select ${LOT_COLUMNS} from lots l
      where l.shop_id = $1 and l.lot_number = $2 and ($3::bigint is null or l.variant_id = $3)
      order by l.variant_id`,
    [shopId, lotNumber, variantId ?? null],
  );
  if (result.rows.length === 0) throw new LotNotFoundError(lotNumber, variantId);
  return result.rows.map((r) => toScopeLot(r, true, 0));
}

/** Direct lots plus (unless directOnly) every lot downstream of them, each once. */
export async function recallScope(db: Db, shopId: number, direct: ScopeLot[], options: { directOnly?: boolean } = {}): Promise<ScopeLot[]> {
  if (options.directOnly || direct.length === 0) return direct;
  const downstream = await downstreamLots(
    db,
    shopId,
    direct.map((l) => l.lotId),
  );
  const seen = new Set(direct.map((l) => l.lotId));
  const extra = downstream.filter((d) => !seen.has(d.lotId));
  if (extra.length === 0) return direct;
  const rows = await db.query<LotRow>(`select ${LOT_COLUMNS} from lots l where l.shop_id = $1 and l.id = any($2::bigint[])`, [
    shopId,
    extra.map((d) => d.lotId),
  ]);
  const byId = new Map(rows.rows.map((r) => [r.id, r]));
  return [...direct, ...extra.flatMap((d) => (byId.has(d.lotId) ? [toScopeLot(byId.get(d.lotId)!, false, d.depth)] : []))];
}

// ---------------------------------------------------------------------------------------------
// Customers

interface ShippedRow {
  customer_key: string;
  customer_id: bigint | null;
  allocation_id: bigint;
  order_id: bigint;
  order_name: string | null;
  line_item_id: bigint;
  fulfillment_id: bigint;
  lot_id: bigint;
  variant_id: bigint;
  location_id: bigint;
  location_name: string | null;
  quantity: number;
  returned_quantity: number;
  fulfilled_at: Date;
  returned_at: Date | null;
  customer_name: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  redacted: boolean;
}

// Columns of one shipped line with its order snapshot; `a` allocation, `o` order (left join: a
// fulfilment can be allocated before its order arrives), `loc` location.
const SHIPPED_COLUMNS = `a.id as allocation_id, a.customer_id, a.order_id, o.name as order_name, a.line_item_id, a.fulfillment_id,
  a.lot_id, a.variant_id, a.location_id, loc.name as location_name, a.quantity, a.returned_quantity, a.fulfilled_at,
  case when a.returned_quantity > 0 then
    (select max(r.returned_at) from allocation_returns r where r.shop_id = a.shop_id and r.allocation_id = a.id) end as returned_at,
  case when coalesce(o.redacted, false) then null else coalesce(o.customer_name, o.shipping_address->>'name') end as customer_name,
  case when coalesce(o.redacted, false) then null else coalesce(o.customer_email, o.email) end as email,
  case when coalesce(o.redacted, false) then null else coalesce(o.customer_phone, o.shipping_address->>'phone') end as phone,
  case when coalesce(o.redacted, false) or o.shipping_address is null then null else
    concat_ws(', ', nullif(o.shipping_address->>'address1', ''), nullif(o.shipping_address->>'address2', ''),
      nullif(o.shipping_address->>'city', ''), nullif(concat_ws(' ', nullif(o.shipping_address->>'province_code', ''),
      nullif(o.shipping_address->>'zip', '')), ''), nullif(o.shipping_address->>'country_code', '')) end as address,
  coalesce(o.redacted, false) as redacted`;

const SHIPPED_JOINS = `left join orders o on o.shop_id = a.shop_id and o.id = a.order_id
  left join locations loc on loc.shop_id = a.shop_id and loc.id = a.location_id`;

// Live guest allocations (no customer id) of the lots $2 of shop $1: the predicate of the partial
// index allocations_guest_key_idx (shop_id, lot_id, customer_key), written out so the planner uses it.
const GUEST_ALLOCATIONS = `a.shop_id = $1 and a.lot_id = any($2::bigint[]) and a.customer_id is null and a.status = 'ALLOCATED'`;

/**
 * One page of the customers who received units of the given lots (keyset by customer key:
 * customers with a Shopify id by id, then guests by key). Never OFFSET.
 */
export async function listLotCustomers(
  db: Db,
  shopId: number,
  lots: Pick<ScopeLot, "lotId" | "lotNumber">[],
  options: { cursor?: string | null; limit?: number } = {},
): Promise<CustomerPage> {
  const limit = pageSize(options.limit);
  const cursor = decodeCursor(options.cursor);
  const lotIds = lots.map((l) => l.lotId);
  const lotNumbers = new Map(lots.map((l) => [l.lotId, l.lotNumber]));
  if (lotIds.length === 0) return { customers: [], nextCursor: null };

  const rows: ShippedRow[] = [];
  let lastKey: { phase: "customer" | "guest"; key: string } | null = null;
  let customersFound = 0;

  if (cursor === null || cursor.phase === "customer") {
    // Phase 1: customers with an id, straight from allocations(shop_id, lot_id, customer_id).
    // One ordered, limited index scan per lot (lateral), merged: constant work per page.
    const ids = await db.query<{ customer_id: bigint }>(
      `select distinct x.customer_id from unnest($2::bigint[]) as l(id)
       cross join lateral (
         select distinct a.customer_id from allocations a
          where a.shop_id = $1 and a.lot_id = l.id and a.customer_id > $3 and a.status = 'ALLOCATED'
          order by a.customer_id limit $4) x
       order by 1 limit $4`,
      [shopId, lotIds, cursor?.phase === "customer" ? cursor.after : -1n, limit],
    );
    const customerIds = ids.rows.map((r) => r.customer_id);
    if (customerIds.length > 0) {
      const detail = await db.query<ShippedRow>(
        `select a.customer_id::text as customer_key, ${SHIPPED_COLUMNS}
           from allocations a ${SHIPPED_JOINS}
          where a.shop_id = $1 and a.lot_id = any($2::bigint[]) and a.customer_id = any($3::bigint[]) and a.status = 'ALLOCATED'
          order by a.customer_id, a.fulfilled_at, a.id`,
        [shopId, lotIds, customerIds],
      );
      rows.push(...detail.rows);
      customersFound = customerIds.length;
      lastKey = { phase: "customer", key: customerIds[customerIds.length - 1]!.toString() };
    }
  }

  if (customersFound < limit) {
    // Phase 2: guests (no customer id on the allocation), by the key stored on the allocation: per
    // lot an ordered, limited range scan of allocations_guest_key_idx (lateral), merged, then the
    // lines of those keys only. Constant work per page, like phase 1. Every key is longer than ""
    // (a bound, not "or is null", so the scan starts at the cursor).
    const after = cursor?.phase === "guest" ? cursor.after : "";
    const guests = await db.query<ShippedRow>(
      `with keys as (
         select distinct x.customer_key from unnest($2::bigint[]) as l(id)
         cross join lateral (
           select distinct a.customer_key from allocations a
            where a.shop_id = $1 and a.lot_id = l.id and a.customer_id is null and a.status = 'ALLOCATED' and a.customer_key > $3::text
            order by a.customer_key limit $4) x
         order by 1 limit $4
       )
       select a.customer_key, ${SHIPPED_COLUMNS}
         from allocations a ${SHIPPED_JOINS}
        where ${GUEST_ALLOCATIONS} and a.customer_key = any(array(select customer_key from keys))
        order by a.customer_key, a.fulfilled_at, a.id`,
      [shopId, lotIds, after, limit - customersFound],
    );
    const keys = new Set(guests.rows.map((r) => r.customer_key));
    rows.push(...guests.rows);
    customersFound += keys.size;
    if (guests.rows.length > 0) lastKey = { phase: "guest", key: guests.rows[guests.rows.length - 1]!.customer_key };
  }

  const customers = groupByCustomer(rows, lotNumbers);
  const nextCursor =
    customersFound < limit || lastKey === null
      ? null
      : lastKey.phase === "customer"
        ? encodeCursor({ phase: "customer", after: BigInt(lastKey.key) })
        : encodeCursor({ phase: "guest", after: lastKey.key });
  return { customers, nextCursor };
}

/**
 * The given customers (by customer key) with their shipped lines of the lots, in the keys' order.
 * Keys that received nothing of these lots are left out.
 */
export async function customersByKeys(db: Db, shopId: number, lots: Pick<ScopeLot, "lotId" | "lotNumber">[], keys: string[]): Promise<RecallCustomer[]> {
  const lotIds = lots.map((l) => l.lotId);
  if (lotIds.length === 0 || keys.length === 0) return [];
  const ids = keys.flatMap((k) => (/^\d{1,19}$/.test(k) ? [BigInt(k)] : []));
  const [withId, guests] = await Promise.all([
    ids.length === 0
      ? { rows: [] as ShippedRow[] }
      : db.query<ShippedRow>(
          `select a.customer_id::text as customer_key, ${SHIPPED_COLUMNS}
             from allocations a ${SHIPPED_JOINS}
            where a.shop_id = $1 and a.lot_id = any($2::bigint[]) and a.customer_id = any($3::bigint[]) and a.status = 'ALLOCATED'
            order by a.customer_id, a.fulfilled_at, a.id`,
          [shopId, lotIds, ids],
        ),
    db.query<ShippedRow>(
      `select a.customer_key, ${SHIPPED_COLUMNS}
         from allocations a ${SHIPPED_JOINS}
        where ${GUEST_ALLOCATIONS} and a.customer_key = any($3::text[]) order by a.fulfilled_at, a.id`,
      [shopId, lotIds, keys],
    ),
  ]);
  const byKey = new Map(groupByCustomer([...withId.rows, ...guests.rows], new Map(lots.map((l) => [l.lotId, l.lotNumber]))).map((c) => [c.customerKey, c]));
  return keys.flatMap((k) => (byKey.has(k) ? [byKey.get(k)!] : []));
}

function groupByCustomer(rows: ShippedRow[], lotNumbers: Map<bigint, string>): RecallCustomer[] {
  const byKey = new Map<string, RecallCustomer & { latest: number }>();
  for (const r of rows) {
    let c = byKey.get(r.customer_key);
    if (!c) {
      c = {
        customerKey: r.customer_key,
        customerId: r.customer_id ?? customerIdOfKey(r.customer_key),
        name: null,
        email: null,
        phone: null,
        address: null,
        redacted: true,
        units: 0,
        returnedUnits: 0,
        orders: [],
        latest: -Infinity,
      };
      byKey.set(r.customer_key, c);
    }
    c.units += r.quantity;
    c.returnedUnits += r.returned_quantity;
    // Contact details from the customer's most recent order that is not redacted.
    if (!r.redacted) {
      c.redacted = false;
      const at = r.fulfilled_at.getTime();
      if (at >= c.latest) {
        c.latest = at;
        c.name = r.customer_name ?? c.name;
        c.email = r.email ?? c.email;
        c.phone = r.phone ?? c.phone;
        c.address = r.address ?? c.address;
      }
    }
    c.orders.push(toShippedLine(r, lotNumbers));
  }
  return [...byKey.values()].map(({ latest: _latest, ...c }) => c);
}

function toShippedLine(r: ShippedRow, lotNumbers: Map<bigint, string>): ShippedLine {
  return {
    orderId: r.order_id,
    orderName: r.order_name,
    lineItemId: r.line_item_id,
    fulfillmentId: r.fulfillment_id,
    lotId: r.lot_id,
    lotNumber: lotNumbers.get(r.lot_id) ?? "",
    variantId: r.variant_id,
    locationId: r.location_id,
    locationName: r.location_name,
    quantity: r.quantity,
    returnedQuantity: r.returned_quantity,
    fulfilledAt: r.fulfilled_at.toISOString(),
    returnedAt: r.returned_at ? r.returned_at.toISOString() : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Totals: one aggregate statement

export async function recallTotals(db: Db, shopId: number, lots: Pick<ScopeLot, "lotId" | "lotNumber">[]): Promise<RecallTotals> {
  const lotIds = lots.map((l) => l.lotId);
  const lotNumbers = new Map(lots.map((l) => [l.lotId, l.lotNumber]));
  const result = await db.query<{
    received: number;
    shipped: number;
    returned: number;
    lines: number;
    orders: number;
    with_id: number;
    guests: number;
    on_hand: { lotId: string; locationId: string; quantity: number; quarantined: number }[];
  }>(
    `select
       (select coalesce(sum(e.delta), 0)::int from ledger_entries e
         where e.shop_id = $1 and e.lot_id = any($2::bigint[]) and e.kind in ('RECEIVED', 'PRODUCED')) as received,
       s.shipped, s.returned, s.lines, s.orders, s.with_id,
       (select count(distinct a.customer_key)::int from allocations a where ${GUEST_ALLOCATIONS}) as guests,
       (select coalesce(json_agg(json_build_object('lotId', b.lot_id::text, 'locationId', b.location_id::text,
                 'quantity', b.quantity, 'quarantined', case when b.quarantined then b.quantity else 0 end)
                 order by b.lot_id, b.location_id), '[]'::json)
          from lot_balances b where b.shop_id = $1 and b.lot_id = any($2::bigint[]) and b.quantity > 0) as on_hand
     from (select coalesce(sum(a.quantity), 0)::int as shipped, coalesce(sum(a.returned_quantity), 0)::int as returned,
                  count(*)::int as lines, count(distinct a.order_id)::int as orders, count(distinct a.customer_id)::int as with_id
             from allocations a
            where a.shop_id = $1 and a.lot_id = any($2::bigint[]) and a.status = 'ALLOCATED') s`,
    [shopId, lotIds],
  );
  const r = result.rows[0]!;
  const onHand = r.on_hand.map((b) => ({
    lotId: BigInt(b.lotId),
    lotNumber: lotNumbers.get(BigInt(b.lotId)) ?? "",
    locationId: BigInt(b.locationId),
    quantity: b.quantity,
    quarantined: b.quarantined,
  }));
  return {
    lots: lots.length,
    receivedUnits: r.received,
    shippedUnits: r.shipped,
    returnedUnits: r.returned,
    outstandingUnits: r.shipped - r.returned,
    onHandUnits: onHand.reduce((s, b) => s + b.quantity, 0),
    quarantinedUnits: onHand.reduce((s, b) => s + b.quarantined, 0),
    onHand,
    orders: r.orders,
    shipmentLines: r.lines,
    customers: r.with_id + r.guests,
  };
}

// ---------------------------------------------------------------------------------------------
// Possibly affected: unknown-lot shipments of a variant in scope inside the lot's time window

/**
 * CTEs `w` (window per lot) and `win` (window per variant: merged) for the possibly affected
 * lookup, over the lots `lotsExpr` (a bigint[] SQL expression) of shop `shopExpr`. Shared by
 * listPossiblyAffected and the regulator export.
 */
export function possiblyAffectedWindowsSql(shopExpr: string, lotsExpr: string): string {
  return `w as (
       select l.variant_id,
              least(l.received_at, (select min(e.created_at) from ledger_entries e
                 where e.shop_id = l.shop_id and e.lot_id = l.id and e.kind in ('RECEIVED', 'PRODUCED'))) as from_at,
              case when exists (select 1 from lot_balances b where b.shop_id = l.shop_id and b.lot_id = l.id and b.quantity > 0) then now()
                   else coalesce((select max(a.fulfilled_at) from allocations a
                          where a.shop_id = l.shop_id and a.lot_id = l.id and a.status = 'ALLOCATED'), now()) end as to_at
         from lots l where l.shop_id = ${shopExpr} and l.id = any(${lotsExpr})
     ), win as (
       select variant_id, min(from_at) as from_at, max(to_at) as to_at from w group by variant_id
     )`;
}

/**
 * The window of a lot: from its first receipt (or production) to its last allocation; while the
 * lot still has units on hand (or never shipped), to now. Unknown-lot units of the same variant
 * shipped in that window may have come from the lot. Windows of several lots of one variant
 * are merged (earliest start, latest end): a little wider, never narrower.
 */
export async function listPossiblyAffected(
  db: Db,
  shopId: number,
  lots: Pick<ScopeLot, "lotId">[],
  options: { cursor?: string | null; limit?: number } = {},
): Promise<PossiblyAffectedPage> {
  const limit = pageSize(options.limit);
  let after = 0n;
  if (options.cursor) {
    const raw = Buffer.from(options.cursor, "base64url").toString("utf8");
    const id = raw.startsWith("p:") ? parseId(raw.slice(2)) : null;
    if (id === null) throw new InvalidCursorError(options.cursor);
    after = id;
  }
  const lotIds = lots.map((l) => l.lotId);
  if (lotIds.length === 0) return { lines: [], units: 0, count: 0, nextCursor: null };
  const result = await db.query<ShippedRow & { total_units: number; total_count: number }>(
    `with ${possiblyAffectedWindowsSql("$1", "$2::bigint[]")}, hits as (
       select a.customer_key, ${SHIPPED_COLUMNS}
         from win
         join allocations a on a.shop_id = $1 and a.variant_id = win.variant_id and a.unknown_lot
                           and a.fulfilled_at >= win.from_at and a.fulfilled_at <= win.to_at and a.status = 'ALLOCATED'
         ${SHIPPED_JOINS}
     ), totals as (
       select coalesce(sum(quantity), 0)::int as total_units, count(*)::int as total_count from hits
     )
     select t.total_units, t.total_count, p.*
       from totals t
       left join lateral (select * from hits h where h.allocation_id > $3 order by h.allocation_id limit $4) p on true`,
    [shopId, lotIds, after, limit + 1],
  );
  // Totals cover the whole window; the page starts after the cursor (one extra row says "more").
  const units = result.rows[0]?.total_units ?? 0;
  const count = result.rows[0]?.total_count ?? 0;
  const found = result.rows.filter((r) => r.allocation_id !== null);
  const page = found.slice(0, limit);
  const more = found.length > limit;
  return {
    lines: page.map((r) => ({
      allocationId: r.allocation_id,
      customerKey: r.customer_key,
      customerId: r.customer_id ?? customerIdOfKey(r.customer_key),
      name: r.customer_name,
      email: r.email,
      redacted: r.redacted,
      orderId: r.order_id,
      orderName: r.order_name,
      lineItemId: r.line_item_id,
      variantId: r.variant_id,
      locationId: r.location_id,
      quantity: r.quantity,
      returnedQuantity: r.returned_quantity,
      fulfilledAt: r.fulfilled_at.toISOString(),
    })),
    units,
    count,
    nextCursor: more ? Buffer.from(`p:${page[page.length - 1]!.allocation_id}`, "utf8").toString("base64url") : null,
  };
}

// ---------------------------------------------------------------------------------------------
// The whole lookup

export interface RecallLookup {
  lots: ScopeLot[];
  totals: RecallTotals & { possiblyAffectedUnits: number; possiblyAffectedLines: number };
  customers: RecallCustomer[];
  nextCursor: string | null;
  possiblyAffected: PossiblyAffectedLine[];
  possiblyAffectedNextCursor: string | null;
}

export interface RecallLookupInput {
  lotNumber: string;
  variantId?: bigint;
  /** Only the named lot(s), not the lots made from them. Default false. */
  directOnly?: boolean;
  cursor?: string | null;
  limit?: number;
}

/** `lotkeeper recall customers`: scope, totals, the first (or a later) page of customers, possibly affected. */
export async function lookupRecall(shopId: number, input: RecallLookupInput, db: Db = pool()): Promise<RecallLookup> {
  const direct = await findLotsByNumber(db, shopId, input.lotNumber, input.variantId);
  const lots = await recallScope(db, shopId, direct, { directOnly: input.directOnly });
  const [totals, page, possibly] = await Promise.all([
    recallTotals(db, shopId, lots),
    listLotCustomers(db, shopId, lots, { cursor: input.cursor, limit: input.limit }),
    listPossiblyAffected(db, shopId, lots, { limit: MAX_PAGE_SIZE }),
  ]);
  return {
    lots,
    totals: { ...totals, possiblyAffectedUnits: possibly.units, possiblyAffectedLines: possibly.count },
    customers: page.customers,
    nextCursor: page.nextCursor,
    possiblyAffected: possibly.lines,
    possiblyAffectedNextCursor: possibly.nextCursor,
  };
}
