// The allocation CLI verbs as an operator uses them: JSON out, one-line errors.
import { describe, expect, it } from "vitest";
import { main } from "../../app/cli/main";
import { createTestShop } from "../helpers/shops";
import { createLot, createVariant, newId } from "../helpers/factories";
import { balances, deliver, fulfilmentPayload, orderPayload } from "../helpers/allocation";
import { cliJson as run } from "../helpers/cli";

const LOC = 71230000001n;

describe("lotkeeper allocations / trace order", () => {
  it("lists the review queue, resolves an unknown-lot allocation with move, and traces the order", async () => {
    const shop = await createTestShop("alloc-cli");
    const variantId = await createVariant(shop.id);
    const known = await createLot(shop.id, { variantId, lotNumber: "K-1", quantity: 1, locationId: LOC });
    const orderId = newId();
    const lineItemId = newId();
    await deliver(shop.domain, "orders/create", orderPayload({ id: orderId, customerId: 55n, lines: [{ id: lineItemId, variantId, quantity: 3 }] }));
    await deliver(
      shop.domain,
      "fulfillments/create",
      fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines: [{ lineItemId, variantId, quantity: 3 }] }),
    );

    const queue = (await run(["allocations", "list", "--shop", shop.domain, "--unknown"])) as {
      items: { allocationId: string; quantity: number; reason: string }[];
      nextCursor: string | null;
    };
    expect(queue.items.map((i) => [i.quantity, i.reason])).toEqual([[2, "no-lot"]]);
    expect(queue.nextCursor).toBeNull();

    // The picker finds the lot later: it is received, then the unknown units are moved onto it.
    const late = await createLot(shop.id, { variantId, lotNumber: "LATE-7", quantity: 5, locationId: LOC });
    const moved = (await run([
      "allocations",
      "move",
      "--shop",
      shop.domain,
      "--allocation",
      queue.items[0]!.allocationId,
      "--lot",
      "LATE-7",
      "--quantity",
      "2",
    ])) as {
      moved: { lot: string; quantity: number; unknownLot: boolean };
    };
    expect(moved.moved).toMatchObject({ lot: "LATE-7", quantity: 2, unknownLot: false });
    expect(await balances(shop.id)).toEqual({ [`${known}@${LOC}`]: 0, [`${late}@${LOC}`]: 3 });

    const trace = (await run(["trace", "order", "--shop", shop.domain, "--order", String(orderId)])) as {
      customerId: string;
      lineItems: {
        lineItemId: string;
        quantity: number;
        allocations: { lot: string | null; quantity: number; returnedQuantity: number; locationId: string; unknownLot: boolean }[];
      }[];
    };
    expect(trace.customerId).toBe("55");
    expect(trace.lineItems).toHaveLength(1);
    expect(trace.lineItems[0]!.lineItemId).toBe(String(lineItemId));
    expect(trace.lineItems[0]!.allocations.map((a) => [a.lot, a.quantity, a.returnedQuantity, a.locationId, a.unknownLot])).toEqual([
      ["K-1", 1, 0, String(LOC), false],
      ["LATE-7", 2, 0, String(LOC), false],
    ]);
    expect(((await run(["allocations", "list", "--shop", shop.domain, "--unknown"])) as { items: unknown[] }).items).toEqual([]);
    const byOrder = (await run(["allocations", "list", "--shop", shop.domain, "--order", String(orderId)])) as {
      lot: string;
      quantity: number;
      lineItemId: string;
    }[];
    expect(byOrder.map((a) => [a.lot, a.quantity, a.lineItemId])).toEqual([
      ["K-1", 1, String(lineItemId)],
      ["LATE-7", 2, String(lineItemId)],
    ]);
    const onLate = byOrder.find((a) => a.lot === "LATE-7") as unknown as { allocationId: string };
    await expect(main(["allocations", "move", "--shop", shop.domain, "--allocation", onLate.allocationId, "--lot", "K-1", "--quantity", "3"])).rejects.toThrow(
      /cannot move 3 units .* holds 2 unit/,
    );
    await expect(main(["allocations", "move", "--shop", shop.domain, "--allocation", onLate.allocationId, "--lot", "NOPE"])).rejects.toThrow(
      /has no lot "NOPE"/,
    );
  });

  it("bad input is a clear error", async () => {
    const shop = await createTestShop("alloc-cli-bad");
    await expect(main(["trace", "order", "--shop", shop.domain, "--order", "12345"])).rejects.toThrow(/order 12345 is not known/);
    // A domain error (OrderNotFoundError) reaches the operator as a CLI error: one line, exit 1, no class name.
    await expect(main(["trace", "order", "--shop", shop.domain, "--order", "12345"])).rejects.toMatchObject({ name: "CliError", exitCode: 1 });
    await expect(main(["trace", "order", "--shop", shop.domain, "--order", "abc"])).rejects.toThrow(/--order must be a Shopify id/);
    await expect(main(["allocations", "move", "--shop", shop.domain, "--allocation", "999999999", "--lot", "X"])).rejects.toThrow(
      /allocation 999999999 does not exist/,
    );
    await expect(main(["allocations", "list", "--shop", shop.domain])).rejects.toThrow(/--unknown/);
    await expect(main(["allocations", "list", "--shop", "nobody-here.myshopify.com", "--unknown"])).rejects.toThrow(/not known to this app/);
  });
});
