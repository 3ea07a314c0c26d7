// The API of the admin UI extensions (/api/extensions/order-lots and /variant-lots), called as a
// block's fetch calls it: from Shopify's extension origin with the bearer ID token. The shop comes
// only from the token; another shop's order is a 404 that leaks nothing; answers carry CORS headers.
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { moveLotUnits } from "../../app/domain/ledger/ledger.server";
import { withTransaction } from "../../app/lib/sql.server";
import { action as orderLotsAction, loader as orderLotsLoader } from "../../app/routes/api.extensions.order-lots";
import { action as variantLotsAction, loader as variantLotsLoader } from "../../app/routes/api.extensions.variant-lots";
import { action as productLotsAction, loader as productLotsLoader } from "../../app/routes/api.extensions.product-lots";
import type { LotsInStockResponse, OrderLotsResponse } from "../../app/lib/extension-api";
import { adminHeaders, DESKTOP_UA, sessionToken } from "../helpers/session";
import { createTestShop } from "../helpers/shops";
import { createAllocation, createLocation, createLot, createOrder, createVariant, shipToCustomer } from "../helpers/factories";

const BASE = "https://lotkeeper.test";
/** Where admin UI extensions run: a different origin from the app, so CORS applies. */
const EXTENSION_ORIGIN = "https://extensions.shopifycdn.com";

function get(shop: string, path: string, headers: Record<string, string> = adminHeaders(shop)): Request {
  return new Request(`${BASE}${path}`, { headers: { ...headers, Origin: EXTENSION_ORIGIN } });
}

/** Status and body of a loader's answer, thrown (authenticate.admin) or returned. */
async function answer(promise: Promise<Response>): Promise<{ status: number; body: unknown; headers: Headers }> {
  let response: Response;
  try {
    response = await promise;
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    response = thrown;
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

const args = (request: Request) => ({ request, params: {}, context: {} });

async function shopWithShippedOrder(label: string) {
  const shop = await createTestShop(label);
  const location = await createLocation(shop.id, { name: "Main warehouse" });
  const tea = await createVariant(shop.id, { sku: "TEA-1", productTitle: "Green tea" });
  const honey = await createVariant(shop.id, { sku: "HON-1", productTitle: "Honey" });
  const lotA = await createLot(shop.id, { variantId: tea, lotNumber: "TEA-A", quantity: 10, locationId: location, expiresOn: "2027-03-01" });
  const lotB = await createLot(shop.id, { variantId: tea, lotNumber: "TEA-B", quantity: 10, locationId: location, expiresOn: "2027-06-01" });
  const order = await createOrder(shop.id, {
    name: "#1001",
    lines: [
      { variantId: tea, quantity: 5, sku: "TEA-1" },
      { variantId: honey, quantity: 2, sku: "HON-1" },
    ],
  });
  const fulfillmentId = BigInt(Date.now()) * 1000n + 7n;
  await createAllocation(shop.id, {
    orderId: order.id,
    lineItemId: order.lineIds[0]!,
    variantId: tea,
    lotId: lotA,
    locationId: location,
    quantity: 3,
    fulfillmentId,
    returnedQuantity: 1,
  });
  await createAllocation(shop.id, {
    orderId: order.id,
    lineItemId: order.lineIds[0]!,
    variantId: tea,
    lotId: lotB,
    locationId: location,
    quantity: 2,
    fulfillmentId,
  });
  await createAllocation(shop.id, { orderId: order.id, lineItemId: order.lineIds[1]!, variantId: honey, lotId: null, locationId: location, quantity: 2 });
  return { shop, order, tea, honey, lotA, lotB, location };
}

describe("GET /api/extensions/order-lots", () => {
  it("lists each line item with the lots it shipped from, the returned units and the unknown-lot units", async () => {
    const { shop, order, lotA } = await shopWithShippedOrder("ext-order");
    const { status, body, headers } = await answer(
      orderLotsLoader(args(get(shop.domain, `/api/extensions/order-lots?orderId=gid://shopify/Order/${order.id}`))),
    );
    expect(status).toBe(200);
    expect(headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(headers.get("Cache-Control")).toBe("no-store");
    const data = body as OrderLotsResponse;
    expect(data.orderId).toBe(order.id.toString());
    expect(data.name).toBe("#1001");
    expect(data.unknownLotUnits).toBe(2);
    const [tea, honey] = data.lineItems;
    expect(tea!.sku).toBe("TEA-1");
    expect(tea!.fulfilledQuantity).toBe(5);
    expect(tea!.returnedQuantity).toBe(1);
    expect(tea!.allocations.map((a) => [a.lot, a.quantity, a.returnedQuantity, a.expiresOn, a.unknownLot])).toEqual([
      ["TEA-A", 3, 1, "2027-03-01", false],
      ["TEA-B", 2, 0, "2027-06-01", false],
    ]);
    expect(tea!.allocations[0]!.lotId).toBe(lotA.toString());
    expect(honey!.allocations).toEqual([expect.objectContaining({ lot: null, lotId: null, quantity: 2, unknownLot: true })]);
  });

  it("marks a shipped line whose lot is not assigned yet (fulfilment line waiting, no allocation)", async () => {
    const shop = await createTestShop("ext-pending");
    const location = await createLocation(shop.id);
    const jam = await createVariant(shop.id, { sku: "JAM-P" });
    const order = await createOrder(shop.id, { lines: [{ variantId: jam, quantity: 2 }] });
    const fulfillmentId = BigInt(Date.now()) * 1000n + 19n;
    await pool().query(
      `insert into fulfillments (shop_id, id, order_id, location_id, status, name, shopify_created_at, updated_at) values ($1, $2, $3, $4, 'success', 'F-1', now(), now())`,
      [shop.id, fulfillmentId, order.id, location],
    );
    await pool().query(
      `insert into fulfillment_lines (shop_id, fulfillment_id, line_item_id, variant_id, quantity, state, updated_at) values ($1, $2, $3, $4, 2, 'PENDING', now())`,
      [shop.id, fulfillmentId, order.lineIds[0], jam],
    );
    const { status, body } = await answer(orderLotsLoader(args(get(shop.domain, `/api/extensions/order-lots?orderId=${order.id}`))));
    expect(status).toBe(200);
    expect((body as OrderLotsResponse).lineItems).toEqual([expect.objectContaining({ sku: null, allocations: [], awaitingLots: true, notLotTracked: false })]);
  });

  it("accepts the plain order number as well as the GID", async () => {
    const { shop, order } = await shopWithShippedOrder("ext-number");
    const { status, body } = await answer(orderLotsLoader(args(get(shop.domain, `/api/extensions/order-lots?orderId=${order.id}`))));
    expect(status).toBe(200);
    expect((body as OrderLotsResponse).lineItems).toHaveLength(2);
  });

  it("answers 404 for another shop's order and shows nothing of it", async () => {
    const { order } = await shopWithShippedOrder("ext-theirs");
    const mine = await createTestShop("ext-mine");
    const { status, body, headers } = await answer(
      orderLotsLoader(args(get(mine.domain, `/api/extensions/order-lots?orderId=gid://shopify/Order/${order.id}`))),
    );
    expect(status).toBe(404);
    expect(headers.get("Access-Control-Allow-Origin")).toBe("*");
    const text = JSON.stringify(body);
    for (const secret of ["TEA-A", "TEA-B", "#1001", "TEA-1", "HON-1"]) expect(text).not.toContain(secret);
    expect(body).toEqual({ error: expect.stringContaining("no record of this order") });
  });

  it("answers 400 naming the parameter for a missing, malformed or foreign-type id, and changes nothing", async () => {
    const { shop } = await shopWithShippedOrder("ext-bad");
    const before = await pool().query("select count(*)::int as n from allocations where shop_id = $1", [shop.id]);
    for (const query of ["", "?orderId=", "?orderId=abc", "?orderId=gid://shopify/Product/123", "?orderId=99999999999999999999", "?orderId=-4", "?orderId=0"]) {
      const { status, body, headers } = await answer(orderLotsLoader(args(get(shop.domain, `/api/extensions/order-lots${query}`))));
      expect(status, query).toBe(400);
      expect((body as { error: string }).error, query).toMatch(/orderId/);
      expect(headers.get("Access-Control-Allow-Origin"), query).toBe("*");
    }
    const after = await pool().query("select count(*)::int as n from allocations where shop_id = $1", [shop.id]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it("refuses a forged or expired ID token with 401, with CORS headers so the block can read it", async () => {
    const { shop, order } = await shopWithShippedOrder("ext-forged");
    const path = `/api/extensions/order-lots?orderId=${order.id}`;
    const forged = get(shop.domain, path, { Authorization: `Bearer ${sessionToken(shop.domain, { secret: "not-the-secret" })}`, "User-Agent": DESKTOP_UA });
    const forgedAnswer = await answer(orderLotsLoader(args(forged)));
    expect(forgedAnswer.status).toBe(401);
    expect(forgedAnswer.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(JSON.stringify(forgedAnswer.body)).not.toContain("TEA-A");
    const expired = get(shop.domain, path, { Authorization: `Bearer ${sessionToken(shop.domain, { expiresIn: -60 })}`, "User-Agent": DESKTOP_UA });
    expect((await answer(orderLotsLoader(args(expired)))).status).toBe(401);
    const otherApp = get(shop.domain, path, { Authorization: `Bearer ${sessionToken(shop.domain, { apiKey: "another-app" })}`, "User-Agent": DESKTOP_UA });
    expect((await answer(orderLotsLoader(args(otherApp)))).status).toBe(401);
  });

  it("answers the CORS preflight with 204 and the headers a cross-origin fetch needs; other methods are 405", async () => {
    const preflight = new Request(`${BASE}/api/extensions/order-lots?orderId=1`, {
      method: "OPTIONS",
      headers: {
        Origin: EXTENSION_ORIGIN,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
        "User-Agent": DESKTOP_UA,
      },
    });
    const { status, headers } = await answer(orderLotsAction(args(preflight)));
    expect(status).toBe(204);
    expect(headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(headers.get("Access-Control-Allow-Headers")).toMatch(/Authorization/);

    const shop = await createTestShop("ext-post");
    const post = new Request(`${BASE}/api/extensions/order-lots`, { method: "POST", headers: { ...adminHeaders(shop.domain), Origin: EXTENSION_ORIGIN } });
    const posted = await answer(orderLotsAction(args(post)));
    expect(posted.status).toBe(405);
    expect(posted.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });
});

describe("GET /api/extensions/variant-lots", () => {
  it("lists the variant's lots with units per location, most urgent first, and its unknown-lot units", async () => {
    const shop = await createTestShop("ext-variant");
    const main = await createLocation(shop.id, { name: "Main warehouse" });
    const shopFloor = await createLocation(shop.id, { name: "Shop floor" });
    const tea = await createVariant(shop.id, { sku: "TEA-V", productTitle: "Green tea", title: "250 g" });
    const late = await createLot(shop.id, { variantId: tea, lotNumber: "LATE", quantity: 4, locationId: main, expiresOn: "2030-01-01" });
    await createLot(shop.id, { variantId: tea, lotNumber: "SOON", quantity: 6, locationId: main, expiresOn: "2029-01-01" });
    await createLot(shop.id, { variantId: tea, lotNumber: "NO-DATE", quantity: 1, locationId: main });
    await createLot(shop.id, { variantId: tea, lotNumber: "RECALLED", quantity: 2, locationId: main, expiresOn: "2031-01-01", status: "RECALLED" });
    await createLot(shop.id, { variantId: tea, lotNumber: "EMPTY", quantity: 0, expiresOn: "2028-01-01" });
    // Two units of LATE moved to the shop floor (a transfer as the ledger records it).
    await withTransaction((sql) =>
      moveLotUnits(sql, [
        { shopId: shop.id, lotId: late, locationId: main, delta: -2, kind: "TRANSFERRED", cause: "USER", causeRef: "test" },
        { shopId: shop.id, lotId: late, locationId: shopFloor, delta: 2, kind: "TRANSFERRED", cause: "USER", causeRef: "test" },
      ]),
    );
    await shipToCustomer(shop.id, { variantId: tea, lotId: null, locationId: main, quantity: 3 });

    const { status, body, headers } = await answer(
      variantLotsLoader(args(get(shop.domain, `/api/extensions/variant-lots?variantId=gid://shopify/ProductVariant/${tea}`))),
    );
    expect(status).toBe(200);
    expect(headers.get("Access-Control-Allow-Origin")).toBe("*");
    const data = body as LotsInStockResponse;
    expect(data.known).toBe(true);
    expect(data.sku).toBe("TEA-V");
    expect(data.lots.map((l) => [l.lotNumber, l.status, l.onHand])).toEqual([
      ["RECALLED", "RECALLED", 2],
      ["SOON", "ACTIVE", 6],
      ["LATE", "ACTIVE", 4],
      ["NO-DATE", "ACTIVE", 1],
    ]);
    expect(
      data.lots
        .find((l) => l.lotNumber === "LATE")!
        .balances.map((b) => [b.locationName, b.quantity])
        .sort(),
    ).toEqual([
      ["Main warehouse", 2],
      ["Shop floor", 2],
    ]);
    expect(data.onHand).toBe(13);
    expect(data.unknownLotUnits).toBe(3);
    expect(data.more).toBe(false);
  });

  it("shows another shop's variant as having no lots, and answers 400 for a product GID", async () => {
    const theirs = await createTestShop("ext-v-theirs");
    const location = await createLocation(theirs.id);
    const variant = await createVariant(theirs.id, { sku: "THEIR-SKU" });
    await createLot(theirs.id, { variantId: variant, lotNumber: "THEIR-LOT", quantity: 5, locationId: location });
    const mine = await createTestShop("ext-v-mine");
    const { status, body } = await answer(variantLotsLoader(args(get(mine.domain, `/api/extensions/variant-lots?variantId=${variant}`))));
    expect(status).toBe(200);
    expect(body).toMatchObject({ known: false, lots: [], onHand: 0, unknownLotUnits: 0, sku: null });
    expect(JSON.stringify(body)).not.toMatch(/THEIR/);
    const bad = await answer(variantLotsLoader(args(get(mine.domain, `/api/extensions/variant-lots?variantId=gid://shopify/Product/${variant}`))));
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toMatch(/variantId .* is not a ProductVariant id/);
  });

  it("refuses a forged token with 401 and answers the preflight with 204", async () => {
    const shop = await createTestShop("ext-v-forged");
    const forged = get(shop.domain, "/api/extensions/variant-lots?variantId=1", {
      Authorization: `Bearer ${sessionToken(shop.domain, { secret: "nope" })}`,
      "User-Agent": DESKTOP_UA,
    });
    expect((await answer(variantLotsLoader(args(forged)))).status).toBe(401);
    const preflight = new Request(`${BASE}/api/extensions/variant-lots?variantId=1`, {
      method: "OPTIONS",
      headers: { Origin: EXTENSION_ORIGIN, "User-Agent": DESKTOP_UA },
    });
    const answered = await answer(variantLotsAction(args(preflight)));
    expect(answered.status).toBe(204);
    expect(answered.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });
});

describe("GET /api/extensions/product-lots", () => {
  it("lists the lots of every variant of the product, most urgent first, naming each lot's variant", async () => {
    const shop = await createTestShop("ext-product");
    const main = await createLocation(shop.id, { name: "Main warehouse" });
    const productId = BigInt(Date.now()) * 1000n + 11n;
    const small = await createVariant(shop.id, { sku: "JAM-S", productTitle: "Jam", title: "200 g" });
    const large = await createVariant(shop.id, { sku: "JAM-L", productTitle: "Jam", title: "400 g" });
    const other = await createVariant(shop.id, { sku: "TEA-X", productTitle: "Tea" });
    await pool().query("update variants set product_id = $3 where shop_id = $1 and id = any($2)", [shop.id, [small, large], productId]);
    await createLot(shop.id, { variantId: small, lotNumber: "JAM-S-1", quantity: 3, locationId: main, expiresOn: "2030-06-01" });
    await createLot(shop.id, { variantId: large, lotNumber: "JAM-L-1", quantity: 4, locationId: main, expiresOn: "2030-01-01" });
    await createLot(shop.id, { variantId: large, lotNumber: "JAM-L-Q", quantity: 1, locationId: main, expiresOn: "2035-01-01", status: "QUARANTINED" });
    await createLot(shop.id, { variantId: other, lotNumber: "TEA-X-1", quantity: 9, locationId: main, expiresOn: "2029-01-01" });
    await shipToCustomer(shop.id, { variantId: small, lotId: null, locationId: main, quantity: 2 });
    await shipToCustomer(shop.id, { variantId: other, lotId: null, locationId: main, quantity: 5 });

    const { status, body, headers } = await answer(
      productLotsLoader(args(get(shop.domain, `/api/extensions/product-lots?productId=gid://shopify/Product/${productId}`))),
    );
    expect(status).toBe(200);
    expect(headers.get("Access-Control-Allow-Origin")).toBe("*");
    const data = body as LotsInStockResponse;
    expect(data).toMatchObject({ scope: "product", id: productId.toString(), known: true, title: "Jam", variantCount: 2, onHand: 8, unknownLotUnits: 2 });
    expect(data.lots.map((l) => [l.lotNumber, l.variantTitle, l.status])).toEqual([
      ["JAM-L-Q", "400 g", "QUARANTINED"],
      ["JAM-L-1", "400 g", "ACTIVE"],
      ["JAM-S-1", "200 g", "ACTIVE"],
    ]);
  });

  it("shows another shop's product as having no lots, refuses a variant GID, a forged token, and answers the preflight", async () => {
    const theirs = await createTestShop("ext-p-theirs");
    const location = await createLocation(theirs.id);
    const productId = BigInt(Date.now()) * 1000n + 13n;
    const variant = await createVariant(theirs.id, { sku: "THEIR-P" });
    await pool().query("update variants set product_id = $3 where shop_id = $1 and id = $2", [theirs.id, variant, productId]);
    await createLot(theirs.id, { variantId: variant, lotNumber: "THEIR-P-LOT", quantity: 5, locationId: location });
    const mine = await createTestShop("ext-p-mine");
    const { status, body } = await answer(productLotsLoader(args(get(mine.domain, `/api/extensions/product-lots?productId=${productId}`))));
    expect(status).toBe(200);
    expect(body).toMatchObject({ known: false, lots: [], onHand: 0, variantCount: 0 });
    expect(JSON.stringify(body)).not.toMatch(/THEIR/);
    expect(
      (await answer(productLotsLoader(args(get(mine.domain, `/api/extensions/product-lots?productId=gid://shopify/ProductVariant/${variant}`))))).status,
    ).toBe(400);
    const forged = get(mine.domain, `/api/extensions/product-lots?productId=${productId}`, {
      Authorization: `Bearer ${sessionToken(mine.domain, { secret: "nope" })}`,
      "User-Agent": DESKTOP_UA,
    });
    expect((await answer(productLotsLoader(args(forged)))).status).toBe(401);
    const preflight = new Request(`${BASE}/api/extensions/product-lots`, {
      method: "OPTIONS",
      headers: { Origin: EXTENSION_ORIGIN, "User-Agent": DESKTOP_UA },
    });
    expect((await answer(productLotsAction(args(preflight)))).status).toBe(204);
  });
});
