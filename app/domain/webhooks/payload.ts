// Webhook payloads are parsed from the stored text so that integers beyond 2^53 (none today, but
// Shopify ids are 64-bit) come back exact, as bigint, instead of silently rounded numbers.
// Handlers read ids with shopifyId() (app/lib/json.ts), which takes number, bigint or string.
export function parsePayload(text: string): unknown {
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
    if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)) {
      return BigInt(context.source);
    }
    return value;
  });
}
