// The lot page's bin form (README "Bins"): the merchant puts a balance in a bin or clears it, a
// count or a transfer may name the bin, a bad code is a refusal naming the Bin field with nothing
// changed, and another shop's lot is never touched.
import { afterAll, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { action as lotAction, loader as lotLoader } from "../../app/routes/app.lots.$id";
import { createTestShop } from "../helpers/shops";
import { createLot, createVariant, newId } from "../helpers/factories";
import { adminGet, adminPost } from "../helpers/admin-requests";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { mockCatalog } from "../helpers/lots-shopify";

useOwnQueuePrefix();

// The count and transfer below queue Shopify changes under this file's own prefix: drop them.
afterAll(async function obliterateOwnQueues() {
  for (const name of [QUEUE_NAMES.shopifySync, QUEUE_NAMES.maintenance]) await getQueue(name).obliterate({ force: true });
});

async function balance(lotId: bigint, locationId: bigint) {
  return (
    await pool().query<{ quantity: number; bin: string | null }>("select quantity, bin from lot_balances where lot_id = $1 and location_id = $2", [
      lotId,
      locationId,
    ])
  ).rows[0];
}

async function binMoves(shopId: number) {
  const r = await pool().query<{ reason: string }>("select reason from ledger_entries where shop_id = $1 and kind = 'BIN_MOVED' order by id", [shopId]);
  return r.rows.map((e) => e.reason);
}

describe("lot page: bins", () => {
  it("sets, keeps and clears a balance's bin, and the page shows it", async () => {
    const shop = await createTestShop("bins-admin");
    const loc = newId();
    const lotId = await createLot(shop.id, { variantId: await createVariant(shop.id), lotNumber: "A-1", quantity: 6, locationId: loc });
    const params = { id: lotId.toString() };
    const post = (form: Record<string, string>) => lotAction({ request: adminPost(shop.domain, `/app/lots/${lotId}`, form), params, context: {} });

    expect(await post({ intent: "bin", locationId: String(loc), bin: " c-04 ", clear: "false" })).toMatchObject({ ok: true, message: "Moved to bin C-04" });
    expect(await balance(lotId, loc)).toEqual({ quantity: 6, bin: "C-04" });
    const page = await lotLoader({ request: adminGet(shop.domain, `/app/lots/${lotId}`), params, context: {} });
    expect(page.lot.balances).toEqual([expect.objectContaining({ locationId: String(loc), bin: "C-04" })]);

    expect(await post({ intent: "bin", locationId: String(loc), bin: "C-04", clear: "false" })).toMatchObject({
      ok: true,
      message: "Already in bin C-04: nothing changed",
    });
    expect(await post({ intent: "bin", locationId: String(loc), bin: "", clear: "true" })).toMatchObject({ ok: true, message: "Taken out of bin C-04" });
    expect(await balance(lotId, loc)).toEqual({ quantity: 6, bin: null });
    expect(await binMoves(shop.id)).toEqual(["bin (none) -> C-04", "bin C-04 -> (none)"]);
  });

  it("refuses a bad or empty bin code and a location without a balance, naming the field, with nothing changed", async () => {
    const shop = await createTestShop("bins-admin-bad");
    const loc = newId();
    const lotId = await createLot(shop.id, { variantId: await createVariant(shop.id), lotNumber: "B-1", quantity: 2, locationId: loc });
    const params = { id: lotId.toString() };
    const post = (form: Record<string, string>) => lotAction({ request: adminPost(shop.domain, `/app/lots/${lotId}`, form), params, context: {} });

    const junk = await post({ intent: "bin", locationId: String(loc), bin: "A;1", clear: "false" });
    expect(junk).toMatchObject({ ok: false, errors: { bin: expect.stringContaining('"A;1" is not a bin code') } });
    expect(junk.ok ? "" : junk.error).toContain("Bin");
    const empty = await post({ intent: "bin", locationId: String(loc), bin: "  ", clear: "false" });
    expect(empty).toMatchObject({ ok: false, errors: { bin: expect.stringContaining("is empty") } });
    const elsewhere = await post({ intent: "bin", locationId: String(newId()), bin: "A-1", clear: "false" });
    expect(elsewhere).toMatchObject({ ok: false, error: "This lot has no units at that location: choose one of its balances" });
    const badCount = await post({ intent: "count", locationId: String(loc), counted: "5", bin: "<b>" });
    expect(badCount).toMatchObject({ ok: false, errors: { bin: expect.stringContaining("not a bin code") } });

    expect(await balance(lotId, loc)).toEqual({ quantity: 2, bin: null });
    expect(await binMoves(shop.id)).toEqual([]);
    expect((await pool().query("select count(*)::int as n from ledger_entries where shop_id = $1", [shop.id])).rows[0].n).toBe(1);
  });

  it("a count and a transfer from the page name the bin", async () => {
    const shop = await createTestShop("bins-admin-moves");
    const soap = { id: newId(), inventoryItemId: newId(), sku: "SOAP" };
    const main = { id: newId(), name: "Main" };
    const backroom = { id: newId(), name: "Backroom" };
    mockCatalog([soap], [main, backroom]);
    const variantId = await createVariant(shop.id, { id: soap.id, sku: "SOAP" });
    const lotId = await createLot(shop.id, { variantId, lotNumber: "M-1", quantity: 8, locationId: main.id });
    const params = { id: lotId.toString() };
    const post = (form: Record<string, string>) => lotAction({ request: adminPost(shop.domain, `/app/lots/${lotId}`, form), params, context: {} });

    expect(await post({ intent: "count", locationId: String(main.id), counted: "7", bin: "a-2" })).toMatchObject({ ok: true });
    expect(await balance(lotId, main.id)).toEqual({ quantity: 7, bin: "A-2" });
    expect(await post({ intent: "transfer", fromLocationId: String(main.id), toLocationId: String(backroom.id), quantity: "3", toBin: "r-1" })).toMatchObject({
      ok: true,
    });
    expect(await balance(lotId, main.id)).toEqual({ quantity: 4, bin: "A-2" });
    expect(await balance(lotId, backroom.id)).toEqual({ quantity: 3, bin: "R-1" });
    expect(await binMoves(shop.id)).toEqual(["bin (none) -> A-2", "bin (none) -> R-1"]);
  });

  it("does not touch another shop's lot", async () => {
    const mine = await createTestShop("bins-admin-mine");
    const theirs = await createTestShop("bins-admin-theirs");
    const loc = newId();
    const theirLot = await createLot(theirs.id, { variantId: await createVariant(theirs.id), lotNumber: "T-1", quantity: 3, locationId: loc });
    const r = await lotAction({
      request: adminPost(mine.domain, `/app/lots/${theirLot}`, { intent: "bin", locationId: String(loc), bin: "A-1", clear: "false" }),
      params: { id: theirLot.toString() },
      context: {},
    });
    expect(r.ok).toBe(false);
    expect(await balance(theirLot, loc)).toEqual({ quantity: 3, bin: null });
    expect(await binMoves(theirs.id)).toEqual([]);
  });
});
