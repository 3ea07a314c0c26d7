// The recall banner's endpoint (/api/customer/order-recalls), called as the customer account
// extension calls it: from the extension's origin with the customer account session token (shop in
// `dest`, customer GID in `sub`). A customer sees the recalls on their own order, with what to do,
// and learns nothing about another shop's or another customer's orders (decision 110). Real Postgres.
import { describe, expect, it } from "vitest";
import { action, loader } from "../../app/routes/api.customer.order-recalls";
import { closeRecall, openRecall } from "../../app/domain/recall/recall-case.server";
import { recallAdvice } from "../../app/domain/recall/public-check-rules";
import { orderRecallsUrl, type OrderRecallsResponse } from "../../app/lib/extension-api";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { DESKTOP_UA, sessionToken } from "../helpers/session";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";

// openRecall queues outbox sends (quarantine in Shopify): to a prefix of this file's own.
useOwnQueuePrefix();

/** Customer account extensions run on Shopify's extension origin: CORS applies. */
const EXTENSION_ORIGIN = "https://extensions.shopifycdn.com";
const customerGid = (id: bigint) => `gid://shopify/Customer/${id}`;
const orderGid = (id: bigint) => `gid://shopify/Order/${id}`;

interface Caller {
  shop: string;
  customerId?: bigint;
  token?: string;
  method?: string;
}

function request(orderId: string, caller: Caller): Request {
  const token =
    caller.token ??
    // As Shopify signs it for a customer account extension: dest is the shop's bare domain.
    sessionToken(caller.shop, { dest: caller.shop, ...(caller.customerId === undefined ? { sub: "" } : { sub: customerGid(caller.customerId) }) });
  return new Request(orderRecallsUrl(orderId), {
    method: caller.method ?? "GET",
    headers: { Authorization: `Bearer ${token}`, Origin: EXTENSION_ORIGIN, "User-Agent": DESKTOP_UA },
  });
}

async function answer(promise: Promise<Response>): Promise<{ status: number; body: unknown; headers: Headers }> {
  let response: Response;
  try {
    response = await promise;
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    response = thrown;
  }
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null, headers: response.headers };
}

const get = (orderId: string, caller: Caller) => answer(loader({ request: request(orderId, caller), params: {}, context: {} }));

/** A shop where Maria bought honey from lot H-1 and a candle from lot C-7, and Tom bought H-1 too. */
async function seed(label: string) {
  const shop = await createTestShop(label);
  const warehouse = await createLocation(shop.id, { name: "Warehouse" });
  const honey = await createVariant(shop.id, { sku: "HONEY", productTitle: "Wildflower honey 250 g" });
  const candle = await createVariant(shop.id, { sku: "CANDLE", productTitle: "Beeswax candle" });
  const h1 = await createLot(shop.id, { variantId: honey, lotNumber: "H-1", quantity: 30, locationId: warehouse });
  const c7 = await createLot(shop.id, { variantId: candle, lotNumber: "C-7", quantity: 10, locationId: warehouse });
  const maria = newId();
  const tom = newId();
  const honeyOrder = await shipToCustomer(shop.id, {
    customerId: maria,
    customerName: "Maria Lopez",
    variantId: honey,
    lotId: h1,
    locationId: warehouse,
    quantity: 2,
  });
  const candleOrder = await shipToCustomer(shop.id, {
    customerId: maria,
    customerName: "Maria Lopez",
    variantId: candle,
    lotId: c7,
    locationId: warehouse,
    quantity: 1,
  });
  const tomsOrder = await shipToCustomer(shop.id, {
    customerId: tom,
    customerName: "Tom Berg",
    variantId: honey,
    lotId: h1,
    locationId: warehouse,
    quantity: 1,
  });
  return { shop, maria, tom, honeyOrder: honeyOrder.orderId, candleOrder: candleOrder.orderId, tomsOrder: tomsOrder.orderId };
}

describe("GET /api/customer/order-recalls: the recall banner on the order status page", () => {
  it("names the recalled product and lot on the customer's order and says what to do", async () => {
    const s = await seed("banner-recalled");
    await openRecall(s.shop.id, { lots: [{ lotNumber: "H-1" }], reason: "Possible glass fragments", severity: "CLASS_I" });

    const { status, body, headers } = await get(orderGid(s.honeyOrder), { shop: s.shop.domain, customerId: s.maria });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(headers.get("Cache-Control")).toBe("no-store");
    const recalls = (body as OrderRecallsResponse).recalls;
    expect(recalls).toEqual([
      {
        product: "Wildflower honey 250 g",
        lotNumber: "H-1",
        whatToDo: recallAdvice("CLASS_I"),
        reason: "Possible glass fragments",
        openedOn: new Date().toISOString().slice(0, 10),
      },
    ]);
    expect(recalls[0]!.whatToDo).toContain("Stop using this product now");
    // `dest` given as the shop's URL (as admin tokens carry it) names the same shop.
    const asUrl = sessionToken(s.shop.domain, { sub: customerGid(s.maria) });
    expect((await get(orderGid(s.honeyOrder), { shop: s.shop.domain, token: asUrl })).body).toEqual(body);
    // Nothing about the customer, the order's quantities or the recall's internal reference.
    expect(JSON.stringify(body)).not.toMatch(/Maria|Tom|R-\d{8}|Warehouse/);
  });

  it("shows nothing on an order whose lots are not recalled, and nothing once the recall is closed", async () => {
    const s = await seed("banner-clear");
    const recall = await openRecall(s.shop.id, { lots: [{ lotNumber: "H-1" }], reason: "Mislabelled allergen", severity: "CLASS_II" });
    const candle = await get(orderGid(s.candleOrder), { shop: s.shop.domain, customerId: s.maria });
    expect(candle.status).toBe(200);
    expect((candle.body as OrderRecallsResponse).recalls).toEqual([]);

    // The order id as a bare number is read too.
    const honey = await get(s.honeyOrder.toString(), { shop: s.shop.domain, customerId: s.maria });
    expect((honey.body as OrderRecallsResponse).recalls.map((r) => r.lotNumber)).toEqual(["H-1"]);
    // Units sent back to the shop need no action: a fully returned lot shows nothing, a partly returned one does.
    const forestHoney = await createVariant(s.shop.id, { sku: "HONEY-2", productTitle: "Forest honey" });
    const warehouse = await createLocation(s.shop.id, { name: "Back room" });
    const f2 = await createLot(s.shop.id, { variantId: forestHoney, lotNumber: "F-2", quantity: 10, locationId: warehouse });
    const shipped = { customerId: s.maria, variantId: forestHoney, lotId: f2, locationId: warehouse, quantity: 2 };
    const returned = await shipToCustomer(s.shop.id, { ...shipped, returnedQuantity: 2 });
    const partly = await shipToCustomer(s.shop.id, { ...shipped, returnedQuantity: 1 });
    await openRecall(s.shop.id, { lots: [{ lotNumber: "F-2" }], reason: "Fermenting", severity: "CLASS_III" });
    expect(((await get(orderGid(returned.orderId), { shop: s.shop.domain, customerId: s.maria })).body as OrderRecallsResponse).recalls).toEqual([]);
    expect(
      ((await get(orderGid(partly.orderId), { shop: s.shop.domain, customerId: s.maria })).body as OrderRecallsResponse).recalls.map((r) => r.lotNumber),
    ).toEqual(["F-2"]);

    await closeRecall(s.shop.id, recall.id);
    expect(((await get(orderGid(s.honeyOrder), { shop: s.shop.domain, customerId: s.maria })).body as OrderRecallsResponse).recalls).toEqual([]);
  });

  it("answers 404 for another customer's order, a token without a customer, an unknown order and another shop's order", async () => {
    const s = await seed("banner-owner");
    const other = await seed("banner-other-shop");
    await openRecall(s.shop.id, { lots: [{ lotNumber: "H-1" }], reason: "Possible glass fragments", severity: "CLASS_I" });
    await openRecall(other.shop.id, { lots: [{ lotNumber: "H-1" }], reason: "Other shop's recall", severity: "CLASS_I" });

    // Maria asks about Tom's order (same shop, same recalled lot): the same answer as for no order.
    const toms = await get(orderGid(s.tomsOrder), { shop: s.shop.domain, customerId: s.maria });
    const unknown = await get(orderGid(newId()), { shop: s.shop.domain, customerId: s.maria });
    const anonymous = await get(orderGid(s.honeyOrder), { shop: s.shop.domain });
    // The other shop's customer with their own order id, but a token of this shop.
    const crossShop = await get(orderGid(other.honeyOrder), { shop: s.shop.domain, customerId: other.maria });
    for (const refused of [toms, unknown, anonymous, crossShop]) {
      expect(refused.status).toBe(404);
      expect(refused.body).toEqual(toms.body);
      expect(JSON.stringify(refused.body)).not.toMatch(/glass|recall|H-1/i);
    }
    // Tom himself sees his order's recall.
    expect(((await get(orderGid(s.tomsOrder), { shop: s.shop.domain, customerId: s.tom })).body as OrderRecallsResponse).recalls).toHaveLength(1);
  });

  it("refuses a missing, forged or expired session token with 401, and a bad order id with 400", async () => {
    const s = await seed("banner-auth");
    const order = orderGid(s.honeyOrder);
    const forged = sessionToken(s.shop.domain, { dest: s.shop.domain, sub: customerGid(s.maria), secret: "not-the-app-secret" });
    const expired = sessionToken(s.shop.domain, { dest: s.shop.domain, sub: customerGid(s.maria), expiresIn: -120 });
    expect((await get(order, { shop: s.shop.domain, token: forged })).status).toBe(401);
    expect((await get(order, { shop: s.shop.domain, token: expired })).status).toBe(401);
    const bare = new Request(orderRecallsUrl(order), { headers: { Origin: EXTENSION_ORIGIN, "User-Agent": DESKTOP_UA } });
    expect((await answer(loader({ request: bare, params: {}, context: {} }))).status).toBe(401);

    const bad = await get("gid://shopify/Product/5", { shop: s.shop.domain, customerId: s.maria });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toContain("orderId");
  });

  it("answers the CORS preflight and refuses other methods", async () => {
    const s = await seed("banner-cors");
    const preflight = await answer(action({ request: request(orderGid(s.honeyOrder), { shop: s.shop.domain, method: "OPTIONS" }), params: {}, context: {} }));
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const post = await answer(
      action({ request: request(orderGid(s.honeyOrder), { shop: s.shop.domain, customerId: s.maria, method: "POST" }), params: {}, context: {} }),
    );
    expect(post.status).toBe(405);
  });
});
