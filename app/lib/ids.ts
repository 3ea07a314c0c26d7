// Ids as people, URLs and Shopify give them. Every id column (ours and Shopify's) is a Postgres
// BIGINT, so an id is a whole number from 1 to 2^63-1; anything else names no row. One place
// decides that (admin routes, the CLI, block requests and webhook payloads all ask here), so an
// id past the column's range is "not found" or "bad payload", never a database error (a 500).

/** The largest BIGINT: the largest id any table can hold. */
export const MAX_ID = 9_223_372_036_854_775_807n;

/** "4521" -> 4521n; null for anything that is not 1..2^63-1 written in plain digits. */
export function parseId(text: string | null | undefined): bigint | null {
  if (typeof text !== "string" || !/^\d{1,19}$/.test(text)) return null;
  const id = BigInt(text);
  return id >= 1n && id <= MAX_ID ? id : null;
}

/** An id that is already a number or bigint (a parsed payload); null when out of range or not whole. */
export function idFromValue(value: unknown): bigint | null {
  if (typeof value === "bigint") return value >= 1n && value <= MAX_ID ? value : null;
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 1 ? BigInt(value) : null;
  if (typeof value === "string") return parseId(value);
  return null;
}
