// Bins beyond `lots bin` (README "Bins"): clearing a bin, a transfer naming the destination bin, a
// count or an adjustment naming where the units are, and a CSV receipt with a bin column. Each
// bin change is one BIN_MOVED ledger entry (delta 0); a bad bin code changes nothing at all.
import { afterAll, describe, expect, it } from "vitest";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { createTestShop } from "../helpers/shops";
import { newId } from "../helpers/factories";
import { mockCatalog } from "../helpers/lots-shopify";
import { runCli } from "../helpers/cli";
import { pool } from "../../app/db.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { CliError } from "../../app/cli/command";
import { importLotsCsv } from "../../app/domain/lots/import-lots.server";

useOwnQueuePrefix();

// This file's queue prefix is its own: drop what its receipts and moves queued.
afterAll(async function obliterateOwnQueues() {
  for (const name of [QUEUE_NAMES.shopifySync, QUEUE_NAMES.maintenance]) await getQueue(name).obliterate({ force: true });
});

async function cli(...argv: string[]): Promise<{ json: Record<string, unknown>; error?: CliError }> {
  const { stdout, error } = await runCli(argv);
  if (error === undefined) return { json: JSON.parse(stdout) as Record<string, unknown> };
  if (!(error instanceof CliError)) throw error;
  return { json: {}, error };
}

async function balances(shopId: number) {
  const r = await pool().query<{ lot_number: string; location_id: string; quantity: number; bin: string | null }>(
    `select l.lot_number, b.location_id::text, b.quantity, b.bin from lot_balances b join lots l on l.id = b.lot_id
     where b.shop_id = $1 order by l.lot_number, b.location_id`,
    [shopId],
  );
  return r.rows;
}

async function ledger(shopId: number) {
  const r = await pool().query<{ kind: string; location_id: string; delta: number; balance_after: number | null; reason: string | null }>(
    "select kind::text, location_id::text, delta, balance_after, reason from ledger_entries where shop_id = $1 order by id",
    [shopId],
  );
  return r.rows;
}

async function outboxCount(shopId: number): Promise<number> {
  return (await pool().query<{ n: number }>("select count(*)::int as n from outbox_entries where shop_id = $1", [shopId])).rows[0]!.n;
}

/** A shop with SOAP received as lot S-1 (10 units, bin A-01) at Main; Backroom is a second location. */
async function shopWithSoap(label: string) {
  const shop = await createTestShop(label);
  const soap = { id: newId(), inventoryItemId: newId(), sku: "SOAP" };
  const main = { id: newId(), name: "Main" };
  const backroom = { id: newId(), name: "Backroom" };
  mockCatalog([soap], [main, backroom]);
  const s = ["--shop", shop.domain];
  const received = await cli(
    "lots",
    "receive",
    ...s,
    "--variant",
    String(soap.id),
    "--lot",
    "S-1",
    "--location",
    String(main.id),
    "--quantity",
    "10",
    "--bin",
    "a-01",
  );
  expect(received.error).toBeUndefined();
  return { shop, soap, main: String(main.id), backroom: String(backroom.id), s };
}

describe("bins: clear, transfer, count, adjust, CSV", () => {
  it("clears a bin with lots bin --clear (BIN_MOVED to none, quantities untouched, nothing to Shopify)", async () => {
    const { shop, main, s } = await shopWithSoap("bins-clear");
    const outbox = await outboxCount(shop.id);

    const cleared = await cli("lots", "bin", ...s, "--lot", "S-1", "--location", main, "--clear");
    expect(cleared.error).toBeUndefined();
    expect(cleared.json).toMatchObject({ previous: "A-01", bin: null, quantity: 10 });
    expect(await balances(shop.id)).toEqual([{ lot_number: "S-1", location_id: main, quantity: 10, bin: null }]);
    expect((await ledger(shop.id)).at(-1)).toEqual({ kind: "BIN_MOVED", location_id: main, delta: 0, balance_after: 10, reason: "bin A-01 -> (none)" });
    expect(await outboxCount(shop.id)).toBe(outbox);

    // Clearing again writes nothing; --bin and --clear together, or neither, is a usage error.
    const entries = (await ledger(shop.id)).length;
    expect((await cli("lots", "bin", ...s, "--lot", "S-1", "--location", main, "--clear")).json).toMatchObject({ bin: null, ledgerEntryId: null });
    for (const argv of [["--bin", "B-1", "--clear"], [] as string[]]) {
      const r = await cli("lots", "bin", ...s, "--lot", "S-1", "--location", main, ...argv);
      expect(r.error?.message).toContain("give exactly one of --bin <code> or --clear");
    }
    expect(await ledger(shop.id)).toHaveLength(entries);
  });

  it("a transfer puts the units in the destination bin named, and the source keeps its bin", async () => {
    const { shop, main, backroom, s } = await shopWithSoap("bins-transfer");

    const moved = await cli("lots", "transfer", ...s, "--lot", "S-1", "--from", main, "--to", backroom, "--quantity", "4", "--bin", " r-9 ");
    expect(moved.error).toBeUndefined();
    expect(moved.json).toMatchObject({ bin: { previous: null, bin: "R-9" } });
    expect(await balances(shop.id)).toEqual(
      [
        { lot_number: "S-1", location_id: main, quantity: 6, bin: "A-01" },
        { lot_number: "S-1", location_id: backroom, quantity: 4, bin: "R-9" },
      ].sort((a, b) => (BigInt(a.location_id) < BigInt(b.location_id) ? -1 : 1)),
    );
    expect((await ledger(shop.id)).slice(-3)).toEqual([
      { kind: "TRANSFERRED", location_id: main, delta: -4, balance_after: 6, reason: `to location ${backroom}` },
      { kind: "TRANSFERRED", location_id: backroom, delta: 4, balance_after: 4, reason: `from location ${main}` },
      { kind: "BIN_MOVED", location_id: backroom, delta: 0, balance_after: 4, reason: "bin (none) -> R-9" },
    ]);

    // A transfer without --bin leaves the destination in the bin it has.
    await cli("lots", "transfer", ...s, "--lot", "S-1", "--from", main, "--to", backroom, "--quantity", "1");
    expect((await balances(shop.id)).find((b) => b.location_id === backroom)).toMatchObject({ quantity: 5, bin: "R-9" });
    expect((await ledger(shop.id)).at(-1)).toMatchObject({ kind: "TRANSFERRED", location_id: backroom });
  });

  it("a count or an adjustment may name the bin the units are in", async () => {
    const { shop, main, s } = await shopWithSoap("bins-count");

    const counted = await cli("lots", "count", ...s, "--lot", "S-1", "--location", main, "--counted", "9", "--bin", "b-02");
    expect(counted.error).toBeUndefined();
    expect(counted.json).toMatchObject({ previous: 10, difference: -1, bin: { previous: "A-01", bin: "B-02" } });
    expect((await ledger(shop.id)).slice(-2)).toEqual([
      { kind: "COUNTED", location_id: main, delta: -1, balance_after: 9, reason: "counted 9 (was 10)" },
      { kind: "BIN_MOVED", location_id: main, delta: 0, balance_after: 9, reason: "bin A-01 -> B-02" },
    ]);
    // Counted again in the same bin: the count is recorded, no bin move.
    await cli("lots", "count", ...s, "--lot", "S-1", "--location", main, "--counted", "9", "--bin", "B-02");
    expect((await ledger(shop.id)).at(-1)).toMatchObject({ kind: "COUNTED", delta: 0 });

    const adjusted = await cli("lots", "adjust", ...s, "--lot", "S-1", "--location", main, "--remove", "2", "--reason", "damaged", "--bin", "C-3");
    expect(adjusted.error).toBeUndefined();
    expect(await balances(shop.id)).toEqual([{ lot_number: "S-1", location_id: main, quantity: 7, bin: "C-3" }]);
    expect((await ledger(shop.id)).slice(-2).map((e) => [e.kind, e.delta, e.reason])).toEqual([
      ["ADJUSTED", -2, "damaged"],
      ["BIN_MOVED", 0, "bin B-02 -> C-3"],
    ]);
  });

  it("a bad bin code on a transfer, count or adjustment is refused before anything moves", async () => {
    const { shop, main, backroom, s } = await shopWithSoap("bins-bad");
    const before = { balances: await balances(shop.id), ledger: await ledger(shop.id), outbox: await outboxCount(shop.id) };

    for (const argv of [
      ["transfer", "--from", main, "--to", backroom, "--quantity", "4", "--bin", "R;9"],
      ["count", "--location", main, "--counted", "3", "--bin", "<b>"],
      ["adjust", "--location", main, "--remove", "1", "--bin", "X".repeat(33)],
    ]) {
      const [command, ...rest] = argv;
      const r = await cli("lots", command!, ...s, "--lot", "S-1", ...rest);
      expect(r.error).toMatchObject({ exitCode: 1, message: expect.stringContaining("bin:") });
    }
    expect({ balances: await balances(shop.id), ledger: await ledger(shop.id), outbox: await outboxCount(shop.id) }).toEqual(before);
  });

  it("another shop's lot cannot be cleared or counted into a bin", async () => {
    const theirs = await shopWithSoap("bins-theirs2");
    const mine = await createTestShop("bins-mine2");
    const theirLot = (await pool().query<{ id: string }>("select id::text from lots where shop_id = $1", [theirs.shop.id])).rows[0]!.id;

    const cleared = await cli("lots", "bin", "--shop", mine.domain, "--lot-id", theirLot, "--location", theirs.main, "--clear");
    expect(cleared.error).toMatchObject({ exitCode: 1, message: expect.stringContaining("no balance") });
    const counted = await cli("lots", "count", "--shop", mine.domain, "--lot-id", theirLot, "--location", theirs.main, "--counted", "1", "--bin", "Z-1");
    expect(counted.error).toMatchObject({ exitCode: 1, message: expect.stringContaining("not found") });
    expect(await balances(theirs.shop.id)).toEqual([{ lot_number: "S-1", location_id: theirs.main, quantity: 10, bin: "A-01" }]);
    expect(await ledger(mine.id)).toEqual([]);
  });

  it("CSV receiving takes a bin column; a bad bin names its row and column and imports nothing", async () => {
    const shop = await createTestShop("bins-csv");
    const soap = { id: newId(), inventoryItemId: newId(), sku: "SOAP" };
    const main = { id: newId(), name: "Main" };
    mockCatalog([soap], [main]);

    const bad = ["variant,lot,qty,location,bin", `${soap.id},C-1,3,${main.id},a-1`, `${soap.id},C-2,3,${main.id},a;2`].join("\n");
    const refused = await importLotsCsv(shop.id, bad, { dryRun: false, mode: "receipts" });
    expect(refused.imported).toBe(0);
    expect(refused.errors).toEqual([{ row: 3, column: "bin", reason: expect.stringContaining('"a;2" is not a bin code') }]);
    expect(await balances(shop.id)).toEqual([]);

    const good = ["variant,lot,qty,location,BIN", `${soap.id},C-1,3,${main.id}, a-1 `, `${soap.id},C-2,3,${main.id},`].join("\n");
    const report = await importLotsCsv(shop.id, good, { dryRun: false, mode: "receipts" });
    expect(report).toMatchObject({ imported: 2, errors: [] });
    expect(await balances(shop.id)).toEqual([
      { lot_number: "C-1", location_id: String(main.id), quantity: 3, bin: "A-1" },
      { lot_number: "C-2", location_id: String(main.id), quantity: 3, bin: null },
    ]);
  });
});
