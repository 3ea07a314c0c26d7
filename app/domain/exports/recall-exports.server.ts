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
import { findLotsByNumber, possiblyAffectedWindowsSql, recallScope, type ScopeLot } from "../recall/recall-lookup.server";
import { findShopDomain } from "../shops/shops.server";
import { RecallNotFoundError } from "../recall/errors";
import { csvCellSql } from "./csv-cells";
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

/**
 * Columns the export writes itself (ids, numbers, dates, fixed words): every other column is text
 * a customer, a merchant or Shopify's admin typed and goes through csvCellSql (formula injection).
 */
const GENERATED_COLUMNS: ReadonlySet<string> = new Set([
  "lot_scope", "variant_id", "expiry_date", "best_before_date", "production_date", "quantity", "unit_of_measure", "ship_date",
  "ship_from_location_id", "customer_id", "recipient_redacted", "order_id", "line_item_id", "fulfillment_id", "lot_receipt_date",
  "returned_quantity", "returned_date", "lot_status",
] satisfies (typeof RECALL_CSV_COLUMNS)[number][]);
const PHONE_COLUMNS: ReadonlySet<string> = new Set(["recipient_phone"] satisfies (typeof RECALL_CSV_COLUMNS)[number][]);

/** The cell of column `column` computed by `expr`. */
const cell = (column: string, expr: string) => (GENERATED_COLUMNS.has(column) ? expr : csvCellSql(expr, PHONE_COLUMNS.has(column) ? "phone" : "text"));
const unlessRedacted = (expr: string) => `case when coalesce(o.redacted, false) then null else ${expr} end`;
const addr = (key: string) => unlessRedacted(`nullif(sa.${key}, '')`);

function lotLiteral(ids: readonly bigint[]): string {
  // Inlined because COPY takes no bind parameters: only bigint values, printed by BigInt.
  return `array[${ids.map((id) => BigInt(id).toString()).join(",")}]::bigint[]`;
}

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
async function lotColumns(client: pg.PoolClient, shopId: number, lot: Pick<ScopeLot, "lotId" | "direct">): Promise<{ lotNumber: string; values: Record<string, string | null> } | null> {
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

/**
 * The regulator CSV of a set of lots (a recall scope), streamed by Postgres (COPY TO STDOUT), in a
 * read-only snapshot: one COPY per lot (lots in lot number order, rows by customer then ship
 * time), then the unknown-lot rows. Constant memory on both sides, first bytes at once.
 */
export async function recallCsvStream(shopId: number, lots: Pick<ScopeLot, "lotId" | "direct">[]): Promise<Readable> {
  if (!Number.isInteger(shopId)) throw new TypeError("shopId must be an integer");
  const header = RECALL_CSV_COLUMNS.join(",") + "\n";
  if (lots.length === 0) return Readable.from([header]);
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
      possibleRowsSql(shopId, lots.map((l) => l.lotId)),
    ];
    for (const statement of statements) {
      const copy = client.query(copyTo(`copy (${statement}) to stdout with (format csv)`));
      for await (const chunk of copy) yield chunk as Buffer;
    }
    await client.query("commit");
  }
  return releasing(client, Readable.from(rows()));
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
// The same columns inside row_to_json: the id as text, since a JSON number of 18 digits comes back
// from JSON.parse rounded (642667041472713922 -> 642667041472713984), another variant.
const LOT_JSON_SELECT = LOT_SELECT.replace("l.variant_id,", "l.variant_id::text as variant_id,");
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
  const domain = (await findShopDomain(pool(), shopId)) ?? `shop-${shopId}.myshopify.com`;
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
                (select row_to_json(o) from (select ${LOT_JSON_SELECT} from lots l left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
                  where l.shop_id = $1 and l.id = r.output_lot_id) o) as output,
                (select json_agg(json_build_object('quantity', i.quantity, 'lot', (select row_to_json(il) from (select ${LOT_JSON_SELECT} from lots l
                   left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id where l.shop_id = $1 and l.id = i.input_lot_id) il)) order by i.id)
                   from production_inputs i where i.shop_id = $1 and i.run_id = r.id) as inputs
           from production_runs r
          where r.shop_id = $1 and (r.output_lot_id = any($2::bigint[])
                or exists (select 1 from production_inputs i where i.shop_id = $1 and i.run_id = r.id and i.input_lot_id = any($2::bigint[])))
          order by r.id`,
        [shopId, lotIds],
      )) {
        const jsonLot = (l: LotColumns) => ({ ...l, variant_id: BigInt(l.variant_id as unknown as string) });
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
           from (select a.* from allocations a
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
  format: "csv" | "epcis",
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
  return format === "csv"
    ? { stream: await recallCsvStream(shopId, lots), contentType: "text/csv; charset=utf-8", filename: `${safeName}-${day}.csv` }
    : { stream: await recallEpcisStream(shopId, lots), contentType: "application/ld+json", filename: `${safeName}-${day}.epcis.jsonld` };
}
