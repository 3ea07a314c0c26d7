// Releasing a recalled lot: refused while an open recall covers it (the error names the recall),
// allowed once every recall covering it is closed; the units then go back to `available` in
// Shopify through the outbox. Another shop can never release it.
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { closeRecall, openRecall } from "../../app/domain/recall/recall-case.server";
import { releaseLotNow } from "../../app/domain/lots/quarantine.server";
import { LotNotFoundError, LotStateError } from "../../app/domain/lots/lot-errors";
import { sendOutboxEntry } from "../../app/domain/sync/outbox.server";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId } from "../helpers/factories";
import { mockInventoryMutations, type SentMutation } from "../helpers/lots-shopify";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { runCli } from "../helpers/cli";
import { adminHeaders } from "../helpers/session";
import { loader as lotLoader } from "../../app/routes/app.lots.$id";

useOwnQueuePrefix();

async function recalledShop(label: string) {
  const shop = await createTestShop(label);
  const inventoryItem = newId();
  const variant = await createVariant(shop.id, { sku: "OATS" });
  await pool().query("update variants set inventory_item_id = $3 where shop_id = $1 and id = $2", [shop.id, variant, inventoryItem]);
  const a = await createLocation(shop.id, { name: "A" });
  const b = await createLocation(shop.id, { name: "B" });
  const lot = await createLot(shop.id, { variantId: variant, lotNumber: "OAT-1", quantity: 7, locationId: a });
  await pool().query("insert into lot_balances (lot_id, location_id, shop_id, variant_id, quantity, updated_at) values ($1, $2, $3, $4, 4, now())", [
    lot,
    b,
    shop.id,
    variant,
  ]);
  return { shop, variant, a, b, lot, inventoryItem };
}

async function sendPending(shopId: number) {
  const r = await pool().query<{ id: bigint }>("select id from outbox_entries where shop_id = $1 and status = 'PENDING' order by id", [shopId]);
  for (const row of r.rows) await sendOutboxEntry(row.id);
}

const lotStatus = async (lotId: bigint) => (await pool().query<{ status: string }>("select status::text from lots where id = $1", [lotId])).rows[0]!.status;
const quarantined = async (lotId: bigint) =>
  (
    await pool().query<{ location_id: bigint; quarantined: boolean }>(
      "select location_id, quarantined from lot_balances where lot_id = $1 order by location_id",
      [lotId],
    )
  ).rows;

describe("releasing a recalled lot", () => {
  it("is refused while the recall is open, naming it; allowed after it is closed, moving the units back to available", async () => {
    const s = await recalledShop("release-recall");
    const sent: SentMutation[] = [];
    mockInventoryMutations(sent);
    const recall = await openRecall(s.shop.id, { lots: [{ lotNumber: "OAT-1" }], reason: "Possible mould", severity: "CLASS_II", reference: "RR-1" });
    await sendPending(s.shop.id);
    sent.length = 0;

    const refused = releaseLotNow({ shopId: s.shop.id, lotId: s.lot, reason: "cleared", cause: "USER" });
    await expect(refused).rejects.toThrow(LotStateError);
    await expect(releaseLotNow({ shopId: s.shop.id, lotId: s.lot, reason: "cleared", cause: "USER" })).rejects.toThrow(
      "lot OAT-1 cannot be released: recall RR-1 is still open; close the recall first, then release the lot",
    );
    expect(await lotStatus(s.lot)).toBe("RECALLED");
    expect((await quarantined(s.lot)).every((b) => b.quarantined)).toBe(true);
    const outbox = await pool().query("select 1 from outbox_entries where shop_id = $1 and status = 'PENDING' and kind like 'inventory.%'", [s.shop.id]);
    expect(outbox.rowCount).toBe(0);

    // The CLI says the same.
    const cli = await runCli(["lots", "release", "--shop", s.shop.domain, "--lot", "OAT-1"]);
    expect(cli.stdout).toBe("");
    expect(String(cli.error)).toContain("lot OAT-1 cannot be released: recall RR-1 is still open; close the recall first, then release the lot");

    await closeRecall(s.shop.id, recall.id);
    // One location first: the lot stays quarantined elsewhere, so it is QUARANTINED, no longer RECALLED.
    const one = await releaseLotNow({ shopId: s.shop.id, lotId: s.lot, locationId: s.b, reason: "cleared by lab", cause: "USER" });
    expect(one).toMatchObject({ status: "QUARANTINED", locations: [{ locationId: s.b, quantity: 4 }] });
    expect(await lotStatus(s.lot)).toBe("QUARANTINED");
    const all = await releaseLotNow({ shopId: s.shop.id, lotId: s.lot, reason: "cleared by lab", cause: "USER" });
    expect(all).toMatchObject({ status: "ACTIVE", locations: [{ locationId: s.a, quantity: 7 }] });
    expect(await lotStatus(s.lot)).toBe("ACTIVE");
    expect((await quarantined(s.lot)).some((b) => b.quarantined)).toBe(false);

    await sendPending(s.shop.id);
    expect(sent.map((m) => m.operation)).toEqual(["inventoryMoveQuantities", "inventoryMoveQuantities"]);
    const changes = sent.map((m) => (m.variables.input as { changes: unknown[] }).changes);
    expect(changes).toMatchObject([
      [
        {
          inventoryItemId: `gid://shopify/InventoryItem/${s.inventoryItem}`,
          quantity: 4,
          from: {
            locationId: `gid://shopify/Location/${s.b}`,
            name: "quality_control",
            changeFromQuantity: null,
            ledgerDocumentUri: expect.stringMatching(/^gid:\/\/lotkeeper\/LedgerEntry\/\d+$/),
          },
          to: { locationId: `gid://shopify/Location/${s.b}`, name: "available", changeFromQuantity: null },
        },
      ],
      [
        {
          inventoryItemId: `gid://shopify/InventoryItem/${s.inventoryItem}`,
          quantity: 7,
          from: {
            locationId: `gid://shopify/Location/${s.a}`,
            name: "quality_control",
            changeFromQuantity: null,
            ledgerDocumentUri: expect.stringMatching(/^gid:\/\/lotkeeper\/LedgerEntry\/\d+$/),
          },
          to: { locationId: `gid://shopify/Location/${s.a}`, name: "available", changeFromQuantity: null },
        },
      ],
    ]);
    expect(sent.every((m) => m.shop === s.shop.domain)).toBe(true);
  });

  it("stays refused while a second open recall still covers the lot", async () => {
    const s = await recalledShop("release-two-recalls");
    mockInventoryMutations([]);
    const first = await openRecall(s.shop.id, { lots: [{ lotNumber: "OAT-1" }], reason: "Mould", severity: "CLASS_II", reference: "RA" });
    await openRecall(s.shop.id, { lots: [{ lotNumber: "OAT-1" }], reason: "Allergen", severity: "CLASS_I", reference: "RB" });
    await closeRecall(s.shop.id, first.id);
    await expect(releaseLotNow({ shopId: s.shop.id, lotId: s.lot, reason: "cleared", cause: "USER" })).rejects.toThrow("recall RB is still open");
    expect(await lotStatus(s.lot)).toBe("RECALLED");
  });

  it("another shop cannot release the lot, even after the recall is closed", async () => {
    const s = await recalledShop("release-owner");
    const other = await createTestShop("release-intruder");
    mockInventoryMutations([]);
    const recall = await openRecall(s.shop.id, { lots: [{ lotNumber: "OAT-1" }], reason: "Mould", severity: "CLASS_III" });
    await closeRecall(s.shop.id, recall.id);
    await expect(releaseLotNow({ shopId: other.id, lotId: s.lot, reason: "mine now", cause: "USER" })).rejects.toThrow(LotNotFoundError);
    expect(await lotStatus(s.lot)).toBe("RECALLED");
    expect((await quarantined(s.lot)).every((b) => b.quarantined)).toBe(true);
  });

  it("the lot page names the open recall that holds the lot, and says it can be released once closed", async () => {
    const s = await recalledShop("release-lot-page");
    mockInventoryMutations([]);
    const recall = await openRecall(s.shop.id, { lots: [{ lotNumber: "OAT-1" }], reason: "Mould", severity: "CLASS_II", reference: "RP-1" });
    const load = () =>
      lotLoader({
        request: new Request(`https://lotkeeper.test/app/lots/${s.lot}`, { headers: adminHeaders(s.shop.domain) }),
        params: { id: String(s.lot) },
        context: {},
      });
    const open = await load();
    expect(open.lot.status).toBe("RECALLED");
    expect(open.openRecalls).toEqual([{ id: String(recall.id), reference: "RP-1" }]);
    await closeRecall(s.shop.id, recall.id);
    const closed = await load();
    expect(closed.lot.status).toBe("RECALLED");
    expect(closed.openRecalls).toEqual([]);
  });
});
