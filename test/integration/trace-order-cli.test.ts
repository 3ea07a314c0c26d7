// `lotkeeper trace order` gives the backward trace too: the lots the order shipped from, the input
// lots they were made of (through nested production runs) and their suppliers; the per-line
// allocations keep their keys. Another shop's lots never appear upstream.
import { describe, expect, it } from "vitest";
import { withTransaction } from "../../app/lib/sql.server";
import { recordProductionRun } from "../../app/domain/genealogy/genealogy.server";
import { createTestShop } from "../helpers/shops";
import { createAllocation, createLocation, createLot, createOrder, createVariant } from "../helpers/factories";
import { cliJson } from "../helpers/cli";

interface TraceJson {
  lineItems: {
    lineItemId: string;
    allocations: { lot: string | null; quantity: number; returnedQuantity: number; locationId: string; unknownLot: boolean }[];
  }[];
  upstream: {
    direction: string;
    lots: { lotNumber: string; depth: number; supplier: string | null; produced: boolean }[];
    edges: { inputLotNumber: string; outputLotNumber: string; quantity: number }[];
    suppliers: { supplier: string; lots: { lotNumber: string; supplierLot: string | null; purchaseOrder: string | null }[] }[];
  };
}

describe("lotkeeper trace order: upstream", () => {
  it("lists the input lots through two levels of runs and their suppliers, keeping the allocations per line", async () => {
    const shop = await createTestShop("trace-order-up");
    const loc = await createLocation(shop.id);
    const oats = await createVariant(shop.id, { sku: "OATS" });
    const honey = await createVariant(shop.id, { sku: "HONEY" });
    const granola = await createVariant(shop.id, { sku: "GRANOLA" });
    const box = await createVariant(shop.id, { sku: "GIFT-BOX" });
    const tea = await createVariant(shop.id, { sku: "TEA" });
    await createLot(shop.id, {
      variantId: oats,
      lotNumber: "OAT-9",
      quantity: 20,
      locationId: loc,
      supplier: "Kornkammer",
      supplierLot: "KK-0925-7",
      purchaseOrder: "PO-11",
    });
    await createLot(shop.id, { variantId: honey, lotNumber: "HON-3", quantity: 20, locationId: loc, supplier: "Imkerei Rapp", supplierLot: "IR-3" });
    const teaLot = await createLot(shop.id, { variantId: tea, lotNumber: "TEA-1", quantity: 5, locationId: loc, supplier: "Teehaus" });
    await withTransaction((sql) =>
      recordProductionRun(sql, shop.id, {
        kind: "ASSEMBLY",
        outputVariantId: granola,
        outputLotNumber: "GRA-1",
        quantity: 6,
        locationId: loc,
        inputs: [
          { lotNumber: "OAT-9", quantity: 4 },
          { lotNumber: "HON-3", quantity: 2 },
        ],
      }),
    );
    const kit = await withTransaction((sql) =>
      recordProductionRun(sql, shop.id, {
        kind: "KIT",
        outputVariantId: box,
        outputLotNumber: "BOX-1",
        quantity: 3,
        locationId: loc,
        inputs: [{ lotNumber: "GRA-1", quantity: 3 }],
      }),
    );
    const order = await createOrder(shop.id, {
      customerId: 77n,
      lines: [
        { variantId: box, quantity: 2 },
        { variantId: tea, quantity: 2 },
      ],
    });
    await createAllocation(shop.id, {
      orderId: order.id,
      lineItemId: order.lineIds[0]!,
      variantId: box,
      lotId: kit.output.lotId,
      locationId: loc,
      quantity: 2,
      returnedQuantity: 1,
    });
    await createAllocation(shop.id, { orderId: order.id, lineItemId: order.lineIds[1]!, variantId: tea, lotId: teaLot, locationId: loc, quantity: 1 });
    await createAllocation(shop.id, { orderId: order.id, lineItemId: order.lineIds[1]!, variantId: tea, lotId: null, locationId: loc, quantity: 1 });

    const trace = await cliJson<TraceJson>(["trace", "order", "--shop", shop.domain, "--order", String(order.id)]);
    const lines = Object.fromEntries(
      trace.lineItems.map((l) => [l.lineItemId, l.allocations.map((a) => [a.lot, a.quantity, a.returnedQuantity, a.locationId, a.unknownLot])]),
    );
    expect(lines).toEqual({
      [String(order.lineIds[0])]: [["BOX-1", 2, 1, String(loc), false]],
      [String(order.lineIds[1])]: [
        ["TEA-1", 1, 0, String(loc), false],
        [null, 1, 0, String(loc), true],
      ],
    });
    expect(trace.upstream.direction).toBe("backward");
    expect(trace.upstream.lots.map((l) => [l.lotNumber, l.depth, l.produced]).sort()).toEqual([
      ["BOX-1", 0, true],
      ["GRA-1", 1, true],
      ["HON-3", 2, false],
      ["OAT-9", 2, false],
      ["TEA-1", 0, false],
    ]);
    expect(trace.upstream.edges.map((e) => [e.inputLotNumber, e.outputLotNumber, e.quantity]).sort()).toEqual([
      ["GRA-1", "BOX-1", 3],
      ["HON-3", "GRA-1", 2],
      ["OAT-9", "GRA-1", 4],
    ]);
    const suppliers = Object.fromEntries(trace.upstream.suppliers.map((s) => [s.supplier, s.lots]));
    expect(suppliers).toEqual({
      Kornkammer: [{ lotNumber: "OAT-9", supplierLot: "KK-0925-7", purchaseOrder: "PO-11" }],
      "Imkerei Rapp": [{ lotNumber: "HON-3", supplierLot: "IR-3", purchaseOrder: null }],
      Teehaus: [{ lotNumber: "TEA-1", supplierLot: null, purchaseOrder: null }],
    });
  });

  it("an order shipped only from unknown lots has an empty upstream; another shop's trace is its own", async () => {
    const shop = await createTestShop("trace-order-unknown");
    const other = await createTestShop("trace-order-other");
    const loc = await createLocation(shop.id);
    const variant = await createVariant(shop.id);
    const order = await createOrder(shop.id, { lines: [{ variantId: variant, quantity: 1 }] });
    await createAllocation(shop.id, { orderId: order.id, lineItemId: order.lineIds[0]!, variantId: variant, lotId: null, locationId: loc, quantity: 1 });
    // The other shop has its own lot with a supplier; it must not show up.
    const otherVariant = await createVariant(other.id);
    await createLot(other.id, {
      variantId: otherVariant,
      lotNumber: "SECRET-1",
      quantity: 1,
      locationId: await createLocation(other.id),
      supplier: "Their supplier",
    });
    const trace = await cliJson<TraceJson>(["trace", "order", "--shop", shop.domain, "--order", String(order.id)]);
    expect(trace.lineItems[0]!.allocations.map((a) => [a.lot, a.unknownLot])).toEqual([[null, true]]);
    expect(trace.upstream).toEqual({ direction: "backward", lots: [], edges: [], suppliers: [] });
    await expect(cliJson(["trace", "order", "--shop", other.domain, "--order", String(order.id)])).rejects.toThrow(`order ${order.id} is not known`);
  });
});
