// Tests isolate by data: each test makes its own shop (unique domain) with a stored offline
// session, and cleans up only what it made.
import { randomBytes } from "node:crypto";
import { prisma } from "../../app/db.server";
import { DEFAULT_SCOPES } from "../../app/env.server";

export function uniqueShopDomain(label = "shop"): string {
  return `${label}-${randomBytes(5).toString("hex")}.myshopify.com`;
}

/**
 * A shop with a stored offline session holding every scope the app asks for (a session with fewer
 * scopes makes authenticate.admin ask the merchant to re-authorize).
 */
export async function createTestShop(label = "shop", settings: Record<string, unknown> = {}) {
  const domain = uniqueShopDomain(label);
  const shop = await prisma.shop.create({ data: { domain, ...settings } });
  await prisma.session.create({
    data: { id: `offline_${domain}`, shop: domain, state: "", isOnline: false, scope: process.env.SCOPES ?? DEFAULT_SCOPES, accessToken: "shpat_test_token" },
  });
  return shop;
}

export function uniqueQueuePrefix(): string {
  return `{lk-test-${randomBytes(4).toString("hex")}}`;
}
