import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import { recordProductionRun } from "../../app/domain/genealogy/genealogy.server";
import { ProductionError, type ProductionRequest } from "../../app/domain/genealogy/production-rules";
import { traceLot, traceCustomer, lotsForOrder, lotsForCustomer, traceOrderBackward } from "../../app/domain/trace/trace.server";
import { lookupRecall } from "../../app/domain/recall/recall-lookup.server";
import { main } from "../../app/cli/main";
import { cliOutput } from "../helpers/cli";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";

// Jobs this file queues (outbox sends) go to a prefix of its own, never the default queues.
useOwnQueuePrefix();

const produce = (shopId: number, request: ProductionRequest) => withTransaction((sql) => recordProductionRun(sql, shopId, request));

async function balance(lotId: bigint, locationId: bigint): Promise<number> {
  const r = await pool().query<{ quantity: number }>("select quantity from lot_balances where lot_id = $1 and location_id = $2", [lotId, locationId]);
  return r.rows[0]?.quantity ?? 0;
}

async function candleWorkshop(label: string) {
  const shop = await createTestShop(label);
  const wax = await createVariant(shop.id, { sku: "WAX-RED", productTitle: "Red candle wax" });
  const wick = await createVariant(shop.id, { sku: "WICK" });
  const candle = await createVariant(shop.id, { sku: "CANDLE-RED", productTitle: "Red tea candle" });
  const giftBox = await createVariant(shop.id, { sku: "GIFT", productTitle: "Gift box" });
  const workshop = await createLocation(shop.id, { name: "Workshop" });
  const waxLot = await createLot(shop.id, {
    variantId: wax,
    lotNumber: "WAX-7",
    quantity: 100,
    locationId: workshop,
    supplier: "Wax Co",
    supplierLot: "WC-991",
    purchaseOrder: "PO-12",
    expiresOn: "2027-03-31",
  });
  const wickLot = await createLot(shop.id, {
    variantId: wick,
    lotNumber: "WICK-3",
    quantity: 50,
    locationId: workshop,
    supplier: "Wick Ltd",
    expiresOn: "2028-01-31",
  });
  return { shop, wax, wick, candle, giftBox, workshop, waxLot, wickLot };
}

describe("production runs (genealogy)", () => {
  it("consumes input lots, makes the output lot, and the ledger and balances follow", async () => {
    const w = await candleWorkshop("gen-produce");
    const waxItem = newId();
    const candleItem = newId();
    await pool().query(
      "update variants set inventory_item_id = case id when $2::bigint then $3::bigint else $5::bigint end where shop_id = $1 and id in ($2, $4)",
      [w.shop.id, w.wax, waxItem, w.candle, candleItem],
    );
    const run = await produce(w.shop.id, {
      kind: "ASSEMBLY",
      outputVariantId: w.candle,
      outputLotNumber: "C-1",
      quantity: 10,
      locationId: w.workshop,
      inputs: [
        { lotNumber: "WAX-7", quantity: 20 },
        { lotNumber: "WICK-3", quantity: 10 },
      ],
    });
    expect(run.output).toMatchObject({ lotNumber: "C-1", quantity: 10, balanceAfter: 10, created: true, expiresOn: "2027-03-31" });
    expect(run.inputs.map((i) => [i.lotNumber, i.quantity, i.balanceAfter]).sort()).toEqual([
      ["WAX-7", 20, 80],
      ["WICK-3", 10, 40],
    ]);
    expect(await balance(w.waxLot, w.workshop)).toBe(80);
    expect(await balance(w.wickLot, w.workshop)).toBe(40);
    expect(await balance(run.output.lotId, w.workshop)).toBe(10);
    const ledger = await pool().query<{ lot_id: bigint; kind: string; delta: number; cause_ref: string }>(
      "select lot_id, kind, delta, cause_ref from ledger_entries where shop_id = $1 and kind in ('CONSUMED', 'PRODUCED') order by id",
      [w.shop.id],
    );
    expect(ledger.rows.map((r) => [r.lot_id, r.kind, r.delta, r.cause_ref])).toEqual([
      [w.waxLot, "CONSUMED", -20, `run:${run.runId}`],
      [w.wickLot, "CONSUMED", -10, `run:${run.runId}`],
      [run.output.lotId, "PRODUCED", 10, `run:${run.runId}`],
    ]);
    // Shopify follows through the outbox: one adjustment per ledger entry of a variant Shopify tracks (the wick has no inventory item here).
    const outbox = await pool().query<{ kind: string; payload: { input: { reason: string; changes: { delta: number; inventoryItemId: string }[] } } }>(
      "select kind, payload from outbox_entries where shop_id = $1 order by id",
      [w.shop.id],
    );
    expect(outbox.rows.map((r) => [r.kind, r.payload.input.reason, r.payload.input.changes.map((c) => [c.inventoryItemId, c.delta])])).toEqual([
      ["inventory.adjust", "other", [[`gid://shopify/InventoryItem/${waxItem}`, -20]]],
      ["inventory.adjust", "received", [[`gid://shopify/InventoryItem/${candleItem}`, 10]]],
    ]);
    expect(run.outboxIds).toHaveLength(2);
    // A second run into the same output lot adds to it.
    const again = await produce(w.shop.id, {
      kind: "ASSEMBLY",
      outputVariantId: w.candle,
      outputLotNumber: "C-1",
      quantity: 5,
      locationId: w.workshop,
      inputs: [
        { lotNumber: "WAX-7", quantity: 10 },
        { lotNumber: "WICK-3", quantity: 5 },
      ],
    });
    expect(again.output).toMatchObject({ lotId: run.output.lotId, created: false, balanceAfter: 15 });
  });

  it("refuses bad runs with a clear message and changes nothing", async () => {
    const w = await candleWorkshop("gen-refuse");
    const base = { kind: "KIT" as const, outputVariantId: w.candle, outputLotNumber: "C-9", quantity: 1, locationId: w.workshop };
    await expect(produce(w.shop.id, { ...base, inputs: [{ lotNumber: "WAX-7", quantity: 101 }] })).rejects.toThrow(
      /input lot "WAX-7" has 100 units at location \d+, the run needs 101/,
    );
    await expect(produce(w.shop.id, { ...base, inputs: [{ lotNumber: "NOPE", quantity: 1 }] })).rejects.toThrow(/input lot "NOPE" was not found/);
    await expect(produce(w.shop.id, { ...base, outputVariantId: 999n, inputs: [{ lotNumber: "WAX-7", quantity: 1 }] })).rejects.toThrow(
      /output variant 999 is not known/,
    );
    await expect(produce(w.shop.id, { ...base, quantity: 0, inputs: [{ lotNumber: "WAX-7", quantity: 1 }] })).rejects.toBeInstanceOf(ProductionError);
    await pool().query("update lots set status = 'QUARANTINED' where id = $1", [w.wickLot]);
    await expect(produce(w.shop.id, { ...base, inputs: [{ lotNumber: "WICK-3", quantity: 1 }] })).rejects.toThrow(/input lot "WICK-3" is quarantined/);
    // the same lot number on two variants needs @variant
    await createLot(w.shop.id, { variantId: w.giftBox, lotNumber: "WAX-7", quantity: 5, locationId: w.workshop });
    await expect(produce(w.shop.id, { ...base, inputs: [{ lotNumber: "WAX-7", quantity: 1 }] })).rejects.toThrow(
      /exists on several variants .* WAX-7@<variant id>/,
    );
    expect(await balance(w.waxLot, w.workshop)).toBe(100);
    const runs = await pool().query("select 1 from production_runs where shop_id = $1", [w.shop.id]);
    expect(runs.rowCount).toBe(0);
    const made = await pool().query("select 1 from lots where shop_id = $1 and lot_number = 'C-9'", [w.shop.id]);
    expect(made.rowCount).toBe(0);
  });

  it("never uses another shop's lots", async () => {
    const a = await candleWorkshop("gen-tenant-a");
    const b = await candleWorkshop("gen-tenant-b");
    await expect(
      produce(b.shop.id, {
        kind: "REPACK",
        outputVariantId: b.wax,
        outputLotNumber: "R-1",
        quantity: 1,
        locationId: b.workshop,
        inputs: [{ lotNumber: "WAX-7", variantId: a.wax, quantity: 1 }],
      }),
    ).rejects.toThrow(/input lot "WAX-7" of variant \d+ was not found in this shop/);
    expect(await balance(a.waxLot, a.workshop)).toBe(100);
  });
});

describe("trace", () => {
  it("forward from the wax reaches candles, gift boxes and every customer; backward from a gift box reaches both suppliers", async () => {
    const w = await candleWorkshop("trace-fwd");
    const s = w.shop.id;
    const c1 = await produce(s, {
      kind: "ASSEMBLY",
      outputVariantId: w.candle,
      outputLotNumber: "C-1",
      quantity: 10,
      locationId: w.workshop,
      inputs: [
        { lotNumber: "WAX-7", quantity: 20 },
        { lotNumber: "WICK-3", quantity: 10 },
      ],
    });
    const g1 = await produce(s, {
      kind: "KIT",
      outputVariantId: w.giftBox,
      outputLotNumber: "G-1",
      quantity: 4,
      locationId: w.workshop,
      inputs: [{ lotNumber: "C-1", quantity: 8 }],
    });
    const x = newId();
    const y = newId();
    const z = newId();
    await shipToCustomer(s, { customerId: x, customerName: "Xena", variantId: w.candle, lotId: c1.output.lotId, locationId: w.workshop, quantity: 2 });
    const yOrder = await shipToCustomer(s, {
      customerId: y,
      customerName: "Yuri",
      customerEmail: "yuri@example.com",
      variantId: w.giftBox,
      lotId: g1.output.lotId,
      locationId: w.workshop,
      quantity: 3,
    });
    await shipToCustomer(s, { customerId: z, customerName: "Zoe", variantId: w.wax, lotId: w.waxLot, locationId: w.workshop, quantity: 1 });

    const forward = await traceLot(s, { lotNumber: "WAX-7", direction: "forward" });
    expect(forward.lots.map((l) => [l.lotNumber, l.depth, l.shippedUnits, l.onHandUnits])).toEqual([
      ["WAX-7", 0, 1, 79],
      ["C-1", 1, 2, 0],
      ["G-1", 2, 3, 1],
    ]);
    expect(forward.edges.map((e) => [e.inputLotNumber, e.outputLotNumber, e.kind, e.quantity])).toEqual([
      ["WAX-7", "C-1", "ASSEMBLY", 20],
      ["C-1", "G-1", "KIT", 8],
    ]);
    expect(forward.customers!.map((c) => [c.name, c.units, c.orders.map((o) => o.lotNumber)])).toEqual([
      ["Xena", 2, ["C-1"]],
      ["Yuri", 3, ["G-1"]],
      ["Zoe", 1, ["WAX-7"]],
    ]);

    const backward = await traceLot(s, { lotNumber: "G-1", direction: "backward" });
    expect(backward.lots.map((l) => [l.lotNumber, l.depth, l.produced])).toEqual([
      ["G-1", 0, true],
      ["C-1", 1, true],
      ["WAX-7", 2, false],
      ["WICK-3", 2, false],
    ]);
    expect(backward.suppliers).toEqual([
      { supplier: "Wax Co", lots: [{ lotNumber: "WAX-7", supplierLot: "WC-991", purchaseOrder: "PO-12" }] },
      { supplier: "Wick Ltd", lots: [{ lotNumber: "WICK-3", supplierLot: null, purchaseOrder: null }] },
    ]);

    // The recall of the wax covers the lots made from it (not direct) and their customers.
    const recall = await lookupRecall(s, { lotNumber: "WAX-7" });
    expect(recall.lots.map((l) => [l.lotNumber, l.direct])).toEqual([
      ["WAX-7", true],
      ["C-1", false],
      ["G-1", false],
    ]);
    expect(recall.totals.customers).toBe(3);
    const directOnly = await lookupRecall(s, { lotNumber: "WAX-7", directOnly: true });
    expect(directOnly.customers.map((c) => c.name)).toEqual(["Zoe"]);

    // Backward from a customer (by email, any case) and from an order.
    const byEmail = await traceCustomer(s, { email: "YURI@example.com" });
    expect(byEmail.customerIds).toEqual([y]);
    expect(byEmail.lots.map((l) => [l.lotNumber, l.units])).toEqual([["G-1", 3]]);
    expect(byEmail.upstream.suppliers!.map((p) => p.supplier)).toEqual(["Wax Co", "Wick Ltd"]);
    const byId = await lotsForCustomer(s, { customerId: x });
    expect(byId.lots.map((l) => l.lotNumber)).toEqual(["C-1"]);
    const order = await lotsForOrder(s, yOrder.orderId);
    expect(order!.lines.map((l) => [l.lineItemId, l.allocations.map((a) => [a.lot, a.quantity, a.unknownLot])])).toEqual([
      [yOrder.lineItemId, [["G-1", 3, false]]],
    ]);
    expect(await lotsForOrder(s, 42n)).toBeNull();
    const fromOrder = await traceOrderBackward(s, yOrder.orderId);
    expect(fromOrder!.upstream.lots.map((l) => [l.lotNumber, l.depth])).toEqual([
      ["G-1", 0],
      ["C-1", 1],
      ["WAX-7", 2],
      ["WICK-3", 2],
    ]);
    expect(fromOrder!.upstream.suppliers!.map((p) => p.supplier)).toEqual(["Wax Co", "Wick Ltd"]);
    expect(await traceOrderBackward(s, 42n)).toBeNull();
  });

  it("is cycle-safe: a lot repacked into another and back ends the walk", async () => {
    const w = await candleWorkshop("trace-cycle");
    const s = w.shop.id;
    await produce(s, {
      kind: "REPACK",
      outputVariantId: w.wax,
      outputLotNumber: "WAX-7B",
      quantity: 10,
      locationId: w.workshop,
      inputs: [{ lotNumber: "WAX-7", quantity: 10 }],
    });
    // ... and repacked back into the original lot: WAX-7 -> WAX-7B -> WAX-7
    await produce(s, {
      kind: "REPACK",
      outputVariantId: w.wax,
      outputLotNumber: "WAX-7",
      quantity: 4,
      locationId: w.workshop,
      inputs: [{ lotNumber: "WAX-7B", quantity: 4 }],
    });
    await produce(s, {
      kind: "ASSEMBLY",
      outputVariantId: w.candle,
      outputLotNumber: "C-5",
      quantity: 2,
      locationId: w.workshop,
      inputs: [{ lotNumber: "WAX-7B", quantity: 2 }],
    });
    const forward = await traceLot(s, { lotNumber: "WAX-7", direction: "forward" });
    expect(forward.lots.map((l) => [l.lotNumber, l.depth])).toEqual([
      ["WAX-7", 0],
      ["WAX-7B", 1],
      ["C-5", 2],
    ]);
    expect(forward.edges).toHaveLength(3);
    const backward = await traceLot(s, { lotNumber: "C-5", direction: "backward" });
    expect(backward.lots.map((l) => [l.lotNumber, l.depth])).toEqual([
      ["C-5", 0],
      ["WAX-7B", 1],
      ["WAX-7", 2],
    ]);
    const recall = await lookupRecall(s, { lotNumber: "WAX-7B" });
    expect(recall.lots.map((l) => [l.lotNumber, l.direct]).sort()).toEqual([
      ["C-5", false],
      ["WAX-7", false],
      ["WAX-7B", true],
    ]);
  });

  it("CLI: lots produce and trace lot print JSON; bad input is a one-line error", async () => {
    const w = await candleWorkshop("trace-cli");
    const out = [
      await cliOutput([
        "lots",
        "produce",
        "--shop",
        w.shop.domain,
        "--kind",
        "assembly",
        "--output-variant",
        String(w.candle),
        "--output-lot",
        "C-2",
        "--quantity",
        "3",
        "--location",
        String(w.workshop),
        "--input",
        "WAX-7:6",
        "--input",
        `WICK-3@${w.wick}:3`,
      ]),
      await cliOutput(["trace", "lot", "--shop", w.shop.domain, "--lot", "WICK-3", "--direction", "forward"]),
    ];
    const produced = JSON.parse(out[0]!);
    expect(produced.output).toMatchObject({ lotNumber: "C-2", quantity: 3, variantId: String(w.candle) });
    const traced = JSON.parse(out[1]!);
    expect(traced.lots.map((l: { lotNumber: string }) => l.lotNumber)).toEqual(["WICK-3", "C-2"]);
    await expect(
      main([
        "lots",
        "produce",
        "--shop",
        w.shop.domain,
        "--kind",
        "bake",
        "--output-variant",
        "1",
        "--output-lot",
        "X",
        "--quantity",
        "1",
        "--location",
        "1",
        "--input",
        "WAX-7:1",
      ]),
    ).rejects.toThrow(/unknown production kind "bake"/);
    await expect(main(["trace", "lot", "--shop", w.shop.domain, "--lot", "WICK-3", "--direction", "sideways"])).rejects.toThrow(
      /--direction must be forward or backward/,
    );
    await expect(main(["trace", "lot", "--shop", "nobody.myshopify.com", "--lot", "WICK-3", "--direction", "forward"])).rejects.toThrow(
      /not known to this app/,
    );
  });
});
