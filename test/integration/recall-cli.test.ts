// The recall CLI as an operator runs it: the real `lotkeeper` binary in a child process (JSON on
// stdout, one-line errors on stderr, exit codes), against this run's database.
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import path from "node:path";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { conformingEvents } from "../helpers/epcis-schema";

// Jobs this file queues (outbox sends) go to a prefix of its own, never the default queues.
useOwnQueuePrefix();

const bin = path.resolve(import.meta.dirname, "../../bin/lotkeeper.mjs");

function lotkeeper(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, LOG_LEVEL: "silent" }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("lotkeeper recall CLI", () => {
  it("recall customers prints totals, customers with orders, possibly affected; export streams CSV; cases open, show, contact, close", async () => {
    const shop = await createTestShop("recall-cli");
    const variant = await createVariant(shop.id, { sku: "OIL" });
    const location = await createLocation(shop.id);
    const lot = await createLot(shop.id, {
      variantId: variant,
      lotNumber: "OIL-5",
      quantity: 20,
      locationId: location,
      receivedAt: new Date(Date.now() - 86400_000),
    });
    const customer = newId();
    const shipped = await shipToCustomer(shop.id, {
      name: "#2001",
      customerId: customer,
      customerName: "Ines",
      customerEmail: "ines@example.com",
      variantId: variant,
      lotId: lot,
      locationId: location,
      quantity: 4,
      returnedQuantity: 1,
      fulfilledAt: new Date("2026-11-25T12:00:00Z"),
    });
    const maybe = await shipToCustomer(shop.id, {
      name: "#2002",
      customerId: newId(),
      customerName: "Maybe",
      variantId: variant,
      lotId: null,
      locationId: location,
      quantity: 2,
    });

    const customers = await lotkeeper(["recall", "customers", "--shop", shop.domain, "--lot", "OIL-5"]);
    expect(customers.stderr).toBe("");
    expect(customers.code).toBe(0);
    const out = JSON.parse(customers.stdout);
    expect(out.totals).toMatchObject({ receivedUnits: 20, shippedUnits: 4, returnedUnits: 1, onHandUnits: 17, customers: 1, possiblyAffectedUnits: 2 });
    expect(out.customers).toHaveLength(1);
    expect(out.customers[0]).toMatchObject({ customerId: String(customer), name: "Ines", email: "ines@example.com", units: 4, returnedUnits: 1 });
    expect(out.customers[0].orders).toEqual([
      expect.objectContaining({
        orderId: String(shipped.orderId),
        orderName: "#2001",
        lineItemId: String(shipped.lineItemId),
        quantity: 4,
        returnedQuantity: 1,
        fulfilledAt: "2026-11-25T12:00:00.000Z",
      }),
    ]);
    expect(out.possiblyAffected).toEqual([expect.objectContaining({ orderId: String(maybe.orderId), name: "Maybe", quantity: 2 })]);

    const csv = await lotkeeper(["recall", "export", "--shop", shop.domain, "--lot", "OIL-5", "--format", "csv"]);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split("\n");
    expect(lines[0]!.startsWith("lot_code,lot_scope,gtin,sku,")).toBe(true);
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["OIL-5", ""]);
    const fsma = await lotkeeper(["recall", "export", "--shop", shop.domain, "--lot", "OIL-5", "--format", "fsma204"]);
    expect(fsma.code).toBe(0);
    const sheet = fsma.stdout.trim().split("\n");
    expect(sheet[0]!.startsWith('"Critical Tracking Event","Event Time (UTC)","Traceability Lot Code",')).toBe(true);
    // Receipt, shipment and return, by their own times (this story ships before the receipt was recorded).
    expect(sheet.slice(1).map((l) => `${l.split(",")[0]} ${l.split(",")[2]}`)).toEqual(["Shipping OIL-5", "Receiving OIL-5", "Receiving OIL-5"]);
    const epcis = await lotkeeper(["recall", "export", "--shop", shop.domain, "--lot", "OIL-5", "--format", "epcis"]);
    expect(JSON.parse(epcis.stdout).type).toBe("EPCISDocument");
    // What the operator hands over validates against the EPCIS 2.0 JSON Schema, in causal order.
    expect(conformingEvents(epcis.stdout).map((e) => `${e.bizStep} / ${e.disposition}`)).toEqual([
      "receiving / sellable_not_accessible",
      "shipping / in_transit",
      "receiving / returned",
    ]);

    const opened = await lotkeeper([
      "recall",
      "open",
      "--shop",
      shop.domain,
      "--lot",
      "OIL-5",
      "--reason",
      "rancid",
      "--severity",
      "class_iii",
      "--reference",
      "OIL-RC",
    ]);
    expect(opened.stderr).toBe("");
    expect(JSON.parse(opened.stdout)).toMatchObject({ reference: "OIL-RC", severity: "CLASS_III", status: "OPEN", progress: { customers: 1, toContact: 1 } });
    const contact = await lotkeeper([
      "recall",
      "contact",
      "--shop",
      shop.domain,
      "--recall",
      "OIL-RC",
      "--customer",
      String(customer),
      "--status",
      "destroyed",
    ]);
    expect(JSON.parse(contact.stdout)).toMatchObject({ status: "DESTROYED", progress: { completionPercent: 100, resolvedPercent: 100 } });
    const show = await lotkeeper(["recall", "show", "--shop", shop.domain, "--recall", "OIL-RC", "--customers"]);
    expect(JSON.parse(show.stdout).customers.map((c: { contactStatus: string }) => c.contactStatus)).toEqual(["DESTROYED"]);
    const closed = await lotkeeper(["recall", "close", "--shop", shop.domain, "--recall", "OIL-RC"]);
    expect(JSON.parse(closed.stdout).status).toBe("CLOSED");

    const traced = await lotkeeper(["trace", "customer", "--shop", shop.domain, "--email", "INES@example.com"]);
    expect(JSON.parse(traced.stdout)).toMatchObject({ customerIds: [String(customer)], lots: [{ lotNumber: "OIL-5", units: 4, returnedUnits: 1 }] });
    const nobody = await lotkeeper(["trace", "customer", "--shop", shop.domain, "--email", "nobody@example.com"]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/no shipped units found for nobody@example.com/);

    const missing = await lotkeeper(["recall", "customers", "--shop", shop.domain, "--lot", "NOPE"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toMatch(/lot "NOPE" was not found in this shop/);
    const bad = await lotkeeper(["recall", "export", "--shop", shop.domain, "--lot", "OIL-5", "--format", "xml"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be csv, epcis or fsma204/);
  }, 120_000); // a dozen CLI processes, each a fresh tsx start: a deadline for a loaded machine, not a timing
});
