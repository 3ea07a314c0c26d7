// Bins as a merchant uses them (README "Bins"): put away at receipt or moved later with
// `lotkeeper lots bin`, recorded in the ledger without touching quantities or Shopify, and the
// order the picker walks the pick list in.
import { afterAll, describe, expect, it } from "vitest";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { createTestShop } from "../helpers/shops";
import { createLot, createOrder, createVariant, newId } from "../helpers/factories";
import { mockCatalog } from "../helpers/lots-shopify";
import { runCli } from "../helpers/cli";
import { pool } from "../../app/db.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { CliError } from "../../app/cli/command";
import { setLotBinNow } from "../../app/domain/lots/lot-bins.server";
import { pickListForLocation } from "../../app/domain/picking/pick-list.server";

useOwnQueuePrefix();

// This file's queue prefix is its own: drop what its receipts queued.
afterAll(async function obliterateOwnQueues() {
  for (const name of [QUEUE_NAMES.shopifySync, QUEUE_NAMES.maintenance]) await getQueue(name).obliterate({ force: true });
});

/** Runs the CLI in this process; returns the JSON printed, or the CliError thrown. */
async function cli(...argv: string[]): Promise<{ json: Record<string, unknown>; error?: CliError }> {
  const { stdout, error } = await runCli(argv);
  if (error === undefined) return { json: JSON.parse(stdout) as Record<string, unknown> };
  if (!(error instanceof CliError)) throw error;
  return { json: {}, error };
}

async function balance(shopId: number, lotId: bigint | string, locationId: bigint) {
  const r = await pool().query<{ quantity: number; bin: string | null }>(
    "select quantity, bin from lot_balances where shop_id = $1 and lot_id = $2 and location_id = $3",
    [shopId, lotId, locationId],
  );
  return r.rows[0];
}

async function ledger(shopId: number) {
  const r = await pool().query<{ kind: string; delta: number; balance_after: number | null; reason: string | null }>(
    "select kind::text, delta, balance_after, reason from ledger_entries where shop_id = $1 order by id",
    [shopId],
  );
  return r.rows;
}

async function outboxCount(shopId: number): Promise<number> {
  return (await pool().query<{ n: number }>("select count(*)::int as n from outbox_entries where shop_id = $1", [shopId])).rows[0]!.n;
}

describe("bins", () => {
  it("puts units in a bin at receipt, keeps it on a receipt without one, and moves it with lots bin (ledger only, no Shopify)", async () => {
    const shop = await createTestShop("bins-move");
    const soap = { id: newId(), inventoryItemId: newId(), sku: "SOAP" };
    const location = { id: newId(), name: "Main" };
    mockCatalog([soap], [location]);
    const s = ["--shop", shop.domain];
    const receive = ["lots", "receive", ...s, "--variant", String(soap.id), "--lot", "S-1", "--location", String(location.id)];

    const first = await cli(...receive, "--quantity", "10", "--bin", "  a-01 ");
    expect(first.error).toBeUndefined();
    const lotId = String(first.json.lotId);
    expect(await balance(shop.id, lotId, location.id)).toEqual({ quantity: 10, bin: "A-01" });
    await cli(...receive, "--quantity", "5");
    expect(await balance(shop.id, lotId, location.id)).toEqual({ quantity: 15, bin: "A-01" });
    const outboxBefore = await outboxCount(shop.id);

    const moved = await cli("lots", "bin", ...s, "--lot", "S-1", "--location", String(location.id), "--bin", "b-02");
    expect(moved.error).toBeUndefined();
    expect(moved.json).toMatchObject({ previous: "A-01", bin: "B-02", quantity: 15 });
    expect(await balance(shop.id, lotId, location.id)).toEqual({ quantity: 15, bin: "B-02" });
    expect((await ledger(shop.id)).at(-1)).toEqual({ kind: "BIN_MOVED", delta: 0, balance_after: 15, reason: "bin A-01 -> B-02" });
    expect(await outboxCount(shop.id)).toBe(outboxBefore);
    const shown = await cli("lots", "show", ...s, "--lot", "S-1");
    expect(shown.json).toMatchObject({ balances: [{ locationId: String(location.id), quantity: 15, bin: "B-02" }] });

    // The same bin again is no move: nothing more in the ledger.
    const entries = (await ledger(shop.id)).length;
    const again = await cli("lots", "bin", ...s, "--lot-id", lotId, "--location", String(location.id), "--bin", "B-02");
    expect(again.json).toMatchObject({ bin: "B-02", ledgerEntryId: null });
    expect(await ledger(shop.id)).toHaveLength(entries);
  });

  it("refuses a junk bin code and changes nothing", async () => {
    const shop = await createTestShop("bins-junk");
    const loc = newId();
    const variantId = await createVariant(shop.id, { sku: "BALM" });
    await createLot(shop.id, { variantId, lotNumber: "J-1", quantity: 4, locationId: loc });
    const lotId = (await pool().query<{ id: bigint }>("select id from lots where shop_id = $1", [shop.id])).rows[0]!.id;
    await setLotBinNow(shop.id, { lotId, locationId: loc, bin: "A-1" }, { cause: "USER" });
    const before = await ledger(shop.id);

    for (const junk of ["A;01", "<b>", "_A1", "X".repeat(33)]) {
      const r = await cli("lots", "bin", "--shop", shop.domain, "--lot", "J-1", "--location", String(loc), "--bin", junk);
      expect(r.error).toMatchObject({ exitCode: 1, message: expect.stringContaining("bin:") });
    }
    expect(await balance(shop.id, lotId, loc)).toEqual({ quantity: 4, bin: "A-1" });
    expect(await ledger(shop.id)).toEqual(before);
  });

  it("does not find another shop's lot, nor a location where the lot has no balance", async () => {
    const mine = await createTestShop("bins-mine");
    const theirs = await createTestShop("bins-theirs");
    const loc = newId();
    const theirLot = await createLot(theirs.id, { variantId: await createVariant(theirs.id), lotNumber: "T-1", quantity: 3, locationId: loc });
    const myLot = await createLot(mine.id, { variantId: await createVariant(mine.id), lotNumber: "M-1", quantity: 3, locationId: loc });

    const foreign = await cli("lots", "bin", "--shop", mine.domain, "--lot-id", String(theirLot), "--location", String(loc), "--bin", "A-1");
    expect(foreign.error).toMatchObject({ exitCode: 1, message: expect.stringContaining("no balance") });
    expect(await balance(theirs.id, theirLot, loc)).toEqual({ quantity: 3, bin: null });
    const elsewhere = await cli("lots", "bin", "--shop", mine.domain, "--lot-id", String(myLot), "--location", String(newId()), "--bin", "A-1");
    expect(elsewhere.error).toMatchObject({ exitCode: 1, message: expect.stringContaining("no balance") });
    expect(await ledger(theirs.id)).toHaveLength(1);
  });

  it("sorts a location's pick list by bin, lots without a bin last", async () => {
    const shop = await createTestShop("bins-pick");
    const loc = newId();
    const lots: Record<string, bigint> = {};
    const lines = [];
    for (const [sku, lotNumber] of [
      ["CREAM", "L-1"],
      ["SOAP", "L-2"],
      ["TEA", "L-3"],
    ] as const) {
      const variantId = await createVariant(shop.id, { sku });
      lots[lotNumber] = await createLot(shop.id, { variantId, lotNumber, quantity: 5, locationId: loc });
      lines.push({ variantId, quantity: 1 });
    }
    await createOrder(shop.id, { name: "#1001", lines });
    await setLotBinNow(shop.id, { lotId: lots["L-1"]!, locationId: loc, bin: "c-07" }, { cause: "USER" });
    await setLotBinNow(shop.id, { lotId: lots["L-3"]!, locationId: loc, bin: "a-02" }, { cause: "USER" });

    const list = await pickListForLocation(shop.id, loc);

    expect(list.rows.map((r) => [r.bin, r.lotNumber, r.sku])).toEqual([
      ["A-02", "L-3", "TEA"],
      ["C-07", "L-1", "CREAM"],
      [null, "L-2", "SOAP"],
    ]);
    expect(list.lots.map((g) => g.bin)).toEqual(["A-02", "C-07", null]);
  });
});
