// Webhook payloads: read from the stored text, then through a zod schema of the part a handler
// keeps. These are the pieces the payload modules of each context share (allocation, catalog,
// orders, privacy, reconcile): one reader, one id, one quantity.
// See docs/decisions/083-shopify-sample-payloads-and-big-ids.md.
import { z } from "zod";
import { InvalidPayloadError } from "./handler";
import { idFromValue, MAX_ID } from "../../lib/ids";

/**
 * The payload of a stored body. Shopify's ids are 64-bit and its own samples carry 18-digit ones
 * (271878346596884015): JSON.parse would round them to the nearest double (…884000), a different
 * item. Integers beyond 2^53 come back exact, as bigint, read from their source text (the
 * reviver's `context.source`, Node 22+). Every other value is what JSON.parse gives.
 */
export function parsePayload(text: string): unknown {
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
    if (typeof value === "number" && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)) {
      return BigInt(context.source);
    }
    return value;
  });
}

/**
 * The most units one payload line may carry. Far above any real order line, far below what a
 * Postgres integer holds (2,147,483,647) and below a lot's own limit (lot-rules MAX_QUANTITY):
 * a line of 1e9 or 3e9 units is a broken or hostile payload, refused at once rather than summed.
 */
export const MAX_PAYLOAD_QUANTITY = 100_000_000;

/**
 * A Shopify id as a REST payload gives it: a whole number (bigint beyond 2^53), a string of
 * digits, or a gid ("gid://shopify/Order/450789469"), from 1 to 2^63-1 (what a BIGINT column
 * holds). Anything else is refused with the reason, never passed on to fail in the database.
 */
export const payloadId = z.union([z.number(), z.bigint(), z.string()]).transform((v, ctx) => {
  const digits = typeof v === "string" ? /^(?:gid:\/\/shopify\/[A-Za-z]+\/)?(\d+)$/.exec(v)?.[1] : v;
  const id = digits === undefined ? null : idFromValue(digits);
  if (id === null) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `is not a Shopify id (a whole number from 1 to ${MAX_ID}): ${String(v).slice(0, 40)}` });
    return z.NEVER;
  }
  return id;
});
/** An id that may be null or absent (null then). */
export const optionalPayloadId = z.union([payloadId, z.null(), z.undefined()]).transform((v) => v ?? null);
/** A count of units: a whole number from 0 to MAX_PAYLOAD_QUANTITY. */
export const payloadQuantity = z.union([z.number(), z.bigint()]).transform((v, ctx) => {
  const n = typeof v === "bigint" ? Number.NaN : v;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAYLOAD_QUANTITY) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `is not a plausible quantity (a whole number from 0 to ${MAX_PAYLOAD_QUANTITY}): ${String(v).slice(0, 40)}`,
    });
    return z.NEVER;
  }
  return n;
});
/** Text; empty, blank, null or absent is null. */
export const payloadText = z
  .string()
  .nullish()
  .transform((v) => (v && v.trim() !== "" ? v : null));

/**
 * The payload read through `schema`. One that does not fit is an InvalidPayloadError naming the
 * first problem: "not <what> payload: <path> <problem>" (`what` with its article: "an order").
 */
export function parsePayloadAs<T extends z.ZodTypeAny>(schema: T, payload: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new InvalidPayloadError(`not ${what} payload: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

/** "line_items.0.quantity is not a plausible quantity …": the first problem of a failed parse. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join(".") || "(root)"} ${issue.message}`;
}
