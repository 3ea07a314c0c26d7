// The tenant. Every other table hangs off shops.id; a webhook or session names the shop by its
// domain, and this is where the domain becomes the id.
import type { Db } from "../../lib/sql.server";

/**
 * The one place a shop row is made. With `install` (Shopify's afterAuth: an install or a
 * re-install), the shop is marked installed with the granted scopes; its data survives a
 * re-install within the 48 hours before shop/redact. Otherwise the row is made on first sight and
 * an existing one is left as it is: an admin request (it holds a session) makes it installed; a
 * webhook (`seenBy: "webhook"`) makes it NOT installed, since Shopify can deliver before the first
 * admin visit and a delivery proves only that Shopify knows the domain, not that the app holds a
 * session for it, so a shop that never installed gets no reconciliation and no Shopify calls.
 */
export async function ensureShop(
  sql: Db,
  domain: string,
  how: { scopes: string | null } | { seenBy: "admin" | "webhook" } = { seenBy: "admin" },
): Promise<number> {
  if ("scopes" in how) {
    const installed = await sql.query<{ id: number }>(
      `insert into shops (domain, installed, scopes, updated_at) values ($1, true, $2, now())
       on conflict (domain) do update set installed = true, uninstalled_at = null, scopes = excluded.scopes, updated_at = now()
       returning id`,
      [domain, how.scopes],
    );
    return installed.rows[0]!.id;
  }
  const found = await findShopId(sql, domain);
  if (found !== undefined) return found;
  const created = await sql.query<{ id: number }>(
    `insert into shops (domain, installed, updated_at) values ($1, $2, now())
     on conflict (domain) do update set domain = excluded.domain returning id`,
    [domain, how.seenBy === "admin"],
  );
  return created.rows[0]!.id;
}

export async function findShopId(sql: Db, domain: string): Promise<number | undefined> {
  const found = await sql.query<{ id: number }>("select id from shops where domain = $1", [domain]);
  return found.rows[0]?.id;
}

/** The shop's domain (what Admin GraphQL and EPCIS URIs need), or undefined for an id with no shop. */
export async function findShopDomain(sql: Db, shopId: number): Promise<string | undefined> {
  const found = await sql.query<{ domain: string }>("select domain from shops where id = $1", [shopId]);
  return found.rows[0]?.domain;
}
