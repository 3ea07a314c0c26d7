// Guests (no Shopify customer id) in a recall's customer list, paged from the customer key the
// allocations carry (allocations.customer_key, copied from orders.customer_key): every guest once
// across pages, in key order after the customers with an id, through what the webhook pipeline
// records: a fulfilment that arrives before its order (listed by order, then by the order's
// email once it arrives, or with the customer id it brings), and customers/redact of a guest
// (listed by order from then on, still with its units, marked redacted).
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { findLotsByNumber, listLotCustomers, lookupRecall, type RecallCustomer } from "../../app/domain/recall/recall-lookup.server";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { deliver, eventStatus, fulfilmentPayload, orderPayload } from "../helpers/allocation";

/** A guest checkout (no customer) with this email, as orders/create delivers it. */
function guestOrderPayload(attrs: { id: bigint; email: string; lines: { id: bigint; variantId: bigint; quantity: number }[] }) {
  return { ...orderPayload({ id: attrs.id, customerId: null, lines: attrs.lines }), email: attrs.email, contact_email: attrs.email };
}

async function allPages(shopId: number, lotNumber: string, limit: number): Promise<{ customers: RecallCustomer[] }> {
  const lots = await findLotsByNumber(pool(), shopId, lotNumber);
  const customers: RecallCustomer[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await listLotCustomers(pool(), shopId, lots, { cursor, limit });
    customers.push(...page.customers);
    cursor = page.nextCursor;
    pages++;
    expect(pages).toBeLessThan(20);
  } while (cursor);
  return { customers };
}

/** The keys in the database's own text order (the order of the guest key index). */
async function inDatabaseOrder(keys: string[]): Promise<string[]> {
  return (await pool().query<{ k: string }>("select k from unnest($1::text[]) as k order by k", [keys])).rows.map((r) => r.k);
}

describe("recall customer list: guest pages", () => {
  it("pages every guest exactly once in key order, following late orders and customers/redact", async () => {
    const shop = await createTestShop("recall-guest-pages");
    const variant = await createVariant(shop.id);
    const location = await createLocation(shop.id);
    const lot = await createLot(shop.id, { variantId: variant, lotNumber: "G-1", quantity: 100, locationId: location });
    const ship = (attrs: { email?: string; customerId?: bigint; quantity: number }) =>
      shipToCustomer(shop.id, { ...attrs, variantId: variant, lotId: lot, locationId: location });
    const run = async (topic: string, payload: unknown) => {
      const id = `${topic}-${newId()}`;
      await deliver(shop.domain, topic, payload, id);
      expect((await eventStatus(id)).status).toBe("PROCESSED");
    };

    const withId = newId();
    await ship({ customerId: withId, quantity: 1 });
    for (const email of ["d@guest.test", "f@guest.test", "h@guest.test", "a@guest.test"]) await ship({ email, quantity: 1 });
    // Two orders with one email, in different case: one guest with both orders.
    await ship({ email: "b@guest.test", quantity: 2 });
    await ship({ email: "B@Guest.TEST", quantity: 3 });
    const noEmail = await ship({ quantity: 1 });
    const toRedact = await ship({ email: "e@guest.test", quantity: 4 });

    // Fulfilments that arrive before their orders: listed by order until the order comes.
    const late = { order: newId(), line: newId() };
    const lateWithId = { order: newId(), line: newId(), customer: newId() };
    for (const o of [late, lateWithId]) {
      await run(
        "fulfillments/create",
        fulfilmentPayload({ id: newId(), orderId: o.order, locationId: location, lines: [{ lineItemId: o.line, variantId: variant, quantity: 2 }] }),
      );
    }
    const before = await allPages(shop.id, "G-1", 2);
    expect(before.customers.map((c) => c.customerKey)).toEqual(
      expect.arrayContaining([`order:${late.order}`, `order:${lateWithId.order}`, "email:b@guest.test", "email:e@guest.test"]),
    );

    await run("orders/create", guestOrderPayload({ id: late.order, email: "C@Guest.test", lines: [{ id: late.line, variantId: variant, quantity: 2 }] }));
    await run(
      "orders/create",
      orderPayload({ id: lateWithId.order, customerId: lateWithId.customer, lines: [{ id: lateWithId.line, variantId: variant, quantity: 2 }] }),
    );
    // The guest e@guest.test asks to be forgotten: listed by order from now on, units still counted.
    await run("customers/redact", {
      shop_id: 1,
      shop_domain: shop.domain,
      customer: { id: null, email: "e@guest.test", phone: null },
      orders_to_redact: [Number(toRedact.orderId)],
    });

    const guestKeys = await inDatabaseOrder([
      "email:a@guest.test",
      "email:b@guest.test",
      "email:c@guest.test",
      "email:d@guest.test",
      "email:f@guest.test",
      "email:h@guest.test",
      `order:${noEmail.orderId}`,
      `order:${toRedact.orderId}`,
    ]);
    const withIds = [withId, lateWithId.customer].sort((x, y) => (x < y ? -1 : 1)).map(String);
    const expected = [...withIds, ...guestKeys];

    // Page sizes that end inside the customers with an id, at the switch to guests, and in between guests.
    for (const limit of [1, 2, 3, 4, 50]) {
      const { customers } = await allPages(shop.id, "G-1", limit);
      expect(customers.map((c) => c.customerKey)).toEqual(expected);
    }

    const { customers } = await allPages(shop.id, "G-1", 3);
    const byKey = new Map(customers.map((c) => [c.customerKey, c]));
    expect(byKey.get("email:b@guest.test")).toMatchObject({ customerId: null, units: 5, redacted: false });
    expect(byKey.get("email:b@guest.test")!.orders).toHaveLength(2);
    expect(byKey.get("email:c@guest.test")).toMatchObject({ customerId: null, units: 2, email: "C@Guest.test" });
    expect(byKey.get("email:c@guest.test")!.orders.map((o) => o.orderId)).toEqual([late.order]);
    expect(byKey.get(String(lateWithId.customer))).toMatchObject({ customerId: lateWithId.customer, units: 2 });
    expect(byKey.get(`order:${toRedact.orderId}`)).toMatchObject({ customerId: null, units: 4, redacted: true, name: null, email: null });
    expect(byKey.has("email:e@guest.test")).toBe(false);
    expect(byKey.has(`order:${late.order}`)).toBe(false);
    // No allocation keeps the redacted email, even inside its key.
    const leftover = await pool().query("select 1 from allocations where shop_id = $1 and customer_key like '%e@guest.test%'", [shop.id]);
    expect(leftover.rowCount).toBe(0);

    const lookup = await lookupRecall(shop.id, { lotNumber: "G-1" });
    expect(lookup.totals).toMatchObject({ customers: expected.length, shippedUnits: 1 + 4 + 5 + 1 + 4 + 2 + 2 });
  });
});
