// What Lotkeeper keeps of an orders/* payload (app/domain/orders/order-snapshot.ts).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { orderSnapshot } from "../../app/domain/orders/order-snapshot";
import { packageSample, sampleVersions } from "../helpers/shopify-samples";
import { InvalidPayloadError } from "../../app/domain/webhooks/handler";

const fixture = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "..", "fixtures", "webhooks", "orders-create.json"), "utf8")) as Record<
  string,
  unknown
>;

describe("orderSnapshot", () => {
  it("takes the order, its lines and the customer snapshot from a real payload", () => {
    const order = orderSnapshot(fixture);
    expect(order).toMatchObject({
      id: 5821378420001n,
      name: "#1042",
      customerId: 7301188550001n,
      customerName: "Maria Lopez",
      customerEmail: "maria.lopez@example.com",
      customerPhone: "+15035550142",
      cancelledAt: null,
      updatedAt: new Date("2026-11-20T10:14:05-05:00"),
    });
    expect(order.shippingAddress).toMatchObject({ city: "Portland" });
    expect(order.lines.map((l) => [l.id, l.variantId, l.quantity])).toEqual([
      [14220001110001n, 46120033440001n, 2],
      [14220001110002n, 46120033440002n, 1],
    ]);
  });

  it("falls back to the order's email and the shipping name for a guest checkout", () => {
    const order = orderSnapshot({ id: 5, email: "guest@example.com", customer: null, shipping_address: { name: "Gus Guest", phone: "+1555" }, line_items: [] });
    expect(order).toMatchObject({ customerId: null, customerName: "Gus Guest", customerEmail: "guest@example.com", customerPhone: "+1555" });
  });

  it("keeps ids beyond 2^53 exact", () => {
    expect(orderSnapshot({ id: 9007199254740993n, line_items: [{ id: "9007199254740995", quantity: 1 }] })).toMatchObject({
      id: 9007199254740993n,
      lines: [{ id: 9007199254740995n }],
    });
  });

  it.each([
    [{}, /id/],
    [{ id: "abc" }, /id/],
    [{ id: 1, line_items: [{ id: 2, quantity: -1 }] }, /line_items\.0\.quantity/],
    [{ id: 1, updated_at: "not a date" }, /updated_at/],
    ["text", /root/],
  ])("refuses %j as never processable", (payload, message) => {
    expect(() => orderSnapshot(payload)).toThrow(InvalidPayloadError);
    expect(() => orderSnapshot(payload)).toThrow(message);
  });

  it("reads current_quantity, the `_lot` line property and the order's location_id as Shopify's samples carry them", () => {
    const version = sampleVersions().at(-1)!;
    for (const topic of ["orders/create", "orders/updated", "orders/cancelled"]) {
      const sample = packageSample(version, topic)!;
      const line = (sample.line_items as Record<string, unknown>[])[0]!;
      // The sample's own shape: current_quantity a number, properties a [{name, value}] list.
      expect(typeof line.current_quantity).toBe("number");
      expect(Array.isArray(line.properties)).toBe(true);
      const withLot = { ...sample, location_id: 655441491, line_items: [{ ...line, current_quantity: 0, properties: [{ name: "_lot", value: " L123 " }] }] };
      expect(orderSnapshot(withLot)).toMatchObject({ locationId: 655441491n, lines: [{ currentQuantity: 0, lotProperty: "L123" }] });
      expect(orderSnapshot(sample).lines[0]).toMatchObject({ currentQuantity: line.current_quantity, lotProperty: null });
    }
  });

  it("ignores other and blank properties", () => {
    const line = {
      id: 1,
      quantity: 2,
      properties: [
        { name: "gift", value: "yes" },
        { name: "_lot", value: "  " },
      ],
    };
    expect(orderSnapshot({ id: 5, line_items: [line] }).lines[0]).toMatchObject({ lotProperty: null, currentQuantity: null });
  });
});
