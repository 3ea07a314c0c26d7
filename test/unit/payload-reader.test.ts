// The one reader of webhook payloads and ids (app/domain/webhooks/payload.ts, app/lib/ids.ts):
// ids exact beyond 2^53 and refused past what a BIGINT holds, quantities whole and plausible.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_PAYLOAD_QUANTITY, parsePayload, parsePayloadAs, payloadId, payloadQuantity } from "../../app/domain/webhooks/payload";
import { InvalidPayloadError } from "../../app/domain/webhooks/handler";
import { idFromValue, MAX_ID, parseId } from "../../app/lib/ids";
import { jsonDepthOver, MAX_JSON_DEPTH } from "../../app/domain/webhooks/verify";
import { matchShopifyId } from "../../app/lib/json";

describe("parsePayload", () => {
  it("keeps integers beyond 2^53 exact, as bigint, from their source text", () => {
    const p = parsePayload('{"inventory_item_id":271878346596884015,"location_id":24826418,"n":[9223372036854775807,-9007199254740993]}') as Record<
      string,
      unknown
    >;
    expect(p.inventory_item_id).toBe(271878346596884015n);
    expect(p.location_id).toBe(24826418);
    expect(p.n).toEqual([9223372036854775807n, -9007199254740993n]);
    // JSON.parse alone gives another item:
    expect(String((JSON.parse('{"a":271878346596884015}') as { a: number }).a)).toBe("271878346596884000");
  });

  it("leaves fractions and exponents as numbers (a quantity of 1e9 or 1.5 is then refused by payloadQuantity)", () => {
    expect(parsePayload('{"a":1e9,"b":1.5,"c":3e30}')).toEqual({ a: 1e9, b: 1.5, c: 3e30 });
  });
});

describe("payloadId", () => {
  const read = (v: unknown) => payloadId.safeParse(v);
  it("takes numbers, bigints, digit strings and gids from 1 to 2^63-1", () => {
    expect(read(42).data).toBe(42n);
    expect(read(271878346596884015n).data).toBe(271878346596884015n);
    expect(read("9223372036854775807").data).toBe(MAX_ID);
    expect(read("gid://shopify/Order/820982911946154508").data).toBe(820982911946154508n);
  });
  it("refuses ids past a BIGINT, zero, negatives, fractions, unsafe doubles and text", () => {
    for (const bad of [9223372036854775808n, "9223372036854775808", "99999999999999999999999", 0, -5, 1.5, 2 ** 60, "12a", "", null, true]) {
      expect(read(bad).success, String(bad)).toBe(false);
    }
  });
  it("names the field and the value in the InvalidPayloadError", () => {
    const schema = z.object({ line_items: z.array(z.object({ id: payloadId })) });
    expect(() => parsePayloadAs(schema, { line_items: [{ id: 9223372036854775808n }] }, "an order")).toThrow(InvalidPayloadError);
    expect(() => parsePayloadAs(schema, { line_items: [{ id: 9223372036854775808n }] }, "an order")).toThrow(
      "not an order payload: line_items.0.id is not a Shopify id (a whole number from 1 to 9223372036854775807): 9223372036854775808",
    );
  });
});

describe("payloadQuantity", () => {
  it(`takes whole numbers from 0 to ${MAX_PAYLOAD_QUANTITY}`, () => {
    for (const ok of [0, 1, 250, MAX_PAYLOAD_QUANTITY]) expect(payloadQuantity.parse(ok)).toBe(ok);
  });
  it("refuses 1e9, 3e9, negatives, fractions, bigints and text", () => {
    for (const bad of [1e9, 3e9, MAX_PAYLOAD_QUANTITY + 1, -1, 1.5, Number.NaN, Infinity, 5n, "3", null]) {
      expect(payloadQuantity.safeParse(bad).success, String(bad)).toBe(false);
    }
    expect(payloadQuantity.safeParse(3e9).error?.issues[0]?.message).toBe("is not a plausible quantity (a whole number from 0 to 100000000): 3000000000");
  });
});

describe("parseId", () => {
  it("reads 1..2^63-1 in plain digits", () => {
    expect(parseId("1")).toBe(1n);
    expect(parseId("0042")).toBe(42n);
    expect(parseId("9223372036854775807")).toBe(MAX_ID);
  });
  it("is null for anything a BIGINT column cannot hold or that is not digits", () => {
    for (const bad of ["9223372036854775808", "9999999999999999999", "99999999999999999999", "0", "-1", "1.0", "1e3", " 1", "", null, undefined]) {
      expect(parseId(bad), String(bad)).toBeNull();
    }
  });
  it("is the rule behind idFromValue and matchShopifyId too", () => {
    expect(idFromValue(9223372036854775808n)).toBeNull();
    expect(idFromValue(2 ** 60)).toBeNull();
    expect(idFromValue(7)).toBe(7n);
    expect(matchShopifyId("gid://shopify/ProductVariant/9223372036854775808")).toBeNull();
    expect(matchShopifyId("gid://shopify/ProductVariant/642667041472713922", "ProductVariant")).toBe(642667041472713922n);
  });
});

describe("jsonDepthOver", () => {
  it(`refuses bodies nested deeper than ${MAX_JSON_DEPTH}, not counting brackets inside strings`, () => {
    expect(jsonDepthOver("[".repeat(300_000) + "]".repeat(300_000), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthOver(`{"a":${"[".repeat(MAX_JSON_DEPTH - 1)}${"]".repeat(MAX_JSON_DEPTH - 1)}}`, MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthOver(`{"a":${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}}`, MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthOver(JSON.stringify({ note: "[".repeat(500), q: '\\"[[[' }), MAX_JSON_DEPTH)).toBe(false);
  });
});
