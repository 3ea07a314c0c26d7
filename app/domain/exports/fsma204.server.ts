// FSMA 204 (FDA Food Traceability Rule, 21 CFR Part 1 Subpart S) electronic sortable spreadsheet
// of a recall scope: one row per Critical Tracking Event x traceability lot, with the Key Data
// Elements of receiving (§ 1.1345), shipping (§ 1.1340) and transformation (§ 1.1350), each a
// column (docs/decisions/108-fsma-204-sheet-and-retention.md). § 1.1455(c)(3)(ii) asks for it
// within 24 hours of FDA's request, so it is built from our own tables (never from webhook
// payloads, which are pruned) and streamed by Postgres (COPY ... TO STDOUT, FORMAT csv) like the
// recall CSV: constant memory, first bytes at once, however big the recall.
//
// Where the rows come from:
//   Receiving       a RECEIVED ledger entry (from the lot's supplier), the arriving half of a
//                   transfer between our locations, or a return (allocation_returns, from the customer)
//   Shipping        an allocation (a fulfilment line shipped from the lot), or the leaving half of a transfer
//   Transformation  a production run that used or made a lot of the scope: a row per input lot and one for the output
// Rows are sorted by event time (ISO 8601, UTC: text order is time order), then event, then id.
import type { Readable } from "node:stream";
import { Readable as NodeReadable } from "node:stream";
import { to as copyTo } from "pg-copy-streams";
import { pool } from "../../db.server";
import type { ScopeLot } from "../recall/recall-lookup.server";
import { csvCellSql } from "./csv-cells";
import { lotLiteral, releasing } from "./export-stream.server";

/** The sheet's header, in order: the KDE names of 21 CFR 1.1340 / 1.1345 / 1.1350 (README "FSMA 204 sortable spreadsheet"). */
export const FSMA204_COLUMNS = [
  "Critical Tracking Event",
  "Event Time (UTC)",
  "Traceability Lot Code",
  "Product Description",
  "GTIN",
  "SKU",
  "Quantity",
  "Unit of Measure",
  "Receive Date",
  "Ship Date",
  "Transformation Date",
  "Immediate Previous Source Location Description",
  "Ship-From Location Description",
  "Ship-To Location Description",
  "Transformation Location Description",
  "Transformation Role",
  "Traceability Lot Code Source Location Description",
  "Supplier Lot Code",
  "Reference Document Type",
  "Reference Document Number",
  "Order",
  "Record ID",
] as const;

type Column = (typeof FSMA204_COLUMNS)[number];

/** Columns typed by a person (a customer, the merchant, Shopify's admin): made formula-safe (csv-cells.ts). */
const TYPED: ReadonlySet<Column> = new Set<Column>([
  "Traceability Lot Code",
  "Product Description",
  "GTIN",
  "SKU",
  "Immediate Previous Source Location Description",
  "Ship-From Location Description",
  "Ship-To Location Description",
  "Transformation Location Description",
  "Traceability Lot Code Source Location Description",
  "Supplier Lot Code",
  "Reference Document Number",
  "Order",
]);

const iso = (expr: string) => `to_char((${expr}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
const day = (expr: string) => `to_char((${expr}) at time zone 'UTC', 'YYYY-MM-DD')`;
/** One of our Shopify locations (the table keeps its name only; Shopify holds its address). */
const ourLocation = (alias: string, idExpr: string) => `coalesce(${alias}.name, 'location ' || (${idExpr})::text)`;
/**
 * A customer as the shipment's recipient (or a return's previous source): name and shipping
 * address, the order's customer snapshot. Redacted orders (customers/redact) say so instead.
 */
const recipient = `case when coalesce(o.redacted, false) then 'customer (personal data erased on request)'
  else nullif(concat_ws(', ', coalesce(o.customer_name, sa.name), nullif(sa.address1, ''), nullif(sa.address2, ''), nullif(sa.city, ''),
    nullif(concat_ws(' ', coalesce(nullif(sa.province_code, ''), sa.province), sa.zip), ''), coalesce(nullif(sa.country_code, ''), sa.country),
    coalesce(o.customer_phone, sa.phone)), '') end`;
const ORDER_JOINS = `left join orders o on o.shop_id = a.shop_id and o.id = a.order_id
      left join lateral jsonb_to_record(o.shipping_address) as sa(name text, address1 text, address2 text, city text, province text,
        province_code text, zip text, country text, country_code text, phone text) on true`;

/**
 * The events of the scope as rows of (cte, at, rank, sort_id, lot_id, quantity, previous_source,
 * ship_from, ship_to, transform_location, role, ref_type, ref_number, order_name, record_id).
 * Every table is read by shop: ids from other shops never match.
 */
function eventsSql(shop: string, lots: string): string {
  return `
scope as (select unnest(${lots}) as lot_id),
first_receipt as (
  select e.lot_id, min(e.id) as entry_id from ledger_entries e
   where e.shop_id = ${shop} and e.kind = 'RECEIVED' and e.lot_id in (select lot_id from scope) group by e.lot_id),
runs as (
  select r.* from production_runs r
   where r.shop_id = ${shop} and (r.output_lot_id in (select lot_id from scope)
         or exists (select 1 from production_inputs i where i.shop_id = ${shop} and i.run_id = r.id and i.input_lot_id in (select lot_id from scope)))),
transfers as (
  -- transferLot writes the leaving entry (negative) and the arriving one in one statement of one
  -- transaction: same lot, same created_at, the next id with the opposite delta.
  select e.id, e.lot_id, e.created_at, -e.delta as quantity, e.location_id as from_id, t.location_id as to_id
    from ledger_entries e
    join lateral (select t.location_id from ledger_entries t
                   where t.shop_id = e.shop_id and t.lot_id = e.lot_id and t.kind = 'TRANSFERRED' and t.delta = -e.delta
                     and t.created_at = e.created_at and t.id > e.id order by t.id limit 1) t on true
   where e.shop_id = ${shop} and e.kind = 'TRANSFERRED' and e.delta < 0 and e.lot_id in (select lot_id from scope)),
events as (
  -- A first receipt is at the receipt time the merchant typed, unless that is later than its recording.
  select 'Receiving' as cte, case when e.id = fr.entry_id then least(l.received_at, e.created_at) else e.created_at end as at, 1 as rank, e.id as sort_id,
         e.lot_id, e.delta as quantity, l.supplier as previous_source, l.supplier as ship_from, ${ourLocation("loc", "e.location_id")} as ship_to,
         null::text as transform_location, null::text as role,
         case when coalesce(substring(e.reason from '^PO (.+)$'), l.purchase_order) is not null then 'Purchase Order' else 'Receipt' end as ref_type,
         coalesce(substring(e.reason from '^PO (.+)$'), l.purchase_order, 'receipt ' || e.id::text) as ref_number,
         null::text as order_name, 'receipt-' || e.id::text as record_id
    from ledger_entries e join lots l on l.shop_id = e.shop_id and l.id = e.lot_id
    left join first_receipt fr on fr.lot_id = e.lot_id
    left join locations loc on loc.shop_id = e.shop_id and loc.id = e.location_id
   where e.shop_id = ${shop} and e.kind = 'RECEIVED' and e.lot_id in (select lot_id from scope)
  union all
  select 'Shipping', t.created_at, 2, t.id, t.lot_id, t.quantity, null, ${ourLocation("lf", "t.from_id")}, ${ourLocation("lt", "t.to_id")},
         null, null, 'Inventory Transfer', 'transfer ' || t.id::text, null, 'transfer-' || t.id::text || '-shipping'
    from transfers t
    left join locations lf on lf.shop_id = ${shop} and lf.id = t.from_id
    left join locations lt on lt.shop_id = ${shop} and lt.id = t.to_id
  union all
  select 'Receiving', t.created_at, 3, t.id, t.lot_id, t.quantity, ${ourLocation("lf", "t.from_id")}, ${ourLocation("lf", "t.from_id")}, ${ourLocation("lt", "t.to_id")},
         null, null, 'Inventory Transfer', 'transfer ' || t.id::text, null, 'transfer-' || t.id::text || '-receiving'
    from transfers t
    left join locations lf on lf.shop_id = ${shop} and lf.id = t.from_id
    left join locations lt on lt.shop_id = ${shop} and lt.id = t.to_id
  union all
  select 'Transformation', r.created_at, 4, i.id, i.input_lot_id, i.quantity, null, null, null,
         ${ourLocation("loc", "r.location_id")}, 'input', 'Production Run (' || lower(r.kind::text) || ')', coalesce(r.reference, 'run ' || r.id::text), null,
         'run-' || r.id::text || '-input-' || i.id::text
    from runs r join production_inputs i on i.shop_id = r.shop_id and i.run_id = r.id
    left join locations loc on loc.shop_id = r.shop_id and loc.id = r.location_id
  union all
  select 'Transformation', r.created_at, 5, r.id, r.output_lot_id, r.output_quantity, null, null, null,
         ${ourLocation("loc", "r.location_id")}, 'output', 'Production Run (' || lower(r.kind::text) || ')', coalesce(r.reference, 'run ' || r.id::text), null,
         'run-' || r.id::text || '-output'
    from runs r left join locations loc on loc.shop_id = r.shop_id and loc.id = r.location_id
  union all
  select 'Shipping', a.fulfilled_at, 6, a.id, a.lot_id, a.quantity, null, ${ourLocation("loc", "a.location_id")}, ${recipient},
         null, null, 'Fulfillment', coalesce(f.name, a.fulfillment_id::text), o.name, 'shipment-' || a.id::text
    from allocations a ${ORDER_JOINS}
    left join fulfillments f on f.shop_id = a.shop_id and f.id = a.fulfillment_id
    left join locations loc on loc.shop_id = a.shop_id and loc.id = a.location_id
   where a.shop_id = ${shop} and a.status = 'ALLOCATED' and a.lot_id in (select lot_id from scope)
  union all
  select 'Receiving', r.returned_at, 7, r.id, a.lot_id, r.quantity, ${recipient}, ${recipient}, ${ourLocation("loc", "r.location_id")},
         null, null, 'Refund (return)', r.refund_id::text, o.name, 'return-' || r.id::text
    from allocation_returns r join allocations a on a.shop_id = r.shop_id and a.id = r.allocation_id
    ${ORDER_JOINS}
    left join locations loc on loc.shop_id = r.shop_id and loc.id = r.location_id
   where r.shop_id = ${shop} and a.lot_id in (select lot_id from scope))`;
}

/** The cell expressions of each column over `ev` (an event), `l` (its lot), `v` (its variant). */
const CELLS: Record<Column, string> = {
  "Critical Tracking Event": "ev.cte",
  "Event Time (UTC)": iso("ev.at"),
  "Traceability Lot Code": "l.lot_number",
  "Product Description": "nullif(concat_ws(' / ', v.product_title, nullif(v.title, 'Default Title')), '')",
  GTIN: "coalesce(l.gtin, v.barcode)",
  SKU: "v.sku",
  Quantity: "ev.quantity",
  "Unit of Measure": "'each'",
  "Receive Date": `case when ev.cte = 'Receiving' then ${day("ev.at")} end`,
  "Ship Date": `case when ev.cte = 'Shipping' then ${day("ev.at")} end`,
  "Transformation Date": `case when ev.cte = 'Transformation' then ${day("ev.at")} end`,
  "Immediate Previous Source Location Description": "ev.previous_source",
  "Ship-From Location Description": "ev.ship_from",
  "Ship-To Location Description": "ev.ship_to",
  "Transformation Location Description": "ev.transform_location",
  "Transformation Role": "ev.role",
  // Where the lot code was assigned: our location for a lot a production run made, else the
  // supplier it came from (we keep no FEI or GLN of it, so the description is the source).
  "Traceability Lot Code Source Location Description": `coalesce((select ${ourLocation("sl", "pr.location_id")} from production_runs pr
      left join locations sl on sl.shop_id = pr.shop_id and sl.id = pr.location_id
     where pr.shop_id = l.shop_id and pr.output_lot_id = l.id order by pr.id limit 1), l.supplier)`,
  "Supplier Lot Code": "l.supplier_lot",
  "Reference Document Type": "ev.ref_type",
  "Reference Document Number": "ev.ref_number",
  Order: "ev.order_name",
  "Record ID": "ev.record_id",
};

/** The whole sheet as one statement (COPY takes no bind parameters: the shop and lot ids are inlined as integers). */
export function fsma204Sql(shopId: number, lotIds: readonly bigint[]): string {
  const shop = String(Number(shopId));
  const columns = FSMA204_COLUMNS.map((c) => (TYPED.has(c) ? csvCellSql(CELLS[c]) : CELLS[c])).join(",\n       ");
  return `with ${eventsSql(shop, lotLiteral(lotIds))}
select ${columns}
  from events ev join lots l on l.shop_id = ${shop} and l.id = ev.lot_id
  left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
 order by ev.at, ev.rank, ev.sort_id`;
}

/**
 * The FSMA 204 sortable spreadsheet of a set of lots (a recall scope, or a lot and what was made
 * from it), as CSV (UTF-8, a header row, RFC 4180 quoting by Postgres), in a read-only snapshot.
 */
export async function fsma204CsvStream(shopId: number, lots: Pick<ScopeLot, "lotId">[]): Promise<Readable> {
  if (!Number.isInteger(shopId)) throw new TypeError("shopId must be an integer");
  const header = FSMA204_COLUMNS.map((c) => `"${c}"`).join(",") + "\n";
  if (lots.length === 0) return NodeReadable.from([header], { objectMode: false });
  const client = await pool().connect();
  const statement = fsma204Sql(
    shopId,
    lots.map((l) => l.lotId),
  );
  async function* rows(): AsyncGenerator<Buffer | string> {
    await client.query("begin isolation level repeatable read read only");
    yield header;
    const copy = client.query(copyTo(`copy (${statement}) to stdout with (format csv)`));
    for await (const chunk of copy) yield chunk as Buffer;
    await client.query("commit");
  }
  // Bytes, not objects: a web stream of the download (Readable.toWeb) carries Uint8Array chunks only.
  return releasing(client, NodeReadable.from(rows(), { objectMode: false }));
}
