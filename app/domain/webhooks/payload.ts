// Webhook payloads: read from the stored text, then through a zod schema of the part a handler
// keeps. These are the pieces the payload modules of each context share (catalog, orders, privacy).
import { z } from "zod";
import { InvalidPayloadError } from "./handler";

// Payloads are parsed from the stored text so that integers beyond 2^53 (none today, but
// Shopify ids are 64-bit) come back exact, as bigint, instead of silently rounded numbers.
// Handlers read ids through `payloadId` below, which takes number, bigint or string.
export function parsePayload(text: string): unknown {
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
    if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)) {
      return BigInt(context.source);
    }
    return value;
  });
}

/** A Shopify id as a REST payload gives it: a positive number, bigint or string of digits. */
export const payloadId = z.union([z.number().int().positive(), z.bigint().positive(), z.string().regex(/^\d+$/)]).transform((v) => BigInt(v));
/** An id that may be null or absent (null then). */
export const optionalPayloadId = z.union([payloadId, z.null(), z.undefined()]).transform((v) => v ?? null);
/** Text; empty, blank, null or absent is null. */
export const payloadText = z.string().nullish().transform((v) => (v && v.trim() !== "" ? v : null));

/**
 * The payload read through `schema`. One that does not fit is an InvalidPayloadError naming the
 * first problem: "not <what> payload: <path> <problem>" (`what` with its article: "an order").
 */
export function parsePayloadAs<T extends z.ZodTypeAny>(schema: T, payload: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidPayloadError(`not ${what} payload: ${issue.path.join(".") || "(root)"} ${issue.message}`);
  }
  return parsed.data;
}
