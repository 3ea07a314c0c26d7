import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { createTestShop } from "../helpers/shops";
import { newId } from "../helpers/factories";
import { adminRequests, graphql, HttpResponse, server } from "../helpers/shopify-mock";
import { mockCatalog } from "../helpers/lots-shopify";
import { pool } from "../../app/db.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { receiveLot } from "../../app/domain/lots/receive-lot.server";
import { getLotDetail, findLotId, listLots } from "../../app/domain/lots/lot-queries.server";
import { adjustLot, countLot, transferLot } from "../../app/domain/lots/lot-moves.server";
import { quarantineLotNow } from "../../app/domain/lots/quarantine.server";
import { updateLot } from "../../app/domain/lots/edit-lot.server";
import {
  AmbiguousLotError,
  LotConflictError,
  LotNotFoundError,
  LotValidationError,
  ShopifyLookupError,
  UnknownLocationError,
  UnknownVariantError,
} from "../../app/domain/lots/lot-errors";

useOwnQueuePrefix();

// This file's queue prefix is its own: drop what its receipts queued.
afterAll(async function obliterateOwnQueues() {
  for (const name of [QUEUE_NAMES.shopifySync, QUEUE_NAMES.maintenance]) await getQueue(name).obliterate({ force: true });
});

async function shopWithCatalog(label: string, settings: Record<string, unknown> = {}) {
  const shop = await createTestShop(label, settings);
  const variant = { id: newId(), inventoryItemId: newId(), sku: "SOAP-LAV" };
  const other = { id: newId(), inventoryItemId: newId(), sku: "SOAP-ROSE" };
  const location = { id: newId(), name: "Main warehouse" };
  mockCatalog([variant, other], [location]);
  return { shop, variant, other, location };
}

async function outboxRows(shopId: number) {
  const r = await pool().query<{ kind: string; payload: unknown; status: string; idempotency_key: string }>(
    "select kind, payload, status::text, idempotency_key from outbox_entries where shop_id = $1 order by id",
    [shopId],
  );
  return r.rows;
}

describe("receiving a lot", () => {
  beforeAll(() => undefined);

  it("creates the lot, stores the variant and location from Shopify, raises the balance and writes ledger + outbox", async () => {
    const { shop, variant, location } = await shopWithCatalog("recv");
    const result = await receiveLot(shop.id, {
      variantId: String(variant.id),
      lotNumber: "L-2026-001",
      quantity: "24",
      locationId: `gid://shopify/Location/${location.id}`,
      expiresOn: "2027-03-31",
      supplier: "Provence Oils",
      supplierLot: "PO-SL-9",
      purchaseOrder: "PO-77",
      unitCost: "1.25",
      currency: "eur",
      notes: "pallet 3",
    });
    expect(result).toMatchObject({ lotNumber: "L-2026-001", created: true, quantity: 24, balanceAfter: 24, locationName: "Main warehouse" });

    const detail = await getLotDetail(shop.id, result.lotId);
    expect(detail).toMatchObject({
      lotNumber: "L-2026-001",
      sku: "SOAP-LAV",
      status: "ACTIVE",
      expiresOn: "2027-03-31",
      supplier: "Provence Oils",
      supplierLot: "PO-SL-9",
      purchaseOrder: "PO-77",
      unitCost: "1.2500",
      currency: "EUR",
      notes: "pallet 3",
      balances: [{ locationId: location.id, locationName: "Main warehouse", quantity: 24, quarantined: false }],
      totals: { received: 24, allocated: 0, returned: 0, onHand: 24 },
    });
    expect(detail.ledger.entries.map((e) => [e.kind, e.delta, e.balanceAfter])).toEqual([["RECEIVED", 24, 24]]);

    const [outbox] = await outboxRows(shop.id);
    expect(outbox).toMatchObject({
      kind: "inventory.adjust",
      status: "PENDING",
      payload: {
        input: {
          name: "available",
          reason: "received",
          referenceDocumentUri: `gid://lotkeeper/LedgerEntry/${result.ledgerEntryId}`,
          changes: [
            {
              delta: 24,
              changeFromQuantity: null,
              inventoryItemId: `gid://shopify/InventoryItem/${variant.inventoryItemId}`,
              locationId: `gid://shopify/Location/${location.id}`,
            },
          ],
        },
      },
    });
    const stored = await pool().query("select inventory_item_id, sku from variants where shop_id = $1 and id = $2", [shop.id, variant.id]);
    expect(stored.rows[0]).toEqual({ inventory_item_id: variant.inventoryItemId, sku: "SOAP-LAV" });
  });

  it("asks Shopify only once for a variant it has stored", async () => {
    const { shop, variant, location } = await shopWithCatalog("recv-once");
    await receiveLot(shop.id, { variantId: variant.id, lotNumber: "A", quantity: 1, locationId: location.id });
    const before = adminRequests.filter((r) => r.shop === shop.domain).length;
    await receiveLot(shop.id, { variantId: variant.id, lotNumber: "B", quantity: 1, locationId: location.id });
    expect(adminRequests.filter((r) => r.shop === shop.domain).length).toBe(before);
  });

  it("lists every validation problem with a precise message and writes nothing", async () => {
    const { shop, variant, location } = await shopWithCatalog("recv-bad");
    const error = await receiveLot(shop.id, {
      variantId: variant.id,
      lotNumber: "x".repeat(65),
      quantity: "2.5",
      locationId: location.id,
      expiresOn: "2027-02-30",
      bestBeforeOn: "31/01/2027",
      unitCost: "-1",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LotValidationError);
    expect((error as LotValidationError).problems).toEqual([
      { field: "quantity", message: '"2.5" is not a whole number of units' },
      { field: "lot", message: "is 65 characters long; at most 64 are allowed" },
      { field: "expires", message: '"2027-02-30" is not a real date: 2027-02 has 28 days' },
      { field: "best-before", message: '"31/01/2027" is not a date; write it as YYYY-MM-DD' },
      { field: "cost", message: '"-1" is not an amount (e.g. 1.25, at most 4 decimals, not negative)' },
    ]);
    await expect(receiveLot(shop.id, { variantId: variant.id, lotNumber: "A", quantity: 0, locationId: location.id })).rejects.toThrow(
      "quantity: must be a positive whole number, got 0",
    );
    await expect(receiveLot(shop.id, { variantId: variant.id, lotNumber: "A\u0007", quantity: 1, locationId: location.id })).rejects.toThrow(
      /control character U\+0007/,
    );
    expect((await pool().query("select count(*)::int as n from lots where shop_id = $1", [shop.id])).rows[0].n).toBe(0);
  });

  it("refuses a variant or a location Shopify does not know", async () => {
    const { shop, variant, location } = await shopWithCatalog("recv-unknown");
    await expect(receiveLot(shop.id, { variantId: 999999n, lotNumber: "A", quantity: 1, locationId: location.id })).rejects.toThrow(UnknownVariantError);
    await expect(receiveLot(shop.id, { variantId: 999999n, lotNumber: "A", quantity: 1, locationId: location.id })).rejects.toThrow(
      `variant 999999 does not exist in ${shop.domain}`,
    );
    await expect(receiveLot(shop.id, { variantId: variant.id, lotNumber: "A", quantity: 1, locationId: 424242n })).rejects.toThrow(UnknownLocationError);
    expect((await pool().query("select count(*)::int as n from lots where shop_id = $1", [shop.id])).rows[0].n).toBe(0);
  });

  it("adds a receipt to an existing lot when the dates agree and refuses conflicting dates", async () => {
    const { shop, variant, location } = await shopWithCatalog("recv-again");
    const first = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "B7", quantity: 10, locationId: location.id, expiresOn: "2027-05-31" });
    const second = await receiveLot(shop.id, {
      variantId: variant.id,
      lotNumber: "B7",
      quantity: 5,
      locationId: location.id,
      expiresOn: "2027-05-31",
      bestBeforeOn: "2027-04-30",
    });
    expect(second).toMatchObject({ lotId: first.lotId, created: false, balanceAfter: 15 });
    const third = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "B7", quantity: 1, locationId: location.id });
    expect(third.balanceAfter).toBe(16);

    const conflict = receiveLot(shop.id, { variantId: variant.id, lotNumber: "B7", quantity: 3, locationId: location.id, expiresOn: "2027-06-30" });
    await expect(conflict).rejects.toThrow(LotConflictError);
    await expect(
      receiveLot(shop.id, { variantId: variant.id, lotNumber: "B7", quantity: 3, locationId: location.id, expiresOn: "2027-06-30" }),
    ).rejects.toThrow(
      'lot "B7" of variant ' + variant.id + " already exists and this receipt does not match it: expiry 2027-06-30 differs from the lot's 2027-05-31",
    );
    const detail = await getLotDetail(shop.id, first.lotId);
    expect(detail).toMatchObject({ bestBeforeOn: "2027-04-30", totals: { received: 16, onHand: 16 } });
    expect(detail.ledger.entries).toHaveLength(3);
    expect(await outboxRows(shop.id)).toHaveLength(3);
  });

  it("numbers lots automatically from the PO or the receipt date, never twice", async () => {
    const { shop, variant, other, location } = await shopWithCatalog("recv-auto", { autoLotPattern: "{YYYYMMDD}-{PO}-{SEQ}" });
    const receivedAt = new Date("2026-11-26T10:00:00Z");
    const a = await receiveLot(shop.id, { variantId: variant.id, quantity: 1, locationId: location.id, purchaseOrder: "PO 77", receivedAt });
    const b = await receiveLot(shop.id, { variantId: other.id, quantity: 1, locationId: location.id, purchaseOrder: "PO 77", receivedAt });
    const c = await receiveLot(shop.id, { variantId: variant.id, quantity: 1, locationId: location.id, receivedAt });
    expect([a.lotNumber, b.lotNumber, c.lotNumber]).toEqual(["20261126-PO-77-001", "20261126-PO-77-002", "20261126-001"]);

    // A number typed by hand that the sequence would produce next is skipped.
    await receiveLot(shop.id, { variantId: variant.id, lotNumber: "20261126-002", quantity: 1, locationId: location.id });
    const concurrent = await Promise.all(
      Array.from({ length: 8 }, () => receiveLot(shop.id, { variantId: variant.id, quantity: 1, locationId: location.id, receivedAt })),
    );
    const numbers = concurrent.map((r) => r.lotNumber);
    expect(new Set(numbers).size).toBe(8);
    expect(numbers).not.toContain("20261126-002");
    expect(numbers.every((n) => /^20261126-\d{3}$/.test(n))).toBe(true);
  });

  it("dates automatic numbers in the shop's day: 23:30 UTC on the 26th is already the 27th in Auckland", async () => {
    const { shop, variant, location } = await shopWithCatalog("recv-auckland", { autoLotPattern: "{YYYYMMDD}-{SEQ}", ianaTimezone: "Pacific/Auckland" });
    const late = await receiveLot(shop.id, { variantId: variant.id, quantity: 1, locationId: location.id, receivedAt: new Date("2026-11-26T23:30:00Z") });
    expect(late.lotNumber).toBe("20261127-001");
  });

  it("finds a lot by number and asks for the variant when the number is on several", async () => {
    const { shop, variant, other, location } = await shopWithCatalog("recv-ambiguous");
    await receiveLot(shop.id, { variantId: variant.id, lotNumber: "SHARED", quantity: 2, locationId: location.id });
    const b = await receiveLot(shop.id, { variantId: other.id, lotNumber: "SHARED", quantity: 3, locationId: location.id });
    const error = await findLotId(pool(), shop.id, "SHARED").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousLotError);
    expect((error as Error).message).toBe(
      `lot "SHARED" exists on 2 variants: ${[variant, other]
        .sort((x, y) => (x.id < y.id ? -1 : 1))
        .map((v) => `${v.id} (${v.sku})`)
        .join(", ")}; say which with the variant id (--variant)`,
    );
    expect(await findLotId(pool(), shop.id, "SHARED", other.id)).toBe(b.lotId);
    await expect(findLotId(pool(), shop.id, "NOPE")).rejects.toThrow(LotNotFoundError);
  });

  it("when Shopify is down: refuses an unknown variant (try again), accepts a location without its name", async () => {
    const { shop, variant, location } = await shopWithCatalog("recv-down");
    await receiveLot(shop.id, { variantId: variant.id, lotNumber: "K1", quantity: 1, locationId: location.id });
    server.use(
      graphql.query("LotkeeperVariant", () => HttpResponse.json({ errors: [{ message: "down" }] }, { status: 502 })),
      graphql.query("LotkeeperLocation", () => HttpResponse.error()),
    );
    await expect(receiveLot(shop.id, { variantId: 31337n, lotNumber: "K2", quantity: 1, locationId: location.id })).rejects.toThrow(ShopifyLookupError);
    await expect(receiveLot(shop.id, { variantId: 31337n, lotNumber: "K2", quantity: 1, locationId: location.id })).rejects.toThrow(
      /variant 31337 is not known yet and Shopify could not be asked \(Shopify answered HTTP 502 for .*\); try again in a minute/,
    );
    const elsewhere = newId();
    const r = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "K1", quantity: 2, locationId: elsewhere });
    expect(r).toMatchObject({ locationId: elsewhere, locationName: null, balanceAfter: 2 });
  });

  it("two receipts of the same new lot at the same time make one lot with both quantities", async () => {
    const { shop, variant, location } = await shopWithCatalog("recv-race");
    await receiveLot(shop.id, { variantId: variant.id, lotNumber: "WARM", quantity: 1, locationId: location.id }); // variant and location stored
    const results = await Promise.all(
      [3, 4, 5, 6].map((q) => receiveLot(shop.id, { variantId: variant.id, lotNumber: "RACE", quantity: q, locationId: location.id, expiresOn: "2027-01-31" })),
    );
    expect(new Set(results.map((r) => r.lotId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const detail = await getLotDetail(shop.id, results[0]!.lotId, { ledgerLimit: 3 });
    expect(detail.totals).toMatchObject({ received: 18, onHand: 18 });
    expect(detail.ledger.entries).toHaveLength(3);
    const older = await getLotDetail(shop.id, results[0]!.lotId, { ledgerLimit: 3, ledgerCursor: detail.ledger.nextCursor });
    expect(older.ledger.entries).toHaveLength(1);
    expect(older.ledger.nextCursor).toBeNull();
  });
});

describe("editing a lot", () => {
  it("completes an incomplete lot: new number and dates, flag cleared; a taken number or a bad date is refused", async () => {
    const { shop, variant, location } = await shopWithCatalog("edit");
    const auto = await receiveLot(shop.id, { variantId: variant.id, lotNumber: "UNLOTTED-20261126", quantity: 4, locationId: location.id });
    await pool().query("update lots set incomplete = true where id = $1", [auto.lotId]);
    await receiveLot(shop.id, { variantId: variant.id, lotNumber: "TAKEN", quantity: 1, locationId: location.id });
    await expect(updateLot(shop.id, auto.lotId, { lotNumber: "TAKEN" })).rejects.toThrow(`lot number "TAKEN" already exists on variant ${variant.id}`);
    await expect(updateLot(shop.id, auto.lotId, { expiresOn: "2027-02-29" })).rejects.toThrow('expires: "2027-02-29" is not a real date: 2027-02 has 28 days');
    const edited = await updateLot(shop.id, auto.lotId, { lotNumber: "SUP-881", expiresOn: "2027-09-30", supplier: "Acme", unitCost: "0.8", currency: "gbp" });
    expect(edited).toEqual({ lotId: auto.lotId, lotNumber: "SUP-881", changed: ["lot_number", "expires_on", "supplier", "unit_cost", "currency"] });
    expect(await getLotDetail(shop.id, auto.lotId)).toMatchObject({
      lotNumber: "SUP-881",
      incomplete: false,
      expiresOn: "2027-09-30",
      supplier: "Acme",
      unitCost: "0.8000",
      currency: "GBP",
      totals: { onHand: 4 },
    });
    await updateLot(shop.id, auto.lotId, { supplier: "" });
    expect((await getLotDetail(shop.id, auto.lotId)).supplier).toBeNull();
  });
});

describe("tenant isolation", () => {
  it("shop B can neither read, list, find nor adjust shop A's lot", async () => {
    const a = await shopWithCatalog("iso-a");
    const b = await createTestShop("iso-b");
    const lot = await receiveLot(a.shop.id, { variantId: a.variant.id, lotNumber: "SECRET", quantity: 5, locationId: a.location.id });
    await expect(getLotDetail(b.id, lot.lotId)).rejects.toThrow(LotNotFoundError);
    await expect(findLotId(pool(), b.id, "SECRET")).rejects.toThrow(LotNotFoundError);
    expect((await listLots(b.id, { search: "SECRET" })).lots).toEqual([]);
    await expect(adjustLot(b.id, { lotId: lot.lotId, locationId: a.location.id, delta: -5 })).rejects.toThrow(LotNotFoundError);
    await expect(updateLot(b.id, lot.lotId, { notes: "mine now" })).rejects.toThrow(LotNotFoundError);
    await expect(countLot(b.id, { lotId: lot.lotId, locationId: a.location.id, counted: 0 })).rejects.toThrow(LotNotFoundError);
    await expect(transferLot(b.id, { lotId: lot.lotId, fromLocationId: a.location.id, toLocationId: a.location.id + 1n, quantity: 1 })).rejects.toThrow(
      LotNotFoundError,
    );
    await expect(quarantineLotNow({ shopId: b.id, lotId: lot.lotId, reason: "x", cause: "USER" })).rejects.toThrow(LotNotFoundError);
    expect((await getLotDetail(a.shop.id, lot.lotId)).totals.onHand).toBe(5);
  });
});
