// Pick lists as a picker and an operator see them (README "Pick lists"): the lot each unit is taken
// from for open orders, planned by the allocation's rules over the balances on hand, read-only.
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { pickListForLocation, pickListForOrder } from "../../app/domain/picking/pick-list.server";
import { createTestShop } from "../helpers/shops";
import { createLot, createOrder, createVariant, newId } from "../helpers/factories";
import { balances, deliver, fulfilmentPayload, refundPayload } from "../helpers/allocation";
import { cliJson, cliOutput, runCli } from "../helpers/cli";
import { adminGet, statusOf } from "../helpers/admin-requests";
import { loader as pageLoader } from "../../app/routes/app.pick-list";
import { loader as exportLoader } from "../../app/routes/app.pick-list.export";
import { loader as printLoader } from "../../app/routes/app.pick-list.print";

/** 'YYYY-MM-DD' n days from today (UTC): lots stay in or out of date whenever the test runs. */
function inDays(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

/** Orders are planned oldest first: give each its own Shopify created_at. */
async function orderedAt(shopId: number, orderId: bigint, at: string): Promise<void> {
  await pool().query("update orders set shopify_created_at = $3 where shop_id = $1 and id = $2", [shopId, orderId, at]);
}

const picks = (rows: { orderName: string | null; lotNumber: string | null; quantity: number; status: string }[]) =>
  rows.map((r) => [r.orderName, r.lotNumber, r.quantity, r.status]);

describe("pick lists", () => {
  it("plans a location batch oldest order first: the second order gets the next lot once the earliest is planned away", async () => {
    const shop = await createTestShop("pick-fefo");
    const loc = newId();
    const cream = await createVariant(shop.id, { sku: "CREAM-50", productTitle: "Night cream", title: "50 ml" });
    const balm = await createVariant(shop.id, { sku: "BALM-10" });
    const early = await createLot(shop.id, { variantId: cream, lotNumber: "C-EARLY", quantity: 2, locationId: loc, expiresOn: inDays(40) });
    await createLot(shop.id, { variantId: cream, lotNumber: "C-LATER", quantity: 10, locationId: loc, expiresOn: inDays(90) });
    await createLot(shop.id, { variantId: cream, lotNumber: "C-UNDATED", quantity: 10, locationId: loc });
    await createLot(shop.id, { variantId: balm, lotNumber: "B-1", quantity: 4, locationId: loc, expiresOn: inDays(60) });
    const second = await createOrder(shop.id, {
      name: "#1002",
      lines: [
        { variantId: cream, quantity: 3 },
        { variantId: balm, quantity: 6 },
      ],
    });
    const first = await createOrder(shop.id, { name: "#1001", lines: [{ variantId: cream, quantity: 2 }] });
    await orderedAt(shop.id, first.id, "2026-11-01T10:00:00Z");
    await orderedAt(shop.id, second.id, "2026-11-02T10:00:00Z");
    const before = await balances(shop.id);

    const list = await pickListForLocation(shop.id, loc);

    expect(list.orders.map((o) => o.name)).toEqual(["#1001", "#1002"]);
    // Walking order: lot number, then SKU; the shortfall (no lot) last.
    expect(picks(list.rows)).toEqual([
      ["#1002", "B-1", 4, "pick"],
      ["#1001", "C-EARLY", 2, "pick"],
      ["#1002", "C-LATER", 3, "pick"],
      ["#1002", null, 2, "no-lot-available"],
    ]);
    expect(list.rows[1]).toMatchObject({ sku: "CREAM-50", title: "Night cream - 50 ml", expiresOn: inDays(40), bin: null, lineItemId: first.lineIds[0] });
    expect(list.lots.map((g) => [g.lotNumber, g.totalQuantity, g.rows.length])).toEqual([
      ["B-1", 4, 1],
      ["C-EARLY", 2, 1],
      ["C-LATER", 3, 1],
      [null, 2, 1],
    ]);
    expect(list.totals).toEqual({ quantity: 11, toPick: 9, noLotAvailable: 2, manual: 0, notLotTracked: 0 });
    expect(list.lots[1]!.lotId).toBe(early);
    // A pick list is read-only: nothing was taken from any lot.
    expect(await balances(shop.id)).toEqual(before);
  });

  it("leaves out quarantined, recalled, expired and too-short-dated lots", async () => {
    const shop = await createTestShop("pick-excluded", { minShelfLifeDays: 30 });
    const loc = newId();
    const variantId = await createVariant(shop.id, { sku: "SERUM" });
    await createLot(shop.id, { variantId, lotNumber: "Q-1", quantity: 5, locationId: loc, expiresOn: inDays(100), status: "QUARANTINED" });
    await createLot(shop.id, { variantId, lotNumber: "R-1", quantity: 5, locationId: loc, expiresOn: inDays(101), status: "RECALLED" });
    await createLot(shop.id, { variantId, lotNumber: "EXP-1", quantity: 5, locationId: loc, expiresOn: inDays(-1) });
    await createLot(shop.id, { variantId, lotNumber: "SHORT-1", quantity: 5, locationId: loc, expiresOn: inDays(10) });
    const held = await createLot(shop.id, { variantId, lotNumber: "HELD-1", quantity: 5, locationId: loc, expiresOn: inDays(102) });
    await pool().query("update lot_balances set quarantined = true where lot_id = $1", [held]);
    await createLot(shop.id, { variantId, lotNumber: "GOOD-1", quantity: 2, locationId: loc, expiresOn: inDays(200) });
    const order = await createOrder(shop.id, { name: "#2001", lines: [{ variantId, quantity: 3 }] });

    const list = await pickListForOrder(shop.id, "#2001", loc);

    expect(list.orders).toEqual([{ id: order.id, name: "#2001" }]);
    expect(picks(list.rows)).toEqual([
      ["#2001", "GOOD-1", 2, "pick"],
      ["#2001", null, 1, "no-lot-available"],
    ]);
  });

  it("shows only the remainder of a partly fulfilled (or partly cancelled) line, at the location of the order's open fulfilment", async () => {
    const shop = await createTestShop("pick-partial");
    const loc = newId();
    const variantId = await createVariant(shop.id, { sku: "SOAP" });
    await createLot(shop.id, { variantId, lotNumber: "S-1", quantity: 10, locationId: loc, expiresOn: inDays(50) });
    const order = await createOrder(shop.id, { name: "#3001", lines: [{ variantId, quantity: 5 }] });
    const lineItemId = order.lineIds[0]!;
    // Two units shipped (allocated from S-1 by the worker), the other three wait in an open fulfilment.
    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId: order.id, locationId: loc, lines: [{ lineItemId, variantId, quantity: 2 }] }),
    );
    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId: order.id, locationId: loc, status: "open", lines: [{ lineItemId, variantId, quantity: 3 }] }),
    );

    const list = await pickListForOrder(shop.id, String(order.id), undefined);

    expect(list.location.id).toBe(loc);
    expect(picks(list.rows)).toEqual([["#3001", "S-1", 3, "pick"]]);
    expect(list.totals.quantity).toBe(3);

    // One unfulfilled unit is refunded and cancelled: it will not ship, so it is not picked.
    await deliver(
      shop.domain,
      "refunds/create",
      refundPayload({ id: newId(), orderId: order.id, lines: [{ id: newId(), lineItemId, quantity: 1, restockType: "cancel", locationId: loc }] }),
    );
    expect(picks((await pickListForOrder(shop.id, "#3001", undefined)).rows)).toEqual([["#3001", "S-1", 2, "pick"]]);
  });

  it("prints CSV through the CLI with a header and formula-safe cells", async () => {
    const shop = await createTestShop("pick-csv");
    const loc = newId();
    const variantId = await createVariant(shop.id, { sku: '=HYPERLINK("http://evil.example","x")', productTitle: "Tea, green", title: "100 g" });
    await createLot(shop.id, { variantId, lotNumber: "+T-1", quantity: 5, locationId: loc, expiresOn: inDays(30) });
    const order = await createOrder(shop.id, { name: "#4001", lines: [{ variantId, quantity: 2 }] });

    const csv = await cliOutput(["orders", "pick-list", "--shop", shop.domain, "--location", String(loc), "--open", "--format", "csv"]);

    const [header, row, end] = csv.split("\n");
    expect(header).toBe("order_name,line_item_id,sku,title,lot_number,expiry_date,bin,quantity,status");
    expect(row).toBe(`#4001,${order.lineIds[0]},"'=HYPERLINK(""http://evil.example"",""x"")","Tea, green - 100 g",'+T-1,${inDays(30)},,2,pick`);
    expect(end).toBe("");
    const json = await cliJson<{ rows: { lotNumber: string }[]; totals: { toPick: number } }>([
      "orders",
      "pick-list",
      "--shop",
      shop.domain,
      "--order",
      "#4001",
      "--location",
      String(loc),
    ]);
    expect(json.rows.map((r) => r.lotNumber)).toEqual(["+T-1"]);
    expect(json.totals.toPick).toBe(2);
  });

  it("does not find another shop's order, and says when a location is unknown or must be given", async () => {
    const mine = await createTestShop("pick-mine");
    const theirs = await createTestShop("pick-theirs");
    const loc = newId();
    const variantId = await createVariant(theirs.id);
    await createLot(theirs.id, { variantId, lotNumber: "X-1", quantity: 5, locationId: loc });
    const foreign = await createOrder(theirs.id, { name: "#5001", lines: [{ variantId, quantity: 1 }] });
    const own = await createOrder(mine.id, { name: "#5002", lines: [{ variantId: await createVariant(mine.id), quantity: 1 }] });

    const notMine = await runCli(["orders", "pick-list", "--shop", mine.domain, "--order", String(foreign.id), "--location", String(loc)]);
    expect(notMine.error).toMatchObject({ name: "CliError", exitCode: 1, message: expect.stringContaining("is not known in this shop") });
    // The location holds the other shop's lots only: unknown in mine.
    const unknownLocation = await runCli(["orders", "pick-list", "--shop", mine.domain, "--location", String(loc), "--open"]);
    expect(unknownLocation.error).toMatchObject({ exitCode: 1, message: expect.stringContaining(`location ${loc} is not known`) });
    const neither = await runCli(["orders", "pick-list", "--shop", mine.domain, "--location", String(loc)]);
    expect(neither.error).toMatchObject({ name: "UsageError", exitCode: 2 });
    const noLocation = await runCli(["orders", "pick-list", "--shop", mine.domain, "--order", String(own.id)]);
    expect(noLocation.error).toMatchObject({ exitCode: 1, message: expect.stringContaining("give the location to pick from (--location <id>") });
  });

  it("shows the page and serves the downloads in the admin, and another shop's order is not found there", async () => {
    const mine = await createTestShop("pick-admin");
    const theirs = await createTestShop("pick-admin-theirs");
    const loc = newId();
    const variantId = await createVariant(mine.id, { sku: "JAM" });
    await createLot(mine.id, { variantId, lotNumber: "J-1", quantity: 5, locationId: loc, expiresOn: inDays(20) });
    await createOrder(mine.id, { name: "#6001", lines: [{ variantId, quantity: 2 }] });
    const foreign = await createOrder(theirs.id, { name: "#6002", lines: [{ variantId: await createVariant(theirs.id), quantity: 1 }] });
    const load = (path: string) => pageLoader({ request: adminGet(mine.domain, path), params: {}, context: {} });
    const download = (path: string) => exportLoader({ request: adminGet(mine.domain, path), params: {}, context: {} });

    const page = await load(`/app/pick-list?location=${loc}`);
    expect(page.error).toBeNull();
    expect(page.list?.lots.map((g) => [g.lotNumber, g.totalQuantity])).toEqual([["J-1", 2]]);

    const csv = await download(`/app/pick-list/export?order=%236001&location=${loc}&format=csv`);
    expect(csv.headers.get("Content-Type")).toContain("text/csv");
    expect((await csv.text()).split("\n")[1]).toMatch(/^#6001,\d+,JAM,.*,J-1,/);
    const json = await download(`/app/pick-list/export?location=${loc}&format=json`);
    expect(JSON.parse(await json.text())).toMatchObject({ totals: { toPick: 2 }, basis: "balances" });

    expect(await statusOf(download(`/app/pick-list/export?order=${foreign.id}&location=${loc}&format=csv`))).toBe(404);
    expect((await load(`/app/pick-list?order=${foreign.id}&location=${loc}`)).error).toContain("is not known in this shop");
  });

  it("prints the pick lists of the orders the admin's print actions name, with their lots, and not another shop's order", async () => {
    const mine = await createTestShop("pick-print");
    const theirs = await createTestShop("pick-print-theirs");
    const loc = newId();
    const honey = await createVariant(mine.id, { sku: "HONEY", productTitle: "Honey <raw>" });
    const tea = await createVariant(mine.id, { sku: "TEA" });
    await createLot(mine.id, { variantId: honey, lotNumber: "H-2026-07", quantity: 5, locationId: loc, expiresOn: inDays(30) });
    await createLot(mine.id, { variantId: tea, lotNumber: "T-88", quantity: 5, locationId: loc, expiresOn: inDays(60) });
    const one = await createOrder(mine.id, { name: "#7001", lines: [{ variantId: honey, quantity: 2 }] });
    const two = await createOrder(mine.id, { name: "#7002", lines: [{ variantId: tea, quantity: 3 }] });
    const unplaced = await createOrder(mine.id, { name: "#7003", lines: [{ variantId: tea, quantity: 1 }] });
    const foreign = await createOrder(theirs.id, { name: "#7004", lines: [{ variantId: await createVariant(theirs.id), quantity: 1 }] });
    for (const order of [one, two]) {
      await deliver(
        mine.domain,
        "fulfillments/create",
        fulfilmentPayload({
          id: newId(),
          orderId: order.id,
          locationId: loc,
          status: "open",
          lines: [{ lineItemId: order.lineIds[0]!, variantId: order.id === one.id ? honey : tea, quantity: order.id === one.id ? 2 : 3 }],
        }),
      );
    }
    const print = (query: string) => printLoader({ request: adminGet(mine.domain, `/app/pick-list/print?${query}`), params: {}, context: {} });

    const page = await print(`orderIds=gid://shopify/Order/${one.id},${two.id},${unplaced.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toContain("text/html");
    const html = await page.text();
    const rowOf = (lot: string) => html.split("\n").find((line) => line.startsWith("<tr><td>" + lot + "</td>"));
    expect(html).toContain("<h2>#7001");
    expect(rowOf("H-2026-07")).toMatch(/<td>HONEY<\/td><td>Honey &#60;raw&#62;.*<td class="n">2<\/td>/);
    expect(html).toContain("<h2>#7002");
    expect(rowOf("T-88")).toMatch(/<td>TEA<\/td>.*<td class="n">3<\/td>/);
    // The order with no open fulfilment is printed with what to do, not dropped.
    expect(html).toContain("has no open fulfilment with a known location");

    expect(await statusOf(print(`orderIds=${one.id},${foreign.id}`))).toBe(404);
    expect((await print("orderIds=abc")).status).toBe(400);
  });
});
