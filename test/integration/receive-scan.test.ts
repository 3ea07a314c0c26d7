// The Receive page's scan field, through its action as the browser posts it: a bare EAN-13 (what a
// handheld sends for a retail product) fills the product whose barcode it is, among all of the
// shop's variants; an unknown barcode, a barcode on two products and a bad check digit are said in
// words; another shop's product is never offered.
import { describe, expect, it } from "vitest";
import { action as receiveAction } from "../../app/routes/app.receive";
import { loader as lotsLoader } from "../../app/routes/app.lots._index";
import { pool } from "../../app/db.server";
import { createTestShop } from "../helpers/shops";
import { adminGet, adminPost } from "../helpers/admin-requests";
import { createLocation, createLot, createVariant } from "../helpers/factories";

const scan = (domain: string, text: string) =>
  receiveAction({ request: adminPost(domain, "/app/receive", { intent: "scan", scan: text }), params: {}, context: {} });

describe("Receive page scan", () => {
  it("fills the product from a bare EAN-13 and says what it read", async () => {
    const shop = await createTestShop("scan-ean");
    const oat = await createVariant(shop.id, { productTitle: "Organic oat milk 1 L", title: "Default Title", sku: "OAT-1L", barcode: "4006381333931" });
    await createVariant(shop.id, { productTitle: "Honey granola", barcode: "4012345000023" });
    const r = await scan(shop.domain, "4006381333931\r\n");
    expect(r).toMatchObject({
      ok: true,
      message: "Read EAN-13 4006381333931 (GTIN 04006381333931) · Organic oat milk 1 L (OAT-1L)",
      scan: {
        tone: "success",
        variant: { id: oat.toString(), label: "Organic oat milk 1 L (OAT-1L)" },
        fields: { gtin: "04006381333931", lot: null, expiry: null },
      },
    });
  });

  it("matches a barcode stored as GTIN-14, UPC-A or EAN-8 to the scan of the same GTIN", async () => {
    const shop = await createTestShop("scan-forms");
    const upc = await createVariant(shop.id, { productTitle: "Crackers", sku: "CRK", barcode: "00036000291452" });
    const r = await scan(shop.domain, "036000291452");
    expect(r.scan?.variant?.id).toBe(upc.toString());
    expect(r.message).toBe("Read UPC-A 036000291452 (GTIN 00036000291452) · Crackers - Default (CRK)");
  });

  it("fills lot and dates from a GS1 barcode and the product from its GTIN", async () => {
    const shop = await createTestShop("scan-gs1");
    await createVariant(shop.id, { productTitle: "Organic oat milk 1 L", title: "Default Title", sku: "OAT-1L", barcode: "4006381333931" });
    const r = await scan(shop.domain, "]Q1https://brand.example/01/04006381333931/10/OAT-26?17=270131");
    expect(r.message).toBe("Read GTIN 04006381333931, lot OAT-26, expires 2027-01-31 · Organic oat milk 1 L (OAT-1L)");
    expect(r.scan?.fields).toEqual({ gtin: "04006381333931", lot: "OAT-26", expiry: "2027-01-31", bestBefore: null, productionDate: null });
  });

  it("says so when no product of this shop has the barcode, even if another shop's has", async () => {
    const mine = await createTestShop("scan-none");
    const theirs = await createTestShop("scan-theirs");
    await createVariant(theirs.id, { productTitle: "Their oat milk", barcode: "4006381333931" });
    const r = await scan(mine.domain, "4006381333931");
    expect(r).toMatchObject({
      ok: true,
      message: "Read EAN-13 4006381333931 (GTIN 04006381333931), but no product of this shop has barcode 4006381333931: pick the product below.",
      scan: { tone: "warning", variant: null },
    });
  });

  it("leaves out a deleted variant and names both when two live products share a barcode", async () => {
    const shop = await createTestShop("scan-two");
    const gone = await createVariant(shop.id, { productTitle: "Old oat milk", sku: "OAT-OLD", barcode: "4006381333931" });
    await pool().query("update variants set deleted_at = now() where shop_id = $1 and id = $2", [shop.id, gone]);
    const only = await createVariant(shop.id, { productTitle: "Oat milk", sku: "OAT-A", barcode: "4006381333931" });
    expect((await scan(shop.domain, "4006381333931")).scan?.variant?.id).toBe(only.toString());
    await createVariant(shop.id, { productTitle: "Oat milk", sku: "OAT-B", barcode: "04006381333931" });
    const r = await scan(shop.domain, "4006381333931");
    expect(r.scan?.variant).toBeNull();
    expect(r.message).toBe(
      "Read EAN-13 4006381333931 (GTIN 04006381333931), but barcode 4006381333931 is on 2 products (Oat milk - Default (OAT-A), Oat milk - Default (OAT-B)): pick the right one below.",
    );
  });

  it("refuses a mistyped EAN-13 with the check digit it expected, and receives nothing", async () => {
    const shop = await createTestShop("scan-bad");
    const r = await scan(shop.domain, "4006381333932");
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^Barcode not read: 4006381333932 read as an EAN-13 barcode has check digit 2, expected 1/);
    expect((await pool().query("select count(*)::int as n from lots where shop_id = $1", [shop.id])).rows[0].n).toBe(0);
  });

  it("the Lots search reads a bare EAN-13 of a product as a scan, and other 13 digits as a search", async () => {
    const shop = await createTestShop("scan-list");
    const location = await createLocation(shop.id);
    const oat = await createVariant(shop.id, { productTitle: "Organic oat milk 1 L", sku: "OAT-1L", barcode: "4006381333931" });
    const tea = await createVariant(shop.id, { productTitle: "Tea", barcode: null });
    await createLot(shop.id, { variantId: oat, lotNumber: "OAT-1", quantity: 5, locationId: location });
    await createLot(shop.id, { variantId: tea, lotNumber: "2112345678900", quantity: 5, locationId: location });
    const list = async (q: string) => lotsLoader({ request: adminGet(shop.domain, `/app/lots?q=${encodeURIComponent(q)}`), params: {}, context: {} });
    const byEan = await list("4006381333931");
    expect(byEan.scan).toMatchObject({ gtin: "04006381333931", product: "Organic oat milk 1 L - Default (OAT-1L)" });
    expect(byEan.lots.map((l) => l.lotNumber)).toEqual(["OAT-1"]);
    const byLotNumber = await list("2112345678900"); // a valid EAN-13 too, but no product has it
    expect(byLotNumber.scan).toBeNull();
    expect(byLotNumber.lots.map((l) => l.lotNumber)).toEqual(["2112345678900"]);
  });
});
