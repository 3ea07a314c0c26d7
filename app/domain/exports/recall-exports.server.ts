// Regulator exports of a recall scope, streamed in constant memory:
//   - CSV (FSMA 204 style sortable spreadsheet): one row per lot x shipment line, one column per
//     data element of docs "What a regulator or a recall needs to see", produced by Postgres
//     itself with COPY ... TO STDOUT (FORMAT csv: RFC 4180 quoting done by the server);
//   - GS1 EPCIS 2.0 JSON-LD: receipts, production runs, shipments and returns read through a
//     server-side cursor (1,000 rows a fetch) and written event by event.
// Both return a Node Readable (Readable.toWeb() gives a web stream for a Remix Response). Each
// holds one pooled connection while it streams and gives it back on end, error or abort.
import { Readable } from "node:stream";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { pool } from "../../db.server";
import { GUEST_KEY_SQL } from "../recall/customer-key";
import { findLotsByNumber, possiblyAffectedWindowsSql, recallScope, type ScopeLot } from "../recall/recall-lookup.server";
import { RecallNotFoundError } from "../recall/errors";
import { DOCUMENT_TAIL, documentHead, receiptEvent, returnEvent, shipmentEvent, transformationEvent, type EpcisLot } from "./epcis";

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

// Text a customer or merchant typed may start with = + - @: a spreadsheet would run it as a
// formula (CSV injection). Such cells get a leading apostrophe (OWASP's advice); phone numbers
// ("+1 503 ...") are left as they are, since every spreadsheet reads them as text or numbers.
const safe = (expr: string) => `(case when ${expr} ~ '^[=+@\\t\\r-]' then '''' || ${expr} else ${expr} end)`;
const addr = (key: string) => `case when coalesce(o.redacted, false) then null else ${safe(`nullif(o.shipping_address->>'${key}', '')`)} end`;

function lotLiteral(ids: readonly bigint[]): string {
  // Inlined because COPY takes no bind parameters: only bigint values, printed by BigInt.
  return `array[${ids.map((id) => BigInt(id).toString()).join(",")}]::bigint[]`;
}

/** The SELECT behind the CSV: shop and lot ids are integers inlined from trusted bigint values. */
export function recallCsvSql(shopId: number, lots: Pick<ScopeLot, "lotId" | "direct">[]): string {
  if (!Number.isInteger(shopId)) throw new TypeError("shopId must be an integer");
  const shop = String(shopId);
  const scopeValues = lots.map((l) => `(${BigInt(l.lotId).toString()}::bigint, ${l.direct ? "'recalled lot'" : "'made from recalled lot'"})`).join(", ");
  const common = (lotExpr: string, scopeExpr: string) => `
      ${lotExpr}, ${scopeExpr},
      coalesce(l.gtin, v.barcode) as gtin, v.sku,
      ${safe("nullif(concat_ws(' / ', v.product_title, nullif(v.title, 'Default Title')), '')")} as product_description,
      a.variant_id, l.expires_on, l.best_before_on, l.produced_on, a.quantity, 'each' as unit_of_measure,
      to_char(a.fulfilled_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as ship_date,
      a.location_id, ${safe("loc.name")} as location_name,
      coalesce(a.customer_id, o.customer_id) as customer_id,
      case when coalesce(o.redacted, false) then null else ${safe("coalesce(o.customer_name, o.shipping_address->>'name')")} end as recipient_name,
      ${addr("address1")}, ${addr("address2")}, ${addr("city")},
      case when coalesce(o.redacted, false) then null else coalesce(nullif(o.shipping_address->>'province_code', ''), o.shipping_address->>'province') end,
      case when coalesce(o.redacted, false) then null else o.shipping_address->>'zip' end,
      case when coalesce(o.redacted, false) then null else coalesce(nullif(o.shipping_address->>'country_code', ''), o.shipping_address->>'country') end,
      case when coalesce(o.redacted, false) then null else ${safe("coalesce(o.customer_email, o.email)")} end,
      case when coalesce(o.redacted, false) then null else coalesce(o.customer_phone, o.shipping_address->>'phone') end,
      case when coalesce(o.redacted, false) then 'yes' else 'no' end,
      a.order_id, ${safe("o.name")}, a.line_item_id, a.fulfillment_id, ${safe("f.name")},`;
  return `
    with scope(lot_id, lot_scope) as (values ${scopeValues}),
    ${possiblyAffectedWindowsSql(shop, lotLiteral(lots.map((l) => l.lotId)))},
    open_recalls as (
      select rl.lot_id, string_agg(r.reference, ' ' order by r.reference) as refs
        from recall_lots rl join recalls r on r.id = rl.recall_id and r.shop_id = rl.shop_id
       where rl.shop_id = ${shop} and rl.lot_id in (select lot_id from scope) and r.status = 'OPEN'
       group by rl.lot_id
    ),
    shipped as (
      select ${common("l.lot_number", "s.lot_scope")}
        ${safe("l.supplier")}, ${safe("l.supplier_lot")}, ${safe("l.purchase_order")}, to_char(l.received_at at time zone 'UTC', 'YYYY-MM-DD'),
        a.returned_quantity,
        case when a.returned_quantity > 0 then (select to_char(max(r.returned_at) at time zone 'UTC', 'YYYY-MM-DD')
          from allocation_returns r where r.shop_id = a.shop_id and r.allocation_id = a.id) end,
        l.status::text, orc.refs
      from scope s
      join allocations a on a.shop_id = ${shop} and a.lot_id = s.lot_id and a.status = 'ALLOCATED'
      join lots l on l.shop_id = a.shop_id and l.id = a.lot_id
      left join variants v on v.shop_id = a.shop_id and v.id = a.variant_id
      left join orders o on o.shop_id = a.shop_id and o.id = a.order_id
      left join fulfillments f on f.shop_id = a.shop_id and f.id = a.fulfillment_id
      left join locations loc on loc.shop_id = a.shop_id and loc.id = a.location_id
      left join open_recalls orc on orc.lot_id = a.lot_id
    ),
    possible as (
      select ${common("null::text", "'unknown lot, possibly affected'")}
        null::text, null::text, null::text, null::text,
        a.returned_quantity,
        case when a.returned_quantity > 0 then (select to_char(max(r.returned_at) at time zone 'UTC', 'YYYY-MM-DD')
          from allocation_returns r where r.shop_id = a.shop_id and r.allocation_id = a.id) end,
        'UNKNOWN_LOT', null::text
      from win
      join allocations a on a.shop_id = ${shop} and a.variant_id = win.variant_id and a.unknown_lot
                        and a.fulfilled_at >= win.from_at and a.fulfilled_at <= win.to_at and a.status = 'ALLOCATED'
      left join lots l on false
      left join variants v on v.shop_id = a.shop_id and v.id = a.variant_id
      left join orders o on o.shop_id = a.shop_id and o.id = a.order_id
      left join fulfillments f on f.shop_id = a.shop_id and f.id = a.fulfillment_id
      left join locations loc on loc.shop_id = a.shop_id and loc.id = a.location_id
    )
    select * from shipped
    union all
    select * from possible
    order by 1 nulls last, 12, 26, 28`;
}

function releasing(client: pg.PoolClient, stream: Readable): Readable {
  let done = false;
  const finish = (error?: Error) => {
    if (done) return;
    done = true;
    // A stream cut short leaves the connection mid-COPY: release(error) closes it instead of reusing it.
    client.release(error);
  };
  stream.once("end", () => finish());
  stream.once("error", (error) => finish(error));
  stream.once("close", () => finish(stream.readableEnded ? undefined : new Error("export stream closed before its end")));
  return stream;
}

/** The regulator CSV of a set of lots (a recall scope), streamed by Postgres (COPY TO STDOUT). */
export async function recallCsvStream(shopId: number, lots: Pick<ScopeLot, "lotId" | "direct">[]): Promise<Readable> {
  const header = RECALL_CSV_COLUMNS.join(",") + "\n";
  if (lots.length === 0) return Readable.from([header]);
  const client = await pool().connect();
  try {
    // The rows are sorted (lot, ship date, order, line): give that sort memory enough for a large
    // recall (100k rows x 38 columns) so it does not spill to disk. Local to this transaction.
    await client.query("begin isolation level repeatable read read only");
    await client.query("set local work_mem = '64MB'");
    const copy = client.query(copyTo(`copy (${recallCsvSql(shopId, lots)}) to stdout with (format csv)`));
    // Our own header (column names as documented) before Postgres' rows.
    const out = Readable.from(
      (async function* () {
        yield header;
        for await (const chunk of copy) yield chunk as Buffer;
        await client.query("commit");
      })(),
    );
    copy.once("error", (error) => out.destroy(error));
    return releasing(client, out);
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
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
  const lots = await pool().query<{ lot_id: bigint; direct: boolean }>("select lot_id, direct from recall_lots where shop_id = $1 and recall_id = $2 order by lot_id", [
    shopId,
    recallId,
  ]);
  return { reference: recall.rows[0].reference, lots: lots.rows.map((l) => ({ lotId: l.lot_id, direct: l.direct })) };
}

// ---------------------------------------------------------------------------------------------
// EPCIS

interface LotColumns {
  variant_id: bigint;
  lot_number: string;
  gtin: string | null;
  expires_on: string | null;
  best_before_on: string | null;
  produced_on: string | null;
}

const LOT_SELECT = `l.variant_id, l.lot_number, coalesce(l.gtin, v.barcode) as gtin, l.expires_on, l.best_before_on, l.produced_on`;
const LOT_JOIN = `join lots l on l.shop_id = $1 and l.id = x.lot_id left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id`;

const toLot = (r: LotColumns): EpcisLot => ({
  variantId: r.variant_id,
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

/** EPCIS 2.0 JSON-LD document of a set of lots (receipts, production runs, shipments, returns), streamed. */
export async function recallEpcisStream(shopId: number, lots: Pick<ScopeLot, "lotId">[], now: Date = new Date()): Promise<Readable> {
  const lotIds = lots.map((l) => l.lotId);
  const shop = await pool().query<{ domain: string }>("select domain from shops where id = $1", [shopId]);
  const domain = shop.rows[0]?.domain ?? `shop-${shopId}.myshopify.com`;
  const client = await pool().connect();
  async function* events(): AsyncGenerator<string> {
    let first = true;
    const emit = (event: unknown) => {
      const text = (first ? "" : ",") + JSON.stringify(event);
      first = false;
      return text;
    };
    await client.query("begin isolation level repeatable read read only");
    try {
      yield documentHead(now);
      for await (const r of cursorRows<LotColumns & { id: bigint; created_at: Date; delta: number; location_id: bigint | null; supplier: string | null; purchase_order: string | null }>(
        client,
        "receipts",
        `select x.id, x.created_at, x.delta, x.location_id, l.supplier, l.purchase_order, ${LOT_SELECT}
           from (select e.id, e.created_at, e.delta, e.location_id, e.lot_id from ledger_entries e
                  where e.shop_id = $1 and e.lot_id = any($2::bigint[]) and e.kind = 'RECEIVED') x ${LOT_JOIN}
          order by x.id`,
        [shopId, lotIds],
      )) {
        yield emit(receiptEvent(domain, { entryId: r.id, at: r.created_at, lot: toLot(r), quantity: r.delta, locationId: r.location_id, supplier: r.supplier, purchaseOrder: r.purchase_order }));
      }
      for await (const r of cursorRows<{ id: bigint; kind: string; created_at: Date; location_id: bigint; output_quantity: number; output: LotColumns; inputs: { quantity: number; lot: LotColumns }[] }>(
        client,
        "runs",
        `select r.id, r.kind::text, r.created_at, r.location_id, r.output_quantity,
                (select row_to_json(o) from (select ${LOT_SELECT} from lots l left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
                  where l.shop_id = $1 and l.id = r.output_lot_id) o) as output,
                (select json_agg(json_build_object('quantity', i.quantity, 'lot', (select row_to_json(il) from (select ${LOT_SELECT} from lots l
                   left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id where l.shop_id = $1 and l.id = i.input_lot_id) il)) order by i.id)
                   from production_inputs i where i.shop_id = $1 and i.run_id = r.id) as inputs
           from production_runs r
          where r.shop_id = $1 and (r.output_lot_id = any($2::bigint[])
                or exists (select 1 from production_inputs i where i.shop_id = $1 and i.run_id = r.id and i.input_lot_id = any($2::bigint[])))
          order by r.id`,
        [shopId, lotIds],
      )) {
        const jsonLot = (l: LotColumns) => ({ ...l, variant_id: BigInt(String(l.variant_id)) });
        yield emit(
          transformationEvent(domain, {
            runId: r.id,
            kind: r.kind,
            at: r.created_at,
            locationId: r.location_id,
            output: toLot(jsonLot(r.output)),
            outputQuantity: r.output_quantity,
            inputs: (r.inputs ?? []).map((i) => ({ lot: toLot(jsonLot(i.lot)), quantity: i.quantity })),
          }),
        );
      }
      for await (const r of cursorRows<LotColumns & { id: bigint; fulfilled_at: Date; quantity: number; location_id: bigint; order_id: bigint; customer_key: string }>(
        client,
        "shipments",
        `select x.id, x.fulfilled_at, x.quantity, x.location_id, x.order_id, x.customer_key, ${LOT_SELECT}
           from (select a.*, ${GUEST_KEY_SQL} as customer_key from allocations a left join orders o on o.shop_id = a.shop_id and o.id = a.order_id
                  where a.shop_id = $1 and a.lot_id = any($2::bigint[]) and a.status = 'ALLOCATED') x ${LOT_JOIN}
          order by x.lot_id, x.fulfilled_at, x.id`,
        [shopId, lotIds],
      )) {
        yield emit(shipmentEvent(domain, { allocationId: r.id, at: r.fulfilled_at, lot: toLot(r), quantity: r.quantity, locationId: r.location_id, orderId: r.order_id, customerKey: r.customer_key }));
      }
      for await (const r of cursorRows<LotColumns & { id: bigint; returned_at: Date; quantity: number; location_id: bigint; order_id: bigint }>(
        client,
        "returns",
        `select x.id, x.returned_at, x.quantity, x.location_id, x.order_id, ${LOT_SELECT}
           from (select r.id, r.returned_at, r.quantity, r.location_id, a.order_id, a.lot_id from allocation_returns r
                   join allocations a on a.shop_id = r.shop_id and a.id = r.allocation_id
                  where r.shop_id = $1 and a.lot_id = any($2::bigint[])) x ${LOT_JOIN}
          order by x.id`,
        [shopId, lotIds],
      )) {
        yield emit(returnEvent(domain, { returnId: r.id, at: r.returned_at, lot: toLot(r), quantity: r.quantity, locationId: r.location_id, orderId: r.order_id }));
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
