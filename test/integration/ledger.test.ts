import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import { InsufficientStockError, moveLotUnits } from "../../app/domain/ledger/ledger.server";
import { createTestShop } from "../helpers/shops";

describe("moveLotUnits", () => {
  it("changes the balance and appends one ledger entry per movement with the balance after", async () => {
    const shop = await createTestShop("ledger");
    await prisma.variant.create({ data: { shopId: shop.id, id: 7n } });
    const lot = await prisma.lot.create({ data: { shopId: shop.id, variantId: 7n, lotNumber: "A1" } });
    const after = await withTransaction((sql) =>
      moveLotUnits(sql, [
        { shopId: shop.id, lotId: lot.id, locationId: 9n, delta: 10, kind: "RECEIVED", cause: "USER" },
        { shopId: shop.id, lotId: lot.id, locationId: 9n, delta: -3, kind: "ADJUSTED", cause: "USER", reason: "damaged" },
      ]),
    );
    expect(after).toEqual([10, 7]);
    const ledger = await prisma.ledgerEntry.findMany({ where: { lotId: lot.id }, orderBy: { id: "asc" } });
    expect(ledger.map((e) => [e.kind, e.delta, e.balanceAfter])).toEqual([
      ["RECEIVED", 10, 10],
      ["ADJUSTED", -3, 7],
    ]);
  });

  it("refuses to take more than the lot holds and changes nothing", async () => {
    const shop = await createTestShop("ledger-neg");
    await prisma.variant.create({ data: { shopId: shop.id, id: 7n } });
    const lot = await prisma.lot.create({ data: { shopId: shop.id, variantId: 7n, lotNumber: "A1" } });
    await withTransaction((sql) => moveLotUnits(sql, [{ shopId: shop.id, lotId: lot.id, locationId: 9n, delta: 2, kind: "RECEIVED", cause: "USER" }]));
    await expect(
      withTransaction((sql) => moveLotUnits(sql, [{ shopId: shop.id, lotId: lot.id, locationId: 9n, delta: -5, kind: "ADJUSTED", cause: "USER" }])),
    ).rejects.toBeInstanceOf(InsufficientStockError);
    const balance = await prisma.lotBalance.findFirstOrThrow({ where: { lotId: lot.id } });
    expect(balance.quantity).toBe(2);
    expect(await prisma.ledgerEntry.count({ where: { lotId: lot.id } })).toBe(1);
  });

  it("never touches another shop's lot", async () => {
    const a = await createTestShop("ledger-a");
    const b = await createTestShop("ledger-b");
    await prisma.variant.create({ data: { shopId: a.id, id: 7n } });
    const lot = await prisma.lot.create({ data: { shopId: a.id, variantId: 7n, lotNumber: "A1" } });
    await expect(
      withTransaction((sql) => moveLotUnits(sql, [{ shopId: b.id, lotId: lot.id, locationId: 9n, delta: 5, kind: "RECEIVED", cause: "USER" }])),
    ).rejects.toThrow(/does not belong/);
    expect(await prisma.lotBalance.count({ where: { lotId: lot.id } })).toBe(0);
  });
});
