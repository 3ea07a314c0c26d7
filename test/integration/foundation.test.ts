import { describe, expect, it } from "vitest";
import { prisma, pool } from "../../app/db.server";
import { createTestShop } from "../helpers/shops";
import { runDoctor } from "../../app/lib/doctor.server";

describe("foundation", () => {
  it("runs against a migrated database of its own, with Node 24", async () => {
    expect(process.version.startsWith("v24")).toBe(true);
    expect(new URL(process.env.DATABASE_URL!).pathname).toMatch(/^\/lotkeeper_test_/);
    const shop = await createTestShop("foundation");
    expect(shop.allocationStrategy).toBe("FEFO");
  });

  it("refuses a negative lot balance at the database level", async () => {
    const shop = await createTestShop("checks");
    await prisma.variant.create({ data: { shopId: shop.id, id: 1n } });
    const lot = await prisma.lot.create({ data: { shopId: shop.id, variantId: 1n, lotNumber: "L1" } });
    await expect(
      pool().query("insert into lot_balances (lot_id, location_id, shop_id, variant_id, quantity, updated_at) values ($1, 1, $2, 1, -1, now())", [
        lot.id,
        shop.id,
      ]),
    ).rejects.toThrow(/lot_balances_quantity_nonnegative/);
  });

  it("doctor reports every service healthy and all migrations applied", async () => {
    const report = await runDoctor();
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ["config", true],
      ["postgres", true],
      ["migrations", true],
      ["redis", true],
    ]);
  });
});
