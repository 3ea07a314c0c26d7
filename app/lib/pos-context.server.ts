// How a POS UI extension's request learns whose data it may touch. POS adds the ID token (an
// OpenID Connect token signed with the app's secret, `dest` = the shop) to every fetch to the app's
// URL; authenticate.public.pos verifies it (and answers the CORS preflight itself). The shop comes
// from the verified token only, never from a parameter, as in adminContext.
import { authenticate } from "../shopify.server";
import { withTransaction } from "./sql.server";
import { ensureShop } from "../domain/shops/shops.server";
import { addLogContext } from "./logger.server";

export interface PosContext {
  shop: string;
  shopId: number;
  /** Adds the CORS headers the POS extension's cross-origin fetch needs. */
  cors: Awaited<ReturnType<typeof authenticate.public.pos>>["cors"];
}

export async function posContext(request: Request): Promise<PosContext> {
  const { sessionToken, cors } = await authenticate.public.pos(request);
  const shop = new URL(sessionToken.dest).hostname;
  addLogContext({ shop });
  const shopId = await withTransaction((sql) => ensureShop(sql, shop));
  return { shop, shopId, cors };
}
