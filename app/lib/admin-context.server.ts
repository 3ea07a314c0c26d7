// The one way an admin page or API route learns whose data it may touch: the shop comes from the
// verified session token (authenticate.admin), never from a parameter the client controls.
import { authenticate } from "../shopify.server";
import { withTransaction } from "./sql.server";
import { ensureShop } from "../domain/shops/shops.server";
import { addLogContext } from "./logger.server";
import { parseId } from "./ids";

export interface AdminContext {
  shop: string;
  shopId: number;
  admin: Awaited<ReturnType<typeof authenticate.admin>>["admin"];
  /** Adds the CORS headers an admin UI extension's cross-origin fetch needs (a no-op for the embedded app). */
  cors: Awaited<ReturnType<typeof authenticate.admin>>["cors"];
}

export async function adminContext(request: Request): Promise<AdminContext> {
  const { session, admin, cors } = await authenticate.admin(request);
  addLogContext({ shop: session.shop });
  const shopId = await withTransaction((sql) => ensureShop(sql, session.shop));
  return { shop: session.shop, shopId, admin, cors };
}

/** Parses a numeric id from a URL segment; anything else is a 404 (never a 500). */
export function idParam(value: string | undefined): bigint {
  const id = parseId(value);
  if (id === null) throw new Response("Not found", { status: 404 });
  return id;
}

/** What a value becomes on its way to the browser: bigint ids as strings, dates as ISO strings. */
export type Jsonified<T> = T extends bigint
  ? string
  : T extends Date
    ? string
    : T extends (infer U)[]
      ? Jsonified<U>[]
      : T extends object
        ? { [K in keyof T]: Jsonified<T[K]> }
        : T;

/** Loader data for the browser (JSON cannot carry bigint). */
export function forClient<T>(value: T): Jsonified<T> {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Jsonified<T>;
}
