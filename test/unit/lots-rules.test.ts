import { describe, expect, it } from "vitest";
import {
  barcodeForms,
  mergeScan,
  applySequence,
  checkAutoLotPattern,
  checkDate,
  checkLotNumber,
  dateConflicts,
  lotIdOf,
  renderAutoLotPrefix,
  validateReceipt,
} from "../../app/domain/lots/lot-rules";
import { LotNotFoundError, LotValidationError } from "../../app/domain/lots/lot-errors";
import { BULK_RECONCILE_MIN_LEVELS, chooseReconcileMode, decideReconciliation } from "../../app/domain/reconcile/reconcile-rules";
import { parseBulkOnHandLine } from "../../app/lib/shopify-admin.server";
import { exponentialBackoffMs, throttleWaitMs } from "../../app/domain/sync/throttle";
import { adjustPayload, movePayload } from "../../app/domain/sync/inventory-changes";

describe("receipt validation", () => {
  it("accepts a full receipt and normalises it", () => {
    const r = validateReceipt(
      {
        variantId: "gid://shopify/ProductVariant/42",
        lotNumber: "L 1/2",
        quantity: " 7 ",
        locationId: 9,
        expiresOn: "2028-02-29",
        unitCost: "0.125",
        currency: "usd",
        gtin: "9506000134352",
      },
      new Date("2026-11-26T00:00:00Z"),
    );
    expect(r).toMatchObject({
      variantId: 42n,
      lotNumber: "L 1/2",
      quantity: 7,
      locationId: 9n,
      expiresOn: "2028-02-29",
      unitCost: "0.125",
      currency: "USD",
      gtin: "09506000134352",
    });
  });

  it("names each bad field", () => {
    try {
      validateReceipt({ variantId: "abc", quantity: "-3", locationId: "", producedOn: "2027-01-10", expiresOn: "2027-01-01", currency: "EUR" });
      expect.unreachable();
    } catch (error) {
      expect((error as LotValidationError).problems).toEqual([
        { field: "variant", message: '"abc" is not a ProductVariant id (digits, or gid://shopify/ProductVariant/<digits>)' },
        { field: "location", message: "is required" },
        { field: "quantity", message: "must be a positive whole number, got -3" },
        { field: "expires", message: "2027-01-01 is before the production date 2027-01-10" },
        { field: "currency", message: "given without a unit cost (--cost)" },
      ]);
    }
  });

  it("checks dates, lot numbers and quantities precisely", () => {
    expect(checkDate("2026-02-29")).toBe('"2026-02-29" is not a real date: 2026-02 has 28 days');
    expect(checkDate("2026-13-01")).toBe('"2026-13-01" is not a real date: there is no month 13');
    expect(checkDate("2028-02-29")).toBeNull();
    expect(checkLotNumber("")).toMatch(/is empty/);
    expect(checkLotNumber("A".repeat(64))).toBeNull();
    expect(checkLotNumber(" A")).toBe("starts or ends with a space");
    expect(checkLotNumber("Lot\u001f")).toMatch(/U\+001F/);
  });

  it("compares dates of a new receipt with the lot's", () => {
    const lot = { expiresOn: "2027-01-31", bestBeforeOn: null, producedOn: "2026-01-01" };
    expect(dateConflicts(lot, { expiresOn: "2027-01-31", bestBeforeOn: "2026-12-31", producedOn: null })).toEqual([]);
    expect(dateConflicts(lot, { expiresOn: "2027-02-28", bestBeforeOn: null, producedOn: "2026-01-02" })).toEqual([
      "expiry 2027-02-28 differs from the lot's 2027-01-31",
      "production date 2026-01-02 differs from the lot's 2026-01-01",
    ]);
  });
});

describe("automatic lot numbers", () => {
  const ctx = { day: "2026-03-05", purchaseOrder: "PO/77 b", sku: "TEA-1" };
  it("renders date, PO and SKU tokens and fills the sequence", () => {
    expect(applySequence(renderAutoLotPrefix("{YYYYMMDD}-{PO}-{SEQ}", ctx), 7)).toBe("20260305-PO-77-b-007");
    expect(applySequence(renderAutoLotPrefix("{SKU}/{YY}{MM}{DD}/{SEQ4}", ctx), 12)).toBe("TEA-1/260305/0012");
  });
  it("drops a token without a value together with one separator", () => {
    expect(renderAutoLotPrefix("{YYYYMMDD}-{PO}-{SEQ}", { ...ctx, purchaseOrder: null })).toBe("20260305-{SEQ}");
    expect(renderAutoLotPrefix("{PO}-{SEQ}", { ...ctx, purchaseOrder: null })).toBe("{SEQ}");
  });
  it("adds a suffix only when a pattern without {SEQ} repeats", () => {
    expect(applySequence("20260305", 1)).toBe("20260305");
    expect(applySequence("20260305", 2)).toBe("20260305-2");
  });
  it("checks patterns", () => {
    expect(checkAutoLotPattern("{YYYYMMDD}-{PO}-{SEQ}")).toEqual([]);
    const allowed = "{YYYYMMDD} {YYMMDD} {YYYY} {YY} {MM} {DD} {PO} {SKU} {SEQ}";
    expect(checkAutoLotPattern("{DATE}-{SEQ}")).toEqual([`unknown token {DATE}: use ${allowed}`]);
    // Only the unknown token is named (not "needs a date" too), on one line; lowercase is named as well.
    expect(checkAutoLotPattern("{NOPE}")).toEqual([`unknown token {NOPE}: use ${allowed}`]);
    expect(checkAutoLotPattern("{NOPE}-{seq}-{NOPE}")).toEqual([`unknown tokens {NOPE}, {seq}: use ${allowed}`]);
    expect(checkAutoLotPattern("LOT-{SKU}")).toEqual(["needs at least a date, {PO} or {SEQ} token"]);
    expect(checkAutoLotPattern("{SEQ")).toEqual(expect.arrayContaining(["has a brace that is not part of a {TOKEN}"]));
  });
});

describe("reconciliation decisions", () => {
  it("discounts the app's unsent changes and waits on in-flight ones", () => {
    expect(decideReconciliation({ shopifyOnHand: 0, lotsOnHand: 10, pendingUnsentDelta: 10, inFlightRows: 0 })).toEqual({ action: "none", difference: 0 });
    expect(decideReconciliation({ shopifyOnHand: 15, lotsOnHand: 10, pendingUnsentDelta: 0, inFlightRows: 0 })).toEqual({
      action: "create-incomplete-lot",
      difference: 5,
      units: 5,
    });
    expect(decideReconciliation({ shopifyOnHand: 8, lotsOnHand: 10, pendingUnsentDelta: 0, inFlightRows: 0 })).toEqual({
      action: "record-discrepancy",
      difference: -2,
      missingUnits: 2,
    });
    expect(decideReconciliation({ shopifyOnHand: 0, lotsOnHand: 10, pendingUnsentDelta: 0, inFlightRows: 1 })).toMatchObject({
      action: "wait",
      difference: -10,
    });
    expect(decideReconciliation({ shopifyOnHand: 7, lotsOnHand: 10, pendingUnsentDelta: 0, inFlightRows: 0, unprocessedStockWebhooks: 2 })).toEqual({
      action: "wait",
      difference: -3,
      reason: "2 order/fulfilment/refund webhook(s) of the shop are not processed yet",
    });
    // Lots that moved while Shopify was read: its figure proves nothing; lots that held still are compared.
    expect(decideReconciliation({ shopifyOnHand: 10, lotsOnHand: 8, pendingUnsentDelta: 0, inFlightRows: 0, lotsOnHandBefore: 10 })).toMatchObject({
      action: "wait",
      difference: 2,
    });
    expect(decideReconciliation({ shopifyOnHand: 10, lotsOnHand: 8, pendingUnsentDelta: 0, inFlightRows: 0, lotsOnHandBefore: 8 })).toEqual({
      action: "create-incomplete-lot",
      difference: 2,
      units: 2,
    });
  });

  it("a bulk snapshot proves nothing for a level whose lots moved since it was taken, even back to the same units", () => {
    const held = { shopifyOnHand: 8, lotsOnHand: 10, pendingUnsentDelta: 0, inFlightRows: 0, lotsOnHandBefore: 10 };
    expect(decideReconciliation({ ...held, lotMovesSinceRead: 2 })).toEqual({
      action: "wait",
      difference: -2,
      reason: "the lots moved since Shopify's snapshot was taken (2 ledger entries)",
    });
    expect(decideReconciliation({ ...held, lotMovesSinceRead: 0, appChangesUnsettledAtRead: 1 })).toMatchObject({ action: "wait", difference: -2 });
    expect(decideReconciliation({ ...held, lotMovesSinceRead: 0, appChangesUnsettledAtRead: 0 })).toEqual({
      action: "record-discrepancy",
      difference: -2,
      missingUnits: 2,
    });
    // A level that agrees needs nothing, moved or not.
    expect(decideReconciliation({ ...held, shopifyOnHand: 10, lotMovesSinceRead: 3 })).toEqual({ action: "none", difference: 0 });
  });

  it("pages a small shop and reads a large one in bulk", () => {
    expect(chooseReconcileMode(BULK_RECONCILE_MIN_LEVELS - 1)).toBe("paging");
    expect(chooseReconcileMode(BULK_RECONCILE_MIN_LEVELS)).toBe("bulk");
    expect(chooseReconcileMode(10, "bulk")).toBe("bulk");
    expect(chooseReconcileMode(50_000, "paging")).toBe("paging");
  });
});

describe("bulk result lines", () => {
  it("reads a level line by its __parentId and skips item lines; ids beyond 2^53 stay exact", () => {
    expect(parseBulkOnHandLine('{"id":"gid://shopify/InventoryItem/12345678901234567890"}')).toBeNull();
    expect(
      parseBulkOnHandLine(
        '{"id":"gid://shopify/InventoryLevel/1?inventory_item_id=2","location":{"id":"gid://shopify/Location/98765432109876543"},"quantities":[{"name":"on_hand","quantity":-3}],"__parentId":"gid://shopify/InventoryItem/12345678901234567890"}',
      ),
    ).toEqual({ inventoryItemId: 12345678901234567890n, locationId: 98765432109876543n, locationName: null, onHand: -3 });
  });
  it("refuses a line that is not JSON or not a level of an item", () => {
    expect(() => parseBulkOnHandLine("{not json", 7)).toThrow("line 7 of the bulk result is not JSON");
    expect(() => parseBulkOnHandLine('{"__parentId":"gid://shopify/Product/1","location":{"id":"gid://shopify/Location/1"}}', 3)).toThrow(
      "line 3 of the bulk result is not an inventory level of an item",
    );
  });
});

describe("throttle waits", () => {
  it("waits for the bucket to refill the requested cost", () => {
    const cost = { requestedQueryCost: 500, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 100, restoreRate: 50 } };
    expect(throttleWaitMs(cost, 1)).toBe(8000);
    expect(throttleWaitMs({ ...cost, requestedQueryCost: 5000 }, 1)).toBe(18000); // capped at the bucket size
    expect(throttleWaitMs({ requestedQueryCost: 1, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 999, restoreRate: 50 } }, 1)).toBe(1000);
  });
  it("backs off exponentially without a reported cost", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((a) => exponentialBackoffMs(a, 1000, 600_000, mid))).toEqual([1000, 2000, 4000, 8000]);
    expect(exponentialBackoffMs(30, 1000, 600_000, mid)).toBe(600_000);
  });
});

describe("inventory change payloads", () => {
  it("skips zero deltas and names a ledger document for quality_control", () => {
    const p = adjustPayload({
      name: "quality_control",
      reason: "received",
      referenceDocumentUri: "gid://lotkeeper/LedgerEntry/5",
      changes: [
        { inventoryItemId: 1n, locationId: 2n, delta: 0 },
        { inventoryItemId: 1n, locationId: 3n, delta: 4 },
      ],
    });
    expect(p.input.changes).toEqual([
      {
        delta: 4,
        changeFromQuantity: null,
        inventoryItemId: "gid://shopify/InventoryItem/1",
        locationId: "gid://shopify/Location/3",
        ledgerDocumentUri: "gid://lotkeeper/LedgerEntry/5",
      },
    ]);
    expect(p.levels).toEqual([{ inventoryItemId: "1", locationId: "3", onHandDelta: 4 }]);
    const m = movePayload({
      direction: "release",
      referenceDocumentUri: "gid://lotkeeper/LedgerEntry/6",
      changes: [{ inventoryItemId: 1n, locationId: 2n, quantity: 3 }],
    });
    expect(m.input.changes[0]).toEqual({
      inventoryItemId: "gid://shopify/InventoryItem/1",
      quantity: 3,
      from: { locationId: "gid://shopify/Location/2", name: "quality_control", changeFromQuantity: null, ledgerDocumentUri: "gid://lotkeeper/LedgerEntry/6" },
      to: { locationId: "gid://shopify/Location/2", name: "available", changeFromQuantity: null },
    });
    expect(m.levels[0]!.onHandDelta).toBe(0);
  });
});

describe("receiving from a scan", () => {
  const scan = { gtin: "09506000134352", lot: "L1", expiry: "2027-11-30", bestBefore: null, productionDate: null };
  it("fills what was not typed and keeps what agrees", () => {
    expect(mergeScan({ variantId: "1", quantity: 2, locationId: "3", expiresOn: "2027-11-30" }, scan)).toMatchObject({
      lotNumber: "L1",
      expiresOn: "2027-11-30",
      gtin: "09506000134352",
    });
  });
  it("refuses typed values that contradict the scan", () => {
    expect(() => mergeScan({ variantId: "1", quantity: 2, locationId: "3", lotNumber: "L2", gtin: "9506000134352" }, scan)).toThrow(
      'lot: "L2" differs from the scanned L1',
    );
  });
  it("lists the barcode forms of a GTIN-14", () => {
    expect(barcodeForms("00036000291452")).toEqual(["00036000291452", "0036000291452", "036000291452"]);
    expect(barcodeForms("00000096385074")).toEqual(["00000096385074", "0000096385074", "000096385074", "96385074"]);
  });
});

describe("lot ids from a URL, form or option", () => {
  it("reads digits and refuses anything else as a lot that does not exist", () => {
    expect(lotIdOf("4521")).toBe(4521n);
    expect(lotIdOf(7)).toBe(7n);
    expect(lotIdOf(9n)).toBe(9n);
    for (const bad of ["abc", "12a", "-1", "", "1".repeat(20), 1.5]) expect(() => lotIdOf(bad)).toThrow(LotNotFoundError);
    expect(() => lotIdOf("abc")).toThrow('lot id "abc" is not a number');
  });
});
