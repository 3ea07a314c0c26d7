// `--shop <domain>` of CLI commands: the shop's id, or a clear error when the app has never seen
// that shop (it is not created here: a typo must not make an empty tenant).
import { pool } from "../db.server";
import { matchShopifyId } from "../lib/json";
import { findShopId } from "../domain/shops/shops.server";
import { CliError, requireString, UsageError, type ParsedArgs } from "./command";

/** --shop as a lower-case shop domain (not looked up: for what is kept by domain, like webhook events). */
export function requireShopDomain(args: ParsedArgs): string {
  const domain = requireString(args, "shop").toLowerCase();
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(domain)) {
    throw new UsageError(`--shop must be a shop domain like my-store.myshopify.com, got "${domain}"`);
  }
  return domain;
}

export async function requireShopId(args: ParsedArgs): Promise<number> {
  const domain = requireShopDomain(args);
  const id = await findShopId(pool(), domain);
  if (id === undefined) throw new CliError(`shop ${domain} is not known to this app: install the app on it first`);
  return id;
}

/** A Shopify id option (digits or a gid), or undefined when absent. */
export function optionalShopifyId(args: ParsedArgs, name: string): bigint | undefined {
  const value = args.values[name];
  if (value === undefined || value === true || value === false) return undefined;
  const text = String(value).trim();
  const id = matchShopifyId(text);
  if (id === null) throw new UsageError(`--${name} must be a Shopify id (digits), got "${text}"`);
  return id;
}

export function requireShopifyId(args: ParsedArgs, name: string): bigint {
  const id = optionalShopifyId(args, name);
  if (id === undefined) throw new UsageError(`--${name} is required`);
  return id;
}
