// The preview shop's stored offline session: with it, authenticate.admin finds a session and
// never attempts token exchange (a call to Shopify). The access token is a placeholder that only
// the Shopify simulator accepts. A session holding anything else is a real installation's and is
// never replaced (docs/decisions/090-preview-isolation.md).
import { DEFAULT_SCOPES } from "../env.server";
import { withTransaction } from "../lib/sql.server";
import { ensureShop } from "../domain/shops/shops.server";
import { PreviewRefusedError } from "./guard";
import { PREVIEW_ACCESS_TOKEN } from "./preview-constants";

export { PREVIEW_SHOP } from "./preview-constants";

/** Stores (or refreshes) the preview session of `shop`; PreviewRefusedError when the stored one is real. */
export async function ensurePreviewSession(shop: string): Promise<number> {
  const id = `offline_${shop}`;
  return withTransaction(async (sql) => {
    // One statement: a real session stored meanwhile is never overwritten (the update's where).
    const written = await sql.query(
      `insert into "Session" (id, shop, state, "isOnline", scope, expires, "accessToken")
       values ($1, $2, 'preview', false, $3, null, $4)
       on conflict (id) do update set shop = excluded.shop, state = excluded.state, "isOnline" = false, scope = excluded.scope,
              expires = null, "accessToken" = excluded."accessToken"
        where "Session"."accessToken" = excluded."accessToken"
       returning id`,
      [id, shop, process.env.SCOPES ?? DEFAULT_SCOPES, PREVIEW_ACCESS_TOKEN],
    );
    if (written.rowCount !== 1) {
      throw new PreviewRefusedError(
        `Refusing to start the preview for ${shop}: its stored session ${id} holds a real access token; the preview never replaces it. Use another --shop.`,
      );
    }
    // The preview's session is its installation (afterAuth never runs here): it marks the shop
    // installed as afterAuth would, also a row a webhook created first (not installed).
    return ensureShop(sql, shop, { scopes: process.env.SCOPES ?? DEFAULT_SCOPES });
  });
}
