// Regulator exports of a recall scope, streamed in constant memory:
//   - CSV (FSMA 204 style sortable spreadsheet): one row per lot x shipment line, one column per
//     data element of docs "What a regulator or a recall needs to see", produced by Postgres
//     itself with COPY ... TO STDOUT (FORMAT csv: RFC 4180 quoting done by the server);
//   - GS1 EPCIS 2.0 JSON-LD: receipts, production runs, quarantines, shipments and returns read in
//     causal order through one server-side cursor (1,000 rows a fetch), written event by event.
// Both return a Node Readable (Readable.toWeb() gives a web stream for a Remix Response). Each
// holds one pooled connection while it streams and gives it back on end, error or abort.
import { Readable } from "node:stream";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { pool } from "../../db.server";
import { findLotsByNumber, possiblyAffectedWindowsSql, recallScope, type ScopeLot } from "../recall/recall-lookup.server";
import { findShopDomain } from "../shops/shops.server";
import { RecallNotFoundError } from "../recall/errors";
import { csvCellSql } from "./csv-cells";
import { lotLiteral, releasing } from "./export-stream.server";
import { fsma204CsvStream } from "./fsma204.server";
import { DOCUMENT_TAIL, documentHead, holdEvent, receiptEvent, returnEvent, shipmentEvent, transformationEvent, type EpcisLot } from "./epcis";

/** The CSV header, in order (README "Recalls and trace" lists what each means). */
export const RECALL_CSV_COLUMNS = [
  "lot_code",
  "lot_scope",
  "gtin",
  "sku",
  "product_description",
  "variant_id",
  "expiry_date",
  "best_before_date",
  "production_date",
  "quantity",
  "unit_of_measure",
  "ship_date",
  "ship_from_location_id",
  "ship_from_location_name",
  "customer_id",
  "recipient_name",
  "recipient_address1",
  "recipient_address2",
  "recipient_city",
  "recipient_region",
  "recipient_postal_code",
  "recipient_country",
  "recipient_email",
  "recipient_phone",
  "recipient_redacted",
  "order_id",
  "order_name",
  "line_item_id",
  "fulfillment_id",
  "fulfillment_name",
  "lot_supplier",
  "lot_supplier_lot",
  "lot_purchase_order",
  "lot_receipt_date",
  "returned_quantity",
  "returned_date",
  "lot_status",
  "recall_references",
] as const;

/**
 * Columns the export writes itself (ids, numbers, dates, fixed words): every other column is text
 * a customer, a merchant or Shopify's admin typed and goes through csvCellSql (formula injection).
 */
const GENERATED_COLUMNS: ReadonlySet<string> = new Set([
  "lot_scope",
  "variant_id",
  "expiry_date",
  "best_before_date",
  "production_date",
  "quantity",
  "unit_of_measure",
  "ship_date",
  "ship_from_location_id",
  "customer_id",
  "recipient_redacted",
  "order_id",
  "line_item_id",
  "fulfillment_id",
  "lot_receipt_date",
  "returned_quantity",
  "returned_date",
  "lot_status",
] satisfies (typeof RECALL_CSV_COLUMNS)[number][]);
const PHONE_COLUMNS: ReadonlySet<string> = new Set(["recipient_phone"] satisfies (typeof RECALL_CSV_COLUMNS)[number][]);

/** The cell of column `column` computed by `expr`. */
const cell = (column: string, expr: string) => (GENERATED_COLUMNS.has(column) ? expr : csvCellSql(expr, PHONE_COLUMNS.has(column) ? "phone" : "text"));
const unlessRedacted = (expr: string) => `case when coalesce(o.redacted, false) then null else ${expr} end`;
const addr = (key: string) => unlessRedacted(`nullif(sa.${key}, '')`);

/** Shipment columns shared by confirmed and possibly affected rows (`a` allocation, `o` order, `f`, `loc`). */
const SHIPMENT_COLUMNS: Record<string, string> = {
  quantity: "a.quantity",
  unit_of_measure: "'each'",
  ship_date: `to_char(a.fulfilled_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
  ship_from_location_id: "a.location_id",
  ship_from_location_name: "loc.name",
  customer_id: "coalesce(a.customer_id, o.customer_id)",
  recipient_name: unlessRedacted("coalesce(o.customer_name, sa.name)"),
  recipient_address1: addr("address1"),
  recipient_address2: addr("address2"),
  recipient_city: addr("city"),
  recipient_region: unlessRedacted("coalesce(nullif(sa.province_code, ''), sa.province)"),
  recipient_postal_code: unlessRedacted("sa.zip"),
  recipient_country: unlessRedacted("coalesce(nullif(sa.country_code, ''), sa.country)"),
  recipient_email: unlessRedacted("coalesce(o.customer_email, o.email)"),
  recipient_phone: unlessRedacted("coalesce(o.customer_phone, sa.phone)"),
  recipient_redacted: "case when coalesce(o.redacted, false) then 'yes' else 'no' end",
  order_id: "a.order_id",
  order_name: "o.name",
  line_item_id: "a.line_item_id",
  fulfillment_id: "a.fulfillment_id",
  fulfillment_name: "f.name",
  returned_quantity: "a.returned_quantity",
  returned_date: `case when a.returned_quantity > 0 then (select to_char(max(r.returned_at) at time zone 'UTC', 'YYYY-MM-DD')
      from allocation_returns r where r.shop_id = a.shop_id and r.allocation_id = a.id) end`,
};

/** Lot columns of the sheet, computed once per lot, as text or null (made formula-safe in lotRowsSql). */
async function lotColumns(
  client: pg.PoolClient,
  shopId: number,
  lot: Pick<ScopeLot, "lotId" | "direct">,
): Promise<{ lotNumber: string; values: Record<string, string | null> } | null> {
  const r = await client.query<Record<string, string | null> & { lot_number: string }>(
    `select l.lot_number, l.lot_number as lot_code, coalesce(l.gtin, v.barcode) as gtin, v.sku,
            nullif(concat_ws(' / ', v.product_title, nullif(v.title, 'Default Title')), '') as product_description,
            l.variant_id::text as variant_id, l.expires_on::text as expiry_date, l.best_before_on::text as best_before_date, l.produced_on::text as production_date,
            l.supplier as lot_supplier, l.supplier_lot as lot_supplier_lot, l.purchase_order as lot_purchase_order,
            to_char(l.received_at at time zone 'UTC', 'YYYY-MM-DD') as lot_receipt_date, l.status::text as lot_status,
            (select string_agg(r.reference, ' ' order by r.reference) from recall_lots rl join recalls r on r.id = rl.recall_id and r.shop_id = rl.shop_id
              where rl.shop_id = l.shop_id and rl.lot_id = l.id and r.status = 'OPEN') as recall_references
       from lots l left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
      where l.shop_id = $1 and l.id = $2`,
    [shopId, lot.lotId],
  );
  const row = r.rows[0];
  if (!row) return null;
  return { lotNumber: row.lot_number, values: { ...row, lot_scope: lot.direct ? "recalled lot" : "made from recalled lot" } };
}

// The shipping address is read once per row into columns (\`sa\`), not parsed again for each of them.
const JOINS = `left join orders o on o.shop_id = a.shop_id and o.id = a.order_id
      left join lateral jsonb_to_record(o.shipping_address) as sa(name text, address1 text, address2 text, city text, province text,
        province_code text, zip text, country text, country_code text, phone text) on true
      left join fulfillments f on f.shop_id = a.shop_id and f.id = a.fulfillment_id
      left join locations loc on loc.shop_id = a.shop_id and loc.id = a.location_id`;

/**
 * One lot's rows: lot columns are literals (escaped by the pg client), the rest per shipment.
 * Ordered by customer, then ship time: the index allocations(shop_id, lot_id, customer_id) gives
 * that order, so Postgres streams rows as it reads them (an incremental sort within a customer)
 * instead of sorting 100,000 wide rows.
 */
function lotRowsSql(client: pg.PoolClient, shopId: number, lotId: bigint, lot: Record<string, string | null>): string {
  const literal = (v: string | null | undefined) => (v === null || v === undefined ? "null" : client.escapeLiteral(v));
  const columns = RECALL_CSV_COLUMNS.map((c) => cell(c, c in SHIPMENT_COLUMNS ? SHIPMENT_COLUMNS[c]! : literal(lot[c]))).join(",\n      ");
  return `select ${columns}
      from allocations a ${JOINS}
     where a.shop_id = ${Number(shopId)} and a.lot_id = ${BigInt(lotId).toString()} and a.status = 'ALLOCATED'
     order by a.customer_id, a.fulfilled_at, a.id`;
}

/** Unknown-lot shipments of the scope's variants inside the lots' windows (see listPossiblyAffected). */
function possibleRowsSql(shopId: number, lotIds: readonly bigint[]): string {
  const shop = String(Number(shopId));
  const expression = (c: string) => {
    if (c in SHIPMENT_COLUMNS) return SHIPMENT_COLUMNS[c]!;
    if (c === "lot_scope") return "'unknown lot, possibly affected'";
    if (c === "gtin") return "v.barcode";
    if (c === "sku") return "v.sku";
    if (c === "product_description") return "nullif(concat_ws(' / ', v.product_title, nullif(v.title, 'Default Title')), '')";
    if (c === "variant_id") return "a.variant_id";
    if (c === "lot_status") return "'UNKNOWN_LOT'";
    return "null";
  };
  const columns = RECALL_CSV_COLUMNS.map((c) => cell(c, expression(c))).join(",\n      ");
  return `with ${possiblyAffectedWindowsSql(shop, lotLiteral(lotIds))}
    select ${columns}
      from win
      join allocations a on a.shop_id = ${shop} and a.variant_id = win.variant_id and a.unknown_lot
                        and a.fulfilled_at >= win.from_at and a.fulfilled_at <= win.to_at and a.status = 'ALLOCATED'
      left join variants v on v.shop_id = a.shop_id and v.id = a.variant_id
      ${JOINS}
     order by a.fulfilled_at, a.id`;
}

/**
 * The regulator CSV of a set of lots (a recall scope), streamed by Postgres (COPY TO STDOUT), in a
 * read-only snapshot: one COPY per lot (lots in lot number order, rows by customer then ship
 * time), then the unknown-lot rows. Constant memory on both sides, first bytes at once.
 */
export async function recallCsvStream(shopId: number, lots: Pick<ScopeLot, "lotId" | "direct">[]): Promise<Readable> {
  if (!Number.isInteger(shopId)) throw new TypeError("shopId must be an integer");
  const header = RECALL_CSV_COLUMNS.join(",") + "\n";
  if (lots.length === 0) return Readable.from([header], { objectMode: false });
  const client = await pool().connect();
  async function* rows(): AsyncGenerator<Buffer | string> {
    await client.query("begin isolation level repeatable read read only");
    yield header;
    const described = [];
    for (const lot of lots) {
      const found = await lotColumns(client, shopId, lot);
      if (found) described.push({ lotId: lot.lotId, ...found });
    }
    described.sort((a, b) => (a.lotNumber < b.lotNumber ? -1 : a.lotNumber > b.lotNumber ? 1 : a.lotId < b.lotId ? -1 : 1));
    const statements = [
      ...described.map((d) => lotRowsSql(client, shopId, d.lotId, d.values)),
      possibleRowsSql(
        shopId,
        lots.map((l) => l.lotId),
      ),
    ];
    for (const statement of statements) {
      const copy = client.query(copyTo(`copy (${statement}) to stdout with (format csv)`));
      for await (const chunk of copy) yield chunk as Buffer;
    }
    await client.query("commit");
  }
  return releasing(client, Readable.from(rows(), { objectMode: false }));
}

/** Scope of a lookup by lot number (the lot(s) and every lot made from them, unless directOnly). */
export async function lotExportScope(shopId: number, input: { lotNumber: string; variantId?: bigint; directOnly?: boolean }): Promise<ScopeLot[]> {
  const direct = await findLotsByNumber(pool(), shopId, input.lotNumber, input.variantId);
  return recallScope(pool(), shopId, direct, { directOnly: input.directOnly });
}

/** Scope of a recall case, as recorded when it was opened. */
export async function recallCaseScope(shopId: number, recallId: bigint): Promise<{ reference: string; lots: Pick<ScopeLot, "lotId" | "direct">[] }> {
  const recall = await pool().query<{ reference: string }>("select reference from recalls where shop_id = $1 and id = $2", [shopId, recallId]);
  if (!recall.rows[0]) throw new RecallNotFoundError(recallId.toString());
  const lots = await pool().query<{ lot_id: bigint; direct: boolean }>(
    "select lot_id, direct from recall_lots where shop_id = $1 and recall_id = $2 order by lot_id",
    [shopId, recallId],
  );
  return { reference: recall.rows[0].reference, lots: lots.rows.map((l) => ({ lotId: l.lot_id, direct: l.direct })) };
}

// ---------------------------------------------------------------------------------------------
// EPCIS

interface LotColumns {
  variant_id: bigint | string | number;
  lot_number: string;
  gtin: string | null;
  expires_on: string | null;
  best_before_on: string | null;
  produced_on: string | null;
}

/** A lot as JSON (json_build_object keeps the bigint variant id exact as text). */
const LOT_JSON = (alias: string) =>
  `(select json_build_object('variant_id', ${alias}.variant_id::text, 'lot_number', ${alias}.lot_number, 'gtin', coalesce(${alias}.gtin, v.barcode),
      'expires_on', ${alias}.expires_on::text, 'best_before_on', ${alias}.best_before_on::text, 'produced_on', ${alias}.produced_on::text)
     from variants v right join (select 1) one on v.shop_id = ${alias}.shop_id and v.id = ${alias}.variant_id)`;

const toLot = (r: LotColumns): EpcisLot => ({
  variantId: BigInt(String(r.variant_id)),
  lotNumber: r.lot_number,
  gtin: r.gtin,
  expiresOn: r.expires_on,
  bestBeforeOn: r.best_before_on,
  producedOn: r.produced_on,
});

async function* cursorRows<T>(client: pg.PoolClient, name: string, text: string, values: unknown[]): AsyncGenerator<T> {
  await client.query(`declare ${name} no scroll cursor for ${text}`, values);
  for (;;) {
    const batch = await client.query<T & pg.QueryResultRow>(`fetch 1000 from ${name}`);
    for (const row of batch.rows) yield row as T;
    if (batch.rows.length < 1000) break;
  }
  await client.query(`close ${name}`);
}

/**
 * Every event of the scope in causal order (docs/decisions/085), one row per event:
 * `kind`, `at` (the eventTime), `id`, and the event's columns in `d` (json).
 *
 * Times come from different clocks: a receipt's from what the merchant typed (lots.received_at)
 * or our database, a run's and a quarantine's from our database, a shipment's from Shopify's
 * fulfilment, a return's from Shopify's refund. An event of a lot is never put before the lot
 * entered our records (`entry`: its first receipt, or the run that made it): its time is raised
 * to that moment; a run is never before its inputs entered, a return never before its shipment.
 * Rows are then sorted by that time, receipts and runs first at equal times.
 */
const EPCIS_EVENTS_SQL = `
with scope as (select unnest($2::bigint[]) as lot_id),
runs as (
  select r.* from production_runs r
   where r.shop_id = $1 and (r.output_lot_id in (select lot_id from scope)
         or exists (select 1 from production_inputs i where i.shop_id = $1 and i.run_id = r.id and i.input_lot_id in (select lot_id from scope)))),
involved as (
  select lot_id from scope union select output_lot_id from runs
  union select i.input_lot_id from production_inputs i where i.shop_id = $1 and i.run_id in (select id from runs)),
first_receipt as (
  select e.lot_id, min(e.id) as entry_id from ledger_entries e
   where e.shop_id = $1 and e.kind = 'RECEIVED' and e.lot_id in (select lot_id from involved) group by e.lot_id),
receipt_at as (
  -- A receipt is never recorded before it happened: the first one is at the typed receipt time
  -- unless that is later than the recording.
  select e.id, e.lot_id, case when e.id = fr.entry_id then least(l.received_at, e.created_at) else e.created_at end as at
    from ledger_entries e join lots l on l.shop_id = e.shop_id and l.id = e.lot_id
    left join first_receipt fr on fr.lot_id = e.lot_id
   where e.shop_id = $1 and e.kind = 'RECEIVED' and e.lot_id in (select lot_id from involved)),
base as (
  select l.id as lot_id,
         coalesce((select min(ra.at) from receipt_at ra where ra.lot_id = l.id),
                  least(l.received_at, (select min(e.created_at) from ledger_entries e where e.shop_id = $1 and e.lot_id = l.id and e.kind = 'PRODUCED'))) as at,
         exists (select 1 from receipt_at ra where ra.lot_id = l.id) as received
    from lots l where l.shop_id = $1 and l.id in (select lot_id from involved)),
run_at as (
  select r.id as run_id,
         greatest(r.created_at, (select max(b.at) from production_inputs i join base b on b.lot_id = i.input_lot_id where i.shop_id = $1 and i.run_id = r.id)) as at
    from runs r),
entry as (
  select b.lot_id,
         case when b.received then least(b.at, coalesce((select min(ra.at) from runs r join run_at ra on ra.run_id = r.id where r.output_lot_id = b.lot_id), b.at))
              else coalesce((select min(ra.at) from runs r join run_at ra on ra.run_id = r.id where r.output_lot_id = b.lot_id), b.at) end as at
    from base b)
select kind, at, id, d from (
  select 'receipt' as kind, greatest(ra.at, en.at) as at, 0 as rank, e.id,
         json_build_object('quantity', e.delta, 'location_id', e.location_id::text, 'supplier', l.supplier, 'purchase_order', l.purchase_order,
           'lot', ${LOT_JSON("l")},
           'hold', (select case when h.kind = 'QUARANTINED' then case when h.cause_ref like 'recall:%' then 'recall' else 'quarantine' end end
                      from ledger_entries h where h.shop_id = $1 and h.lot_id = e.lot_id and h.location_id is not distinct from e.location_id
                       and h.kind in ('QUARANTINED', 'RELEASED') and h.id < e.id order by h.id desc limit 1)) as d
    from ledger_entries e join receipt_at ra on ra.id = e.id join entry en on en.lot_id = e.lot_id
    join lots l on l.shop_id = e.shop_id and l.id = e.lot_id
   where e.shop_id = $1 and e.lot_id in (select lot_id from scope)
  union all
  select 'run', ra.at, 1, r.id,
         json_build_object('kind', r.kind::text, 'location_id', r.location_id::text, 'output_quantity', r.output_quantity,
           'output', (select ${LOT_JSON("l")} from lots l where l.shop_id = $1 and l.id = r.output_lot_id),
           'inputs', (select json_agg(json_build_object('quantity', i.quantity, 'lot', (select ${LOT_JSON("l")} from lots l where l.shop_id = $1 and l.id = i.input_lot_id)) order by i.id)
                        from production_inputs i where i.shop_id = $1 and i.run_id = r.id))
    from runs r join run_at ra on ra.run_id = r.id
  union all
  select case when e.kind = 'RELEASED' then 'release' when e.cause_ref like 'recall:%' then 'recall' else 'quarantine' end,
         greatest(e.created_at, en.at), 2, e.id,
         json_build_object('quantity', e.balance_after, 'location_id', e.location_id::text, 'lot', ${LOT_JSON("l")})
    from ledger_entries e join entry en on en.lot_id = e.lot_id join lots l on l.shop_id = e.shop_id and l.id = e.lot_id
   where e.shop_id = $1 and e.lot_id in (select lot_id from scope) and e.kind in ('QUARANTINED', 'RELEASED')
     and e.location_id is not null and coalesce(e.balance_after, 0) > 0
  union all
  select 'shipment', greatest(a.fulfilled_at, en.at), 3, a.id,
         json_build_object('quantity', a.quantity, 'location_id', a.location_id::text, 'order_id', a.order_id::text, 'fulfillment_id', a.fulfillment_id::text,
           'customer_key', a.customer_key, 'lot', ${LOT_JSON("l")})
    from allocations a join entry en on en.lot_id = a.lot_id join lots l on l.shop_id = a.shop_id and l.id = a.lot_id
   where a.shop_id = $1 and a.lot_id in (select lot_id from scope) and a.status = 'ALLOCATED'
  union all
  select 'return', greatest(r.returned_at, a.fulfilled_at, en.at), 4, r.id,
         json_build_object('quantity', r.quantity, 'location_id', r.location_id::text, 'order_id', a.order_id::text, 'refund_id', r.refund_id::text,
           'lot', ${LOT_JSON("l")})
    from allocation_returns r join allocations a on a.shop_id = r.shop_id and a.id = r.allocation_id
    join entry en on en.lot_id = a.lot_id join lots l on l.shop_id = a.shop_id and l.id = a.lot_id
   where r.shop_id = $1 and a.lot_id in (select lot_id from scope)
) ev
order by at, rank, id`;

/** The `d` columns of EPCIS_EVENTS_SQL, each kind using its own (ids as text: exact beyond 2^53). */
interface EventData {
  quantity: number;
  location_id: string | null;
  lot: LotColumns;
  supplier: string | null;
  purchase_order: string | null;
  hold: "quarantine" | "recall" | null;
  kind: string;
  output_quantity: number;
  output: LotColumns;
  inputs: { quantity: number; lot: LotColumns }[] | null;
  order_id: string;
  fulfillment_id: string | null;
  customer_key: string;
  refund_id: string;
}

type EventRow = { kind: string; at: Date; id: bigint; d: EventData };

function eventOf(domain: string, row: EventRow): unknown {
  const d = row.d;
  const lot = toLot;
  const big = (v: string | null) => BigInt(String(v));
  switch (row.kind) {
    case "receipt":
      return receiptEvent(domain, {
        entryId: row.id,
        at: row.at,
        lot: lot(d.lot),
        quantity: d.quantity,
        locationId: d.location_id === null ? null : big(d.location_id),
        supplier: d.supplier,
        purchaseOrder: d.purchase_order,
        intoQuarantine: d.hold,
      });
    case "run":
      return transformationEvent(domain, {
        runId: row.id,
        kind: d.kind,
        at: row.at,
        locationId: big(d.location_id),
        output: lot(d.output),
        outputQuantity: d.output_quantity,
        inputs: (d.inputs ?? []).map((i) => ({ lot: lot(i.lot), quantity: i.quantity })),
      });
    case "quarantine":
    case "recall":
    case "release":
      return holdEvent(domain, { entryId: row.id, at: row.at, lot: lot(d.lot), quantity: d.quantity, locationId: big(d.location_id), change: row.kind });
    case "shipment":
      return shipmentEvent(domain, {
        allocationId: row.id,
        at: row.at,
        lot: lot(d.lot),
        quantity: d.quantity,
        locationId: big(d.location_id),
        orderId: big(d.order_id),
        fulfillmentId: d.fulfillment_id === null ? null : big(d.fulfillment_id),
        customerKey: d.customer_key,
      });
    case "return":
      return returnEvent(domain, {
        returnId: row.id,
        at: row.at,
        lot: lot(d.lot),
        quantity: d.quantity,
        locationId: big(d.location_id),
        orderId: big(d.order_id),
        refundId: big(d.refund_id),
      });
    default:
      throw new Error(`unknown EPCIS event kind ${row.kind}`);
  }
}

/**
 * EPCIS 2.0 JSON-LD document of a set of lots (receipts, production runs, quarantines and
 * releases, shipments, returns), streamed in causal order (EPCIS_EVENTS_SQL).
 */
export async function recallEpcisStream(shopId: number, lots: Pick<ScopeLot, "lotId">[], now: Date = new Date()): Promise<Readable> {
  const lotIds = lots.map((l) => l.lotId.toString());
  const domain = (await findShopDomain(pool(), shopId)) ?? `shop-${shopId}.myshopify.com`;
  const client = await pool().connect();
  async function* events(): AsyncGenerator<string> {
    let first = true;
    await client.query("begin isolation level repeatable read read only");
    try {
      yield documentHead(now);
      for await (const row of cursorRows<EventRow>(client, "epcis_events", EPCIS_EVENTS_SQL, [shopId, lotIds])) {
        yield (first ? "" : ",") + JSON.stringify(eventOf(domain, row));
        first = false;
      }
      yield DOCUMENT_TAIL;
      await client.query("commit");
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    }
  }
  const stream = Readable.from(events(), { objectMode: false });
  return releasing(client, stream);
}

/** csv: the recall CSV (a row per lot x shipment line); epcis: GS1 EPCIS 2.0; fsma204: FDA's sortable spreadsheet (fsma204.server.ts). */
export const EXPORT_FORMATS = ["csv", "epcis", "fsma204"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const isExportFormat = (value: string): value is ExportFormat => (EXPORT_FORMATS as readonly string[]).includes(value);

export type ExportTarget = { recallId: bigint } | { lotNumber: string; variantId?: bigint; directOnly?: boolean };

/**
 * One call for a download route: the scope (a recall case, or a lot and what was made from it),
 * the stream, and what to put in Content-Type / Content-Disposition. Throws RecallNotFoundError or
 * LotNotFoundError (from the shop's own data only).
 * Remix: `new Response(Readable.toWeb(e.stream) as ReadableStream, { headers: { "Content-Type": e.contentType, "Content-Disposition": `attachment; filename="${e.filename}"` } })`.
 */
export async function exportRecall(
  shopId: number,
  target: ExportTarget,
  format: ExportFormat,
): Promise<{ stream: Readable; contentType: string; filename: string }> {
  let lots: Pick<ScopeLot, "lotId" | "direct">[];
  let name: string;
  if ("recallId" in target) {
    const scope = await recallCaseScope(shopId, target.recallId);
    lots = scope.lots;
    name = `recall-${scope.reference}`;
  } else {
    lots = await lotExportScope(shopId, target);
    name = `lot-${target.lotNumber}`;
  }
  const safeName = name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 100);
  const day = new Date().toISOString().slice(0, 10);
  if (format === "fsma204")
    return { stream: await fsma204CsvStream(shopId, lots), contentType: "text/csv; charset=utf-8", filename: `${safeName}-${day}.fsma204.csv` };
  return format === "csv"
    ? { stream: await recallCsvStream(shopId, lots), contentType: "text/csv; charset=utf-8", filename: `${safeName}-${day}.csv` }
    : { stream: await recallEpcisStream(shopId, lots), contentType: "application/ld+json", filename: `${safeName}-${day}.epcis.jsonld` };
}
