// The one way an admin page or API route learns whose data it may touch: the shop comes from the
// verified session token (authenticate.admin), never from a parameter the client controls.
import { authenticate } from "../shopify.server";
import { withTransaction } from "./sql.server";
import { ensureShop } from "../domain/shops/shops.server";

export interface AdminContext {
  shop: string;
  shopId: number;
  admin: Awaited<ReturnType<typeof authenticate.admin>>["admin"];
}

export async function adminContext(request: Request): Promise<AdminContext> {
  const { session, admin } = await authenticate.admin(request);
  const shopId = await withTransaction((sql) => ensureShop(sql, session.shop));
  return { shop: session.shop, shopId, admin };
}

/** Parses a numeric id from a URL segment; anything else is a 404 (never a 500). */
export function idParam(value: string | undefined): bigint {
  if (!value || !/^\d{1,19}$/.test(value)) throw new Response("Not found", { status: 404 });
  return BigInt(value);
}
