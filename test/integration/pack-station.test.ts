// The pack station as a packer uses it (README "Pack station"), through the page's loader and
// action as the browser calls them: open an order, scan units into the box. Each kind of wrong unit
// is refused in its own words and changes nothing; a good unit counts toward its line; another
// shop's order or lot is not found.
import { beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { action, loader } from "../../app/routes/app.pack";
import { createTestShop } from "../helpers/shops";
import { adminGet, adminPost } from "../helpers/admin-requests";
import { createLocation, createLot, createOrder, createVariant, newId } from "../helpers/factories";

/** 'YYYY-MM-DD' n days from today (UTC): lots stay in or out of date whenever the test runs. */
function inDays(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

const GRANOLA = "04012345000023";
const OAT = "04006381333931";
const granola = (lot: string) => `(01)${GRANOLA}(10)${lot}`;

type Scan = { lineItemId: string; lotId: string | null; lotNumber: string | null; quantity: number };

describe("pack station", () => {
  let shop: Awaited<ReturnType<typeof createTestShop>>;
  let berlin: bigint;
  let granolaLine: bigint;
  let oatLine: bigint;
  const lots: Record<string, bigint> = {};

  const scan = async (text: string, scans: Scan[] = [], order = "#P-1", domain = shop.domain) =>
    action({
      request: adminPost(domain, "/app/pack", { order, location: berlin.toString(), scan: text, scans: JSON.stringify(scans) }),
      params: {},
      context: {},
    });
  /** Everything a scan could change: balances, ledger, allocations. */
  const state = async () =>
    (
      await pool().query(
        `select (select json_agg(json_build_object('lot', lot_id, 'loc', location_id, 'q', quantity) order by lot_id, location_id) from lot_balances where shop_id = $1) as balances,
                (select count(*)::int from ledger_entries where shop_id = $1) as ledger,
                (select count(*)::int from allocations where shop_id = $1) as allocations`,
        [shop.id],
      )
    ).rows[0];

  beforeAll(async () => {
    shop = await createTestShop("pack");
    berlin = await createLocation(shop.id, { name: "Berlin warehouse" });
    const hamburg = await createLocation(shop.id, { name: "Hamburg" });
    const gran = await createVariant(shop.id, { productTitle: "Honey granola", title: "400 g", sku: "GRAN-400", barcode: "4012345000023" });
    const oat = await createVariant(shop.id, { productTitle: "Oat milk", title: "1 L", sku: "OAT-1L", barcode: "4006381333931" });
    await createVariant(shop.id, { productTitle: "Crackers", sku: "CRK", barcode: "036000291452" });
    const lot = async (lotNumber: string, attrs: Partial<Parameters<typeof createLot>[1]> = {}) => {
      lots[lotNumber] = await createLot(shop.id, { variantId: gran, lotNumber, quantity: 5, locationId: berlin, expiresOn: inDays(100), ...attrs });
    };
    await lot("GRAN-A", { expiresOn: inDays(60), quantity: 10 }); // FEFO: the planned lot
    await lot("GRAN-B", { expiresOn: inDays(200) });
    await lot("GRAN-R", { status: "RECALLED" });
    await lot("GRAN-Q", { status: "QUARANTINED" });
    await lot("GRAN-H");
    await pool().query("update lot_balances set quarantined = true where lot_id = $1", [lots["GRAN-H"]]);
    await lot("GRAN-X", { expiresOn: inDays(-3) });
    await lot("GRAN-HH", { locationId: hamburg });
    await lot("GRAN-EMPTY", { quantity: 0 });
    lots["OAT-1"] = await createLot(shop.id, { variantId: oat, lotNumber: "OAT-1", quantity: 4, locationId: berlin, expiresOn: inDays(30) });
    const order = await createOrder(shop.id, {
      name: "#P-1",
      lines: [
        { variantId: gran, quantity: 2 },
        { variantId: oat, quantity: 1 },
      ],
    });
    [granolaLine, oatLine] = order.lineIds as [bigint, bigint];
  });

  it("opens the order with its open lines and the lot planned for each", async () => {
    const data = await loader({ request: adminGet(shop.domain, `/app/pack?order=%23P-1&location=${berlin}`), params: {}, context: {} });
    expect(data.error).toBeNull();
    expect(data.pack?.order.name).toBe("#P-1");
    expect(data.pack?.location).toEqual({ id: berlin.toString(), name: "Berlin warehouse" });
    expect(data.pack?.lines.map((l) => [l.sku, l.gtin, l.quantity, l.planned.map((p) => [p.lotNumber, p.quantity])])).toEqual([
      ["GRAN-400", GRANOLA, 2, [["GRAN-A", 2]]],
      ["OAT-1L", OAT, 1, [["OAT-1", 1]]],
    ]);
  });

  it("asks for the location when the order has no open fulfilment and none was chosen", async () => {
    const data = await loader({ request: adminGet(shop.domain, "/app/pack?order=%23P-1"), params: {}, context: {} });
    expect(data).toMatchObject({
      pack: null,
      error: "Order #P-1 has no open fulfilment with a known location: choose the location you pack at, then open the order again.",
    });
  });

  it("accepts a unit of the planned lot and counts it toward its line, changing nothing in stock", async () => {
    const before = await state();
    const r = await scan(granola("GRAN-A"));
    expect(r).toMatchObject({
      ok: true,
      accepted: true,
      plannedLot: true,
      orderPacked: false,
      lineItemId: granolaLine.toString(),
      message: "OK: Honey granola - 400 g (GRAN-400), lot GRAN-A. 1 of 2 packed.",
      scans: [{ lineItemId: granolaLine.toString(), lotId: lots["GRAN-A"]!.toString(), lotNumber: "GRAN-A", quantity: 1 }],
    });
    expect(await state()).toEqual(before);
  });

  it("accepts a good unit of another lot than planned and says so (the reservation follows it)", async () => {
    const r = await scan(`]C1010401234500002310GRAN-B`);
    expect(r).toMatchObject({
      accepted: true,
      plannedLot: false,
      message: "OK: Honey granola - 400 g (GRAN-400), lot GRAN-B (not the planned lot: GRAN-A). 1 of 2 packed.",
    });
  });

  it("completes the order when every line has its units", async () => {
    const first = await scan(granola("GRAN-A"));
    if (!first.ok || !("scans" in first)) throw new Error("first scan refused");
    const second = await scan(granola("GRAN-A"), first.scans);
    if (!second.ok || !("scans" in second)) throw new Error("second scan refused");
    const last = await scan(`(01)${OAT}(17)${inDays(30).slice(2).replaceAll("-", "")}(10)OAT-1`, second.scans);
    expect(last).toMatchObject({ accepted: true, orderPacked: true, lineItemId: oatLine.toString() });
    expect((last as { message: string }).message).toBe("OK: Oat milk - 1 L (OAT-1L), lot OAT-1. 1 of 1 packed. Order #P-1 is complete.");
    expect((last as { scans: Scan[] }).scans.map((s) => [s.lotNumber, s.quantity])).toEqual([
      ["GRAN-A", 2],
      ["OAT-1", 1],
    ]);
  });

  const refusals: [string, string, string][] = [
    ["recalled", granola("GRAN-R"), "STOP: lot GRAN-R is RECALLED. Do not pack it: put it aside for the recall."],
    ["quarantined", granola("GRAN-Q"), "Quarantined: lot GRAN-Q is on hold. Do not pack it: take a unit of another lot."],
    ["quarantined", granola("GRAN-H"), "Quarantined: lot GRAN-H is on hold. Do not pack it: take a unit of another lot."],
    ["expired", granola("GRAN-X"), `Expired: lot GRAN-X expired on ${inDays(-3)}. Do not pack it: take a unit of another lot.`],
    [
      "not-at-location",
      granola("GRAN-HH"),
      "Not at this location: lot GRAN-HH of Honey granola - 400 g (GRAN-400) has no units at Berlin warehouse. Take a unit from this location's stock.",
    ],
    [
      "not-at-location",
      granola("GRAN-EMPTY"),
      "Not at this location: lot GRAN-EMPTY of Honey granola - 400 g (GRAN-400) has no units at Berlin warehouse. Take a unit from this location's stock.",
    ],
    ["not-this-product", "(01)00036000291452(10)CRK-1", "Not in this order: #P-1 has no open line for barcode 00036000291452. Put it back."],
    ["unknown-lot", granola("GRAN-ZZZ"), "Unknown lot: GRAN-ZZZ is not a lot of Honey granola - 400 g (GRAN-400). Check the label, or receive the lot first."],
    [
      "no-lot-in-barcode",
      "4012345000023",
      "No lot in this barcode: Honey granola - 400 g (GRAN-400) is lot-tracked. Scan the GS1 barcode with the lot number (10) on the label.",
    ],
    [
      "unreadable",
      "4012345000024",
      "Barcode not read: 4012345000024 read as an EAN-13 barcode has check digit 4, expected 3 (GS1 data of this length needs its (AI) parentheses or a symbology identifier such as ]C1). Scan again, or type it.",
    ],
  ];
  it.each(refusals)("refuses a %s unit in its own words and changes nothing (%s)", async (reason, text, message) => {
    const before = await state();
    expect(await scan(text)).toEqual({ ok: true, accepted: false, reason, message });
    expect(await state()).toEqual(before);
  });

  it("refuses a unit for a line that is already complete", async () => {
    const full: Scan[] = [{ lineItemId: granolaLine.toString(), lotId: lots["GRAN-A"]!.toString(), lotNumber: "GRAN-A", quantity: 2 }];
    expect(await scan(granola("GRAN-B"), full)).toEqual({
      ok: true,
      accepted: false,
      reason: "line-complete",
      message: "Already complete: Honey granola - 400 g (GRAN-400) is packed (2 of 2). Do not add more.",
    });
  });

  it("accepts any unit of a product that is not lot-tracked, from its retail barcode alone", async () => {
    const bag = await createVariant(shop.id, { productTitle: "Paper bag", sku: "BAG", barcode: "4006381333948", lotTracked: false });
    const order = await createOrder(shop.id, { name: "#P-2", lines: [{ variantId: bag, quantity: 1 }] });
    expect(await scan("4006381333948", [], "#P-2")).toMatchObject({
      accepted: true,
      plannedLot: true,
      orderPacked: true,
      message: "OK: Paper bag - Default (BAG). 1 of 1 packed. Order #P-2 is complete.",
      scans: [{ lineItemId: order.lineIds[0]!.toString(), lotId: null, lotNumber: null, quantity: 1 }],
    });
  });

  it("plans no lot for a product with the manual strategy: the packer's scan chooses it", async () => {
    const honey = await createVariant(shop.id, { productTitle: "Raw honey", sku: "HONEY", barcode: "4006381333955" });
    await pool().query("update variants set strategy_override = 'MANUAL' where shop_id = $1 and id = $2", [shop.id, honey]);
    await createLot(shop.id, { variantId: honey, lotNumber: "H-1", quantity: 3, locationId: berlin, expiresOn: inDays(300) });
    await createOrder(shop.id, { name: "#P-3", lines: [{ variantId: honey, quantity: 1 }] });
    const page = await loader({ request: adminGet(shop.domain, `/app/pack?order=%23P-3&location=${berlin}`), params: {}, context: {} });
    expect(page.pack?.lines.map((l) => [l.sku, l.manual, l.planned])).toEqual([["HONEY", true, []]]);
    expect(await scan("(01)04006381333955(10)H-1", [], "#P-3")).toMatchObject({
      accepted: true,
      plannedLot: false,
      message: "OK: Raw honey - Default (HONEY), lot H-1 (chosen by this scan: the product's lots are chosen by hand). 1 of 1 packed. Order #P-3 is complete.",
    });
  });

  it("does not find another shop's order, nor take another shop's lot of the same barcode", async () => {
    const theirs = await createTestShop("pack-theirs");
    const theirVariant = await createVariant(theirs.id, { productTitle: "Their granola", barcode: "4012345000023" });
    await createLot(theirs.id, { variantId: theirVariant, lotNumber: "THEIR-LOT", quantity: 9, locationId: berlin, expiresOn: inDays(90) });
    await createOrder(theirs.id, { name: "#T-1", lines: [{ variantId: theirVariant, quantity: 1 }] });
    expect(await scan(granola("THEIR-LOT"), [], "#T-1")).toEqual({
      ok: false,
      error: "Not checked: order #T-1 is not known in this shop (no order, fulfilment or refund webhook has named it yet)",
      errors: {},
    });
    expect(await scan(granola("THEIR-LOT"))).toMatchObject({ accepted: false, reason: "unknown-lot" });
    const page = await loader({ request: adminGet(shop.domain, `/app/pack?order=%23T-1&location=${berlin}`), params: {}, context: {} });
    expect(page).toMatchObject({ pack: null, error: "order #T-1 is not known in this shop (no order, fulfilment or refund webhook has named it yet)" });
  });

  it("refuses bad input with a clear message and changes nothing", async () => {
    const before = await state();
    expect(await scan(granola("GRAN-A"), [], "")).toMatchObject({
      ok: false,
      error: "Not checked: type or scan the order first (its name, e.g. #1001, or its id)",
    });
    const bad = await action({
      request: adminPost(shop.domain, "/app/pack", { order: "#P-1", location: berlin.toString(), scan: granola("GRAN-A"), scans: "{nope" }),
      params: {},
      context: {},
    });
    expect(bad).toMatchObject({ ok: false, error: "Not checked: the scans on the page are not readable. Reload the order." });
    const foreign = await scan(granola("GRAN-A"), [{ lineItemId: newId().toString(), lotId: null, lotNumber: null, quantity: 1 }]);
    expect(foreign).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Not checked: the scans on the page name line \d+, which has nothing left to pack: reload the order$/),
    });
    const located = await action({
      request: adminPost(shop.domain, "/app/pack", { order: "#P-1", location: "Berlin", scan: granola("GRAN-A"), scans: "[]" }),
      params: {},
      context: {},
    });
    expect(located).toMatchObject({ ok: false, error: "Not checked: the location must be a Shopify location id (digits). Reload the order." });
    expect(await state()).toEqual(before);
  });
});
