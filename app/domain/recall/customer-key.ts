// Who "a customer" is in a recall list, and how pages of customers are addressed.
//
// Customer key (recall_customers.customer_key, and the key of every list row):
//   - a Shopify customer:                          its id in digits, "7301188550001"
//   - a guest checkout with an email on the order: "email:" + the email in lower case
//   - a guest without email, or a redacted guest:  "order:" + the order id
// Allocations carry customer_id (denormalised from the order) so customers with an id are paged
// straight from the index allocations(shop_id, lot_id, customer_id). Guests (customer_id null)
// come after every customer with an id, ordered by their key. A cursor says which phase it is in.
import { InvalidCursorError } from "./errors";

export type CustomerCursor = { phase: "customer"; after: bigint } | { phase: "guest"; after: string };

export function encodeCursor(cursor: CustomerCursor): string {
  const raw = cursor.phase === "customer" ? `c:${cursor.after}` : `g:${cursor.after}`;
  return Buffer.from(raw, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string | null | undefined): CustomerCursor | null {
  if (cursor === null || cursor === undefined || cursor === "") return null;
  const raw = Buffer.from(cursor, "base64url").toString("utf8");
  if (/^c:\d{1,19}$/.test(raw)) return { phase: "customer", after: BigInt(raw.slice(2)) };
  if (/^g:(\d+|email:.+|order:\d+)$/s.test(raw)) return { phase: "guest", after: raw.slice(2) };
  throw new InvalidCursorError(cursor);
}

/**
 * SQL expression of the customer key for an allocation `a` joined (left) to its order `o`.
 * Used only for allocations without customer_id (guests, or a fulfilment whose order has not
 * been linked yet).
 */
export const GUEST_KEY_SQL = `(case
  when a.customer_id is not null then a.customer_id::text
  when o.customer_id is not null then o.customer_id::text
  when not coalesce(o.redacted, false) and coalesce(o.customer_email, o.email) is not null
    then 'email:' || lower(coalesce(o.customer_email, o.email))
  else 'order:' || a.order_id::text end)`;

/** "12" -> 12n; other keys are guests (null). */
export function customerIdOfKey(key: string): bigint | null {
  return /^\d+$/.test(key) ? BigInt(key) : null;
}
