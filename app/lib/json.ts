// JSON for CLI output and API answers: Shopify ids and our BIGINT ids become strings ("4521"),
// dates stay ISO strings (JSON.stringify alone throws on bigint); and reading ids people type.
import { parseId } from "./ids";

export function stringify(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), indent);
}

/**
 * The id in text a person typed or a block sent: "4521" or "gid://shopify/<Type>/4521" (of `type`
 * only, when given), 1..2^63-1 (app/lib/ids.ts); null when it is neither. Callers word their own error.
 */
export function matchShopifyId(text: string, type?: string): bigint | null {
  const match = /^(?:gid:\/\/shopify\/([A-Za-z]+)\/)?(\d+)$/.exec(text);
  if (!match || (type !== undefined && match[1] !== undefined && match[1] !== type)) return null;
  return parseId(match[2]!);
}
