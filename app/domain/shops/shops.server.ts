// The tenant. Every other table hangs off shops.id; a webhook or session names the shop by its
// domain, and this is where the domain becomes the id.
import type { Sql } from "../../lib/sql.server";

/** The shop's id, creating the row on first sight (webhooks can arrive before afterAuth ran). */
export async function ensureShop(sql: Sql, domain: string): Promise<number> {
  const found = await sql.query<{ id: number }>("select id from shops where domain = $1", [domain]);
  if (found.rows[0]) return found.rows[0].id;
  const created = await sql.query<{ id: number }>(
    `insert into shops (domain, updated_at) values ($1, now())
     on conflict (domain) do update set domain = excluded.domain returning id`,
    [domain],
  );
  return created.rows[0]!.id;
}

/**
 * The id of the shop a webhook names, creating the row on first sight as NOT installed: Shopify
 * can deliver before the first admin visit, and a delivery proves only that Shopify knows the
 * domain, not that the app holds a session for it. Only installing (afterAuth in
 * app/shopify.server.ts) marks a shop installed, so a shop that never installed gets no
 * reconciliation, no Shopify calls, and stays erasable by shop/redact.
 */
export async function ensureShopSeenByWebhook(sql: Sql, domain: string): Promise<number> {
  const found = await findShopId(sql, domain);
  if (found !== undefined) return found;
  const created = await sql.query<{ id: number }>(
    `insert into shops (domain, installed, updated_at) values ($1, false, now())
     on conflict (domain) do update set domain = excluded.domain returning id`,
    [domain],
  );
  return created.rows[0]!.id;
}

export async function findShopId(sql: Pick<Sql, "query">, domain: string): Promise<number | undefined> {
  const found = await sql.query<{ id: number }>("select id from shops where domain = $1", [domain]);
  return found.rows[0]?.id;
}

/** The shop's domain (what Admin GraphQL and EPCIS URIs need), or undefined for an id with no shop. */
export async function findShopDomain(sql: Pick<Sql, "query">, shopId: number): Promise<string | undefined> {
  const found = await sql.query<{ domain: string }>("select domain from shops where id = $1", [shopId]);
  return found.rows[0]?.domain;
}
