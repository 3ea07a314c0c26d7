// Trace: forward (lot -> downstream lots -> orders -> customers) and backward (order, customer or
// lot -> lots -> input lots -> suppliers), through any depth of production runs. Reads only; the
// genealogy walk is cycle-safe (genealogy.server.ts). Every statement is shop-scoped.
import { pool } from "../../db.server";
import { downstreamLots, edgesAmong, upstreamLots, type GenealogyEdge } from "../genealogy/genealogy.server";
import { findLotsByNumber, listLotCustomers, type RecallCustomer } from "../recall/recall-lookup.server";
import { RecallInputError } from "../recall/errors";
import type { Db } from "../../lib/sql.server";

export interface TracedLot {
  lotId: bigint;
  lotNumber: string;
  variantId: bigint;
  sku: string | null;
  product: string | null;
  status: string;
  /** 0: a starting lot; n: n production runs away from the nearest starting lot. */
  depth: number;
  expiresOn: string | null;
  receivedAt: string;
  supplier: string | null;
  supplierLot: string | null;
  purchaseOrder: string | null;
  /** Made by a production run (no supplier: its inputs have them). */
  produced: boolean;
  shippedUnits: number;
  returnedUnits: number;
  onHandUnits: number;
}

export interface TraceEdge extends GenealogyEdge {
  inputLotNumber: string;
  outputLotNumber: string;
}

export interface LotTrace {
  direction: "forward" | "backward";
  lots: TracedLot[];
  edges: TraceEdge[];
  /** Forward only: customers of the starting and downstream lots (first page). */
  customers?: RecallCustomer[];
  nextCursor?: string | null;
  /** Backward only: the suppliers upstream, each with the lots that came from it. */
  suppliers?: { supplier: string; lots: { lotNumber: string; supplierLot: string | null; purchaseOrder: string | null }[] }[];
}

/** Attributes and per-lot figures of a set of lots, in one statement. */
async function describeLots(db: Db, shopId: number, depths: Map<bigint, number>): Promise<TracedLot[]> {
  const ids = [...depths.keys()];
  if (ids.length === 0) return [];
  const result = await db.query<{
    id: bigint;
    lot_number: string;
    variant_id: bigint;
    sku: string | null;
    product: string | null;
    status: string;
    expires_on: string | null;
    received_at: Date;
    supplier: string | null;
    supplier_lot: string | null;
    purchase_order: string | null;
    produced: boolean;
    shipped: number;
    returned: number;
    on_hand: number;
  }>(
    `select l.id, l.lot_number, l.variant_id, v.sku,
            nullif(concat_ws(' / ', v.product_title, nullif(v.title, 'Default Title')), '') as product,
            l.status, l.expires_on, l.received_at, l.supplier, l.supplier_lot, l.purchase_order,
            exists (select 1 from production_runs r where r.shop_id = l.shop_id and r.output_lot_id = l.id) as produced,
            coalesce(s.shipped, 0)::int as shipped, coalesce(s.returned, 0)::int as returned,
            (select coalesce(sum(b.quantity), 0)::int from lot_balances b where b.shop_id = l.shop_id and b.lot_id = l.id) as on_hand
       from lots l
       left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
       left join lateral (select sum(a.quantity) as shipped, sum(a.returned_quantity) as returned from allocations a
                           where a.shop_id = l.shop_id and a.lot_id = l.id and a.status = 'ALLOCATED') s on true
      where l.shop_id = $1 and l.id = any($2::bigint[])`,
    [shopId, ids],
  );
  return result.rows
    .map((r) => ({
      lotId: r.id,
      lotNumber: r.lot_number,
      variantId: r.variant_id,
      sku: r.sku,
      product: r.product,
      status: r.status,
      depth: depths.get(r.id) ?? 0,
      expiresOn: r.expires_on,
      receivedAt: r.received_at.toISOString(),
      supplier: r.supplier,
      supplierLot: r.supplier_lot,
      purchaseOrder: r.purchase_order,
      produced: r.produced,
      shippedUnits: r.shipped,
      returnedUnits: r.returned,
      onHandUnits: r.on_hand,
    }))
    .sort((a, b) => a.depth - b.depth || a.lotNumber.localeCompare(b.lotNumber) || (a.lotId < b.lotId ? -1 : 1));
}

function namedEdges(edges: GenealogyEdge[], lots: TracedLot[]): TraceEdge[] {
  const numbers = new Map(lots.map((l) => [l.lotId, l.lotNumber]));
  return edges.map((e) => ({ ...e, inputLotNumber: numbers.get(e.inputLotId) ?? "", outputLotNumber: numbers.get(e.outputLotId) ?? "" }));
}

function suppliersOf(lots: TracedLot[]): NonNullable<LotTrace["suppliers"]> {
  const bySupplier = new Map<string, { lotNumber: string; supplierLot: string | null; purchaseOrder: string | null }[]>();
  for (const l of lots) {
    if (!l.supplier) continue;
    const list = bySupplier.get(l.supplier) ?? [];
    list.push({ lotNumber: l.lotNumber, supplierLot: l.supplierLot, purchaseOrder: l.purchaseOrder });
    bySupplier.set(l.supplier, list);
  }
  return [...bySupplier.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([supplier, lots]) => ({ supplier, lots }));
}

/** Forward trace from lots: every downstream lot (any depth), the runs between them, and their customers. */
export async function traceForward(
  shopId: number,
  startLotIds: bigint[],
  options: { cursor?: string | null; limit?: number } = {},
  db: Db = pool(),
): Promise<LotTrace> {
  const downstream = await downstreamLots(db, shopId, startLotIds);
  const depths = new Map<bigint, number>(startLotIds.map((id) => [id, 0]));
  for (const d of downstream) depths.set(d.lotId, d.depth);
  const ids = [...depths.keys()];
  // Three independent reads at once (on a pool they run in parallel).
  const [lots, edges, page] = await Promise.all([
    describeLots(db, shopId, depths),
    edgesAmong(db, shopId, ids),
    listLotCustomers(
      db,
      shopId,
      ids.map((lotId) => ({ lotId, lotNumber: "" })),
      options,
    ),
  ]);
  const numbers = new Map(lots.map((l) => [l.lotId, l.lotNumber]));
  for (const c of page.customers) for (const o of c.orders) o.lotNumber = numbers.get(o.lotId) ?? o.lotNumber;
  return { direction: "forward", lots, edges: namedEdges(edges, lots), customers: page.customers, nextCursor: page.nextCursor };
}

/** Backward trace from lots: every input lot (any depth), the runs, and the suppliers upstream. */
export async function traceBackward(shopId: number, startLotIds: bigint[], db: Db = pool()): Promise<LotTrace> {
  const upstream = await upstreamLots(db, shopId, startLotIds);
  const depths = new Map<bigint, number>(startLotIds.map((id) => [id, 0]));
  for (const u of upstream) depths.set(u.lotId, u.depth);
  const [lots, edges] = await Promise.all([describeLots(db, shopId, depths), edgesAmong(db, shopId, [...depths.keys()])]);
  return { direction: "backward", lots, edges: namedEdges(edges, lots), suppliers: suppliersOf(lots) };
}

/** `lotkeeper trace lot`: by lot number (every variant with that number, or one). */
export async function traceLot(
  shopId: number,
  input: { lotNumber: string; variantId?: bigint; direction: "forward" | "backward"; cursor?: string | null; limit?: number },
  db: Db = pool(),
): Promise<LotTrace> {
  const start = await findLotsByNumber(db, shopId, input.lotNumber, input.variantId);
  const ids = start.map((l) => l.lotId);
  return input.direction === "forward" ? traceForward(shopId, ids, input, db) : traceBackward(shopId, ids, db);
}

// ---------------------------------------------------------------------------------------------
// The other way round: which lots did this customer / this order receive

export interface ReceivedLine {
  orderId: bigint;
  orderName: string | null;
  lineItemId: bigint;
  variantId: bigint;
  lotId: bigint | null;
  lotNumber: string | null;
  unknownLot: boolean;
  locationId: bigint;
  quantity: number;
  returnedQuantity: number;
  fulfilledAt: string;
}

export interface ReceivedLot {
  lotId: bigint;
  lotNumber: string;
  variantId: bigint;
  sku: string | null;
  product: string | null;
  expiresOn: string | null;
  status: string;
  units: number;
  returnedUnits: number;
  orders: ReceivedLine[];
}

interface ReceivedRow {
  id: bigint;
  order_id: bigint;
  order_name: string | null;
  line_item_id: bigint;
  variant_id: bigint;
  lot_id: bigint | null;
  lot_number: string | null;
  unknown_lot: boolean;
  location_id: bigint;
  quantity: number;
  returned_quantity: number;
  fulfilled_at: Date;
  sku: string | null;
  product: string | null;
  expires_on: string | null;
  lot_status: string | null;
}

const RECEIVED_SQL = `select a.id, a.order_id, o.name as order_name, a.line_item_id, a.variant_id, a.lot_id, l.lot_number, a.unknown_lot,
       a.location_id, a.quantity, a.returned_quantity, a.fulfilled_at, v.sku,
       nullif(concat_ws(' / ', v.product_title, nullif(v.title, 'Default Title')), '') as product, l.expires_on, l.status as lot_status
  from allocations a
  left join orders o on o.shop_id = a.shop_id and o.id = a.order_id
  left join lots l on l.shop_id = a.shop_id and l.id = a.lot_id
  left join variants v on v.shop_id = a.shop_id and v.id = a.variant_id`;

function toLine(r: ReceivedRow): ReceivedLine {
  return {
    orderId: r.order_id,
    orderName: r.order_name,
    lineItemId: r.line_item_id,
    variantId: r.variant_id,
    lotId: r.lot_id,
    lotNumber: r.lot_number,
    unknownLot: r.unknown_lot,
    locationId: r.location_id,
    quantity: r.quantity,
    returnedQuantity: r.returned_quantity,
    fulfilledAt: r.fulfilled_at.toISOString(),
  };
}

function groupByLot(rows: ReceivedRow[]): { lots: ReceivedLot[]; unknownLot: ReceivedLine[] } {
  const lots = new Map<bigint, ReceivedLot>();
  const unknownLot: ReceivedLine[] = [];
  for (const r of rows) {
    if (r.lot_id === null) {
      unknownLot.push(toLine(r));
      continue;
    }
    let lot = lots.get(r.lot_id);
    if (!lot) {
      lot = {
        lotId: r.lot_id,
        lotNumber: r.lot_number ?? "",
        variantId: r.variant_id,
        sku: r.sku,
        product: r.product,
        expiresOn: r.expires_on,
        status: r.lot_status ?? "",
        units: 0,
        returnedUnits: 0,
        orders: [],
      };
      lots.set(r.lot_id, lot);
    }
    lot.units += r.quantity;
    lot.returnedUnits += r.returned_quantity;
    lot.orders.push(toLine(r));
  }
  return { lots: [...lots.values()], unknownLot };
}

export interface CustomerLots {
  customerIds: bigint[];
  email: string | null;
  orders: number;
  lots: ReceivedLot[];
  /** Units shipped to the customer that no lot covered (the unknown-lot record). */
  unknownLot: ReceivedLine[];
}

/**
 * Lots a customer received, by Shopify customer id or by email (matched case-insensitively on the
 * order's customer email or order email; the orders of every customer id found that way count too).
 */
export async function lotsForCustomer(shopId: number, who: { customerId?: bigint; email?: string }, db: Db = pool()): Promise<CustomerLots> {
  if (who.customerId === undefined && !who.email) throw new RecallInputError("give a customer id or an email");
  const email = who.email?.trim() ?? null;
  const emails = email ? [...new Set([email, email.toLowerCase()])] : [];
  const orders = await db.query<{ id: bigint; customer_id: bigint | null }>(
    `with by_email as (
       select o.id, o.customer_id from orders o
        where o.shop_id = $1 and $4::text is not null
          and (o.customer_email = any($3::text[]) or lower(coalesce(o.customer_email, o.email)) = lower($4::text))
     ), ids as (
       select $2::bigint as customer_id where $2::bigint is not null
       union select customer_id from by_email where customer_id is not null
     )
     select id, customer_id from by_email
     union
     select o.id, o.customer_id from orders o join ids on o.shop_id = $1 and o.customer_id = ids.customer_id`,
    [shopId, who.customerId ?? null, emails, email],
  );
  const customerIds = [
    ...new Set([...(who.customerId !== undefined ? [who.customerId] : []), ...orders.rows.flatMap((o) => (o.customer_id === null ? [] : [o.customer_id]))]),
  ];
  const orderIds = orders.rows.map((o) => o.id);
  // Allocations carry customer_id themselves (a fulfilment can be allocated before its order arrives).
  const rows = await db.query<ReceivedRow>(
    `${RECEIVED_SQL}
      where a.shop_id = $1 and a.status = 'ALLOCATED' and (a.order_id = any($2::bigint[]) or a.customer_id = any($3::bigint[]))
      order by l.lot_number nulls last, a.lot_id, a.fulfilled_at, a.id`,
    [shopId, orderIds, customerIds],
  );
  return { customerIds, email, orders: new Set(rows.rows.map((r) => r.order_id)).size, ...groupByLot(rows.rows) };
}

export interface OrderLots {
  orderId: bigint;
  orderName: string | null;
  lines: {
    lineItemId: bigint;
    variantId: bigint | null;
    sku: string | null;
    title: string | null;
    quantity: number | null;
    allocations: (Omit<ReceivedLine, "orderId" | "orderName" | "lineItemId" | "variantId"> & { allocationId: bigint; lot: string | null })[];
  }[];
}

/**
 * Lots that went into an order, line by line (lines without allocations are listed too).
 * The Trace page's view (and traceOrderBackward's start): live allocations only, null for an unknown
 * order, order_lines first, sku from the variant for lines only a fulfilment has named so far.
 * traceOrder in app/domain/allocation/queries.server.ts is the full record (reversed allocations,
 * fulfilment lines, pending returns; throws) behind the CLI and the order-lots extension; they
 * differ in shape and fallbacks, so merging would change one side's output.
 */
export async function lotsForOrder(shopId: number, orderId: bigint, db: Db = pool()): Promise<OrderLots | null> {
  const [order, lines, rows] = await Promise.all([
    db.query<{ name: string | null }>(`select name from orders where shop_id = $1 and id = $2`, [shopId, orderId]),
    db.query<{ id: bigint; variant_id: bigint | null; sku: string | null; title: string | null; quantity: number }>(
      `select id, variant_id, sku, title, quantity from order_lines where shop_id = $1 and order_id = $2 order by id`,
      [shopId, orderId],
    ),
    db.query<ReceivedRow>(`${RECEIVED_SQL} where a.shop_id = $1 and a.order_id = $2 and a.status = 'ALLOCATED' order by a.line_item_id, a.fulfilled_at, a.id`, [
      shopId,
      orderId,
    ]),
  ]);
  if (order.rows.length === 0 && rows.rows.length === 0) return null;
  const result: OrderLots = { orderId, orderName: order.rows[0]?.name ?? rows.rows[0]?.order_name ?? null, lines: [] };
  const byLine = new Map<bigint, OrderLots["lines"][number]>();
  for (const l of lines.rows) {
    const line = { lineItemId: l.id, variantId: l.variant_id, sku: l.sku, title: l.title, quantity: l.quantity, allocations: [] };
    byLine.set(l.id, line);
    result.lines.push(line);
  }
  for (const r of rows.rows) {
    let line = byLine.get(r.line_item_id);
    if (!line) {
      line = { lineItemId: r.line_item_id, variantId: r.variant_id, sku: r.sku, title: null, quantity: null, allocations: [] };
      byLine.set(r.line_item_id, line);
      result.lines.push(line);
    }
    const { orderId: _o, orderName: _n, lineItemId: _l, variantId: _v, ...rest } = toLine(r);
    line.allocations.push({ ...rest, allocationId: r.id, lot: r.lot_number });
  }
  return result;
}

/** Backward trace from a customer: lots received, then their inputs and suppliers. */
export async function traceCustomer(shopId: number, who: { customerId?: bigint; email?: string }, db: Db = pool()) {
  const received = await lotsForCustomer(shopId, who, db);
  const upstream = await traceBackward(
    shopId,
    received.lots.map((l) => l.lotId),
    db,
  );
  return { ...received, upstream };
}

/** Backward trace from an order: its lots, then their inputs and suppliers. */
export async function traceOrderBackward(shopId: number, orderId: bigint, db: Db = pool()) {
  const order = await lotsForOrder(shopId, orderId, db);
  if (!order) return null;
  const lotIds = [...new Set(order.lines.flatMap((l) => l.allocations.flatMap((a) => (a.lotId === null ? [] : [a.lotId]))))];
  return { ...order, upstream: await traceBackward(shopId, lotIds, db) };
}
