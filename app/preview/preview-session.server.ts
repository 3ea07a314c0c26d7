// The preview shop's stored offline session: with it, authenticate.admin finds a session and
// never attempts token exchange (a call to Shopify). The access token is a placeholder that only
// the Shopify simulator accepts.
import { DEFAULT_SCOPES } from "../env.server";
import { prisma } from "../db.server";
import { withTransaction } from "../lib/sql.server";
import { ensureShop } from "../domain/shops/shops.server";

import { DEMO_SHOP, PREVIEW_ACCESS_TOKEN, PREVIEW_SHOP } from "./preview-constants";
import { pool } from "../db.server";

export { PREVIEW_SHOP } from "./preview-constants";

export async function ensurePreviewSession(shop: string): Promise<number> {
  const id = `offline_${shop}`;
  const data = { shop, state: "preview", isOnline: false, scope: process.env.SCOPES ?? DEFAULT_SCOPES, expires: null, accessToken: PREVIEW_ACCESS_TOKEN };
  await prisma.session.upsert({ where: { id }, create: { id, ...data }, update: data });
  return withTransaction((sql) => ensureShop(sql, shop));
}

/** The demo's store when `npm run demo` has built one (so the preview shows its data), else the preview shop. */
export async function defaultPreviewShop(): Promise<string> {
  const demo = await pool().query("select 1 from shops where domain = $1", [DEMO_SHOP]);
  return demo.rowCount ? DEMO_SHOP : PREVIEW_SHOP;
}
