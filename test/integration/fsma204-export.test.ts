import { describe, expect, it } from "vitest";
import type { Readable } from "node:stream";
import { pool } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import { FSMA204_COLUMNS, fsma204CsvStream } from "../../app/domain/exports/fsma204.server";
import { exportRecall, lotExportScope, recallCaseScope } from "../../app/domain/exports/recall-exports.server";
import { recordProductionRun } from "../../app/domain/genealogy/genealogy.server";
import { transferLot } from "../../app/domain/lots/lot-moves.server";
import { openRecall } from "../../app/domain/recall/recall-case.server";
import { loader as exportLoader } from "../../app/routes/app.recalls.$id.export";
import { adminGet } from "../helpers/admin-requests";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";

// Jobs this file queues (outbox sends of the transfer and the run) go to a prefix of its own.
useOwnQueuePrefix();

type Column = (typeof FSMA204_COLUMNS)[number];

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** RFC 4180: quoted fields, doubled quotes, commas and newlines inside quotes. */
function parseCsv(input: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** The sheet as records keyed by column name (after checking the header). */
function records(csv: string): Record<Column, string>[] {
  const [header, ...rows] = parseCsv(csv);
  expect(header).toEqual([...FSMA204_COLUMNS]);
  return rows.map((r) => Object.fromEntries(FSMA204_COLUMNS.map((c, i) => [c, r[i] ?? ""])) as Record<Column, string>);
}

const row = (values: Partial<Record<Column, string>>): Record<Column, string> =>
  Object.fromEntries(FSMA204_COLUMNS.map((c) => [c, values[c] ?? ""])) as Record<Column, string>;

// The largest Shopify-style id Postgres' bigint holds: a JavaScript number would print it wrong.
const BIG_LOCATION = 9223372036854775807n;

async function recallShop(label: string) {
  const shop = await createTestShop(label);
  const id = shop.id;
  const honey = await createVariant(id, { sku: "HONEY-250", productTitle: "Forest honey", title: "250 g", barcode: "4006381333931" });
  const kit = await createVariant(id, { sku: "KIT", productTitle: "Breakfast kit", title: "Default Title" });
  const main = await createLocation(id, { name: "Main, Warehouse" });
  const annex = await createLocation(id, { id: BIG_LOCATION, name: "Annex" });
  const lot = await createLot(id, {
    variantId: honey,
    lotNumber: "L-9",
    quantity: 40,
    locationId: main,
    receivedAt: new Date("2026-11-01T08:00:00Z"),
    supplier: 'Acme "Best" Foods, Salem OR',
    supplierLot: "A-77",
    purchaseOrder: "PO-1",
  });
  // A transfer between our locations: a shipping and a receiving event, same time.
  await transferLot(id, { lotId: lot, fromLocationId: main, toLocationId: annex, quantity: 10 });
  await pool().query("update ledger_entries set created_at = '2026-11-10T12:00:00Z' where shop_id = $1 and lot_id = $2 and kind = 'TRANSFERRED'", [id, lot]);
  // A production run: L-9 goes into the breakfast kit lot K-1 (a transformation).
  const run = await withTransaction((sql) =>
    recordProductionRun(sql, id, {
      kind: "KIT",
      outputVariantId: kit,
      outputLotNumber: "K-1",
      quantity: 2,
      locationId: main,
      inputs: [{ lotNumber: "L-9", quantity: 2 }],
    }),
  );
  await pool().query("update production_runs set created_at = '2026-11-15T09:00:00Z' where shop_id = $1 and id = $2", [id, run.runId]);
  const maria = await shipToCustomer(id, {
    name: "#1001",
    customerId: newId(),
    customerName: "Maria Lopez",
    customerPhone: "+15035550142",
    shippingAddress: { address1: "12 Orchard Lane", address2: "Apt 3", city: "Portland", province_code: "OR", zip: "97205", country_code: "US" },
    variantId: honey,
    lotId: lot,
    locationId: main,
    quantity: 3,
    fulfilledAt: new Date("2026-11-20T15:30:00Z"),
    returnedQuantity: 1,
    returnedAt: new Date("2026-11-24T10:00:00Z"),
  });
  const erased = await shipToCustomer(id, {
    name: "#1002",
    customerId: newId(),
    redacted: true,
    variantId: honey,
    lotId: lot,
    locationId: annex,
    quantity: 4,
    fulfilledAt: new Date("2026-11-22T09:00:00Z"),
  });
  return { shop, id, honey, kit, main, annex, lot, run, maria, erased };
}

describe("FSMA 204 sortable spreadsheet", () => {
  it("a recall gives one row per receiving, shipping and transformation event with its KDEs, sorted by ISO event time", async () => {
    const s = await recallShop("fsma-recall");
    const recall = await openRecall(s.id, { lots: [{ lotNumber: "L-9" }], reason: "listeria", severity: "CLASS_I", reference: "FDA-1" });
    // The location's name is gone (Shopify had none to give): the sheet names it by its exact id.
    await pool().query("update locations set name = null where shop_id = $1 and id = $2", [s.id, BIG_LOCATION]);

    const csv = await text(await fsma204CsvStream(s.id, (await recallCaseScope(s.id, recall.id)).lots));
    const got = records(csv);

    const ids = await pool().query<{ kind: string; id: bigint; delta: number }>(
      "select kind, id, delta from ledger_entries where shop_id = $1 and lot_id = $2 and kind in ('RECEIVED', 'TRANSFERRED') order by id",
      [s.id, s.lot],
    );
    const receipt = ids.rows.find((r) => r.kind === "RECEIVED")!.id;
    const transfer = ids.rows.find((r) => r.kind === "TRANSFERRED" && r.delta < 0)!.id;
    const input = (await pool().query<{ id: bigint }>("select id from production_inputs where shop_id = $1 and run_id = $2", [s.id, s.run.runId])).rows[0]!.id;
    const returned = (
      await pool().query<{ id: bigint; refund_id: bigint }>("select id, refund_id from allocation_returns where shop_id = $1 and allocation_id = $2", [
        s.id,
        s.maria.allocationId,
      ])
    ).rows[0]!;
    const fulfilment = async (allocationId: bigint) =>
      (
        await pool().query<{ name: string }>(
          "select f.name from allocations a join fulfillments f on f.shop_id = a.shop_id and f.id = a.fulfillment_id where a.id = $1",
          [allocationId],
        )
      ).rows[0]!.name;

    const honey = { "Traceability Lot Code": "L-9", "Product Description": "Forest honey / 250 g", GTIN: "4006381333931", SKU: "HONEY-250" };
    const honeySource = { "Traceability Lot Code Source Location Description": 'Acme "Best" Foods, Salem OR', "Supplier Lot Code": "A-77" };
    const big = `location ${BIG_LOCATION}`;
    const mariaAddress = "Maria Lopez, 12 Orchard Lane, Apt 3, Portland, OR 97205, US, +15035550142";
    expect(got).toEqual([
      row({
        ...honey,
        ...honeySource,
        "Critical Tracking Event": "Receiving",
        "Event Time (UTC)": "2026-11-01T08:00:00Z",
        Quantity: "40",
        "Unit of Measure": "each",
        "Receive Date": "2026-11-01",
        "Immediate Previous Source Location Description": 'Acme "Best" Foods, Salem OR',
        "Ship-From Location Description": 'Acme "Best" Foods, Salem OR',
        "Ship-To Location Description": "Main, Warehouse",
        "Reference Document Type": "Purchase Order",
        "Reference Document Number": "PO-1",
        "Record ID": `receipt-${receipt}`,
      }),
      row({
        ...honey,
        ...honeySource,
        "Critical Tracking Event": "Shipping",
        "Event Time (UTC)": "2026-11-10T12:00:00Z",
        Quantity: "10",
        "Unit of Measure": "each",
        "Ship Date": "2026-11-10",
        "Ship-From Location Description": "Main, Warehouse",
        "Ship-To Location Description": big,
        "Reference Document Type": "Inventory Transfer",
        "Reference Document Number": `transfer ${transfer}`,
        "Record ID": `transfer-${transfer}-shipping`,
      }),
      row({
        ...honey,
        ...honeySource,
        "Critical Tracking Event": "Receiving",
        "Event Time (UTC)": "2026-11-10T12:00:00Z",
        Quantity: "10",
        "Unit of Measure": "each",
        "Receive Date": "2026-11-10",
        "Immediate Previous Source Location Description": "Main, Warehouse",
        "Ship-From Location Description": "Main, Warehouse",
        "Ship-To Location Description": big,
        "Reference Document Type": "Inventory Transfer",
        "Reference Document Number": `transfer ${transfer}`,
        "Record ID": `transfer-${transfer}-receiving`,
      }),
      row({
        ...honey,
        ...honeySource,
        "Critical Tracking Event": "Transformation",
        "Event Time (UTC)": "2026-11-15T09:00:00Z",
        Quantity: "2",
        "Unit of Measure": "each",
        "Transformation Date": "2026-11-15",
        "Transformation Location Description": "Main, Warehouse",
        "Transformation Role": "input",
        "Reference Document Type": "Production Run (kit)",
        "Reference Document Number": `run ${s.run.runId}`,
        "Record ID": `run-${s.run.runId}-input-${input}`,
      }),
      row({
        "Critical Tracking Event": "Transformation",
        "Event Time (UTC)": "2026-11-15T09:00:00Z",
        "Traceability Lot Code": "K-1",
        "Product Description": "Breakfast kit",
        SKU: "KIT",
        Quantity: "2",
        "Unit of Measure": "each",
        "Transformation Date": "2026-11-15",
        "Transformation Location Description": "Main, Warehouse",
        "Transformation Role": "output",
        // The kit's lot code was assigned where it was made.
        "Traceability Lot Code Source Location Description": "Main, Warehouse",
        "Reference Document Type": "Production Run (kit)",
        "Reference Document Number": `run ${s.run.runId}`,
        "Record ID": `run-${s.run.runId}-output`,
      }),
      row({
        ...honey,
        ...honeySource,
        "Critical Tracking Event": "Shipping",
        "Event Time (UTC)": "2026-11-20T15:30:00Z",
        Quantity: "3",
        "Unit of Measure": "each",
        "Ship Date": "2026-11-20",
        "Ship-From Location Description": "Main, Warehouse",
        "Ship-To Location Description": mariaAddress,
        "Reference Document Type": "Fulfillment",
        "Reference Document Number": await fulfilment(s.maria.allocationId),
        Order: "#1001",
        "Record ID": `shipment-${s.maria.allocationId}`,
      }),
      row({
        ...honey,
        ...honeySource,
        "Critical Tracking Event": "Shipping",
        "Event Time (UTC)": "2026-11-22T09:00:00Z",
        Quantity: "4",
        "Unit of Measure": "each",
        "Ship Date": "2026-11-22",
        "Ship-From Location Description": big,
        "Ship-To Location Description": "customer (personal data erased on request)",
        "Reference Document Type": "Fulfillment",
        "Reference Document Number": await fulfilment(s.erased.allocationId),
        Order: "#1002",
        "Record ID": `shipment-${s.erased.allocationId}`,
      }),
      row({
        ...honey,
        ...honeySource,
        "Critical Tracking Event": "Receiving",
        "Event Time (UTC)": "2026-11-24T10:00:00Z",
        Quantity: "1",
        "Unit of Measure": "each",
        "Receive Date": "2026-11-24",
        "Immediate Previous Source Location Description": mariaAddress,
        "Ship-From Location Description": mariaAddress,
        "Ship-To Location Description": "Main, Warehouse",
        "Reference Document Type": "Refund (return)",
        "Reference Document Number": String(returned.refund_id),
        Order: "#1001",
        "Record ID": `return-${returned.id}`,
      }),
    ]);
    // Sortable: the event time is ISO 8601 in UTC, so text order is time order, and it is the sheet's order.
    const times = got.map((r) => r["Event Time (UTC)"]);
    expect(times).toEqual([...times].sort());
    for (const t of times) expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    // Quoting on the wire: a comma or a quote in a description stays inside its cell.
    expect(csv).toContain('"Acme ""Best"" Foods, Salem OR"');

    // The download helper (route and CLI) gives the same bytes under a .fsma204.csv name.
    const download = await exportRecall(s.id, { recallId: recall.id }, "fsma204");
    expect(download.filename).toMatch(/^recall-FDA-1-\d{4}-\d{2}-\d{2}\.fsma204\.csv$/);
    expect(download.contentType).toBe("text/csv; charset=utf-8");
    expect(await text(download.stream)).toBe(csv);
    // The recall page's link: the admin route streams the same sheet as an attachment.
    const response = (await exportLoader({
      request: adminGet(s.shop.domain, `/app/recalls/${recall.id}/export?format=fsma204`),
      params: { id: recall.id.toString() },
      context: {},
    })) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe('attachment; filename="recall-FDA-1.fsma204.csv"');
    expect(await response.text()).toBe(csv);
  });

  it("is the shop's own: another shop's lot of the same number and its events never appear, and its lot ids give an empty sheet", async () => {
    const a = await recallShop("fsma-tenant-a");
    const b = await createTestShop("fsma-tenant-b");
    const bVariant = await createVariant(b.id, { sku: "HONEY-250", productTitle: "Other honey" });
    const bPlace = await createLocation(b.id, { name: "Elsewhere" });
    const bLot = await createLot(b.id, {
      variantId: bVariant,
      lotNumber: "L-9",
      quantity: 5,
      locationId: bPlace,
      supplier: '=HYPERLINK("http://x","Other supplier")',
    });
    await shipToCustomer(b.id, { name: "#B1", customerId: newId(), customerName: "Bob", variantId: bVariant, lotId: bLot, locationId: bPlace, quantity: 1 });

    const sheetA = await text(await fsma204CsvStream(a.id, await lotExportScope(a.id, { lotNumber: "L-9" })));
    expect(sheetA).not.toContain("Other");
    expect(sheetA).not.toContain("Elsewhere");
    expect(sheetA).not.toContain("Bob");
    expect(records(sheetA)).toHaveLength(8);

    const sheetB = records(await text(await fsma204CsvStream(b.id, await lotExportScope(b.id, { lotNumber: "L-9" }))));
    expect(sheetB.map((r) => [r["Critical Tracking Event"], r["Ship-From Location Description"], r["Ship-To Location Description"]])).toEqual([
      // A typed value a spreadsheet would run as a formula is shown as text (csv-cells.ts).
      ["Receiving", `'=HYPERLINK("http://x","Other supplier")`, "Elsewhere"],
      ["Shipping", "Elsewhere", "Bob"],
    ]);
    // Shop B asking with shop A's lot ids (ids are never trusted across shops) gets the header only.
    expect(records(await text(await fsma204CsvStream(b.id, [{ lotId: a.lot }])))).toEqual([]);
    expect(records(await text(await fsma204CsvStream(b.id, [])))).toEqual([]);
    // A download cut short (the merchant closes the tab) gives its connection back: more aborted
    // streams than the pool has connections, and the pool still answers.
    for (let i = 0; i < 12; i++) {
      const stream = await fsma204CsvStream(a.id, [{ lotId: a.lot }]);
      stream.destroy();
      await new Promise((r) => setImmediate(r));
    }
    expect((await pool().query<{ ok: number }>("select 1 as ok")).rows[0]!.ok).toBe(1);
  });
});
