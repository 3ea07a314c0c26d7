// The panel's mock recall button and drill reports (Recalls page), and the effectiveness level on
// a recall page, called as the embedded app's browser calls them (decision 106).
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { loader as recallsLoader, action as recallsAction } from "../../app/routes/app.recalls._index";
import { loader as recallLoader, action as recallAction } from "../../app/routes/app.recalls.$id";
import { loader as drillPdfLoader } from "../../app/routes/app.recalls.drills.$id.pdf";
import { openRecall } from "../../app/domain/recall/recall-case.server";
import { createTestShop } from "../helpers/shops";
import { adminGet as get, adminPost as post, statusOf } from "../helpers/admin-requests";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { pdfTexts } from "../helpers/barcode-reader";

async function shopWithLot(label: string) {
  const shop = await createTestShop(label);
  const location = await createLocation(shop.id);
  const variant = await createVariant(shop.id);
  await pool().query("update variants set inventory_item_id = $3 where shop_id = $1 and id = $2", [shop.id, variant, newId()]);
  const lotId = await createLot(shop.id, { variantId: variant, lotNumber: "DR-1", quantity: 12, locationId: location });
  await shipToCustomer(shop.id, { customerId: newId(), customerName: "Jo Baker", variantId: variant, lotId, locationId: location, quantity: 5 });
  return { shop, location, variant, lotId };
}

async function untouched(shopId: number) {
  const r = await pool().query(
    `select (select count(*)::int from outbox_entries where shop_id = $1) as outbox,
            (select count(*)::int from recalls where shop_id = $1) as recalls,
            (select count(*)::int from recall_customers where shop_id = $1) as contacts,
            (select string_agg(status::text, ',') from lots where shop_id = $1) as statuses,
            (select bool_or(quarantined) from lot_balances where shop_id = $1) as quarantined`,
    [shopId],
  );
  return r.rows[0];
}

describe("Recalls page: mock recall drills", () => {
  it("Run mock recall traces the lot without changing it, lists the dated report and serves its PDF", async () => {
    const { shop } = await shopWithLot("admin-drill");
    const before = await untouched(shop.id);
    expect(before).toEqual({ outbox: 0, recalls: 0, contacts: 0, statuses: "ACTIVE", quarantined: false });

    const done = await recallsAction({ request: post(shop.domain, "/app/recalls?index", { intent: "drill", lot: "DR-1" }), params: {}, context: {} });
    expect(done).toMatchObject({ ok: true });
    expect((done as { message: string }).message).toMatch(
      /^Mock recall of DR-1: 1 lot\(s\), 1 customer\(s\), \d+ ms; every unit accounted for\. Nothing was changed\.$/,
    );
    expect(await untouched(shop.id)).toEqual(before);

    const page = await recallsLoader({ request: get(shop.domain, "/app/recalls"), params: {}, context: {} });
    expect(page.drills.map((d) => [d.id, d.lotNumber, d.customers, d.unexplained])).toEqual([[(done as unknown as { drillId: string }).drillId, "DR-1", 1, 0]]);

    const drillId = page.drills[0]!.id;
    const pdf = await drillPdfLoader({ request: get(shop.domain, `/app/recalls/drills/${drillId}/pdf`), params: { id: drillId }, context: {} });
    expect(pdf.headers.get("Content-Type")).toBe("application/pdf");
    expect(pdf.headers.get("Content-Disposition")).toMatch(/^attachment; filename="mock-recall-DR-1-\d{4}-\d{2}-\d{2}\.pdf"$/);
    const texts = (await pdfTexts(new Uint8Array(await pdf.arrayBuffer()))).flat();
    expect(texts).toContain("Mock recall drill: lot DR-1");

    // Another shop sees neither the drill nor its PDF.
    const other = await createTestShop("admin-drill-other");
    expect(await statusOf(drillPdfLoader({ request: get(other.domain, `/app/recalls/drills/${drillId}/pdf`), params: { id: drillId }, context: {} }))).toBe(
      404,
    );
    const theirs = await recallsLoader({ request: get(other.domain, "/app/recalls"), params: {}, context: {} });
    expect(theirs.drills).toEqual([]);
  });

  it("says what is wrong with the lot number on the form", async () => {
    const { shop } = await shopWithLot("admin-drill-bad");
    const missing = await recallsAction({ request: post(shop.domain, "/app/recalls?index", { intent: "drill", lot: "NOPE-1" }), params: {}, context: {} });
    expect(missing).toMatchObject({ ok: false });
    expect((missing as { error: string }).error).toContain('lot "NOPE-1" was not found in this shop');
    const badVariant = await recallsAction({
      request: post(shop.domain, "/app/recalls?index", { intent: "drill", lot: "DR-1", variant: "abc" }),
      params: {},
      context: {},
    });
    expect(badVariant).toMatchObject({ ok: false, errors: { variant: "A Shopify variant id (digits)" } });
    expect((await pool().query("select count(*)::int as n from recall_drills where shop_id = $1", [shop.id])).rows[0].n).toBe(0);
  });
});

describe("Recall page: effectiveness level and mass balance", () => {
  it("saves the level the merchant chose and measures the case against it", async () => {
    const { shop } = await shopWithLot("admin-effect");
    const recall = await openRecall(shop.id, { lots: [{ lotNumber: "DR-1" }], reason: "Mould", severity: "CLASS_II" });
    const id = recall.id.toString();
    const refused = await recallAction({
      request: post(shop.domain, `/app/recalls/${id}`, { intent: "effectiveness", level: "B", percent: "100" }),
      params: { id },
      context: {},
    });
    expect(refused).toMatchObject({ ok: false });
    const saved = await recallAction({
      request: post(shop.domain, `/app/recalls/${id}`, { intent: "effectiveness", level: "C", percent: "" }),
      params: { id },
      context: {},
    });
    expect(saved).toMatchObject({ ok: true, message: "Effectiveness-check level C saved" });
    const view = await recallLoader({ request: get(shop.domain, `/app/recalls/${id}`), params: { id }, context: {} });
    expect(view.recall.effectiveness).toMatchObject({ level: "C", targetPercent: 10, customers: 1, customersReached: 0, met: false });
    expect(view.recall.massBalance.total).toEqual({ received: 12, shipped: 5, onHand: 7, returned: 0, destroyed: 0, adjusted: 0, unexplained: 0 });
  });
});
