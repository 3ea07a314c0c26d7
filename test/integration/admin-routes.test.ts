// The admin pages' loaders and actions, called as the browser calls them (bearer session token,
// desktop user agent): the shop always comes from the token, ids of another shop are 404, and a
// bad input answers with the problem and changes nothing.
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { loader as lotLoader, action as lotAction } from "../../app/routes/app.lots.$id";
import { loader as lotsLoader } from "../../app/routes/app.lots._index";
import { loader as recallLoader, action as recallAction } from "../../app/routes/app.recalls.$id";
import { action as openRecallAction } from "../../app/routes/app.recalls.new";
import { loader as exportLoader } from "../../app/routes/app.recalls.$id.export";
import { action as settingsAction } from "../../app/routes/app.settings";
import { action as receiveAction } from "../../app/routes/app.receive";
import { loader as homeLoader } from "../../app/routes/app._index";
import { adminHeaders, sessionToken } from "../helpers/session";
import { createTestShop } from "../helpers/shops";
import { ADMIN_BASE, adminGet, adminPost, statusOf } from "../helpers/admin-requests";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";

const BASE = ADMIN_BASE;
const get = adminGet;
const post = adminPost;
const status = statusOf;

async function twoShops() {
  const mine = await createTestShop("mine");
  const theirs = await createTestShop("theirs");
  const location = await createLocation(theirs.id, { name: "Their store" });
  const variant = await createVariant(theirs.id, { productTitle: "Their tea" });
  const lotId = await createLot(theirs.id, { variantId: variant, lotNumber: "THEIR-LOT-1", quantity: 5, locationId: location });
  const recall = await pool().query<{ id: bigint }>(
    "insert into recalls (shop_id, reference, reason, severity) values ($1, 'R-THEIRS', 'x', 'CLASS_II') returning id",
    [theirs.id],
  );
  return { mine, theirs, lotId, recallId: recall.rows[0]!.id };
}

describe("admin routes", () => {
  it("answer 404 for another shop's lot, recall and export, and never list its lots", async () => {
    const { mine, theirs, lotId, recallId } = await twoShops();
    const params = (id: bigint) => ({ id: id.toString() });
    expect(await status(lotLoader({ request: get(mine.domain, `/app/lots/${lotId}`), params: params(lotId), context: {} }))).toBe(404);
    expect(await status(lotAction({ request: post(mine.domain, `/app/lots/${lotId}`, { intent: "quarantine" }), params: params(lotId), context: {} }))).toBe(
      404,
    );
    expect(await status(recallLoader({ request: get(mine.domain, `/app/recalls/${recallId}`), params: params(recallId), context: {} }))).toBe(404);
    expect(await status(exportLoader({ request: get(mine.domain, `/app/recalls/${recallId}/export?format=csv`), params: params(recallId), context: {} }))).toBe(
      404,
    );
    const list = await lotsLoader({ request: get(mine.domain, "/app/lots?q=THEIR-LOT"), params: {}, context: {} });
    expect(list.lots).toEqual([]);
    // The owner sees it: the 404 above is tenancy, not a broken page.
    const theirsView = await lotLoader({ request: get(theirs.domain, `/app/lots/${lotId}`), params: params(lotId), context: {} });
    expect(theirsView.lot.lotNumber).toBe("THEIR-LOT-1");
    const lot = await pool().query("select status from lots where id = $1", [lotId]);
    expect(lot.rows[0].status).toBe("ACTIVE");
  });

  it("refuse a request without a valid session token", async () => {
    const mine = await createTestShop("notoken");
    const forged = new Request(`${BASE}/app`, {
      headers: { Authorization: `Bearer ${sessionToken(mine.domain, { secret: "not-the-secret" })}`, "User-Agent": adminHeaders(mine.domain)["User-Agent"]! },
    });
    expect(await status(homeLoader({ request: forged, params: {}, context: {} }))).toBe(401);
    const bot = new Request(`${BASE}/app`, {
      headers: { Authorization: `Bearer ${sessionToken(mine.domain)}`, "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/130.0 Safari/537.36" },
    });
    expect(await status(homeLoader({ request: bot, params: {}, context: {} }))).toBe(410);
  });

  it("settings: every bad field is named and nothing is saved; good values are saved", async () => {
    const shop = await createTestShop("settings");
    const bad = await settingsAction({
      request: post(shop.domain, "/app/settings", { intent: "settings", allocationStrategy: "RANDOM", minShelfLifeDays: "-3", autoLotPattern: "{NOPE}" }),
      params: {},
      context: {},
    });
    expect(bad.ok).toBe(false);
    expect(Object.keys(bad.errors ?? {}).sort()).toEqual(["allocationStrategy", "autoLotPattern", "minShelfLifeDays"]);
    expect(bad.errors?.autoLotPattern).toBe("unknown token {NOPE}: use {YYYYMMDD} {YYMMDD} {YYYY} {YY} {MM} {DD} {PO} {SKU} {SEQ}");
    let row = await pool().query("select allocation_strategy, min_shelf_life_days, auto_lot_pattern from shops where id = $1", [shop.id]);
    expect(row.rows[0]).toEqual({ allocation_strategy: "FEFO", min_shelf_life_days: 0, auto_lot_pattern: "{YYYYMMDD}-{PO}-{SEQ}" });
    const good = await settingsAction({
      request: post(shop.domain, "/app/settings", { intent: "settings", allocationStrategy: "FIFO", minShelfLifeDays: "14", autoLotPattern: "{YYMMDD}-{SEQ}" }),
      params: {},
      context: {},
    });
    expect(good).toMatchObject({ ok: true, message: "Settings saved" });
    row = await pool().query("select allocation_strategy, min_shelf_life_days, auto_lot_pattern from shops where id = $1", [shop.id]);
    expect(row.rows[0]).toEqual({ allocation_strategy: "FIFO", min_shelf_life_days: 14, auto_lot_pattern: "{YYMMDD}-{SEQ}" });
  });

  it("receive: a bad quantity is refused with the reason and creates nothing; a good receipt says what it did", async () => {
    const shop = await createTestShop("receive");
    const location = await createLocation(shop.id, { name: "Main" });
    const variant = await createVariant(shop.id, { productTitle: "Chamomile tea" });
    await pool().query("update variants set inventory_item_id = $3 where shop_id = $1 and id = $2", [shop.id, variant, 900000001n]);
    const form = { intent: "receive", variantId: variant.toString(), lotNumber: "CH-1", locationId: location.toString(), expiresOn: "2027-05-01" };
    const bad = await receiveAction({ request: post(shop.domain, "/app/receive", { ...form, quantity: "0" }), params: {}, context: {} });
    expect(bad.ok).toBe(false);
    expect(bad.errors?.quantity).toBeTruthy();
    expect((await pool().query("select count(*)::int as n from lots where shop_id = $1", [shop.id])).rows[0].n).toBe(0);
    const good = await receiveAction({ request: post(shop.domain, "/app/receive", { ...form, quantity: "12" }), params: {}, context: {} });
    expect(good).toMatchObject({ ok: true, message: "Received 12 units into lot CH-1 at Main (new lot)", lotNumber: "CH-1" });
  });

  it("lot actions: quarantine says what it did; a malformed adjustment changes nothing", async () => {
    const shop = await createTestShop("actions");
    const location = await createLocation(shop.id, { name: "Shelf" });
    const variant = await createVariant(shop.id);
    const lotId = await createLot(shop.id, { variantId: variant, lotNumber: "Q-1", quantity: 8, locationId: location });
    const params = { id: lotId.toString() };
    const bad = await lotAction({
      request: post(shop.domain, `/app/lots/${lotId}`, { intent: "adjust", locationId: location.toString(), delta: "lots" }),
      params,
      context: {},
    });
    expect(bad.ok).toBe(false);
    expect(bad.errors?.delta).toMatch(/non-zero whole number/);
    expect((await pool().query("select quantity from lot_balances where lot_id = $1", [lotId])).rows[0].quantity).toBe(8);
    const done = await lotAction({ request: post(shop.domain, `/app/lots/${lotId}`, { intent: "quarantine", reason: "smell" }), params, context: {} });
    expect(done).toMatchObject({ ok: true, message: "Quarantined Q-1: 8 units moved to quality control" });
    expect((await pool().query("select status from lots where id = $1", [lotId])).rows[0].status).toBe("QUARANTINED");
  });
});

describe("admin routes: completing and importing", () => {
  it("an edit of an incomplete lot saves the details and marks it complete", async () => {
    const shop = await createTestShop("edit");
    const location = await createLocation(shop.id);
    const variant = await createVariant(shop.id);
    const lotId = await createLot(shop.id, { variantId: variant, lotNumber: "AUTO-20261126", quantity: 3, locationId: location });
    await pool().query("update lots set incomplete = true where id = $1", [lotId]);
    const params = { id: lotId.toString() };
    const bad = await lotAction({ request: post(shop.domain, `/app/lots/${lotId}`, { intent: "edit", expiresOn: "2027-02-30" }), params, context: {} });
    expect(bad.ok).toBe(false);
    expect((await pool().query("select incomplete, expires_on from lots where id = $1", [lotId])).rows[0]).toEqual({ incomplete: true, expires_on: null });
    const done = await lotAction({
      request: post(shop.domain, `/app/lots/${lotId}`, { intent: "edit", expiresOn: "2027-02-28", supplier: "Mill & Co" }),
      params,
      context: {},
    });
    expect(done).toMatchObject({ ok: true });
    expect((await pool().query("select incomplete, expires_on, supplier from lots where id = $1", [lotId])).rows[0]).toEqual({
      incomplete: false,
      expires_on: "2027-02-28",
      supplier: "Mill & Co",
    });
  });

  it("a CSV dry run lists the bad rows and imports nothing", async () => {
    const shop = await createTestShop("import");
    const location = await createLocation(shop.id);
    const variant = await createVariant(shop.id, { sku: "TEA-1" });
    await pool().query("update variants set inventory_item_id = $3 where shop_id = $1 and id = $2", [shop.id, variant, 900000002n]);
    const csv = `variant_id,lot_number,quantity,location_id,expires_on\n${variant},L-1,5,${location},2027-01-01\n${variant},L-2,-4,${location},2027-13-01\n`;
    const report = await receiveAction({ request: post(shop.domain, "/app/receive", { intent: "import", csv, dryRun: "true" }), params: {}, context: {} });
    expect(report.ok).toBe(false);
    expect(report.report?.errors.map((e) => [e.row, e.column])).toEqual([
      [3, "quantity"],
      [3, "expires_on"],
    ]);
    expect((await pool().query("select count(*)::int as n from lots where shop_id = $1", [shop.id])).rows[0].n).toBe(0);
  });
});

describe("admin routes: a CSV file uploaded from the panel", () => {
  const upload = (shop: string, bytes: Uint8Array<ArrayBuffer>) => {
    const body = new FormData();
    body.set("intent", "import");
    body.set("csv", new File([bytes], "lots.csv", { type: "text/csv" }));
    body.set("dryRun", "true");
    return new Request(`${ADMIN_BASE}/app/receive`, { method: "POST", headers: adminHeaders(shop), body });
  };

  it("checks a UTF-8 file; refuses a Latin-1 one naming its encoding instead of importing U+FFFD", async () => {
    const shop = await createTestShop("import-upload");
    const location = await createLocation(shop.id);
    const variant = await createVariant(shop.id, { sku: "TEA-2" });
    await pool().query("update variants set inventory_item_id = $3 where shop_id = $1 and id = $2", [shop.id, variant, 900000003n]);
    const header = "variant_id,lot_number,quantity,location_id,supplier\n";
    const good = await receiveAction({
      request: upload(shop.domain, new TextEncoder().encode(`${header}${variant},L-1,5,${location},Café du Nord\n`)),
      params: {},
      context: {},
    });
    expect(good).toMatchObject({ ok: true, report: { rows: 1, errors: [] } });
    const latin1 = Uint8Array.from([...new TextEncoder().encode(`${header}${variant},L-1,5,${location},Caf`), 0xe9, ...new TextEncoder().encode(" du Nord\n")]);
    const refused = await receiveAction({ request: upload(shop.domain, latin1), params: {}, context: {} });
    expect(refused).toMatchObject({ ok: false });
    expect(refused.error).toMatch(
      /^Not imported: line 2: the file is not UTF-8 \(byte 0xE9 \("é"\)\): it looks like Windows-1252 \/ Latin-1\. Save it as "CSV UTF-8"/,
    );
    expect((await pool().query("select count(*)::int as n from lots where shop_id = $1", [shop.id])).rows[0].n).toBe(0);
  });
});

describe("admin routes: a recall case", () => {
  it("opens from the form, lists the customer, records the contact status and closes", async () => {
    const shop = await createTestShop("recall");
    const location = await createLocation(shop.id);
    const variant = await createVariant(shop.id);
    const lotId = await createLot(shop.id, { variantId: variant, lotNumber: "RC-1", quantity: 10, locationId: location });
    const customerId = newId();
    await shipToCustomer(shop.id, {
      variantId: variant,
      lotId,
      locationId: location,
      quantity: 2,
      customerId,
      customerName: "Jo Baker",
      customerEmail: "jo@example.com",
    });

    const missing = await openRecallAction({
      request: post(shop.domain, "/app/recalls/new", { lot: "NOPE-9", reason: "x", severity: "CLASS_I" }),
      params: {},
      context: {},
    });
    expect(missing).toMatchObject({ ok: false });
    expect((await pool().query("select count(*)::int as n from recalls where shop_id = $1", [shop.id])).rows[0].n).toBe(0);

    const opened = await openRecallAction({
      request: post(shop.domain, "/app/recalls/new", { lot: "RC-1", reason: "Mould", severity: "CLASS_II", tagShopify: "false" }),
      params: {},
      context: {},
    });
    expect(opened).toBeInstanceOf(Response);
    const location_ = (opened as Response).headers.get("Location")!;
    const recallId = /\/app\/recalls\/(\d+)/.exec(location_)![1]!;
    const view = await recallLoader({ request: get(shop.domain, `/app/recalls/${recallId}`), params: { id: recallId }, context: {} });
    expect(view.customers.customers.map((c) => [c.name, c.units, c.contactStatus])).toEqual([["Jo Baker", 2, "TO_CONTACT"]]);
    expect(view.recall.totals.onHandUnits).toBe(8);

    const key = view.customers.customers[0]!.customerKey;
    const contacted = await recallAction({
      request: post(shop.domain, `/app/recalls/${recallId}`, { intent: "contact", customerKey: key, status: "CONTACTED", name: "Jo Baker" }),
      params: { id: recallId },
      context: {},
    });
    expect(contacted).toMatchObject({ ok: true, message: "Jo Baker: contacted" });
    const badStatus = await recallAction({
      request: post(shop.domain, `/app/recalls/${recallId}`, { intent: "contact", customerKey: key, status: "FORGOTTEN" }),
      params: { id: recallId },
      context: {},
    });
    expect(badStatus).toMatchObject({ ok: false });
    const closed = await recallAction({ request: post(shop.domain, `/app/recalls/${recallId}`, { intent: "close" }), params: { id: recallId }, context: {} });
    expect(closed).toMatchObject({ ok: true });
    const row = await pool().query("select r.status, c.status as contact from recalls r join recall_customers c on c.recall_id = r.id where r.id = $1", [
      recallId,
    ]);
    expect(row.rows).toEqual([{ status: "CLOSED", contact: "CONTACTED" }]);
  });

  it("opens a recall of lots whose numbers hold spaces and commas, one per line", async () => {
    const shop = await createTestShop("recall-spaces");
    const location = await createLocation(shop.id);
    const variant = await createVariant(shop.id);
    const spaced = await createLot(shop.id, { variantId: variant, lotNumber: "LOT 2026 A", quantity: 4, locationId: location });
    const comma = await createLot(shop.id, { variantId: variant, lotNumber: "B,12", quantity: 3, locationId: location });
    await createLot(shop.id, { variantId: variant, lotNumber: "LOT", quantity: 5, locationId: location });
    const opened = await openRecallAction({
      request: post(shop.domain, "/app/recalls/new", { lot: " LOT 2026 A \r\nB,12\n\n", reason: "Mould", severity: "CLASS_II", tagShopify: "false" }),
      params: {},
      context: {},
    });
    expect(opened).toBeInstanceOf(Response);
    const recallId = /\/app\/recalls\/(\d+)/.exec((opened as Response).headers.get("Location")!)![1]!;
    const lots = await pool().query<{ lot_id: bigint }>("select lot_id from recall_lots where shop_id = $1 and recall_id = $2 order by lot_id", [
      shop.id,
      recallId,
    ]);
    expect(lots.rows.map((r) => r.lot_id).sort()).toEqual([spaced, comma].sort());
    const statuses = await pool().query<{ lot_number: string; status: string }>(
      "select lot_number, status::text from lots where shop_id = $1 order by lot_number",
      [shop.id],
    );
    expect(statuses.rows).toEqual([
      { lot_number: "B,12", status: "RECALLED" },
      { lot_number: "LOT", status: "ACTIVE" },
      { lot_number: "LOT 2026 A", status: "RECALLED" },
    ]);
  });
});
