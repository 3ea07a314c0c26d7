// Who "a customer" is in a recall list, and how pages of customers are addressed.
//
// Customer key (recall_customers.customer_key, and the key of every list row):
//   - a Shopify customer:                          its id in digits, "7301188550001"
//   - a guest checkout with an email on the order: "email:" + the email in lower case
//   - a guest without email, or a redacted guest:  "order:" + the order id
// The key is defined once, in SQL: orders.customer_key is a generated column (migration
// 20261126120204_recall_customer_key), so every write of an order's customer snapshot recomputes
// it. Allocations carry customer_id and customer_key, copied from the order when the allocation is
// made and again whenever the order's snapshot changes (copyCustomerToAllocations: an order that
// arrives after its fulfilment, customers/redact). Customers with an id are paged straight from
// the index allocations(shop_id, lot_id, customer_id); guests (customer_id null) come after every
// customer with an id, ordered by key, from the partial index allocations_guest_key_idx
// (shop_id, lot_id, customer_key). A cursor says which phase it is in.
import { InvalidCursorError } from "./errors";
import { parseId } from "../../lib/ids";

export type CustomerCursor = { phase: "customer"; after: bigint } | { phase: "guest"; after: string };

export function encodeCursor(cursor: CustomerCursor): string {
  const raw = cursor.phase === "customer" ? `c:${cursor.after}` : `g:${cursor.after}`;
  return Buffer.from(raw, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string | null | undefined): CustomerCursor | null {
  if (cursor === null || cursor === undefined || cursor === "") return null;
  const raw = Buffer.from(cursor, "base64url").toString("utf8");
  const customer = /^c:(\d+)$/.exec(raw);
  if (customer) {
    const after = parseId(customer[1]);
    if (after === null) throw new InvalidCursorError(cursor);
    return { phase: "customer", after };
  }
  if (/^g:(\d+|email:.+|order:\d+)$/s.test(raw)) return { phase: "guest", after: raw.slice(2) };
  throw new InvalidCursorError(cursor);
}

/** "12" -> 12n; other keys are guests (null). */
export function customerIdOfKey(key: string): bigint | null {
  return /^\d+$/.test(key) ? BigInt(key) : null;
}
