import { afterAll, describe, expect, it } from "vitest";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { createTestShop } from "../helpers/shops";
import { newId } from "../helpers/factories";
import { mockCatalog } from "../helpers/lots-shopify";
import { pool } from "../../app/db.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { importLotsCsv } from "../../app/domain/lots/import-lots.server";
import { receiveLot } from "../../app/domain/lots/receive-lot.server";
import { withTransaction } from "../../app/lib/sql.server";
import { moveLotUnits } from "../../app/domain/ledger/ledger.server";
import { runCli } from "../helpers/cli";
import { CliError } from "../../app/cli/command";

useOwnQueuePrefix();

// This file's queue prefix is its own: drop what its receipts queued.
afterAll(async function obliterateOwnQueues() {
  for (const name of [QUEUE_NAMES.shopifySync, QUEUE_NAMES.maintenance]) await getQueue(name).obliterate({ force: true });
});

async function setup(label: string) {
  const shop = await createTestShop(label);
  const soap = { id: newId(), inventoryItemId: newId(), sku: "SOAP" };
  const tea = { id: newId(), inventoryItemId: newId(), sku: "TEA" };
  const location = { id: newId(), name: "Main" };
  mockCatalog([soap, tea], [location]);
  return { shop, soap, tea, location };
}

async function lotCount(shopId: number): Promise<number> {
  return (await pool().query<{ n: number }>("select count(*)::int as n from lots where shop_id = $1", [shopId])).rows[0]!.n;
}

/** Runs the CLI in this process; returns the JSON printed, or the CliError thrown. */
async function cli(...argv: string[]): Promise<{ json: unknown; error?: CliError }> {
  const { stdout, error } = await runCli(argv);
  if (error === undefined) return { json: JSON.parse(stdout) };
  if (!(error instanceof CliError)) throw error;
  return { json: stdout ? JSON.parse(stdout) : undefined, error };
}

describe("CSV import of lots", () => {
  it("a dry run lists every bad row with row number, column and reason, and changes nothing", async () => {
    const { shop, soap, location } = await setup("imp-dry");
    const csv = [
      "variant_id,lot_number,quantity,location_id,expires_on,unit_cost,currency,supplier",
      `${soap.id},A1,10,${location.id},2027-01-31,1.20,EUR,"Acme, Inc."`,
      `${soap.id},A2,ten,${location.id},2027-02-30,,,`,
      `999,A3,1,${location.id},,,,`,
      `${soap.id},A1,5,${location.id},2027-03-31,,,`,
      `${soap.id},,3,${location.id},,,,`,
      `SKU-only,A5,1,${location.id}`,
    ].join("\r\n");
    const report = await importLotsCsv(shop.id, csv, { dryRun: true });
    expect(report).toMatchObject({ dryRun: true, rows: 6, imported: 0, taskId: null });
    expect(report.errors).toEqual([
      { row: 3, column: "quantity", reason: '"ten" is not a whole number of units' },
      { row: 3, column: "expires_on", reason: '"2027-02-30" is not a real date: 2027-02 has 28 days' },
      { row: 4, column: "variant_id", reason: `variant 999 does not exist in ${shop.domain}; check the variant id (Products > variant URL)` },
      { row: 5, column: "expires_on", reason: "lot A1 disagrees with row 2: expiry 2027-03-31 differs from the lot's 2027-01-31" },
      { row: 7, column: null, reason: "has 4 fields, the header has 8" },
    ]);
    expect(await lotCount(shop.id)).toBe(0);
  });

  it("a real run imports every row in one transaction, or nothing when one row fails", async () => {
    const { shop, soap, tea, location } = await setup("imp-real");
    await receiveLot(shop.id, { variantId: tea.id, lotNumber: "T-OLD", quantity: 1, locationId: location.id, expiresOn: "2027-06-30" });
    await receiveLot(shop.id, { variantId: soap.id, lotNumber: "S0", quantity: 1, locationId: location.id });
    const bad = ["sku;lot;qty;location;expiry", `SOAP;S1;10;${location.id};2027-01-31`, `TEA;T-OLD;2;${location.id};2027-07-31`].join("\n");
    const refused = await importLotsCsv(shop.id, bad, { dryRun: false, mode: "receipts" });
    expect(refused.imported).toBe(0);
    expect(refused.errors).toEqual([
      { row: 3, column: "expires_on", reason: "lot T-OLD disagrees with the lot already stored: expiry 2027-07-31 differs from the lot's 2027-06-30" },
    ]);
    expect(await lotCount(shop.id)).toBe(2);

    const good = [
      "sku;lot;qty;location;expiry",
      `SOAP;S1;10;${location.id};2027-01-31`,
      `SOAP;S1;5;${location.id};2027-01-31`,
      `TEA;T-OLD;2;${location.id};2027-06-30`,
      `TEA;;4;${location.id};`, // no lot number: generated
    ].join("\n");
    const report = await importLotsCsv(shop.id, good, { dryRun: false, mode: "receipts" });
    expect(report).toMatchObject({ mode: "receipts", rows: 4, imported: 4, lotsCreated: 2, receiptsIntoExistingLots: 2, units: 21, errors: [] });
    expect(await lotCount(shop.id)).toBe(4);
    const outbox = await pool().query<{
      payload: { input: { reason: string; referenceDocumentUri: string; changes: { delta: number; inventoryItemId: string }[] } };
    }>("select payload from outbox_entries where shop_id = $1 and idempotency_key like $2", [shop.id, `shop${shop.id}:import:%`]);
    expect(outbox.rows).toHaveLength(1);
    const input = outbox.rows[0]!.payload.input;
    expect(input.reason).toBe("received");
    expect(input.referenceDocumentUri).toBe(`gid://lotkeeper/Import/${report.taskId}`);
    expect(input.changes.map((c) => [c.inventoryItemId, c.delta]).sort()).toEqual(
      [
        [`gid://shopify/InventoryItem/${soap.inventoryItemId}`, 15],
        [`gid://shopify/InventoryItem/${tea.inventoryItemId}`, 6],
      ].sort(),
    );
  });

  it("opening stock (the default) leaves Shopify alone and takes the units out of the incomplete lot reconciliation made", async () => {
    const { shop, soap, location } = await setup("imp-opening");
    // Reconciliation found 10 units in Shopify that no lot explained.
    const unlotted = await withTransaction(async (sql) => {
      const lot = await sql.query<{ id: bigint }>(
        "insert into lots (shop_id, variant_id, lot_number, incomplete, updated_at) values ($1, $2, 'UNLOTTED-20261126', true, now()) returning id",
        [shop.id, soap.id],
      );
      await moveLotUnits(sql, [{ shopId: shop.id, lotId: lot.rows[0]!.id, locationId: location.id, delta: 10, kind: "RECONCILED", cause: "JOB" }]);
      return lot.rows[0]!.id;
    });
    await receiveLot(shop.id, { variantId: soap.id, lotNumber: "KNOWN", quantity: 1, locationId: location.id }); // stores the variant
    const outboxBefore = (await pool().query("select count(*)::int as n from outbox_entries where shop_id = $1", [shop.id])).rows[0].n;
    const csv = `variant_id,lot_number,quantity,location_id\n${soap.id},OPEN-A,6,${location.id}\n${soap.id},OPEN-B,7,${location.id}\n`;
    const report = await importLotsCsv(shop.id, csv, { dryRun: false });
    expect(report).toMatchObject({ mode: "opening-stock", imported: 2, units: 13, unitsFromIncompleteLots: 10, errors: [] });
    expect((await pool().query("select count(*)::int as n from outbox_entries where shop_id = $1", [shop.id])).rows[0].n).toBe(outboxBefore);
    const balances = await pool().query<{ lot_number: string; quantity: number }>(
      "select l.lot_number, b.quantity from lot_balances b join lots l on l.id = b.lot_id where b.shop_id = $1 order by l.lot_number",
      [shop.id],
    );
    expect(balances.rows).toEqual([
      { lot_number: "KNOWN", quantity: 1 },
      { lot_number: "OPEN-A", quantity: 6 },
      { lot_number: "OPEN-B", quantity: 7 },
      { lot_number: "UNLOTTED-20261126", quantity: 0 },
    ]);
    const ledger = await pool().query<{ delta: number; reason: string }>("select delta, reason from ledger_entries where lot_id = $1 order by id", [unlotted]);
    expect(ledger.rows.map((r) => r.delta)).toEqual([10, -6, -4]);
    expect(ledger.rows[1]!.reason).toBe("units identified as lot OPEN-A by the import");
  });

  it("reports a broken file and unknown columns", async () => {
    const { shop } = await setup("imp-broken");
    expect((await importLotsCsv(shop.id, 'variant_id,lot_number,quantity,location_id\n1,"open,1,2\n', { dryRun: true })).errors).toEqual([
      { row: 0, column: null, reason: 'line 2: a quoted field is never closed (missing ")' },
    ]);
    expect((await importLotsCsv(shop.id, "variant,lot,quantity,warehouse\n", { dryRun: true })).errors).toEqual([
      { row: 1, column: "warehouse", reason: expect.stringContaining('unknown column "warehouse"') },
      { row: 1, column: "location_id", reason: "the required column location_id is missing" },
    ]);
  });
});

describe("lots CLI", () => {
  it("receive, show (with the ambiguity error), list, adjust, count, transfer, quarantine, release, import", async () => {
    const { shop, soap, tea, location } = await setup("cli");
    const s = ["--shop", shop.domain];
    const received = await cli(
      "lots",
      "receive",
      ...s,
      "--variant",
      String(soap.id),
      "--lot",
      "C-1",
      "--quantity",
      "9",
      "--location",
      String(location.id),
      "--expires",
      "2027-04-30",
      "--cost",
      "2.5",
      "--currency",
      "EUR",
      "--supplier",
      "Acme",
      "--po",
      "PO-1",
    );
    expect(received.json).toMatchObject({ lotNumber: "C-1", created: true, quantity: 9, balanceAfter: 9, locationName: "Main" });
    await cli("lots", "receive", ...s, "--variant", String(tea.id), "--lot", "C-1", "--quantity", "1", "--location", String(location.id));

    const ambiguous = await cli("lots", "show", ...s, "--lot", "C-1");
    expect(ambiguous.error?.message).toMatch(/^lot "C-1" exists on 2 variants: .*\(SOAP\).*; say which with the variant id \(--variant\)$/);
    const shown = await cli("lots", "show", ...s, "--lot", "C-1", "--variant", String(soap.id));
    expect(shown.json).toMatchObject({
      lotNumber: "C-1",
      status: "ACTIVE",
      expiresOn: "2027-04-30",
      unitCost: "2.5000",
      currency: "EUR",
      balances: [{ locationId: String(location.id), quantity: 9 }],
      totals: { received: 9, allocated: 0, returned: 0 },
    });

    const annex = newId();
    mockCatalog(
      [soap, tea],
      [
        { id: location.id, name: "Main" },
        { id: annex, name: "Annex" },
      ],
    );
    const lotArgs = [...s, "--lot", "C-1", "--variant", String(soap.id)];
    expect((await cli("lots", "adjust", ...lotArgs, "--location", String(location.id), "--remove", "1", "--reason", "damaged")).json).toMatchObject({
      balances: [{ quantity: 8 }],
    });
    expect((await cli("lots", "count", ...lotArgs, "--location", String(location.id), "--counted", "7")).json).toMatchObject({ previous: 8, difference: -1 });
    expect((await cli("lots", "transfer", ...lotArgs, "--from", String(location.id), "--to", String(annex), "--quantity", "2")).json).toMatchObject({
      balances: [{ quantity: 5 }, { quantity: 2 }],
    });
    expect((await cli("lots", "quarantine", ...lotArgs, "--reason", "smell")).json).toMatchObject({ status: "QUARANTINED" });
    expect((await cli("lots", "list", ...s, "--status", "QUARANTINED")).json).toMatchObject({
      lots: [{ lotNumber: "C-1", onHand: 7, quarantinedUnits: 7 }],
      nextCursor: null,
    });
    expect((await cli("lots", "release", ...lotArgs)).json).toMatchObject({ status: "ACTIVE" });

    // "--delta -50" as an operator types it (node's parser alone would read "-50" as an option).
    const bad = await cli("lots", "adjust", ...lotArgs, "--location", String(location.id), "--delta", "-50");
    expect(bad.error?.message).toMatch(/^quantity: cannot remove that many units/);
    const unknownShop = await cli("lots", "list", "--shop", "nobody-here.myshopify.com");
    expect(unknownShop.error?.message).toBe("shop nobody-here.myshopify.com is not known to this app: install the app on it first");

    const dir = await mkdtemp(join(tmpdir(), "lk-import-"));
    const file = join(dir, "lots.csv");
    await writeFile(file, `variant_id,lot_number,quantity,location_id\n${soap.id},IMP-1,3,${location.id}\n${soap.id},IMP-2,0,${location.id}\n`);
    const dry = await cli("lots", "import", file, ...s, "--dry-run");
    expect(dry.error?.message).toBe("1 bad row(s), nothing imported; first: row 3, quantity: must be a positive whole number, got 0");
    expect(dry.json).toMatchObject({ dryRun: true, errors: [{ row: 3, column: "quantity" }] });
    await writeFile(file, `variant_id,lot_number,quantity,location_id\n${soap.id},IMP-1,3,${location.id}\n`);
    expect((await cli("lots", "import", file, ...s)).json).toMatchObject({ mode: "opening-stock", imported: 1, lotsCreated: 1, errors: [] });
    await writeFile(file, `variant_id,lot_number,quantity,location_id\n${soap.id},IMP-3,2,${location.id}\n`);
    expect((await cli("lots", "import", file, ...s, "--as-receipts")).json).toMatchObject({ mode: "receipts", imported: 1 });
    const importRows = await pool().query("select count(*)::int as n from outbox_entries where shop_id = $1 and idempotency_key like $2", [
      shop.id,
      `shop${shop.id}:import:%`,
    ]);
    expect(importRows.rows[0].n).toBe(1);

    // Not UTF-8 (Excel's "CSV" on Windows): refused, naming the encoding; nothing imported.
    const before = await lotCount(shop.id);
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from(`variant_id,lot_number,quantity,location_id,supplier\n${soap.id},IMP-4,2,${location.id},Caf`),
        Buffer.from([0xe9]),
        Buffer.from("\n"),
      ]),
    );
    const latin1 = await cli("lots", "import", file, ...s);
    expect(latin1.error?.message).toMatch(
      /^\/.*lots\.csv: line 2: the file is not UTF-8 \(byte 0xE9 \("é"\)\): it looks like Windows-1252 \/ Latin-1\. Save it as "CSV UTF-8".*; nothing imported$/,
    );
    // Over the row limit: refused at the row over it.
    await writeFile(file, `variant_id,lot_number,quantity,location_id\n` + `${soap.id},,1,${location.id}\n`.repeat(50_001));
    expect((await cli("lots", "import", file, ...s, "--dry-run")).error?.message).toMatch(
      /lots\.csv: the file has more than 50000 rows; split the file; nothing imported$/,
    );
    expect(await lotCount(shop.id)).toBe(before);
  });

  it("receives from a GS1 scan: variant found by its barcode, lot and expiry from the scan; a contradiction is refused", async () => {
    const shop = await createTestShop("cli-scan");
    const soap = { id: newId(), inventoryItemId: newId(), sku: "SOAP", barcode: "9506000134352" };
    const location = { id: newId(), name: "Main" };
    mockCatalog([soap], [location]);
    await receiveLot(shop.id, { variantId: soap.id, lotNumber: "FIRST", quantity: 1, locationId: location.id }); // stores the variant and its barcode
    const s = ["--shop", shop.domain, "--quantity", "5", "--location", String(location.id)];
    const scanned = await cli("lots", "receive", ...s, "--scan", "]d20109506000134352172711301" + "0SCAN-1");
    expect(scanned.json).toMatchObject({ variantId: String(soap.id), lotNumber: "SCAN-1", quantity: 5 });
    const shown = await cli("lots", "show", "--shop", shop.domain, "--lot", "SCAN-1");
    expect(shown.json).toMatchObject({ expiresOn: "2027-11-30", gtin: "09506000134352" });
    const contradiction = await cli("lots", "receive", ...s, "--scan", "(01)09506000134352(10)SCAN-2", "--lot", "OTHER");
    expect(contradiction.error?.message).toBe('lot: "OTHER" differs from the scanned SCAN-2');
    const badScan = await cli("lots", "receive", ...s, "--scan", "(01)09506000134353(10)X");
    expect(badScan.error?.message).toBe("--scan: GTIN 09506000134353 at character 1 has check digit 3, expected 2");
    const unknown = await cli("lots", "receive", ...s, "--scan", "(01)00000096385074(10)X");
    expect(unknown.error?.message).toBe("no variant of this shop has the barcode 00000096385074; give the variant id (--variant)");
  });

  it("pages through lots with a cursor and filters by expiry", async () => {
    const { shop, soap, location } = await setup("cli-page");
    for (const [lot, expires] of [
      ["P1", "2026-01-31"],
      ["P2", "2099-01-31"],
      ["P3", null],
      ["P4", "2098-05-31"],
    ] as const) {
      await receiveLot(shop.id, { variantId: soap.id, lotNumber: lot, quantity: 1, locationId: location.id, expiresOn: expires });
    }
    const s = ["--shop", shop.domain];
    const page1 = (await cli("lots", "list", ...s, "--limit", "2")).json as { lots: { lotNumber: string; status: string }[]; nextCursor: string };
    expect(page1.lots.map((l) => [l.lotNumber, l.status])).toEqual([
      ["P1", "EXPIRED"],
      ["P4", "ACTIVE"],
    ]);
    const page2 = (await cli("lots", "list", ...s, "--limit", "2", "--cursor", page1.nextCursor)).json as {
      lots: { lotNumber: string }[];
      nextCursor: string | null;
    };
    expect(page2.lots.map((l) => l.lotNumber)).toEqual(["P2", "P3"]);
    expect(page2.nextCursor).toBeNull();
    const soon = (await cli("lots", "list", ...s, "--expiring-within", "30")).json as { lots: { lotNumber: string }[] };
    expect(soon.lots.map((l) => l.lotNumber)).toEqual(["P1"]);
    const received = (await cli("lots", "list", ...s, "--sort", "received", "--limit", "3")).json as { lots: { lotNumber: string }[] };
    expect(received.lots.map((l) => l.lotNumber)).toEqual(["P4", "P3", "P2"]);
  });
});
