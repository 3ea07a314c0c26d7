// The one place a shop row is made (app/domain/shops/shops.server.ts ensureShop): on first sight
// (an admin request, a webhook before afterAuth) and at install (Shopify's afterAuth, with scopes).
import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import { ensureShop } from "../../app/domain/shops/shops.server";
import { uniqueShopDomain } from "../helpers/shops";

const shopRow = (domain: string) => prisma.shop.findUniqueOrThrow({ where: { domain } });

describe("ensureShop", () => {
  it("makes the shop once on first sight, the same id every time after, concurrent callers included", async () => {
    const domain = uniqueShopDomain("first-sight");
    const ids = await Promise.all(Array.from({ length: 8 }, () => withTransaction((sql) => ensureShop(sql, domain))));
    expect(new Set(ids).size).toBe(1);
    expect(await prisma.shop.count({ where: { domain } })).toBe(1);
    expect(await shopRow(domain)).toMatchObject({ id: ids[0], installed: true, scopes: null });
  });

  it("an install records the scopes; a re-install after uninstall marks it installed again and keeps its id and settings", async () => {
    const domain = uniqueShopDomain("reinstall");
    const id = await withTransaction((sql) => ensureShop(sql, domain, { scopes: "read_orders" }));
    expect(await shopRow(domain)).toMatchObject({ id, installed: true, scopes: "read_orders", uninstalledAt: null });

    await prisma.shop.update({ where: { id }, data: { installed: false, uninstalledAt: new Date(), minShelfLifeDays: 30 } });
    // A webhook or admin request while uninstalled leaves the shop as it is.
    expect(await withTransaction((sql) => ensureShop(sql, domain))).toBe(id);
    expect(await shopRow(domain)).toMatchObject({ installed: false, minShelfLifeDays: 30 });

    expect(await withTransaction((sql) => ensureShop(sql, domain, { scopes: "read_orders,write_inventory" }))).toBe(id);
    expect(await shopRow(domain)).toMatchObject({ id, installed: true, uninstalledAt: null, scopes: "read_orders,write_inventory", minShelfLifeDays: 30 });
  });

  it("an install of one shop changes no other shop", async () => {
    const [a, b] = [uniqueShopDomain("a"), uniqueShopDomain("b")];
    await withTransaction((sql) => ensureShop(sql, b, { scopes: "read_orders" }));
    await prisma.shop.update({ where: { domain: b }, data: { installed: false, uninstalledAt: new Date() } });
    await withTransaction((sql) => ensureShop(sql, a, { scopes: "write_inventory" }));
    expect(await shopRow(b)).toMatchObject({ installed: false, scopes: "read_orders" });
  });
});
