// The POS lot picker's endpoint (/api/extensions/pos-lots), called as the POS extension's fetch
// calls it: from the extension's origin with the ID token POS adds. The lots a cashier may sell at
// the POS location in the allocation's order with its first pick suggested, and a scanned GS1
// barcode accepted only when its lot may be sold here (docs/decisions/103).
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { action as posLotsAction, loader as posLotsLoader } from "../../app/routes/api.extensions.pos-lots";
import { posLotsPath, type PosLotsResponse } from "../../app/lib/extension-api";
import { adminHeaders, DESKTOP_UA, sessionToken } from "../helpers/session";
import { createTestShop } from "../helpers/shops";
import { GS } from "../helpers/gs1";
import { createLocation, createLot, createVariant } from "../helpers/factories";

const BASE = "https://lotkeeper.test";
/** POS UI extensions run on another origin than the app: CORS applies. */
const EXTENSION_ORIGIN = "https://extensions.shopifycdn.com";
/** A valid EAN-13 (check digit 1) and another product's GTIN-14. */
const TEA_BARCODE = "4006381333931";
const OTHER_GTIN = "09506000134352";

function get(shop: string, path: string, headers: Record<string, string> = adminHeaders(shop)): Request {
  return new Request(`${BASE}${path}`, { headers: { ...headers, Origin: EXTENSION_ORIGIN } });
}

async function answer(promise: Promise<Response>): Promise<{ status: number; body: unknown; headers: Headers }> {
  let response: Response;
  try {
    response = await promise;
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    response = thrown;
  }
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null, headers: response.headers };
}

const args = (request: Request) => ({ request, params: {}, context: {} });

async function lotsAt(shop: string, variantId: bigint, locationId: bigint, scan?: string): Promise<PosLotsResponse> {
  const { status, body, headers } = await answer(posLotsLoader(args(get(shop, posLotsPath(variantId.toString(), locationId.toString(), scan)))));
  expect(status, JSON.stringify(body)).toBe(200);
  expect(headers.get("Access-Control-Allow-Origin")).toBe("*");
  expect(headers.get("Cache-Control")).toBe("no-store");
  return body as PosLotsResponse;
}

/** 'YYYY-MM-DD' n days from today (UTC), and the same as GS1's YYMMDD. */
function inDays(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}
const yymmdd = (date: string) => date.slice(2).replaceAll("-", "");

/** A store with a POS location and a back room, and tea lots in every state a cashier may meet. */
async function teaShop(label: string, settings: Record<string, unknown> = {}) {
  const shop = await createTestShop(label, settings);
  const store = await createLocation(shop.id, { name: "Downtown store" });
  const backRoom = await createLocation(shop.id, { name: "Warehouse" });
  const tea = await createVariant(shop.id, { sku: "TEA-1", productTitle: "Green tea", title: "250 g", barcode: TEA_BARCODE });
  const honey = await createVariant(shop.id, { sku: "HON-1", productTitle: "Honey" });
  const old = new Date(Date.now() - 30 * 86_400_000);
  const recent = new Date(Date.now() - 2 * 86_400_000);
  await createLot(shop.id, { variantId: tea, lotNumber: "LATE", quantity: 4, locationId: store, expiresOn: inDays(300), receivedAt: old });
  await createLot(shop.id, { variantId: tea, lotNumber: "SOON", quantity: 6, locationId: store, expiresOn: inDays(40), receivedAt: recent });
  await createLot(shop.id, { variantId: tea, lotNumber: "UNDATED", quantity: 3, locationId: store, receivedAt: old });
  await createLot(shop.id, { variantId: tea, lotNumber: "RECALLED", quantity: 2, locationId: store, expiresOn: inDays(20), status: "RECALLED" });
  await createLot(shop.id, { variantId: tea, lotNumber: "EXPIRED", quantity: 2, locationId: store, expiresOn: inDays(-3) });
  await createLot(shop.id, { variantId: tea, lotNumber: "SHORT", quantity: 2, locationId: store, expiresOn: inDays(5) });
  const held = await createLot(shop.id, { variantId: tea, lotNumber: "HELD", quantity: 2, locationId: store, expiresOn: inDays(10) });
  await pool().query("update lot_balances set quarantined = true where shop_id = $1 and lot_id = $2", [shop.id, held]);
  await createLot(shop.id, { variantId: tea, lotNumber: "BACK-ROOM", quantity: 9, locationId: backRoom, expiresOn: inDays(15) });
  await createLot(shop.id, { variantId: honey, lotNumber: "HONEY-7", quantity: 5, locationId: store, expiresOn: inDays(200) });
  return { shop, store, backRoom, tea, honey };
}

describe("GET /api/extensions/pos-lots: the lots a cashier may sell", () => {
  it("lists only the lots sellable at the POS location, first expiry first, and suggests the first", async () => {
    const { shop, store, tea } = await teaShop("pos-fefo", { minShelfLifeDays: 7 });
    const lots = await lotsAt(shop.domain, tea, store);
    // Recalled, expired, too short for 7 days of shelf life, quarantined here and elsewhere-only are left out.
    expect(lots.lots.map((l) => l.lotNumber)).toEqual(["SOON", "LATE", "UNDATED"]);
    expect(lots.lots.map((l) => [l.available, l.shelfDate])).toEqual([
      [6, inDays(40)],
      [4, inDays(300)],
      [3, null],
    ]);
    expect(lots).toMatchObject({ suggestedLotNumber: "SOON", strategy: "FEFO", lotTracked: true, title: "Green tea - 250 g", sku: "TEA-1", scan: null });
  });

  it("follows the shop's strategy and the product's own: FIFO suggests the oldest receipt, manual suggests nothing", async () => {
    const fifo = await teaShop("pos-fifo", { allocationStrategy: "FIFO" });
    const byReceipt = await lotsAt(fifo.shop.domain, fifo.tea, fifo.store);
    // LATE and UNDATED arrived a month ago (LATE first), SOON two days ago, SHORT today.
    expect(byReceipt.lots.map((l) => l.lotNumber)).toEqual(["LATE", "UNDATED", "SOON", "SHORT"]);
    expect(byReceipt.suggestedLotNumber).toBe("LATE");

    const manual = await teaShop("pos-manual");
    await pool().query(`update variants set strategy_override = 'MANUAL' where shop_id = $1 and id = $2`, [manual.shop.id, manual.tea]);
    const chosen = await lotsAt(manual.shop.domain, manual.tea, manual.store);
    expect(chosen.strategy).toBe("MANUAL");
    expect(chosen.suggestedLotNumber).toBeNull();
    expect(chosen.lots.map((l) => l.lotNumber)).toEqual(["SHORT", "SOON", "LATE", "UNDATED"]);
  });

  it("has no lots for a variant that is not lot-tracked, and none at a location without stock", async () => {
    const { shop, store, backRoom, tea } = await teaShop("pos-untracked");
    expect((await lotsAt(shop.domain, tea, backRoom)).lots.map((l) => l.lotNumber)).toEqual(["BACK-ROOM"]);
    const gift = await createVariant(shop.id, { sku: "GIFT", lotTracked: false });
    expect(await lotsAt(shop.domain, gift, store)).toMatchObject({ lotTracked: false, lots: [], suggestedLotNumber: null });
    const empty = await createLocation(shop.id, { name: "Pop-up" });
    expect(await lotsAt(shop.domain, tea, empty)).toMatchObject({ lots: [], suggestedLotNumber: null });
  });

  it("answers 404 for another shop's variant and leaks none of its lots; bad ids are 400", async () => {
    const owner = await teaShop("pos-owner");
    const stranger = await createTestShop("pos-stranger");
    const foreign = await answer(posLotsLoader(args(get(stranger.domain, posLotsPath(owner.tea.toString(), owner.store.toString())))));
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(JSON.stringify(foreign.body)).not.toMatch(/SOON|LATE|Green tea/);

    const badVariant = await answer(
      posLotsLoader(args(get(owner.shop.domain, `/api/extensions/pos-lots?variantId=gid://shopify/Order/1&locationId=${owner.store}`))),
    );
    expect(badVariant.status).toBe(400);
    expect(badVariant.body).toMatchObject({ error: expect.stringContaining("variantId") });
    const noLocation = await answer(posLotsLoader(args(get(owner.shop.domain, `/api/extensions/pos-lots?variantId=${owner.tea}`))));
    expect(noLocation.status).toBe(400);
    expect(noLocation.body).toMatchObject({ error: expect.stringContaining("locationId") });
  });

  it("takes the GIDs and numbers POS gives, and refuses a request without a valid ID token", async () => {
    const { shop, store, tea } = await teaShop("pos-auth");
    const byGid = await answer(posLotsLoader(args(get(shop.domain, posLotsPath(`gid://shopify/ProductVariant/${tea}`, `gid://shopify/Location/${store}`)))));
    // No minimum shelf life in this shop: SHORT (5 days left) is the first to expire.
    expect((byGid.body as PosLotsResponse).suggestedLotNumber).toBe("SHORT");

    const path = posLotsPath(tea.toString(), store.toString());
    const forged = await answer(
      posLotsLoader(args(get(shop.domain, path, { Authorization: `Bearer ${sessionToken(shop.domain, { secret: "nope" })}`, "User-Agent": DESKTOP_UA }))),
    );
    expect(forged.status).toBe(401);
    expect(JSON.stringify(forged.body)).not.toContain("SOON");
    const expired = await answer(
      posLotsLoader(args(get(shop.domain, path, { Authorization: `Bearer ${sessionToken(shop.domain, { expiresIn: -60 })}`, "User-Agent": DESKTOP_UA }))),
    );
    expect(expired.status).toBe(401);
    const none = await answer(posLotsLoader(args(get(shop.domain, path, { "User-Agent": DESKTOP_UA }))));
    expect(none.status).toBe(401);
  });

  it("answers the CORS preflight with 204; other methods are 405", async () => {
    const preflight = new Request(`${BASE}/api/extensions/pos-lots?variantId=1&locationId=1`, {
      method: "OPTIONS",
      headers: {
        Origin: EXTENSION_ORIGIN,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
        "User-Agent": DESKTOP_UA,
      },
    });
    const { status, headers } = await answer(posLotsAction(args(preflight)));
    expect(status).toBe(204);
    expect(headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(headers.get("Access-Control-Allow-Headers")).toMatch(/Authorization/);
    const shop = await createTestShop("pos-post");
    const posted = await answer(
      posLotsAction(
        args(new Request(`${BASE}/api/extensions/pos-lots`, { method: "POST", headers: { ...adminHeaders(shop.domain), Origin: EXTENSION_ORIGIN } })),
      ),
    );
    expect(posted.status).toBe(405);
    expect(posted.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });
});

describe("GET /api/extensions/pos-lots?scan=: a scanned lot label", () => {
  it("accepts a sellable lot from a GS1 element string, AI text or Digital Link, and keeps the list", async () => {
    const { shop, store, tea } = await teaShop("pos-scan-ok");
    const elementString = `]d201${TEA_BARCODE.padStart(14, "0")}10LATE${GS}17${yymmdd(inDays(300))}`;
    const scanned = await lotsAt(shop.domain, tea, store, elementString);
    expect(scanned.scan).toEqual({ accepted: true, lotNumber: "LATE", scanned: elementString });
    expect(scanned.suggestedLotNumber).toBe("SHORT");
    expect((await lotsAt(shop.domain, tea, store, `(01)0${TEA_BARCODE}(10)UNDATED`)).scan).toMatchObject({ accepted: true, lotNumber: "UNDATED" });
    expect((await lotsAt(shop.domain, tea, store, `https://id.example.com/01/0${TEA_BARCODE}/10/SOON`)).scan).toMatchObject({
      accepted: true,
      lotNumber: "SOON",
    });
    // A lot received with its supplier's own GTIN: its label carries that GTIN, not the variant's barcode.
    await createLot(shop.id, { variantId: tea, lotNumber: "SUPPLIER-1", quantity: 2, locationId: store, expiresOn: inDays(90), gtin: OTHER_GTIN });
    expect((await lotsAt(shop.domain, tea, store, `(01)${OTHER_GTIN}(10)SUPPLIER-1`)).scan).toMatchObject({ accepted: true, lotNumber: "SUPPLIER-1" });
  });

  it("refuses a recalled, quarantined, expired or short-dated lot, and one with no units here, saying why", async () => {
    const { shop, store, tea } = await teaShop("pos-scan-refused", { minShelfLifeDays: 7 });
    const refusal = async (lot: string) => {
      const { scan } = await lotsAt(shop.domain, tea, store, `(01)0${TEA_BARCODE}(10)${lot}`);
      expect(scan?.accepted, lot).toBe(false);
      return scan && !scan.accepted ? scan.message : "";
    };
    expect(await refusal("RECALLED")).toMatch(/Lot RECALLED is recalled: do not sell it/);
    expect(await refusal("HELD")).toMatch(/Lot HELD is quarantined/);
    expect(await refusal("EXPIRED")).toMatch(new RegExp(`Lot EXPIRED is past its expiry \\(${inDays(-3)}\\)`));
    expect(await refusal("SHORT")).toMatch(/minimum shelf life/);
    expect(await refusal("BACK-ROOM")).toMatch(/Lot BACK-ROOM has no units at this location/);
    expect(await refusal("NEVER-HEARD")).toMatch(/Lotkeeper has no lot NEVER-HEARD of Green tea - 250 g/);
  });

  it("refuses another product's lot, a barcode without a lot and one that does not read", async () => {
    const { shop, store, tea } = await teaShop("pos-scan-other");
    const scan = async (text: string) => (await lotsAt(shop.domain, tea, store, text)).scan;
    expect(await scan(`(01)${OTHER_GTIN}(10)SOON`)).toMatchObject({
      accepted: false,
      message: expect.stringContaining(`another product (GTIN ${OTHER_GTIN})`),
    });
    // No GTIN in the code, but the lot number is the honey's.
    expect(await scan("(10)HONEY-7")).toMatchObject({ accepted: false, message: expect.stringContaining("Lot HONEY-7 is a lot of another product (Honey)") });
    expect(await scan(TEA_BARCODE)).toMatchObject({ accepted: false, message: expect.stringContaining("no lot number") });
    // Another shop's lot of that number is not this shop's business: it is simply unknown here.
    const other = await createTestShop("pos-scan-neighbour");
    const theirs = await createVariant(other.id, { productTitle: "Neighbour's jam" });
    await createLot(other.id, { variantId: theirs, lotNumber: "JAM-9", quantity: 3, locationId: await createLocation(other.id) });
    const unknown = await scan("(10)JAM-9");
    expect(unknown).toMatchObject({ accepted: false, message: expect.stringContaining("Lotkeeper has no lot JAM-9 of Green tea - 250 g") });
    expect(JSON.stringify(unknown)).not.toContain("Neighbour");
    expect(await scan("(01)12345")).toMatchObject({ accepted: false, message: expect.stringMatching(/^Barcode not read: /) });
  });
});
