import { describe, expect, it } from "vitest";
import { lookupRecall, listLotCustomers, findLotsByNumber, type RecallCustomer } from "../../app/domain/recall/recall-lookup.server";
import { LotNotFoundError, InvalidCursorError } from "../../app/domain/recall/errors";
import { pool } from "../../app/db.server";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId, shipToCustomer, createOrder, createAllocation } from "../helpers/factories";

const DAY = 24 * 3600 * 1000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

async function seedShop(label: string) {
  const shop = await createTestShop(label);
  const variant = await createVariant(shop.id, { sku: "TEA-RED", productTitle: "Red tea candle" });
  const otherVariant = await createVariant(shop.id, { sku: "TEA-BLUE" });
  const warehouse = await createLocation(shop.id, { name: "Warehouse" });
  const store = await createLocation(shop.id, { name: "Store" });
  const lot = await createLot(shop.id, {
    variantId: variant,
    lotNumber: "L-100",
    quantity: 100,
    locationId: warehouse,
    receivedAt: daysAgo(10),
    expiresOn: "2027-06-30",
    supplier: "Wax Co",
  });
  await createLot(shop.id, { variantId: variant, lotNumber: "L-100", quantity: 0 }).catch(() => undefined); // same (variant, number): refused by the unique key
  const sameNumberOtherVariant = await createLot(shop.id, {
    variantId: otherVariant,
    lotNumber: "L-100",
    quantity: 10,
    locationId: warehouse,
    receivedAt: daysAgo(10),
  });
  const otherLot = await createLot(shop.id, { variantId: variant, lotNumber: "L-200", quantity: 50, locationId: warehouse, receivedAt: daysAgo(10) });
  return { shop, variant, otherVariant, warehouse, store, lot, sameNumberOtherVariant, otherLot };
}

describe("recall lookup by lot number", () => {
  it("lists every customer with contact details, orders, returns; redacted and guests; totals; possibly affected", async () => {
    const s = await seedShop("recall-lookup");
    const maria = newId();
    const redactedCustomer = newId();
    const shopId = s.shop.id;
    const address = { name: "Maria Lopez", address1: "12 Orchard Lane", city: "Portland", province_code: "OR", zip: "97205", country_code: "US" };
    const first = await shipToCustomer(shopId, {
      name: "#1001",
      customerId: maria,
      customerName: "Maria Lopez",
      customerEmail: "maria@example.com",
      customerPhone: "+15035550142",
      shippingAddress: address,
      variantId: s.variant,
      lotId: s.lot,
      locationId: s.warehouse,
      quantity: 3,
      fulfilledAt: daysAgo(5),
    });
    const second = await shipToCustomer(shopId, {
      name: "#1002",
      customerId: maria,
      customerName: "Maria Lopez",
      customerEmail: "maria@example.com",
      variantId: s.variant,
      lotId: s.lot,
      locationId: s.warehouse,
      quantity: 2,
      returnedQuantity: 1,
      fulfilledAt: daysAgo(4),
    });
    await shipToCustomer(shopId, {
      name: "#1003",
      customerId: redactedCustomer,
      redacted: true,
      variantId: s.variant,
      lotId: s.lot,
      locationId: s.warehouse,
      quantity: 4,
      fulfilledAt: daysAgo(4),
    });
    await shipToCustomer(shopId, {
      name: "#1004",
      email: "Guest@Example.com",
      customerName: "Gus Guest",
      variantId: s.variant,
      lotId: s.lot,
      locationId: s.warehouse,
      quantity: 2,
      fulfilledAt: daysAgo(3),
    });
    const noEmail = await shipToCustomer(shopId, {
      name: "#1005",
      variantId: s.variant,
      lotId: s.lot,
      locationId: s.warehouse,
      quantity: 1,
      fulfilledAt: daysAgo(3),
    });
    // Not in the recall: another lot of the same variant, and the same lot number on another variant.
    await shipToCustomer(shopId, {
      name: "#1006",
      customerId: newId(),
      customerName: "Other Lot",
      variantId: s.variant,
      lotId: s.otherLot,
      locationId: s.warehouse,
      quantity: 5,
    });
    await shipToCustomer(shopId, {
      name: "#1007",
      customerId: newId(),
      customerName: "Other Variant",
      variantId: s.otherVariant,
      lotId: s.sameNumberOtherVariant,
      locationId: s.warehouse,
      quantity: 1,
    });
    // Unknown-lot shipments of the variant: one inside the lot's window, one before its receipt, one of another variant.
    const inWindow = await shipToCustomer(shopId, {
      name: "#1008",
      customerId: newId(),
      customerName: "Maybe Affected",
      variantId: s.variant,
      lotId: null,
      locationId: s.store,
      quantity: 6,
      fulfilledAt: daysAgo(2),
    });
    await shipToCustomer(shopId, {
      name: "#1009",
      customerId: newId(),
      customerName: "Before Receipt",
      variantId: s.variant,
      lotId: null,
      locationId: s.store,
      quantity: 7,
      fulfilledAt: daysAgo(20),
    });
    await shipToCustomer(shopId, {
      name: "#1010",
      customerId: newId(),
      variantId: s.otherVariant,
      lotId: null,
      locationId: s.store,
      quantity: 8,
      fulfilledAt: daysAgo(2),
    });
    // A reversed (cancelled) allocation is not a shipment.
    const cancelled = await createOrder(shopId, {
      name: "#1011",
      customerId: newId(),
      customerName: "Cancelled",
      lines: [{ variantId: s.variant, quantity: 9 }],
    });
    await createAllocation(shopId, {
      orderId: cancelled.id,
      lineItemId: cancelled.lineIds[0]!,
      variantId: s.variant,
      lotId: s.lot,
      locationId: s.warehouse,
      quantity: 9,
      customerId: null,
      status: "REVERSED",
    });

    const result = await lookupRecall(shopId, { lotNumber: "L-100", variantId: s.variant });

    expect(result.lots.map((l) => [l.lotNumber, l.variantId, l.direct])).toEqual([["L-100", s.variant, true]]);
    expect(result.totals).toMatchObject({
      receivedUnits: 100,
      shippedUnits: 12,
      returnedUnits: 1,
      outstandingUnits: 11,
      onHandUnits: 89,
      orders: 5,
      shipmentLines: 5,
      customers: 4,
      possiblyAffectedUnits: 6,
      possiblyAffectedLines: 1,
    });
    expect(result.totals.onHand).toEqual([{ lotId: s.lot, lotNumber: "L-100", locationId: s.warehouse, quantity: 89, quarantined: 0 }]);

    const byName = (c: RecallCustomer) => c.name ?? (c.redacted ? "(redacted)" : c.customerKey);
    expect(result.customers.map((c) => [byName(c), c.units, c.returnedUnits])).toEqual(
      // customers with an id first (by id: maria was created before the redacted one), then guests by key
      [
        ["Maria Lopez", 5, 1],
        ["(redacted)", 4, 0],
        ["Gus Guest", 2, 0],
        [`order:${noEmail.orderId}`, 1, 0],
      ],
    );
    const m = result.customers[0]!;
    expect(m).toMatchObject({ customerKey: maria.toString(), customerId: maria, email: "maria@example.com", phone: "+15035550142", redacted: false });
    expect(m.address).toBe("12 Orchard Lane, Portland, OR 97205, US");
    expect(m.orders.map((o) => [o.orderId, o.orderName, o.lineItemId, o.quantity, o.returnedQuantity, o.locationName, o.lotNumber])).toEqual([
      [first.orderId, "#1001", first.lineItemId, 3, 0, "Warehouse", "L-100"],
      [second.orderId, "#1002", second.lineItemId, 2, 1, "Warehouse", "L-100"],
    ]);
    expect(m.orders[1]!.returnedAt).not.toBeNull();
    expect(new Date(m.orders[0]!.fulfilledAt).getTime()).toBeCloseTo(daysAgo(5).getTime(), -4);

    const redacted = result.customers[1]!;
    expect(redacted).toMatchObject({ customerId: redactedCustomer, redacted: true, name: null, email: null, phone: null, address: null, units: 4 });
    const guest = result.customers[2]!;
    expect(guest).toMatchObject({ customerKey: "email:guest@example.com", customerId: null, email: "Guest@Example.com" });

    expect(result.possiblyAffected.map((p) => [p.orderId, p.name, p.quantity, p.locationId])).toEqual([[inWindow.orderId, "Maybe Affected", 6, s.store]]);
  });

  it("possibly affected: a lot that ran out stops its window at its last allocation", async () => {
    const shop = await createTestShop("recall-window");
    const variant = await createVariant(shop.id);
    const location = await createLocation(shop.id);
    const lot = await createLot(shop.id, { variantId: variant, lotNumber: "SMALL", quantity: 2, locationId: location, receivedAt: daysAgo(10) });
    await shipToCustomer(shop.id, { customerId: newId(), variantId: variant, lotId: lot, locationId: location, quantity: 2, fulfilledAt: daysAgo(5) });
    const during = await shipToCustomer(shop.id, {
      customerId: newId(),
      variantId: variant,
      lotId: null,
      locationId: location,
      quantity: 1,
      fulfilledAt: daysAgo(6),
    });
    await shipToCustomer(shop.id, { customerId: newId(), variantId: variant, lotId: null, locationId: location, quantity: 4, fulfilledAt: daysAgo(2) });
    const result = await lookupRecall(shop.id, { lotNumber: "SMALL" });
    expect(result.totals.onHandUnits).toBe(0);
    expect(result.possiblyAffected.map((p) => [p.orderId, p.quantity])).toEqual([[during.orderId, 1]]);
    expect(result.totals.possiblyAffectedUnits).toBe(1);
  });

  it("without --variant covers the lot number on every variant; with it, only that variant", async () => {
    const s = await seedShop("recall-variants");
    await shipToCustomer(s.shop.id, { customerId: newId(), variantId: s.variant, lotId: s.lot, locationId: s.warehouse, quantity: 2 });
    await shipToCustomer(s.shop.id, { customerId: newId(), variantId: s.otherVariant, lotId: s.sameNumberOtherVariant, locationId: s.warehouse, quantity: 3 });
    const all = await lookupRecall(s.shop.id, { lotNumber: "L-100" });
    expect(all.lots.map((l) => l.variantId).sort()).toEqual([s.variant, s.otherVariant].sort());
    expect(all.totals.shippedUnits).toBe(5);
    const one = await lookupRecall(s.shop.id, { lotNumber: "L-100", variantId: s.otherVariant });
    expect(one.totals.shippedUnits).toBe(3);
    expect(one.customers).toHaveLength(1);
  });

  it("pages through every customer exactly once with keyset cursors (customers with ids, then guests)", async () => {
    const s = await seedShop("recall-paging");
    const expected: string[] = [];
    for (let i = 0; i < 7; i++) {
      const id = newId();
      expected.push(id.toString());
      await shipToCustomer(s.shop.id, { customerId: id, variantId: s.variant, lotId: s.lot, locationId: s.warehouse, quantity: 1 });
      // a second order of the same customer must not make a second row
      if (i % 3 === 0) await shipToCustomer(s.shop.id, { customerId: id, variantId: s.variant, lotId: s.lot, locationId: s.warehouse, quantity: 2 });
    }
    for (const email of ["b@x.test", "a@x.test", "c@x.test"]) {
      expected.push(`email:${email}`);
      await shipToCustomer(s.shop.id, { email, variantId: s.variant, lotId: s.lot, locationId: s.warehouse, quantity: 1 });
    }
    // two orders of one guest email are one customer
    await shipToCustomer(s.shop.id, { email: "A@x.test", variantId: s.variant, lotId: s.lot, locationId: s.warehouse, quantity: 1 });
    const lots = await findLotsByNumber(pool(), s.shop.id, "L-100", s.variant);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listLotCustomers(pool(), s.shop.id, lots, { cursor, limit: 3 });
      seen.push(...page.customers.map((c) => c.customerKey));
      cursor = page.nextCursor;
      pages++;
      expect(pages).toBeLessThan(10);
    } while (cursor);
    const sortedIds = expected.slice(0, 7).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(seen).toEqual([...sortedIds, "email:a@x.test", "email:b@x.test", "email:c@x.test"]);
    const lastGuest = (await lookupRecall(s.shop.id, { lotNumber: "L-100", variantId: s.variant, limit: 50 })).customers.find(
      (c) => c.customerKey === "email:a@x.test",
    );
    expect(lastGuest?.orders).toHaveLength(2);
    await expect(listLotCustomers(pool(), s.shop.id, lots, { cursor: "bm9wZQ" })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it("is tenant-isolated: shop B's lookup of the same lot number never lists shop A's customers", async () => {
    const a = await seedShop("recall-tenant-a");
    const b = await seedShop("recall-tenant-b");
    await shipToCustomer(a.shop.id, {
      customerId: newId(),
      customerName: "Alice of A",
      variantId: a.variant,
      lotId: a.lot,
      locationId: a.warehouse,
      quantity: 2,
    });
    await shipToCustomer(b.shop.id, {
      customerId: newId(),
      customerName: "Bob of B",
      variantId: b.variant,
      lotId: b.lot,
      locationId: b.warehouse,
      quantity: 1,
    });
    const inB = await lookupRecall(b.shop.id, { lotNumber: "L-100" });
    expect(inB.customers.map((c) => c.name)).toEqual(["Bob of B"]);
    expect(inB.totals.shippedUnits).toBe(1);
    // A's variant id does not exist in B: nothing is found, with a clear error.
    await expect(lookupRecall(b.shop.id, { lotNumber: "L-100", variantId: a.variant })).rejects.toBeInstanceOf(LotNotFoundError);
    await expect(lookupRecall(b.shop.id, { lotNumber: "NOPE" })).rejects.toThrow(/lot "NOPE" was not found in this shop/);
  });
});
