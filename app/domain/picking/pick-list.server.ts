// Pick lists (issue #12): what the picker takes for one order, or for every open order at a
// location, read from the database and planned by pick-list-rules.ts. Read-only: no lock, no
// balance change, no reservation; two pick lists printed at once may name the same units
// (docs/decisions/098-pick-lists.md). The plan source is one function (planFromBalances): the
// orders' reservations at the location first, the balances no order holds for the rest
// (docs/decisions/100-reservations.md).
import { pool } from "../../db.server";
import type { Db } from "../../lib/sql.server";
import { type AllocationStrategy, type LineReservation } from "../allocation/allocation-rules";
import { OPEN_QUANTITY_SQL } from "../reservations/reservations.server";
import { OrderNotFoundError } from "../allocation/errors";
import { findOrdersByName } from "../overview/choices.server";
import { SHIPPABLE_BALANCES_SQL, type ShippableBalanceRow } from "../allocation/shippable-balances.server";
import { csvRecord } from "../exports/csv-cells";
import { shelfRule } from "../shops/settings.server";
import { groupPickRows, planPickList, PICK_LIST_CSV_COLUMNS, type GroupedPickList, type OpenLine, type PickableLot, type PickRow } from "./pick-list-rules";
import { LocationNotFoundError, OrderNotOpenError, PickListLocationRequiredError } from "./errors";

export interface PickList extends GroupedPickList {
  location: { id: bigint; name: string | null };
  /** The orders planned, oldest first (those with nothing left to pick are not listed). */
  orders: { id: bigint; name: string | null }[];
  /** "reservations": some rows are the orders' reserved lots; "balances": planned over the balances on hand only. */
  basis: "balances" | "reservations";
  generatedAt: Date;
}

interface Options {
  db?: Db;
  now?: Date;
}

/** Fulfilment statuses of a fulfilment that is open: the order is being picked there. */
const OPEN_FULFILMENT_STATUSES = "('open', 'pending')";

/**
 * The pick list of one order (its Shopify id or name, "#1001" or "1001"). The location is the one
 * given, else that of the order's open fulfilment; without either the merchant must say where.
 */
export async function pickListForOrder(shopId: number, orderRef: string, locationId: bigint | undefined, options: Options = {}): Promise<PickList> {
  const db = options.db ?? pool();
  const order = await findOrder(db, shopId, orderRef);
  if (order.cancelled) throw new OrderNotOpenError(order.name ?? order.id.toString());
  const at = locationId ?? (await openFulfilmentLocation(db, shopId, order.id)) ?? (await reservedLocation(db, shopId, order.id));
  if (at === null) throw new PickListLocationRequiredError(order.name ?? order.id.toString());
  return buildPickList(db, shopId, await findLocation(db, shopId, at), order.id, options.now ?? new Date());
}

/** One order of a printed batch: its pick list, or why it has none (cancelled, no location known). */
export type PrintedOrder =
  { orderId: bigint; list: PickList; refusal: null } | { orderId: bigint; list: null; refusal: OrderNotOpenError | PickListLocationRequiredError };

/**
 * The pick lists of several orders for one print (the admin's print actions), each order planned
 * on its own as if printed alone. An order of another shop, or unknown, stops the whole print
 * (OrderNotFoundError); a cancelled order or one without a location is printed as a note.
 */
export async function pickListsForOrders(
  shopId: number,
  orderIds: readonly bigint[],
  locationId: bigint | undefined,
  options: Options = {},
): Promise<PrintedOrder[]> {
  const printed: PrintedOrder[] = [];
  for (const orderId of orderIds) {
    try {
      printed.push({ orderId, list: await pickListForOrder(shopId, orderId.toString(), locationId, options), refusal: null });
    } catch (error) {
      if (!(error instanceof OrderNotOpenError || error instanceof PickListLocationRequiredError)) throw error;
      printed.push({ orderId, list: null, refusal: error });
    }
  }
  return printed;
}

/** The batch pick list of every open order at a location, planned oldest order first. */
export async function pickListForLocation(shopId: number, locationId: bigint, options: Options = {}): Promise<PickList> {
  const db = options.db ?? pool();
  return buildPickList(db, shopId, await findLocation(db, shopId, locationId), null, options.now ?? new Date());
}

async function buildPickList(db: Db, shopId: number, location: PickList["location"], orderId: bigint | null, now: Date): Promise<PickList> {
  const { strategy, earliestShelfDate } = await shelfRule(db, shopId, now);
  const lines = await openLines(db, shopId, location.id, orderId);
  const { rows, reserved } = await planFromBalances(db, shopId, location.id, lines, strategy, earliestShelfDate);
  const orders = [...new Map(lines.map((l) => [l.orderId, { id: l.orderId, name: l.orderName }])).values()];
  return { location, orders, basis: reserved ? "reservations" : "balances", generatedAt: now, ...groupPickRows(rows) };
}

/**
 * The plan source: the location's pickable lot balances and the open lines' reservations there,
 * planned by the allocation's rules (a line's `_lot` and reserved units first, as the fulfilment
 * takes them). `reserved`: some line had a reservation here.
 */
async function planFromBalances(
  db: Db,
  shopId: number,
  locationId: bigint,
  lines: OpenLine[],
  strategy: AllocationStrategy,
  earliestShelfDate: string,
): Promise<{ rows: PickRow[]; reserved: boolean }> {
  const variants = [...new Set(lines.flatMap((l) => (l.variantId === null ? [] : [l.variantId.toString()])))];
  const lots = variants.length === 0 ? [] : await pickableLots(db, shopId, locationId, variants, earliestShelfDate);
  const reservations = lines.length === 0 ? [] : await lineReservations(db, shopId, locationId, lines);
  return { rows: planPickList(lines, strategy, lots, reservations), reserved: reservations.length > 0 };
}

async function lineReservations(db: Db, shopId: number, locationId: bigint, lines: OpenLine[]): Promise<LineReservation[]> {
  const r = await db.query<{ line_item_id: bigint; lot_id: bigint; quantity: number }>(
    `select line_item_id, lot_id, quantity from lot_reservations
     where shop_id = $1 and location_id = $2 and line_item_id = any($3::bigint[]) order by line_item_id, lot_id`,
    [shopId, locationId.toString(), lines.map((l) => l.lineItemId.toString())],
  );
  return r.rows.map((row) => ({ lineItemId: row.line_item_id, lotId: row.lot_id, quantity: row.quantity }));
}

async function findOrder(db: Db, shopId: number, ref: string): Promise<{ id: bigint; name: string | null; cancelled: boolean }> {
  const [match] = await findOrdersByName(db, shopId, ref.replace(/^gid:\/\/shopify\/Order\//, ""));
  if (!match) throw new OrderNotFoundError(ref);
  const r = await db.query<{ cancelled: boolean }>("select cancelled_at is not null as cancelled from orders where shop_id = $1 and id = $2", [
    shopId,
    match.id.toString(),
  ]);
  return { id: match.id, name: match.name, cancelled: r.rows[0]?.cancelled ?? false };
}

/** The location of the order's newest open fulfilment (we keep no fulfilment orders yet). */
async function openFulfilmentLocation(db: Db, shopId: number, orderId: bigint): Promise<bigint | null> {
  const r = await db.query<{ location_id: bigint }>(
    `select location_id from fulfillments
     where shop_id = $1 and order_id = $2 and status in ${OPEN_FULFILMENT_STATUSES} and location_id is not null
     order by shopify_created_at desc nulls last, id desc limit 1`,
    [shopId, orderId.toString()],
  );
  return r.rows[0]?.location_id ?? null;
}

/** Where the order's units are reserved (most units first), when no open fulfilment says where. */
async function reservedLocation(db: Db, shopId: number, orderId: bigint): Promise<bigint | null> {
  const r = await db.query<{ location_id: bigint }>(
    `select location_id from lot_reservations where shop_id = $1 and order_id = $2
     group by location_id order by sum(quantity) desc, location_id limit 1`,
    [shopId, orderId.toString()],
  );
  return r.rows[0]?.location_id ?? null;
}

/** A location is known when Shopify named it (locations) or units were received there (lot balances). */
async function findLocation(db: Db, shopId: number, locationId: bigint): Promise<PickList["location"]> {
  const r = await db.query<{ name: string | null }>(
    `select (select name from locations where shop_id = $1 and id = $2) as name
     where exists (select 1 from locations where shop_id = $1 and id = $2)
        or exists (select 1 from lot_balances where shop_id = $1 and location_id = $2)`,
    [shopId, locationId.toString()],
  );
  if (r.rows.length === 0) throw new LocationNotFoundError(locationId);
  return { id: locationId, name: r.rows[0]!.name };
}

/**
 * Lines of orders that are not cancelled with units left to fulfil (OPEN_QUANTITY_SQL, shared with
 * the reservations: the line's quantity minus what its fulfilments took, minus units refunded with
 * restock type `cancel`, capped by Shopify's current_quantity after order edits). Oldest order
 * first, then line item id (the allocation's order within a fulfilment). For a location batch, an
 * order whose open fulfilment is at another location is left to that location's list.
 */
async function openLines(db: Db, shopId: number, locationId: bigint, orderId: bigint | null): Promise<OpenLine[]> {
  const r = await db.query<{
    order_id: bigint;
    order_name: string | null;
    line_item_id: bigint;
    variant_id: bigint | null;
    sku: string | null;
    title: string | null;
    open_quantity: number;
    lot_tracked: boolean | null;
    strategy_override: AllocationStrategy | null;
    lot_property: string | null;
  }>(
    `select * from (
       select o.id as order_id, o.name as order_name, o.shopify_created_at, ol.id as line_item_id, ol.variant_id,
              coalesce(v.sku, ol.sku) as sku, coalesce(v.product_title || ' - ' || v.title, ol.title, v.title) as title,
              v.lot_tracked, v.strategy_override, ol.lot_property,
              ${OPEN_QUANTITY_SQL} as open_quantity
       from orders o
       join order_lines ol on ol.shop_id = o.shop_id and ol.order_id = o.id
       left join variants v on v.shop_id = ol.shop_id and v.id = ol.variant_id
       where o.shop_id = $1 and o.cancelled_at is null
         and ($3::bigint is not null and o.id = $3::bigint
              or $3::bigint is null and not exists (
                select 1 from fulfillments f where f.shop_id = o.shop_id and f.order_id = o.id
                  and f.status in ${OPEN_FULFILMENT_STATUSES} and f.location_id is not null and f.location_id <> $2))
     ) x
     where open_quantity > 0
     order by shopify_created_at nulls last, order_id, line_item_id`,
    [shopId, locationId.toString(), orderId?.toString() ?? null],
  );
  return r.rows.map((row) => ({
    orderId: row.order_id,
    orderName: row.order_name,
    lineItemId: row.line_item_id,
    variantId: row.variant_id,
    sku: row.sku,
    title: row.title,
    quantity: row.open_quantity,
    lotTracked: row.lot_tracked,
    strategyOverride: row.strategy_override,
    lotProperty: row.lot_property,
  }));
}

/**
 * The balances the allocation would consider (the very statement its lockCandidates locks: on
 * hand, not quarantined, lot active), with shelf life counted from today, read without a lock.
 */
async function pickableLots(db: Db, shopId: number, locationId: bigint, variantIds: string[], earliestShelfDate: string): Promise<PickableLot[]> {
  const r = await db.query<ShippableBalanceRow>(SHIPPABLE_BALANCES_SQL, [shopId, locationId.toString(), variantIds, earliestShelfDate]);
  return r.rows.map((row) => ({
    lotId: row.lot_id,
    variantId: row.variant_id,
    quantity: row.quantity,
    shelfDate: row.shelf_date,
    receivedAt: row.received_at,
    lotNumber: row.lot_number,
    expiresOn: row.shelf_date,
    bin: row.bin,
    reserved: row.reserved,
  }));
}

/** The pick list as CSV (header first, rows in walking order), every typed-in cell guarded against formulas. */
export function pickListCsv(list: PickList): string {
  return (
    csvRecord(PICK_LIST_CSV_COLUMNS) +
    list.rows.map((r) => csvRecord([r.orderName, r.lineItemId.toString(), r.sku, r.title, r.lotNumber, r.expiresOn, r.bin, r.quantity, r.status])).join("")
  );
}
